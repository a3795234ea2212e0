package pipelines

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"gopkg.in/yaml.v3"

	"github.com/switchboardhq/switchboard/event"
	"github.com/switchboardhq/switchboard/internal/diag"
)

// Keys a pipeline file may use, per level.
var (
	pipelineKeys = []string{"name", "description", "on", "when", "vars", "steps"}
	stepKeys     = []string{"id", "action", "when", "with", "wait", "retry", "on_error"}
	retryKeys    = []string{"max_attempts"}
	onErrors     = []string{OnErrorDeadLetter, OnErrorContinue, OnErrorStop}
)

var (
	reName    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	reStepID  = regexp.MustCompile(`^[a-z0-9_]+$`)
	reSource  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	reYAMLErr = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

const (
	maxMaxAttempts = 100
	// maxNodes bounds the nodes walked in `with` and `vars`, so aliases
	// cannot expand a small file into a huge tree.
	maxNodes = 10000
	maxDepth = 64
)

// Load parses and validates one pipeline file. It returns the pipeline and
// any warnings, or nil and every finding when there is at least one error
// (diags.Err() != nil). Findings are sorted by position.
func Load(file string, src []byte, cat Catalog) (*Pipeline, diag.Diagnostics) {
	l := &loader{file: file, src: newSource(src), cat: cat, opts: exprOptions()}
	p := l.load(src)
	l.diags.Sort()
	if l.diags.Err() != nil {
		return nil, l.diags
	}
	return p, l.diags
}

// LoadFS loads the files at paths (in order) from fsys and checks that
// pipeline names are unique across them. It returns the pipelines that
// loaded cleanly and the findings of all files; a name defined twice is an
// error on the second definition, which is dropped.
func LoadFS(fsys fs.FS, paths []string, cat Catalog) ([]*Pipeline, diag.Diagnostics) {
	var (
		out   []*Pipeline
		diags diag.Diagnostics
		seen  = map[string]*Pipeline{}
	)
	for _, path := range paths {
		src, err := fs.ReadFile(fsys, path)
		if err != nil {
			diags = append(diags, diag.Diagnostic{File: path, Msg: err.Error()})
			continue
		}
		p, ds := Load(path, src, cat)
		diags = append(diags, ds...)
		if p == nil {
			continue
		}
		if first, ok := seen[p.Name]; ok {
			diags = append(diags, diag.Diagnostic{
				File: p.File, Line: p.Line, Col: p.col, Path: "name",
				Msg: fmt.Sprintf("pipeline %q is already defined at %s:%d:%d", p.Name, first.File, first.Line, first.col),
			})
			continue
		}
		seen[p.Name] = p
		out = append(out, p)
	}
	diags.Sort()
	return out, diags
}

// loader walks one file's yaml.v3 node tree, collecting every finding.
type loader struct {
	file  string
	src   *source
	cat   Catalog
	opts  []expr.Option
	diags diag.Diagnostics
	nodes int // nodes walked in with/vars, bounded by maxNodes
}

func (l *loader) errorf(n *yaml.Node, path, format string, args ...any) {
	l.add(n.Line, n.Column, path, fmt.Sprintf(format, args...), false)
}

func (l *loader) add(line, col int, path, msg string, warn bool) {
	l.diags = append(l.diags, diag.Diagnostic{File: l.file, Line: line, Col: col, Path: path, Msg: msg, Warning: warn})
}

func (l *loader) yamlError(err error) {
	msg := err.Error()
	if m := reYAMLErr.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		l.add(line, 0, "", m[2], false)
		return
	}
	l.add(0, 0, "", strings.TrimPrefix(msg, "yaml: "), false)
}

func (l *loader) load(src []byte) *Pipeline {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			l.add(1, 1, "", "empty pipeline file", false)
		} else {
			l.yamlError(err)
		}
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		l.errorf(&extra, "", "a pipeline file holds one YAML document; split the others into their own files")
	} else if !errors.Is(err, io.EOF) {
		l.yamlError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		l.add(1, 1, "", "empty pipeline file", false)
		return nil
	}
	return l.pipeline(l.deref(doc.Content[0]))
}

// field is a key and its value in a mapping.
type field struct{ key, val *yaml.Node }

