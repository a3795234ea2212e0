package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/event"
)

// maxDedupKey bounds the provider event id kept as an event's DedupKey.
const maxDedupKey = 255

// typePrefix starts the type of every non-canonical event ("shopify.<topic>"
// with the topic's "/" turned into ".", e.g. "shopify.orders.updated").
const typePrefix = "shopify."

// payloadShape says which REST resource a topic delivers.
type payloadShape int

const (
	shapeOther payloadShape = iota
	shapeOrder
	shapeFulfillment
	shapeCheckout
	shapeCustomer
)

// topic is what the connector knows of one webhook topic: the shape of its
// body and, for order topics, the canonical type ("" keeps it
// non-canonical).
type topic struct {
	shape payloadShape
	typ   string
}

var topics = map[string]topic{
	"orders/create":              {shapeOrder, event.OrderCreated},
	"orders/paid":                {shapeOrder, event.OrderPaid},
	"orders/fulfilled":           {shapeOrder, event.OrderShipped},
	"orders/cancelled":           {shapeOrder, event.OrderCancelled},
	"orders/updated":             {shapeOrder, ""},
	"orders/partially_fulfilled": {shapeOrder, ""},
	"fulfillments/create":        {shapeFulfillment, event.OrderShipped},
	"fulfillments/update":        {shapeFulfillment, ""},
	"checkouts/create":           {shapeCheckout, event.CheckoutAbandoned},
	"checkouts/update":           {shapeCheckout, event.CheckoutAbandoned},
	"customers/create":           {shapeCustomer, event.CustomerCreated},
	"customers/update":           {shapeCustomer, ""},
	"customers/enable":           {shapeCustomer, ""},
	"customers/disable":          {shapeCustomer, ""},
}

// failedFulfillment lists fulfillment statuses that mean nothing shipped.
var failedFulfillment = map[string]bool{"cancelled": true, "error": true, "failure": true}

// delivery is a webhook's headers as Parse needs them.
type delivery struct {
	topic       string
	shop        string
	dedupKey    string
	triggeredAt time.Time
}

func unparseable(format string, args ...any) error {
	return fmt.Errorf("shopify: "+format+": %w", append(args, connectors.ErrUnparseable)...)
}

// Parse turns a verified delivery into one event. It needs X-Shopify-Topic,
// X-Shopify-Shop-Domain and an id (X-Shopify-Event-Id, else
// X-Shopify-Webhook-Id, which becomes the DedupKey); without one of them, or
// with a body that is not JSON (an object, for the topics it maps), the error
// wraps connectors.ErrUnparseable. See the package documentation for the
// mapping.
func (c *Connector) Parse(h http.Header, body []byte) ([]event.Event, error) {
	d, err := readDelivery(h)
	if err != nil {
		return nil, err
	}
	ev, err := parseBody(d, body)
	if err != nil {
		return nil, err
	}
	return []event.Event{ev}, nil
}

func readDelivery(h http.Header) (delivery, error) {
	d := delivery{
		topic:    strings.ToLower(strings.TrimSpace(header(h, HeaderTopic))),
		shop:     strings.ToLower(strings.TrimSpace(header(h, HeaderShopDomain))),
		dedupKey: firstNonEmpty(header(h, HeaderEventID), header(h, HeaderWebhookID)),
	}
	switch {
	case d.topic == "":
		return d, unparseable("no %s header", HeaderTopic)
	case d.shop == "":
		return d, unparseable("no %s header", HeaderShopDomain)
	case d.dedupKey == "":
		return d, unparseable("no %s or %s header", HeaderEventID, HeaderWebhookID)
	case len(d.dedupKey) > maxDedupKey:
		return d, unparseable("%s is longer than %d bytes", HeaderEventID, maxDedupKey)
	}
	d.triggeredAt = parseTime(strings.TrimSpace(header(h, HeaderTriggeredAt)))
	return d, nil
}

