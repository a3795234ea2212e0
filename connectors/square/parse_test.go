package square

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/event"
)

// customerOnly is data.customer as a payload that names only an id and an
// email gives it.
func customerOnly(id, email string) map[string]any {
	return map[string]any{"id": id, "first_name": "", "last_name": "", "email": email, "phone": ""}
}

func squareContact(id string) *event.ContactRef {
	return &event.ContactRef{ProviderIDs: map[string]string{"square": id}}
}

func TestParse(t *testing.T) {
	t.Parallel()
	const bookingCustomer = "SSKBT02ECWZXK6W3VWYC78E52R"
	cases := []struct {
		file        string
		wantType    string
		wantDedup   string
		wantTime    string
		wantSubject string
		wantContact *event.ContactRef
		// wantData lists keys that must hold exactly these values.
		wantData map[string]any
		// wantAbsent lists keys that must not be set.
		wantAbsent []string
	}{
		{
			file: "booking_created.json", wantType: event.BookingCreated,
			wantDedup: "6f1c8b4e-6d2a-4f0e-9d3c-2b7a5e8c1f90", wantTime: "2020-12-08T19:56:54Z",
			wantSubject: "i2id2g3enyspi7", wantContact: squareContact(bookingCustomer),
			wantData: map[string]any{
				"square_type": "booking.created", "booking_id": "i2id2g3enyspi7", "status": "pending", "square_status": "PENDING",
				"start_at": "2020-12-17T16:00:00Z", "location_id": "L9R0X9X5SGDBJ", "merchant_id": "GQQWA3J6A3AEZ",
				"customer": customerOnly(bookingCustomer, ""),
			},
		},
		{
			file: "booking_updated.json", wantType: event.BookingUpdated,
			wantDedup: "d954ea4e-a393-52d4-bda6-bfd10cbd571f", wantTime: "2020-12-08T20:05:00Z",
			wantSubject: "i2id2g3enyspi7", wantContact: squareContact(bookingCustomer),
			wantData: map[string]any{"status": "accepted", "square_status": "ACCEPTED", "booking_id": "i2id2g3enyspi7"},
		},
		{
			file: "booking_cancelled_by_customer.json", wantType: event.BookingCancelled,
			wantDedup: "0c2d5ad1-3c6e-4d0b-8a54-7f1f2a9b3e11", wantTime: "2020-12-09T10:15:01Z",
			wantSubject: "i2id2g3enyspi7", wantContact: squareContact(bookingCustomer),
			wantData: map[string]any{"status": "cancelled", "square_status": "CANCELLED_BY_CUSTOMER", "square_type": "booking.updated"},
		},
		{
			file: "booking_cancelled_by_seller.json", wantType: event.BookingCancelled,
			wantDedup: "5b7e9f20-1a4c-4c2e-9f1d-8e3b6a0c7d22", wantTime: "2020-12-09T10:15:01Z",
			wantSubject: "i2id2g3enyspi7", wantContact: squareContact(bookingCustomer),
			wantData: map[string]any{"status": "cancelled", "square_status": "CANCELLED_BY_SELLER"},
		},
		{
			file: "booking_declined.json", wantType: event.BookingCancelled,
			wantDedup: "a9e1c3f5-7b2d-4e6f-8a0c-1d3e5f7a9b33", wantTime: "2020-12-09T10:15:01Z",
			wantSubject: "i2id2g3enyspi7", wantContact: squareContact(bookingCustomer),
			wantData: map[string]any{"status": "cancelled", "square_status": "DECLINED"},
		},
		{
			file: "booking_no_show.json", wantType: event.BookingUpdated,
			wantDedup: "c4d6e8f0-2a4b-4c6d-8e0f-3a5b7c9d1e44", wantTime: "2020-12-09T10:15:01Z",
			wantSubject: "i2id2g3enyspi7", wantContact: squareContact(bookingCustomer),
			wantData: map[string]any{"status": "no_show", "square_status": "NO_SHOW"},
		},
		{
			file: "booking_thin.json", wantType: event.BookingUpdated,
			wantDedup: "e7f9a1b3-5c7d-4e9f-a1b3-c5d7e9f1a355", wantTime: "2020-12-10T08:00:00Z",
			wantSubject: "i2id2g3enyspi7", wantContact: squareContact(bookingCustomer),
			wantData:   map[string]any{"status": "accepted", "start_at": "", "booking_id": "i2id2g3enyspi7"},
			wantAbsent: []string{"location_id"},
		},
		{
			file: "payment_updated_completed.json", wantType: event.PaymentCompleted,
			wantDedup: "6a8f5f28-54a1-4eb0-a98a-3111513fd4fc", wantTime: "2020-02-06T21:27:34.308Z",
			wantSubject: "hYy9pRFVxpDsO1FB05SunFWUe9JZY",
			wantData: map[string]any{
				"square_type": "payment.updated", "payment_id": "hYy9pRFVxpDsO1FB05SunFWUe9JZY", "status": "completed", "square_status": "COMPLETED",
				"customer": customerOnly("", ""),
				"order_id": "03O3USaPaAaFnI6kkwB1JxGgBsUZY", "amount": 1.0, "total": 1.0, "currency": "USD",
				"location_id": "S8GWD5R9QB376", "card_brand": "MASTERCARD", "last_4": "9029", "source_type": "CARD",
				"receipt_number": "hYy9", "receipt_url": "https://squareup.com/receipt/preview/hYy9pRFVxpDsO1FB05SunFWUe9JZY",
			},
			wantAbsent: []string{"tip", "refunded"},
		},
		{
			file: "payment_updated_customer.json", wantType: event.PaymentCompleted,
			wantDedup: "2d4f6a8c-0e2a-4c6e-8a0c-2e4a6c8e0a66", wantTime: "2020-11-22T21:19:01.12Z",
			wantSubject: "hYy9pRFVxpDsO1FB05SunFWUe9JZY",
			wantContact: &event.ContactRef{Email: "amelia.earhart@example.com", ProviderIDs: map[string]string{"square": bookingCustomer}},
			wantData: map[string]any{
				"amount": 42.5, "total": 44.0, "tip": 1.5, "currency": "AUD", "note": "Table 4",
				"customer": customerOnly(bookingCustomer, "amelia.earhart@example.com"),
			},
		},
		{
			file: "payment_updated_approved.json", wantType: "square.payment.updated",
			wantDedup: "13b867cf-db3d-4b1c-90b6-2f32a9d78124", wantTime: "2020-11-22T21:16:51.3Z",
			wantSubject: "hYy9pRFVxpDsO1FB05SunFWUe9JZY",
			wantData:    map[string]any{"status": "approved", "square_status": "APPROVED", "total": 1.0},
		},
		{
			file: "payment_updated_refunded.json", wantType: "square.payment.updated",
			wantDedup: "7e9a1c3e-5a7c-4e9a-8c1e-3a5c7e9a1c77", wantTime: "2020-11-23T10:00:01Z",
			wantSubject: "hYy9pRFVxpDsO1FB05SunFWUe9JZY",
			wantData:    map[string]any{"status": "completed", "refunded": 1.0},
		},
		{
			file: "payment_updated_jpy.json", wantType: event.PaymentCompleted,
			wantDedup: "9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c88", wantTime: "2021-03-01T02:00:02Z",
			wantSubject: "R2B3Z8WMVt3EAmzYWLZvz7Y69EbZY",
			wantData:    map[string]any{"total": 1500.0, "amount": 1500.0, "currency": "JPY", "source_type": "CASH"},
		},
		{
			file: "payment_created.json", wantType: "square.payment.created",
			wantDedup: "13b867cf-db3d-4b1c-90b6-2f32a9d78124", wantTime: "2020-02-06T21:27:30.792Z",
			wantSubject: "KkAkhdMsgzn59SM8A89WgKwekxLZY",
			wantData:    map[string]any{"payment_id": "KkAkhdMsgzn59SM8A89WgKwekxLZY", "status": "approved", "total": 10.0, "card_brand": "VISA"},
		},
		{
			file: "order_updated_open.json", wantType: "square.order.updated",
			wantDedup: "4b8e5c91-9f17-4cf1-900a-4a0629f81add", wantTime: "2020-04-16T23:14:26.359Z",
			wantSubject: "eA3vssLHKJrv9H0IdJCM3gNqfdcZY",
			wantData: map[string]any{
				"square_type": "order.updated", "order_id": "eA3vssLHKJrv9H0IdJCM3gNqfdcZY", "status": "open", "square_status": "OPEN",
				"customer": customerOnly("", ""),
				"version":  2.0, "location_id": "FPYCBCHYMXFK1", "merchant_id": "5S9MXCS9Y99KK",
				"created_at": "2020-04-16T23:14:26.129Z", "updated_at": "2020-04-16T23:14:26.359Z",
			},
			wantAbsent: []string{"total", "currency", "line_items"},
		},
		{
			file: "order_updated_completed.json", wantType: event.OrderPaid,
			wantDedup: "1c3e5a7c-9e1a-4c3e-9a5c-7e9a1c3e5a99", wantTime: "2020-04-16T23:20:02.01Z",
			wantSubject: "eA3vssLHKJrv9H0IdJCM3gNqfdcZY",
			wantData:    map[string]any{"status": "paid", "square_status": "COMPLETED", "version": 4.0},
		},
		{
			file: "order_updated_canceled.json", wantType: event.OrderCancelled,
			wantDedup: "8f0a2c4e-6a8c-4e0a-8c2e-4a6c8e0a2caa", wantTime: "2020-04-17T09:00:00.5Z",
			wantSubject: "eA3vssLHKJrv9H0IdJCM3gNqfdcZY",
			wantData:    map[string]any{"status": "cancelled", "square_status": "CANCELED"},
		},
		{
			file: "order_created.json", wantType: event.OrderCreated,
			wantDedup: "116038d3-2948-439f-8679-fc86cbf1876f", wantTime: "2020-04-16T23:14:27.021Z",
			wantSubject: "eA3vssLHKJrv9H0IdJCM3gNqfdcZY",
			wantData:    map[string]any{"status": "open", "version": 1.0, "order_id": "eA3vssLHKJrv9H0IdJCM3gNqfdcZY"},
		},
		{
			file: "order_created_draft.json", wantType: "square.order.created",
			wantDedup: "226038d3-2948-439f-8679-fc86cbf1876f", wantTime: "2020-04-16T23:14:27.021Z",
			wantSubject: "eA3vssLHKJrv9H0IdJCM3gNqfdcZY",
			wantData:    map[string]any{"status": "draft", "square_status": "DRAFT"},
		},
		{
			file: "order_fulfillment_updated.json", wantType: "square.order.fulfillment.updated",
			wantDedup: "b3adf364-4937-436e-a833-49c72b4baee8", wantTime: "2020-04-16T23:16:30.789Z",
			wantSubject: "eA3vssLHKJrv9H0IdJCM3gNqfdcZY",
			wantData: map[string]any{
				"status": "open", "version": 6.0,
				"fulfillment_updates": []any{map[string]any{"uid": "VWJ1N9leLqjSDLvF2hvYjD", "old_state": "PREPARED", "new_state": "COMPLETED"}},
			},
		},
		{
			file: "customer_created.json", wantType: event.CustomerCreated,
			wantDedup: "e2f9bf48-aaf4-4e7c-a8fb-1d1a9fd3a9f1", wantTime: "2020-05-27T01:06:02Z",
			wantSubject: "A0AP3WTNQSKY8KF7GPY45FYHF8",
			wantContact: &event.ContactRef{
				Phone: "+12125554240", Email: "Amelia.Earhart@example.com", FirstName: "Amelia", LastName: "Earhart",
				ProviderIDs: map[string]string{"square": "A0AP3WTNQSKY8KF7GPY45FYHF8"},
			},
			wantData: map[string]any{"customer": map[string]any{
				"id": "A0AP3WTNQSKY8KF7GPY45FYHF8", "first_name": "Amelia", "last_name": "Earhart",
				"email": "Amelia.Earhart@example.com", "phone": "+12125554240", "country": "US",
				"reference_id": "YOUR_REFERENCE_ID", "created_at": "2020-05-27T01:06:01.891Z", "updated_at": "2020-05-27T01:06:01Z",
			}},
		},
		{
			file: "invoice_payment_made.json", wantType: "square.invoice.payment_made",
			wantDedup: "b4ac0a7a-8b4a-4dd0-9c1c-5a7a6c7d8e9f", wantTime: "2021-03-02T18:50:25Z",
			wantSubject: "inv:0-ChA4ExW2ZUqUeovdoMEyTg3",
			wantData: map[string]any{
				"object_type": "invoice", "object_id": "inv:0-ChA4ExW2ZUqUeovdoMEyTg3", "location_id": "L8TZ2SE9QGHSR",
			},
		},
		{
			file: "test_notification.json", wantType: "square.webhooks.test_notification",
			wantDedup: "ac3ac95b-f97d-458c-a6e6-18981597e05f", wantTime: "2022-07-13T20:30:59.037339943Z",
			wantSubject: "bc368e64-01aa-407e-b46e-3231809b1129",
			wantData: map[string]any{
				"square_type": "webhooks.test_notification", "merchant_id": "MLEFBHHSJGVHD",
				"object_type": "webhooks", "object_id": "bc368e64-01aa-407e-b46e-3231809b1129",
			},
			wantAbsent: []string{"object"},
		},
	}
	c := newTestConnector(t)
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			body := readTestdata(t, tc.file)
			evs, err := c.Parse(nil, body)
			require.NoError(t, err)
			require.Len(t, evs, 1)
			ev := evs[0]
			require.Equal(t, Name, ev.Source)
			require.Equal(t, tc.wantType, ev.Type)
			require.Equal(t, tc.wantDedup, ev.DedupKey)
			wantTime, err := time.Parse(time.RFC3339Nano, tc.wantTime)
			require.NoError(t, err)
			require.True(t, wantTime.Equal(ev.Time), "time %s, want %s", ev.Time, wantTime)
			require.Equal(t, tc.wantSubject, ev.Subject)
			require.Equal(t, tc.wantContact, ev.Contact)
			require.JSONEq(t, string(body), string(ev.Raw))
			for k, v := range tc.wantData {
				require.Equal(t, v, ev.Data[k], "data.%s", k)
			}
			for _, k := range tc.wantAbsent {
				require.NotContains(t, ev.Data, k)
			}
			require.Equal(t, ev.Data["square_type"], jsonField(t, body, "type"))
			requireJSONNative(t, ev.Data)
		})
	}
}

