package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/switchboardhq/switchboard/internal/diag"
)

// Load reads the config file at path and parses it with the process
// environment; see [Parse]. A file that cannot be read is an ordinary error
// wrapping the fs error (so errors.Is(err, fs.ErrNotExist) works); bad
// content is a [diag.Diagnostics].
func Load(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, src, os.LookupEnv)
}

// Parse parses src as the config file named file: it substitutes
// environment references using lookup (os.LookupEnv in [Load]; nil means no
// variable is set), decodes strictly, fills in defaults and validates. On bad
// content it returns a nil Config and a [diag.Diagnostics] holding every
// finding, sorted by position; findings that do not stop loading end up in
// Config.Warnings. An empty file is valid and gives the defaults.
func Parse(file string, src []byte, lookup func(string) (string, bool)) (*Config, error) {
	text, pm, envDiags := expandEnv(file, src, lookup)

	c := &Config{File: file}
	d := newDecoder(file, pm)
	d.set = map[string]position{}
	d.env = envDiags
	d.tainted = map[string]bool{}

	root, syntax := parseYAML(file, text, pm)
	if root != nil {
		d.set[""] = d.pos(root)
		if root.Kind != yaml.MappingNode {
			d.errorf(root, "", "the config file must be a mapping of settings, got %s", describe(root, false))
		} else {
			d.decode(root, reflect.ValueOf(c).Elem(), "", false)
		}
	}
	if len(d.set) > 0 {
		c.pos = d.set
	}
	c.setDefaults()

	// A value that already failed (it could not be substituted or decoded)
	// is not judged again: what its stand-in then fails is noise.
	all := slices.Concat(envDiags, without(syntax, envDiags), without(d.diags, envDiags))
	if len(syntax) == 0 {
		all = append(all, without(c.validate(d.tainted), all)...)
	}
	if err := all.Err(); err != nil {
		return nil, err
	}
	c.Warnings = all.Warnings()
	return c, nil
}

// without returns the findings of ds not at the position of one in shadow.
func without(ds, shadow diag.Diagnostics) diag.Diagnostics {
	at := make(map[position]bool, len(shadow))
	for _, x := range shadow {
		at[position{x.Line, x.Col}] = true
	}
	var out diag.Diagnostics
	for _, x := range ds {
		if !at[position{x.Line, x.Col}] {
			out = append(out, x)
		}
	}
	return out
}

// parseYAML parses the first document of text into its root node (nil for
// an empty document). Syntax errors and extra documents are diagnostics.
func parseYAML(file string, text []byte, pm *posMap) (root *yaml.Node, diags diag.Diagnostics) {
	defer func() {
		// yaml.v3 should not panic, but a config loader must not crash on
		// a malformed file: turn a parser panic into a finding.
		if r := recover(); r != nil {
			root = nil
			diags = diag.Diagnostics{{File: file, Line: 1, Col: 1, Msg: fmt.Sprintf("cannot parse YAML: %v", r)}}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(text))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, diag.Diagnostics{syntaxDiag(file, text, pm, err)}
	}
	if len(doc.Content) > 0 && !isNull(doc.Content[0]) {
		root = doc.Content[0]
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		diags = append(diags, syntaxDiag(file, text, pm, err))
	case len(next.Content) > 0 && !isNull(next.Content[0]):
		n := next.Content[0]
		diags = append(diags, diag.Diagnostic{
			File: file, Line: n.Line, Col: pm.col(n.Line, n.Column),
			Msg: "the config file must hold a single YAML document",
		})
	}
	return root, diags
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yaml.v3 reports the line of these parser (not scanner) errors 0-based.
var parserProblems = []string{
	"did not find expected",
	"found duplicate %",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// scannerExceptions are scanner problems that share a prefix with parser
// problems; yaml.v3 reports their lines 1-based.
var scannerExceptions = []string{
	"did not find expected whitespace",
	"did not find expected comment",
	"did not find expected alphabetic",
	"did not find expected tag URI",
	"did not find expected '!'",
	"did not find expected hexdecimal",
}

// syntaxDiag turns a yaml.v3 parse error into a positioned diagnostic.
// yaml.v3 gives only a line (and none for errors on the first line or in
// the byte stream), so the line is corrected and, for encoding problems,
// found by scanning the text.
func syntaxDiag(file string, text []byte, pm *posMap, err error) diag.Diagnostic {
	msg := err.Error()
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	col := 0
	if isParserProblem(msg) {
		line++ // 0-based; no line at all means the first line (0)
	}
	if line == 0 {
		if l, c, ok := badCharAt(text); ok {
			line, col = l, pm.col(l, c)
		} else {
			line = 1
		}
	}
	if n := countLines(string(text)); line > n {
		line = n
	}
	return diag.Diagnostic{File: file, Line: line, Col: col, Msg: "invalid YAML: " + msg}
}

func isParserProblem(msg string) bool {
	for _, p := range scannerExceptions {
		if strings.HasPrefix(msg, p) {
			return false
		}
	}
	for _, p := range parserProblems {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// badCharAt finds the first byte sequence YAML does not allow: invalid
// UTF-8 or a control character.
func badCharAt(text []byte) (line, col int, ok bool) {
	s := string(text)
	line, col = 1, 1
	for i := 0; i < len(s); {
		if n := breakAt(s, i); n > 0 {
			line, col = line+1, 1
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || !yamlPrintable(r) {
			return line, col, true
		}
		col++
		i += size
	}
	return 0, 0, false
}

func yamlPrintable(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r', r == 0x85:
		return true
	case r >= 0x20 && r <= 0x7e:
		return true
	case r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd, r >= 0x10000 && r <= 0x10ffff:
		return true
	}
	return false
}
