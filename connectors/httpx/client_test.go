package httpx_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/connectortest"
	"github.com/switchboardhq/switchboard/connectors/httpcall/fake"
	"github.com/switchboardhq/switchboard/connectors/httpx"
)

// fast is a config whose backoff does not slow the tests down.
func fast() httpx.Config {
	return httpx.Config{
		Timeout:       2 * time.Second,
		RetryWaitMin:  time.Millisecond,
		RetryWaitMax:  5 * time.Millisecond,
		RetryAfterMax: 2 * time.Second,
	}
}

func TestClientRetries(t *testing.T) {
	t.Parallel()
	r := func(code int, h ...string) fake.Response {
		resp := fake.Response{Status: code, Header: http.Header{}, Body: `{"code":` + http.StatusText(code) + `}`}
		for i := 0; i+1 < len(h); i += 2 {
			resp.Header.Set(h[i], h[i+1])
		}
		return resp
	}
	tests := []struct {
		name       string
		cfg        func(httpx.Config) httpx.Config
		script     []fake.Response
		wantStatus int
		wantCalls  int
		wantClass  connectors.Class // for a non-2xx final answer
		wantAfter  time.Duration
	}{
		{
			name:       "503 503 200 succeeds within one Do",
			script:     []fake.Response{r(503), r(503), r(200)},
			wantStatus: 200, wantCalls: 3,
		},
		{
			name:       "503 beyond max retries returns the last response",
			script:     []fake.Response{r(503), r(503), r(503), r(200)},
			wantStatus: 503, wantCalls: 3, wantClass: connectors.ClassRetryable,
		},
		{
			name:       "429 after the last retry keeps its Retry-After",
			cfg:        func(c httpx.Config) httpx.Config { c.MaxRetries = 1; return c },
			script:     []fake.Response{r(429, "Retry-After", "0"), r(429, "Retry-After", "0")},
			wantStatus: 429, wantCalls: 2, wantClass: connectors.ClassRetryable, wantAfter: 0,
		},
		{
			name:       "429 with a Retry-After beyond the cap is returned at once",
			script:     []fake.Response{r(429, "Retry-After", "120")},
			wantStatus: 429, wantCalls: 1, wantClass: connectors.ClassRetryable, wantAfter: 120 * time.Second,
		},
		{
			name:       "503 with a Retry-After beyond the cap is returned at once",
			script:     []fake.Response{r(503, "Retry-After", "60")},
			wantStatus: 503, wantCalls: 1, wantClass: connectors.ClassRetryable, wantAfter: time.Minute,
		},
		{
			name:       "400 is not retried",
			script:     []fake.Response{r(400), r(200)},
			wantStatus: 400, wantCalls: 1, wantClass: connectors.ClassPermanent,
		},
		{
			name:       "408 is not retried in-process",
			script:     []fake.Response{r(408), r(200)},
			wantStatus: 408, wantCalls: 1, wantClass: connectors.ClassRetryable,
		},
		{
			name:       "no retries when max_retries is -1",
			cfg:        func(c httpx.Config) httpx.Config { c.MaxRetries = -1; return c },
			script:     []fake.Response{r(500), r(200)},
			wantStatus: 500, wantCalls: 1, wantClass: connectors.ClassRetryable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fake.NewServer()
			t.Cleanup(srv.Close)
			srv.Script("/hook", tt.script...)
			cfg := fast()
			if tt.cfg != nil {
				cfg = tt.cfg(cfg)
			}
			client := httpx.NewClient(cfg, connectortest.Logger(t))

			req, err := retryablehttp.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL()+"/hook", []byte(`{"a":1}`))
			require.NoError(t, err)
			resp, err := client.Do(req)
			require.NoError(t, err, "a final answer is a response, never an error")
			body, _, err := httpx.ReadBody(resp, 1<<10)
			require.NoError(t, err)
			require.Equal(t, tt.wantStatus, resp.StatusCode)
			require.Equal(t, tt.wantCalls, srv.Count())
			for _, got := range srv.Requests() {
				require.Equal(t, `{"a":1}`, string(got.Body), "every attempt resends the body")
			}

			cerr := httpx.ClassifyResponse(resp, body)
			if tt.wantStatus/100 == 2 {
				require.NoError(t, cerr)
				return
			}
			class, after, _ := connectors.Classify(cerr)
			require.Equal(t, tt.wantClass, class)
			require.Equal(t, tt.wantAfter, after)
		})
	}
}

func TestClientHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	srv := fake.NewServer()
	t.Cleanup(srv.Close)
	srv.Script("/hook", fake.Response{Status: 429, Header: http.Header{"Retry-After": {"1"}}})
	client := httpx.NewClient(fast(), connectortest.Logger(t))

	req, err := retryablehttp.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+"/hook", nil)
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err)
	_, _, _ = httpx.ReadBody(resp, 0)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	got := srv.Requests()
	require.Len(t, got, 2)
	require.GreaterOrEqual(t, got[1].At.Sub(got[0].At), time.Second, "the retry waited for Retry-After")
}