// TestParseBookingData pins the whole normalized booking.
func TestParseBookingData(t *testing.T) {
	t.Parallel()
	evs, err := newTestConnector(t).Parse(nil, readTestdata(t, "booking_created.json"))
	require.NoError(t, err)
	require.Equal(t, map[string]any{
		"square_type":   "booking.created",
		"merchant_id":   "GQQWA3J6A3AEZ",
		"location_id":   "L9R0X9X5SGDBJ",
		"booking_id":    "i2id2g3enyspi7",
		"status":        "pending",
		"square_status": "PENDING",
		"start_at":      "2020-12-17T16:00:00Z",
		"customer":      customerOnly("SSKBT02ECWZXK6W3VWYC78E52R", ""),
		"booking": map[string]any{
			"id":                      "i2id2g3enyspi7",
			"status":                  "PENDING",
			"start_at":                "2020-12-17T16:00:00Z",
			"location_id":             "L9R0X9X5SGDBJ",
			"customer_id":             "SSKBT02ECWZXK6W3VWYC78E52R",
			"version":                 0.0,
			"created_at":              "2020-12-08T19:56:53Z",
			"updated_at":              "2020-12-08T19:56:53Z",
			"customer_note":           "I would like to sit near the window please",
			"location_type":           "BUSINESS_LOCATION",
			"source":                  "FIRST_PARTY_BUYER",
			"all_day":                 false,
			"transition_time_minutes": 0.0,
			"duration_minutes":        45.0,
			"appointment_segments": []any{
				map[string]any{
					"duration_minutes": 30.0, "service_variation_id": "T3WUWYFJOVW2EU6XGRU5YG4A",
					"service_variation_version": 1605808735978.0, "team_member_id": "_4GsfYnqGHyurOwzWdKj",
					"any_team_member": false, "intermission_minutes": 0.0,
				},
				map[string]any{
					"duration_minutes": 15.0, "service_variation_id": "QOGS2Y3ZCLKJH5YSJK3GBDHJ",
					"service_variation_version": 1605808735978.0, "team_member_id": "_4GsfYnqGHyurOwzWdKj",
					"any_team_member": false, "intermission_minutes": 0.0,
				},
			},
		},
	}, evs[0].Data)
}

