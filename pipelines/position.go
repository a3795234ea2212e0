package pipelines

import (
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// source is a pipeline file split into lines, used to turn an offset inside
// a scalar's value (e.g. where expr found an error) into a file position.
type source struct {
	lines []string
}

// lineBreaks normalizes what YAML counts as a line break to "\n".
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n")

func newSource(src []byte) *source {
	return &source{lines: strings.Split(lineBreaks.Replace(string(src)), "\n")}
}

// unit is one character of a scalar's source as it maps onto the value.
type unit struct {
	r         rune
	line, col int
	wild      bool // a quoted escape: stands for exactly one value rune
	brk       bool // a line break in the source
}

// scalarScanner yields the units of a scalar's source text, starting at its
// first content character: it drops the opening quote, a block scalar's
// indentation and the leading blanks of continuation lines, and it folds
// quoted escapes (” and \x..) into one unit each.
type scalarScanner struct {
	src    *source
	style  yaml.Style
	block  bool
	indent int // block scalars: content indentation in bytes
	li, bi int // current line (0-based) and byte index in it
	col    int // 1-based column of bi, in runes
}

func (s *source) scanner(n *yaml.Node) *scalarScanner {
	sc := &scalarScanner{src: s, style: n.Style, block: n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0}
	if sc.block {
		// The node sits on the indicator; content starts on the next line,
		// indented as its first non-blank line.
		sc.li = n.Line
		for li := sc.li; li < len(s.lines); li++ {
			if t := strings.TrimLeft(s.lines[li], " "); t != "" {
				sc.indent = len(s.lines[li]) - len(t)
				break
			}
		}
		sc.startLine()
		return sc
	}
	sc.li, sc.col = n.Line-1, 1
	if sc.li < 0 || sc.li >= len(s.lines) {
		sc.li = len(s.lines)
		return sc
	}
	line := s.lines[sc.li]
	for sc.col < n.Column && sc.bi < len(line) {
		_, size := utf8.DecodeRuneInString(line[sc.bi:])
		sc.bi += size
		sc.col++
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && sc.bi < len(line) {
		sc.bi++ // the opening quote
		sc.col++
	}
	return sc
}

// startLine positions the scanner at the content of line li.
func (sc *scalarScanner) startLine() {
	sc.bi, sc.col = 0, 1
	if sc.li >= len(sc.src.lines) {
		return
	}
	line := sc.src.lines[sc.li]
	for sc.bi < len(line) && (line[sc.bi] == ' ' || (!sc.block && line[sc.bi] == '\t')) && (!sc.block || sc.bi < sc.indent) {
		sc.bi++
		sc.col++
	}
}

func (sc *scalarScanner) next() (unit, bool) {
	for sc.li < len(sc.src.lines) {
		line := sc.src.lines[sc.li]
		if sc.bi >= len(line) {
			u := unit{line: sc.li + 1, col: sc.col, brk: true}
			sc.li++
			sc.startLine()
			return u, true
		}
		r, size := utf8.DecodeRuneInString(line[sc.bi:])
		u := unit{r: r, line: sc.li + 1, col: sc.col}
		switch {
		case sc.style&yaml.DoubleQuotedStyle != 0 && r == '\\':
			if sc.bi+1 >= len(line) { // an escaped line break: no character
				sc.li++
				sc.startLine()
				continue
			}
			n := 2
			switch line[sc.bi+1] {
			case 'x':
				n = 4
			case 'u':
				n = 6
			case 'U':
				n = 10
			}
			n = min(n, len(line)-sc.bi)
			sc.col += utf8.RuneCountInString(line[sc.bi : sc.bi+n])
			sc.bi += n
			u.wild = true
			return u, true
		case sc.style&yaml.SingleQuotedStyle != 0 && r == '\'' && sc.bi+1 < len(line) && line[sc.bi+1] == '\'':
			sc.bi += 2
			sc.col += 2
			return u, true
		}
		sc.bi += size
		sc.col++
		return u, true
	}
	return unit{}, false
}

// pos returns the file position of the rune at offset off of n's value by
// walking the value and the source side by side. Where they cannot be
// aligned (folding it does not model), it returns the last position it
// could place, so the answer is at worst near the error, never wrong-file.
func (s *source) pos(n *yaml.Node, off int) (line, col int) {
	line, col = n.Line, n.Column
	sc := s.scanner(n)
	j := 0
	for _, r := range n.Value {
		for {
			u, ok := sc.next()
			if !ok {
				return line, col
			}
			if u.brk {
				if r == '\n' || r == ' ' { // the value keeps or folds the break
					if j == off {
						return u.line, u.col
					}
					line, col = u.line, u.col
					break
				}
				continue // a dropped break (blank line of a folded scalar)
			}
			line, col = u.line, u.col
			if u.wild || u.r == r {
				if j == off {
					return line, col
				}
				break
			}
			if u.r != ' ' && u.r != '\t' {
				return line, col // cannot align: best effort
			}
			// source blanks the value dropped (folding); skip them
		}
		j++
	}
	if off >= j { // just past the value, e.g. EOF of an expression
		if u, ok := sc.next(); ok && !u.brk {
			return u.line, u.col
		}
		return line, col + 1
	}
	return line, col
}
