// Package policy is the pure decision core of the messaging policy: consent,
// opt-out scope, marketing frequency caps, quiet hours, the purpose of a
// message, the time zone of a contact and the STOP/START/HELP keywords.
//
// It does no I/O and reads no clock: the engine loads the committed consent
// state and the times of earlier marketing sends itself, passes the current
// time in, and acts on the Decision it gets back. The same Input always
// yields the same Decision. The only outside data it consults is the time
// zone database (through time.LoadLocation, in Validate and TimeZoneFor) and
// the phone-number metadata compiled into github.com/nyaruka/phonenumbers.
//
// # The gate
//
// Config.Decide runs the checks in this order and stops at the first that
// refuses:
//
//  1. input: an unknown channel, purpose or consent status, or a zero Now
//     is refused (invalid_input): the gate fails closed;
//  2. opt-out: an opt-out on the channel blocks every message when
//     Config.OptOutScope is "all" (the default) and marketing only when it is
//     "marketing"; the transactional opt-out confirmation itself always goes
//     (opted_out);
//  3. window: a message that needs the customer-service window (a free-form
//     WhatsApp, Instagram or Messenger message) cannot go once it has closed
//     (outside_window);
//  4. consent: marketing needs a current opt-in on the channel; a pending
//     double opt-in does not count (no_consent);
//  5. frequency cap: at most Cap.Max marketing messages in the sliding
//     Cap.Window before Now, counted from the sends the caller reports
//     (cap_reached);
//  6. quiet hours: marketing inside the quiet hours of the contact's time
//     zone is held, not dropped; Decision.HoldUntil is the first instant the
//     quiet hours end, when the engine checks again (quiet_hours). A hold
//     that would outlast the customer-service window is refused instead
//     (outside_window), and marketing without the contact's Location is
//     refused (invalid_input).
//
// Transactional messages skip consent, the cap and quiet hours; only an
// opt-out with scope "all" or a closed window stops them.
//
// The provider's own rules (when the WhatsApp 24-hour window is open,
// template approval, template parameters) are judged by the connector's
// MessageSender.Describe; the caller passes the window's end in
// Input.WindowCloses so that a quiet-hours hold never outlasts it, and this
// package shares the connectors' reason codes so the engine records one
// vocabulary.
//
// # Keywords
//
// Keywords.Match recognises an inbound message that is, as a whole, one of
// the configured opt-out, opt-in or help words, ignoring case, surrounding
// punctuation, symbols and emoji, repeated whitespace and full-width forms.
package policy
