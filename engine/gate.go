package engine

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/engine/policy"
	"github.com/switchboardhq/switchboard/event"
	"github.com/switchboardhq/switchboard/store"
)

// SystemPrefix names the pipelines the hub itself defines (the keyword
// replies); user pipelines may not use it.
const SystemPrefix = "system."

// subjectKeySetting names the generated key of subject hashes when the
// config gives none.
const subjectKeySetting = "subject_hash_key"

// SubjectHash is the keyed hash under which consent is kept for a phone,
// email or provider id: the consent record outlives an erased contact, and
// the same person coming back is recognised without keeping their details.
func SubjectHash(key []byte, channel, id string) string {
	if id == "" {
		return ""
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(subjectKind(channel) + ":" + strings.ToLower(strings.TrimSpace(id))))
	return hex.EncodeToString(m.Sum(nil))
}

// subjectKind says which identifier a channel's consent belongs to.
func subjectKind(channel string) string {
	switch channel {
	case "email":
		return "email"
	case "instagram", "messenger":
		return channel
	}
	return "phone"
}

// subjectOf returns the identifier a channel's consent is kept for.
func subjectOf(channel string, c *event.Contact) string {
	if c == nil {
		return ""
	}
	switch subjectKind(channel) {
	case "email":
		return c.Email
	case "phone":
		return c.Phone
	}
	return c.ProviderIDs[channel]
}

func (e *Engine) subjectHash(channel string, c *event.Contact) string {
	return SubjectHash(e.subjectKey, channel, subjectOf(channel, c))
}

// gate applies the messaging policy to a message step at send time, against
// the consent state committed now: nil to send, a Blocked error, or a
// Deferred one that holds the step until the quiet hours end.
func (e *Engine) gate(ctx context.Context, pipeline string, st *runState, inputs map[string]any, info connectors.MessageInfo, now time.Time) error {
	stepPurpose, _ := inputs["purpose"].(string)
	purpose, err := policy.PurposeFor(info.TemplateCategory, stepPurpose, info.Template != "")
	if err != nil {
		return connectors.Permanent(fmt.Errorf("messaging policy: %w", err), "invalid_purpose")
	}
	ch := policy.Channel(info.Channel)
	in := policy.Input{Channel: ch, Purpose: purpose, Now: now}
	c := st.contact
	if c != nil && c.ID != "" {
		cur, err := e.deps.Store.CurrentConsent(ctx, c.ID, e.subjectHash(info.Channel, c), info.Channel)
		if err != nil {
			return connectors.Retryable(err, 0, "consent_lookup")
		}
		if r, ok := cur[connectors.PurposeMarketing]; ok {
			in.Consent = policy.Status(r.Status)
		}
		for _, r := range cur {
			if r.Status == store.ConsentOptedOut {
				in.AnyOptOut = true
			}
		}
		if purpose == policy.Marketing {
			cp := e.cfg.Policy.CapFor(ch)
			if in.RecentMarketingSends, err = e.deps.Store.MarketingSends(ctx, c.ID, info.Channel, now.Add(-cp.Window)); err != nil {
				return connectors.Retryable(err, 0, "consent_lookup")
			}
		}
		if info.Template == "" && c.LastInbound != nil && (info.Channel == "whatsapp" || info.Channel == "instagram" || info.Channel == "messenger") {
			in.WindowCloses = c.LastInbound.Add(24 * time.Hour)
		}
	}
	phone := ""
	if c != nil {
		phone = c.Phone
	}
	if in.Location, err = policy.TimeZoneFor(phone, e.cfg.Policy.DefaultTimeZone); err != nil {
		return connectors.Permanent(fmt.Errorf("messaging policy: %w", err), "invalid_config")
	}
	confirm, _ := inputs["opt_out_confirmation"].(bool)
	in.IsOptOutConfirmation = confirm && strings.HasPrefix(pipeline, SystemPrefix)

	d := e.cfg.Policy.Decide(in)
	switch {
	case d.Allow:
		return nil
	case !d.HoldUntil.IsZero():
		e.metrics.StepsHeld.WithLabelValues(string(d.Reason)).Inc()
		return connectors.Deferred(errors.New("held by the messaging policy: "+d.Message), d.HoldUntil.Sub(now), string(d.Reason))
	}
	return connectors.Blocked(errors.New(d.Message), string(d.Reason))
}