// fields returns the entries of mapping n by key, reporting unknown keys
// (with a hint), duplicate keys and non-scalar keys.
func (l *loader) fields(n *yaml.Node, path string, known []string) map[string]field {
	out := make(map[string]field, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := l.deref(n.Content[i]), l.deref(n.Content[i+1])
		kp := join(path, k.Value)
		switch {
		case k.Kind != yaml.ScalarNode:
			l.errorf(k, path, "keys must be strings, got %s", kindName(k))
		case !slices.Contains(known, k.Value):
			l.errorf(k, kp, "unknown key %q%s", k.Value, didYouMean(k.Value, known))
		case out[k.Value].key != nil:
			l.errorf(k, kp, "duplicate key %q (first at line %d)", k.Value, out[k.Value].key.Line)
		default:
			out[k.Value] = field{k, v}
		}
	}
	return out
}

// deref follows an alias to its anchored node.
func (l *loader) deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < maxDepth; i++ {
		n = n.Alias
	}
	return n
}

// str returns a string scalar's value; anything else is reported.
func (l *loader) str(f field, path string) (string, bool) {
	if f.val.Kind != yaml.ScalarNode || f.val.ShortTag() != "!!str" {
		l.errorf(f.val, path, "must be a string, got %s", kindName(f.val))
		return "", false
	}
	return f.val.Value, true
}

func (l *loader) pipeline(root *yaml.Node) *Pipeline {
	if root.Kind != yaml.MappingNode {
		l.errorf(root, "", "a pipeline must be a mapping, got %s", kindName(root))
		return nil
	}
	fs := l.fields(root, "", pipelineKeys)
	p := &Pipeline{File: l.file, Line: root.Line, col: root.Column}

	if f, ok := fs["name"]; !ok {
		l.errorf(root, "name", "missing required key")
	} else if s, ok := l.str(f, "name"); ok {
		p.Name, p.Line, p.col = s, f.val.Line, f.val.Column
		if !reName.MatchString(s) {
			l.errorf(f.val, "name", "invalid name %q: want lowercase letters, digits, '-' and '_', starting with a letter or digit", s)
		}
	}
	if f, ok := fs["description"]; ok {
		p.Description, _ = l.str(f, "description")
	}
	if f, ok := fs["on"]; !ok {
		l.errorf(root, "on", "missing required key")
	} else if s, ok := l.str(f, "on"); ok {
		p.On = s
		l.checkOn(f.val, s)
	}
	if f, ok := fs["vars"]; ok {
		if f.val.Kind != yaml.MappingNode {
			l.errorf(f.val, "vars", "must be a mapping, got %s", kindName(f.val))
		} else if v, ok := l.literal(f.val, "vars", 0).(map[string]any); ok {
			p.Vars = v
		}
	}
	if f, ok := fs["when"]; ok {
		p.when = l.when(f.val, "when", refs{vars: p.Vars, top: true})
	}

	f, ok := fs["steps"]
	switch {
	case !ok:
		l.errorf(root, "steps", "missing required key")
	case f.val.Kind != yaml.SequenceNode:
		l.errorf(f.val, "steps", "must be a list of steps, got %s", kindName(f.val))
	case len(f.val.Content) == 0:
		l.errorf(f.val, "steps", "a pipeline needs at least one step")
	default:
		ids := l.stepIDs(f.val)
		firstAt := map[string]int{}
		for i, n := range f.val.Content {
			s := l.step(l.deref(n), fmt.Sprintf("steps[%d]", i), refs{steps: ids[:i], later: ids[i:], vars: p.Vars}, firstAt)
			if s != nil {
				s.pipeline = p.Name
				p.Steps = append(p.Steps, s)
			}
		}
	}
	return p
}

// checkOn validates an event pattern: "type" or "source/type".
func (l *loader) checkOn(n *yaml.Node, on string) {
	typ := on
	if i := strings.IndexByte(on, '/'); i >= 0 {
		src := on[:i]
		typ = on[i+1:]
		if !reSource.MatchString(src) {
			l.errorf(n, "on", "invalid source %q in %q: want \"source/type\" with a lowercase source", src, on)
			return
		}
	}
	if typ == "" || strings.ContainsAny(typ, "/ \t") {
		l.errorf(n, "on", "invalid event type %q: want a type like %q or %q", on, event.OrderShipped, "shopify/"+event.OrderShipped)
		return
	}
	if !event.IsCanonical(typ) {
		l.add(n.Line, n.Column, "on", fmt.Sprintf("%q is not a canonical event type%s; only a source sending it will match", typ, didYouMean(typ, event.CanonicalTypes)), true)
	}
}

