package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// sink is the loopback HTTP endpoint the bench pipeline's http.request step
// calls. It answers 200 at once and counts raw requests, distinct
// Idempotency-Keys and distinct orders (each event carries a unique
// order_name, echoed in the step's body), with the first arrival of each key.
type sink struct {
	srv *http.Server
	ln  net.Listener

	mu      sync.Mutex
	raw     int
	noKey   int
	badBody int
	keys    map[string]time.Time // Idempotency-Key -> first arrival
	orders  map[string]struct{}
	first   time.Time
	last    time.Time // latest first-arrival of a key
	changed chan struct{}
}

// sinkSnapshot is a copy of the sink's counters.
type sinkSnapshot struct {
	raw, noKey, badBody   int
	distinctKeys          int
	distinctOrders        int
	firstArrival, lastNew time.Time
}

func startSink(expected int) (*sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &sink{
		ln:      ln,
		keys:    make(map[string]time.Time, expected),
		orders:  make(map[string]struct{}, expected),
		changed: make(chan struct{}, 1),
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the address the pipeline posts to.
func (s *sink) URL() string { return "http://" + s.ln.Addr().String() + "/sink" }

func (s *sink) serve(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	var payload struct {
		Order string `json:"order"`
	}
	bodyOK := json.Unmarshal(body, &payload) == nil && payload.Order != ""
	key := r.Header.Get("Idempotency-Key")

	s.mu.Lock()
	s.raw++
	if s.first.IsZero() {
		s.first = now
	}
	if !bodyOK {
		s.badBody++
	} else {
		s.orders[payload.Order] = struct{}{}
	}
	if key == "" {
		s.noKey++
	} else if _, seen := s.keys[key]; !seen {
		s.keys[key] = now
		if now.After(s.last) {
			s.last = now
		}
	}
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
}

// Snapshot returns the counters so far.
func (s *sink) Snapshot() sinkSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sinkSnapshot{
		raw: s.raw, noKey: s.noKey, badBody: s.badBody,
		distinctKeys: len(s.keys), distinctOrders: len(s.orders),
		firstArrival: s.first, lastNew: s.last,
	}
}

// WaitDistinct waits until the sink has seen want distinct keys and orders,
// the deadline passes, or ctx ends; it reports whether want was reached.
func (s *sink) WaitDistinct(ctx context.Context, want int, deadline time.Time) bool {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		snap := s.Snapshot()
		if snap.distinctKeys >= want && snap.distinctOrders >= want {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-timer.C:
			return false
		case <-s.changed:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Close stops the sink's server.
func (s *sink) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
}
