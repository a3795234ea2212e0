package shopify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/connectortest"
	"github.com/switchboardhq/switchboard/connectors/httpx"
	"github.com/switchboardhq/switchboard/connectors/shopify"
	"github.com/switchboardhq/switchboard/connectors/shopify/fake"
)

// fastHTTP keeps in-process retries quick; Retry-After up to 2s is waited
// out.
var fastHTTP = httpx.Config{
	Timeout:       5 * time.Second,
	RetryWaitMin:  time.Millisecond,
	RetryWaitMax:  5 * time.Millisecond,
	RetryAfterMax: 2 * time.Second,
}

var order1001 = strconv.FormatInt(fake.OrderID1001, 10)

type bundle struct {
	srv  *fake.Server
	conn *shopify.Connector
}

func (b bundle) action(t *testing.T, name string) connectors.Action {
	t.Helper()
	for _, a := range b.conn.Actions() {
		if a.Spec().Name == name {
			return a
		}
	}
	t.Fatalf("no action %s", name)
	return nil
}

// setup starts a fake and a connector pointing at it; mutate, when given,
// changes the connector's config first.
func setup(t *testing.T, mutate ...func(*shopify.Config)) bundle {
	t.Helper()
	srv := fake.NewServer(fake.Options{})
	t.Cleanup(srv.Close)
	cfg := shopify.Config{
		ShopDomain:  srv.ShopDomain(),
		APISecret:   srv.APISecret(),
		AccessToken: srv.AccessToken(),
		BaseURL:     srv.URL(),
	}
	for _, m := range mutate {
		m(&cfg)
	}
	require.NoError(t, cfg.WithDefaults().Validate(true))
	c, err := shopify.New(cfg, shopify.Options{Logger: connectortest.Logger(t), HTTP: fastHTTP})
	require.NoError(t, err)
	return bundle{srv: srv, conn: c}
}

func do(t *testing.T, a connectors.Action, params map[string]any) (connectors.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	return a.Do(ctx, connectors.Request{RunID: "run_1", StepID: "tag", IdempotencyKey: "run_1/tag", Params: params, Attempt: 1})
}

func TestConformance(t *testing.T) {
	t.Parallel()
	params := map[string]map[string]any{
		shopify.ActionGetOrder:     {"order_id": order1001},
		shopify.ActionAddOrderTags: {"order_id": order1001, "tags": []any{"whatsapp-notified"}},
		shopify.ActionAddOrderNote: {"order_id": order1001, "note": "Shipping update sent on WhatsApp"},
	}
	for name, p := range params {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			connectortest.RunActionSuite(t, connectortest.ActionCase{
				Connector:  shopify.Name,
				RetryAfter: 120 * time.Second, // beyond RetryAfterMax: answered at once
				Setup: func(t *testing.T, s connectortest.Scenario) connectortest.Env {
					b := setup(t)
					req := connectors.Request{Params: clone(p)}
					switch s {
					case connectortest.ScenarioOK:
					case connectortest.ScenarioRateLimited:
						// A bucket that does not leak while the test runs.
						b.srv.Throttle(fake.Bucket{LeakPerSecond: 0.001, RetryAfter: "120.0"})
						b.srv.FillBucket()
					case connectortest.ScenarioUnavailable:
						b.srv.SetOutage(&fake.Response{Status: http.StatusServiceUnavailable, Body: `{"errors":"Service Unavailable"}`})
					case connectortest.ScenarioRejected:
						req.Params["order_id"] = "1" // no such order: 404
					}
					return connectortest.Env{Action: b.action(t, name), Request: req, Calls: b.srv.Count}
				},
				CheckOutput: func(t *testing.T, res connectors.Result) {
					require.Equal(t, order1001, res.Output["order_id"])
				},
			})
		})
	}
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestGetOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	res, err := do(t, b.action(t, shopify.ActionGetOrder), map[string]any{"order_id": "gid://shopify/Order/" + order1001})
	require.NoError(t, err)
	out := res.Output
	require.Equal(t, "450789469", out["order_id"])
	require.Equal(t, "#1001", out["order_name"])
	require.Equal(t, 431.88, out["total"])
	require.Equal(t, "USD", out["currency"])
	require.Equal(t, "paid", out["status"])
	require.Equal(t, map[string]any{"id": "207119551", "first_name": "Bob", "last_name": "Norman", "email": "bob.norman@mail.example.com", "phone": "+15024592181"}, out["customer"])
	require.Len(t, out["line_items"], 2)
	require.Equal(t, []any{}, out["tags"])

	reqs := b.srv.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, http.MethodGet, reqs[0].Method)
	require.Equal(t, "/admin/api/2025-10/orders/450789469.json", reqs[0].Path)
	require.Equal(t, fake.DefaultAccessToken, reqs[0].Header.Get("X-Shopify-Access-Token"))
}

