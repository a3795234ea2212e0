package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Reason is the code of a refused or held send, recorded with the step.
type Reason string

// Reasons. Only ReasonQuietHours is a hold; the others block.
const (
	// ReasonInvalidInput: the caller passed something the gate cannot
	// judge (an unknown channel, purpose or status, no current time, no
	// time zone for a marketing message).
	ReasonInvalidInput Reason = "invalid_input"
	// ReasonInvalidConfig: the policy configuration is invalid (it was not
	// validated); fix it and the send can be retried.
	ReasonInvalidConfig Reason = "invalid_config"
	// ReasonOptedOut: the contact opted out on the channel.
	ReasonOptedOut Reason = "opted_out"
	// ReasonNoConsent: marketing without a current opt-in.
	ReasonNoConsent Reason = "no_consent"
	// ReasonCapReached: the marketing frequency cap is used up.
	ReasonCapReached Reason = "cap_reached"
	// ReasonQuietHours: held until quiet hours end (Decision.HoldUntil).
	ReasonQuietHours Reason = "quiet_hours"
	// ReasonOutsideWindow: a message that needs the customer-service window
	// cannot go before it closes.
	ReasonOutsideWindow Reason = "outside_window"
	// ReasonTemplateNotApproved: the template is not APPROVED. Checked by
	// the WhatsApp connector; listed here so the engine has one vocabulary.
	ReasonTemplateNotApproved Reason = "template_not_approved"
)

// Input is everything the gate needs about one outbound message, loaded by
// the caller from committed state.
type Input struct {
	// Channel the message goes out on.
	Channel Channel
	// Purpose of the message (see PurposeFor); empty counts as Marketing.
	Purpose Purpose
	// Consent is the contact's marketing consent on Channel; empty means
	// Unknown.
	Consent Status
	// AnyOptOut is true when the contact has opted out on Channel for any
	// purpose.
	AnyOptOut bool
	// IsOptOutConfirmation marks the one transactional message that
	// confirms an opt-out; it goes despite the opt-out. It must be
	// transactional: a marketing message is never exempt.
	IsOptOutConfirmation bool
	// RecentMarketingSends are the times of marketing messages actually
	// sent to the contact on Channel; those older than the cap's window are
	// ignored, so the caller may pass more than needed.
	RecentMarketingSends []time.Time
	// Now is the current time.
	Now time.Time
	// Location is the contact's time zone (see TimeZoneFor); required for
	// marketing, where quiet hours are read on its wall clock.
	Location *time.Location
	// WindowCloses, when not zero, is when the customer-service window this
	// message needs closes (a free-form WhatsApp, Instagram or Messenger
	// message); a message that cannot go before then is refused.
	WindowCloses time.Time
}

// Decision is the gate's answer. Exactly one of these holds: Allow (send
// now); HoldUntil is set (quiet hours: keep the message and ask again at
// HoldUntil); or the send is blocked. A hold or block carries a Reason code
// and a Message saying what a person can do about it.
type Decision struct {
	Allow bool
	// HoldUntil is when to check again; zero unless the send is held.
	HoldUntil time.Time
	Reason    Reason
	Message   string
}

// Held reports whether the send is held, to be re-checked at HoldUntil.
func (d Decision) Held() bool { return !d.HoldUntil.IsZero() }

// Blocked reports whether the send is refused for good.
func (d Decision) Blocked() bool { return !d.Allow && !d.Held() }

const timeLayout = "Mon 2 Jan 2006 15:04 MST"

func block(r Reason, format string, args ...any) Decision {
	return Decision{Reason: r, Message: fmt.Sprintf(format, args...)}
}

