package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard/connectors"
)

// MaxRetryAfter caps a parsed Retry-After: a provider asking for more than a
// day is treated as asking for a day (and cannot overflow a Duration).
const MaxRetryAfter = 24 * time.Hour

// snippetLen is how much of an error body goes into the error message.
const snippetLen = 256

// StatusError is the underlying error of a classified non-2xx answer.
type StatusError struct {
	// Code is the HTTP status code.
	Code int
	// Snippet is the start of the response body, whitespace collapsed and
	// trimmed to a few hundred bytes.
	Snippet string
}

func (e *StatusError) Error() string {
	msg := "http " + strconv.Itoa(e.Code)
	if t := http.StatusText(e.Code); t != "" {
		msg += " " + strings.ToLower(t)
	}
	if e.Snippet != "" {
		msg += ": " + e.Snippet
	}
	return msg
}

// ClassifyResponse turns a provider's answer into nil (2xx) or a classified
// error whose Reason is "http_<code>":
//   - 429: retryable, with RetryAfter from the Retry-After header (delay
//     seconds or an HTTP date) when present;
//   - 408 and 5xx: retryable (RetryAfter likewise when the header is set);
//   - anything else (other 4xx, and 1xx/3xx that reach here): permanent.
//
// body is the response body as read by the caller (it may be truncated or
// nil); its start goes into the message. resp.Body is not touched.
func ClassifyResponse(resp *http.Response, body []byte) error {
	return classifyResponse(resp, body, time.Now())
}

func classifyResponse(resp *http.Response, body []byte, now time.Time) error {
	code := resp.StatusCode
	if code >= 200 && code <= 299 {
		return nil
	}
	err := &StatusError{Code: code, Snippet: snippet(body, snippetLen)}
	reason := "http_" + strconv.Itoa(code)
	if !RetryableStatus(code) {
		return connectors.Permanent(err, reason)
	}
	after, _ := ParseRetryAfter(resp.Header.Get("Retry-After"), now)
	return connectors.Retryable(err, after, reason)
}

// RetryableStatus reports whether an HTTP status is worth retrying: 408, 429
// and every 5xx.
func RetryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || (code >= 500 && code <= 599)
}

// ParseRetryAfter parses a Retry-After value as of now: delay seconds ("120")
// or an HTTP date (IMF-fixdate, RFC 850 or asctime). A date in the past gives
// 0; anything longer than MaxRetryAfter gives MaxRetryAfter. ok is false for
// an empty or malformed value (a signed or fractional number included).
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		secs, err := strconv.ParseUint(v, 10, 64)
		if err != nil || secs > uint64(MaxRetryAfter/time.Second) {
			// Only overflow fails on a string of digits.
			return MaxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	// Sub saturates instead of overflowing; clamp both ends.
	d = t.Sub(now)
	if d < 0 {
		return 0, true
	}
	return min(d, MaxRetryAfter), true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ClassifyTransportError classifies an error from Client.Do (no response):
// a timeout is retryable with reason "timeout", a cancelled ctx "canceled",
// a request that can never be sent (unsupported scheme, invalid header)
// permanent "invalid_request", and any other transport failure retryable
// "transport". An already classified error is returned unchanged; nil stays
// nil.
func ClassifyTransportError(err error) error {
	if err == nil {
		return nil
	}
	var ce *connectors.ClassifiedError
	if errors.As(err, &ce) {
		return err
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return connectors.Retryable(err, 0, "timeout")
	case errors.Is(err, context.Canceled):
		return connectors.Retryable(err, 0, "canceled")
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		msg := ue.Err.Error()
		if strings.Contains(msg, "unsupported protocol scheme") || strings.Contains(msg, "invalid header") {
			return connectors.Permanent(err, "invalid_request")
		}
	}
	return connectors.Retryable(err, 0, "transport")
}

// ReadBody reads at most limit bytes of resp.Body, then drains a little more
// (so the connection can be reused) and closes it. truncated says the body
// was longer than limit.
func ReadBody(resp *http.Response, limit int64) (body []byte, truncated bool, err error) {
	defer resp.Body.Close()
	if limit < 0 || limit == math.MaxInt64 {
		limit = math.MaxInt64 - 1
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if int64(len(body)) > limit {
		body, truncated = body[:limit], true
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	}
	if err != nil {
		return body, truncated, fmt.Errorf("read response body: %w", err)
	}
	return body, truncated, nil
}

// snippet returns the start of body for an error message: invalid UTF-8
// replaced, whitespace runs collapsed to one space, at most n bytes (cut on a
// rune boundary, "…" appended when cut).
func snippet(body []byte, n int) string {
	more := len(body) > 4*n
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(body[:min(len(body), 4*n)]), "\uFFFD")), " ")
	if len(s) <= n {
		if more {
			s += "…"
		}
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