// TestParseDataSurvivesJSON checks that data holds only JSON types, so an
// event reads the same after the store and the bus (Enrich may see either).
func TestParseDataSurvivesJSON(t *testing.T) {
	t.Parallel()
	c := newTestConnector(t)
	for _, name := range testdataFiles(t) {
		evs, err := c.Parse(nil, readTestdata(t, name))
		require.NoError(t, err, name)
		b, err := json.Marshal(evs[0].Data)
		require.NoError(t, err, name)
		var back map[string]any
		require.NoError(t, json.Unmarshal(b, &back), name)
		require.Equal(t, evs[0].Data, back, name)
	}
}

func TestParseUnparseable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, wantMsg string
	}{
		{"empty", ``, "not a JSON object"},
		{"not json", `event_id=1`, "not a JSON object"},
		{"array", `[{"type":"booking.created","event_id":"e1"}]`, "not a JSON object"},
		{"null", `null`, "not a JSON object"},
		{"truncated", `{"type":"booking.created","event_id":"e1"`, "decoding the webhook body"},
		{"no type", `{"event_id":"e1","data":{}}`, "no type"},
		{"no event_id", `{"type":"booking.created","data":{}}`, "no event_id"},
		{"type not a string", `{"type":1,"event_id":"e1"}`, "decoding the webhook body"},
		{"data not an object", `{"type":"booking.created","event_id":"e1","data":"x"}`, "decoding the webhook body"},
		{"booking not an object", `{"type":"booking.created","event_id":"e1","data":{"type":"booking","id":"b","object":{"booking":"b"}}}`, "data.object"},
		{"amount not a number", `{"type":"payment.updated","event_id":"e1","data":{"object":{"payment":{"id":"p","amount_money":{"amount":"1"}}}}}`, "data.object"},
		{"order summary not an object", `{"type":"order.updated","event_id":"e1","data":{"object":{"order_updated":[]}}}`, "data.object.order_updated"},
		{"object not an object", `{"type":"order.updated","event_id":"e1","data":{"object":[1]}}`, "data.object"},
	}
	c := newTestConnector(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			evs, err := c.Parse(nil, []byte(tc.body))
			require.ErrorIs(t, err, connectors.ErrUnparseable)
			require.ErrorContains(t, err, tc.wantMsg)
			require.Nil(t, evs)
		})
	}
}

