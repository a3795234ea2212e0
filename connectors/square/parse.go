package square

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/event"
)

// Square event types this connector maps (the envelope's `type`).
const (
	SquareBookingCreated          = "booking.created"
	SquareBookingUpdated          = "booking.updated"
	SquarePaymentCreated          = "payment.created"
	SquarePaymentUpdated          = "payment.updated"
	SquareOrderCreated            = "order.created"
	SquareOrderUpdated            = "order.updated"
	SquareOrderFulfillmentUpdated = "order.fulfillment.updated"
	SquareCustomerCreated         = "customer.created"
	SquareCustomerUpdated         = "customer.updated"
	SquareTestNotification        = "webhooks.test_notification"
)

// TypePrefix starts the type of every event with no canonical meaning:
// "square." + Square's own type, e.g. "square.payment.updated". Such events
// are stored and visible, and a pipeline may still listen to them by name.
const TypePrefix = "square."

// Booking statuses (Booking.status) that mean the appointment is off.
var cancelledBookingStatuses = map[string]bool{
	"CANCELLED_BY_CUSTOMER": true,
	"CANCELLED_BY_SELLER":   true,
	"DECLINED":              true,
}

// The Square fields of data.object that hold each mapped object.
var orderObjectKeys = map[string]string{
	SquareOrderCreated:            "order_created",
	SquareOrderUpdated:            "order_updated",
	SquareOrderFulfillmentUpdated: "order_fulfillment_updated",
}

