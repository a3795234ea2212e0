package config

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/switchboardhq/switchboard/internal/diag"
)

// position is a 1-based line and column in the file as written.
type position struct{ line, col int }

// maxNodes bounds how many nodes one decode visits, so that aliases cannot
// blow a small file up into a huge one.
const maxNodes = 100_000

// decoder walks yaml.v3 nodes into Go values, collecting a diagnostic for
// every unknown key, duplicate key and wrong type instead of stopping at
// the first. Struct fields are matched by their yaml tags (",inline" is
// supported); a null value leaves the target untouched.
type decoder struct {
	file  string
	pm    *posMap
	diags diag.Diagnostics
	// set receives the position of every non-null value decoded, by path.
	set       map[string]position
	budget    int
	expanding map[*yaml.Node]bool // aliases being expanded, to stop cycles
	// env holds the substitution diagnostics; a value holding a failed
	// reference gets the path filled in there and is not decoded.
	env diag.Diagnostics
	// tainted receives the paths of such values.
	tainted map[string]bool
}

func newDecoder(file string, pm *posMap) *decoder {
	return &decoder{file: file, pm: pm, budget: maxNodes, expanding: map[*yaml.Node]bool{}}
}

func (d *decoder) pos(n *yaml.Node) position {
	return position{line: n.Line, col: d.pm.col(n.Line, n.Column)}
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	p := d.pos(n)
	d.diags = append(d.diags, diag.Diagnostic{
		File: d.file, Line: p.line, Col: p.col, Path: path, Msg: fmt.Sprintf(format, args...),
	})
}

