package httpcall_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/connectortest"
	"github.com/switchboardhq/switchboard/connectors/httpcall"
	"github.com/switchboardhq/switchboard/connectors/httpcall/fake"
)

// testConfig retries fast, so scripted 5xx do not slow the tests down.
var testConfig = httpcall.Config{
	Timeout:       2 * time.Second,
	RetryWaitMin:  time.Millisecond,
	RetryWaitMax:  5 * time.Millisecond,
	RetryAfterMax: 2 * time.Second,
}

type bundle struct {
	srv    *fake.Server
	action connectors.Action
}

func setup(t *testing.T, cfg httpcall.Config) bundle {
	t.Helper()
	srv := fake.NewServer()
	t.Cleanup(srv.Close)
	c := httpcall.New(cfg, connectortest.Logger(t))
	require.Equal(t, httpcall.Name, c.Name())
	require.Len(t, c.Actions(), 1)
	return bundle{srv: srv, action: c.Actions()[0]}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	connectortest.RunActionSuite(t, connectortest.ActionCase{
		Connector:  httpcall.Name,
		RetryAfter: 120 * time.Second, // beyond RetryAfterMax: answered at once
		Setup: func(t *testing.T, s connectortest.Scenario) connectortest.Env {
			b := setup(t, testConfig)
			switch s {
			case connectortest.ScenarioOK:
			case connectortest.ScenarioRateLimited:
				b.srv.Script("/hook", fake.Response{Status: 429, Header: http.Header{"Retry-After": {"120"}}, Body: `{"error":"rate"}`})
			case connectortest.ScenarioUnavailable:
				b.srv.SetDefault(fake.Response{Status: 503, Body: "down"})
			case connectortest.ScenarioRejected:
				b.srv.Script("/hook", fake.Response{Status: 400, Body: `{"error":"bad"}`})
			}
			return connectortest.Env{
				Action:  b.action,
				Request: connectors.Request{Params: map[string]any{"url": b.srv.URL() + "/hook", "body": map[string]any{"a": 1}}},
				Calls:   b.srv.Count,
			}
		},
		CheckOutput: func(t *testing.T, res connectors.Result) {
			require.Equal(t, 200, res.Output["status"])
			require.Equal(t, map[string]any{"ok": true}, res.Output["body"])
		},
	})
}

func TestRequestSends(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		params          map[string]any
		wantMethod      string
		wantBody        string
		wantContentType string
		wantHeaders     map[string]string
	}{
		{
			name: "interpolated values arrive as JSON",
			params: map[string]any{
				"body": map[string]any{"order_id": "1001", "total": 42.5, "paid": true, "items": []any{"a", "b"}, "note": nil},
			},
			wantMethod:      "POST",
			wantBody:        `{"items":["a","b"],"note":null,"order_id":"1001","paid":true,"total":42.5}`,
			wantContentType: "application/json",
		},
		{
			name:       "string body sent as is",
			params:     map[string]any{"method": "put", "body": "a=1&b=2", "headers": map[string]any{"Content-Type": "application/x-www-form-urlencoded"}},
			wantMethod: "PUT", wantBody: "a=1&b=2", wantContentType: "application/x-www-form-urlencoded",
		},
		{
			name:       "string body without content type",
			params:     map[string]any{"body": "plain"},
			wantMethod: "POST", wantBody: "plain", wantContentType: "",
		},
		{
			name:       "array body is JSON",
			params:     map[string]any{"method": "PATCH", "body": []any{1, 2}},
			wantMethod: "PATCH", wantBody: `[1,2]`, wantContentType: "application/json",
		},
		{
			name:       "user content type wins over JSON default",
			params:     map[string]any{"body": map[string]any{"a": 1}, "headers": map[string]string{"content-type": "application/vnd.api+json"}},
			wantMethod: "POST", wantBody: `{"a":1}`, wantContentType: "application/vnd.api+json",
		},
		{
			name:       "GET without body",
			params:     map[string]any{"method": "GET"},
			wantMethod: "GET", wantBody: "",
		},
		{
			name: "headers",
			params: map[string]any{
				"method":  "DELETE",
				"headers": map[string]any{"Authorization": "Bearer t0k", "X-Custom": "v", "Idempotency-Key": "theirs"},
			},
			wantMethod:  "DELETE",
			wantHeaders: map[string]string{"Authorization": "Bearer t0k", "X-Custom": "v", "Idempotency-Key": "run_1/notify"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, testConfig)
			tt.params["url"] = b.srv.URL() + "/in?x=1"
			_, err := b.action.Do(t.Context(), connectors.Request{
				RunID: "run_1", StepID: "notify", IdempotencyKey: "run_1/notify", Params: tt.params,
			})
			require.NoError(t, err)

			got := b.srv.Requests()
			require.Len(t, got, 1)
			require.Equal(t, tt.wantMethod, got[0].Method)
			require.Equal(t, "/in", got[0].Path)
			require.Equal(t, "x=1", got[0].RawQuery)
			require.Equal(t, tt.wantBody, string(got[0].Body))
			require.Equal(t, "run_1/notify", got[0].IdempotencyKey)
			if tt.wantHeaders == nil {
				require.Equal(t, tt.wantContentType, got[0].Header.Get("Content-Type"))
			}
			for k, v := range tt.wantHeaders {
				require.Equal(t, v, got[0].Header.Get(k), "header %s", k)
			}
		})
	}
}

