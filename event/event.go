// Package event holds the normalized Event that every connector produces and
// every pipeline consumes, the canonical event types, and the contact reference
// carried with an event. It is a leaf package: it imports only the standard
// library and a ULID generator, so every other package may depend on it.
package event

import (
	"crypto/rand"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// Canonical event types: the same whichever provider sent them.
const (
	OrderCreated          = "order.created"
	OrderPaid             = "order.paid"
	OrderShipped          = "order.shipped"
	OrderCancelled        = "order.cancelled"
	CheckoutAbandoned     = "checkout.abandoned"
	CustomerCreated       = "customer.created"
	BookingCreated        = "booking.created"
	BookingUpdated        = "booking.updated"
	BookingCancelled      = "booking.cancelled"
	PaymentCompleted      = "payment.completed"
	MessageReceived       = "message.received"
	MessageStatus         = "message.status"
	CommentCreated        = "comment.created"
	DMReceived            = "dm.received"
	LeadCreated           = "lead.created"
	ContactCreated        = "contact.created"
	ContactUpdated        = "contact.updated"
	TicketCreated         = "ticket.created"
	TicketUpdated         = "ticket.updated"
	TemplateStatusChanged = "template.status_changed"
	ConsentChanged        = "consent.changed"
)

// CanonicalTypes lists every canonical type, in the order above.
var CanonicalTypes = []string{
	OrderCreated, OrderPaid, OrderShipped, OrderCancelled, CheckoutAbandoned,
	CustomerCreated, BookingCreated, BookingUpdated, BookingCancelled,
	PaymentCompleted, MessageReceived, MessageStatus, CommentCreated,
	DMReceived, LeadCreated, ContactCreated, ContactUpdated, TicketCreated,
	TicketUpdated, TemplateStatusChanged, ConsentChanged,
}

// IsCanonical reports whether t is one of the canonical event types.
func IsCanonical(t string) bool {
	for _, c := range CanonicalTypes {
		if c == t {
			return true
		}
	}
	return false
}

// Event is a normalized event with CloudEvents-style attributes.
//
// ID is assigned by the hub when the event is accepted; DedupKey is the
// provider's own event id (or the id a REST caller gave), and together with
// Source it identifies a delivery so a repeat is recognised and not processed
// again.
type Event struct {
	ID       string          `json:"id"`
	Source   string          `json:"source"`
	Type     string          `json:"type"`
	Subject  string          `json:"subject,omitempty"`
	Time     time.Time       `json:"time"`
	DedupKey string          `json:"dedup_key"`
	Data     map[string]any  `json:"data"`
	Raw      json.RawMessage `json:"raw,omitempty"`
	// Contact is what the event says about the person it concerns; the
	// engine resolves it to a stored contact before pipelines see the event.
	Contact *ContactRef `json:"contact,omitempty"`
}

// ContactRef is what an event tells about a person: any of these may be empty.
type ContactRef struct {
	Phone     string `json:"phone,omitempty"`
	Email     string `json:"email,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	// ProviderIDs maps a provider (e.g. "shopify") to this person's id there.
	ProviderIDs map[string]string `json:"provider_ids,omitempty"`
	// InboundAt is set when the event is a message the person sent us; it
	// opens the 24-hour customer-service window.
	InboundAt *time.Time `json:"inbound_at,omitempty"`
}

// Empty reports whether the reference identifies nobody.
func (c *ContactRef) Empty() bool {
	return c == nil || (c.Phone == "" && c.Email == "" && len(c.ProviderIDs) == 0)
}

// Contact is a stored contact as pipelines see it.
type Contact struct {
	ID          string            `json:"id" expr:"id"`
	Phone       string            `json:"phone" expr:"phone"`
	Email       string            `json:"email" expr:"email"`
	FirstName   string            `json:"first_name" expr:"first_name"`
	LastName    string            `json:"last_name" expr:"last_name"`
	ProviderIDs map[string]string `json:"provider_ids" expr:"provider_ids"`
	LastInbound *time.Time        `json:"last_inbound_at,omitempty" expr:"last_inbound_at"`
}

// Matches reports whether the pattern of a pipeline's `on` selects this
// event: either a bare type ("order.shipped") or "source/type".
func Matches(on, source, typ string) bool {
	if i := strings.IndexByte(on, '/'); i >= 0 {
		return on[:i] == source && on[i+1:] == typ
	}
	return on == typ
}

var (
	entropyMu sync.Mutex
	entropy   = ulid.Monotonic(rand.Reader, 0)
)

// NewID returns a new ULID string, monotonic within this process.
func NewID() string {
	return NewIDAt(time.Now())
}

// NewIDAt returns a new ULID string whose time part is t.
func NewIDAt(t time.Time) string {
	entropyMu.Lock()
	defer entropyMu.Unlock()
	return ulid.MustNew(ulid.Timestamp(t), entropy).String()
}