func TestGetOrderAfterShipping(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.srv.Fulfill(fake.OrderID1001, fake.DefaultTracking)
	require.NoError(t, err)
	res, err := do(t, b.action(t, shopify.ActionGetOrder), map[string]any{"order_id": float64(fake.OrderID1001)})
	require.NoError(t, err)
	require.Equal(t, "fulfilled", res.Output["status"])
	require.Equal(t, map[string]any{"number": "1Z2345", "url": fake.DefaultTracking.URL, "company": "UPS"}, res.Output["tracking"])
}

func TestAddOrderTags(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.action(t, shopify.ActionAddOrderTags)

	res, err := do(t, a, map[string]any{"order_id": order1001, "tags": []any{"vip", " whatsapp-notified "}})
	require.NoError(t, err)
	require.Equal(t, map[string]any{
		"order_id": order1001, "tags": []any{"vip", "whatsapp-notified"}, "added": []any{"vip", "whatsapp-notified"}, "changed": true,
	}, res.Output)
	o, _ := b.srv.Order(fake.OrderID1001)
	require.Equal(t, "vip, whatsapp-notified", o["tags"])

	// Again, with one tag present in another case and one new, as a string.
	res, err = do(t, a, map[string]any{"order_id": order1001, "tags": "VIP, gift"})
	require.NoError(t, err)
	require.Equal(t, []any{"gift"}, res.Output["added"])
	require.Equal(t, []any{"vip", "whatsapp-notified", "gift"}, res.Output["tags"])

	// A repeat changes nothing and writes nothing.
	before := b.srv.Count()
	res, err = do(t, a, map[string]any{"order_id": order1001, "tags": []string{"gift", "vip"}})
	require.NoError(t, err)
	require.Equal(t, false, res.Output["changed"])
	require.Equal(t, []any{}, res.Output["added"])
	require.Equal(t, before+1, b.srv.Count(), "only the read")

	reqs := b.srv.Requests()
	require.Equal(t, "fields=id,tags", reqs[0].RawQuery)
	require.Equal(t, http.MethodPut, reqs[1].Method)
	var put map[string]map[string]any
	require.NoError(t, json.Unmarshal(reqs[1].Body, &put))
	require.Equal(t, map[string]any{"id": 450789469.0, "tags": "vip, whatsapp-notified"}, put["order"])
	require.Equal(t, "application/json", reqs[1].Header.Get("Content-Type"))
}

func TestAddOrderNote(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.action(t, shopify.ActionAddOrderNote)

	res, err := do(t, a, map[string]any{"order_id": order1001, "note": "Shipping update sent"})
	require.NoError(t, err)
	require.Equal(t, map[string]any{"order_id": order1001, "note": "Shipping update sent", "changed": true}, res.Output)

	res, err = do(t, a, map[string]any{"order_id": order1001, "note": "Review request sent\n"})
	require.NoError(t, err)
	require.Equal(t, "Shipping update sent\nReview request sent", res.Output["note"])

	before := b.srv.Count()
	res, err = do(t, a, map[string]any{"order_id": order1001, "note": " Shipping update sent "})
	require.NoError(t, err)
	require.Equal(t, false, res.Output["changed"])
	require.Equal(t, before+1, b.srv.Count(), "a note already there is not written again")

	o, _ := b.srv.Order(fake.OrderID1001)
	require.Equal(t, "Shipping update sent\nReview request sent", o["note"])
}

func TestAuthFailure(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *shopify.Config) { c.AccessToken = "shpat_revoked_token" })
	for _, name := range []string{shopify.ActionGetOrder, shopify.ActionAddOrderTags, shopify.ActionAddOrderNote} {
		_, err := do(t, b.action(t, name), map[string]any{"order_id": order1001, "tags": "x", "note": "y"})
		class, _, reason := connectors.Classify(err)
		require.Equal(t, connectors.ClassPermanent, class, "%s: %v", name, err)
		require.Equal(t, "http_401", reason)
		require.ErrorContains(t, err, name+": read order 450789469")
		require.ErrorContains(t, err, "Invalid API key or access token")
		require.NotContains(t, err.Error(), "shpat_revoked_token")
	}
	require.Equal(t, 3, b.srv.Count(), "a 401 is not retried")
}

