package fake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Delivery is one webhook delivery as sent.
type Delivery struct {
	URL       string
	Topic     string
	EventID   string
	WebhookID string
	Header    http.Header
	Body      []byte
	// Status is the receiver's answer (0 when none came).
	Status int
}

// WebhookOptions tweak one delivery; zero fields take the server's values.
type WebhookOptions struct {
	// EventID is X-Shopify-Event-Id; default a new UUID.
	EventID string
	// Secret signs the body; default the server's APISecret (set another to
	// provoke a signature failure).
	Secret string
	// TriggeredAt is X-Shopify-Triggered-At; default now.
	TriggeredAt time.Time
}

// DeliveryError is returned when the receiver answers outside 2xx.
type DeliveryError struct {
	Status int
	Body   string
}

func (e *DeliveryError) Error() string {
	return "fake: webhook answered " + strconv.Itoa(e.Status) + ": " + e.Body
}

// Sign returns the X-Shopify-Hmac-Sha256 of body: base64(HMAC-SHA256(secret,
// body)).
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Encode renders a payload as Shopify sends it: []byte, json.RawMessage and
// string as they are; anything else as JSON without HTML escaping (Go would
// otherwise write "<", ">" and "&" as \u003c…) and without a trailing
// newline.
func Encode(payload any) ([]byte, error) {
	switch p := payload.(type) {
	case []byte:
		return p, nil
	case json.RawMessage:
		return p, nil
	case string:
		return []byte(p), nil
	}
	return marshal(payload)
}

// SendWebhook posts payload to url as a delivery of topic ("orders/create")
// and returns its X-Shopify-Event-Id. A non-2xx answer is a *DeliveryError.
func (s *Server) SendWebhook(ctx context.Context, url, topic string, payload any) (eventID string, err error) {
	d, err := s.SendWebhookWith(ctx, url, topic, payload, WebhookOptions{})
	return d.EventID, err
}

// SendWebhookWith is SendWebhook with options, returning the whole delivery.
func (s *Server) SendWebhookWith(ctx context.Context, url, topic string, payload any, o WebhookOptions) (Delivery, error) {
	body, err := Encode(payload)
	if err != nil {
		return Delivery{}, fmt.Errorf("fake: encode %s payload: %w", topic, err)
	}
	if o.EventID == "" {
		o.EventID = newUUID()
	}
	if o.Secret == "" {
		o.Secret = s.opts.APISecret
	}
	if o.TriggeredAt.IsZero() {
		o.TriggeredAt = s.opts.Now()
	}
	d := Delivery{URL: url, Topic: topic, EventID: o.EventID, WebhookID: newUUID(), Body: body}
	d.Header = http.Header{
		"Content-Type":           {"application/json"},
		"User-Agent":             {"Shopify-Captain-Hook"},
		"X-Shopify-Topic":        {topic},
		"X-Shopify-Hmac-Sha256":  {Sign(o.Secret, body)},
		"X-Shopify-Shop-Domain":  {s.opts.ShopDomain},
		"X-Shopify-Api-Version":  {s.opts.APIVersion},
		"X-Shopify-Webhook-Id":   {d.WebhookID},
		"X-Shopify-Event-Id":     {d.EventID},
		"X-Shopify-Triggered-At": {o.TriggeredAt.UTC().Format("2006-01-02T15:04:05.000000Z")},
	}
	err = s.post(ctx, &d)
	s.mu.Lock()
	s.deliveries = append(s.deliveries, d)
	s.mu.Unlock()
	return d, err
}

// Redeliver sends the latest delivery of eventID again, byte for byte with
// the same headers, as Shopify retries a delivery (same event and webhook
// ids).
func (s *Server) Redeliver(ctx context.Context, eventID string) error {
	var d Delivery
	found := false
	s.mu.Lock()
	for i := len(s.deliveries) - 1; i >= 0; i-- {
		if s.deliveries[i].EventID == eventID {
			d, found = s.deliveries[i], true
			break
		}
	}
	s.mu.Unlock()
	if !found {
		return fmt.Errorf("fake: no delivery with event id %q", eventID)
	}
	d.Header = d.Header.Clone()
	d.Status = 0
	err := s.post(ctx, &d)
	s.mu.Lock()
	s.deliveries = append(s.deliveries, d)
	s.mu.Unlock()
	return err
}

