package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func mapLookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

func TestExpandEnv(t *testing.T) {
	t.Parallel()

	env := map[string]string{
		"HOST":  "db.internal",
		"EMPTY": "",
		"TOKEN": "s3cr3t",
		"MULTI": "a\nb",
		"WIDE":  "héllo",
	}
	tests := []struct {
		name    string
		src     string
		want    string
		wantErr string
	}{
		{name: "no references", src: "a: b\n", want: "a: b\n"},
		{name: "variable", src: "url: nats://${HOST}:4222\n", want: "url: nats://db.internal:4222\n"},
		{name: "two on a line", src: "x: ${HOST}/${TOKEN}\n", want: "x: db.internal/s3cr3t\n"},
		{name: "default when unset", src: "x: ${NOPE:-fallback}\n", want: "x: fallback\n"},
		{name: "default when empty", src: "x: ${EMPTY:-fallback}\n", want: "x: fallback\n"},
		{name: "empty default", src: "x: ${NOPE:-}\n", want: "x: \n"},
		{name: "set value wins over default", src: "x: ${HOST:-other}\n", want: "x: db.internal\n"},
		{name: "set but empty without default", src: "x: '${EMPTY}'\n", want: "x: ''\n"},
		{name: "escape", src: "x: $${HOST} costs $$5\n", want: "x: ${HOST} costs $5\n"},
		{name: "lone dollar", src: "x: $5 and $HOST and $\n", want: "x: $5 and $HOST and $\n"},
		{name: "pipeline expression untouched", src: "to: ${{ contact.phone }}\n", want: "to: ${{ contact.phone }}\n"},
		{name: "comment untouched", src: "# uses ${NOPE}\nx: 1 # ${NOPE}\n", want: "# uses ${NOPE}\nx: 1 # ${NOPE}\n"},
		{name: "hash inside quotes is not a comment", src: "x: \"a #${HOST}\"\n", want: "x: \"a #db.internal\"\n"},
		{name: "hash inside a word is not a comment", src: "x: a#${HOST}\n", want: "x: a#db.internal\n"},
		{name: "single quotes with escaped quote", src: "x: 'it''s #${HOST}'\n", want: "x: 'it''s #db.internal'\n"},
		{name: "no trailing newline", src: "x: ${HOST}", want: "x: db.internal"},
		{name: "crlf", src: "x: ${HOST}\r\ny: 1\r\n", want: "x: db.internal\r\ny: 1\r\n"},
		{
			name:    "lone cr and next line are lines, as in YAML",
			src:     "x: ${HOST}\ry: ${NOPE}\u2028",
			want:    "x: db.internal\ry: \u2028",
			wantErr: "c.yaml:2:4: environment variable NOPE is not set (use ${NOPE:-default} for a fallback)",
		},
		{
			name:    "unset variable",
			src:     "a: 1\nb: x-${NOPE}\n",
			want:    "a: 1\nb: x-\n",
			wantErr: "c.yaml:2:6: environment variable NOPE is not set (use ${NOPE:-default} for a fallback)",
		},
		{
			name:    "unset variable after a wide rune",
			src:     "é: ${NOPE}\n",
			want:    "é: \n",
			wantErr: "c.yaml:1:4: environment variable NOPE is not set (use ${NOPE:-default} for a fallback)",
		},
		{
			name:    "unterminated",
			src:     "x: ${HOST\ny: 2\n",
			want:    "x: \ny: 2\n",
			wantErr: `c.yaml:1:4: unterminated variable reference "${HOST": want ${NAME} or ${NAME:-default} (write $$ for a literal $)`,
		},
		{
			name:    "malformed",
			src:     "x: ${1BAD}\n",
			want:    "x: \n",
			wantErr: `c.yaml:1:4: malformed variable reference "${1BAD}": want ${NAME} or ${NAME:-default} (write $$ for a literal $)`,
		},
		{
			name:    "other operator",
			src:     "x: ${HOST:?required}\n",
			want:    "x: \n",
			wantErr: `c.yaml:1:4: malformed variable reference "${HOST:?required}": want ${NAME} or ${NAME:-default} (write $$ for a literal $)`,
		},
		{
			name:    "line break in value",
			src:     "x: ${MULTI}\n",
			want:    "x: \n",
			wantErr: "c.yaml:1:4: environment variable MULTI holds a line break, which cannot be substituted into one line",
		},
		{
			name: "every finding",
			src:  "a: ${A}\nb: ${B}\n",
			want: "a: \nb: \n",
			wantErr: "c.yaml:1:4: environment variable A is not set (use ${A:-default} for a fallback)\n" +
				"c.yaml:2:4: environment variable B is not set (use ${B:-default} for a fallback)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, _, diags := expandEnv("c.yaml", []byte(tt.src), mapLookup(env))
			require.Equal(t, tt.want, string(got))
			if tt.wantErr == "" {
				require.Empty(t, diags)
				return
			}
			require.EqualError(t, diags.Err(), tt.wantErr)
		})
	}
}

func TestExpandEnvNilLookup(t *testing.T) {
	t.Parallel()

	_, _, diags := expandEnv("c.yaml", []byte("x: ${HOME}\n"), nil)
	require.EqualError(t, diags.Err(), "c.yaml:1:4: environment variable HOME is not set (use ${HOME:-default} for a fallback)")
}

// TestPosMap checks that columns after a substitution map back to the file
// as written.
func TestPosMap(t *testing.T) {
	t.Parallel()

	// x: {a: ${WIDE}, b: 1}  ->  x: {a: héllo, b: 1}
	src := "x: {a: ${WIDE}, b: 1}\n"
	got, pm, diags := expandEnv("c.yaml", []byte(src), mapLookup(map[string]string{"WIDE": "héllo"}))
	require.Empty(t, diags)
	require.Equal(t, "x: {a: héllo, b: 1}\n", string(got))
	tests := []struct{ newCol, origCol int }{
		{1, 1},   // x
		{8, 8},   // start of the value -> the $
		{10, 8},  // inside the value -> the $
		{13, 15}, // the comma after the value
		{15, 17}, // b
		{18, 20}, // 1
	}
	for _, tt := range tests {
		require.Equal(t, tt.origCol, pm.col(1, tt.newCol), "new column %d", tt.newCol)
	}
	require.Equal(t, 5, pm.col(2, 5), "a line without edits maps to itself")
}
