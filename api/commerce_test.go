package api_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/shopify"
	shopfake "github.com/switchboardhq/switchboard/connectors/shopify/fake"
	"github.com/switchboardhq/switchboard/connectors/square"
	sqfake "github.com/switchboardhq/switchboard/connectors/square/fake"
	wafake "github.com/switchboardhq/switchboard/connectors/whatsapp/fake"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/internal/hubtest"
	"github.com/switchboardhq/switchboard/store"
)

func examplePipeline(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "examples", "pipelines", name))
	require.NoError(t, err)
	return string(b)
}

// TestShopifyFulfillmentToWhatsApp: a Shopify fulfillments/create webhook
// for an order whose customer has a phone runs the example pipeline, which
// sends one WhatsApp template with the tracking link; the same delivery
// again runs nothing.
func TestShopifyFulfillmentToWhatsApp(t *testing.T) {
	t.Parallel()
	shop := shopfake.NewServer(shopfake.Options{})
	t.Cleanup(shop.Close)
	wa := wafake.New(wafake.Options{AppSecret: waSecret, Statuses: []string{}, Templates: []wafake.Template{{
		Name: "shipping_update", Language: "en_AU", Category: "UTILITY", Status: "APPROVED",
		Components: []map[string]any{{"type": "BODY", "text": "Hi {{1}}, your order {{2}} is on its way. Track it here: {{3}}"}},
	}}})
	t.Cleanup(wa.Close)
	h := hubtest.New(t, hubtest.Options{
		Pipelines: map[string]string{"order-shipped.yaml": examplePipeline(t, "order-shipped.yaml")},
		NewConnectors: func(t testing.TB, st *store.Store) []connectors.Connector {
			sc, err := shopify.New(shopify.Config{ShopDomain: shop.ShopDomain(), APISecret: shop.APISecret(), AccessToken: shop.AccessToken(), BaseURL: shop.URL()}, shopify.Options{})
			require.NoError(t, err)
			return []connectors.Connector{sc, waConnector(t, wa, st, nil)}
		},
	})
	payload, err := shop.Fulfill(shopfake.OrderID1001, shopfake.DefaultTracking)
	require.NoError(t, err)
	ctx := context.Background()
	eventID, err := shop.SendWebhook(ctx, h.URL+"/webhooks/shopify", "fulfillments/create", payload)
	require.NoError(t, err)

	require.Eventually(t, func() bool { return len(wa.Sends()) == 1 }, 10*time.Second, 10*time.Millisecond)
	send := wa.Sends()[0]
	require.Equal(t, "shipping_update", send.Template)
	require.Contains(t, string(send.Raw), shopfake.DefaultTracking.URL, "the tracking link, unescaped")
	runs, _, err := h.Store.ListRuns(ctx, store.RunFilter{Pipeline: "order-shipped"})
	require.NoError(t, err)
	require.Len(t, runs, 1)
	run := h.WaitRun(t, runs[0].EventID, "order-shipped", 10*time.Second)
	require.Equal(t, store.RunSucceeded, run.Status, run.Error)
	ev, _, err := h.Store.GetEvent(ctx, runs[0].EventID)
	require.NoError(t, err)
	require.Equal(t, "order.shipped", ev.Type)
	require.Equal(t, "shopify", ev.Source)

	// The same delivery again (Shopify retries) is recognised and runs once.
	require.NoError(t, shop.Redeliver(ctx, eventID))
	n, err := h.Store.CountEvents(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	require.Len(t, wa.Sends(), 1)

	// A tampered or unsigned delivery is refused with nothing stored.
	for _, hdr := range [][2]string{{"X-Shopify-Hmac-Sha256", "AAAA"}, {"X-Shopify-Hmac-Sha256", ""}} {
		code, b := h.Do(t, http.MethodPost, "/webhooks/shopify", `{"id":1}`, "X-Shopify-Topic", "orders/create",
			"X-Shopify-Shop-Domain", shop.ShopDomain(), "X-Shopify-Event-Id", "e-1", hdr[0], hdr[1])
		require.Equal(t, http.StatusUnauthorized, code, string(b))
	}
	// Bad JSON, correctly signed, is a 400 with nothing stored.
	bad := []byte(`{"id": 1,`)
	code, b := h.Do(t, http.MethodPost, "/webhooks/shopify", string(bad), "X-Shopify-Topic", "orders/create",
		"X-Shopify-Shop-Domain", shop.ShopDomain(), "X-Shopify-Event-Id", "e-2", "X-Shopify-Hmac-Sha256", shopfake.Sign(shop.APISecret(), bad))
	require.Equal(t, http.StatusBadRequest, code, string(b))
	n, err = h.Store.CountEvents(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
}

// TestSquareBookingIsEnriched: a booking webhook names only the customer's
// id; the event ends with the customer's phone from the fake's customer
// lookup, even when that lookup fails twice first.
func TestSquareBookingIsEnriched(t *testing.T) {
	t.Parallel()
	sq := sqfake.NewServer()
	t.Cleanup(sq.Close)
	const notificationURL = "https://hub.example.com/webhooks/square"
	pipeline := `name: booking-confirmation
on: booking.created
when: contact.phone != ""
steps:
  - id: notify
    action: http.request
    with:
      url: "{{sink}}/booked"
      body: {phone: "${{ contact.phone }}", start: "${{ event.data.start_at }}"}
`
	h := hubtest.New(t, hubtest.Options{
		Pipelines: map[string]string{"booking.yaml": pipeline},
		Engine:    engine.Config{SweepInterval: 100 * time.Millisecond},
		NewConnectors: func(t testing.TB, st *store.Store) []connectors.Connector {
			c, err := square.New(square.Config{SignatureKey: sqfake.DefaultSignatureKey, NotificationURL: notificationURL,
				AccessToken: sqfake.DefaultAccessToken, BaseURL: sq.URL()}, square.Options{})
			require.NoError(t, err)
			return []connectors.Connector{c}
		},
	})
	customerPath := "/v2/customers/" + sqfake.CustomerID
	sq.FailNext(customerPath, 2, http.StatusInternalServerError)
	ctx := context.Background()
	require.NoError(t, sq.SendWebhook(ctx, h.URL+"/webhooks/square", notificationURL, sqfake.BookingCreated(sqfake.SeedBooking())))

	require.NoError(t, h.Sink.WaitFor(1, 20*time.Second))
	require.Contains(t, string(h.Sink.Requests()[0].Body), `"phone":"+61412345678"`)
	require.GreaterOrEqual(t, sq.CountPath(customerPath), 3, "two failed lookups, then one that worked")

	runs, _, err := h.Store.ListRuns(ctx, store.RunFilter{Pipeline: "booking-confirmation"})
	require.NoError(t, err)
	require.Len(t, runs, 1)
	ev, _, err := h.Store.GetEvent(ctx, runs[0].EventID)
	require.NoError(t, err)
	customer := ev.Data["customer"].(map[string]any)
	require.Equal(t, "+61412345678", customer["phone"], "the stored event carries the looked-up phone")

	// A wrong notification URL in the signature is refused.
	err = sq.SendWebhook(ctx, h.URL+"/webhooks/square", strings.Replace(notificationURL, "hub.", "hob.", 1), sqfake.BookingCreated(sqfake.SeedBooking()))
	require.Error(t, err)
	require.Contains(t, err.Error(), "401")
}
