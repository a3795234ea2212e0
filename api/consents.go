package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/switchboardhq/switchboard/event"
	"github.com/switchboardhq/switchboard/store"
)

// Consent vocabularies accepted by POST /v1/consents.
var (
	consentChannels = []string{"whatsapp", "instagram", "messenger", "email", "sms"}
	consentPurposes = []string{"marketing", "transactional"}
	consentStatuses = []string{store.ConsentOptedIn, store.ConsentOptedOut}
	consentSources  = []string{"web_form", "whatsapp_keyword", "in_store", "lead_ad", "api", "import", "crm"}
)

// consentRequest is one opt-in or opt-out with its evidence.
type consentRequest struct {
	// ID makes a repeat harmless (the caller's id for this record).
	ID      string            `json:"id"`
	Contact *event.ContactRef `json:"contact"`
	Channel string            `json:"channel"`
	Purpose string            `json:"purpose"`
	Status  string            `json:"status"`
	Source  string            `json:"source"`
	// Words are the exact words shown to the person (an opt-in's wording,
	// or what they wrote to opt out).
	Words     string `json:"words"`
	FormID    string `json:"form_id"`
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
	// At is when the person gave or withdrew consent (RFC 3339); default now.
	At string `json:"at"`
}

func oneOf(field, v string, allowed []string) error {
	if v == "" {
		return &fieldError{field, "is required (one of " + strings.Join(allowed, ", ") + ")"}
	}
	if !slices.Contains(allowed, v) {
		return &fieldError{field, strconv.Quote(v) + " is not one of " + strings.Join(allowed, ", ")}
	}
	return nil
}

func (r *consentRequest) validate(now time.Time) (time.Time, error) {
	if r.Contact.Empty() {
		return time.Time{}, &fieldError{"contact", "is required: give contact.phone or contact.email"}
	}
	for _, c := range []struct {
		field, v string
		allowed  []string
	}{
		{"channel", r.Channel, consentChannels}, {"purpose", r.Purpose, consentPurposes},
		{"status", r.Status, consentStatuses}, {"source", r.Source, consentSources},
	} {
		if err := oneOf(c.field, c.v, c.allowed); err != nil {
			return time.Time{}, err
		}
	}
	if r.Status == store.ConsentOptedIn && strings.TrimSpace(r.Words) == "" {
		return time.Time{}, &fieldError{"words", "is required for an opt-in: the exact words the person agreed to"}
	}
	if r.Source == "web_form" && r.Status == store.ConsentOptedIn {
		for _, f := range []struct{ field, v string }{{"form_id", r.FormID}, {"ip", r.IP}, {"user_agent", r.UserAgent}} {
			if strings.TrimSpace(f.v) == "" {
				return time.Time{}, &fieldError{f.field, "is required for a web form opt-in (it is the evidence of who agreed, where)"}
			}
		}
	}
	switch {
	case (r.Channel == "whatsapp" || r.Channel == "sms") && r.Contact.Phone == "":
		return time.Time{}, &fieldError{"contact.phone", "is required for " + r.Channel + " consent"}
	case r.Channel == "email" && r.Contact.Email == "":
		return time.Time{}, &fieldError{"contact.email", "is required for email consent"}
	}
	at := now
	if r.At != "" {
		t, err := time.Parse(time.RFC3339, r.At)
		if err != nil {
			return time.Time{}, &fieldError{"at", "must be an RFC 3339 time, got " + strconv.Quote(r.At)}
		}
		if t.After(now.Add(5 * time.Minute)) {
			return time.Time{}, &fieldError{"at", "is in the future"}
		}
		at = t
	}
	return at, nil
}

// postConsent is POST /v1/consents: it accepts the opt-in or opt-out as a
// consent.changed event (202 once durable); the engine appends it to the
// audit log when it routes the event, before any pipeline runs.
func (s *Server) postConsent(c *gin.Context) {
	body, ok := s.readBody(c, "consents")
	if !ok {
		return
	}
	var r consentRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		abortError(c, http.StatusBadRequest, codeBadRequest, "body is not a consent object: "+err.Error(), "")
		return
	}
	now := s.opts.Now().UTC()
	at, err := r.validate(now)
	if err != nil {
		var fe *fieldError
		if errors.As(err, &fe) {
			abortError(c, http.StatusBadRequest, codeInvalidField, err.Error(), fe.field)
			return
		}
		abortError(c, http.StatusBadRequest, codeBadRequest, err.Error(), "")
		return
	}
	source := c.GetString("api_key")
	if !sourcePattern.MatchString(source) {
		source = "api"
	}
	ev := event.Event{
		Source: source, Type: event.ConsentChanged, Time: at, DedupKey: r.ID, Contact: r.Contact,
		Data: map[string]any{
			"channel": r.Channel, "purpose": r.Purpose, "status": r.Status, "source": r.Source, "words": r.Words,
			"form_id": r.FormID, "ip": r.IP, "user_agent": r.UserAgent, "given_at": at.Format(time.RFC3339),
		},
	}
	if ev.DedupKey == "" {
		ev.DedupKey = "consent:" + event.NewID()
	}
	evs := []event.Event{ev}
	results, ok := s.accept(c, "consents", evs)
	if !ok {
		return
	}
	c.JSON(acceptStatus(results), gin.H{"accepted": acceptedItems(evs, results)})
}

// listContactConsents is GET /v1/contacts/{id}/consents: the contact's
// consent history, oldest first, with the current state per channel and
// purpose.
func (s *Server) listContactConsents(c *gin.Context) {
	id := c.Param("id")
	hist, err := s.opts.Engine.ConsentHistory(c.Request.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		abortError(c, http.StatusNotFound, codeNotFound, "no contact with id "+strconv.Quote(id), "id")
		return
	}
	if err != nil {
		s.internal(c, "consent history", err)
		return
	}
	current := map[string]map[string]string{}
	for _, r := range hist {
		if current[r.Channel] == nil {
			current[r.Channel] = map[string]string{}
		}
		current[r.Channel][r.Purpose] = r.Status
	}
	c.JSON(http.StatusOK, gin.H{"contact_id": id, "current": current, "history": nonNil(hist)})
}
