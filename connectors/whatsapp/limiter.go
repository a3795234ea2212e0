package whatsapp

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/switchboardhq/switchboard/connectors"
)

// Meta's pair rate limit: about one message every 6 s to the same user, with
// bursts of up to 45 (contracts/meta.md §3.8).
const (
	pairEvery = 6 * time.Second
	pairBurst = 45
	// pairMaxWait is the longest a send waits in-process for its recipient's
	// bucket; a longer wait is handed to the engine as a retry.
	pairMaxWait = time.Second
	// sendReserve is the time kept back from a step's deadline for the
	// call itself when waiting for the number's bucket.
	sendReserve = 10 * time.Second
	// maxPairs bounds the recipient buckets kept; full (idle) ones are
	// dropped beyond it.
	maxPairs = 10000
)

// limiter paces sends: one token bucket for the phone number (the configured
// messages per second, burst 1, so no second ever carries more than the
// rate), and one per recipient. After Meta answers 130429 the number's rate
// drops to 70% and climbs back to the configured rate as sends succeed.
type limiter struct {
	configured float64
	number     *rate.Limiter
	// pace re-spaces sends at the moment they go: after a stall (a GC
	// pause, a slow commit) the sends whose slots passed would otherwise
	// leave together.
	pace *rate.Limiter
	now  func() time.Time

	mu      sync.Mutex
	current float64
	pairs   map[string]*rate.Limiter
}

func newLimiter(perSecond float64, now func() time.Time) *limiter {
	if perSecond <= 0 {
		perSecond = DefaultMessagesPerSecond
	}
	return &limiter{
		configured: perSecond, current: perSecond, now: now,
		number: rate.NewLimiter(rate.Limit(perSecond), 1),
		pace:   rate.NewLimiter(rate.Limit(perSecond), 1),
		pairs:  map[string]*rate.Limiter{},
	}
}

// wait returns once a send to recipient may go, or a retryable error when
// the recipient's bucket needs a long wait or ctx ends first.
func (l *limiter) wait(ctx context.Context, recipient string) error {
	if recipient != "" {
		now := l.now()
		r := l.pair(recipient).ReserveN(now, 1)
		if d := r.DelayFrom(now); d > pairMaxWait {
			r.CancelAt(now)
			return connectors.Deferred(fmt.Errorf("whatsapp: pair rate limit for this recipient: next send in %s", d.Round(time.Millisecond)), d, ReasonPairRateLimited)
		} else if d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				r.CancelAt(l.now())
				return connectors.Deferred(ctx.Err(), 0, "canceled")
			}
		}
	}
	// Wait for the number's bucket only as long as leaves the call itself
	// time to finish: a send cut off by its deadline after Meta accepted
	// it would be sent again.
	budget := time.Duration(1<<63 - 1)
	if dl, ok := ctx.Deadline(); ok {
		remaining := time.Until(dl)
		budget = remaining - min(remaining/2, sendReserve)
	}
	now := l.now()
	r := l.number.ReserveN(now, 1)
	d := r.DelayFrom(now)
	if d > budget {
		r.CancelAt(now)
		return connectors.Deferred(fmt.Errorf("whatsapp: phone number rate limit: next send in %s", d.Round(time.Millisecond)), d, ReasonRateLimited)
	}
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			r.CancelAt(l.now())
			return connectors.Deferred(ctx.Err(), 0, "canceled")
		}
	}
	now = l.now()
	if p := l.pace.ReserveN(now, 1); p.DelayFrom(now) > 0 {
		t := time.NewTimer(p.DelayFrom(now))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			p.CancelAt(l.now())
			return connectors.Deferred(fmt.Errorf("whatsapp: phone number rate limit: %w", ctx.Err()), 0, ReasonRateLimited)
		}
	}
	return nil
}

func (l *limiter) pair(recipient string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p, ok := l.pairs[recipient]; ok {
		return p
	}
	if len(l.pairs) >= maxPairs {
		now := l.now()
		for k, p := range l.pairs {
			if p.TokensAt(now) >= pairBurst {
				delete(l.pairs, k)
			}
		}
	}
	p := rate.NewLimiter(rate.Every(pairEvery), pairBurst)
	l.pairs[recipient] = p
	return p
}

// throttled slows the number down after Meta's 130429.
func (l *limiter) throttled() {
	l.mu.Lock()
	l.current = max(1, l.current*0.7)
	l.number.SetLimit(rate.Limit(l.current))
	l.pace.SetLimit(rate.Limit(l.current))
	l.mu.Unlock()
}

// succeeded lets the number's rate climb back towards the configured one.
func (l *limiter) succeeded() {
	l.mu.Lock()
	if l.current < l.configured {
		l.current = min(l.configured, l.current+l.configured/100)
		l.number.SetLimit(rate.Limit(l.current))
		l.pace.SetLimit(rate.Limit(l.current))
	}
	l.mu.Unlock()
}

// rate returns the number's current rate.
func (l *limiter) rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.current
}
