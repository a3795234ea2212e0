package engine

import (
	"math/rand/v2"
	"time"
)

// backoff returns how long to wait before attempt+1 after `attempt` failed
// attempts: exponential from base, capped at max, with equal jitter (half
// fixed, half random) so retries of many steps spread out; a provider's
// Retry-After is a floor, never shortened.
func backoff(attempt int, base, max, retryAfter time.Duration) time.Duration {
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	half := d / 2
	d = half + rand.N(half+1)
	if retryAfter > d {
		d = retryAfter
	}
	return d
}

// jitter returns a random duration in [0, d].
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1)
}