var (
	durationType   = reflect.TypeFor[time.Duration]()
	nodeType       = reflect.TypeFor[yaml.Node]()
	connectorsType = reflect.TypeFor[map[string]*Connector]()
	unmarshalerT   = reflect.TypeFor[yaml.Unmarshaler]()
	textUnmarshalT = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// decode decodes n into v (settable) at path. secret marks a value whose
// text must not appear in messages.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, secret bool) {
	if d.budget--; d.budget < 0 {
		if d.budget == -1 {
			d.errorf(n, path, "document too large or too deeply aliased (more than %d nodes)", maxNodes)
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			d.errorf(n, path, "unknown alias %q", n.Value)
			return
		}
		if d.expanding[n] {
			d.errorf(n, path, "alias *%s refers to itself", n.Value)
			return
		}
		d.expanding[n] = true
		defer delete(d.expanding, n)
		d.decode(n.Alias, v, path, secret)
		return
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		d.decode(n.Content[0], v, path, secret)
		return
	}
	if n.Kind == yaml.ScalarNode && d.env != nil {
		if failed := d.pm.failedIn(n.Line, n.Column, n.Value); len(failed) > 0 {
			for _, i := range failed {
				if d.env[i].Path == "" {
					d.env[i].Path = path
				}
			}
			if d.set != nil {
				d.set[path] = d.pos(n)
			}
			if d.tainted != nil {
				d.tainted[path] = true
			}
			return
		}
	}
	if isNull(n) {
		return
	}
	if d.set != nil {
		d.set[path] = d.pos(n)
	}

	t := v.Type()
	switch {
	case t == nodeType:
		v.Set(reflect.ValueOf(*n))
		return
	case t == connectorsType:
		d.connectors(n, v, path)
		return
	case t == durationType:
		d.duration(n, v, path, secret)
		return
	case t.Kind() == reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.decode(n, v.Elem(), path, secret)
		return
	case reflect.PointerTo(t).Implements(unmarshalerT):
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			d.errorf(n, path, "%s", trimYAMLPrefix(err.Error()))
		}
		return
	case reflect.PointerTo(t).Implements(textUnmarshalT):
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, path, "must be a string, got %s", describe(n, secret))
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
			d.errorf(n, path, "invalid value %s: %v", describe(n, secret), err)
		}
		return
	}

	switch t.Kind() {
	case reflect.Struct:
		d.structure(n, v, path, secret)
	case reflect.Map:
		d.mapping(n, v, path, secret)
	case reflect.Slice:
		d.sequence(n, v, path, secret)
	case reflect.Interface:
		if t.NumMethod() != 0 {
			d.errorf(n, path, "cannot decode into %s", t)
			return
		}
		var x any
		if err := n.Decode(&x); err != nil {
			d.errorf(n, path, "%s", trimYAMLPrefix(err.Error()))
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, path, "must be a string, got %s", describe(n, secret))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		b, ok := scalar(n, parseBool)
		if !ok {
			d.errorf(n, path, "must be true or false, got %s", describe(n, secret))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, ok := scalar(n, func(s string) (int64, error) { return strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64) })
		if !ok {
			d.errorf(n, path, "must be an integer, got %s", describe(n, secret))
			return
		}
		if v.OverflowInt(i) {
			d.errorf(n, path, "must be an integer between %d and %d, got %s", minInt(t), maxInt(t), describe(n, secret))
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u, ok := scalar(n, func(s string) (uint64, error) { return strconv.ParseUint(strings.ReplaceAll(s, "_", ""), 0, 64) })
		if !ok {
			d.errorf(n, path, "must be a non-negative integer, got %s", describe(n, secret))
			return
		}
		if v.OverflowUint(u) {
			d.errorf(n, path, "must be an integer between 0 and %d, got %s", uint64(1)<<(t.Bits())-1, describe(n, secret))
			return
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		f, ok := scalar(n, parseFloat)
		if !ok || v.OverflowFloat(f) {
			d.errorf(n, path, "must be a number, got %s", describe(n, secret))
			return
		}
		v.SetFloat(f)
	default:
		d.errorf(n, path, "cannot decode into %s", t)
	}
}

// scalar parses a scalar node's text with parse; a non-scalar fails.
func scalar[T any](n *yaml.Node, parse func(string) (T, error)) (T, bool) {
	var zero T
	if n.Kind != yaml.ScalarNode {
		return zero, false
	}
	x, err := parse(n.Value)
	if err != nil {
		return zero, false
	}
	return x, true
}

func parseBool(s string) (bool, error) {
	switch s {
	case "true", "True", "TRUE":
		return true, nil
	case "false", "False", "FALSE":
		return false, nil
	}
	return false, strconv.ErrSyntax
}

func parseFloat(s string) (float64, error) {
	switch strings.ToLower(s) {
	case ".inf", "+.inf":
		return math.Inf(1), nil
	case "-.inf":
		return math.Inf(-1), nil
	case ".nan":
		return math.NaN(), nil
	}
	return strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
}

func minInt(t reflect.Type) int64 { return -1 << (t.Bits() - 1) }
func maxInt(t reflect.Type) int64 { return 1<<(t.Bits()-1) - 1 }

func (d *decoder) duration(n *yaml.Node, v reflect.Value, path string, secret bool) {
	dur, ok := scalar(n, time.ParseDuration)
	if !ok {
		d.errorf(n, path, `must be a duration such as "500ms", "30s" or "5m", got %s`, describe(n, secret))
		return
	}
	v.SetInt(int64(dur))
}

// pair is one key and value of a mapping, merge keys (<<) resolved.
type pair struct{ key, value *yaml.Node }

// pairs lists a mapping's pairs: explicit keys first, then those merged
// in with << that no explicit key overrides. It reports duplicate and
// non-string keys at path.
func (d *decoder) pairs(n *yaml.Node, path string) []pair {
	var (
		out    []pair
		seen   = map[string]*yaml.Node{}
		merged []pair
	)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merged = append(merged, d.mergePairs(val, path)...)
			continue
		}
		if k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, path, "keys must be strings, got %s", describe(k, false))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k, join(path, k.Value), "duplicate key %q (first set on line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, pair{k, val})
	}
	for _, p := range merged {
		if _, dup := seen[p.key.Value]; dup {
			continue
		}
		seen[p.key.Value] = p.key
		out = append(out, p)
	}
	return out
}

