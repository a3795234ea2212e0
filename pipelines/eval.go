package pipelines

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/switchboardhq/switchboard/event"
)

// EvalError is an expression that failed at run time, e.g. a field fetched
// from a nil map. It names where: the pipeline, the step ("" for the
// pipeline's own `when`) and the path of the expression ("when" or
// "with.body.order").
type EvalError struct {
	Pipeline string
	Step     string
	Path     string
	Err      error
}

func (e *EvalError) Error() string {
	msg := e.Err.Error()
	var fe *file.Error
	if errors.As(e.Err, &fe) {
		msg = fe.Message // without expr's multi-line snippet
	}
	if e.Step == "" {
		return fmt.Sprintf("pipeline %s: %s: %s", e.Pipeline, e.Path, msg)
	}
	return fmt.Sprintf("pipeline %s: step %s: %s: %s", e.Pipeline, e.Step, e.Path, msg)
}

func (e *EvalError) Unwrap() error { return e.Err }

// Matches reports whether the pipeline listens to e (see event.Matches).
func (p *Pipeline) Matches(e *event.Event) bool {
	return e != nil && event.Matches(p.On, e.Source, e.Type)
}

// When evaluates the pipeline's `when`; it is true when there is none.
func (p *Pipeline) When(env *Env) (bool, error) {
	return evalBool(p.when, env, p.Name, "")
}

// When evaluates the step's `when`; it is true when there is none.
func (s *Step) When(env *Env) (bool, error) {
	return evalBool(s.when, env, s.pipeline, s.ID)
}

// Inputs evaluates the step's `with` into a fresh map the caller owns.
// A step without `with` yields an empty map.
func (s *Step) Inputs(env *Env) (map[string]any, error) {
	v, err := s.with.eval(env)
	if err != nil {
		var ee *EvalError
		if errors.As(err, &ee) {
			ee.Pipeline, ee.Step = s.pipeline, s.ID
		}
		return nil, err
	}
	return v.(map[string]any), nil
}

func evalBool(prog *vm.Program, env *Env, pipeline, step string) (bool, error) {
	if prog == nil {
		return true, nil
	}
	out, err := expr.Run(prog, env)
	if err != nil {
		return false, &EvalError{Pipeline: pipeline, Step: step, Path: "when", Err: err}
	}
	b, ok := out.(bool)
	if !ok { // unreachable with expr.AsBool, kept as a guard
		return false, &EvalError{Pipeline: pipeline, Step: step, Path: "when", Err: fmt.Errorf("want bool, got %T", out)}
	}
	return b, nil
}

// valueKind tells how a compiled `with` value is produced.
type valueKind uint8

const (
	kindLiteral  valueKind = iota // a YAML scalar: string, int, float64, bool or nil
	kindExpr                      // exactly one "${{ }}": keeps the expression's type
	kindTemplate                  // text with "${{ }}" parts: a string
	kindObject
	kindArray
)

// value is a compiled `with` value. Objects and arrays are rebuilt on every
// evaluation so callers may modify what Inputs returns.
type value struct {
	kind  valueKind
	path  string // "with.body.order", for run-time errors
	lit   any
	prog  *vm.Program
	parts []part
	keys  []string
	elems []*value // object values (parallel to keys) or array items
}

// part is a piece of a template: literal text or an expression.
type part struct {
	text string
	prog *vm.Program
}

func (v *value) eval(env *Env) (any, error) {
	switch v.kind {
	case kindLiteral:
		return v.lit, nil
	case kindExpr:
		out, err := expr.Run(v.prog, env)
		if err != nil {
			return nil, &EvalError{Path: v.path, Err: err}
		}
		return out, nil
	case kindTemplate:
		buf := make([]byte, 0, 64)
		for _, p := range v.parts {
			if p.prog == nil {
				buf = append(buf, p.text...)
				continue
			}
			out, err := expr.Run(p.prog, env)
			if err != nil {
				return nil, &EvalError{Path: v.path, Err: err}
			}
			if buf, err = appendString(buf, out); err != nil {
				return nil, &EvalError{Path: v.path, Err: err}
			}
		}
		return string(buf), nil
	case kindObject:
		m := make(map[string]any, len(v.keys))
		for i, k := range v.keys {
			x, err := v.elems[i].eval(env)
			if err != nil {
				return nil, err
			}
			m[k] = x
		}
		return m, nil
	case kindArray:
		a := make([]any, len(v.elems))
		for i, e := range v.elems {
			x, err := e.eval(env)
			if err != nil {
				return nil, err
			}
			a[i] = x
		}
		return a, nil
	}
	return nil, fmt.Errorf("pipelines: unknown value kind %d", v.kind)
}

// appendString renders an interpolated value inside a larger string: nil is
// empty, numbers are shortest decimal, times RFC 3339, maps and lists JSON.
func appendString(buf []byte, x any) ([]byte, error) {
	switch x := x.(type) {
	case nil:
		return buf, nil
	case string:
		return append(buf, x...), nil
	case bool:
		return strconv.AppendBool(buf, x), nil
	case int:
		return strconv.AppendInt(buf, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(buf, x, 10), nil
	case float64:
		return strconv.AppendFloat(buf, x, 'f', -1, 64), nil
	case time.Time:
		return x.AppendFormat(buf, time.RFC3339Nano), nil
	case time.Duration:
		return append(buf, x.String()...), nil
	case fmt.Stringer:
		return append(buf, x.String()...), nil
	}
	b, err := json.Marshal(x)
	if err != nil {
		return buf, fmt.Errorf("cannot render %T as text: %w", x, err)
	}
	return append(buf, b...), nil
}

// Literal returns the value written at with.<path...> when it is a literal
// scalar (no `${{ }}`), for static checks such as `validate`'s template
// lookup. ok is false when the key is absent or computed at run time.
func (s *Step) Literal(path ...string) (any, bool) {
	v := s.with
	for _, key := range path {
		if v == nil || v.kind != kindObject {
			return nil, false
		}
		var next *value
		for i, k := range v.keys {
			if k == key {
				next = v.elems[i]
				break
			}
		}
		v = next
	}
	if v == nil || v.kind != kindLiteral {
		return nil, false
	}
	return v.lit, true
}
