package httpx

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
)

var testNow = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

func TestClassifyResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		code       int
		retryAfter string
		body       string
		wantNil    bool
		wantClass  connectors.Class
		wantAfter  time.Duration
		wantReason string
		wantMsg    string
	}{
		{name: "200", code: 200, wantNil: true},
		{name: "201", code: 201, wantNil: true},
		{name: "204", code: 204, wantNil: true},
		{
			name: "429 seconds", code: 429, retryAfter: "2", body: `{"error":"slow down"}`,
			wantClass: connectors.ClassRetryable, wantAfter: 2 * time.Second, wantReason: "http_429",
			wantMsg: `http 429 too many requests: {"error":"slow down"}`,
		},
		{
			name: "429 http date", code: 429, retryAfter: testNow.Add(90 * time.Second).Format(http.TimeFormat),
			wantClass: connectors.ClassRetryable, wantAfter: 90 * time.Second, wantReason: "http_429",
		},
		{
			name: "429 date in the past", code: 429, retryAfter: testNow.Add(-time.Hour).Format(http.TimeFormat),
			wantClass: connectors.ClassRetryable, wantAfter: 0, wantReason: "http_429",
		},
		{
			name: "429 without header", code: 429,
			wantClass: connectors.ClassRetryable, wantAfter: 0, wantReason: "http_429",
		},
		{
			name: "429 garbage header", code: 429, retryAfter: "soon",
			wantClass: connectors.ClassRetryable, wantAfter: 0, wantReason: "http_429",
		},
		{
			name: "429 huge seconds capped", code: 429, retryAfter: "99999999999999999999999",
			wantClass: connectors.ClassRetryable, wantAfter: MaxRetryAfter, wantReason: "http_429",
		},
		{name: "408", code: 408, wantClass: connectors.ClassRetryable, wantReason: "http_408"},
		{name: "500", code: 500, body: "boom", wantClass: connectors.ClassRetryable, wantReason: "http_500", wantMsg: "http 500 internal server error: boom"},
		{name: "502", code: 502, wantClass: connectors.ClassRetryable, wantReason: "http_502"},
		{
			name: "503 with retry-after", code: 503, retryAfter: "7",
			wantClass: connectors.ClassRetryable, wantAfter: 7 * time.Second, wantReason: "http_503",
		},
		{name: "400", code: 400, body: "  bad\n\n  field  ", wantClass: connectors.ClassPermanent, wantReason: "http_400", wantMsg: "http 400 bad request: bad field"},
		{name: "401", code: 401, wantClass: connectors.ClassPermanent, wantReason: "http_401", wantMsg: "http 401 unauthorized"},
		{name: "404", code: 404, wantClass: connectors.ClassPermanent, wantReason: "http_404"},
		{name: "409", code: 409, wantClass: connectors.ClassPermanent, wantReason: "http_409"},
		{name: "422", code: 422, wantClass: connectors.ClassPermanent, wantReason: "http_422"},
		{name: "400 ignores retry-after", code: 400, retryAfter: "5", wantClass: connectors.ClassPermanent, wantReason: "http_400"},
		{name: "302 reaching the caller", code: 302, wantClass: connectors.ClassPermanent, wantReason: "http_302"},
		{name: "unknown code", code: 599, wantClass: connectors.ClassRetryable, wantReason: "http_599", wantMsg: "http 599"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := &http.Response{StatusCode: tt.code, Header: http.Header{}}
			if tt.retryAfter != "" {
				resp.Header.Set("Retry-After", tt.retryAfter)
			}
			err := classifyResponse(resp, []byte(tt.body), testNow)
			if tt.wantNil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			class, after, reason := connectors.Classify(err)
			require.Equal(t, tt.wantClass, class)
			require.Equal(t, tt.wantAfter, after)
			require.Equal(t, tt.wantReason, reason)
			var se *StatusError
			require.ErrorAs(t, err, &se)
			require.Equal(t, tt.code, se.Code)
			if tt.wantMsg != "" {
				require.Equal(t, tt.wantMsg, se.Error())
			}
		})
	}
}

