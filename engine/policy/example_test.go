package policy_test

import (
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard/engine/policy"
)

func ExampleConfig_Decide() {
	cfg := policy.Defaults()
	loc, err := policy.TimeZoneFor("+61293744000", cfg.DefaultTimeZone)
	if err != nil {
		panic(err)
	}
	purpose, err := policy.PurposeFor("MARKETING", "", true)
	if err != nil {
		panic(err)
	}
	in := policy.Input{
		Channel:  policy.WhatsApp,
		Purpose:  purpose,
		Consent:  policy.OptedIn,
		Now:      time.Date(2026, 6, 6, 23, 0, 0, 0, loc), // a Saturday night
		Location: loc,
	}
	d := cfg.Decide(in)
	fmt.Println(d.Reason, d.HoldUntil.Format(time.RFC3339))

	in.Consent = policy.Pending
	d = cfg.Decide(in)
	fmt.Println(d.Reason)
	// Output:
	// quiet_hours 2026-06-08T09:00:00+10:00
	// no_consent
}

func ExampleKeywords_Match() {
	k := policy.DefaultKeywords()
	for _, text := range []string{"Stop!", "opt-out", "ＳＴＯＰ", "please stop sending", "Dezabonare"} {
		kind, word := k.Match(text)
		fmt.Printf("%q: %s %q\n", text, kind, word)
	}
	// Output:
	// "Stop!": stop "STOP"
	// "opt-out": stop "OPT OUT"
	// "ＳＴＯＰ": stop "STOP"
	// "please stop sending": none ""
	// "Dezabonare": stop "DEZABONARE"
}

func ExampleQuietHours_NextAllowed() {
	q := policy.Defaults().QuietHours
	loc, err := time.LoadLocation("Australia/Perth")
	if err != nil {
		panic(err)
	}
	next, held := q.NextAllowed(time.Date(2026, 6, 3, 21, 30, 0, 0, loc), loc)
	fmt.Println(held, next.Format("Mon 15:04 MST"))
	// Output:
	// true Thu 09:00 AWST
}
