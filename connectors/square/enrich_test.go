package square

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/square/fake"
	"github.com/switchboardhq/switchboard/event"
)

// parsed renders a notification the way the fake sends it and parses it.
func parsed(t *testing.T, c *Connector, payload any) event.Event {
	t.Helper()
	body, err := fake.Marshal(payload)
	require.NoError(t, err)
	evs, err := c.Parse(nil, body)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	return evs[0]
}

// roundTrip is what the store and the bus do to an event before the engine
// calls Enrich: JSON, without Raw.
func roundTrip(t *testing.T, ev event.Event) event.Event {
	t.Helper()
	ev.Raw = nil
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	var out event.Event
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

var seededCustomer = map[string]any{
	"id": fake.CustomerID, "first_name": "Amelia", "last_name": "Earhart", "email": fake.CustomerEmail,
	"phone": fake.CustomerE164, "country": "AU", "reference_id": "YOUR_REFERENCE_ID",
	"created_at": "2024-03-01T09:12:44.196Z", "updated_at": "2024-03-01T09:12:44Z",
}

var seededContact = &event.ContactRef{
	Phone: fake.CustomerE164, Email: fake.CustomerEmail, FirstName: "Amelia", LastName: "Earhart",
	ProviderIDs: map[string]string{"square": fake.CustomerID},
}

func TestEnrich(t *testing.T) {
	t.Parallel()
	paymentWithout := fake.SeedPayment()
	paymentWithout.CustomerID, paymentWithout.BuyerEmailAddress = "", ""
	paymentBuyerOnly := fake.SeedPayment()
	paymentBuyerOnly.CustomerID = fake.CustomerNoPhoneID
	paymentBuyerOnly.BuyerEmailAddress = "buyer@example.com"
	noEmail := fake.Customer{ID: "NOEMAIL0000000000000000001", GivenName: "Ada", PhoneNumber: "+44 20 7946 0958"}
	bookingOf := func(customerID string) fake.Booking {
		b := fake.SeedBooking()
		b.CustomerID = customerID
		return b
	}

	cases := []struct {
		name        string
		payload     any
		arrange     func(*fake.Server)
		wantType    string
		wantPaths   []string
		wantData    map[string]any
		wantContact *event.ContactRef
	}{
		{
			name:        "booking.created fetches the customer",
			payload:     fake.BookingCreated(fake.SeedBooking()),
			wantType:    event.BookingCreated,
			wantPaths:   []string{"/v2/customers/" + fake.CustomerID},
			wantData:    map[string]any{"customer": seededCustomer, "start_at": fake.BookingStartAt, "status": "accepted"},
			wantContact: seededContact,
		},
		{
			name:      "thin booking fetches the booking, then the customer",
			payload:   fake.BookingUpdated(fake.Booking{ID: fake.BookingID, Version: 3, Status: "CANCELLED_BY_CUSTOMER"}),
			wantType:  event.BookingCancelled,
			wantPaths: []string{"/v2/bookings/" + fake.BookingID, "/v2/customers/" + fake.CustomerID},
			wantData: map[string]any{
				"customer": seededCustomer, "start_at": fake.BookingStartAt, "status": "cancelled",
				"square_status": "CANCELLED_BY_CUSTOMER", "location_id": fake.LocationID,
			},
			wantContact: seededContact,
		},
		{
			name:      "phone read in the country of the address",
			payload:   fake.BookingCreated(bookingOf(fake.CustomerUSID)),
			wantType:  event.BookingCreated,
			wantPaths: []string{"/v2/customers/" + fake.CustomerUSID},
			wantContact: &event.ContactRef{
				Phone: fake.CustomerUSE164, Email: "john.doe@example.com", FirstName: "John", LastName: "Doe",
				ProviderIDs: map[string]string{"square": fake.CustomerUSID},
			},
		},
		{
			name:      "customer without phone",
			payload:   fake.BookingCreated(bookingOf(fake.CustomerNoPhoneID)),
			wantType:  event.BookingCreated,
			wantPaths: []string{"/v2/customers/" + fake.CustomerNoPhoneID},
			wantData: map[string]any{"customer": map[string]any{
				"id": fake.CustomerNoPhoneID, "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com", "phone": "",
				"created_at": "2024-06-02T08:00:00Z", "updated_at": "2024-06-02T08:00:00Z",
			}},
			wantContact: &event.ContactRef{
				Email: "grace@example.com", FirstName: "Grace", LastName: "Hopper",
				ProviderIDs: map[string]string{"square": fake.CustomerNoPhoneID},
			},
		},
		{
			name:      "customer without email keeps the buyer's",
			payload:   fake.PaymentUpdated(func() fake.Payment { p := fake.SeedPayment(); p.CustomerID = noEmail.ID; return p }()),
			arrange:   func(s *fake.Server) { s.AddCustomer(noEmail) },
			wantType:  event.PaymentCompleted,
			wantPaths: []string{"/v2/customers/" + noEmail.ID},
			wantData: map[string]any{"customer": map[string]any{
				"id": noEmail.ID, "first_name": "Ada", "last_name": "", "email": fake.CustomerEmail, "phone": "+442079460958",
			}},
			wantContact: &event.ContactRef{
				Phone: "+442079460958", Email: fake.CustomerEmail, FirstName: "Ada",
				ProviderIDs: map[string]string{"square": noEmail.ID},
			},
		},
		{
			name:      "customer email wins over the buyer's",
			payload:   fake.PaymentUpdated(paymentBuyerOnly),
			wantType:  event.PaymentCompleted,
			wantPaths: []string{"/v2/customers/" + fake.CustomerNoPhoneID},
			wantContact: &event.ContactRef{
				Email: "grace@example.com", FirstName: "Grace", LastName: "Hopper",
				ProviderIDs: map[string]string{"square": fake.CustomerNoPhoneID},
			},
		},
		{
			name:        "payment with a customer",
			payload:     fake.PaymentUpdated(fake.SeedPayment()),
			wantType:    event.PaymentCompleted,
			wantPaths:   []string{"/v2/customers/" + fake.CustomerID},
			wantData:    map[string]any{"customer": seededCustomer, "total": 42.5, "currency": "AUD"},
			wantContact: seededContact,
		},
		{
			name:     "payment without a customer needs no call",
			payload:  fake.PaymentUpdated(paymentWithout),
			wantType: event.PaymentCompleted,
			wantData: map[string]any{"total": 42.5},
		},
		{
			name:      "completed order fetches the order, then its customer",
			payload:   fake.OrderUpdated(fake.OrderID, "COMPLETED", 4),
			wantType:  event.OrderPaid,
			wantPaths: []string{"/v2/orders/" + fake.OrderID, "/v2/customers/" + fake.CustomerID},
			wantData: map[string]any{
				"customer": seededCustomer, "total": 42.5, "currency": "AUD", "status": "paid",
				"square_status": "COMPLETED", "reference_id": "my-order-0001",
				"line_items": []any{
					map[string]any{"sku": "", "title": "Flat White", "quantity": 2.0, "price": 5.5, "total": 11.0},
					map[string]any{"sku": "", "title": "Coffee Beans 1kg", "quantity": 1.0, "price": 31.5, "total": 31.5},
				},
				"fulfillments": []any{map[string]any{"uid": "bWOLVkUNhwbr0oSmVDQEeB", "type": "SHIPMENT", "state": "PROPOSED"}},
			},
			wantContact: seededContact,
		},
		{
			name:     "test notification is left alone",
			payload:  readTestdata(t, "test_notification.json"),
			wantType: "square.webhooks.test_notification",
		},
		{
			name:     "customer.created is complete already",
			payload:  fake.CustomerCreated(fake.SeedCustomers()[0]),
			wantType: event.CustomerCreated,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			if tc.arrange != nil {
				tc.arrange(b.srv)
			}
			ev := parsed(t, b.c, tc.payload)
			require.Equal(t, tc.wantType, ev.Type)
			wantContact := ev.Contact
			if tc.wantContact != nil {
				wantContact = tc.wantContact
			}

			// As the engine does: enrich what came through the store and bus.
			ev = roundTrip(t, ev)
			require.NoError(t, b.c.Enrich(t.Context(), &ev))

			var paths []string
			for _, r := range b.srv.Requests() {
				paths = append(paths, r.Path)
				require.Equal(t, http.StatusOK, r.Status)
				require.Equal(t, "Bearer "+fake.DefaultAccessToken, r.Header.Get("Authorization"))
				require.Equal(t, DefaultSquareVersion, r.Header.Get("Square-Version"))
				require.Empty(t, r.Header.Get("Idempotency-Key"))
			}
			require.Equal(t, tc.wantPaths, paths)
			for k, v := range tc.wantData {
				require.Equal(t, v, ev.Data[k], "data.%s", k)
			}
			require.Equal(t, wantContact, ev.Contact)
			requireJSONNative(t, ev.Data)
			if bk := mapOf(ev.Data["booking"]); bk != nil {
				require.Equal(t, ev.Data["square_status"], bk["status"], "the booking keeps the status the event was sent with")
			}
			if len(tc.wantPaths) > 0 {
				require.Equal(t, true, ev.Data["enriched"])
			}

			// Idempotent: a second run calls nothing and changes nothing.
			before := roundTrip(t, ev)
			require.NoError(t, b.c.Enrich(t.Context(), &ev))
			require.Equal(t, len(tc.wantPaths), b.srv.Count())
			require.Equal(t, before, roundTrip(t, ev))
		})
	}
}