// mergePairs returns the pairs a << value brings in: a mapping, or a list
// of mappings where earlier ones win.
func (d *decoder) mergePairs(n *yaml.Node, path string) []pair {
	if d.budget--; d.budget < 0 {
		return nil
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		if d.expanding[n] {
			d.errorf(n, path, "alias *%s refers to itself", n.Value)
			return nil
		}
		d.expanding[n] = true
		defer delete(d.expanding, n)
		return d.mergePairs(n.Alias, path)
	}
	switch n.Kind {
	case yaml.MappingNode:
		return d.pairs(n, path)
	case yaml.SequenceNode:
		var out []pair
		seen := map[string]bool{}
		for _, item := range n.Content {
			if item.Kind == yaml.AliasNode && item.Alias != nil {
				item = item.Alias
			}
			if item.Kind != yaml.MappingNode {
				d.errorf(item, path, "a merge (<<) list must hold mappings, got %s", describe(item, false))
				continue
			}
			for _, p := range d.mergePairs(item, path) {
				if !seen[p.key.Value] {
					seen[p.key.Value] = true
					out = append(out, p)
				}
			}
		}
		return out
	}
	d.errorf(n, path, "a merge (<<) must bring in a mapping, got %s", describe(n, false))
	return nil
}

// field is a struct field reachable by a yaml key, inline fields flattened.
type field struct {
	name  string
	index []int
}

func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",inline,") && f.Type.Kind() == reflect.Struct {
			for _, sub := range fieldsOf(f.Type) {
				out = append(out, field{name: sub.name, index: append([]int{i}, sub.index...)})
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, field{name: name, index: []int{i}})
	}
	return out
}

func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string, secret bool) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "must be a mapping, got %s", describe(n, secret))
		return
	}
	fields := fieldsOf(v.Type())
	for _, p := range d.pairs(n, path) {
		key := p.key.Value
		if path == "" && strings.HasPrefix(key, "x-") {
			continue // an extension key, a place for anchors (as in Compose files)
		}
		i := -1
		for j, f := range fields {
			if f.name == key {
				i = j
				break
			}
		}
		if i < 0 {
			names := make([]string, len(fields))
			for j, f := range fields {
				names[j] = f.name
			}
			d.errorf(p.key, join(path, key), "unknown key %q%s", key, hint(key, names))
			continue
		}
		d.decode(p.value, v.FieldByIndex(fields[i].index), join(path, key), secret || isSecretKey(key))
	}
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string, secret bool) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "must be a mapping, got %s", describe(n, secret))
		return
	}
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		d.errorf(n, path, "cannot decode into %s", t)
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	for _, p := range d.pairs(n, path) {
		key := p.key.Value
		elem := reflect.New(t.Elem()).Elem()
		if old := v.MapIndex(reflect.ValueOf(key).Convert(t.Key())); old.IsValid() {
			elem.Set(old)
		}
		d.decode(p.value, elem, join(path, key), secret || isSecretKey(key))
		v.SetMapIndex(reflect.ValueOf(key).Convert(t.Key()), elem)
	}
}

func (d *decoder) sequence(n *yaml.Node, v reflect.Value, path string, secret bool) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "must be a list, got %s", describe(n, secret))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, out.Index(i), fmt.Sprintf("%s[%d]", path, i), secret)
	}
	v.Set(out)
}

