package pipelines

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/tools/txtar"

	"github.com/switchboardhq/switchboard/event"
)

// FuzzLoad checks that Load never panics, that it returns a pipeline exactly
// when there is no error, that every finding is positioned in the file, and
// that evaluating whatever loads does not panic either.
func FuzzLoad(f *testing.F) {
	paths, err := filepath.Glob("testdata/*.txtar")
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range paths {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range ar.Files {
			if file.Name == fPipeline {
				f.Add(file.Data)
			}
		}
	}
	cat := testCatalog()
	e := &event.Event{Source: "shopify", Type: event.OrderShipped, Data: map[string]any{"total": 10.0, "items": []any{"a"}}}
	f.Fuzz(func(t *testing.T, src []byte) {
		p, ds := Load("f.yaml", src, cat)
		if (p == nil) != (ds.Err() != nil) {
			t.Fatalf("pipeline %v with findings:\n%s", p != nil, ds.Error())
		}
		lines := len(newSource(src).lines)
		for _, d := range ds {
			if d.File != "f.yaml" || d.Msg == "" || d.Line < 0 || d.Line > lines+1 || d.Col < 0 {
				t.Fatalf("badly positioned finding %+v (file has %d lines)", d, lines)
			}
		}
		if p == nil {
			return
		}
		env := NewEnv(e, &event.Contact{}, map[string]StepEnv{}, p.Vars, testNow)
		_, _ = p.When(env)
		for _, s := range p.Steps {
			_, _ = s.When(env)
			_, _ = s.Inputs(env)
		}
	})
}

// FuzzInterpolate checks the "${{ }}" scanner: no panics, segments that
// reassemble the input, and offsets that point at their text.
func FuzzInterpolate(f *testing.F) {
	for _, s := range []string{
		"", "plain", "${{ a }}", "x ${{ a }} y ${{ b }}", `${{ "}}" }}`, `${{ {"a": {"b": 1}} }}`,
		"${{", "${{ }}", "${{ 'x }}", "é ${{ contact.email }}", "$${{ a }}}}", "${{ `raw }}` }}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		segs, serr := scanTemplate(s)
		if serr != nil {
			if serr.off < 0 || serr.off > utf8.RuneCountInString(s) || serr.msg == "" {
				t.Fatalf("bad error %+v for %q", serr, s)
			}
			return
		}
		var b strings.Builder
		runes := []rune(s)
		valid := utf8.ValidString(s) // YAML strings are; rune offsets need it
		for _, sg := range segs {
			if sg.expr {
				if strings.TrimSpace(sg.text) == "" {
					t.Fatalf("empty expression segment in %q", s)
				}
				b.WriteString("${{" + sg.text + "}}")
			} else {
				if sg.text == "" || strings.Contains(sg.text, "${{") {
					t.Fatalf("bad text segment %q in %q", sg.text, s)
				}
				b.WriteString(sg.text)
			}
			if n := utf8.RuneCountInString(sg.text); valid && (sg.off+n > len(runes) || string(runes[sg.off:sg.off+n]) != sg.text) {
				t.Fatalf("segment %+v is not at its offset in %q", sg, s)
			}
		}
		if b.String() != s {
			t.Fatalf("segments reassemble to %q, want %q", b.String(), s)
		}
	})
}