func TestEnrichFillsThinBooking(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ev := parsed(t, b.c, readTestdata(t, "booking_thin.json"))
	b.srv.AddCustomer(fake.Customer{ID: "SSKBT02ECWZXK6W3VWYC78E52R", GivenName: "Jo", PhoneNumber: "0412 000 111"})
	b.srv.AddBooking(fake.Booking{
		ID: "i2id2g3enyspi7", Version: 3, Status: "ACCEPTED", StartAt: "2031-01-02T03:00:00Z", LocationID: "LOC2",
		CustomerID: "SSKBT02ECWZXK6W3VWYC78E52R", AppointmentSegments: []fake.AppointmentSegment{{DurationMinutes: 90, TeamMemberID: "tm1"}},
	})
	require.NoError(t, b.c.Enrich(t.Context(), &ev))
	require.Equal(t, "2031-01-02T03:00:00Z", ev.Data["start_at"])
	require.Equal(t, "LOC2", ev.Data["location_id"])
	require.Equal(t, map[string]any{
		"id": "i2id2g3enyspi7", "status": "ACCEPTED", "start_at": "2031-01-02T03:00:00Z", "location_id": "LOC2",
		"customer_id": "SSKBT02ECWZXK6W3VWYC78E52R", "version": 3.0, "duration_minutes": 90.0,
		"appointment_segments": []any{map[string]any{"duration_minutes": 90.0, "team_member_id": "tm1"}},
	}, ev.Data["booking"])
	require.Equal(t, "+61412000111", ev.Contact.Phone)
	require.Equal(t, "Jo", ev.Contact.FirstName)
}