func parseBody(d delivery, body []byte) (event.Event, error) {
	tp, known := topics[d.topic]
	if !known {
		return generic(d, body)
	}
	if b := bytes.TrimSpace(body); len(b) == 0 || b[0] != '{' {
		return event.Event{}, unparseable("%s body is not a JSON object", d.topic)
	}
	var (
		data    map[string]any
		who     person
		subject string
		typ     = tp.typ
		at      time.Time
	)
	switch tp.shape {
	case shapeOrder:
		var o order
		if err := json.Unmarshal(body, &o); err != nil {
			return event.Event{}, unparseable("decoding the %s order: %v", d.topic, err)
		}
		data, who = o.data()
		subject = o.ID.String()
		switch typ {
		case event.OrderCreated:
			at = firstTime(o.CreatedAt, o.UpdatedAt)
		case event.OrderCancelled:
			at = firstTime(o.CancelledAt, o.UpdatedAt, o.CreatedAt)
		default:
			at = firstTime(o.UpdatedAt, o.CreatedAt)
		}
		switch typ {
		case event.OrderPaid:
			data["status"] = "paid"
		case event.OrderShipped:
			data["status"] = "shipped"
		case event.OrderCancelled:
			data["status"] = "cancelled"
		}
	case shapeFulfillment:
		var f fulfillment
		if err := json.Unmarshal(body, &f); err != nil {
			return event.Event{}, unparseable("decoding the %s fulfillment: %v", d.topic, err)
		}
		data, who = f.data()
		subject = f.OrderID.String()
		if failedFulfillment[f.Status.String()] {
			typ = ""
			data["status"] = f.Status.String()
		}
		if typ == "" {
			at = firstTime(f.UpdatedAt, f.CreatedAt)
		} else {
			at = firstTime(f.CreatedAt, f.UpdatedAt)
		}
	case shapeCheckout:
		var co checkout
		if err := json.Unmarshal(body, &co); err != nil {
			return event.Event{}, unparseable("decoding the %s checkout: %v", d.topic, err)
		}
		data, who = co.data()
		subject = firstNonEmpty(co.ID.String(), co.Token.String())
		if co.CompletedAt.String() != "" {
			typ = ""
		}
		at = firstTime(co.UpdatedAt, co.CreatedAt)
	case shapeCustomer:
		var cu customer
		if err := json.Unmarshal(body, &cu); err != nil {
			return event.Event{}, unparseable("decoding the %s customer: %v", d.topic, err)
		}
		data, who = cu.data()
		subject = cu.ID.String()
		if typ == event.CustomerCreated {
			at = firstTime(cu.CreatedAt, cu.UpdatedAt)
		} else {
			at = firstTime(cu.UpdatedAt, cu.CreatedAt)
		}
	}
	if typ == "" {
		typ = nonCanonical(d.topic)
	}
	if at.IsZero() {
		at = d.triggeredAt
	}
	data["topic"] = d.topic
	data["shop_domain"] = d.shop
	return event.Event{
		Source:   Name,
		Type:     typ,
		Subject:  subject,
		Time:     at,
		DedupKey: d.dedupKey,
		Data:     data,
		Raw:      append(json.RawMessage(nil), body...),
		Contact:  who.contact(),
	}, nil
}

// generic keeps a delivery of a topic the connector has no mapping for: its
// decoded body under data.payload, its time from the body's updated_at or
// created_at, else X-Shopify-Triggered-At.
func generic(d delivery, body []byte) (event.Event, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return event.Event{}, unparseable("decoding the %s body: %v", d.topic, err)
	}
	if dec.More() {
		return event.Event{}, unparseable("the %s body has data after its JSON value", d.topic)
	}
	subject, at := "", time.Time{}
	if m, ok := v.(map[string]any); ok {
		switch id := m["id"].(type) {
		case string:
			subject = id
		case json.Number:
			subject = id.String()
		}
		for _, k := range []string{"updated_at", "created_at"} {
			if s, ok := m[k].(string); ok && at.IsZero() {
				at = parseTime(s)
			}
		}
	}
	if at.IsZero() {
		at = d.triggeredAt
	}
	v = plainNumbers(v)
	return event.Event{
		Source:   Name,
		Type:     nonCanonical(d.topic),
		Subject:  subject,
		Time:     at,
		DedupKey: d.dedupKey,
		Data:     map[string]any{"topic": d.topic, "shop_domain": d.shop, "payload": v},
		Raw:      append(json.RawMessage(nil), body...),
	}, nil
}

// maxExactFloat is 2^53: from there on, float64 no longer holds every
// integer.
const maxExactFloat = 1 << 53

// plainNumbers turns the json.Numbers of a decoded value into float64, as
// pipelines expect, except integers from 2^53 up (Shopify ids), which become
// strings so they stay exact.
func plainNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = plainNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = plainNumbers(e)
		}
	case json.Number:
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) {
			return x.String()
		}
		if !strings.ContainsAny(x.String(), ".eE") && math.Abs(f) >= maxExactFloat {
			return x.String()
		}
		return f
	}
	return v
}

// nonCanonical is the event type of a topic that maps to no canonical type:
// "shopify." + the topic with "/" as "." and any other character outside
// [a-z0-9_] as "_" (at most 64 of them).
func nonCanonical(topic string) string {
	var b strings.Builder
	b.WriteString(typePrefix)
	n := 0
	for _, r := range topic {
		if n == 64 {
			break
		}
		n++
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		case r == '/':
			b.WriteByte('.')
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

func firstTime(vs ...flexString) time.Time {
	for _, v := range vs {
		if t := v.time(); !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
