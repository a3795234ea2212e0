package config

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard/internal/diag"
)

// edit records one substitution on a line, in 1-based rune columns: the
// text at origCol (origLen runes) became newLen runes at newCol.
type edit struct {
	newCol, newLen   int
	origCol, origLen int
	// failed is the index of the diagnostic reporting this reference, or
	// -1 when it was substituted.
	failed int
}

// posMap translates columns of the substituted text back to the file as
// written. Substitution never adds or removes lines, so lines need no
// translation. The zero value (and nil) maps every column to itself.
type posMap struct {
	edits map[int][]edit // by 1-based line, in column order
}

func (m *posMap) add(line int, e edit) {
	if m.edits == nil {
		m.edits = make(map[int][]edit)
	}
	m.edits[line] = append(m.edits[line], e)
}

// col maps column col of line in the substituted text to the original
// column. A column inside a substituted value maps to the start of its
// reference.
func (m *posMap) col(line, col int) int {
	if m == nil || col <= 0 {
		return col
	}
	out := col
	for _, e := range m.edits[line] {
		if col < e.newCol {
			break
		}
		if col < e.newCol+max(e.newLen, 1) {
			return e.origCol
		}
		out = col - (e.newCol + e.newLen) + (e.origCol + e.origLen)
	}
	return out
}

// expandEnv substitutes ${VAR} and ${VAR:-default} in src using lookup,
// keeping every line on its line:
//
//   - $$ is a literal $;
//   - ${{ starts a pipeline expression and is copied as is;
//   - a $ followed by anything else is a literal $;
//   - ${VAR:-default} uses default when VAR is unset or empty;
//   - comments (a # at the start of a line or after a blank, outside a
//     quoted string) are copied as is.
//
// An unset variable without a default, a malformed reference and a value
// holding a line break are diagnostics at the reference's position (and
// substitute as empty text so parsing can go on).
func expandEnv(file string, src []byte, lookup func(string) (string, bool)) ([]byte, *posMap, diag.Diagnostics) {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	var (
		out   strings.Builder
		pm    = &posMap{}
		diags diag.Diagnostics
		quote byte // the open quote character, carried across lines
	)
	out.Grow(len(src))
	s := string(src)
	for line := 1; len(s) > 0; line++ {
		content, brk := s, ""
		if i, n := nextBreak(s); i >= 0 {
			content, brk = s[:i], s[i:i+n]
		}
		s = s[len(content)+len(brk):]
		quote = expandLine(&out, pm, &diags, file, line, content, quote, lookup)
		out.WriteString(brk)
	}
	return []byte(out.String()), pm, diags
}

// nextBreak finds the first line break in s as YAML counts them (\r\n, \r,
// \n, NEL, LS and PS) and returns its index and length, or -1.
func nextBreak(s string) (i, n int) {
	for i := 0; i < len(s); i++ {
		if n := breakAt(s, i); n > 0 {
			return i, n
		}
	}
	return -1, 0
}

// breakAt returns the length of the line break at s[i], or 0.
func breakAt(s string, i int) int {
	switch {
	case s[i] == '\n':
		return 1
	case s[i] == '\r':
		if i+1 < len(s) && s[i+1] == '\n' {
			return 2
		}
		return 1
	case strings.HasPrefix(s[i:], "\u0085"):
		return 2
	case strings.HasPrefix(s[i:], "\u2028"), strings.HasPrefix(s[i:], "\u2029"):
		return 3
	}
	return 0
}

// countLines returns how many lines YAML sees in s (at least 1).
func countLines(s string) int {
	lines := 1
	for {
		i, n := nextBreak(s)
		if i < 0 {
			return lines
		}
		lines++
		s = s[i+n:]
	}
}

