package connectors_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/connectortest"
	"github.com/switchboardhq/switchboard/event"
)

// stubAction is an action with a given spec that returns {"called": true}.
type stubAction struct{ spec connectors.ActionSpec }

func (a stubAction) Spec() connectors.ActionSpec        { return a.spec }
func (a stubAction) RateLimitKey(map[string]any) string { return "key" }
func (a stubAction) Do(context.Context, connectors.Request) (connectors.Result, error) {
	return connectors.Result{Output: map[string]any{"called": true}}, nil
}

func act(name string, params ...connectors.ParamSpec) connectors.Action {
	return stubAction{spec: connectors.ActionSpec{Name: name, Params: params}}
}

type stubConnector struct {
	name    string
	actions []connectors.Action
}

func (c stubConnector) Name() string                 { return c.name }
func (c stubConnector) Actions() []connectors.Action { return c.actions }

// stubInbound also implements Inbound.
type stubInbound struct{ stubConnector }

func (stubInbound) Verify(http.Header, []byte) error                 { return nil }
func (stubInbound) Parse(http.Header, []byte) ([]event.Event, error) { return nil, nil }

var (
	_ connectors.Connector = stubConnector{}
	_ connectors.Inbound   = stubInbound{}
	_ connectors.Action    = stubAction{}
)

