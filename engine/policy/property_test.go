package policy

import (
	"flag"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var seedFlag = flag.Uint64("policy.seed", 0, "seed for the property tests (0: a fresh one, printed)")

// propertyRand returns a generator and logs its seed, so a failure can be
// replayed with -policy.seed.
func propertyRand(t *testing.T) *rand.Rand {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (replay with -policy.seed=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// propertyZones are zones with the shapes that break naive code: daylight
// saving in both hemispheres, a half-hour change (Lord Howe), offsets in
// quarter hours (Chatham, Kathmandu), a change at midnight (Santiago), none
// at all (Brisbane, UTC).
var propertyZones = []string{
	"Australia/Sydney", "Australia/Perth", "Australia/Brisbane", "Australia/Adelaide",
	"Australia/Darwin", "Australia/Lord_Howe", "Pacific/Auckland", "Pacific/Chatham",
	"Asia/Kathmandu", "Europe/Bucharest", "America/New_York", "America/Santiago", "UTC",
}

type gen struct {
	r    *rand.Rand
	locs []*time.Location
}

func newGen(t *testing.T) gen {
	g := gen{r: propertyRand(t)}
	for _, z := range propertyZones {
		g.locs = append(g.locs, mustLoad(t, z))
	}
	return g
}

func (g gen) loc() *time.Location { return g.locs[g.r.IntN(len(g.locs))] }

// instant is a time between 2025 and 2031, half the time within a day and a
// half of one of loc's offset changes.
func (g gen) instant(loc *time.Location) time.Time {
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	t := time.Unix(from+g.r.Int64N(6*365*24*3600), g.r.Int64N(int64(time.Second))).In(loc)
	if g.r.IntN(2) == 0 {
		if _, end := t.ZoneBounds(); !end.IsZero() {
			t = end.Add(time.Duration(g.r.Int64N(int64(72*time.Hour))) - 36*time.Hour)
		}
	}
	if g.r.IntN(4) == 0 {
		t = t.Truncate(time.Minute) // land on boundaries more often
	}
	return t
}

func (g gen) quietHours() QuietHours {
	if g.r.IntN(4) == 0 {
		return Defaults().QuietHours
	}
	var q QuietHours
	if g.r.IntN(6) != 0 {
		start := g.r.IntN(24 * 60)
		end := (start + 1 + g.r.IntN(24*60-1)) % (24 * 60)
		q.Start, q.End = clock(start), clock(end)
	}
	for d := range 7 {
		if g.r.IntN(4) == 0 {
			q.Days = append(q.Days, time.Weekday(d))
		}
	}
	if len(q.Days) == 7 {
		q.Days = q.Days[1:]
	}
	return q
}

func clock(minutes int) string {
	return time.Date(2000, 1, 1, minutes/60, minutes%60, 0, 0, time.UTC).Format("15:04")
}

func (g gen) config() Config {
	c := Defaults()
	c.QuietHours = g.quietHours()
	if g.r.IntN(2) == 0 {
		c.OptOutScope = ScopeMarketing
	}
	c.DefaultCap = Cap{Max: g.r.IntN(6), Window: time.Duration(1+g.r.IntN(40)) * 24 * time.Hour}
	if g.r.IntN(2) == 0 {
		c.Caps = map[Channel]Cap{Channels[g.r.IntN(len(Channels))]: {Max: g.r.IntN(3), Window: time.Duration(1+g.r.IntN(72)) * time.Hour}}
	}
	return c
}

func (g gen) input() Input {
	loc := g.loc()
	now := g.instant(loc)
	purposes := []Purpose{Marketing, Transactional, ""}
	statuses := []Status{OptedIn, OptedIn, OptedOut, Pending, Unknown, ""}
	in := Input{
		Channel:              Channels[g.r.IntN(len(Channels))],
		Purpose:              purposes[g.r.IntN(len(purposes))],
		Consent:              statuses[g.r.IntN(len(statuses))],
		AnyOptOut:            g.r.IntN(4) == 0,
		IsOptOutConfirmation: g.r.IntN(6) == 0,
		Now:                  now,
		Location:             loc,
	}
	for range g.r.IntN(8) {
		days := time.Duration(g.r.IntN(45)) * 24 * time.Hour
		jitter := time.Duration(g.r.Int64N(int64(24 * time.Hour)))
		if g.r.IntN(3) == 0 {
			jitter = 0 // whole days: sends exactly a window ago
		}
		in.RecentMarketingSends = append(in.RecentMarketingSends, now.Add(-days-jitter))
	}
	if g.r.IntN(2) == 0 {
		in.WindowCloses = now.Add(time.Duration(g.r.Int64N(int64(72*time.Hour))) - 12*time.Hour)
	}
	return in
}

// firstAllowedBySteps is the slow oracle for NextAllowed: it walks minute
// by minute from t. Quiet hours change only on whole minutes (offsets in the
// zones tested are whole minutes), so any non-quiet stretch holds a step.
func firstAllowedBySteps(r quietRule, t time.Time, until time.Time, loc *time.Location) (time.Time, bool) {
	for u := t.Add(time.Minute); u.Before(until); u = u.Add(time.Minute) {
		if !r.quietAt(u.In(loc)) {
			return u, true
		}
	}
	return time.Time{}, false
}

func TestNextAllowedProperties(t *testing.T) {
	t.Parallel()
	g := newGen(t)
	n := 400
	if testing.Short() {
		n = 50
	}
	for i := range n {
		q := g.quietHours()
		loc := g.loc()
		at := g.instant(loc)
		r, err := q.compile()
		require.NoError(t, err)

		got, held := q.NextAllowed(at, loc)
		ctx := []any{"case %d: %+v at %s in %s -> %s, %v", i, q, at, loc, got, held}
		require.Equal(t, r.quietAt(at.In(loc)), held, ctx...)
		require.False(t, got.IsZero(), ctx...)
		require.False(t, r.quietAt(got.In(loc)), ctx...)
		if !held {
			require.True(t, got.Equal(at), ctx...)
			continue
		}
		require.True(t, got.After(at), ctx...)
		require.LessOrEqual(t, got.Sub(at), 8*24*time.Hour+2*time.Hour, ctx...)
		require.True(t, r.quietAt(got.Add(-time.Nanosecond).In(loc)), append([]any{"the instant before is quiet: "}, ctx...)...)
		if earlier, ok := firstAllowedBySteps(r, at, got, loc); ok {
			require.Failf(t, "an earlier instant is allowed", "%s; case %d: %+v at %s in %s -> %s", earlier, i, q, at, loc, got)
		}
	}
}

func TestDecideProperties(t *testing.T) {
	t.Parallel()
	g := newGen(t)
	n := 5000
	if testing.Short() {
		n = 500
	}
	for i := range n {
		c := g.config()
		in := g.input()
		d := c.Decide(in)
		ctx := []any{"case %d: config %+v input %+v -> %+v", i, c, in, d}

		require.Equal(t, d, c.Decide(in), "deterministic")
		states := 0
		for _, b := range []bool{d.Allow, d.Held(), d.Blocked()} {
			if b {
				states++
			}
		}
		require.Equal(t, 1, states, ctx...)
		if d.Allow {
			require.Empty(t, d.Reason, ctx...)
			require.Empty(t, d.Message, ctx...)
		} else {
			require.NotEmpty(t, d.Reason, ctx...)
			require.NotEmpty(t, d.Message, ctx...)
		}

		marketing := in.Purpose != Transactional
		optedOut := in.AnyOptOut || in.Consent == OptedOut
		if d.Allow && marketing {
			require.Equal(t, OptedIn, in.Consent, ctx...)
			require.False(t, optedOut, ctx...)
			require.False(t, c.QuietHours.Quiet(in.Now, in.Location), ctx...)
			limit := c.CapFor(in.Channel)
			count := 0
			for _, s := range in.RecentMarketingSends {
				if in.Now.Sub(s) < limit.Window {
					count++
				}
			}
			require.Less(t, count, limit.Max, ctx...)
		}
		if d.Allow && optedOut && c.OptOutScope == ScopeAll {
			require.True(t, !marketing && in.IsOptOutConfirmation, ctx...)
		}
		if d.Allow && !in.WindowCloses.IsZero() {
			require.True(t, in.Now.Before(in.WindowCloses), ctx...)
		}
		if d.Held() {
			require.True(t, marketing, ctx...)
			require.Equal(t, ReasonQuietHours, d.Reason, ctx...)
			require.True(t, c.QuietHours.Quiet(in.Now, in.Location), ctx...)
			require.True(t, d.HoldUntil.After(in.Now), ctx...)
			require.False(t, c.QuietHours.Quiet(d.HoldUntil, in.Location), ctx...)
			if !in.WindowCloses.IsZero() {
				require.True(t, d.HoldUntil.Before(in.WindowCloses), ctx...)
			}
			// The engine checks again at HoldUntil; nothing the gate
			// counts has got worse, so the send goes.
			again := in
			again.Now = d.HoldUntil
			require.Equal(t, Decision{Allow: true}, c.Decide(again), ctx...)
		}
		if !marketing && !d.Allow {
			require.Contains(t, []Reason{ReasonOptedOut, ReasonOutsideWindow}, d.Reason, ctx...)
		}
	}
}

func TestMatchProperties(t *testing.T) {
	t.Parallel()
	r := propertyRand(t)
	k := DefaultKeywords()
	var words []string
	for _, grp := range k.groups() {
		words = append(words, grp.words...)
	}
	decorations := []string{"", " ", "  ", "\t", "\n", ".", "!", "!!", "?", "…", "🛑", "🙏🏽", "\u200b", "\ufeff", "\u3000", "！", ")", "\""}
	for i := range 2000 {
		w := words[r.IntN(len(words))]
		want, _ := k.Match(w)
		var b []rune
		for _, ch := range w {
			switch r.IntN(4) {
			case 0:
				ch = fold(ch)
			case 1:
				if ch >= '!' && ch <= '~' {
					ch += 0xFF01 - '!' // full-width
				}
			}
			if ch == ' ' && r.IntN(2) == 0 {
				b = append(b, '\t', '\n')
			}
			b = append(b, ch)
		}
		text := decorations[r.IntN(len(decorations))] + string(b) + decorations[r.IntN(len(decorations))] + decorations[r.IntN(len(decorations))]
		got, _ := k.Match(text)
		require.Equal(t, want, got, "case %d: %q from %q", i, text, w)

		// Any extra word makes it a sentence, not a keyword.
		sentence := text + " please"
		if r.IntN(2) == 0 {
			sentence = "please " + text
		}
		got, _ = k.Match(sentence)
		require.Equal(t, KindNone, got, "case %d: %q", i, sentence)
	}
}
