package shopify

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/event"
)

const (
	testEventID   = "98880550-7158-44d4-b7cd-2c97c8a091b5"
	testWebhookID = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
)

func customerData(id, first, last, email, phone string) map[string]any {
	return map[string]any{"id": id, "first_name": first, "last_name": last, "email": email, "phone": phone}
}

func tracking(number, url, company string) map[string]any {
	return map[string]any{"number": number, "url": url, "company": company}
}

func item(sku, title string, qty, price float64) map[string]any {
	return map[string]any{"sku": sku, "title": title, "quantity": qty, "price": price}
}

func TestParseTopics(t *testing.T) {
	t.Parallel()
	upsURL := "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1Z2345"
	bob := &event.ContactRef{Phone: "+15024592181", Email: "bob.norman@mail.example.com", FirstName: "Bob", LastName: "Norman", ProviderIDs: map[string]string{"shopify": "207119551"}}
	chloe := &event.ContactRef{Phone: "+61412345678", Email: "chloe.nguyen@example.com.au", FirstName: "Chloé", LastName: "Nguyen", ProviderIDs: map[string]string{"shopify": "7214458945612"}}
	kai := &event.ContactRef{Phone: "+64211234567", Email: "kai.tanaka@example.co.nz", FirstName: "Kai", LastName: "Tanaka", ProviderIDs: map[string]string{"shopify": "6012345678901"}}

	cases := []struct {
		name        string
		topic       string
		file        string
		wantType    string
		wantSubject string
		wantTime    string
		// wantData lists keys to compare; other keys are not checked.
		wantData    map[string]any
		wantContact *event.ContactRef
	}{
		{
			name: "orders/create from Shopify's sample", topic: "orders/create", file: "orders_create_sample.json",
			wantType: event.OrderCreated, wantSubject: "820982911946154508", wantTime: "2022-01-01T00:00:00Z",
			wantData: map[string]any{
				"order_id": "820982911946154508", "order_name": "#9999", "total": 404.95, "currency": "USD",
				// The sample order is a cancelled test order, and its phones are placeholders no
				// region reads as valid: the first one found is kept as written.
				"status": "cancelled", "cancel_reason": "customer", "test": true, "tags": []any{"tag1", "tag2"},
				"customer":         customerData("115310627314723954", "John", "Smith", "john@example.com", "555-555-SHIP"),
				"order_status_url": "https://jsmith.myshopify.com/548380009/orders/123456abcd/authenticate?key=dcba654321",
			},
			wantContact: &event.ContactRef{Phone: "555-555-SHIP", Email: "john@example.com", FirstName: "John", LastName: "Smith", ProviderIDs: map[string]string{"shopify": "115310627314723954"}},
		},
		{
			name: "orders/create, phone only on the billing address in national format", topic: "orders/create", file: "orders_create.json",
			wantType: event.OrderCreated, wantSubject: "6123456789012", wantTime: "2026-05-04T00:00:00Z",
			wantData: map[string]any{
				"order_id": "6123456789012", "order_name": "#1042", "total": 128.90, "currency": "AUD", "status": "pending",
				"financial_status": "pending", "fulfillment_status": "", "tags": []any{}, "note": "", "test": false,
				"customer": customerData("7214458945612", "Chloé", "Nguyen", "chloe.nguyen@example.com.au", "+61412345678"),
				"line_items": []any{
					item("SPG-BLK-2", "Salt & Pepper Grinder Set", 1, 49.95),
					item("CBT-01", "Crème brûlée Torch", 2, 34.50),
				},
				"tracking": tracking("", "", ""), "tracking_url": "",
				"order_status_url": "https://bondikitchen.com.au/63456789012/orders/f3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c8/authenticate?key=8c9b0a1f2e3d4c5b",
			},
			wantContact: chloe,
		},
		{
			name: "orders/paid", topic: "orders/paid", file: "orders_paid.json",
			wantType: event.OrderPaid, wantSubject: "450789469", wantTime: "2026-04-28T13:16:40Z",
			wantData: map[string]any{
				"status": "paid", "total": 431.88, "tags": []any{"vip", "wholesale"}, "note": "Leave at the back door",
				"customer": customerData("207119551", "Bob", "Norman", "bob.norman@mail.example.com", "+15024592181"),
			},
			wantContact: bob,
		},
		{
			name: "orders/fulfilled takes tracking from the last fulfillment", topic: "orders/fulfilled", file: "orders_fulfilled.json",
			wantType: event.OrderShipped, wantSubject: "450789469", wantTime: "2026-04-29T18:02:11Z",
			wantData: map[string]any{
				"status": "shipped", "fulfillment_status": "fulfilled", "fulfillment_id": "255858046",
				"tracking": tracking("1Z2345", upsURL, "UPS"), "tracking_url": upsURL, "total": 431.88,
			},
			wantContact: bob,
		},
		{
			name: "orders/cancelled", topic: "orders/cancelled", file: "orders_cancelled.json",
			wantType: event.OrderCancelled, wantSubject: "450789469", wantTime: "2026-04-28T15:20:00Z",
			wantData:    map[string]any{"status": "cancelled", "cancel_reason": "customer", "financial_status": "refunded"},
			wantContact: bob,
		},
		{
			name: "fulfillments/create from Shopify's sample", topic: "fulfillments/create", file: "fulfillments_create_sample.json",
			wantType: event.OrderShipped, wantSubject: "820982911946154508", wantTime: "2022-01-01T00:00:00Z",
			wantData: map[string]any{
				"order_id": "820982911946154508", "order_name": "#9999", "fulfillment_id": "123456", "status": "shipped",
				"fulfillment_status": "pending",
				"tracking":           tracking("1z827wk74630", "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1z827wk74630", "UPS"),
				"customer":           customerData("", "Steve", "Shipper", "jon@example.com", "555-555-SHIP"),
			},
			wantContact: &event.ContactRef{Phone: "555-555-SHIP", Email: "jon@example.com", FirstName: "Steve", LastName: "Shipper"},
		},
		{
			name: "fulfillments/create without email, tracking in the lists only", topic: "fulfillments/create", file: "fulfillments_create.json",
			wantType: event.OrderShipped, wantSubject: "6123456789012", wantTime: "2026-05-05T05:30:12Z",
			wantData: map[string]any{
				"order_id": "6123456789012", "order_name": "#1042", "fulfillment_id": "5123456789012", "status": "shipped",
				"fulfillment_status": "success", "shipment_status": "label_printed",
				"tracking":     tracking("33XYZ0012345601000931505", "https://auspost.com.au/mypost/track/#/details/33XYZ0012345601000931505", "Australia Post"),
				"tracking_url": "https://auspost.com.au/mypost/track/#/details/33XYZ0012345601000931505",
				"customer":     customerData("", "Chloé", "Nguyen", "", "+61412345678"),
				"line_items": []any{
					item("SPG-BLK-2", "Salt & Pepper Grinder Set", 1, 49.95),
					item("CBT-01", "Crème brûlée Torch", 2, 34.50),
				},
			},
			wantContact: &event.ContactRef{Phone: "+61412345678", FirstName: "Chloé", LastName: "Nguyen"},
		},
		{
			name: "checkouts/create from Shopify's sample, token only", topic: "checkouts/create", file: "checkouts_create_sample.json",
			wantType: event.CheckoutAbandoned, wantSubject: "123123123", wantTime: "2022-01-01T00:00:00Z",
			wantData: map[string]any{
				"checkout_id": "", "checkout_token": "123123123", "status": "abandoned", "total": 421.88, "currency": "USD",
				"checkout_url":           "https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token",
				"abandoned_checkout_url": "https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token",
				// No phone of the sample is valid: the billing one comes first.
				"customer": customerData("603851970716743426", "John", "Smith", "john@example.com", "555-555-BILL"),
			},
			wantContact: &event.ContactRef{Phone: "555-555-BILL", Email: "john@example.com", FirstName: "John", LastName: "Smith", ProviderIDs: map[string]string{"shopify": "603851970716743426"}},
		},
		{
			name: "checkouts/update still open, SMS marketing phone", topic: "checkouts/update", file: "checkouts_update.json",
			wantType: event.CheckoutAbandoned, wantSubject: "981820079255243537", wantTime: "2026-05-03T09:14:09Z",
			wantData: map[string]any{
				"checkout_id": "981820079255243537", "status": "abandoned", "total": 229.0, "currency": "NZD",
				"buyer_accepts_sms_marketing": true,
				"checkout_url":                "https://kiwi-gear.co.nz/62211133344/checkouts/2a1ace52255252df566a1d1ab1ab2b5/recover?key=0e4c3a1b9f&locale=en-NZ",
				"customer":                    customerData("6012345678901", "Kai", "Tanaka", "kai.tanaka@example.co.nz", "+64211234567"),
			},
			wantContact: kai,
		},
		{
			name: "checkouts/update completed is not abandoned", topic: "checkouts/update", file: "checkouts_update_completed.json",
			wantType: "shopify.checkouts.update", wantSubject: "981820079255243537", wantTime: "2026-05-03T09:20:41Z",
			wantData:    map[string]any{"status": "completed", "topic": "checkouts/update"},
			wantContact: kai,
		},
		{
			name: "customers/create from Shopify's sample", topic: "customers/create", file: "customers_create_sample.json",
			wantType: event.CustomerCreated, wantSubject: "706405506930370084", wantTime: "2022-01-01T00:00:00Z",
			wantData: map[string]any{
				"customer_id": "706405506930370084", "status": "disabled", "tags": []any{},
				"customer": customerData("706405506930370084", "Bob", "Biller", "bob@biller.com", "555-555-5555"),
			},
			wantContact: &event.ContactRef{Phone: "555-555-5555", Email: "bob@biller.com", FirstName: "Bob", LastName: "Biller", ProviderIDs: map[string]string{"shopify": "706405506930370084"}},
		},
		{
			name: "customers/create with phone and consent", topic: "customers/create", file: "customers_create.json",
			wantType: event.CustomerCreated, wantSubject: "7214458945612", wantTime: "2026-05-03T23:58:12Z",
			wantData: map[string]any{
				"status": "enabled", "tags": []any{"newsletter", "Bondi"},
				"email_marketing_consent": "subscribed", "sms_marketing_consent": "subscribed",
				"customer": customerData("7214458945612", "Chloé", "Nguyen", "chloe.nguyen@example.com.au", "+61412345678"),
			},
			wantContact: chloe,
		},
		{
			name: "orders/updated keeps the order shape", topic: "orders/updated", file: "orders_fulfilled.json",
			wantType: "shopify.orders.updated", wantSubject: "450789469", wantTime: "2026-04-29T18:02:11Z",
			wantData:    map[string]any{"status": "fulfilled", "tracking_url": upsURL},
			wantContact: bob,
		},
		{
			name: "customers/update keeps the customer shape", topic: "customers/update", file: "customers_create.json",
			wantType: "shopify.customers.update", wantSubject: "7214458945612", wantTime: "2026-05-03T23:58:13Z",
			wantData:    map[string]any{"customer_id": "7214458945612"},
			wantContact: chloe,
		},
		{
			name: "unknown topic is kept with its payload", topic: "products/create", file: "products_create.json",
			wantType: "shopify.products.create", wantSubject: "788032119674292922", wantTime: "2022-01-01T00:00:00Z",
			wantData: map[string]any{"topic": "products/create", "shop_domain": testShop},
		},
	}
	c := newTestConnector(t, Config{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := readTestdata(t, tc.file)
			evs, err := c.Parse(deliveryHeader(tc.topic), body)
			require.NoError(t, err)
			require.Len(t, evs, 1)
			ev := evs[0]
			require.Equal(t, "shopify", ev.Source)
			require.Equal(t, tc.wantType, ev.Type)
			require.Equal(t, tc.wantSubject, ev.Subject)
			require.Equal(t, testEventID, ev.DedupKey)
			require.Equal(t, tc.wantTime, ev.Time.Format(time.RFC3339Nano))
			require.Equal(t, body, []byte(ev.Raw))
			require.Empty(t, ev.ID, "the hub assigns ids")
			require.Equal(t, tc.topic, ev.Data["topic"])
			require.Equal(t, testShop, ev.Data["shop_domain"])
			for k, want := range tc.wantData {
				require.Equal(t, want, ev.Data[k], "data.%s", k)
			}
			require.Equal(t, tc.wantContact, ev.Contact)
			if event.IsCanonical(ev.Type) {
				requireNormalizedShape(t, ev)
			}
		})
	}
}

