package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard/engine/policy"
	"github.com/switchboardhq/switchboard/event"
	"github.com/switchboardhq/switchboard/store"
)

// Event types the keyword handling emits.
const (
	// HelpRequested is accepted when a person sends HELP.
	HelpRequested = "consent.help_requested"
)

// consentFromEvent reads the audit record a consent.changed event carries
// (data: channel, purpose, status, source, words or evidence, form_id, ip,
// user_agent, given_at); ok is false when it carries none that is valid.
func consentFromEvent(ev *event.Event) (store.ConsentRecord, bool) {
	d := ev.Data
	r := store.ConsentRecord{
		Channel: str(d["channel"]), Purpose: str(d["purpose"]), Status: str(d["status"]), Source: str(d["source"]),
		Words: str(d["words"]), FormID: str(d["form_id"]), IP: str(d["ip"]), UserAgent: str(d["user_agent"]),
		EventID: ev.ID, GivenAt: ev.Time,
	}
	if r.Purpose == "" {
		r.Purpose = string(policy.Marketing)
	}
	if r.Words == "" {
		r.Words = str(d["evidence"])
	}
	if r.Source == "" {
		r.Source = ev.Source
	}
	if t, err := time.Parse(time.RFC3339, str(d["given_at"])); err == nil {
		r.GivenAt = t
	}
	switch r.Status {
	case store.ConsentOptedIn, store.ConsentOptedOut, store.ConsentPending:
	default:
		return r, false
	}
	if !policy.Channel(r.Channel).Valid() || !policy.Purpose(r.Purpose).Valid() {
		return r, false
	}
	return r, true
}

// consentRecorder returns the records a consent.changed event adds to the
// audit log once its contact is resolved.
func (e *Engine) consentRecorder(ev *event.Event) store.ConsentFunc {
	if ev.Type != event.ConsentChanged {
		return nil
	}
	r, ok := consentFromEvent(ev)
	if !ok {
		e.log.Warn("consent.changed without a valid channel, purpose or status: kept as an event, not recorded", "event_id", ev.ID, "source", ev.Source)
		return nil
	}

	return func(c *event.Contact) []store.ConsentRecord {
		r.SubjectHash = e.subjectHash(r.Channel, c)
		if c == nil || r.SubjectHash == "" {
			return nil
		}
		return []store.ConsentRecord{r}
	}
}

// keyword handles an inbound message whose whole text is a STOP, START or
// HELP keyword: it accepts the consent.changed (or help request) that the
// keyword means, and says the message itself opens no run. Pipelines see
// the consent change, never the keyword.
func (e *Engine) keyword(ctx context.Context, ev *event.Event) (bool, error) {
	if ev.Type != event.MessageReceived {
		return false, nil
	}
	text := str(ev.Data["text"])
	if reply := str(ev.Data["reply_id"]); reply != "" && text == "" {
		text = reply
	}
	if text == "" {
		return false, nil
	}
	kind, word := e.cfg.Policy.Keywords.Match(text)
	if kind == policy.KindNone {
		return e.confirmation(ctx, ev, text)
	}
	channel := ev.Source
	derived := event.Event{
		Source: ev.Source, Time: ev.Time, DedupKey: "keyword:" + ev.DedupKey, Contact: ev.Contact,
		Data: map[string]any{
			"channel": channel, "purpose": string(policy.Marketing), "source": channel + "_keyword",
			"words": text, "keyword": word, "message_id": str(ev.Data["message_id"]), "message_event_id": ev.ID,
		},
	}
	switch kind {
	case policy.KindStop:
		derived.Type, derived.Data["status"] = event.ConsentChanged, store.ConsentOptedOut
	case policy.KindStart:
		derived.Type, derived.Data["status"] = event.ConsentChanged, store.ConsentOptedIn
	default:
		derived.Type = HelpRequested
	}
	if _, err := e.Accept(ctx, []event.Event{derived}); err != nil {
		return false, fmt.Errorf("accept keyword %s: %w", kind, err)
	}
	e.metrics.Keywords.WithLabelValues(channel, kind.String()).Inc()
	return true, nil
}

// ConsentHistory returns a contact's consent records, oldest first,
// including those kept under its phone's or email's subject hash (recorded
// before the contact existed, or for an erased contact with the same
// details). An unknown contact is store.ErrNotFound.
func (e *Engine) ConsentHistory(ctx context.Context, contactID string) ([]store.ConsentRecord, error) {
	c, err := e.deps.Store.GetContact(ctx, contactID)
	if err != nil {
		return nil, err
	}
	var hashes []string
	for _, ch := range []string{"whatsapp", "email"} {
		if h := e.subjectHash(ch, c); h != "" {
			hashes = append(hashes, h)
		}
	}
	return e.deps.Store.ConsentHistory(ctx, contactID, hashes...)
}

// confirmation turns a YES (or the confirm button) from a person whose
// opt-in on this channel is pending into the opt-in itself.
func (e *Engine) confirmation(ctx context.Context, ev *event.Event, text string) (bool, error) {
	channel := ev.Source
	if len(e.cfg.DoubleOptIn.Channels) == 0 || ev.Contact == nil || !e.cfg.DoubleOptIn.confirms(text) {
		return false, nil
	}
	hash := e.subjectHash(channel, &event.Contact{Phone: NormalizePhone(ev.Contact.Phone, e.cfg.DefaultRegion)})
	cur, err := e.deps.Store.CurrentConsent(ctx, "", hash, channel)
	if err != nil {
		return false, fmt.Errorf("look up pending opt-in: %w", err)
	}
	if cur[string(policy.Marketing)].Status != store.ConsentPending {
		return false, nil
	}
	confirmed := event.Event{
		Source: ev.Source, Type: event.ConsentChanged, Time: ev.Time, DedupKey: "confirm:" + ev.DedupKey, Contact: ev.Contact,
		Data: map[string]any{
			"channel": channel, "purpose": string(policy.Marketing), "status": store.ConsentOptedIn,
			"source": channel + "_confirmation", "words": text, "message_id": str(ev.Data["message_id"]), "message_event_id": ev.ID,
		},
	}
	if _, err := e.Accept(ctx, []event.Event{confirmed}); err != nil {
		return false, fmt.Errorf("accept opt-in confirmation: %w", err)
	}
	e.metrics.Keywords.WithLabelValues(channel, "confirm").Inc()
	return true, nil
}

// pendUnconfirmed turns a web-form or lead-ad marketing opt-in on a
// double opt-in channel into a pending one, in the event itself (so its
// pipelines, and the hub's confirmation request, see it pending).
func (e *Engine) pendUnconfirmed(ctx context.Context, ev *event.Event) error {
	if ev.Type != event.ConsentChanged || len(e.cfg.DoubleOptIn.Channels) == 0 {
		return nil
	}
	r, ok := consentFromEvent(ev)
	if !ok || r.Status != store.ConsentOptedIn || r.Purpose != string(policy.Marketing) || !e.cfg.DoubleOptIn.applies(r.Channel, r.Source) {
		return nil
	}
	ev.Data["status"], ev.Data["double_opt_in"] = store.ConsentPending, true
	if err := e.deps.Store.UpdateEventData(ctx, ev); err != nil {
		return fmt.Errorf("mark opt-in pending: %w", err)
	}
	return nil
}