// stepIDs lists each step's id ("" when absent or malformed) by index.
func (l *loader) stepIDs(seq *yaml.Node) []string {
	ids := make([]string, len(seq.Content))
	for i, n := range seq.Content {
		n = l.deref(n)
		if n.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(n.Content); j += 2 {
			if k, v := n.Content[j], l.deref(n.Content[j+1]); k.Value == "id" && v.Kind == yaml.ScalarNode {
				ids[i] = v.Value
				break
			}
		}
	}
	return ids
}

func (l *loader) step(n *yaml.Node, path string, r refs, firstAt map[string]int) *Step {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, path, "a step must be a mapping, got %s", kindName(n))
		return nil
	}
	fs := l.fields(n, path, stepKeys)
	s := &Step{Line: n.Line, OnError: OnErrorDeadLetter}

	if f, ok := fs["id"]; !ok {
		l.errorf(n, join(path, "id"), "missing required key")
	} else if id, ok := l.str(f, join(path, "id")); ok {
		s.ID, s.Line = id, f.val.Line
		switch {
		case !reStepID.MatchString(id):
			l.errorf(f.val, join(path, "id"), "invalid step id %q: want lowercase letters, digits and '_'", id)
		case firstAt[id] > 0:
			l.errorf(f.val, join(path, "id"), "duplicate step id %q (first at line %d)", id, firstAt[id])
		default:
			firstAt[id] = f.val.Line
		}
	}

	var spec *ActionSpec
	actionNode := n
	if f, ok := fs["action"]; !ok {
		l.errorf(n, join(path, "action"), "missing required key")
	} else if a, ok := l.str(f, join(path, "action")); ok {
		s.Action, actionNode = a, f.val
		if as, ok := l.cat[a]; ok {
			spec = &as
		} else {
			names := make([]string, 0, len(l.cat))
			for name := range l.cat {
				names = append(names, name)
			}
			l.errorf(f.val, join(path, "action"), "unknown action %q%s", a, didYouMean(a, sortedCopy(names)))
		}
	}

	if f, ok := fs["when"]; ok {
		s.when = l.when(f.val, join(path, "when"), r)
	}

	s.with = &value{kind: kindObject}
	withNode := actionNode
	if f, ok := fs["with"]; ok {
		withNode = f.key
		if f.val.Kind != yaml.MappingNode && f.val.ShortTag() != "!!null" {
			l.errorf(f.val, join(path, "with"), "must be a mapping, got %s", kindName(f.val))
		} else if f.val.Kind == yaml.MappingNode {
			s.with = l.withValue(f.val, path, "with", r, 0)
		}
	}
	if w := fs["with"].val; spec != nil && (w == nil || w.Kind == yaml.MappingNode || w.ShortTag() == "!!null") {
		l.checkParams(s.with, withNode, w, path, spec)
	}

	if f, ok := fs["wait"]; ok {
		if w, ok := l.str(f, join(path, "wait")); ok {
			d, err := time.ParseDuration(w)
			switch {
			case err != nil:
				l.errorf(f.val, join(path, "wait"), "invalid duration %q: want e.g. \"90s\", \"10m\" or \"24h\"", w)
			case d <= 0:
				l.errorf(f.val, join(path, "wait"), "must be positive, got %q", w)
			default:
				s.Wait = d
			}
		}
	}
	if f, ok := fs["retry"]; ok {
		rp := join(path, "retry")
		if f.val.Kind != yaml.MappingNode {
			l.errorf(f.val, rp, "must be a mapping, got %s", kindName(f.val))
		} else if m, ok := l.fields(f.val, rp, retryKeys)["max_attempts"]; ok {
			mp := join(rp, "max_attempts")
			var v int
			if m.val.Kind != yaml.ScalarNode || m.val.ShortTag() != "!!int" || m.val.Decode(&v) != nil {
				l.errorf(m.val, mp, "must be an integer, got %s", kindName(m.val))
			} else if v < 1 || v > maxMaxAttempts {
				l.errorf(m.val, mp, "must be between 1 and %d, got %d", maxMaxAttempts, v)
			} else {
				s.MaxAttempts = v
			}
		}
	}
	if f, ok := fs["on_error"]; ok {
		if v, ok := l.str(f, join(path, "on_error")); ok {
			if slices.Contains(onErrors, v) {
				s.OnError = v
			} else {
				l.errorf(f.val, join(path, "on_error"), "invalid value %q: want one of %s%s", v, strings.Join(onErrors, ", "), didYouMean(v, onErrors))
			}
		}
	}
	return s
}