// requireNormalizedShape checks the keys and types every canonical event
// carries.
func requireNormalizedShape(t *testing.T, ev event.Event) {
	t.Helper()
	d := ev.Data
	require.IsType(t, "", d["status"])
	cust, ok := d["customer"].(map[string]any)
	require.True(t, ok, "customer is an object")
	for _, k := range []string{"id", "first_name", "last_name", "email", "phone"} {
		require.IsType(t, "", cust[k], "customer.%s", k)
	}
	if ev.Type == event.CustomerCreated {
		return
	}
	if total, ok := d["total"]; ok {
		require.IsType(t, float64(0), total)
	}
	items, ok := d["line_items"].([]any)
	require.True(t, ok, "line_items is a list")
	for _, it := range items {
		m := it.(map[string]any)
		require.Len(t, m, 4)
		require.IsType(t, "", m["sku"])
		require.IsType(t, "", m["title"])
		require.IsType(t, float64(0), m["quantity"])
		require.IsType(t, float64(0), m["price"])
	}
	if ev.Type == event.CheckoutAbandoned {
		require.IsType(t, "", d["checkout_url"])
		return
	}
	require.IsType(t, "", d["order_id"])
	require.IsType(t, "", d["order_name"])
	tr, ok := d["tracking"].(map[string]any)
	require.True(t, ok, "tracking is an object")
	require.Len(t, tr, 3)
	require.Equal(t, tr["url"], d["tracking_url"])
}