func TestParseThinPayloads(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, wantType string
		wantData             map[string]any
	}{
		{
			name:     "booking without object takes its id from data.id",
			body:     `{"type":"booking.updated","event_id":"e1","data":{"type":"booking","id":"bk1:7"}}`,
			wantType: event.BookingUpdated,
			wantData: map[string]any{"booking_id": "bk1", "status": "", "start_at": "", "customer": customerOnly("", "")},
		},
		{
			name:     "payment with null object",
			body:     `{"type":"payment.updated","event_id":"e2","data":{"type":"payment","id":"p1","object":null}}`,
			wantType: "square.payment.updated",
			wantData: map[string]any{"payment_id": "p1", "status": ""},
		},
		{
			name:     "order.updated without summary",
			body:     `{"type":"order.updated","event_id":"e3","data":{"type":"order","id":"o1","object":{}}}`,
			wantType: "square.order.updated",
			wantData: map[string]any{"order_id": "o1", "status": ""},
		},
		{
			name:     "unknown type with odd characters",
			body:     `{"type":"Labor.Shift-Created..2x","event_id":"e4"}`,
			wantType: "square.labor.shift_created.x.x2x",
			wantData: map[string]any{"square_type": "Labor.Shift-Created..2x"},
		},
		{
			name:     "bad created_at leaves the time to the hub",
			body:     `{"type":"customer.deleted","event_id":"e5","created_at":"yesterday","data":{"type":"customer","id":"c1","object":{"customer":{"id":"c1"}}}}`,
			wantType: "square.customer.deleted",
			wantData: map[string]any{"object_id": "c1", "object": map[string]any{"customer": map[string]any{"id": "c1"}}},
		},
	}
	c := newTestConnector(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			evs, err := c.Parse(nil, []byte(tc.body))
			require.NoError(t, err)
			require.Equal(t, tc.wantType, evs[0].Type)
			for k, v := range tc.wantData {
				require.Equal(t, v, evs[0].Data[k], "data.%s", k)
			}
			if tc.name == "bad created_at leaves the time to the hub" {
				require.True(t, evs[0].Time.IsZero())
			}
		})
	}
}

