package httpcall

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/httpx"
)

// ActionRequest is the name of the connector's action.
const ActionRequest = "http.request"

// Parameter names of http.request.
const (
	ParamMethod  = "method"
	ParamURL     = "url"
	ParamHeaders = "headers"
	ParamBody    = "body"
	ParamTimeout = "timeout"
)

// MaxResponseBody is how much of a response body lands in the output; a
// longer body is cut there, returned as a string, and flagged truncated.
const MaxResponseBody = 64 << 10

// methods are the accepted values of the method parameter.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// outputHeaders are the response headers copied to the output (lower-case).
var outputHeaders = []string{"content-type", "location", "etag", "last-modified", "x-request-id"}

var spec = connectors.ActionSpec{
	Name:        ActionRequest,
	Description: "Call an HTTP(S) endpoint. Output: status, body (parsed JSON, or text), selected headers.",
	Params: []connectors.ParamSpec{
		{
			Name: ParamMethod, Type: connectors.TypeString, Default: http.MethodPost, Enum: methods,
			Description: "HTTP method.",
		},
		{
			Name: ParamURL, Type: connectors.TypeString, Required: true,
			Description: "Absolute http or https URL.",
			Example:     "https://hooks.example.com/orders",
		},
		{
			Name: ParamHeaders, Type: connectors.TypeObject,
			Description: "Extra request headers; every value a string. Idempotency-Key is always the step's own.",
			Example:     map[string]any{"Authorization": "Bearer ${{ secrets.hook_token }}"},
		},
		{
			Name: ParamBody, Type: connectors.TypeAny,
			Description: "Request body: a string is sent as is; anything else is sent as JSON with Content-Type: application/json.",
			Example:     map[string]any{"order_id": "${{ event.data.id }}"},
		},
		{
			Name: ParamTimeout, Type: connectors.TypeString,
			Description: "Per-attempt timeout as a Go duration, overriding the connector's timeout setting.",
			Example:     "5s",
		},
	},
}

type requestAction struct {
	cfg               httpx.Config
	logger            *slog.Logger
	client            *retryablehttp.Client
	clientWithTimeout func(time.Duration) *retryablehttp.Client
}

var (
	_ connectors.Action           = (*requestAction)(nil)
	_ connectors.SandboxResponder = (*requestAction)(nil)
)

func (a *requestAction) Spec() connectors.ActionSpec { return spec }