// TestParseOrderData pins the whole normalized data of one order.
func TestParseOrderData(t *testing.T) {
	t.Parallel()
	c := newTestConnector(t, Config{})
	evs, err := c.Parse(deliveryHeader("orders/paid"), readTestdata(t, "orders_paid.json"))
	require.NoError(t, err)
	require.Equal(t, map[string]any{
		"order_id":           "450789469",
		"order_name":         "#1001",
		"total":              431.88,
		"currency":           "USD",
		"status":             "paid",
		"financial_status":   "paid",
		"fulfillment_status": "",
		"customer":           customerData("207119551", "Bob", "Norman", "bob.norman@mail.example.com", "+15024592181"),
		"line_items": []any{
			item("IPOD2008GREEN", "IPod Nano - 8GB", 1, 199),
			item("IPOD2008PINK", "IPod Nano - 8GB", 1, 199),
		},
		"tracking":         tracking("", "", ""),
		"tracking_url":     "",
		"order_status_url": "https://switchboard-demo.myshopify.com/73629532432/orders/b1946ac92492d2347c6235b4d2611184/authenticate?key=4811162d4b5326c7",
		"tags":             []any{"vip", "wholesale"},
		"note":             "Leave at the back door",
		"test":             false,
		"topic":            "orders/paid",
		"shop_domain":      testShop,
	}, evs[0].Data)
}