func TestMoneyExponent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		amount   int64
		currency string
		want     float64
	}{
		{1234, "USD", 12.34},
		{4250, "aud", 42.5},
		{-500, "EUR", -5},
		{1500, "JPY", 1500},
		{9900, "KRW", 9900},
		{1234, "KWD", 1.234},
		{1, "BHD", 0.001},
		{10000, "CLF", 1},
		{250, "", 2.5},
	}
	for _, tc := range cases {
		m := money{Amount: &tc.amount, Currency: tc.currency}
		require.InDelta(t, tc.want, m.major(), 1e-9, "%d %s", tc.amount, tc.currency)
	}
}

func testdataFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = filepath.Base(f)
	}
	return out
}

func jsonField(t *testing.T, body []byte, key string) any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m))
	return m[key]
}

// requireJSONNative fails unless v holds only what encoding/json decodes to.
func requireJSONNative(t *testing.T, v any) {
	t.Helper()
	switch x := v.(type) {
	case nil, string, float64, bool:
	case map[string]any:
		for _, e := range x {
			requireJSONNative(t, e)
		}
	case []any:
		for _, e := range x {
			requireJSONNative(t, e)
		}
	default:
		t.Fatalf("data holds a %T (%v), which JSON would not give back", v, v)
	}
}

func TestTestdataIsValidJSON(t *testing.T) {
	t.Parallel()
	for _, name := range testdataFiles(t) {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		require.True(t, json.Valid(b), name)
	}
}