type envelope struct {
	MerchantID string `json:"merchant_id"`
	LocationID string `json:"location_id"`
	Type       string `json:"type"`
	EventID    string `json:"event_id"`
	CreatedAt  string `json:"created_at"`
	Data       *struct {
		Type   string          `json:"type"`
		ID     string          `json:"id"`
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

func unparseable(format string, args ...any) error {
	return fmt.Errorf("square: "+format+": %w", append(args, connectors.ErrUnparseable)...)
}

// Parse turns one verified delivery into one event: DedupKey is the
// envelope's event_id, Time its created_at, Raw the body, and Type and Data
// as the package documentation describes. It does no I/O.
func (c *Connector) Parse(_ http.Header, body []byte) ([]event.Event, error) {
	ev, err := parse(body)
	if err != nil {
		return nil, err
	}
	return []event.Event{ev}, nil
}

func parse(body []byte) (event.Event, error) {
	if b := bytes.TrimSpace(body); len(b) == 0 || b[0] != '{' {
		return event.Event{}, unparseable("the webhook body is not a JSON object")
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return event.Event{}, unparseable("decoding the webhook body: %v", err)
	}
	if strings.TrimSpace(env.Type) == "" {
		return event.Event{}, unparseable("the notification has no type")
	}
	if strings.TrimSpace(env.EventID) == "" {
		return event.Event{}, unparseable("the %s notification has no event_id", env.Type)
	}
	p := parser{env: env, data: map[string]any{"square_type": env.Type}}
	if env.MerchantID != "" {
		p.data["merchant_id"] = env.MerchantID
	}
	if env.LocationID != "" {
		p.data["location_id"] = env.LocationID
	}
	if env.Data != nil {
		p.dataID = env.Data.ID
		if o := bytes.TrimSpace(env.Data.Object); len(o) > 0 && !bytes.Equal(o, []byte("null")) {
			p.object = o
		}
	}
	ev := event.Event{
		Source:   Name,
		DedupKey: env.EventID,
		Time:     parseTime(env.CreatedAt),
		Raw:      append(json.RawMessage(nil), body...),
	}
	var err error
	switch env.Type {
	case SquareBookingCreated, SquareBookingUpdated:
		err = p.booking(&ev)
	case SquarePaymentCreated, SquarePaymentUpdated:
		err = p.payment(&ev)
	case SquareOrderCreated, SquareOrderUpdated, SquareOrderFulfillmentUpdated:
		err = p.order(&ev)
	case SquareCustomerCreated, SquareCustomerUpdated:
		err = p.customer(&ev)
	default:
		err = p.generic(&ev)
	}
	if err != nil {
		return event.Event{}, unparseable("%s notification %s: %v", env.Type, env.EventID, err)
	}
	ev.Data = p.data
	return ev, nil
}

type parser struct {
	env    envelope
	dataID string
	object json.RawMessage // data.object, nil when absent or null
	data   map[string]any
}

// decodeObject reads data.object into v; absent, it leaves v alone.
func (p *parser) decodeObject(v any) error {
	if p.object == nil {
		return nil
	}
	if err := json.Unmarshal(p.object, v); err != nil {
		return fmt.Errorf("data.object: %v", err)
	}
	return nil
}

func (p *parser) setLocation(id string) {
	if _, ok := p.data["location_id"]; !ok && id != "" {
		p.data["location_id"] = id
	}
}

func (p *parser) booking(ev *event.Event) error {
	var obj struct {
		Booking *booking `json:"booking"`
	}
	if err := p.decodeObject(&obj); err != nil {
		return err
	}
	var b booking
	if obj.Booking != nil {
		b = *obj.Booking
	}
	if b.ID == "" {
		// data.id is "<booking id>:<version>".
		b.ID, _, _ = strings.Cut(p.dataID, ":")
	}
	switch {
	case p.env.Type == SquareBookingCreated:
		ev.Type = event.BookingCreated
	case cancelledBookingStatuses[b.Status]:
		ev.Type = event.BookingCancelled
	default:
		ev.Type = event.BookingUpdated
	}
	status := strings.ToLower(b.Status)
	if ev.Type == event.BookingCancelled {
		status = "cancelled"
	}
	ev.Subject = b.ID
	p.data["booking_id"] = b.ID
	p.data["status"] = status
	p.data["square_status"] = b.Status
	p.data["start_at"] = b.StartAt
	p.data["booking"] = bookingData(b)
	p.setLocation(b.LocationID)
	p.setCustomer(ev, b.CustomerID, "")
	return nil
}

// setCustomer records what the payload says about the customer (an id, an
// email) in data.customer, with every key present ("" when unknown until
// Enrich fills it), and in the contact reference.
func (p *parser) setCustomer(ev *event.Event, id, email string) {
	p.data["customer"] = map[string]any{"id": id, "first_name": "", "last_name": "", "email": email, "phone": ""}
	if id == "" && email == "" {
		return
	}
	ref := &event.ContactRef{Email: email}
	if id != "" {
		ref.ProviderIDs = map[string]string{Name: id}
	}
	ev.Contact = ref
}

func (p *parser) payment(ev *event.Event) error {
	var obj struct {
		Payment *payment `json:"payment"`
	}
	if err := p.decodeObject(&obj); err != nil {
		return err
	}
	var pm payment
	if obj.Payment != nil {
		pm = *obj.Payment
	}
	if pm.ID == "" {
		pm.ID = p.dataID
	}
	refunded := (pm.RefundedMoney.ok() && *pm.RefundedMoney.Amount != 0) || len(pm.RefundIDs) > 0
	if p.env.Type == SquarePaymentUpdated && pm.Status == "COMPLETED" && !refunded {
		ev.Type = event.PaymentCompleted
	} else {
		ev.Type = TypePrefix + p.env.Type
	}
	ev.Subject = pm.ID
	d := p.data
	d["payment_id"] = pm.ID
	d["status"] = strings.ToLower(pm.Status)
	d["square_status"] = pm.Status
	total := pm.TotalMoney
	if !total.ok() {
		total = pm.AmountMoney
	}
	if pm.AmountMoney.ok() {
		d["amount"] = pm.AmountMoney.major()
		d["currency"] = pm.AmountMoney.Currency
	}
	if total.ok() {
		d["total"] = total.major()
		d["currency"] = total.Currency
	}
	if pm.TipMoney.ok() {
		d["tip"] = pm.TipMoney.major()
	}
	if pm.RefundedMoney.ok() {
		d["refunded"] = pm.RefundedMoney.major()
	}
	for k, v := range map[string]string{
		"order_id":       pm.OrderID,
		"receipt_url":    pm.ReceiptURL,
		"receipt_number": pm.ReceiptNumber,
		"source_type":    pm.SourceType,
		"note":           pm.Note,
		"reference_id":   pm.ReferenceID,
		"created_at":     pm.CreatedAt,
		"updated_at":     pm.UpdatedAt,
	} {
		if v != "" {
			d[k] = v
		}
	}
	if cd := pm.CardDetails; cd != nil && cd.Card != nil {
		if cd.Card.CardBrand != "" {
			d["card_brand"] = cd.Card.CardBrand
		}
		if cd.Card.Last4 != "" {
			d["last_4"] = cd.Card.Last4
		}
	}
	p.setLocation(pm.LocationID)
	p.setCustomer(ev, pm.CustomerID, strings.TrimSpace(pm.BuyerEmailAddress))
	return nil
}

func (p *parser) order(ev *event.Event) error {
	var objs map[string]json.RawMessage
	if err := p.decodeObject(&objs); err != nil {
		return err
	}
	var oc orderChange
	key := orderObjectKeys[p.env.Type]
	if raw, ok := objs[key]; ok {
		if err := json.Unmarshal(raw, &oc); err != nil {
			return fmt.Errorf("data.object.%s: %v", key, err)
		}
	}
	if oc.OrderID == "" {
		oc.OrderID = p.dataID
	}
	ev.Type = TypePrefix + p.env.Type
	switch p.env.Type {
	case SquareOrderCreated:
		if oc.State != "DRAFT" {
			ev.Type = event.OrderCreated
		}
	case SquareOrderUpdated:
		switch oc.State {
		case "COMPLETED":
			ev.Type = event.OrderPaid
		case "CANCELED":
			ev.Type = event.OrderCancelled
		}
	}
	status := strings.ToLower(oc.State)
	switch ev.Type {
	case event.OrderPaid:
		status = "paid"
	case event.OrderCancelled:
		status = "cancelled"
	}
	ev.Subject = oc.OrderID
	d := p.data
	d["order_id"] = oc.OrderID
	d["status"] = status
	d["square_status"] = oc.State
	if oc.Version != nil {
		d["version"] = num(*oc.Version)
	}
	if oc.CreatedAt != "" {
		d["created_at"] = oc.CreatedAt
	}
	if oc.UpdatedAt != "" {
		d["updated_at"] = oc.UpdatedAt
	}
	if len(oc.FulfillmentUpdate) > 0 {
		fs := make([]any, 0, len(oc.FulfillmentUpdate))
		for _, f := range oc.FulfillmentUpdate {
			fs = append(fs, map[string]any{"uid": f.FulfillmentUID, "old_state": f.OldState, "new_state": f.NewState})
		}
		d["fulfillment_updates"] = fs
	}
	p.setLocation(oc.LocationID)
	p.setCustomer(ev, "", "")
	return nil
}

func (p *parser) customer(ev *event.Event) error {
	var obj struct {
		Customer *customer `json:"customer"`
	}
	if err := p.decodeObject(&obj); err != nil {
		return err
	}
	var cu customer
	if obj.Customer != nil {
		cu = *obj.Customer
	}
	if cu.ID == "" {
		cu.ID = p.dataID
	}
	ev.Type = TypePrefix + p.env.Type
	if p.env.Type == SquareCustomerCreated {
		ev.Type = event.CustomerCreated
	}
	p.data["customer"] = customerData(cu)
	if ref := cu.contact(); !ref.Empty() {
		ev.Contact = ref
	}
	ev.Subject = cu.ID
	return nil
}

// generic keeps a notification this connector has no mapping for, with the
// object as Square sent it.
func (p *parser) generic(ev *event.Event) error {
	ev.Type = TypePrefix + sanitizeType(p.env.Type)
	if p.env.Data != nil {
		if p.env.Data.Type != "" {
			p.data["object_type"] = p.env.Data.Type
		}
		if p.dataID != "" {
			p.data["object_id"] = p.dataID
			ev.Subject = p.dataID
		}
	}
	if p.object != nil {
		var v any
		if err := json.Unmarshal(p.object, &v); err != nil {
			return fmt.Errorf("data.object: %v", err)
		}
		p.data["object"] = v
	}
	return nil
}

// sanitizeType makes Square's type safe as the tail of an event type:
// lower-case dot-separated words of [a-z0-9_], each starting with a letter,
// at most 100 bytes.
func sanitizeType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if len(t) > 100 {
		t = t[:100]
	}
	parts := strings.Split(t, ".")
	for i, part := range parts {
		b := []byte(part)
		for j, ch := range b {
			if (ch < 'a' || ch > 'z') && (ch < '0' || ch > '9') && ch != '_' {
				b[j] = '_'
			}
		}
		part = string(b)
		if part == "" || part[0] < 'a' || part[0] > 'z' {
			part = "x" + part
		}
		parts[i] = part
	}
	return strings.Join(parts, ".")
}

// parseTime reads an RFC 3339 timestamp; zero when absent or malformed (the
// hub then stamps the time of receipt).
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
