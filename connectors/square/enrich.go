package square

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/switchboardhq/switchboard/event"
)

// Enrich fills in what Square's webhooks leave out, so pipelines see the
// person and the appointment, not just ids:
//
//   - booking events: the booking (RetrieveBooking) when the payload is thin
//     (no start_at), then its customer;
//   - order events: the order (RetrieveOrder) when data has no total, for
//     total, currency, line items and the customer id, then the customer;
//   - payment events: the payment's customer, when it names one.
//
// The customer (RetrieveCustomer) fills data.customer {id, first_name,
// last_name, email, phone} and ev.Contact; the phone is E.164, read in the
// country of the customer's address or else DefaultRegion. After a
// successful run data.enriched is true.
//
// Enrich reads only ev.Data (the engine may hand it an event without Raw)
// and changes ev only once every call has succeeded, so a failure leaves ev
// as it was. It is idempotent: an event with data.enriched or a non-empty
// data.customer.phone is left alone. Calls are not retried in-process: an
// error is classified (connectors.Classify: 429 and 5xx retryable with
// Retry-After, 401/403/404 permanent; a missing customer, booking or order
// is permanent) and the engine redelivers the event. Without an access token
// Enrich changes nothing and returns nil. Other sources and event kinds are
// returned unchanged.
func (c *Connector) Enrich(ctx context.Context, ev *event.Event) error {
	if ev == nil || ev.Source != Name || ev.Data == nil {
		return nil
	}
	d := ev.Data
	if enriched(d) {
		return nil
	}
	squareType := str(d["square_type"])
	kind, _, _ := strings.Cut(squareType, ".")
	if kind != "booking" && kind != "payment" && kind != "order" {
		return nil
	}
	if c.api.token == "" {
		c.noTokenOnce.Do(func() {
			c.logger.Warn("connectors.square.access_token is not set: Square events are routed without customer details")
		})
		return nil
	}
	fail := func(err error) error {
		return fmt.Errorf("square: enrich %s event %s: %w", squareType, ev.DedupKey, err)
	}
	client := c.api.enrichClient

	customerID := str(mapOf(d["customer"])["id"])
	if kind == "booking" && customerID == "" {
		customerID = str(mapOf(d["booking"])["customer_id"])
	}
	var fetchedBooking *booking
	if kind == "booking" {
		bm := mapOf(d["booking"])
		id := str(d["booking_id"])
		if id == "" {
			id = str(bm["id"])
		}
		if id != "" && str(bm["start_at"]) == "" {
			b, err := c.api.retrieveBooking(ctx, client, id)
			if err != nil {
				return fail(err)
			}
			if s := str(d["square_status"]); s != "" {
				// The event's type follows the status it was sent with.
				b.Status = s
			}
			fetchedBooking = &b
			if customerID == "" {
				customerID = b.CustomerID
			}
		}
	}
	var fetchedOrder *order
	if kind == "order" {
		if _, has := d["total"]; !has {
			if id := str(d["order_id"]); id != "" {
				o, err := c.api.retrieveOrder(ctx, client, id)
				if err != nil {
					return fail(err)
				}
				fetchedOrder = &o
				if customerID == "" {
					customerID = o.CustomerID
				}
			}
		}
	}
	var fetchedCustomer *customer
	if customerID != "" {
		cu, err := c.api.retrieveCustomer(ctx, client, customerID)
		if err != nil {
			return fail(err)
		}
		if cu.ID == "" {
			cu.ID = customerID
		}
		fetchedCustomer = &cu
	}

	// Every call succeeded: apply.
	if b := fetchedBooking; b != nil {
		d["booking"] = bookingData(*b)
		d["start_at"] = b.StartAt
		if str(d["square_status"]) == "" {
			d["square_status"] = b.Status
			d["status"] = strings.ToLower(b.Status)
		}
		if str(d["location_id"]) == "" && b.LocationID != "" {
			d["location_id"] = b.LocationID
		}
	}
	if o := fetchedOrder; o != nil {
		applyOrder(d, *o)
	}
	if cu := fetchedCustomer; cu != nil {
		old := mapOf(d["customer"])
		cd := customerData(*cu)
		if str(cd["email"]) == "" && str(old["email"]) != "" {
			cd["email"] = old["email"]
		}
		d["customer"] = cd
		ev.Contact = mergeContact(ev.Contact, cu.contact())
	}
	d["enriched"] = true
	return nil
}

// enriched reports whether Enrich already ran on data.
func enriched(d map[string]any) bool {
	if b, ok := d["enriched"].(bool); ok && b {
		return true
	}
	return str(mapOf(d["customer"])["phone"]) != ""
}

// applyOrder adds the full order's totals and items to an order event.
func applyOrder(d map[string]any, o order) {
	if o.TotalMoney.ok() {
		d["total"] = o.TotalMoney.major()
		d["currency"] = o.TotalMoney.Currency
	}
	if o.ReferenceID != "" {
		d["reference_id"] = o.ReferenceID
	}
	if str(d["location_id"]) == "" && o.LocationID != "" {
		d["location_id"] = o.LocationID
	}
	if len(o.LineItems) > 0 {
		items := make([]any, 0, len(o.LineItems))
		for _, li := range o.LineItems {
			// Square's quantity is a decimal string; the price is the unit
			// price (base_price_money).
			qty, _ := strconv.ParseFloat(strings.TrimSpace(li.Quantity), 64)
			item := map[string]any{"sku": "", "title": li.Name, "quantity": qty, "price": 0.0}
			if li.BasePriceMoney.ok() {
				item["price"] = li.BasePriceMoney.major()
			}
			if li.TotalMoney.ok() {
				item["total"] = li.TotalMoney.major()
			}
			items = append(items, item)
		}
		d["line_items"] = items
	}
	if len(o.Fulfillments) > 0 {
		fs := make([]any, 0, len(o.Fulfillments))
		for _, f := range o.Fulfillments {
			fs = append(fs, map[string]any{"uid": f.UID, "type": f.Type, "state": f.State})
		}
		d["fulfillments"] = fs
	}
}

// mergeContact overlays what the customer record says on what the webhook
// said: the record's fields win where it has them.
func mergeContact(old, rec *event.ContactRef) *event.ContactRef {
	if old == nil {
		return rec
	}
	out := *old
	if rec.Phone != "" {
		out.Phone = rec.Phone
	}
	if rec.Email != "" {
		out.Email = rec.Email
	}
	if rec.FirstName != "" {
		out.FirstName = rec.FirstName
	}
	if rec.LastName != "" {
		out.LastName = rec.LastName
	}
	if len(rec.ProviderIDs) > 0 {
		ids := maps.Clone(old.ProviderIDs)
		if ids == nil {
			ids = map[string]string{}
		}
		maps.Copy(ids, rec.ProviderIDs)
		out.ProviderIDs = ids
	}
	return &out
}

// mapOf returns v as a JSON object, or nil.
func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// str returns v when it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}