func TestClientRetryAfterPastDeadline(t *testing.T) {
	t.Parallel()
	srv := fake.NewServer()
	t.Cleanup(srv.Close)
	srv.Script("/hook", fake.Response{Status: 429, Header: http.Header{"Retry-After": {"2"}}})
	client := httpx.NewClient(httpx.Config{RetryAfterMax: 10 * time.Second}, nil)

	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, srv.URL()+"/hook", nil)
	require.NoError(t, err)
	start := time.Now()
	resp, err := client.Do(req)
	require.NoError(t, err)
	require.Less(t, time.Since(start), 500*time.Millisecond, "a wait past the deadline is not attempted")
	_, after, _ := connectors.Classify(httpx.ClassifyResponse(resp, nil))
	require.Equal(t, 2*time.Second, after)
	require.Equal(t, 1, srv.Count())
}

func TestClientTransportError(t *testing.T) {
	t.Parallel()
	srv := fake.NewServer()
	url := srv.URL()
	srv.Close() // nothing listens there any more

	client := httpx.NewClient(fast(), connectortest.Logger(t))
	req, err := retryablehttp.NewRequestWithContext(t.Context(), http.MethodGet, url+"/hook?token=secret", nil)
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.Error(t, err)
	require.Nil(t, resp)
	class, _, reason := connectors.Classify(httpx.ClassifyTransportError(err))
	require.Equal(t, connectors.ClassRetryable, class)
	require.Equal(t, "transport", reason)
}

func TestClientTimeout(t *testing.T) {
	t.Parallel()
	srv := fake.NewServer()
	t.Cleanup(srv.Close)
	srv.SetDefault(fake.Response{Status: 200, Delay: 5 * time.Second})
	cfg := fast()
	cfg.Timeout = 300 * time.Millisecond
	cfg.MaxRetries = 1
	client := httpx.NewClient(cfg, connectortest.Logger(t))

	req, err := retryablehttp.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+"/slow", nil)
	require.NoError(t, err)
	_, err = client.Do(req)
	class, _, reason := connectors.Classify(httpx.ClassifyTransportError(err))
	require.Equal(t, connectors.ClassRetryable, class)
	require.Equal(t, "timeout", reason)
	require.Equal(t, 2, srv.Count(), "a timed-out attempt is retried")
}

func TestClientLogsRedactQuery(t *testing.T) {
	t.Parallel()
	srv := fake.NewServer()
	t.Cleanup(srv.Close)
	srv.Script("/hook", fake.Response{Status: 503})
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client := httpx.NewClient(fast(), logger)

	req, err := retryablehttp.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+"/hook?token=secret", nil)
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err)
	_, _, _ = httpx.ReadBody(resp, 0)
	require.Contains(t, buf.String(), "retrying request")
	require.NotContains(t, buf.String(), "secret")
}

func TestConfig(t *testing.T) {
	t.Parallel()
	d := httpx.Config{}.WithDefaults()
	require.Equal(t, httpx.DefaultTimeout, d.Timeout)
	require.Equal(t, httpx.DefaultMaxRetries, d.MaxRetries)
	require.Equal(t, httpx.DefaultRetryWaitMin, d.RetryWaitMin)
	require.Equal(t, httpx.DefaultRetryWaitMax, d.RetryWaitMax)
	require.Equal(t, httpx.DefaultRetryAfterMax, d.RetryAfterMax)
	require.NoError(t, d.Validate())
	require.Equal(t, -1, httpx.Config{MaxRetries: -1}.WithDefaults().MaxRetries)

	tests := []struct {
		name string
		cfg  httpx.Config
		want []string
	}{
		{"bad base url", httpx.Config{BaseURL: "graph.facebook.com"}, []string{"base_url: scheme must be http or https"}},
		{"no host", httpx.Config{BaseURL: "http://"}, []string{"base_url: URL has no host"}},
		{"negative timeout", httpx.Config{Timeout: -time.Second}, []string{"timeout must not be negative, got -1s"}},
		{"max retries", httpx.Config{MaxRetries: 11}, []string{"max_retries must be between -1 and 10, got 11"}},
		{
			"several at once",
			httpx.Config{MaxRetries: -2, RetryWaitMin: time.Second, RetryWaitMax: time.Millisecond},
			[]string{"max_retries must be between", "retry_wait_min (1s) must not exceed retry_wait_max (1ms)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.cfg.Validate()
			require.Error(t, err)
			for _, w := range tt.want {
				require.ErrorContains(t, err, w)
			}
		})
	}
	require.Equal(t, "https://x.test/v1/messages", httpx.Config{BaseURL: "https://x.test/"}.URL("/v1/messages"))
	require.True(t, strings.HasPrefix(httpx.Config{BaseURL: "https://x.test"}.URL("a"), "https://x.test/a"))
}
