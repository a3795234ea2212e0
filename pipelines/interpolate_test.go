package pipelines

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestScanTemplate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []segment
		wantErr *scanError
	}{
		{"", nil, nil},
		{"plain", []segment{{text: "plain"}}, nil},
		{"${{ a }}", []segment{{text: " a ", expr: true, off: 3}}, nil},
		{"x ${{a}} y", []segment{{text: "x "}, {text: "a", expr: true, off: 5}, {text: " y", off: 8}}, nil},
		{"${{a}}${{b}}", []segment{{text: "a", expr: true, off: 3}, {text: "b", expr: true, off: 9}}, nil},
		{`${{ "}}" }}`, []segment{{text: ` "}}" `, expr: true, off: 3}}, nil},
		{`${{ {"a": {"b": 1}} }}`, []segment{{text: ` {"a": {"b": 1}} `, expr: true, off: 3}}, nil},
		{`${{ 'it\'s }}' }}`, []segment{{text: ` 'it\'s }}' `, expr: true, off: 3}}, nil},
		{"é ${{ x }}", []segment{{text: "é "}, {text: " x ", expr: true, off: 5}}, nil},
		{"$ {{ not }}", []segment{{text: "$ {{ not }}"}}, nil},
		{"a ${{ x", nil, &scanError{off: 2, msg: `unterminated "${{": want "}}"`}},
		{"${{ }}", nil, &scanError{off: 0, msg: `empty "${{ }}"`}},
		{"ok ${{ a }} ${{ ' }} ", nil, &scanError{off: 12, msg: `unterminated "${{": want "}}"`}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := scanTemplate(tt.in)
			require.Equal(t, tt.wantErr, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// TestPosition checks that an offset in a scalar's value maps to the file
// position of the same character, for every scalar style.
func TestPosition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string // the value of key k; "XX" marks the character to find
	}{
		{"plain", "k: a + XX\n"},
		{"plain after unicode", "k: héllo XX\n"},
		{"double quoted", "k: \"a XX\"\n"},
		{"double quoted escapes", "k: \"\\t\\\"\\x41\\u00e9 XX\"\n"},
		{"single quoted", "k: 'it''s XX'\n"},
		{"flow mapping", "o: {a: 1, k: \"x ${{ XX }}\"}\n"},
		{"literal block", "k: |\n  line one\n    XX\n"},
		{"literal block with blank line", "k: |\n  one\n\n  two XX\n"},
		{"folded block", "k: >\n  one\n  two XX\n"},
		{"folded block keep", "k: >-\n  one\n\n  two\n  XX\n"},
		{"plain multi-line", "k: one\n  two XX\n"},
		{"double quoted multi-line", "k: \"one\n  two XX\"\n"},
		{"double quoted escaped break", "k: \"one \\\n  two XX\"\n"},
		{"nested", "a:\n  b:\n    - c: \"x\"\n      k: \"y XX\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var doc yaml.Node
			require.NoError(t, yaml.Unmarshal([]byte(tt.src), &doc))
			n := findKey(&doc, "k")
			require.NotNil(t, n)
			i := strings.Index(n.Value, "XX")
			require.GreaterOrEqual(t, i, 0, "value %q", n.Value)
			off := utf8.RuneCountInString(n.Value[:i])

			line, col := newSource([]byte(tt.src)).pos(n, off)
			wantLine, wantCol := locate(tt.src, "XX")
			require.Equal(t, [2]int{wantLine, wantCol}, [2]int{line, col})
		})
	}
}

func findKey(n *yaml.Node, key string) *yaml.Node {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
	}
	for _, c := range n.Content {
		if f := findKey(c, key); f != nil {
			return f
		}
	}
	return nil
}

// locate returns the 1-based line and rune column of the first needle.
func locate(src, needle string) (int, int) {
	i := strings.Index(src, needle)
	before := src[:i]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}
