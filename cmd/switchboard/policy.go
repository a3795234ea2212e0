package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/config"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/engine/policy"
)

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// doubleOptIn is the config's double opt-in as the engine takes it.
func doubleOptIn(p config.Policy) engine.DoubleOptIn {
	d := p.DoubleOptIn
	return engine.DoubleOptIn{Channels: d.Channels, Template: d.Template, Language: d.Language, Words: d.Words}
}

// policyConfig turns the config's policy section into the engine's, over
// the defaults, and checks it.
func policyConfig(p config.Policy) (policy.Config, engine.KeywordReplies, error) {
	pc := policy.Defaults()
	if p.TimeZone != "" {
		pc.DefaultTimeZone = p.TimeZone
	}
	if p.QuietHours.Start != "" || p.QuietHours.End != "" {
		pc.QuietHours.Start, pc.QuietHours.End = p.QuietHours.Start, p.QuietHours.End
	}
	if p.QuietHours.Days != nil {
		pc.QuietHours.Days = nil
		for _, d := range p.QuietHours.Days {
			wd, ok := weekdays[strings.ToLower(strings.TrimSpace(d))]
			if !ok {
				return pc, engine.KeywordReplies{}, fmt.Errorf("policy.quiet_hours.days: %q is not a day of the week", d)
			}
			pc.QuietHours.Days = append(pc.QuietHours.Days, wd)
		}
	}
	toCap := func(c config.Cap) policy.Cap {
		out := pc.DefaultCap
		if c.Max != 0 || c.Days != 0 {
			out.Max = c.Max
		}
		if c.Days != 0 {
			out.Window = time.Duration(c.Days) * 24 * time.Hour
		}
		return out
	}
	pc.DefaultCap = toCap(p.MarketingCap)
	for ch, c := range p.Caps {
		if pc.Caps == nil {
			pc.Caps = map[policy.Channel]policy.Cap{}
		}
		pc.Caps[policy.Channel(ch)] = toCap(c)
	}
	if p.OptOutScope != "" {
		pc.OptOutScope = policy.OptOutScope(p.OptOutScope)
	}
	for lang, ks := range p.Keywords {
		if pc.Keywords.Languages == nil {
			pc.Keywords.Languages = map[string]policy.KeywordSet{}
		}
		set := pc.Keywords.Languages[lang]
		set.Stop = append(set.Stop, ks.Stop...)
		set.Start = append(set.Start, ks.Start...)
		set.Help = append(set.Help, ks.Help...)
		pc.Keywords.Languages[lang] = set
	}
	if err := pc.Validate(); err != nil {
		return pc, engine.KeywordReplies{}, fmt.Errorf("policy: %w", err)
	}
	return pc, engine.KeywordReplies{Stop: p.Replies.Stop, Start: p.Replies.Start, Help: p.Replies.Help}, nil
}
