// Package fake is an HTTP sink for the httpcall connector: it records every
// request and answers from a per-path script, for tests, benchmarks and the
// quickstart. It has no provider contract to honour; it is the generic
// "somebody's webhook endpoint".
//
// A Server is safe for concurrent use: requests, scripting and inspection may
// happen at the same time.
package fake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakehttp"
)

// maxBody bounds what the sink reads of one request body.
const maxBody = 8 << 20

// Response is one scripted answer.
type Response struct {
	// Status defaults to 200.
	Status int
	Header http.Header
	Body   string
	// Delay holds the answer back (or until the client goes away), to
	// provoke client timeouts.
	Delay time.Duration
}

// Request is one recorded request.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	// IdempotencyKey is the Idempotency-Key header.
	IdempotencyKey string
	// At is when the request arrived.
	At time.Time
	// Status is what the sink answered.
	Status int
}

// DefaultResponse answers a path whose script is empty.
var DefaultResponse = Response{
	Status: http.StatusOK,
	Header: http.Header{"Content-Type": {"application/json"}},
	Body:   `{"ok":true}`,
}

// Server is the sink. Its zero value is not usable; call New or NewServer.
type Server struct {
	fakehttp.Listener
	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every recorded request
	requests []Request
	scripts  map[string][]Response
	fallback Response
	now      func() time.Time
}

var _ http.Handler = (*Server)(nil)

// New returns a sink that is not listening: mount it as an http.Handler, or
// call Start. It answers DefaultResponse until scripted.
func New() *Server {
	return &Server{
		changed:  make(chan struct{}),
		scripts:  map[string][]Response{},
		fallback: DefaultResponse,
		now:      time.Now,
	}
}

// NewServer returns a sink already listening on a loopback port (New then
// Start). Close it when done.
func NewServer() *Server {
	s := New()
	s.Start()
	return s
}

// Start listens on a loopback port (httptest). It panics if already
// started. URL and Close come with the embedded fakehttp.Listener.
func (s *Server) Start() { s.Listener.Serve(s) }

// Script appends responses to path's queue; each request to path takes the
// next one, and once the queue is empty the default response answers.
// Example: Script("/hook", Response{Status: 503}, Response{Status: 503},
// Response{Status: 200}).
func (s *Server) Script(path string, rs ...Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[path] = append(s.scripts[path], rs...)
}

// SetDefault replaces the answer for paths whose script is empty.
func (s *Server) SetDefault(r Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = r
}

// ServeHTTP records the request, then answers from the script.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))

	s.mu.Lock()
	resp := s.fallback
	if q := s.scripts[r.URL.Path]; len(q) > 0 {
		resp, s.scripts[r.URL.Path] = q[0], q[1:]
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	s.requests = append(s.requests, Request{
		Method:         r.Method,
		Path:           r.URL.Path,
		RawQuery:       r.URL.RawQuery,
		Header:         r.Header.Clone(),
		Body:           body,
		IdempotencyKey: r.Header.Get("Idempotency-Key"),
		At:             s.now(),
		Status:         status,
	})
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()

	if resp.Delay > 0 {
		t := time.NewTimer(resp.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	maps.Copy(w.Header(), resp.Header)
	w.WriteHeader(status)
	_, _ = io.WriteString(w, resp.Body)
}

// Requests returns a copy of every request recorded so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	copy(out, s.requests)
	return out
}

// Count is the number of requests recorded so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// ByIdempotencyKey groups the recorded requests by Idempotency-Key (requests
// without one are under ""), each group in arrival order.
func (s *Server) ByIdempotencyKey() map[string][]Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]Request{}
	for _, r := range s.requests {
		out[r.IdempotencyKey] = append(out[r.IdempotencyKey], r)
	}
	return out
}

// ErrTimeout is returned by WaitFor when too few requests arrived in time.
var ErrTimeout = errors.New("fake: timed out waiting for requests")

// WaitFor blocks until at least n requests have been recorded, or timeout
// passes (an error wrapping ErrTimeout that says how many arrived).
func (s *Server) WaitFor(n int, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		s.mu.Lock()
		got, ch := len(s.requests), s.changed
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("%w: want %d, got %d after %s", ErrTimeout, n, got, timeout)
		}
	}
}

// Reset forgets recorded requests and scripts, and restores DefaultResponse.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	s.scripts = map[string][]Response{}
	s.fallback = DefaultResponse
}