// connectors decodes the connectors section: each key becomes a Connector
// holding its mode and the rest of its keys as a node.
func (d *decoder) connectors(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "must be a mapping of connector names to their settings, got %s", describe(n, false))
		return
	}
	m := map[string]*Connector{}
	for _, p := range d.pairs(n, path) {
		name := p.key.Value
		cpath := join(path, name)
		c := &Connector{Name: name, file: d.file, pm: d.pm}
		m[name] = c
		if !validName(name) {
			d.errorf(p.key, cpath, "connector name %q must be lower-case letters, digits, _ or -, starting with a letter", name)
		}
		val := d.resolve(p.value)
		if val == nil || isNull(val) {
			continue
		}
		if d.set != nil {
			d.set[cpath] = d.pos(val)
		}
		if val.Kind != yaml.MappingNode {
			d.errorf(val, cpath, "must be a mapping of settings, got %s", describe(val, false))
			continue
		}
		settings := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: val.Line, Column: val.Column}
		for _, kv := range d.pairs(val, cpath) {
			if kv.key.Value == "mode" {
				d.decode(kv.value, reflect.ValueOf(&c.Mode).Elem(), join(cpath, "mode"), false)
				continue
			}
			d.nameEnvRefs(kv.value, join(cpath, kv.key.Value))
			settings.Content = append(settings.Content, kv.key, kv.value)
		}
		if len(settings.Content) > 0 {
			c.settings = settings
		}
	}
	v.Set(reflect.ValueOf(m))
}

// nameEnvRefs fills in the path of the substitution diagnostics for the
// scalars under n, which is kept as a node for the connector to decode.
func (d *decoder) nameEnvRefs(n *yaml.Node, path string) {
	if d.env == nil {
		return
	}
	switch n.Kind {
	case yaml.ScalarNode:
		for _, i := range d.pm.failedIn(n.Line, n.Column, n.Value) {
			if d.env[i].Path == "" {
				d.env[i].Path = path
			}
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			d.nameEnvRefs(item, fmt.Sprintf("%s[%d]", path, i))
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.nameEnvRefs(n.Content[i+1], join(path, n.Content[i].Value))
		}
	}
}

// resolve follows aliases (with the cycle guard); nil for a broken one.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > 100 {
			return nil
		}
		n = n.Alias
	}
	return n
}

// Decode strictly decodes the connector's settings (its section without
// mode) into out, a non-nil pointer, usually to a struct with yaml tags.
// Keys absent from the section leave out's fields as they are, so fill in
// defaults first. Every unknown key and wrong type is reported, as a
// [diag.Diagnostics] naming file:line:col and the path
// "connectors.<name>.<key>". Values of keys that look secret are not
// quoted in messages.
func (c *Connector) Decode(out any) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("config: connector %s: Decode needs a non-nil pointer, got %T", c.Name, out)
	}
	if c.settings == nil {
		return nil
	}
	d := newDecoder(c.file, c.pm)
	d.decode(c.settings, rv.Elem(), "connectors."+c.Name, false)
	return d.diags.Err()
}

// Keys returns the names of the connector's settings (mode excluded) in
// file order.
func (c *Connector) Keys() []string {
	if c.settings == nil {
		return nil
	}
	keys := make([]string, 0, len(c.settings.Content)/2)
	for i := 0; i < len(c.settings.Content); i += 2 {
		keys = append(keys, c.settings.Content[i].Value)
	}
	return keys
}

func isNull(n *yaml.Node) bool {
	return n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe renders a node for "got …" in a message.
func describe(n *yaml.Node, secret bool) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	if secret {
		return `"****"`
	}
	return strconv.Quote(clip(n.Value))
}

// trimYAMLPrefix drops yaml.v3's "yaml: " and "yaml: unmarshal errors:"
// prefixes from an error text.
func trimYAMLPrefix(s string) string {
	s = strings.TrimPrefix(s, "yaml: unmarshal errors:\n")
	s = strings.TrimSpace(s)
	return strings.TrimPrefix(s, "yaml: ")
}

// hint returns "; did you mean …?" when one of names is close to s.
func hint(s string, names []string) string {
	if len(s) > 64 {
		return ""
	}
	best, bestDist := "", math.MaxInt
	for _, n := range names {
		dist := diag.EditDistance(strings.ToLower(s), strings.ToLower(n))
		if dist < bestDist {
			best, bestDist = n, dist
		}
	}
	limit := 1
	if len(s) > 3 {
		limit = max(2, len(s)/3)
	}
	if best == "" || bestDist > limit {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// validName reports whether s is a usable connector name.
func validName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
