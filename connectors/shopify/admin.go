package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/httpx"
)

// Admin API headers.
const (
	HeaderAccessToken = "X-Shopify-Access-Token"
	// HeaderCallLimit reports the REST leaky bucket after each call, as
	// "used/size" ("32/40").
	HeaderCallLimit = "X-Shopify-Shop-Api-Call-Limit"
)

// maxResponseBody bounds what is read of an Admin API answer.
const maxResponseBody = 4 << 20

// adminClient calls the Admin REST API of one shop.
type adminClient struct {
	baseURL       string // .../admin/api/{version}, "" when not configured
	token         string
	client        *retryablehttp.Client
	logger        *slog.Logger
	bucket        *bucket
	now           func() time.Time
	retryAfterMax time.Duration
}

// call sends one request to path (under /admin/api/{version}) with body as
// JSON (nil for none) and returns the body of a 2xx answer. Errors are
// classified: missing settings are permanent ("not_configured"); a full
// call bucket is retryable with the wait it needs ("throttled"); answers
// go through httpx.ClassifyResponse (429 with its Retry-After, 5xx
// retryable; 401, 404, 422 … permanent) and transport failures through
// httpx.ClassifyTransportError.
func (a *adminClient) call(ctx context.Context, method, path string, body any) ([]byte, error) {
	if a.baseURL == "" {
		return nil, connectors.Permanent(errors.New("connectors.shopify.shop_domain (or base_url) is not set"), "not_configured")
	}
	if a.token == "" {
		return nil, connectors.Permanent(errors.New("connectors.shopify.access_token is not set"), "not_configured")
	}
	if err := ctx.Err(); err != nil {
		return nil, connectors.Retryable(err, 0, "canceled")
	}
	if err := a.pace(ctx); err != nil {
		return nil, err
	}
	var raw any // untyped nil: no body
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, connectors.Permanent(fmt.Errorf("encode request: %w", err), "invalid_request")
		}
		raw = b
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, a.baseURL+path, raw)
	if err != nil {
		return nil, connectors.Permanent(err, "invalid_request")
	}
	req.Header.Set(HeaderAccessToken, a.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, httpx.ClassifyTransportError(err)
	}
	limit := resp.Header.Get(HeaderCallLimit)
	a.bucket.observe(limit, a.now())
	b, _, readErr := httpx.ReadBody(resp, maxResponseBody)
	a.logger.Debug("shopify admin call", "method", method, "path", path, "status", resp.StatusCode, "call_limit", limit)
	if err := httpx.ClassifyResponse(resp, b); err != nil {
		return nil, err
	}
	if readErr != nil {
		return nil, httpx.ClassifyTransportError(readErr)
	}
	return b, nil
}

// pace holds a call back while the shop's call bucket, as last reported,
// is full. A wait beyond retryAfterMax or the ctx deadline is not waited
// out: it comes back as a retryable error carrying the wait.
func (a *adminClient) pace(ctx context.Context) error {
	now := a.now()
	limit := a.retryAfterMax
	if dl, ok := ctx.Deadline(); ok {
		limit = min(limit, dl.Sub(now))
	}
	wait, ok := a.bucket.reserve(now, limit)
	if !ok {
		return connectors.Retryable(fmt.Errorf("the shop's API call bucket is full (%s): next call in %s", HeaderCallLimit, wait.Round(time.Millisecond)), wait, "throttled")
	}
	if wait <= 0 {
		return nil
	}
	a.logger.Debug("shopify call bucket full, pacing", "wait", wait)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return connectors.Retryable(ctx.Err(), 0, "canceled")
	}
}

// bucket mirrors the shop's REST leaky bucket from the call-limit header of
// the latest answer (Shopify leaks size/20 calls a second: 40 → 2/s, 80 →
// 4/s, 400 → 20/s), so calls are spaced out instead of answered 429. It is
// safe for concurrent use; before any answer it knows nothing and never
// waits.
type bucket struct {
	mu    sync.Mutex
	level float64 // calls in the bucket at `at`
	size  float64 // 0: unknown
	at    time.Time
}

// reserve takes a slot for a call at now: it returns how long the call must
// wait, and false (taking nothing) when that is longer than maxWait.
func (b *bucket) reserve(now time.Time, maxWait time.Duration) (time.Duration, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.size <= 0 {
		return 0, true
	}
	leak := b.size / 20
	level := max(0, b.level-leak*now.Sub(b.at).Seconds())
	var wait time.Duration
	if over := level + 1 - b.size; over > 0 {
		wait = time.Duration(math.Ceil(over / leak * float64(time.Second)))
	}
	if wait > 0 && wait > maxWait {
		return wait, false
	}
	// The call drains in the bucket from now on, as if made now.
	b.level, b.at = level+1, now
	return wait, true
}

// observe records a call-limit header ("used/size"); a malformed value is
// ignored.
func (b *bucket) observe(v string, now time.Time) {
	used, size, ok := parseCallLimit(v)
	if !ok {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.level, b.size, b.at = float64(used), float64(size), now
}

func parseCallLimit(v string) (used, size int, ok bool) {
	u, s, found := strings.Cut(strings.TrimSpace(v), "/")
	if !found {
		return 0, 0, false
	}
	used, err1 := strconv.Atoi(strings.TrimSpace(u))
	size, err2 := strconv.Atoi(strings.TrimSpace(s))
	if err1 != nil || err2 != nil || used < 0 || size <= 0 || size > 100000 {
		return 0, 0, false
	}
	return used, size, true
}

// decimalSecondsRe is a Retry-After in fractional seconds, as Shopify sends
// it ("2.0").
var decimalSecondsRe = regexp.MustCompile(`^\d{1,9}\.\d{1,9}$`)

// retryAfterTransport rewrites a fractional Retry-After ("2.0") into whole
// seconds, rounded up ("2"), which is what HTTP defines and what httpx
// honours; everything else passes through.
type retryAfterTransport struct {
	base http.RoundTripper
}

func (t retryAfterTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil || resp == nil {
		return resp, err
	}
	if v := strings.TrimSpace(resp.Header.Get("Retry-After")); decimalSecondsRe.MatchString(v) {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			secs := min(math.Ceil(f), httpx.MaxRetryAfter.Seconds())
			resp.Header.Set("Retry-After", strconv.FormatFloat(secs, 'f', 0, 64))
		}
	}
	return resp, nil
}