// checkParams reports missing required, unknown and mistyped literal params.
// keyNode positions a missing param; with is nil when the step has no with.
func (l *loader) checkParams(v *value, keyNode, with *yaml.Node, path string, spec *ActionSpec) {
	wp := join(path, "with")
	names := make([]string, len(spec.Params))
	for i, p := range spec.Params {
		names[i] = p.Name
	}
	given := map[string]*value{}
	for i, k := range v.keys {
		given[k] = v.elems[i]
	}
	for _, p := range spec.Params {
		if _, ok := given[p.Name]; !ok && p.Required {
			l.errorf(keyNode, wp, "missing required param %q for action %s", p.Name, spec.Name)
		}
	}
	if with == nil || with.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(with.Content); i += 2 {
		k, val := with.Content[i], l.deref(with.Content[i+1])
		kp := join(wp, k.Value)
		idx := slices.Index(names, k.Value)
		if idx < 0 {
			l.errorf(k, kp, "unknown param %q for action %s%s", k.Value, spec.Name, didYouMean(k.Value, names))
			continue
		}
		p := spec.Params[idx]
		pv := given[k.Value]
		if pv == nil {
			continue
		}
		got := staticType(pv)
		switch {
		case got == "": // interpolated: known only at run time
		case got == "null":
			if p.Required {
				l.errorf(val, kp, "required param %q is null", p.Name)
			}
		case p.Type != "" && p.Type != TypeAny && got != p.Type:
			l.errorf(val, kp, "must be %s, got %s", article(p.Type), article(got))
		}
	}
}

// staticType is the param type a compiled value is known to have at load
// time: "" for a whole-value expression, "null" for a null literal.
func staticType(v *value) string {
	switch v.kind {
	case kindExpr:
		return ""
	case kindTemplate:
		return TypeString
	case kindObject:
		return TypeObject
	case kindArray:
		return TypeArray
	}
	switch v.lit.(type) {
	case nil:
		return "null"
	case string:
		return TypeString
	case bool:
		return TypeBool
	}
	return TypeNumber
}

func article(t string) string {
	switch t {
	case TypeObject, TypeArray, TypeAny:
		return "an " + t
	}
	return "a " + t
}

// when compiles a `when` condition from a scalar node.
func (l *loader) when(n *yaml.Node, path string, r refs) *vm.Program {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		l.errorf(n, path, "must be an expression, got %s", kindName(n))
		return nil
	}
	if strings.Contains(n.Value, "${{") {
		l.errorf(n, path, "a when is a bare expression: drop the \"${{ }}\"")
		return nil
	}
	prog, errs := compileExpr(l.opts, n.Value, true, r)
	for _, e := range errs {
		line, col := l.src.pos(n, e.off)
		l.add(line, col, path, e.msg, false)
	}
	return prog
}

// withValue compiles a `with` value; rel is its path below the step
// ("with.body.order"), used for run-time errors. A value in error is
// reported and replaced by a placeholder of unknown type, so that it does
// not also show up as a missing param; the pipeline fails to load anyway.
func (l *loader) withValue(n *yaml.Node, stepPath, rel string, r refs, depth int) *value {
	path := join(stepPath, rel)
	bad := &value{kind: kindExpr, path: rel}
	if !l.budget(n, path, depth) {
		return bad
	}
	n = l.deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		v := &value{kind: kindObject, path: rel}
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := l.deref(n.Content[i])
			if k.Kind != yaml.ScalarNode {
				l.errorf(k, path, "keys must be strings, got %s", kindName(k))
				continue
			}
			if k.ShortTag() == "!!merge" {
				l.errorf(k, join(path, k.Value), "merge keys (<<) are not supported")
				continue
			}
			if line, ok := seen[k.Value]; ok {
				l.errorf(k, join(path, k.Value), "duplicate key %q (first at line %d)", k.Value, line)
				continue
			}
			seen[k.Value] = k.Line
			v.keys = append(v.keys, k.Value)
			v.elems = append(v.elems, l.withValue(n.Content[i+1], stepPath, join(rel, k.Value), r, depth+1))
		}
		return v
	case yaml.SequenceNode:
		v := &value{kind: kindArray, path: rel}
		for i, c := range n.Content {
			v.elems = append(v.elems, l.withValue(c, stepPath, fmt.Sprintf("%s[%d]", rel, i), r, depth+1))
		}
		return v
	case yaml.ScalarNode:
		if n.ShortTag() != "!!str" {
			x, ok := l.scalar(n, path)
			if !ok {
				return bad
			}
			return &value{kind: kindLiteral, path: rel, lit: x}
		}
		if v := l.template(n, path, rel, r); v != nil {
			return v
		}
		return bad
	}
	l.errorf(n, path, "unsupported YAML node")
	return bad
}

