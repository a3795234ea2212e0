package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/switchboardhq/switchboard/event"
)

// Message purposes, as the policy gate counts them.
const (
	PurposeMarketing     = "marketing"
	PurposeTransactional = "transactional"
)

// MessageSender is implemented by actions that send a message to a person
// (a WhatsApp template, an Instagram DM). The engine asks Describe before the
// send, in sandbox mode too, so a message the provider would refuse is
// refused here first, without a call.
type MessageSender interface {
	// Describe checks the provider's own rules for req (for WhatsApp the
	// 24-hour window and template approval and parameters) and says what
	// would be sent. A refusal is a Blocked error whose reason is a code
	// (outside_window, template_not_approved, template_params, ...); an
	// error that is not Blocked means the rules could not be checked yet
	// (a template sync failed, say) and is retried. Describe does no
	// provider I/O except, at most, refreshing a stale cache.
	Describe(ctx context.Context, req Request) (MessageInfo, error)
}

// MessageInfo is what an outbound message is.
type MessageInfo struct {
	// Channel is the connector's channel ("whatsapp").
	Channel string
	// Purpose is PurposeMarketing, PurposeTransactional, or "" when the
	// action cannot tell (a free-form message; the gate decides).
	Purpose string
	// Template and TemplateLanguage name the template that would be sent,
	// if any; TemplateCategory is its provider category (MARKETING,
	// UTILITY, AUTHENTICATION).
	Template         string
	TemplateLanguage string
	TemplateCategory string
	// Fallback is true when the step's fallback template replaces a
	// free-form message because the window is closed.
	Fallback bool
}

// SentMessage is one message a provider accepted.
type SentMessage struct {
	// ID is the provider's message id (a wamid).
	ID               string
	Connector        string
	ContactID        string
	RunID            string
	StepID           string
	Pipeline         string
	Action           string
	Template         string
	TemplateLanguage string
	Purpose          string
	SentAt           time.Time
}

// MessageLog keeps the messages connectors send, so that delivery statuses
// can be kept on them. It must be safe for concurrent use; RecordSent returns
// once the record is durable, and a repeat for the same ID is recorded once.
type MessageLog interface {
	RecordSent(ctx context.Context, m SentMessage) error
}

// Observer is implemented by connectors that keep state derived from their
// own inbound events (WhatsApp's template registry follows
// template.status_changed). The engine calls Observe for each accepted event
// whose Source is the connector's name, before routing it; an error has the
// event redelivered, so Observe must be idempotent.
type Observer interface {
	Observe(ctx context.Context, ev *event.Event) error
}

// StateStore keeps small documents a connector must find again after a
// restart (a template registry), keyed by a name the connector owns
// ("whatsapp/templates"). Safe for concurrent use.
type StateStore interface {
	GetState(ctx context.Context, key string) (value []byte, updated time.Time, ok bool, err error)
	PutState(ctx context.Context, key string, value []byte, now time.Time) error
}

// Health is what a connector reports about its outbound side for
// GET /v1/connectors and /readyz.
type Health struct {
	// Degraded is set while the connector cannot work without a person's
	// help (an expired access token); Reason says what to do.
	Degraded bool   `json:"degraded"`
	Reason   string `json:"reason,omitempty"`
	// LastError is the last outbound error, kept after recovery.
	LastError *OutboundError `json:"last_outbound_error,omitempty"`
	// Details carries connector-specific state (template sync).
	Details map[string]any `json:"details,omitempty"`
}

// OutboundError is one failed provider call.
type OutboundError struct {
	At      time.Time `json:"at"`
	Code    string    `json:"code"`
	Message string    `json:"message"`
}

// HealthReporter is implemented by connectors that report Health. Health
// must be cheap and safe for concurrent use.
type HealthReporter interface {
	Health() Health
}

// EventsError is an action error that implies events, such as a WhatsApp
// send refused because the person stopped marketing messages (a
// consent.changed). The engine accepts the events, then handles Err as
// usual.
type EventsError struct {
	Err    error
	Events []event.Event
}

func (e *EventsError) Error() string { return e.Err.Error() }
func (e *EventsError) Unwrap() error { return e.Err }

// WithEvents attaches evs to err.
func WithEvents(err error, evs ...event.Event) error {
	if err == nil || len(evs) == 0 {
		return err
	}
	return &EventsError{Err: err, Events: evs}
}

// ImpliedEvents returns the events err carries, if any.
func ImpliedEvents(err error) []event.Event {
	var ee *EventsError
	if errors.As(err, &ee) {
		return ee.Events
	}
	return nil
}

// Template is one provider message template as the hub keeps it (WhatsApp's
// message templates).
type Template struct {
	Connector string `json:"connector"`
	ID        string `json:"id"`
	Name      string `json:"name"`
	Language  string `json:"language"`
	// Category is MARKETING, UTILITY or AUTHENTICATION.
	Category string `json:"category"`
	// Status is APPROVED, PENDING, REJECTED, PAUSED, DISABLED, ...; only
	// APPROVED is sendable.
	Status string `json:"status"`
	// Quality is the provider's quality score, when known.
	Quality string `json:"quality,omitempty"`
	// Reason is the provider's last reason for a status change.
	Reason string `json:"reason,omitempty"`
	// ParameterFormat is POSITIONAL or NAMED.
	ParameterFormat string `json:"parameter_format"`
	// Components is the provider's component list, as listed.
	Components json.RawMessage `json:"components,omitempty"`
	// HeaderParams, BodyParams and ButtonParams count the placeholders.
	HeaderParams int `json:"header_params"`
	BodyParams   int `json:"body_params"`
	ButtonParams int `json:"button_params"`
	// BodyText is the template's body, for the opt-out checks of validate.
	BodyText  string    `json:"body_text,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TemplateStore keeps a connector's synced templates across restarts (the
// store's templates table). ReplaceTemplates swaps the connector's whole set
// (at most a few hundred rows); LoadTemplates returns it with when it was
// last replaced.
type TemplateStore interface {
	ReplaceTemplates(ctx context.Context, connector string, ts []Template, now time.Time) error
	LoadTemplates(ctx context.Context, connector string) ([]Template, time.Time, error)
}

// TemplateSource is implemented by connectors with a template registry.
type TemplateSource interface {
	// Templates lists the registry, sorted by name and language.
	Templates() []Template
	// SyncTemplates reloads the registry from the provider.
	SyncTemplates(ctx context.Context) (TemplateSync, error)
}

// TemplateSync is the state of a registry's last sync.
type TemplateSync struct {
	At        time.Time `json:"at,omitempty"`
	Count     int       `json:"count"`
	Error     string    `json:"error,omitempty"`
	ErrorAt   time.Time `json:"error_at,omitempty"`
	NeverDone bool      `json:"never_synced,omitempty"`
}