// Deliveries returns the deliveries sent so far, in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, len(s.deliveries))
	copy(out, s.deliveries)
	return out
}

func (s *Server) post(ctx context.Context, d *Delivery) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return fmt.Errorf("fake: webhook request: %w", err)
	}
	req.Header = d.Header.Clone()
	resp, err := s.opts.Client.Do(req)
	if err != nil {
		return fmt.Errorf("fake: deliver %s: %w", d.Topic, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	d.Status = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &DeliveryError{Status: resp.StatusCode, Body: string(b)}
	}
	return nil
}

// Tracking is a shipment's tracking details.
type Tracking struct {
	Company string
	Number  string
	URL     string
}

// DefaultTracking is a UPS shipment, with a tracking URL whose "&" a
// careless JSON encoder would escape.
var DefaultTracking = Tracking{
	Company: "UPS",
	Number:  "1Z2345",
	URL:     "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1Z2345",
}

// Fulfill ships the whole of a stored order: it records a fulfillment on it
// (fulfillment_status becomes "fulfilled") and returns the fulfillments/create
// payload Shopify would deliver, for SendWebhook. The seeded OrderID1001 has
// a customer with a phone, on the record and on the shipping address.
func (s *Server) Fulfill(orderID int64, t Tracking) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[strconv.FormatInt(orderID, 10)]
	if !ok {
		return nil, fmt.Errorf("fake: no order %d", orderID)
	}
	s.fulfillment++
	at := s.opts.Now()
	payload, err := FulfillmentPayload(o, s.fulfillment, t, at)
	if err != nil {
		return nil, err
	}
	record, err := clone(payload)
	if err != nil {
		return nil, err
	}
	delete(record, "destination")
	delete(record, "email")
	fs, _ := o["fulfillments"].([]any)
	o["fulfillments"] = append(fs, record)
	o["fulfillment_status"] = "fulfilled"
	o["updated_at"] = at.Format(time.RFC3339)
	return payload, nil
}

// FulfillmentPayload builds the fulfillments/create body for shipping all of
// order's line items: the REST Fulfillment resource, with the email and
// destination (the order's shipping address) that webhook payloads add.
func FulfillmentPayload(order map[string]any, fulfillmentID int64, t Tracking, at time.Time) (map[string]any, error) {
	o, err := clone(order)
	if err != nil {
		return nil, err
	}
	orderID := idString(o["id"])
	if orderID == "" {
		return nil, errors.New("fake: order has no integer id")
	}
	name, _ := o["name"].(string)
	previous, _ := o["fulfillments"].([]any)
	items, _ := o["line_items"].([]any)
	if items == nil {
		items = []any{}
	}
	ts := at.Format(time.RFC3339)
	id := strconv.FormatInt(fulfillmentID, 10)
	return map[string]any{
		"id":                   json.Number(id),
		"order_id":             json.Number(orderID),
		"status":               "success",
		"created_at":           ts,
		"service":              "manual",
		"updated_at":           ts,
		"tracking_company":     t.Company,
		"shipment_status":      nil,
		"location_id":          json.Number("24826418"),
		"origin_address":       nil,
		"email":                o["email"],
		"destination":          o["shipping_address"],
		"line_items":           items,
		"tracking_number":      t.Number,
		"tracking_numbers":     []any{t.Number},
		"tracking_url":         t.URL,
		"tracking_urls":        []any{t.URL},
		"receipt":              map[string]any{},
		"name":                 name + "." + strconv.Itoa(len(previous)+1),
		"admin_graphql_api_id": "gid://shopify/Fulfillment/" + id,
	}, nil
}