// RateLimitKey is the URL's host (with port, lower-case), or "" when the URL
// is missing or invalid (Do will reject it).
func (a *requestAction) RateLimitKey(params map[string]any) string {
	raw, ok := params[ParamURL].(string)
	if !ok {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// SandboxResult is what a sandboxed call returns: the shape of a real
// output, so later steps can read status and body.
func (a *requestAction) SandboxResult(connectors.Request) connectors.Result {
	return connectors.Result{Output: map[string]any{
		"sandbox": true,
		"status":  http.StatusOK,
		"body":    "",
		"headers": map[string]any{},
	}}
}

// call is a request's validated parameters.
type call struct {
	method      string
	url         string
	host        string
	headers     http.Header
	body        []byte
	contentType string
	timeout     time.Duration
}

// Do sends the request. Errors are classified: bad parameters are permanent
// (reason "invalid_param"); the answer is classified by
// httpx.ClassifyResponse, and a missing answer by
// httpx.ClassifyTransportError.
func (a *requestAction) Do(ctx context.Context, req connectors.Request) (connectors.Result, error) {
	c, err := parseParams(req.Params)
	if err != nil {
		return connectors.Result{}, connectors.Permanent(fmt.Errorf("%s: %w", ActionRequest, err), "invalid_param")
	}
	where := fmt.Sprintf("%s %s %s", ActionRequest, c.method, c.host)

	hreq, err := retryablehttp.NewRequestWithContext(ctx, c.method, c.url, c.body)
	if err != nil {
		return connectors.Result{}, connectors.Permanent(fmt.Errorf("%s: %w", where, err), "invalid_request")
	}
	maps.Copy(hreq.Header, c.headers)
	if c.contentType != "" && hreq.Header.Get("Content-Type") == "" {
		hreq.Header.Set("Content-Type", c.contentType)
	}
	if req.IdempotencyKey != "" {
		hreq.Header.Set("Idempotency-Key", req.IdempotencyKey)
	}

	client := a.client
	if c.timeout > 0 {
		client = a.clientWithTimeout(c.timeout)
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return connectors.Result{}, fmt.Errorf("%s: %w", where, httpx.ClassifyTransportError(err))
	}
	body, truncated, readErr := httpx.ReadBody(resp, MaxResponseBody)
	if err := httpx.ClassifyResponse(resp, body); err != nil {
		return connectors.Result{}, fmt.Errorf("%s: %w", where, err)
	}
	if readErr != nil {
		return connectors.Result{}, fmt.Errorf("%s: %w", where, httpx.ClassifyTransportError(readErr))
	}
	return connectors.Result{Output: output(resp, body, truncated)}, nil
}

func output(resp *http.Response, body []byte, truncated bool) map[string]any {
	headers := map[string]any{}
	for _, h := range outputHeaders {
		if v := resp.Header.Get(h); v != "" {
			headers[h] = v
		}
	}
	out := map[string]any{
		"status":  resp.StatusCode,
		"headers": headers,
	}
	var parsed any
	switch {
	case truncated:
		out["body"] = string(body)
		out["truncated"] = true
	case len(body) > 0 && json.Unmarshal(body, &parsed) == nil:
		out["body"] = parsed
	default:
		out["body"] = string(body)
	}
	return out
}

// parseParams validates params; each error names its parameter.
func parseParams(params map[string]any) (call, error) {
	var c call

	c.method = http.MethodPost
	if v, ok := params[ParamMethod]; ok && v != nil {
		s, ok := v.(string)
		if !ok {
			return c, fmt.Errorf("param %q: want a string, got %T", ParamMethod, v)
		}
		s = strings.ToUpper(strings.TrimSpace(s))
		if !slices.Contains(methods, s) {
			return c, fmt.Errorf("param %q: want one of %s, got %q", ParamMethod, strings.Join(methods, ", "), v)
		}
		c.method = s
	}

	raw, ok := params[ParamURL].(string)
	if !ok || raw == "" {
		return c, fmt.Errorf("param %q: required, want an absolute http or https URL", ParamURL)
	}
	if err := httpx.CheckURL(raw); err != nil {
		return c, fmt.Errorf("param %q: %w", ParamURL, err)
	}
	u, _ := url.Parse(raw) // CheckURL parsed it already
	c.url, c.host = raw, u.Host

	headers, err := parseHeaders(params[ParamHeaders])
	if err != nil {
		return c, err
	}
	c.headers = headers

	switch b := params[ParamBody].(type) {
	case nil:
	case string:
		c.body = []byte(b)
	case []byte:
		c.body = b
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			return c, fmt.Errorf("param %q: cannot encode as JSON: %w", ParamBody, err)
		}
		c.body, c.contentType = enc, "application/json"
	}

	if v, ok := params[ParamTimeout]; ok && v != nil {
		s, ok := v.(string)
		if !ok {
			return c, fmt.Errorf("param %q: want a duration string such as \"5s\", got %T", ParamTimeout, v)
		}
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d <= 0 {
			return c, fmt.Errorf("param %q: want a positive duration such as \"5s\", got %q", ParamTimeout, s)
		}
		c.timeout = d
	}
	return c, nil
}

func parseHeaders(v any) (http.Header, error) {
	h := http.Header{}
	add := func(k string, val any) error {
		s, ok := val.(string)
		if !ok {
			return fmt.Errorf("param %q: header %q: want a string value, got %T", ParamHeaders, k, val)
		}
		if !validHeaderName(k) {
			return fmt.Errorf("param %q: invalid header name %q", ParamHeaders, k)
		}
		if strings.ContainsAny(s, "\r\n\x00") {
			return fmt.Errorf("param %q: header %q: value contains a line break or NUL", ParamHeaders, k)
		}
		h.Set(k, s)
		return nil
	}
	switch m := v.(type) {
	case nil:
	case map[string]any:
		for k, val := range m {
			if err := add(k, val); err != nil {
				return nil, err
			}
		}
	case map[string]string:
		for k, val := range m {
			if err := add(k, val); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("param %q: want an object of strings, got %T", ParamHeaders, v)
	}
	return h, nil
}

// validHeaderName reports whether k is an RFC 9110 token.
func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
