package pipelines

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/switchboardhq/switchboard/event"
)

// MaxExprNodes bounds the size of one expression; pipeline expressions are
// small, so a larger one is a mistake or an attack.
const MaxExprNodes = 1000

// helperNames are the functions this package adds to expr (see doc.go).
var helperNames = []string{"lower", "upper", "trim", "default", "has", "json", "duration"}

// disabledBuiltins read the clock or the time-zone database, or can
// allocate without bound.
var disabledBuiltins = []string{"now", "date", "timezone", "repeat"}

// exprOptions returns the options every expression is compiled with.
func exprOptions() []expr.Option {
	opts := []expr.Option{
		expr.Env(Env{}),
		expr.MaxNodes(MaxExprNodes),
		expr.Function("lower", strFunc("lower", strings.ToLower), new(func(string) string)),
		expr.Function("upper", strFunc("upper", strings.ToUpper), new(func(string) string)),
		expr.Function("trim", strFunc("trim", strings.TrimSpace), new(func(string) string)),
		expr.Function("default", defaultFunc, new(func(any, any) any)),
		expr.Function("has", hasFunc,
			new(func(map[string]any, string) bool),
			new(func(map[string]string, string) bool)),
		expr.Function("json", jsonFunc, new(func(any) string)),
		expr.Function("duration", durationFunc, new(func(string) time.Duration)),
	}
	for _, b := range disabledBuiltins {
		opts = append(opts, expr.DisableBuiltin(b))
	}
	return opts
}

func strFunc(name string, f func(string) string) func(...any) (any, error) {
	return func(params ...any) (any, error) {
		s, ok := params[0].(string)
		if !ok {
			return nil, fmt.Errorf("%s: want a string, got %s", name, typeName(params[0]))
		}
		return f(s), nil
	}
}

// defaultFunc returns the fallback when the value is nil or "".
func defaultFunc(params ...any) (any, error) {
	if params[0] == nil || params[0] == "" {
		return params[1], nil
	}
	return params[0], nil
}

func hasFunc(params ...any) (any, error) {
	key, ok := params[1].(string)
	if !ok {
		return nil, fmt.Errorf("has: want a string key, got %s", typeName(params[1]))
	}
	switch m := params[0].(type) {
	case nil:
		return false, nil
	case map[string]any:
		_, ok := m[key]
		return ok, nil
	case map[string]string:
		_, ok := m[key]
		return ok, nil
	}
	return nil, fmt.Errorf("has: want a map, got %s", typeName(params[0]))
}

func jsonFunc(params ...any) (any, error) {
	b, err := json.Marshal(params[0])
	if err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	return string(b), nil
}

func durationFunc(params ...any) (any, error) {
	s, ok := params[0].(string)
	if !ok {
		return nil, fmt.Errorf("duration: want a string, got %s", typeName(params[0]))
	}
	return time.ParseDuration(s)
}

func typeName(x any) string {
	if x == nil {
		return "nil"
	}
	return reflect.TypeOf(x).String()
}

// exprError is a compile error at a rune offset of the expression.
type exprError struct {
	off int
	msg string
}

// refs is what an expression may name besides the fixed environment.
type refs struct {
	steps []string // ids of the earlier steps
	later []string // ids of this and later steps (named for a clearer message)
	vars  map[string]any
	top   bool // the pipeline's own when: no step has run
}

// compileExpr compiles src, as a bool condition when asBool is set, and
// checks that steps.<id> and vars.<name> name things that exist.
func compileExpr(opts []expr.Option, src string, asBool bool, r refs) (*vm.Program, []exprError) {
	if asBool {
		opts = append(opts[:len(opts):len(opts)], expr.AsBool())
	}
	prog, err := expr.Compile(src, opts...)
	if err != nil {
		return nil, []exprError{toExprError(err)}
	}
	v := &refVisitor{refs: r}
	node := prog.Node()
	ast.Walk(&node, v)
	if len(v.errs) > 0 {
		return nil, v.errs
	}
	return prog, nil
}

