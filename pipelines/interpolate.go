package pipelines

import (
	"strings"
	"unicode/utf8"
)

// segment is one piece of a string value: literal text, or the source of a
// "${{ }}" expression (without the delimiters).
type segment struct {
	text string
	expr bool
	// off is the rune offset of text within the whole string, so an error
	// inside the expression can be positioned in the file.
	off int
}

// scanError is a malformed "${{ }}"; off is the rune offset of its "${{".
type scanError struct {
	off int
	msg string
}

// scanTemplate splits s into literal text and "${{ expr }}" segments. An
// expression ends at the first "}}" outside a string literal and outside
// braces it opened itself, so `${{ {"a": {"b": 1}} }}` and `${{ "}}" }}`
// work. Adjacent text is never split, and a string without "${{" is one
// text segment (or none when s is empty).
func scanTemplate(s string) ([]segment, *scanError) {
	var segs []segment
	i := 0
	for i < len(s) {
		j := strings.Index(s[i:], "${{")
		if j < 0 {
			segs = append(segs, segment{text: s[i:], off: utf8.RuneCountInString(s[:i])})
			break
		}
		if j > 0 {
			segs = append(segs, segment{text: s[i : i+j], off: utf8.RuneCountInString(s[:i])})
		}
		open := i + j
		start := open + 3
		end := closeExpr(s, start)
		if end < 0 {
			return nil, &scanError{off: utf8.RuneCountInString(s[:open]), msg: `unterminated "${{": want "}}"`}
		}
		src := s[start:end]
		if strings.TrimSpace(src) == "" {
			return nil, &scanError{off: utf8.RuneCountInString(s[:open]), msg: `empty "${{ }}"`}
		}
		segs = append(segs, segment{text: src, expr: true, off: utf8.RuneCountInString(s[:start])})
		i = end + 2
	}
	return segs, nil
}

// closeExpr returns the byte index of the "}}" that closes an expression
// starting at s[start:], or -1.
func closeExpr(s string, start int) int {
	depth := 0
	var quote byte
	for k := start; k < len(s); k++ {
		c := s[k]
		if quote != 0 {
			switch {
			case c == '\\' && quote != '`':
				k++
			case c == quote:
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'', '`':
			quote = c
		case '{':
			depth++
		case '}':
			if depth > 0 {
				depth--
			} else if k+1 < len(s) && s[k+1] == '}' {
				return k
			}
		}
	}
	return -1
}