func TestRequestIdempotencyKeyStableAcrossRetries(t *testing.T) {
	t.Parallel()
	b := setup(t, testConfig)
	b.srv.Script("/hook", fake.Response{Status: 503}, fake.Response{Status: 503})
	req := connectors.Request{IdempotencyKey: "run_7/send", Params: map[string]any{"url": b.srv.URL() + "/hook", "body": map[string]any{"n": 1}}}
	res, err := b.action.Do(t.Context(), req)
	require.NoError(t, err)
	require.Equal(t, 200, res.Output["status"])
	byKey := b.srv.ByIdempotencyKey()
	require.Len(t, byKey, 1)
	require.Len(t, byKey["run_7/send"], 3)
}

func TestRequestOutput(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", httpcall.MaxResponseBody+10)
	tests := []struct {
		name    string
		resp    fake.Response
		want    map[string]any
		wantLen int
	}{
		{
			name: "json body",
			resp: fake.Response{Status: 201, Header: http.Header{"Content-Type": {"application/json"}, "Location": {"/orders/1"}, "X-Secret": {"no"}}, Body: `{"id":"o1","n":[1,2]}`},
			want: map[string]any{
				"status":  201,
				"body":    map[string]any{"id": "o1", "n": []any{1.0, 2.0}},
				"headers": map[string]any{"content-type": "application/json", "location": "/orders/1"},
			},
		},
		{
			name: "text body",
			resp: fake.Response{Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: "accepted"},
			want: map[string]any{"status": 200, "body": "accepted", "headers": map[string]any{"content-type": "text/plain"}},
		},
		{
			name: "empty body",
			resp: fake.Response{Status: 204},
			want: map[string]any{"status": 204, "body": "", "headers": map[string]any{}},
		},
		{
			name:    "truncated body",
			resp:    fake.Response{Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: big},
			wantLen: httpcall.MaxResponseBody,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, testConfig)
			b.srv.Script("/hook", tt.resp)
			res, err := b.action.Do(t.Context(), connectors.Request{Params: map[string]any{"url": b.srv.URL() + "/hook"}})
			require.NoError(t, err)
			if tt.wantLen > 0 {
				require.Len(t, res.Output["body"], tt.wantLen)
				require.Equal(t, true, res.Output["truncated"])
				return
			}
			require.Equal(t, tt.want, res.Output)
			_, err = json.Marshal(res.Output)
			require.NoError(t, err, "output must be JSON-encodable for the step record")
		})
	}
}

func TestRequestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cfg        *httpcall.Config
		script     []fake.Response
		params     func(base string) map[string]any
		wantClass  connectors.Class
		wantReason string
		wantAfter  time.Duration
		wantMsg    string
		wantCalls  int
	}{
		{
			name:      "timeout param is retryable",
			script:    []fake.Response{{Delay: 3 * time.Second}, {Delay: 3 * time.Second}, {Delay: 3 * time.Second}},
			params:    func(b string) map[string]any { return map[string]any{"url": b + "/hook", "timeout": "300ms"} },
			wantClass: connectors.ClassRetryable, wantReason: "timeout", wantCalls: 3,
		},
		{
			name:      "connector timeout is retryable",
			cfg:       &httpcall.Config{Timeout: 300 * time.Millisecond, MaxRetries: -1},
			script:    []fake.Response{{Delay: 3 * time.Second}},
			params:    func(b string) map[string]any { return map[string]any{"url": b + "/hook"} },
			wantClass: connectors.ClassRetryable, wantReason: "timeout", wantCalls: 1,
		},
		{
			name:      "429 carries Retry-After",
			script:    []fake.Response{{Status: 429, Header: http.Header{"Retry-After": {"30"}}, Body: "slow down"}},
			params:    func(b string) map[string]any { return map[string]any{"url": b + "/hook"} },
			wantClass: connectors.ClassRetryable, wantReason: "http_429", wantAfter: 30 * time.Second,
			wantMsg: "http 429 too many requests: slow down", wantCalls: 1,
		},
		{
			name:      "404 is permanent",
			script:    []fake.Response{{Status: 404, Body: `{"error":"no such hook"}`}},
			params:    func(b string) map[string]any { return map[string]any{"url": b + "/hook"} },
			wantClass: connectors.ClassPermanent, wantReason: "http_404", wantMsg: `no such hook`, wantCalls: 1,
		},
		{
			name:      "missing url",
			params:    func(string) map[string]any { return map[string]any{} },
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `param "url": required`,
		},
		{
			name:      "relative url",
			params:    func(string) map[string]any { return map[string]any{"url": "/hook"} },
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `param "url": scheme must be http or https`,
		},
		{
			name:      "ftp url",
			params:    func(string) map[string]any { return map[string]any{"url": "ftp://x.test/a"} },
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `param "url"`,
		},
		{
			name:      "unparseable url",
			params:    func(string) map[string]any { return map[string]any{"url": "http://[::1"} },
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `param "url": not a valid URL`,
		},
		{
			name:      "url not a string",
			params:    func(string) map[string]any { return map[string]any{"url": 42} },
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `param "url"`,
		},
		{
			name:      "bad method",
			params:    func(b string) map[string]any { return map[string]any{"url": b, "method": "TRACE"} },
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `param "method": want one of GET, POST, PUT, PATCH, DELETE, got "TRACE"`,
		},
		{
			name:      "header value not a string",
			params:    func(b string) map[string]any { return map[string]any{"url": b, "headers": map[string]any{"X-N": 1}} },
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `param "headers": header "X-N": want a string value, got int`,
		},
		{
			name: "header injection",
			params: func(b string) map[string]any {
				return map[string]any{"url": b, "headers": map[string]any{"X-A": "a\r\nX-B: b"}}
			},
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `line break`,
		},
		{
			name:      "bad header name",
			params:    func(b string) map[string]any { return map[string]any{"url": b, "headers": map[string]any{"X A": "a"}} },
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `invalid header name "X A"`,
		},
		{
			name:      "headers not an object",
			params:    func(b string) map[string]any { return map[string]any{"url": b, "headers": "X-A: a"} },
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `param "headers": want an object of strings`,
		},
		{
			name:      "bad timeout",
			params:    func(b string) map[string]any { return map[string]any{"url": b, "timeout": "soon"} },
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `param "timeout"`,
		},
		{
			name:      "negative timeout",
			params:    func(b string) map[string]any { return map[string]any{"url": b, "timeout": "-1s"} },
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `param "timeout"`,
		},
		{
			name:      "timeout as a number",
			params:    func(b string) map[string]any { return map[string]any{"url": b, "timeout": 5} },
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `param "timeout"`,
		},
		{
			name:      "body not encodable",
			params:    func(b string) map[string]any { return map[string]any{"url": b, "body": map[string]any{"f": func() {}}} },
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `param "body"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig
			if tt.cfg != nil {
				cfg = *tt.cfg
			}
			b := setup(t, cfg)
			b.srv.Script("/hook", tt.script...)
			_, err := b.action.Do(t.Context(), connectors.Request{Params: tt.params(b.srv.URL())})
			require.Error(t, err)
			class, after, reason := connectors.Classify(err)
			require.Equal(t, tt.wantClass, class, "class of %v", err)
			require.Equal(t, tt.wantReason, reason, "reason of %v", err)
			require.Equal(t, tt.wantAfter, after)
			require.ErrorContains(t, err, tt.wantMsg)
			require.Equal(t, tt.wantCalls, b.srv.Count())
		})
	}
}

func TestRateLimitKey(t *testing.T) {
	t.Parallel()
	a := httpcall.New(httpcall.Config{}, nil).Actions()[0]
	tests := []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"url": "https://Hooks.Example.com/a?b=c"}, "hooks.example.com"},
		{map[string]any{"url": "http://127.0.0.1:8080/x"}, "127.0.0.1:8080"},
		{map[string]any{"url": "http://[::1"}, ""},
		{map[string]any{"url": 3}, ""},
		{map[string]any{}, ""},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, a.RateLimitKey(tt.params), "%v", tt.params)
	}
}

func TestSpecRegisters(t *testing.T) {
	t.Parallel()
	reg := connectors.NewRegistry()
	require.NoError(t, reg.Register(httpcall.New(httpcall.Config{}, nil)))
	a, ok := reg.Action(httpcall.ActionRequest)
	require.True(t, ok)
	var names []string
	for _, p := range a.Spec().Params {
		names = append(names, p.Name)
	}
	require.Equal(t, []string{"method", "url", "headers", "body", "timeout"}, names)
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, httpcall.Config{}.Validate())
	require.ErrorContains(t, httpcall.Config{MaxRetries: 50}.Validate(), "max_retries must be between -1 and 10, got 50")
}

func TestConfigYAML(t *testing.T) {
	t.Parallel()
	var cfg httpcall.Config
	src := "timeout: 3s\nmax_retries: -1\nretry_wait_min: 100ms\nretry_wait_max: 1s\nretry_after_max: 10s\n"
	require.NoError(t, yaml.Unmarshal([]byte(src), &cfg))
	require.Equal(t, httpcall.Config{
		Timeout: 3 * time.Second, MaxRetries: -1, RetryWaitMin: 100 * time.Millisecond,
		RetryWaitMax: time.Second, RetryAfterMax: 10 * time.Second,
	}, cfg)
	require.NoError(t, cfg.Validate())
}
