package shopify

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBucket(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	b := &bucket{}

	wait, ok := b.reserve(t0, time.Second)
	require.True(t, ok)
	require.Zero(t, wait, "nothing known: no wait")

	b.observe("39/40", t0)
	wait, ok = b.reserve(t0, time.Second)
	require.True(t, ok)
	require.Zero(t, wait, "the 40th call fits")

	wait, ok = b.reserve(t0, time.Second)
	require.True(t, ok)
	require.Equal(t, 500*time.Millisecond, wait, "full: one call leaks out every 1/2 s")

	wait, ok = b.reserve(t0, time.Second)
	require.True(t, ok)
	require.Equal(t, time.Second, wait, "the next reservation queues behind")

	wait, ok = b.reserve(t0, time.Second)
	require.False(t, ok, "beyond maxWait nothing is taken")
	require.Equal(t, 1500*time.Millisecond, wait)
	wait, ok = b.reserve(t0.Add(500*time.Millisecond), time.Second)
	require.True(t, ok)
	require.Equal(t, time.Second, wait)

	b.observe("2/40", t0.Add(time.Minute))
	wait, ok = b.reserve(t0.Add(time.Minute), 0)
	require.True(t, ok)
	require.Zero(t, wait, "the answer's header is the truth")

	b.observe("80/80", t0)
	wait, _ = b.reserve(t0, time.Hour)
	require.Equal(t, 250*time.Millisecond, wait, "an Advanced plan's bucket leaks 4/s")

	for _, bad := range []string{"", "40", "a/40", "40/0", "-1/40", "1/40/2", "1/9999999"} {
		b := &bucket{}
		b.observe(bad, t0)
		require.Zero(t, b.size, "%q", bad)
	}
}

type stubTransport struct{ retryAfter string }

func (s stubTransport) RoundTrip(*http.Request) (*http.Response, error) {
	h := http.Header{}
	if s.retryAfter != "" {
		h.Set("Retry-After", s.retryAfter)
	}
	return &http.Response{StatusCode: 429, Header: h, Body: io.NopCloser(strings.NewReader(""))}, nil
}

func TestRetryAfterTransport(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"2.0":                           "2",
		"2.5":                           "3",
		"0.1":                           "1",
		"0.0":                           "0",
		"120":                           "120",
		"999999999.0":                   "86400",
		"soon":                          "soon",
		"":                              "",
		"-1.5":                          "-1.5",
		"Wed, 21 Oct 2015 07:28:00 GMT": "Wed, 21 Oct 2015 07:28:00 GMT",
	}
	for in, want := range cases {
		req, err := http.NewRequest(http.MethodGet, "http://x.test/", nil)
		require.NoError(t, err)
		resp, err := retryAfterTransport{base: stubTransport{retryAfter: in}}.RoundTrip(req)
		require.NoError(t, err)
		require.Equal(t, want, resp.Header.Get("Retry-After"), "%q", in)
	}
}
