package pipelines

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/event"
)

const minimal = `name: minimal
on: order.shipped
steps:
  - id: notify
    action: http.request
    with: {url: "https://example.com"}
`

func TestLoadFields(t *testing.T) {
	t.Parallel()
	src := `name: order-shipped
description: Tell the warehouse.
on: shopify/order.shipped
vars: {threshold: 50, tags: [a, b], nested: {x: 1.5}}
steps:
  - id: notify
    action: http.request
    with: {url: "https://example.com"}
    wait: 90s
    retry: {max_attempts: 5}
    on_error: continue
  - id: crm
    action: http.request
    with: {url: "https://crm.example"}
`
	p, ds := Load("p.yaml", []byte(src), testCatalog())
	require.NoError(t, ds.Err())
	require.Empty(t, ds)
	require.Equal(t, "order-shipped", p.Name)
	require.Equal(t, "Tell the warehouse.", p.Description)
	require.Equal(t, "shopify/order.shipped", p.On)
	require.Equal(t, "p.yaml", p.File)
	require.Equal(t, 1, p.Line)
	require.Equal(t, map[string]any{"threshold": 50, "tags": []any{"a", "b"}, "nested": map[string]any{"x": 1.5}}, p.Vars)
	require.Len(t, p.Steps, 2)

	s, i := p.Step("notify")
	require.Equal(t, 0, i)
	require.Equal(t, "http.request", s.Action)
	require.Equal(t, 90*time.Second, s.Wait)
	require.Equal(t, 5, s.MaxAttempts)
	require.Equal(t, OnErrorContinue, s.OnError)
	require.Equal(t, 6, s.Line)

	s, i = p.Step("crm")
	require.Equal(t, 1, i)
	require.Zero(t, s.MaxAttempts)
	require.Zero(t, s.Wait)
	require.Equal(t, OnErrorDeadLetter, s.OnError)

	s, i = p.Step("nope")
	require.Nil(t, s)
	require.Equal(t, -1, i)
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"empty", "", "f.yaml:1:1: empty pipeline file"},
		{"comment only", "# nothing\n", "f.yaml:1:1: empty pipeline file"},
		{"scalar document", "hello\n", "f.yaml:1:1: a pipeline must be a mapping, got a string"},
		{"two documents", minimal + "---\nname: other\n", "f.yaml:7:1: a pipeline file holds one YAML document; split the others into their own files"},
		{"duplicate key", "name: a\nname: b\non: order.paid\nsteps: [{id: x, action: http.request, with: {url: u}}]\n", `f.yaml:2:1: name: duplicate key "name" (first at line 1)`},
		{"step not a mapping", "name: a\non: order.paid\nsteps: [oops]\n", "f.yaml:3:9: steps[0]: a step must be a mapping, got a string"},
		{"missing id and action", "name: a\non: order.paid\nsteps: [{when: 'true'}]\n",
			"f.yaml:3:9: steps[0].id: missing required key\nf.yaml:3:9: steps[0].action: missing required key"},
		{"bad source", "name: a\non: Shop/order.paid\nsteps: [{id: x, action: http.request, with: {url: u}}]\n",
			`f.yaml:2:5: on: invalid source "Shop" in "Shop/order.paid": want "source/type" with a lowercase source`},
		{"empty type", "name: a\non: shopify/\nsteps: [{id: x, action: http.request, with: {url: u}}]\n",
			`f.yaml:2:5: on: invalid event type "shopify/": want a type like "order.shipped" or "shopify/order.shipped"`},
		{"null when", "name: a\non: order.paid\nwhen:\nsteps: [{id: x, action: http.request, with: {url: u}}]\n", "f.yaml:3:6: when: must be an expression, got null"},
		{"merge key in with", "name: a\non: order.paid\nsteps: [{id: x, action: http.request, with: {url: u, body: {<<: {a: 1}}}}]\n",
			"f.yaml:3:61: steps[0].with.body.<<: merge keys (<<) are not supported"},
		{"disabled builtin now", "name: a\non: order.paid\nwhen: now() > event.time\nsteps: [{id: x, action: http.request, with: {url: u}}]\n",
			"f.yaml:3:7: when: time.Time is not callable"},
		{"too many nodes", "name: a\non: order.paid\nsteps: [{id: x, action: http.request, with: {url: u, body: " + bigList(maxNodes+5) + "}}]\n",
			"f.yaml:3:20055: steps[0].with.body[9997]: too many values (more than 10000, counting aliases)"},
		{"null with", "name: a\non: order.paid\nsteps: [{id: x, action: http.request, with: null}]\n",
			`f.yaml:3:39: steps[0].with: missing required param "url" for action http.request`},
		{"too many expression nodes", "name: a\non: order.paid\nwhen: " + strings.Repeat("1 + ", MaxExprNodes) + "1 > 0\nsteps: [{id: x, action: http.request, with: {url: u}}]\n",
			"f.yaml:3:2009: when: compilation failed: expression exceeds maximum allowed nodes"},
		{"required param null", "name: a\non: order.paid\nsteps: [{id: x, action: http.request, with: {url: null}}]\n",
			`f.yaml:3:51: steps[0].with.url: required param "url" is null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, ds := Load("f.yaml", []byte(tt.src), testCatalog())
			require.Nil(t, p)
			require.Error(t, ds.Err())
			require.Equal(t, tt.want, ds.Error())
		})
	}
}

func bigList(n int) string {
	b := []byte{'['}
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '1')
	}
	return string(append(b, ']'))
}

// TestLoadAliasBomb checks that aliases cannot expand a small file into a
// huge `with`.
func TestLoadAliasBomb(t *testing.T) {
	t.Parallel()
	src := `name: bomb
on: order.paid
x:
  a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
steps:
  - id: x
    action: http.request
    with:
      url: u
      body: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
`
	p, ds := Load("f.yaml", []byte(src), testCatalog())
	require.Nil(t, p)
	require.Contains(t, ds.Error(), "too many values")
	require.Contains(t, ds.Error(), `unknown key "x"`)
}

func TestLoadFS(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"a.yaml": {Data: []byte(minimal)},
		"b.yaml": {Data: []byte(minimal)},
		"c.yaml": {Data: []byte("name: other\non: order.custom\nsteps: [{id: x, action: http.request, with: {url: u}}]\n")},
		"d.yaml": {Data: []byte("name: broken\n")},
	}
	ps, ds := LoadFS(fsys, []string{"a.yaml", "b.yaml", "c.yaml", "d.yaml", "missing.yaml"}, testCatalog())
	require.Len(t, ps, 2)
	require.Equal(t, "minimal", ps[0].Name)
	require.Equal(t, "a.yaml", ps[0].File)
	require.Equal(t, "other", ps[1].Name)
	require.Equal(t, `b.yaml:1:7: name: pipeline "minimal" is already defined at a.yaml:1:7
c.yaml:2:5: warning: on: "order.custom" is not a canonical event type; only a source sending it will match
d.yaml:1:1: on: missing required key
d.yaml:1:1: steps: missing required key
missing.yaml: open missing.yaml: file does not exist`, ds.Error())
	require.Len(t, ds.Warnings(), 1)
}

func TestMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		on, source, typ string
		want            bool
	}{
		{"order.shipped", "shopify", "order.shipped", true},
		{"order.shipped", "square", "order.shipped", true},
		{"order.shipped", "shopify", "order.paid", false},
		{"shopify/order.shipped", "shopify", "order.shipped", true},
		{"shopify/order.shipped", "square", "order.shipped", false},
	}
	for _, tt := range tests {
		t.Run(tt.on+"_"+tt.source+"_"+tt.typ, func(t *testing.T) {
			t.Parallel()
			p := &Pipeline{On: tt.on}
			require.Equal(t, tt.want, p.Matches(&event.Event{Source: tt.source, Type: tt.typ}))
		})
	}
	require.False(t, (&Pipeline{On: "order.paid"}).Matches(nil))
}

func TestEvalErrors(t *testing.T) {
	t.Parallel()
	src := `name: evals
on: order.paid
when: event.data.total > 1
steps:
  - id: a
    action: http.request
    when: lower(event.data.total) == "x"
    with:
      url: u
      body: {n: "${{ event.data.customer.name }}", j: "x ${{ has(event.data.total, 'k') }}"}
`
	p, ds := Load("f.yaml", []byte(src), testCatalog())
	require.NoError(t, ds.Err())
	s := p.Steps[0]

	tests := []struct {
		name string
		data map[string]any
		eval func(env *Env) error
		want string
		path string
		step string
	}{
		{"pipeline when on nil", map[string]any{"total": "nope"}, func(env *Env) error { _, err := p.When(env); return err },
			"pipeline evals: when: invalid operation: string > int", "when", ""},
		{"helper type", map[string]any{"total": 5.0}, func(env *Env) error { _, err := s.When(env); return err },
			"pipeline evals: step a: when: lower: want a string, got float64", "when", "a"},
		{"nil fetch", map[string]any{}, func(env *Env) error { _, err := s.Inputs(env); return err },
			"pipeline evals: step a: with.body.n: cannot fetch name from <nil>", "with.body.n", "a"},
		{"has on non-map", map[string]any{"customer": map[string]any{"name": "Ana"}, "total": 1.0}, func(env *Env) error { _, err := s.Inputs(env); return err },
			"pipeline evals: step a: with.body.j: has: want a map, got float64", "with.body.j", "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := NewEnv(&event.Event{Type: "order.paid", Data: tt.data}, nil, nil, p.Vars, testNow)
			err := tt.eval(env)
			require.Error(t, err)
			require.Equal(t, tt.want, err.Error())
			var ee *EvalError
			require.True(t, errors.As(err, &ee))
			require.Equal(t, "evals", ee.Pipeline)
			require.Equal(t, tt.step, ee.Step)
			require.Equal(t, tt.path, ee.Path)
		})
	}
}

func TestInputsFresh(t *testing.T) {
	t.Parallel()
	src := `name: fresh
on: order.paid
steps:
  - id: a
    action: http.request
    with: {url: u, headers: {X-A: "1"}, body: [1, {k: v}]}
  - id: b
    action: noop
`
	cat := testCatalog()
	cat["noop"] = ActionSpec{Name: "noop"}
	p, ds := Load("f.yaml", []byte(src), cat)
	require.NoError(t, ds.Err())
	env := NewEnv(nil, nil, nil, nil, testNow)
	in1, err := p.Steps[0].Inputs(env)
	require.NoError(t, err)
	in1["headers"].(map[string]any)["X-A"] = "changed"
	in1["body"].([]any)[1].(map[string]any)["k"] = "changed"
	in2, err := p.Steps[0].Inputs(env)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"url": "u", "headers": map[string]any{"X-A": "1"}, "body": []any{1, map[string]any{"k": "v"}}}, in2)

	none, err := p.Steps[1].Inputs(env)
	require.NoError(t, err)
	require.NotNil(t, none)
	require.Empty(t, none)
	ok, err := p.Steps[1].When(env)
	require.NoError(t, err)
	require.True(t, ok)
}

func TestNewEnv(t *testing.T) {
	t.Parallel()
	e := &event.Event{ID: "01X", Source: "shopify", Type: "order.paid", Subject: "s", Time: testNow, Data: map[string]any{"a": 1.0}}
	c := &event.Contact{ID: "c1", Phone: "+61"}
	steps := map[string]StepEnv{"x": {Status: "succeeded"}}
	env := NewEnv(e, c, steps, map[string]any{"v": 1}, testNow)
	require.Equal(t, EventEnv{ID: "01X", Source: "shopify", Type: "order.paid", Subject: "s", Time: testNow, Data: e.Data}, env.Event)
	require.Equal(t, *c, env.Contact)
	require.Equal(t, steps, env.Steps)
	require.Equal(t, testNow, env.Now)

	zero := NewEnv(nil, nil, nil, nil, time.Time{})
	require.Equal(t, &Env{}, zero)
}

func TestDidYouMean(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		cands []string
		want  string
	}{
		{"whne", pipelineKeys, ` (did you mean "when"?)`},
		{"acton", stepKeys, ` (did you mean "action"?)`},
		{"stpes", pipelineKeys, ` (did you mean "steps"?)`},
		{"zzzzzz", pipelineKeys, ""},
		{"x", []string{"y"}, ` (did you mean "y"?)`},
		{"x", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, didYouMean(tt.in, tt.cands))
		})
	}
}

func TestStepLiteral(t *testing.T) {
	t.Parallel()
	src := `name: lit
on: order.paid
steps:
  - id: a
    action: http.request
    with: {url: u, headers: {X-A: "1", X-B: "${{ event.id }}"}, body: [1]}
`
	p, ds := Load("f.yaml", []byte(src), testCatalog())
	require.NoError(t, ds.Err())
	s := p.Steps[0]
	tests := []struct {
		path   []string
		want   any
		wantOK bool
	}{
		{[]string{"url"}, "u", true},
		{[]string{"headers", "X-A"}, "1", true},
		{[]string{"headers", "X-B"}, nil, false},
		{[]string{"headers"}, nil, false},
		{[]string{"body"}, nil, false},
		{[]string{"missing"}, nil, false},
		{[]string{"url", "deeper"}, nil, false},
	}
	for _, tc := range tests {
		got, ok := s.Literal(tc.path...)
		require.Equal(t, tc.wantOK, ok, tc.path)
		require.Equal(t, tc.want, got, tc.path)
	}
}