// TestEnrichRetriedOutside: the lookup fails twice; Enrich does not retry by
// itself, so it returns a retryable error twice, leaving the event as it was,
// and succeeds when called the third time.
func TestEnrichRetriedOutside(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusInternalServerError, http.StatusTooManyRequests} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			path := "/v2/customers/" + fake.CustomerID
			b.srv.FailNext(path, 2, status)
			ev := parsed(t, b.c, fake.BookingCreated(fake.SeedBooking()))
			orig := roundTrip(t, ev)

			for attempt := 1; attempt <= 2; attempt++ {
				err := b.c.Enrich(t.Context(), &ev)
				require.Error(t, err, "attempt %d", attempt)
				class, _, reason := connectors.Classify(err)
				require.Equal(t, connectors.ClassRetryable, class, "attempt %d: %v", attempt, err)
				require.Equal(t, "http_"+strconv.Itoa(status), reason)
				require.ErrorContains(t, err, "square: enrich booking.created event "+ev.DedupKey)
				require.Equal(t, orig, roundTrip(t, ev), "a failed Enrich leaves the event alone")
				require.Equal(t, attempt, b.srv.CountPath(path))
			}
			require.NoError(t, b.c.Enrich(t.Context(), &ev))
			require.Equal(t, 3, b.srv.CountPath(path))
			require.Equal(t, fake.CustomerE164, ev.Contact.Phone)
		})
	}
}

func TestEnrichErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		payload    any
		arrange    func(*fake.Server)
		wantClass  connectors.Class
		wantReason string
		wantAfter  time.Duration
		wantCode   string
		wantCalls  int
	}{
		{
			name:      "customer not found is permanent",
			payload:   fake.BookingCreated(fake.SeedBooking()),
			arrange:   func(s *fake.Server) { s.DeleteCustomer(fake.CustomerID) },
			wantClass: connectors.ClassPermanent, wantReason: "http_404", wantCode: "NOT_FOUND", wantCalls: 1,
		},
		{
			name:      "booking not found is permanent",
			payload:   fake.BookingUpdated(fake.Booking{ID: "GONE", Status: "ACCEPTED"}),
			wantClass: connectors.ClassPermanent, wantReason: "http_404", wantCode: "NOT_FOUND", wantCalls: 1,
		},
		{
			name:      "order not found is permanent",
			payload:   fake.OrderUpdated("NO_SUCH_ORDER", "CANCELED", 2),
			wantClass: connectors.ClassPermanent, wantReason: "http_404", wantCode: "NOT_FOUND", wantCalls: 1,
		},
		{
			name:      "wrong token is permanent",
			payload:   fake.BookingCreated(fake.SeedBooking()),
			arrange:   func(s *fake.Server) { s.SetAccessToken("another-token") },
			wantClass: connectors.ClassPermanent, wantReason: "http_401", wantCode: "UNAUTHORIZED", wantCalls: 1,
		},
		{
			name:      "forbidden is permanent",
			payload:   fake.BookingCreated(fake.SeedBooking()),
			arrange:   func(s *fake.Server) { s.FailNext("/v2/customers/"+fake.CustomerID, 1, http.StatusForbidden) },
			wantClass: connectors.ClassPermanent, wantReason: "http_403", wantCode: "FORBIDDEN", wantCalls: 1,
		},
		{
			name:      "throttled carries Retry-After",
			payload:   fake.PaymentUpdated(fake.SeedPayment()),
			arrange:   func(s *fake.Server) { s.Throttle(30 * time.Second) },
			wantClass: connectors.ClassRetryable, wantReason: "http_429", wantAfter: 30 * time.Second, wantCode: "RATE_LIMITED", wantCalls: 1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			ev := parsed(t, b.c, tc.payload)
			if tc.arrange != nil {
				tc.arrange(b.srv)
			}
			orig := roundTrip(t, ev)
			err := b.c.Enrich(t.Context(), &ev)
			require.Error(t, err)
			class, after, reason := connectors.Classify(err)
			require.Equal(t, tc.wantClass, class, "%v", err)
			require.Equal(t, tc.wantReason, reason)
			require.Equal(t, tc.wantAfter, after)
			var apiErr *APIError
			require.True(t, errors.As(err, &apiErr), "%v", err)
			require.Equal(t, tc.wantCode, apiErr.Code())
			require.Equal(t, tc.wantCalls, b.srv.Count())
			require.Equal(t, orig, roundTrip(t, ev))
			require.NotContains(t, err.Error(), fake.DefaultAccessToken)
		})
	}
}

func TestEnrichSkips(t *testing.T) {
	t.Parallel()
	t.Run("no access token", func(t *testing.T) {
		t.Parallel()
		b := setup(t, func(c *Config) { c.AccessToken = "" })
		ev := parsed(t, b.c, fake.BookingCreated(fake.SeedBooking()))
		orig := roundTrip(t, ev)
		require.NoError(t, b.c.Enrich(t.Context(), &ev))
		require.NoError(t, b.c.Enrich(t.Context(), &ev))
		require.Zero(t, b.srv.Count())
		require.Equal(t, orig, roundTrip(t, ev))
	})
	t.Run("another source", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ev := event.Event{Source: "shopify", Type: event.OrderPaid, Data: map[string]any{"square_type": "order.updated", "order_id": "x"}}
		require.NoError(t, b.c.Enrich(t.Context(), &ev))
		require.NoError(t, b.c.Enrich(t.Context(), nil))
		require.NoError(t, b.c.Enrich(t.Context(), &event.Event{Source: Name}))
		require.Zero(t, b.srv.Count())
	})
	t.Run("already enriched by phone", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ev := parsed(t, b.c, fake.BookingCreated(fake.SeedBooking()))
		ev.Data["customer"] = map[string]any{"id": fake.CustomerID, "phone": "+61400000000"}
		require.NoError(t, b.c.Enrich(t.Context(), &ev))
		require.Zero(t, b.srv.Count())
	})
	t.Run("cancelled context", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ev := parsed(t, b.c, fake.BookingCreated(fake.SeedBooking()))
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := b.c.Enrich(ctx, &ev)
		class, _, _ := connectors.Classify(err)
		require.Error(t, err)
		require.Equal(t, connectors.ClassRetryable, class)
	})
}