func TestParseDeliveryHeaders(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "orders_paid.json")
	cases := []struct {
		name      string
		h         http.Header
		wantDedup string
		wantErr   string
	}{
		{"event id wins", deliveryHeader("orders/paid"), testEventID, ""},
		{"webhook id when no event id", deliveryHeader("orders/paid", HeaderEventID, ""), testWebhookID, ""},
		{"topic is trimmed and lower-cased", deliveryHeader(" Orders/Paid "), testEventID, ""},
		{
			"events delivery headers without X-",
			http.Header{"Shopify-Topic": {"orders/paid"}, "Shopify-Shop-Domain": {testShop}, "Shopify-Event-Id": {"ev-1"}},
			"ev-1", "",
		},
		{
			"lower-case names from HTTP/2",
			http.Header{"x-shopify-topic": {"orders/paid"}, "x-shopify-shop-domain": {testShop}, "x-shopify-webhook-id": {"wh-1"}},
			"wh-1", "",
		},
		{"no topic", deliveryHeader("orders/paid", HeaderTopic, ""), "", "no X-Shopify-Topic header"},
		{"no shop", deliveryHeader("orders/paid", HeaderShopDomain, ""), "", "no X-Shopify-Shop-Domain header"},
		{"no ids", deliveryHeader("orders/paid", HeaderEventID, "", HeaderWebhookID, ""), "", "no X-Shopify-Event-Id or X-Shopify-Webhook-Id header"},
		{"id too long", deliveryHeader("orders/paid", HeaderEventID, string(bytes.Repeat([]byte("a"), 256))), "", "longer than 255 bytes"},
	}
	c := newTestConnector(t, Config{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			evs, err := c.Parse(tc.h, body)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, connectors.ErrUnparseable)
				require.ErrorContains(t, err, tc.wantErr)
				require.Nil(t, evs)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantDedup, evs[0].DedupKey)
			require.Equal(t, event.OrderPaid, evs[0].Type)
		})
	}
}

func TestParseBadBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		topic string
		body  string
	}{
		{"not JSON", "orders/create", `{"id": 1,`},
		{"empty", "orders/create", ``},
		{"array for an order topic", "orders/create", `[{"id": 1}]`},
		{"string for an order topic", "orders/paid", `"order"`},
		{"object where a string belongs", "orders/create", `{"id": 1, "email": {"a": 1}}`},
		{"customer is not an object", "orders/create", `{"id": 1, "customer": "Bob"}`},
		{"bad line items", "checkouts/create", `{"token": "t", "line_items": {}}`},
		{"bad fulfillment", "fulfillments/create", `{"order_id": [1]}`},
		{"bad customer", "customers/create", `{"id": 1, "default_address": 5}`},
		{"generic not JSON", "products/create", `not json`},
		{"generic trailing data", "products/create", `{"id": 1} {"id": 2}`},
		{"generic empty", "app/uninstalled", ``},
	}
	c := newTestConnector(t, Config{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			evs, err := c.Parse(deliveryHeader(tc.topic), []byte(tc.body))
			require.ErrorIs(t, err, connectors.ErrUnparseable)
			require.Nil(t, evs)
		})
	}
}

func TestParseEdgeCases(t *testing.T) {
	t.Parallel()
	c := newTestConnector(t, Config{})
	parse := func(t *testing.T, topic, body string, kv ...string) event.Event {
		t.Helper()
		evs, err := c.Parse(deliveryHeader(topic, kv...), []byte(body))
		require.NoError(t, err)
		require.Len(t, evs, 1)
		return evs[0]
	}

	t.Run("time falls back to X-Shopify-Triggered-At", func(t *testing.T) {
		t.Parallel()
		ev := parse(t, "orders/create", `{"id":1,"total_price":"5.00"}`)
		require.Equal(t, "2026-05-04T00:00:05.123456Z", ev.Time.Format(time.RFC3339Nano))
		require.Equal(t, 5.0, ev.Data["total"])
		ev = parse(t, "orders/create", `{"id":1}`, HeaderTriggeredAt, "")
		require.True(t, ev.Time.IsZero(), "the hub stamps the arrival time")
		require.NotContains(t, ev.Data, "total", "no total is better than a made-up one")
	})

	t.Run("money as numbers and in total_price_set", func(t *testing.T) {
		t.Parallel()
		ev := parse(t, "orders/paid", `{"id":1,"total_price_set":{"shop_money":{"amount":"12.50","currency_code":"EUR"}},"line_items":[{"sku":"A","title":"T","quantity":"2","price":3.25}]}`)
		require.Equal(t, 12.5, ev.Data["total"])
		require.Equal(t, "EUR", ev.Data["currency"])
		require.Equal(t, []any{item("A", "T", 2, 3.25)}, ev.Data["line_items"])
	})

	t.Run("ids beyond 2^53 stay exact", func(t *testing.T) {
		t.Parallel()
		ev := parse(t, "orders/create", `{"id":9007199254740993,"customer":{"id":9007199254740995,"email":"a@b.co"}}`)
		require.Equal(t, "9007199254740993", ev.Data["order_id"])
		require.Equal(t, "9007199254740993", ev.Subject)
		require.Equal(t, map[string]string{"shopify": "9007199254740995"}, ev.Contact.ProviderIDs)
		gen := parse(t, "inventory_levels/update", `{"inventory_item_id":9007199254740993,"available":3,"location_id":655441491}`)
		require.Equal(t, map[string]any{"inventory_item_id": "9007199254740993", "available": 3.0, "location_id": 655441491.0}, gen.Data["payload"])
		require.Equal(t, "shopify.inventory_levels.update", gen.Type)
	})

	t.Run("phone search order and regions", func(t *testing.T) {
		t.Parallel()
		// customer.phone is missing, the order's own phone is national
		// format; it is read in the shipping country (GB), not the billing
		// one (AU).
		ev := parse(t, "orders/create", `{"id":1,"phone":"07911 123456","customer":{"id":5,"phone":null},
			"billing_address":{"phone":"0412 345 678","country_code":"AU"},"shipping_address":{"country_code":"GB"}}`)
		require.Equal(t, "+447911123456", ev.Contact.Phone)
		// An unreadable phone is skipped for a valid one further down.
		ev = parse(t, "orders/create", `{"id":1,"customer":{"id":5,"phone":"n/a","default_address":{"phone":"(02) 9374 4000","country_code":"AU"}}}`)
		require.Equal(t, "+61293744000", ev.Contact.Phone)
		require.Equal(t, "+61293744000", ev.Data["customer"].(map[string]any)["phone"])
		// Nothing valid and no region: kept as written, for the hub's default region.
		ev = parse(t, "orders/create", `{"id":1,"phone":" 0412 345 678 "}`)
		require.Equal(t, "0412 345 678", ev.Contact.Phone)
	})

	t.Run("names and email fall back to the addresses and the order", func(t *testing.T) {
		t.Parallel()
		ev := parse(t, "orders/create", `{"id":1,"contact_email":"guest@example.com","shipping_address":{"first_name":"Ana","last_name":"Silva","phone":"+351 912 345 678"}}`)
		require.Equal(t, &event.ContactRef{Phone: "+351912345678", Email: "guest@example.com", FirstName: "Ana", LastName: "Silva"}, ev.Contact)
	})

	t.Run("an order naming nobody has no contact", func(t *testing.T) {
		t.Parallel()
		ev := parse(t, "orders/create", `{"id":1,"name":"#1"}`)
		require.Nil(t, ev.Contact)
		require.Equal(t, customerData("", "", "", "", ""), ev.Data["customer"])
	})

	t.Run("a failed fulfillment is not a shipment", func(t *testing.T) {
		t.Parallel()
		for _, st := range []string{"cancelled", "error", "failure"} {
			ev := parse(t, "fulfillments/create", `{"id":7,"order_id":1,"status":"`+st+`","name":"#1001.2"}`)
			require.Equal(t, "shopify.fulfillments.create", ev.Type)
			require.Equal(t, st, ev.Data["status"])
			require.Equal(t, "#1001", ev.Data["order_name"])
		}
		ev := parse(t, "fulfillments/update", `{"id":7,"order_id":1,"status":"success","shipment_status":"delivered"}`)
		require.Equal(t, "shopify.fulfillments.update", ev.Type)
		require.Equal(t, "delivered", ev.Data["shipment_status"])
	})

	t.Run("odd topics become valid type names", func(t *testing.T) {
		t.Parallel()
		ev := parse(t, "app/uninstalled", `{"id":548380009,"name":"Super Toys"}`)
		require.Equal(t, "shopify.app.uninstalled", ev.Type)
		require.Equal(t, "548380009", ev.Subject)
		ev = parse(t, "Weird Topic/x-y", `[1,2]`)
		require.Equal(t, "shopify.weird_topic.x_y", ev.Type)
		require.Equal(t, "weird topic/x-y", ev.Data["topic"])
		require.Equal(t, []any{1.0, 2.0}, ev.Data["payload"])
	})

	t.Run("raw is a copy of the body", func(t *testing.T) {
		t.Parallel()
		body := []byte(`{"id":1}`)
		evs, err := c.Parse(deliveryHeader("orders/create"), body)
		require.NoError(t, err)
		body[1] = 'X'
		require.Equal(t, `{"id":1}`, string(evs[0].Raw))
	})
}