// template compiles a string that may hold "${{ }}" expressions.
func (l *loader) template(n *yaml.Node, path, rel string, r refs) *value {
	segs, serr := scanTemplate(n.Value)
	if serr != nil {
		line, col := l.src.pos(n, serr.off)
		l.add(line, col, path, serr.msg, false)
		return nil
	}
	if len(segs) == 1 && !segs[0].expr || len(segs) == 0 {
		return &value{kind: kindLiteral, path: rel, lit: n.Value}
	}
	v := &value{kind: kindTemplate, path: rel}
	ok := true
	for _, sg := range segs {
		if !sg.expr {
			v.parts = append(v.parts, part{text: sg.text})
			continue
		}
		prog, errs := compileExpr(l.opts, sg.text, false, r)
		for _, e := range errs {
			line, col := l.src.pos(n, sg.off+e.off)
			l.add(line, col, path, e.msg, false)
		}
		if prog == nil {
			ok = false
			continue
		}
		v.parts = append(v.parts, part{prog: prog})
	}
	if !ok {
		return nil
	}
	if len(v.parts) == 1 {
		return &value{kind: kindExpr, path: rel, prog: v.parts[0].prog}
	}
	return v
}

// literal converts a node to plain Go values (map[string]any, []any,
// string, int, float64, bool, nil) without interpolation.
func (l *loader) literal(n *yaml.Node, path string, depth int) any {
	if !l.budget(n, path, depth) {
		return nil
	}
	n = l.deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := l.deref(n.Content[i])
			if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
				l.errorf(k, path, "keys must be strings, got %s", kindName(k))
				continue
			}
			if _, dup := m[k.Value]; dup {
				l.errorf(k, join(path, k.Value), "duplicate key %q", k.Value)
				continue
			}
			m[k.Value] = l.literal(n.Content[i+1], join(path, k.Value), depth+1)
		}
		return m
	case yaml.SequenceNode:
		a := make([]any, len(n.Content))
		for i, c := range n.Content {
			a[i] = l.literal(c, fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
		return a
	case yaml.ScalarNode:
		x, _ := l.scalar(n, path)
		return x
	}
	l.errorf(n, path, "unsupported YAML node")
	return nil
}

// scalar decodes a plain YAML scalar by its resolved tag.
func (l *loader) scalar(n *yaml.Node, path string) (any, bool) {
	switch n.ShortTag() {
	case "!!str":
		return n.Value, true
	case "!!null":
		return nil, true
	case "!!bool", "!!int", "!!float":
		var x any
		if err := n.Decode(&x); err != nil {
			l.errorf(n, path, "invalid %s: %v", kindName(n), err)
			return nil, false
		}
		return x, true
	}
	l.errorf(n, path, "unsupported YAML tag %s", n.Tag)
	return nil, false
}

// budget bounds depth and the total nodes walked (aliases re-walk their
// anchor), reporting once when exceeded.
func (l *loader) budget(n *yaml.Node, path string, depth int) bool {
	l.nodes++
	switch {
	case l.nodes == maxNodes+1:
		l.errorf(n, path, "too many values (more than %d, counting aliases)", maxNodes)
		return false
	case l.nodes > maxNodes:
		return false
	case depth > maxDepth:
		l.errorf(n, path, "nested too deeply (more than %d levels)", maxDepth)
		return false
	}
	return true
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return "a string"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		case "!!bool":
			return "a bool"
		case "!!null":
			return "null"
		}
		return n.ShortTag()
	}
	return "an empty document"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}
