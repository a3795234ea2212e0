package shopify_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors/shopify"
	"github.com/switchboardhq/switchboard/connectors/shopify/fake"
	"github.com/switchboardhq/switchboard/event"
)

// receiver is a webhook endpoint doing what the hub's does: verify, parse,
// keep each event once per (source, dedup key).
type receiver struct {
	mu     sync.Mutex
	conn   *shopify.Connector
	events []event.Event
	seen   map[string]bool
	dups   int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err := r.conn.Verify(req.Header, body); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	evs, err := r.conn.Parse(req.Header, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range evs {
		if r.seen[ev.DedupKey] {
			r.dups++
			continue
		}
		r.seen[ev.DedupKey] = true
		r.events = append(r.events, ev)
	}
	w.WriteHeader(http.StatusOK)
}

func newReceiver(t *testing.T, b bundle) (*receiver, string) {
	t.Helper()
	r := &receiver{conn: b.conn, seen: map[string]bool{}}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv.URL + "/webhooks/shopify"
}

func TestWebhookFromFake(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r, url := newReceiver(t, b)

	payload, err := b.srv.Fulfill(fake.OrderID1001, fake.DefaultTracking)
	require.NoError(t, err)
	eventID, err := b.srv.SendWebhook(t.Context(), url, "fulfillments/create", payload)
	require.NoError(t, err)

	require.Len(t, r.events, 1)
	ev := r.events[0]
	require.Equal(t, event.OrderShipped, ev.Type)
	require.Equal(t, eventID, ev.DedupKey)
	require.Equal(t, "450789469", ev.Subject)
	require.Equal(t, "#1001", ev.Data["order_name"])
	require.Equal(t, map[string]any{"number": "1Z2345", "url": fake.DefaultTracking.URL, "company": "UPS"}, ev.Data["tracking"])
	require.Equal(t, &event.ContactRef{Phone: "+15024592181", Email: "bob.norman@mail.example.com", FirstName: "Bob", LastName: "Norman"}, ev.Contact)
	require.Contains(t, string(ev.Raw), "loc=en_US&requester=ST", "sent without HTML escaping")
	require.False(t, ev.Time.IsZero())

	// Shopify retries the same delivery: the same event id, deduplicated.
	require.NoError(t, b.srv.Redeliver(t.Context(), eventID))
	require.Len(t, r.events, 1)
	require.Equal(t, 1, r.dups)
	ds := b.srv.Deliveries()
	require.Len(t, ds, 2)
	require.Equal(t, ds[0].Body, ds[1].Body)
	require.Equal(t, ds[0].Header, ds[1].Header)

	// The order the webhook was about now reads as shipped.
	res, err := do(t, b.action(t, shopify.ActionGetOrder), map[string]any{"order_id": ev.Data["order_id"]})
	require.NoError(t, err)
	require.Equal(t, "fulfilled", res.Output["status"])
}

func TestWebhookRejections(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r, url := newReceiver(t, b)
	order, ok := b.srv.Order(fake.OrderID1002)
	require.True(t, ok)

	_, err := b.srv.SendWebhookWith(t.Context(), url, "orders/create", order, fake.WebhookOptions{Secret: "another app's secret"})
	var de *fake.DeliveryError
	require.True(t, errors.As(err, &de), "%v", err)
	require.Equal(t, http.StatusUnauthorized, de.Status)
	require.Contains(t, de.Body, "does not match the body")

	_, err = b.srv.SendWebhook(t.Context(), url, "orders/create", `{"id":`)
	require.True(t, errors.As(err, &de))
	require.Equal(t, http.StatusBadRequest, de.Status)

	other := fake.NewServer(fake.Options{ShopDomain: "someone-else.myshopify.com", APISecret: b.srv.APISecret()})
	t.Cleanup(other.Close)
	_, err = other.SendWebhook(t.Context(), url, "orders/create", order)
	require.True(t, errors.As(err, &de))
	require.Equal(t, http.StatusUnauthorized, de.Status)
	require.Contains(t, de.Body, "someone-else.myshopify.com")

	require.Empty(t, r.events)

	// The AU order: no phone on the customer, a national one on the
	// addresses, read as Australian.
	d, err := b.srv.SendWebhookWith(t.Context(), url, "orders/paid", order, fake.WebhookOptions{EventID: "evt-1002-paid"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, d.Status)
	require.Len(t, r.events, 1)
	require.Equal(t, "evt-1002-paid", r.events[0].DedupKey)
	require.Equal(t, "+61412345678", r.events[0].Contact.Phone)
	require.Equal(t, 189.85, r.events[0].Data["total"])
	require.True(t, strings.HasPrefix(d.Header.Get("X-Shopify-Triggered-At"), "20"))
}
