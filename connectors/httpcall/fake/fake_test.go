package fake_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors/httpcall/fake"
)

func post(t *testing.T, url, key, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func TestScriptPerPath(t *testing.T) {
	t.Parallel()
	srv := fake.NewServer()
	t.Cleanup(srv.Close)
	srv.Script("/a", fake.Response{Status: 503}, fake.Response{Status: 429, Header: http.Header{"Retry-After": {"2"}}}, fake.Response{Status: 400, Body: "bad"})

	tests := []struct {
		path       string
		wantStatus int
		wantHeader string
		wantBody   string
	}{
		{"/b", 200, "", `{"ok":true}`}, // another path is not affected
		{"/a", 503, "", ""},
		{"/a", 429, "2", ""},
		{"/a", 400, "", "bad"},
		{"/a", 200, "", `{"ok":true}`}, // script exhausted
	}
	for i, tt := range tests {
		resp := post(t, srv.URL()+tt.path, "k"+strconv.Itoa(i), "body")
		require.Equal(t, tt.wantStatus, resp.StatusCode, "request %d", i)
		require.Equal(t, tt.wantHeader, resp.Header.Get("Retry-After"), "request %d", i)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, tt.wantBody, string(b), "request %d", i)
	}

	got := srv.Requests()
	require.Len(t, got, 5)
	require.Equal(t, "/a", got[1].Path)
	require.Equal(t, "body", string(got[1].Body))
	require.Equal(t, "k1", got[1].IdempotencyKey)
	require.Equal(t, 503, got[1].Status)
	require.False(t, got[2].At.Before(got[1].At))
}

func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	srv := fake.NewServer()
	t.Cleanup(srv.Close)

	const n = 40
	done := make(chan error, 1)
	go func() { done <- srv.WaitFor(n, 10*time.Second) }()

	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/hook", strings.NewReader("x"))
			req.Header.Set("Idempotency-Key", "key-"+strconv.Itoa(i%4))
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				_ = resp.Body.Close()
			}
		})
		_ = srv.Requests() // inspection alongside traffic
	}
	wg.Wait()
	require.NoError(t, <-done)
	require.Equal(t, n, srv.Count())
	byKey := srv.ByIdempotencyKey()
	require.Len(t, byKey, 4)
	for _, reqs := range byKey {
		require.Len(t, reqs, n/4)
	}
}

func TestWaitForTimesOut(t *testing.T) {
	t.Parallel()
	srv := fake.NewServer()
	t.Cleanup(srv.Close)
	post(t, srv.URL()+"/x", "", "")
	err := srv.WaitFor(2, 20*time.Millisecond)
	require.ErrorIs(t, err, fake.ErrTimeout)
	require.ErrorContains(t, err, "want 2, got 1")
	require.NoError(t, srv.WaitFor(1, time.Millisecond))
}

func TestResetAndDefault(t *testing.T) {
	t.Parallel()
	srv := fake.NewServer()
	t.Cleanup(srv.Close)
	srv.SetDefault(fake.Response{Status: 202})
	srv.Script("/x", fake.Response{Status: 500})
	require.Equal(t, 500, post(t, srv.URL()+"/x", "", "").StatusCode)
	require.Equal(t, 202, post(t, srv.URL()+"/x", "", "").StatusCode)

	srv.Reset()
	require.Zero(t, srv.Count())
	require.Equal(t, 200, post(t, srv.URL()+"/x", "", "").StatusCode)
}

func TestHandlerWithoutListening(t *testing.T) {
	t.Parallel()
	s := fake.New()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/mounted", strings.NewReader("{}")))
	require.Equal(t, 200, rec.Code)
	require.Equal(t, "PUT", s.Requests()[0].Method)
	require.Panics(t, func() { s.URL() })
	s.Close() // no-op when not started

	s.Start()
	t.Cleanup(s.Close)
	require.Panics(t, s.Start)
	require.True(t, strings.HasPrefix(s.URL(), "http://127.0.0.1:"))
}
