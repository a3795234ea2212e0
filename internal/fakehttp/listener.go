// Package fakehttp holds what the providers' fakes share: a loopback
// listener that is started on demand, so a fake can also be used as a plain
// http.Handler without one.
package fakehttp

import (
	"net/http"
	"net/http/httptest"
	"sync"
)

// Listener serves one handler on a loopback port once started. Its zero
// value is ready to use and it is safe for concurrent use.
type Listener struct {
	mu  sync.Mutex
	srv *httptest.Server
}

// Serve starts serving h (httptest). It panics if already started.
func (l *Listener) Serve(h http.Handler) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.srv != nil {
		panic("fake: server already started")
	}
	l.srv = httptest.NewServer(h)
}

// URL is the base URL of a started listener, without a trailing slash. It
// panics if not started.
func (l *Listener) URL() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.srv == nil {
		panic("fake: server not started")
	}
	return l.srv.URL
}

// Close stops a started listener; it may be called more than once, and
// before Serve.
func (l *Listener) Close() {
	l.mu.Lock()
	srv := l.srv
	l.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}