var (
	reNoField     = regexp.MustCompile(`^type (\S+) has no field (\S+)$`)
	reUnknownName = regexp.MustCompile(`^unknown name (\S+)$`)
	reExpected    = regexp.MustCompile(`^expected bool, but got (.+)$`)
)

// fieldsOf lists the expr names of a struct type's fields, by type name as
// expr prints it, for did-you-mean hints.
var fieldsOf = map[string]struct {
	what   string
	fields []string
}{
	reflect.TypeFor[EventEnv]().String():      {"event", exprTags(reflect.TypeFor[EventEnv]())},
	reflect.TypeFor[StepEnv]().String():       {"step", exprTags(reflect.TypeFor[StepEnv]())},
	reflect.TypeFor[event.Contact]().String(): {"contact", exprTags(reflect.TypeFor[event.Contact]())},
	reflect.TypeFor[Env]().String():           {"the environment", exprTags(reflect.TypeFor[Env]())},
}

func exprTags(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if tag := t.Field(i).Tag.Get("expr"); tag != "" {
			out = append(out, tag)
		}
	}
	return out
}

// toExprError turns expr's error into a message and an offset, rewording
// the common typos with a did-you-mean hint.
func toExprError(err error) exprError {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return exprError{msg: reword(err.Error())}
	}
	off := fe.From
	if fe.Line == 0 && fe.Column == 0 && fe.Snippet == "" {
		off = 0
	}
	return exprError{off: off, msg: reword(fe.Message)}
}

func reword(msg string) string {
	if m := reNoField.FindStringSubmatch(msg); m != nil {
		if f, ok := fieldsOf[m[1]]; ok {
			return fmt.Sprintf("unknown field %q of %s%s", m[2], f.what, didYouMean(m[2], f.fields))
		}
		return fmt.Sprintf("unknown field %q of %s", m[2], m[1])
	}
	if m := reUnknownName.FindStringSubmatch(msg); m != nil {
		cands := append(exprTags(reflect.TypeFor[Env]()), helperNames...)
		return fmt.Sprintf("unknown name %q%s", m[1], didYouMean(m[1], cands))
	}
	if m := reExpected.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("condition must be a bool, got %s", m[1])
	}
	return msg
}

// refVisitor checks steps.<id> and vars.<name> references.
type refVisitor struct {
	refs refs
	errs []exprError
}

func (v *refVisitor) Visit(n *ast.Node) {
	m, ok := (*n).(*ast.MemberNode)
	if !ok {
		return
	}
	id, ok := m.Node.(*ast.IdentifierNode)
	if !ok {
		return
	}
	prop, ok := m.Property.(*ast.StringNode)
	if !ok {
		return
	}
	off := prop.Location().From
	switch id.Value {
	case "steps":
		if contains(v.refs.steps, prop.Value) {
			return
		}
		var msg string
		switch {
		case v.refs.top:
			msg = fmt.Sprintf("unknown step %q: the pipeline's when runs before any step", prop.Value)
		case contains(v.refs.later, prop.Value):
			msg = fmt.Sprintf("step %q has not run yet: only earlier steps can be referenced", prop.Value)
		default:
			msg = fmt.Sprintf("unknown step %q%s", prop.Value, didYouMean(prop.Value, v.refs.steps))
		}
		v.errs = append(v.errs, exprError{off: off, msg: msg})
	case "vars":
		if _, ok := v.refs.vars[prop.Value]; ok {
			return
		}
		keys := make([]string, 0, len(v.refs.vars))
		for k := range v.refs.vars {
			keys = append(keys, k)
		}
		v.errs = append(v.errs, exprError{off: off, msg: fmt.Sprintf("unknown var %q%s", prop.Value, didYouMean(prop.Value, sortedCopy(keys)))})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