func TestNotConfigured(t *testing.T) {
	t.Parallel()
	c, err := shopify.New(shopify.Config{APISecret: "s"}, shopify.Options{})
	require.NoError(t, err)
	for _, a := range c.Actions() {
		_, err := a.Do(t.Context(), connectors.Request{Params: map[string]any{"order_id": "1", "tags": "x", "note": "y"}})
		class, _, reason := connectors.Classify(err)
		require.Equal(t, connectors.ClassPermanent, class)
		require.Equal(t, "not_configured", reason)
		require.ErrorContains(t, err, "connectors.shopify.shop_domain")
		require.Empty(t, a.RateLimitKey(nil))
	}
	noToken, err := shopify.New(shopify.Config{APISecret: "s", ShopDomain: "x.myshopify.com"}, shopify.Options{})
	require.NoError(t, err)
	_, err = noToken.Actions()[0].Do(t.Context(), connectors.Request{Params: map[string]any{"order_id": "1"}})
	require.ErrorContains(t, err, "connectors.shopify.access_token is not set")
}

func TestThrottled(t *testing.T) {
	t.Parallel()

	t.Run("a long Retry-After comes back at once", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.srv.Throttle(fake.Bucket{LeakPerSecond: 0.001, RetryAfter: "10.0"})
		b.srv.FillBucket()
		_, err := do(t, b.action(t, shopify.ActionGetOrder), map[string]any{"order_id": order1001})
		class, after, reason := connectors.Classify(err)
		require.Equal(t, connectors.ClassRetryable, class)
		require.Equal(t, 10*time.Second, after, "Shopify's \"10.0\" read as whole seconds")
		require.Equal(t, "http_429", reason)
		require.ErrorContains(t, err, "Exceeded 2 calls per second")
		require.Equal(t, 1, b.srv.Count())

		// The connector saw the full bucket: its next call does not go out
		// until a slot has leaked, here longer than it may wait.
		c, err := shopify.New(b.conn.Config(), shopify.Options{HTTP: httpx.Config{RetryAfterMax: time.Millisecond}})
		require.NoError(t, err)
		_, err = do(t, c.Actions()[0], map[string]any{"order_id": order1001})
		require.Equal(t, 2, b.srv.Count(), "a fresh connector knows nothing of the bucket")
		_, err = do(t, c.Actions()[0], map[string]any{"order_id": order1001})
		class, after, reason = connectors.Classify(err)
		require.Equal(t, connectors.ClassRetryable, class)
		require.Equal(t, "throttled", reason)
		require.Positive(t, after)
		require.Equal(t, 2, b.srv.Count(), "paced locally, not sent")
	})

	t.Run("a short Retry-After is waited out", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.srv.Script(fake.Response{
			Status: http.StatusTooManyRequests,
			Header: http.Header{"Retry-After": {"1.0"}, "X-Shopify-Shop-Api-Call-Limit": {"40/40"}},
			Body:   fake.BodyThrottled,
		})
		res, err := do(t, b.action(t, shopify.ActionGetOrder), map[string]any{"order_id": order1001})
		require.NoError(t, err)
		require.Equal(t, "#1001", res.Output["order_name"])
		reqs := b.srv.Requests()
		require.Len(t, reqs, 2)
		require.Equal(t, http.StatusTooManyRequests, reqs[0].Status)
		require.Equal(t, http.StatusOK, reqs[1].Status)
	})
}

func TestServerErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		resp       fake.Response
		wantClass  connectors.Class
		wantReason string
		wantCalls  int
	}{
		{"500 retried then retryable", fake.Response{Status: 500, Body: `{"errors":"Internal Server Error"}`}, connectors.ClassRetryable, "http_500", 3},
		{"422 permanent", fake.Response{Status: 422, Body: `{"errors":{"tags":["is invalid"]}}`}, connectors.ClassPermanent, "http_422", 1},
		{"402 shop frozen permanent", fake.Response{Status: 402, Body: `{"errors":"Unavailable Shop"}`}, connectors.ClassPermanent, "http_402", 1},
		{"200 without an order", fake.Response{Status: 200, Body: `{"orders":[]}`}, connectors.ClassPermanent, "bad_response", 1},
		{"200 not JSON", fake.Response{Status: 200, Body: `<html>`}, connectors.ClassPermanent, "bad_response", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.srv.SetOutage(&tc.resp)
			_, err := do(t, b.action(t, shopify.ActionGetOrder), map[string]any{"order_id": order1001})
			class, _, reason := connectors.Classify(err)
			require.Equal(t, tc.wantClass, class, "%v", err)
			require.Equal(t, tc.wantReason, reason)
			require.Equal(t, tc.wantCalls, b.srv.Count())
		})
	}
}