// expandLine substitutes references in one line (without its line break)
// and returns the quote state at its end.
func expandLine(out *strings.Builder, pm *posMap, diags *diag.Diagnostics, file string, line int, text string,
	quote byte, lookup func(string) (string, bool),
) byte {
	col, ncol := 1, 1 // rune columns in the original and the new text
	copyBytes := func(b string) {
		out.WriteString(b)
		n := utf8.RuneCountInString(b)
		col += n
		ncol += n
	}
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case quote == 0 && c == '#' && (i == 0 || text[i-1] == ' ' || text[i-1] == '\t'):
			copyBytes(text[i:])
			return quote
		case quote == 0 && (c == '"' || c == '\'') && atTokenStart(text[:i]):
			quote = c
		case quote == '"' && c == '\\' && i+1 < len(text):
			copyBytes(text[i : i+2])
			i += 2
			continue
		case quote == '"' && c == '"':
			quote = 0
		case quote == '\'' && c == '\'':
			if i+1 < len(text) && text[i+1] == '\'' {
				copyBytes(text[i : i+2])
				i += 2
				continue
			}
			quote = 0
		case c == '$':
			n := expandRef(out, pm, diags, file, line, col, ncol, text[i:], lookup)
			if n > 0 {
				ref := text[i : i+n]
				col += utf8.RuneCountInString(ref)
				ncol = pm.lastNewEnd(line, ncol)
				i += n
				continue
			}
		}
		// Copy one rune (or one invalid byte) as is.
		_, size := utf8.DecodeRuneInString(text[i:])
		copyBytes(text[i : i+size])
		i += size
	}
	return quote
}

// failedIn returns the indexes of the failed references inside the scalar
// that starts at line:col (in the substituted text) and holds value.
func (m *posMap) failedIn(line, col int, value string) []int {
	if m == nil {
		return nil
	}
	var out []int
	end := col + utf8.RuneCountInString(value) + 2 // room for quotes
	for _, e := range m.edits[line] {
		if e.failed >= 0 && e.newCol >= col && e.newCol <= end {
			out = append(out, e.failed)
		}
	}
	return out
}

// lastNewEnd returns the new column just after the last edit on line, or
// def when the line has none.
func (m *posMap) lastNewEnd(line, def int) int {
	es := m.edits[line]
	if len(es) == 0 {
		return def
	}
	e := es[len(es)-1]
	return e.newCol + e.newLen
}

// atTokenStart reports whether a quote after prefix opens a quoted scalar:
// it must start the line's content or follow a YAML indicator.
func atTokenStart(prefix string) bool {
	p := strings.TrimRight(prefix, " \t")
	if p == "" {
		return true
	}
	switch p[len(p)-1] {
	case ':', '-', '[', '{', ',', '?':
		return true
	}
	return false
}

// expandRef handles the text starting at a '$'. It returns how many bytes
// of text it consumed and wrote (as a substitution), or 0 when the '$' is
// an ordinary character to copy.
func expandRef(out *strings.Builder, pm *posMap, diags *diag.Diagnostics, file string, line, col, ncol int,
	text string, lookup func(string) (string, bool),
) int {
	failed := -1
	at := func(msg string, args ...any) {
		failed = len(*diags)
		*diags = append(*diags, diag.Diagnostic{File: file, Line: line, Col: col, Msg: fmt.Sprintf(msg, args...)})
	}
	emit := func(consumed, value string) int {
		out.WriteString(value)
		pm.add(line, edit{
			newCol: ncol, newLen: utf8.RuneCountInString(value),
			origCol: col, origLen: utf8.RuneCountInString(consumed),
			failed: failed,
		})
		return len(consumed)
	}
	switch {
	case strings.HasPrefix(text, "$$"):
		return emit("$$", "$")
	case strings.HasPrefix(text, "${{"):
		return 0 // a pipeline expression: not ours
	case !strings.HasPrefix(text, "${"):
		return 0
	}
	end := strings.IndexByte(text, '}')
	if end < 0 {
		at("unterminated variable reference %q: want ${NAME} or ${NAME:-default} (write $$ for a literal $)", clip(text))
		return emit(text, "")
	}
	ref := text[:end+1]
	inner := ref[2:end]
	name, def, hasDef := strings.Cut(inner, ":-")
	if !validEnvName(name) {
		at("malformed variable reference %q: want ${NAME} or ${NAME:-default} (write $$ for a literal $)", clip(ref))
		return emit(ref, "")
	}
	value, ok := lookup(name)
	if hasDef && value == "" {
		value, ok = def, true
	}
	if !ok {
		at("environment variable %s is not set (use ${%s:-default} for a fallback)", name, name)
		return emit(ref, "")
	}
	if i, _ := nextBreak(value); i >= 0 {
		at("environment variable %s holds a line break, which cannot be substituted into one line", name)
		return emit(ref, "")
	}
	return emit(ref, value)
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// clip shortens s for a message.
func clip(s string) string {
	const limit = 40
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit]) + "…"
}
