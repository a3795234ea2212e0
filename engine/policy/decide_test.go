package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDecide(t *testing.T) {
	t.Parallel()
	syd := mustLoad(t, "Australia/Sydney")
	// Wednesday 3 June 2026, 15:00 in Sydney: outside quiet hours.
	afternoon := time.Date(2026, 6, 3, 15, 0, 0, 0, syd)
	evening := time.Date(2026, 6, 3, 21, 0, 0, 0, syd)
	saturdayNight := time.Date(2026, 6, 6, 23, 0, 0, 0, syd)
	nextMorning := time.Date(2026, 6, 4, 9, 0, 0, 0, syd)
	monday := time.Date(2026, 6, 8, 9, 0, 0, 0, syd)
	day := 24 * time.Hour
	ago := func(ds ...time.Duration) []time.Time {
		out := make([]time.Time, len(ds))
		for i, d := range ds {
			out[i] = afternoon.Add(-d)
		}
		return out
	}
	marketing := Input{Channel: WhatsApp, Purpose: Marketing, Consent: OptedIn, Now: afternoon, Location: syd}
	transactional := Input{Channel: WhatsApp, Purpose: Transactional, Now: afternoon, Location: syd}
	with := func(in Input, edit func(*Input)) Input { edit(&in); return in }
	defaults := Defaults()
	marketingScope := Defaults()
	marketingScope.OptOutScope = ScopeMarketing
	smsCap := Defaults()
	smsCap.Caps = map[Channel]Cap{SMS: {Max: 2, Window: 7 * day}, Email: {Max: 0, Window: 7 * day}}
	badQuiet := Defaults()
	badQuiet.QuietHours.Start = "8pm"
	badCap := Defaults()
	badCap.DefaultCap.Window = 0
	oddScope := Defaults()
	oddScope.OptOutScope = "sometimes"

	allow := Decision{Allow: true}
	tests := []struct {
		name        string
		cfg         Config
		in          Input
		want        Decision // Message is checked with wantMessage
		wantMessage string
	}{
		// Allowed.
		{"marketing with opt-in in the afternoon", defaults, marketing, allow, ""},
		{"transactional without any consent record", defaults, transactional, allow, ""},
		{"transactional in quiet hours", defaults, with(transactional, func(in *Input) { in.Now = evening }), allow, ""},
		{"transactional ignores the cap", defaults, with(transactional, func(in *Input) { in.RecentMarketingSends = ago(1, 2, 3, 4, 5, 6) }), allow, ""},
		{"transactional needs no location", defaults, with(transactional, func(in *Input) { in.Location = nil }), allow, ""},
		{"transactional inside its window", defaults, with(transactional, func(in *Input) { in.WindowCloses = afternoon.Add(time.Minute) }), allow, ""},

		// Opt-out.
		{"marketing after a marketing opt-out", defaults, with(marketing, func(in *Input) { in.Consent = OptedOut; in.AnyOptOut = true }),
			Decision{Reason: ReasonOptedOut}, "opted out on whatsapp; no marketing"},
		{"marketing opt-out read from Consent alone", defaults, with(marketing, func(in *Input) { in.Consent = OptedOut }),
			Decision{Reason: ReasonOptedOut}, "opted out"},
		{"marketing after an opt-out of another purpose", defaults, with(marketing, func(in *Input) { in.AnyOptOut = true }),
			Decision{Reason: ReasonOptedOut}, "opted out"},
		{"transactional after an opt-out, scope all", defaults, with(transactional, func(in *Input) { in.AnyOptOut = true }),
			Decision{Reason: ReasonOptedOut}, "opt_out_scope: all"},
		{"the opt-out confirmation goes, scope all", defaults, with(transactional, func(in *Input) { in.AnyOptOut = true; in.IsOptOutConfirmation = true }), allow, ""},
		{"the opt-out confirmation goes in quiet hours", defaults, with(transactional, func(in *Input) {
			in.AnyOptOut = true
			in.IsOptOutConfirmation = true
			in.Now = evening
		}), allow, ""},
		{"a marketing message is never an exempt confirmation", defaults, with(marketing, func(in *Input) { in.AnyOptOut = true; in.IsOptOutConfirmation = true }),
			Decision{Reason: ReasonOptedOut}, "opted out"},
		{"transactional after an opt-out, scope marketing", marketingScope, with(transactional, func(in *Input) { in.AnyOptOut = true }), allow, ""},
		{"marketing after an opt-out, scope marketing", marketingScope, with(marketing, func(in *Input) { in.AnyOptOut = true }),
			Decision{Reason: ReasonOptedOut}, "opted out"},
		{"an unknown scope reads as all", oddScope, with(transactional, func(in *Input) { in.AnyOptOut = true }),
			Decision{Reason: ReasonOptedOut}, "opted out"},

		// Window.
		{"window closed", defaults, with(transactional, func(in *Input) { in.WindowCloses = afternoon }),
			Decision{Reason: ReasonOutsideWindow}, "window on whatsapp closed at Wed 3 Jun 2026 15:00 AEST; send an approved template"},
		{"window closed, shown on the contact's clock", defaults, with(transactional, func(in *Input) { in.WindowCloses = afternoon.Add(-time.Hour).UTC() }),
			Decision{Reason: ReasonOutsideWindow}, "closed at Wed 3 Jun 2026 14:00 AEST"},

		// Consent.
		{"marketing without a consent record", defaults, with(marketing, func(in *Input) { in.Consent = Unknown }),
			Decision{Reason: ReasonNoConsent}, "no marketing opt-in on whatsapp"},
		{"marketing with an empty status", defaults, with(marketing, func(in *Input) { in.Consent = "" }),
			Decision{Reason: ReasonNoConsent}, "no marketing opt-in"},
		{"marketing with a pending double opt-in", defaults, with(marketing, func(in *Input) { in.Consent = Pending }),
			Decision{Reason: ReasonNoConsent}, "awaits confirmation (double opt-in)"},
		{"an unset purpose is marketing", defaults, with(marketing, func(in *Input) { in.Purpose = ""; in.Consent = Unknown }),
			Decision{Reason: ReasonNoConsent}, "no marketing opt-in"},

		// Cap: 4 per 30 days, sliding.
		{"three sends in the window", defaults, with(marketing, func(in *Input) { in.RecentMarketingSends = ago(day, 10*day, 29*day) }), allow, ""},
		{"four sends in the window", defaults, with(marketing, func(in *Input) { in.RecentMarketingSends = ago(day, 10*day, 20*day, 29*day) }),
			Decision{Reason: ReasonCapReached}, "has had 4 marketing messages on whatsapp in the last 30 days (the cap is 4 per 30 days); the next can go from Thu 4 Jun 2026 15:00 AEST"},
		{"a send exactly 30 days ago no longer counts", defaults, with(marketing, func(in *Input) { in.RecentMarketingSends = ago(day, 10*day, 20*day, 30*day) }), allow, ""},
		{"a send just under 30 days ago counts", defaults, with(marketing, func(in *Input) {
			in.RecentMarketingSends = ago(day, 10*day, 20*day, 30*day-time.Nanosecond)
		}), Decision{Reason: ReasonCapReached}, "the next can go from Wed 3 Jun 2026 15:00 AEST"},
		{"old sends are ignored", defaults, with(marketing, func(in *Input) { in.RecentMarketingSends = ago(31*day, 40*day, 50*day, 60*day, 90*day) }), allow, ""},
		{"unsorted sends, more than the cap", defaults, with(marketing, func(in *Input) { in.RecentMarketingSends = ago(3*day, 25*day, time.Hour, 12*day, 2*day) }),
			Decision{Reason: ReasonCapReached}, "the next can go from Sun 21 Jun 2026 15:00 AEST"}, // two must age out: 25 and 12 days old
		{"a send stamped in the future counts", defaults, with(marketing, func(in *Input) { in.RecentMarketingSends = ago(-time.Hour, day, 2*day, 3*day) }),
			Decision{Reason: ReasonCapReached}, "has had 4"},
		{"per-channel cap", smsCap, with(marketing, func(in *Input) { in.Channel = SMS; in.RecentMarketingSends = ago(day, 2*day) }),
			Decision{Reason: ReasonCapReached}, "on sms in the last 7 days (the cap is 2 per 7 days)"},
		{"per-channel cap leaves other channels at the default", smsCap, with(marketing, func(in *Input) { in.RecentMarketingSends = ago(day, 2*day) }), allow, ""},
		{"a zero cap allows no marketing", smsCap, with(marketing, func(in *Input) { in.Channel = Email }),
			Decision{Reason: ReasonCapReached}, "marketing on email is capped at 0 per 7 days; raise the cap"},

		// Quiet hours.
		{"marketing in the evening is held to the morning", defaults, with(marketing, func(in *Input) { in.Now = evening }),
			Decision{HoldUntil: nextMorning, Reason: ReasonQuietHours},
			"not sent in quiet hours (20:00–09:00 and all day Sunday, Australia/Sydney); held until Thu 4 Jun 2026 09:00 AEST"},
		{"Saturday 23:00 is held to Monday 09:00", defaults, with(marketing, func(in *Input) { in.Now = saturdayNight }),
			Decision{HoldUntil: monday, Reason: ReasonQuietHours}, "held until Mon 8 Jun 2026 09:00 AEST"},
		{"Now in UTC is read in the contact's zone", defaults, with(marketing, func(in *Input) { in.Now = evening.UTC() }),
			Decision{HoldUntil: nextMorning, Reason: ReasonQuietHours}, "held until Thu 4 Jun 2026 09:00 AEST"},
		{"a hold that ends inside the window", defaults, with(marketing, func(in *Input) { in.Now = evening; in.WindowCloses = nextMorning.Add(time.Minute) }),
			Decision{HoldUntil: nextMorning, Reason: ReasonQuietHours}, "held until"},
		{"a hold that outlasts the window", defaults, with(marketing, func(in *Input) { in.Now = evening; in.WindowCloses = nextMorning }),
			Decision{Reason: ReasonOutsideWindow}, "quiet hours in Australia/Sydney last until Thu 4 Jun 2026 09:00 AEST, after the contact's customer-service window on whatsapp closes at Thu 4 Jun 2026 09:00 AEST"},

		// Order of checks.
		{"opt-out before the window", defaults, with(marketing, func(in *Input) { in.Consent = OptedOut; in.WindowCloses = afternoon }),
			Decision{Reason: ReasonOptedOut}, "opted out"},
		{"window before consent", defaults, with(marketing, func(in *Input) { in.Consent = Unknown; in.WindowCloses = afternoon }),
			Decision{Reason: ReasonOutsideWindow}, "closed"},
		{"consent before the cap", defaults, with(marketing, func(in *Input) { in.Consent = Pending; in.RecentMarketingSends = ago(1, 2, 3, 4) }),
			Decision{Reason: ReasonNoConsent}, "awaits confirmation"},
		{"cap before quiet hours", defaults, with(marketing, func(in *Input) { in.Now = evening; in.RecentMarketingSends = ago(1, 2, 3, 4) }),
			Decision{Reason: ReasonCapReached}, "has had 4"},

		// Input and config the gate cannot judge.
		{"unknown channel", defaults, with(marketing, func(in *Input) { in.Channel = "fax" }),
			Decision{Reason: ReasonInvalidInput}, `unknown channel "fax"`},
		{"unknown purpose", defaults, with(marketing, func(in *Input) { in.Purpose = "promotional" }),
			Decision{Reason: ReasonInvalidInput}, `unknown purpose "promotional"`},
		{"unknown consent status", defaults, with(marketing, func(in *Input) { in.Consent = "subscribed" }),
			Decision{Reason: ReasonInvalidInput}, `unknown consent status "subscribed"`},
		{"no current time", defaults, with(transactional, func(in *Input) { in.Now = time.Time{} }),
			Decision{Reason: ReasonInvalidInput}, "no current time"},
		{"marketing without a location", defaults, with(marketing, func(in *Input) { in.Location = nil }),
			Decision{Reason: ReasonInvalidInput}, "needs the contact's time zone"},
		{"invalid quiet hours block marketing", badQuiet, marketing,
			Decision{Reason: ReasonInvalidConfig}, `the quiet hours are invalid (start: want HH:MM between 00:00 and 23:59, got "8pm")`},
		{"invalid quiet hours leave transactional alone", badQuiet, transactional, allow, ""},
		{"invalid cap blocks marketing", badCap, marketing, Decision{Reason: ReasonInvalidConfig}, "frequency cap for whatsapp is invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.cfg.Decide(tc.in)
			require.Equal(t, tc.want.Allow, got.Allow, "%+v", got)
			require.Equal(t, tc.want.Reason, got.Reason, "%+v", got)
			require.True(t, tc.want.HoldUntil.Equal(got.HoldUntil), "hold until: want %s, got %s", tc.want.HoldUntil, got.HoldUntil)
			if got.Allow {
				require.Empty(t, got.Message)
				require.False(t, got.Held())
				require.False(t, got.Blocked())
				return
			}
			require.Contains(t, got.Message, tc.wantMessage)
			require.Equal(t, !tc.want.HoldUntil.IsZero(), got.Held())
			require.Equal(t, tc.want.HoldUntil.IsZero(), got.Blocked())
		})
	}
}

// TestDecideRecheckAfterHold follows the engine: a held send is checked
// again at HoldUntil and then goes.
func TestDecideRecheckAfterHold(t *testing.T) {
	t.Parallel()
	syd := mustLoad(t, "Australia/Sydney")
	c := Defaults()
	in := Input{Channel: WhatsApp, Purpose: Marketing, Consent: OptedIn, Location: syd,
		Now: time.Date(2026, 10, 3, 21, 0, 0, 0, syd)} // the Saturday before daylight saving starts
	d := c.Decide(in)
	require.True(t, d.Held())
	require.Equal(t, "2026-10-05T09:00:00+11:00", d.HoldUntil.Format(time.RFC3339))
	require.Equal(t, 36*time.Hour-time.Hour, d.HoldUntil.Sub(in.Now), "the Sunday is an hour short")

	in.Now = d.HoldUntil
	require.Equal(t, Decision{Allow: true}, c.Decide(in))
}
