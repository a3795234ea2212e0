package connectors

import (
	"context"
	"net/http"
	"time"

	"github.com/switchboardhq/switchboard/event"
)

// Connector is one provider's integration. Name is the connector's config key
// and webhook path segment ("whatsapp", "shopify", "httpcall"); it must be
// lower-case letters, digits and underscores.
//
// A Connector offers inbound webhooks by also implementing Inbound, and
// outbound operations through Actions. Implementations must be safe for
// concurrent use once constructed.
type Connector interface {
	Name() string
	// Actions returns the outbound actions this connector offers (may be nil).
	Actions() []Action
}

// Inbound verifies and parses a provider's webhook deliveries.
//
// Both methods get the request's headers and its raw body, already bounded in
// size by the caller; neither may keep a reference to body after returning.
// They must be safe for concurrent use and do no I/O.
type Inbound interface {
	// Verify checks the delivery's authenticity (the provider's signature
	// scheme, compared in constant time). It returns nil, or an error that
	// wraps ErrMissingSignature or ErrBadSignature (answered 401), or
	// ErrStale (a replay-window failure, answered 401).
	Verify(h http.Header, body []byte) error
	// Parse turns a verified body into normalized events. Each event's
	// DedupKey is the provider's own event id. An error wraps ErrUnparseable;
	// it is answered 400 and nothing is stored.
	Parse(h http.Header, body []byte) ([]event.Event, error)
}

// Handshaker is implemented by inbound connectors whose provider verifies the
// callback URL with a GET (Meta's hub.challenge). It returns the body to echo
// with 200, or an error answered 403.
type Handshaker interface {
	Handshake(query map[string][]string) (string, error)
}

// Action is one named outbound operation, e.g. "http.request" or
// "whatsapp.send_template".
type Action interface {
	// Spec declares the action's name and parameters; the pipeline loader and
	// `switchboard validate` check steps against it.
	Spec() ActionSpec
	// RateLimitKey names the bucket this call draws from (e.g. a phone number
	// id, or a host); "" means no limit.
	RateLimitKey(params map[string]any) string
	// Do performs the call. ctx bounds the whole call, retries inside it
	// included; Do must return promptly once ctx is done. The error, if any,
	// is classified with Retryable, Permanent or Blocked; an unclassified error
	// counts as retryable.
	Do(ctx context.Context, req Request) (Result, error)
}

// Request is one execution of an action by a pipeline step.
type Request struct {
	RunID    string
	StepID   string
	Pipeline string
	// IdempotencyKey is stable across redeliveries of the same step
	// ("<run id>/<step id>"); connectors pass it to providers that honour one.
	IdempotencyKey string
	// Params are the step's evaluated `with` values.
	Params  map[string]any
	Contact *event.Contact
	// Attempt counts from 1.
	Attempt int
}

// Result is what an action returns on success; Output is visible to later
// steps as steps.<id>.output.
type Result struct {
	Output map[string]any
}

// ActionSpec declares an action's name and parameters.
type ActionSpec struct {
	Name        string
	Description string
	Params      []ParamSpec
}

// Param types understood by the loader.
const (
	TypeString = "string"
	TypeNumber = "number"
	TypeBool   = "bool"
	TypeObject = "object"
	TypeArray  = "array"
	TypeAny    = "any"
)

// ParamSpec declares one parameter of an action.
type ParamSpec struct {
	Name        string
	Type        string
	Required    bool
	Default     any
	Description string
	Enum        []string
	Example     any
}

// OutboundRecord is one call that a sandboxed action recorded instead of
// making.
type OutboundRecord struct {
	Connector string
	Action    string
	RunID     string
	StepID    string
	Params    map[string]any
	Time      time.Time
}

// Recorder keeps sandboxed calls (the store's outbox). It must be safe for
// concurrent use; Record returns only once the record is durable.
type Recorder interface {
	RecordOutbound(ctx context.Context, rec OutboundRecord) error
}

// Enricher is implemented by inbound connectors whose webhooks are thin (a
// Square booking names only its customer id). The engine calls Enrich for
// each accepted event whose Source is the connector's name, before routing
// it; a failure is retried (the event stays accepted and is redelivered), so
// an event is never routed half-filled and never dropped. Enrich may do I/O,
// changes ev in place (Data, Contact) and must be idempotent: it can run again
// for the same event after a crash.
type Enricher interface {
	Enrich(ctx context.Context, ev *event.Event) error
}

// Starter is implemented by connectors with work to do once the hub's store
// is open and before it takes traffic (WhatsApp loads and syncs its
// templates). Start must return promptly; a provider that cannot be reached
// is reported through Health, not as an error. An error stops the hub.
type Starter interface {
	Start(ctx context.Context) error
}
