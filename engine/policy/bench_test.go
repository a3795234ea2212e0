package policy

import (
	"testing"
	"time"
)

func BenchmarkMatch(b *testing.B) {
	k := DefaultKeywords()
	for _, text := range []string{"Stop!", "please stop sending me these messages"} {
		b.Run(text, func(b *testing.B) {
			for b.Loop() {
				k.Match(text)
			}
		})
	}
}

func BenchmarkDecide(b *testing.B) {
	c := Defaults()
	syd := mustLoad(b, "Australia/Sydney")
	now := time.Date(2026, 10, 3, 21, 0, 0, 0, syd)
	in := Input{
		Channel: WhatsApp, Purpose: Marketing, Consent: OptedIn, Now: now, Location: syd,
		RecentMarketingSends: []time.Time{now.AddDate(0, 0, -3), now.AddDate(0, 0, -20), now.AddDate(0, 0, -45)},
	}
	for b.Loop() {
		c.Decide(in)
	}
}
