package config

import (
	"bytes"
	"errors"
	"testing"

	"github.com/switchboardhq/switchboard/internal/diag"
)

// FuzzParse checks that Parse never panics, that every error it returns is
// a diag.Diagnostics, and that every finding about a non-empty file points
// at a line of it. Connector sections are decoded too.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"",
		fullExample,
		"server:\n  addr: :9000\n  max_body_bytes: 10\n",
		"server: {addr: ${ADDR:-:8080}, adr: 1}\n",
		"store: {driver: postgres, dsn: \"${PG_DSN}\"}\nbus: {driver: postgres}\n",
		"engine:\n  workers: 0\n  retry_base: 5\n  retry_max: 1ms\n",
		"auth:\n  api_keys:\n    - {name: a, key: short, scopes: [write]}\n    - {name: a, key: '   '}\n",
		"connectors:\n  whatsapp:\n    mode: test\n    token: $${X}\n    to: ${{ contact.phone }}\n",
		"x-a: &a {addr: ':1'}\nserver:\n  <<: [*a, {max_body_bytes: 5}]\n",
		"a: &x [*x]\nconnectors: {w: {x: *x}}\n",
		"server: addr: x\n",
		"server:\n  - x\n y: 2\n",
		"log: {level: debug}\n---\nx: 1\n",
		"x: \x01\n",
		"é: ${NOPE}\n# ${NOPE}\n",
		"pipelines: [\"[\", \"\"]\n",
		"\xef\xbb\xbfserver: {addr: ':1'}\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	lookup := mapLookup(map[string]string{"ADDR": ":9090", "EMPTY": "", "MULTI": "a\nb"})
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := Parse("fuzz.yaml", src, lookup)
		if err == nil {
			if c == nil {
				t.Fatal("nil config without an error")
			}
			_ = c.Redacted()
			for _, conn := range c.Connectors {
				var out map[string]any
				checkDiags(t, src, conn.Decode(&out))
				var typed sampleSettings
				checkDiags(t, src, conn.Decode(&typed))
			}
			return
		}
		if c != nil {
			t.Fatal("a config together with an error")
		}
		checkDiags(t, src, err)
	})
}

func checkDiags(t *testing.T, src []byte, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var ds diag.Diagnostics
	if !errors.As(err, &ds) {
		t.Fatalf("error is %T, not diag.Diagnostics: %v", err, err)
	}
	if len(ds) == 0 {
		t.Fatal("an empty diag.Diagnostics as an error")
	}
	lines := countLines(string(src))
	for _, d := range ds {
		if len(bytes.TrimSpace(src)) > 0 && d.Line <= 0 {
			t.Fatalf("finding without a line: %s\ninput: %q", d, src)
		}
		if d.Line > lines {
			t.Fatalf("finding past the last line %d: %s\ninput: %q", lines, d, src)
		}
		if d.File != "fuzz.yaml" {
			t.Fatalf("finding names file %q", d.File)
		}
	}
}