func TestPickPhone(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		cands []phoneCandidate
		want  string
	}{
		{"none", nil, ""},
		{"blank", []phoneCandidate{{"  ", []string{"US"}}}, ""},
		{"E.164 needs no region", []phoneCandidate{{"+61 412 345 678", nil}}, "+61412345678"},
		{"national with region", []phoneCandidate{{"0412 345 678", []string{"AU"}}}, "+61412345678"},
		{"second region", []phoneCandidate{{"(502) 459-2181", []string{"", "xx", "US"}}}, "+15024592181"},
		{"lower-case region", []phoneCandidate{{"020 7946 0958", []string{"gb"}}}, "+442079460958"},
		{"first valid wins over an earlier invalid", []phoneCandidate{{"555-555-SHIP", []string{"US"}}, {"+1 502 459 2181", nil}}, "+15024592181"},
		{"nothing valid keeps the first raw", []phoneCandidate{{"555-555-SHIP", []string{"US"}}, {"123-123-1234", []string{"CA"}}}, "555-555-SHIP"},
		{"absurdly long is not parsed", []phoneCandidate{{"+61" + string(bytes.Repeat([]byte("4"), 100)), nil}}, "+61" + string(bytes.Repeat([]byte("4"), 100))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, pickPhone(tc.cands...))
		})
	}
}