func TestRegistryRegisterRejects(t *testing.T) {
	t.Parallel()
	str := func(name string) connectors.ParamSpec {
		return connectors.ParamSpec{Name: name, Type: connectors.TypeString}
	}
	tests := []struct {
		name    string
		first   connectors.Connector // registered before, must succeed
		c       connectors.Connector
		wantErr string
	}{
		{name: "nil connector", c: nil, wantErr: "nil connector"},
		{name: "empty name", c: stubConnector{name: ""}, wantErr: "name must match"},
		{name: "upper-case name", c: stubConnector{name: "WhatsApp"}, wantErr: "name must match"},
		{name: "leading digit", c: stubConnector{name: "1shop"}, wantErr: "name must match"},
		{name: "dash in name", c: stubConnector{name: "http-call"}, wantErr: "name must match"},
		{
			name:    "duplicate connector",
			first:   stubConnector{name: "shop"},
			c:       stubConnector{name: "shop"},
			wantErr: `"shop": already registered`,
		},
		{name: "nil action", c: stubConnector{name: "shop", actions: []connectors.Action{nil}}, wantErr: "action 0 is nil"},
		{name: "action without verb", c: stubConnector{name: "shop", actions: []connectors.Action{act("shop")}}, wantErr: "name must match"},
		{name: "action upper-case", c: stubConnector{name: "shop", actions: []connectors.Action{act("shop.Send")}}, wantErr: "name must match"},
		{name: "action two dots", c: stubConnector{name: "shop", actions: []connectors.Action{act("shop.a.b")}}, wantErr: "name must match"},
		{
			name:    "action declared twice",
			c:       stubConnector{name: "shop", actions: []connectors.Action{act("shop.send"), act("shop.send")}},
			wantErr: `action "shop.send" declared twice`,
		},
		{
			name:    "action taken by another connector",
			first:   stubConnector{name: "a", actions: []connectors.Action{act("x.send")}},
			c:       stubConnector{name: "b", actions: []connectors.Action{act("x.send")}},
			wantErr: `action "x.send" already registered by connector "a"`,
		},
		{
			name:    "param unknown type",
			c:       stubConnector{name: "shop", actions: []connectors.Action{act("shop.send", connectors.ParamSpec{Name: "to", Type: "int"})}},
			wantErr: `param "to": unknown type "int"`,
		},
		{
			name:    "param empty type",
			c:       stubConnector{name: "shop", actions: []connectors.Action{act("shop.send", connectors.ParamSpec{Name: "to"})}},
			wantErr: `param "to": unknown type ""`,
		},
		{
			name:    "param empty name",
			c:       stubConnector{name: "shop", actions: []connectors.Action{act("shop.send", str(""))}},
			wantErr: `param 0 "": name must match`,
		},
		{
			name:    "param camel case",
			c:       stubConnector{name: "shop", actions: []connectors.Action{act("shop.send", str("phoneId"))}},
			wantErr: `param 0 "phoneId": name must match`,
		},
		{
			name:    "param declared twice",
			c:       stubConnector{name: "shop", actions: []connectors.Action{act("shop.send", str("to"), str("to"))}},
			wantErr: `param "to" declared twice`,
		},
		{
			name: "enum on a number",
			c: stubConnector{name: "shop", actions: []connectors.Action{act("shop.send",
				connectors.ParamSpec{Name: "n", Type: connectors.TypeNumber, Enum: []string{"1"}})}},
			wantErr: `param "n": enum needs type "string"`,
		},
		{
			name: "default outside enum",
			c: stubConnector{name: "shop", actions: []connectors.Action{act("shop.send",
				connectors.ParamSpec{Name: "m", Type: connectors.TypeString, Enum: []string{"GET"}, Default: "POST"})}},
			wantErr: `param "m": default POST is not one of [GET]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := connectors.NewRegistry()
			if tt.first != nil {
				require.NoError(t, reg.Register(tt.first))
			}
			before := reg.Names()

			err := reg.Register(tt.c)
			require.ErrorContains(t, err, tt.wantErr)
			require.Equal(t, before, reg.Names(), "a rejected connector must leave the registry unchanged")
			require.Panics(t, func() { reg.MustRegister(tt.c) })
		})
	}
}

func TestRegistryRejectedConnectorAddsNoActions(t *testing.T) {
	t.Parallel()
	reg := connectors.NewRegistry()
	err := reg.Register(stubConnector{name: "shop", actions: []connectors.Action{
		act("shop.ok"),
		act("shop.bad", connectors.ParamSpec{Name: "x", Type: "nope"}),
	}})
	require.Error(t, err)
	_, ok := reg.Action("shop.ok")
	require.False(t, ok)
	require.Empty(t, reg.Actions())
}

func TestRegistryLookups(t *testing.T) {
	t.Parallel()
	reg := connectors.NewRegistry()
	reg.MustRegister(stubConnector{name: "zendesk", actions: []connectors.Action{act("zendesk.create_ticket")}})
	reg.MustRegister(stubInbound{stubConnector{name: "shopify"}})
	reg.MustRegister(stubConnector{name: "httpcall", actions: []connectors.Action{
		act("http.request", connectors.ParamSpec{Name: "method", Type: connectors.TypeString, Enum: []string{"GET", "POST"}, Default: "POST"}),
		act("http.get"),
	}})

	require.Equal(t, []string{"httpcall", "shopify", "zendesk"}, reg.Names())

	var names []string
	for _, a := range reg.Actions() {
		names = append(names, a.Spec().Name)
	}
	require.Equal(t, []string{"http.get", "http.request", "zendesk.create_ticket"}, names)

	c, ok := reg.Connector("zendesk")
	require.True(t, ok)
	require.Equal(t, "zendesk", c.Name())
	_, ok = reg.Connector("nope")
	require.False(t, ok)

	_, ok = reg.Inbound("shopify")
	require.True(t, ok)
	_, ok = reg.Inbound("zendesk")
	require.False(t, ok, "zendesk has no inbound side")
	_, ok = reg.Inbound("nope")
	require.False(t, ok)

	a, ok := reg.Action("http.request")
	require.True(t, ok)
	require.Equal(t, "http.request", a.Spec().Name)
	_, ok = reg.Action("http.nope")
	require.False(t, ok)

	owner, ok := reg.ActionConnector("http.request")
	require.True(t, ok)
	require.Equal(t, "httpcall", owner)
}

func TestRegistryConcurrentReads(t *testing.T) {
	t.Parallel()
	reg := connectors.NewRegistry()
	reg.MustRegister(stubConnector{name: "shop", actions: []connectors.Action{act("shop.send")}})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 100 {
				_, ok := reg.Action("shop.send")
				require.True(t, ok)
				require.Len(t, reg.Actions(), 1)
				require.NotEmpty(t, reg.Names())
			}
		})
		if i == 0 {
			// A late registration alongside the readers must be safe too.
			wg.Go(func() { reg.MustRegister(stubConnector{name: "other"}) })
		}
	}
	wg.Wait()
}

func TestRegistrySandboxed(t *testing.T) {
	t.Parallel()
	newReg := func(t *testing.T) *connectors.Registry {
		t.Helper()
		reg := connectors.NewRegistry()
		reg.MustRegister(stubInbound{stubConnector{name: "shop", actions: []connectors.Action{act("shop.send")}}})
		reg.MustRegister(stubConnector{name: "httpcall", actions: []connectors.Action{act("http.request")}})
		return reg
	}
	req := connectors.Request{RunID: "r", StepID: "s", Params: map[string]any{"a": 1}}

	t.Run("all connectors", func(t *testing.T) {
		t.Parallel()
		reg := newReg(t)
		rec := &connectortest.Recorder{}
		sb, err := reg.Sandboxed(rec, nil)
		require.NoError(t, err)
		for _, a := range sb.Actions() {
			res, err := a.Do(t.Context(), req)
			require.NoError(t, err)
			require.Equal(t, map[string]any{"sandbox": true}, res.Output)
		}
		require.Len(t, rec.Records(), 2)
		_, ok := sb.Inbound("shop")
		require.True(t, ok, "the inbound side survives sandboxing")

		// The original registry is untouched.
		a, _ := reg.Action("shop.send")
		res, err := a.Do(t.Context(), req)
		require.NoError(t, err)
		require.Equal(t, true, res.Output["called"])
	})

	t.Run("named connectors only", func(t *testing.T) {
		t.Parallel()
		reg := newReg(t)
		rec := &connectortest.Recorder{}
		sb, err := reg.Sandboxed(rec, nil, "shop")
		require.NoError(t, err)
		a, _ := sb.Action("http.request")
		res, err := a.Do(t.Context(), req)
		require.NoError(t, err)
		require.Equal(t, true, res.Output["called"])
		a, _ = sb.Action("shop.send")
		_, err = a.Do(t.Context(), req)
		require.NoError(t, err)
		recs := rec.Records()
		require.Len(t, recs, 1)
		require.Equal(t, "shop", recs[0].Connector)
		require.Equal(t, "shop.send", recs[0].Action)
	})

	t.Run("unknown connector", func(t *testing.T) {
		t.Parallel()
		_, err := newReg(t).Sandboxed(&connectortest.Recorder{}, nil, "nope")
		require.ErrorContains(t, err, `unknown connector "nope"`)
	})

	t.Run("nil recorder", func(t *testing.T) {
		t.Parallel()
		_, err := newReg(t).Sandboxed(nil, nil)
		require.ErrorContains(t, err, "nil recorder")
	})
}
