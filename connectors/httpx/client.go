package httpx

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"regexp"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// NewClient returns a retrying client for cfg (defaults applied to zero
// fields; validate cfg first). Within one Do it retries transport errors, 429
// and 5xx at most cfg.MaxRetries times, waiting for the provider's
// Retry-After when it is at most cfg.RetryAfterMax and ends before the ctx
// deadline, else for an exponential, jittered backoff between RetryWaitMin
// and RetryWaitMax. A Retry-After beyond that is not waited for: Do returns
// the response at once.
//
// Do never turns a final non-2xx answer into an error: after the last retry
// it returns the last response (body unread) with a nil error, so the caller
// reads it and calls ClassifyResponse. An error from Do means no response
// (transport failure or ctx done): pass it to ClassifyTransportError.
//
// A nil logger discards; retry logging is at debug and warn levels, with
// query strings redacted.
func NewClient(cfg Config, logger *slog.Logger) *retryablehttp.Client {
	cfg = cfg.WithDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	p := policy{cfg: cfg, now: time.Now}
	c := retryablehttp.NewClient()
	if cfg.Transport != nil {
		c.HTTPClient.Transport = cfg.Transport
	}
	c.HTTPClient.Timeout = cfg.Timeout
	c.RetryMax = cfg.retries()
	c.RetryWaitMin = cfg.RetryWaitMin
	c.RetryWaitMax = cfg.RetryWaitMax
	c.Logger = leveledLogger{logger}
	c.CheckRetry = p.checkRetry
	c.Backoff = p.backoff
	c.ErrorHandler = lastResponse
	return c
}

type policy struct {
	cfg Config
	now func() time.Time
}

// checkRetry retries transport errors (as retryablehttp's default policy
// judges them), 429 and 5xx, unless the Retry-After is beyond the cap or the
// ctx deadline.
func (p policy) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	if resp.StatusCode != http.StatusTooManyRequests && (resp.StatusCode < 500 || resp.StatusCode > 599) {
		return false, nil
	}
	if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), p.now()); ok {
		if d > p.cfg.RetryAfterMax {
			return false, nil
		}
		if dl, ok := ctx.Deadline(); ok && p.now().Add(d).After(dl) {
			return false, nil
		}
	}
	return true, nil
}

// backoff waits for the Retry-After (checkRetry has already bounded it), or
// an exponential backoff with jitter in [d/2, d].
func (p policy) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), p.now()); ok {
			return d
		}
	}
	d := minWait
	for i := 0; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// lastResponse is the ErrorHandler used when retries run out: it hands back
// the final response for the caller to classify, instead of retryablehttp's
// opaque "giving up after N attempt(s)" error. Only when there is no response
// does the error come through.
func lastResponse(resp *http.Response, err error, _ int) (*http.Response, error) {
	if resp != nil {
		return resp, nil
	}
	return nil, err
}

// leveledLogger adapts slog to retryablehttp.LeveledLogger. retryablehttp
// logs each failed attempt at error level; those are expected and handled
// (retried or classified), so they go out as warnings.
type leveledLogger struct{ l *slog.Logger }

func (l leveledLogger) Error(msg string, kv ...any) { l.l.Warn(msg, redact(kv)...) }
func (l leveledLogger) Warn(msg string, kv ...any)  { l.l.Warn(msg, redact(kv)...) }
func (l leveledLogger) Info(msg string, kv ...any)  { l.l.Debug(msg, redact(kv)...) }
func (l leveledLogger) Debug(msg string, kv ...any) { l.l.Debug(msg, redact(kv)...) }

var queryRe = regexp.MustCompile(`\?\S*`)

// redact strips query strings (which may carry tokens or personal data) from
// string values.
func redact(kv []any) []any {
	out := make([]any, len(kv))
	for i, v := range kv {
		if i%2 == 1 {
			switch x := v.(type) {
			case string:
				v = queryRe.ReplaceAllString(x, "?redacted")
			case error:
				v = queryRe.ReplaceAllString(x.Error(), "?redacted")
			}
		}
		out[i] = v
	}
	return out
}

var _ retryablehttp.LeveledLogger = leveledLogger{}