func TestInvalidParams(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := []struct {
		action string
		params map[string]any
		want   string
	}{
		{shopify.ActionGetOrder, map[string]any{}, `param "order_id": required`},
		{shopify.ActionGetOrder, map[string]any{"order_id": "#1001"}, `want the numeric Shopify order id`},
		{shopify.ActionGetOrder, map[string]any{"order_id": "12/../../shop"}, `want the numeric Shopify order id`},
		{shopify.ActionGetOrder, map[string]any{"order_id": 1.5}, `want the numeric Shopify order id`},
		{shopify.ActionGetOrder, map[string]any{"order_id": "0"}, `want the numeric Shopify order id`},
		{shopify.ActionGetOrder, map[string]any{"order_id": true}, `want the numeric Shopify order id`},
		{shopify.ActionAddOrderTags, map[string]any{"order_id": "1"}, `param "tags": required`},
		{shopify.ActionAddOrderTags, map[string]any{"order_id": "1", "tags": " , "}, `param "tags": no tag given`},
		{shopify.ActionAddOrderTags, map[string]any{"order_id": "1", "tags": []any{"a", 2}}, `param "tags": item 1: want a string`},
		{shopify.ActionAddOrderTags, map[string]any{"order_id": "1", "tags": map[string]any{}}, `param "tags": want a list of strings`},
		{shopify.ActionAddOrderNote, map[string]any{"order_id": "1"}, `param "note": required`},
		{shopify.ActionAddOrderNote, map[string]any{"order_id": "1", "note": "  "}, `param "note": empty`},
		{shopify.ActionAddOrderNote, map[string]any{"order_id": "1", "note": 5}, `param "note": want a string`},
	}
	for _, tc := range cases {
		_, err := do(t, b.action(t, tc.action), tc.params)
		class, _, reason := connectors.Classify(err)
		require.Equal(t, connectors.ClassPermanent, class, "%s %v", tc.action, tc.params)
		require.Equal(t, "invalid_param", reason)
		require.ErrorContains(t, err, tc.action+": param")
		require.ErrorContains(t, err, tc.want)
	}
	require.Zero(t, b.srv.Count())
}

func TestRateLimitKeyAndSandbox(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rec := &connectortest.Recorder{}
	for _, a := range b.conn.Actions() {
		require.Equal(t, fake.DefaultShopDomain, a.RateLimitKey(map[string]any{"order_id": "1"}))
		sb := connectors.Sandbox(a, shopify.Name, rec, nil)
		res, err := sb.Do(t.Context(), connectors.Request{Params: map[string]any{"order_id": order1001, "tags": "a, b", "note": "hi"}})
		require.NoError(t, err)
		require.Equal(t, true, res.Output["sandbox"])
		require.Equal(t, order1001, res.Output["order_id"])
		switch a.Spec().Name {
		case shopify.ActionGetOrder:
			for _, k := range []string{"order_name", "total", "currency", "status", "customer", "line_items", "tracking", "tags"} {
				require.Contains(t, res.Output, k)
			}
		case shopify.ActionAddOrderTags:
			require.Equal(t, []any{"a", "b"}, res.Output["added"])
		case shopify.ActionAddOrderNote:
			require.Equal(t, "hi", res.Output["note"])
		}
	}
	require.Len(t, rec.Records(), 3)
	require.Zero(t, b.srv.Count())
}

func TestSpecs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	reg := connectors.NewRegistry()
	require.NoError(t, reg.Register(b.conn))
	for _, a := range b.conn.Actions() {
		spec := a.Spec()
		require.NotEmpty(t, spec.Description)
		for _, p := range spec.Params {
			require.True(t, p.Required, "%s.%s", spec.Name, p.Name)
			require.NotEmpty(t, p.Description)
			require.NotNil(t, p.Example)
		}
	}
}