// Decide runs the gate for one message. The checks, in order, each ending
// the decision when it refuses:
//
//  1. input: unknown channel, purpose or consent status, or a zero Now
//     (invalid_input);
//  2. opt-out: with OptOutScope "all" an opt-out on the channel blocks every
//     message except a transactional opt-out confirmation; with "marketing"
//     it blocks marketing only (opted_out);
//  3. window: a message whose customer-service window has closed
//     (outside_window);
//  4. consent: marketing needs Consent OptedIn; Pending and Unknown do not
//     count (no_consent);
//  5. cap: marketing is blocked when CapFor(Channel).Max sends fall in the
//     window (Now-Window, Now] or later; a send exactly Window ago no longer
//     counts (cap_reached);
//  6. quiet hours: marketing in quiet hours on the wall clock of Location is
//     held until QuietHours.NextAllowed (quiet_hours), unless the hold would
//     reach WindowCloses (outside_window); without a Location marketing is
//     refused (invalid_input).
//
// Transactional messages stop after step 3. Decide assumes c passed
// Validate; what it cannot use of an invalid config blocks (invalid_config),
// and an unknown OptOutScope reads as "all".
func (c Config) Decide(in Input) Decision {
	if d, bad := checkInput(&in); bad {
		return d
	}
	marketing := in.Purpose == Marketing
	optedOut := in.AnyOptOut || in.Consent == OptedOut
	if optedOut {
		switch {
		case marketing:
			return block(ReasonOptedOut,
				"the contact opted out on %s; no marketing is sent until they opt in again (for example by replying START)", in.Channel)
		case c.OptOutScope != ScopeMarketing && !in.IsOptOutConfirmation:
			return block(ReasonOptedOut,
				"the contact opted out on %s and an opt-out stops every message but its confirmation (opt_out_scope: all); nothing is sent until they opt in again (for example by replying START)", in.Channel)
		}
	}
	if !in.WindowCloses.IsZero() && !in.Now.Before(in.WindowCloses) {
		return block(ReasonOutsideWindow,
			"the contact's customer-service window on %s closed at %s; send an approved template instead",
			in.Channel, inZone(in.WindowCloses, in.Location).Format(timeLayout))
	}
	if !marketing {
		return Decision{Allow: true}
	}

	switch in.Consent {
	case OptedIn:
	case Pending:
		return block(ReasonNoConsent,
			"the contact's marketing opt-in on %s awaits confirmation (double opt-in); marketing can go once they confirm", in.Channel)
	default:
		return block(ReasonNoConsent,
			"the contact has no marketing opt-in on %s; record one (with where and the words shown) before sending marketing, or set purpose: transactional if this message is a service message", in.Channel)
	}

	limit := c.CapFor(in.Channel)
	if d, capped := checkCap(in, limit); capped {
		return d
	}

	if in.Location == nil {
		return block(ReasonInvalidInput, "a marketing message needs the contact's time zone (Location, see TimeZoneFor) to check quiet hours")
	}
	until, held := c.QuietHours.NextAllowed(in.Now, in.Location)
	if !held {
		return Decision{Allow: true}
	}
	if until.IsZero() {
		if err := c.QuietHours.Validate(); err != nil {
			return block(ReasonInvalidConfig, "the quiet hours are invalid (%s); fix quiet_hours in the policy configuration",
				strings.ReplaceAll(err.Error(), "\n", "; "))
		}
		return block(ReasonInvalidConfig, "the quiet hours never end; fix quiet_hours in the policy configuration")
	}
	if !in.WindowCloses.IsZero() && !until.Before(in.WindowCloses) {
		return block(ReasonOutsideWindow,
			"quiet hours in %s last until %s, after the contact's customer-service window on %s closes at %s; send an approved template instead",
			in.Location, until.Format(timeLayout), in.Channel, in.WindowCloses.In(in.Location).Format(timeLayout))
	}
	return Decision{
		HoldUntil: until,
		Reason:    ReasonQuietHours,
		Message: fmt.Sprintf("marketing is not sent in quiet hours (%s, %s); held until %s, when it is checked again",
			c.QuietHours, in.Location, until.Format(timeLayout)),
	}
}

// checkInput fails closed on values the gate does not know and fills in the
// defaults of empty ones.
func checkInput(in *Input) (Decision, bool) {
	if !in.Channel.Valid() {
		return block(ReasonInvalidInput, "unknown channel %q (want one of %v)", in.Channel, Channels), true
	}
	if in.Purpose == "" {
		in.Purpose = Marketing
	}
	if !in.Purpose.Valid() {
		return block(ReasonInvalidInput, "unknown purpose %q (want %q or %q)", in.Purpose, Marketing, Transactional), true
	}
	if !in.Consent.Valid() {
		return block(ReasonInvalidInput, "unknown consent status %q (want %s, %s, %s or %s)",
			in.Consent, OptedIn, OptedOut, Pending, Unknown), true
	}
	if in.Now.IsZero() {
		return block(ReasonInvalidInput, "no current time (Now) was given"), true
	}
	return Decision{}, false
}

// checkCap blocks marketing once limit.Max sends fall inside the sliding
// window; the message says when the next send becomes possible.
func checkCap(in Input, limit Cap) (Decision, bool) {
	if limit.Max < 0 || limit.Window <= 0 {
		return block(ReasonInvalidConfig, "the frequency cap for %s is invalid (%d per %s); fix caps in the policy configuration",
			in.Channel, limit.Max, limit.Window), true
	}
	from := in.Now.Add(-limit.Window)
	var inWindow []time.Time
	for _, s := range in.RecentMarketingSends {
		if s.After(from) {
			inWindow = append(inWindow, s)
		}
	}
	if len(inWindow) < limit.Max {
		return Decision{}, false
	}
	if limit.Max == 0 {
		return block(ReasonCapReached, "marketing on %s is capped at %s; raise the cap to send any", in.Channel, limit), true
	}
	// The send becomes possible once enough of the oldest sends age out.
	slices.SortFunc(inWindow, func(a, b time.Time) int { return a.Compare(b) })
	frees := inWindow[len(inWindow)-limit.Max].Add(limit.Window)
	return block(ReasonCapReached,
		"the contact has had %d marketing messages on %s in the last %s (the cap is %s); the next can go from %s",
		len(inWindow), in.Channel, formatWindow(limit.Window), limit, inZone(frees, in.Location).Format(timeLayout)), true
}

// inZone shows t on the contact's wall clock when their zone is known.
func inZone(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		return t
	}
	return t.In(loc)
}