func TestClassifyResponseUsesWallClock(t *testing.T) {
	t.Parallel()
	resp := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"3"}}}
	_, after, _ := connectors.Classify(ClassifyResponse(resp, nil))
	require.Equal(t, 3*time.Second, after)
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"   ", 0, false},
		{"0", 0, true},
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"86400", MaxRetryAfter, true},
		{"86401", MaxRetryAfter, true},
		{"18446744073709551616", MaxRetryAfter, true},
		{"-1", 0, false},
		{"+5", 0, false},
		{"1.5", 0, false},
		{"5s", 0, false},
		{"Mon, 04 May 2026 10:00:30 GMT", 30 * time.Second, true}, // IMF-fixdate
		{"Monday, 04-May-26 10:01:00 GMT", time.Minute, true},     // RFC 850
		{"Mon May  4 10:00:10 2026", 10 * time.Second, true},      // asctime
		{"Fri, 31 Dec 1999 23:59:59 GMT", 0, true},                // past
		{"Fri, 31 Dec 9999 23:59:59 GMT", MaxRetryAfter, true},    // far future
		{"Mon, 04 May 2026 10:00:30 +0000", 0, false},             // not an HTTP date
		{"Mon, 04 May 2026 10:00:30 GMT trailing", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseRetryAfter(tt.in, testNow)
			require.Equal(t, tt.wantOK, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{
		"", "0", "2", "120", "86400", "99999999999999999999", "-1", "+1", "1.5",
		"Wed, 21 Oct 2015 07:28:00 GMT", "Wednesday, 21-Oct-15 07:28:00 GMT",
		"Wed Oct 21 07:28:00 2015", "Fri, 31 Dec 9999 23:59:59 GMT", "soon",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := ParseRetryAfter(v, testNow)
		if !ok {
			require.Zero(t, d, "a malformed value gives no wait")
			return
		}
		require.GreaterOrEqual(t, d, time.Duration(0))
		require.LessOrEqual(t, d, MaxRetryAfter)
		if s := strings.TrimSpace(v); isDigits(s) {
			want := MaxRetryAfter
			if secs, err := strconv.ParseUint(s, 10, 64); err == nil && secs < uint64(MaxRetryAfter/time.Second) {
				want = time.Duration(secs) * time.Second
			}
			require.Equal(t, want, d, "delay seconds")
		}
	})
}

func TestSnippet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"empty", "", 10, ""},
		{"collapse", " a \n\t b ", 10, "a b"},
		{"cut", "abcdefghijkl", 5, "abcde…"},
		{"cut on rune boundary", "ééé", 3, "é…"},
		{"invalid utf8", "a\xffb", 10, "a\uFFFDb"},
		{"long whitespace tail", "a" + strings.Repeat(" ", 100), 10, "a…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, snippet([]byte(tt.in), tt.n))
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

var _ net.Error = timeoutErr{}

func TestClassifyTransportError(t *testing.T) {
	t.Parallel()
	urlErr := func(err error) error { return &url.Error{Op: "Post", URL: "http://x", Err: err} }
	tests := []struct {
		name       string
		err        error
		wantClass  connectors.Class
		wantReason string
	}{
		{"deadline", urlErr(context.DeadlineExceeded), connectors.ClassRetryable, "timeout"},
		{"net timeout", urlErr(timeoutErr{}), connectors.ClassRetryable, "timeout"},
		{"canceled", urlErr(context.Canceled), connectors.ClassRetryable, "canceled"},
		{"refused", urlErr(errors.New("dial tcp: connection refused")), connectors.ClassRetryable, "transport"},
		{"bad scheme", urlErr(errors.New(`unsupported protocol scheme "ftp"`)), connectors.ClassPermanent, "invalid_request"},
		{"bad header", urlErr(errors.New(`net/http: invalid header field value for "X"`)), connectors.ClassPermanent, "invalid_request"},
		{"already classified", connectors.Permanent(errors.New("x"), "mine"), connectors.ClassPermanent, "mine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ClassifyTransportError(tt.err)
			require.ErrorIs(t, err, tt.err)
			class, _, reason := connectors.Classify(err)
			require.Equal(t, tt.wantClass, class)
			require.Equal(t, tt.wantReason, reason)
		})
	}
	require.NoError(t, ClassifyTransportError(nil))
}
