package fake

import "time"

// bucket is a token bucket: rate tokens a second, holding at most burst.
// It is not safe for concurrent use; the Server's lock guards it.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

// newBucket starts full.
func newBucket(rate, burst float64, now time.Time) *bucket {
	if burst < 1 {
		burst = 1
	}
	return &bucket{rate: rate, burst: burst, tokens: burst, last: now}
}

func (b *bucket) refill(now time.Time) {
	if now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
}

// ready reports whether a token is available at now, without taking it.
func (b *bucket) ready(now time.Time) bool {
	b.refill(now)
	return b.tokens >= 1
}

// take spends a token; call it only after ready reported true for the same
// now, under the same lock.
func (b *bucket) take() { b.tokens-- }

// setRate changes the rate and burst, keeping the tokens already earned (up
// to the new burst).
func (b *bucket) setRate(rate, burst float64, now time.Time) {
	b.refill(now)
	if burst < 1 {
		burst = 1
	}
	b.rate, b.burst = rate, burst
	b.tokens = min(b.tokens, burst)
}
