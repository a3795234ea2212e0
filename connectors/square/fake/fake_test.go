package fake_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors/square/fake"
)

func get(t *testing.T, srv *fake.Server, path string, header map[string]string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+path, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, resp.Header, body
}

var goodHeaders = map[string]string{
	"Authorization":  "Bearer " + fake.DefaultAccessToken,
	"Square-Version": "2025-10-16",
}

func squareError(category, code string) func(t *testing.T, body map[string]any) {
	return func(t *testing.T, body map[string]any) {
		t.Helper()
		errs, ok := body["errors"].([]any)
		require.True(t, ok, "errors array in %v", body)
		require.Len(t, errs, 1)
		e := errs[0].(map[string]any)
		require.Equal(t, category, e["category"])
		require.Equal(t, code, e["code"])
		require.NotEmpty(t, e["detail"])
	}
}

func TestAPI(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		path       string
		header     map[string]string
		arrange    func(*fake.Server)
		wantStatus int
		check      func(t *testing.T, body map[string]any)
	}{
		{
			name: "customer", path: "/v2/customers/" + fake.CustomerID, header: goodHeaders, wantStatus: 200,
			check: func(t *testing.T, body map[string]any) {
				c := body["customer"].(map[string]any)
				require.Equal(t, fake.CustomerID, c["id"])
				require.Equal(t, "Amelia", c["given_name"])
				require.Equal(t, "Earhart", c["family_name"])
				require.Equal(t, fake.CustomerEmail, c["email_address"])
				require.Equal(t, fake.CustomerPhone, c["phone_number"])
				require.Equal(t, "AU", c["address"].(map[string]any)["country"])
			},
		},
		{
			name: "booking", path: "/v2/bookings/" + fake.BookingID, header: goodHeaders, wantStatus: 200,
			check: func(t *testing.T, body map[string]any) {
				b := body["booking"].(map[string]any)
				require.Equal(t, fake.BookingID, b["id"])
				require.Equal(t, fake.BookingStartAt, b["start_at"])
				require.Equal(t, fake.CustomerID, b["customer_id"])
				require.Equal(t, []any{}, body["errors"])
			},
		},
		{
			name: "order", path: "/v2/orders/" + fake.OrderID, header: goodHeaders, wantStatus: 200,
			check: func(t *testing.T, body map[string]any) {
				o := body["order"].(map[string]any)
				require.Equal(t, map[string]any{"amount": 4250.0, "currency": "AUD"}, o["total_money"])
			},
		},
		{
			name: "no authorization", path: "/v2/customers/" + fake.CustomerID,
			header: map[string]string{"Square-Version": "2025-10-16"}, wantStatus: 401,
			check: squareError("AUTHENTICATION_ERROR", "UNAUTHORIZED"),
		},
		{
			name: "wrong token", path: "/v2/customers/" + fake.CustomerID,
			header: map[string]string{"Authorization": "Bearer nope", "Square-Version": "2025-10-16"}, wantStatus: 401,
			check: squareError("AUTHENTICATION_ERROR", "UNAUTHORIZED"),
		},
		{
			name: "basic auth", path: "/v2/customers/" + fake.CustomerID,
			header: map[string]string{"Authorization": "Basic " + fake.DefaultAccessToken, "Square-Version": "2025-10-16"}, wantStatus: 401,
			check: squareError("AUTHENTICATION_ERROR", "UNAUTHORIZED"),
		},
		{
			name: "no square version", path: "/v2/customers/" + fake.CustomerID,
			header: map[string]string{"Authorization": "Bearer " + fake.DefaultAccessToken}, wantStatus: 400,
			check: squareError("INVALID_REQUEST_ERROR", "INVALID_SQUARE_VERSION_FORMAT"),
		},
		{
			name: "unknown customer", path: "/v2/customers/NOPE", header: goodHeaders, wantStatus: 404,
			check: squareError("INVALID_REQUEST_ERROR", "NOT_FOUND"),
		},
		{
			name: "unknown path", path: "/v2/locations", header: goodHeaders, wantStatus: 404,
			check: squareError("INVALID_REQUEST_ERROR", "NOT_FOUND"),
		},
		{
			name: "scripted failure comes first", path: "/v2/bookings/" + fake.BookingID,
			arrange:    func(s *fake.Server) { s.FailNext("/v2/bookings/"+fake.BookingID, 1, 503) },
			wantStatus: 503, check: squareError("API_ERROR", "SERVICE_UNAVAILABLE"),
		},
		{
			name: "throttled", path: "/v2/customers/" + fake.CustomerID, header: goodHeaders,
			arrange:    func(s *fake.Server) { s.Throttle(30 * time.Second) },
			wantStatus: 429, check: squareError("RATE_LIMIT_ERROR", "RATE_LIMITED"),
		},
		{
			name: "added customer", path: "/v2/customers/NEW", header: goodHeaders,
			arrange:    func(s *fake.Server) { s.AddCustomer(fake.Customer{ID: "NEW", GivenName: "N"}) },
			wantStatus: 200,
		},
		{
			name: "deleted customer", path: "/v2/customers/" + fake.CustomerID, header: goodHeaders,
			arrange:    func(s *fake.Server) { s.DeleteCustomer(fake.CustomerID) },
			wantStatus: 404, check: squareError("INVALID_REQUEST_ERROR", "NOT_FOUND"),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := fake.NewServer()
			t.Cleanup(srv.Close)
			if tc.arrange != nil {
				tc.arrange(srv)
			}
			status, hdr, body := get(t, srv, tc.path, tc.header)
			require.Equal(t, tc.wantStatus, status, "%v", body)
			if tc.check != nil {
				tc.check(t, body)
			}
			if status == 429 {
				require.Equal(t, "30", hdr.Get("Retry-After"))
			}
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			require.Equal(t, tc.path, reqs[0].Path)
			require.Equal(t, tc.wantStatus, reqs[0].Status)
		})
	}
}

func TestFailNextThenRecover(t *testing.T) {
	t.Parallel()
	srv := fake.NewServer()
	t.Cleanup(srv.Close)
	path := "/v2/customers/" + fake.CustomerID
	srv.FailNext(path, 2, 500)
	srv.FailNext(path, 1, 429)
	var got []int
	for range 4 {
		status, _, _ := get(t, srv, path, goodHeaders)
		got = append(got, status)
	}
	require.Equal(t, []int{500, 500, 429, 200}, got)
	require.Equal(t, 4, srv.CountPath(path))

	srv.Throttle(1500 * time.Millisecond)
	_, hdr, _ := get(t, srv, path, goodHeaders)
	require.Equal(t, "2", hdr.Get("Retry-After"), "rounded up to whole seconds")
	srv.Throttle(0)
	status, _, _ := get(t, srv, path, goodHeaders)
	require.Equal(t, 200, status)

	srv.Reset()
	require.Zero(t, srv.Count())
}

func TestMarshal(t *testing.T) {
	t.Parallel()
	b, err := fake.Marshal(map[string]any{"id": ">id<", "q": "a&b"})
	require.NoError(t, err)
	require.Equal(t, `{"id":">id<","q":"a&b"}`, string(b))
	raw := []byte("{ \"exact\": true }\n")
	b, err = fake.Marshal(raw)
	require.NoError(t, err)
	require.Equal(t, raw, b)
	b, err = fake.Marshal(json.RawMessage(`{"a":1}`))
	require.NoError(t, err)
	require.Equal(t, `{"a":1}`, string(b))
	_, err = fake.Marshal(map[string]any{"f": func() {}})
	require.Error(t, err)
}

func TestSignVector(t *testing.T) {
	t.Parallel()
	// Vector S3 of Square's SDK tests (square/square-nodejs-sdk
	// test/utilities/webhooksHelper.test.ts).
	require.Equal(t, "Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U=",
		fake.Sign("signature-key", "https://webhook.site/webhooks", []byte(`{"data":{"type":"webhooks","id":">id<"}}`)))
}

// received is what the hub side of TestSendWebhook got last.
type received struct {
	mu     sync.Mutex
	header http.Header
	body   []byte
}

func (r *received) last() (http.Header, []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.header, r.body
}

func TestSendWebhook(t *testing.T) {
	t.Parallel()
	var got received
	var status atomic.Int32
	status.Store(http.StatusOK)
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.mu.Lock()
		got.header, got.body = r.Header.Clone(), b
		got.mu.Unlock()
		w.WriteHeader(int(status.Load()))
		_, _ = w.Write([]byte(`{"error":"nope"}`))
	}))
	t.Cleanup(hub.Close)
	srv := fake.New()
	srv.SetSignatureKey("k1")
	srv.SetEnvironment("Production")

	const notificationURL = "https://hub.example.com/webhooks/square"
	bk := fake.SeedBooking()
	bk.CustomerNote = "ring <twice> & wait"
	ev := fake.BookingCreated(bk)
	require.NoError(t, srv.SendWebhook(t.Context(), hub.URL+"/webhooks/square", notificationURL, ev))

	header, body := got.last()
	require.Contains(t, string(body), `"customer_note":"ring <twice> & wait"`)
	require.False(t, strings.HasSuffix(string(body), "\n"))
	require.Equal(t, fake.Sign("k1", notificationURL, body), header.Get("X-Square-Hmacsha256-Signature"))
	require.Equal(t, "Production", header.Get("Square-Environment"))
	require.Equal(t, "application/json", header.Get("Content-Type"))

	var env map[string]any
	require.NoError(t, json.Unmarshal(body, &env))
	require.Equal(t, "booking.created", env["type"])
	require.Equal(t, fake.MerchantID, env["merchant_id"])
	require.Equal(t, fake.LocationID, env["location_id"])
	require.Regexp(t, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`), env["event_id"])
	_, err := time.Parse(time.RFC3339Nano, env["created_at"].(string))
	require.NoError(t, err)
	data := env["data"].(map[string]any)
	require.Equal(t, "booking", data["type"])
	require.Equal(t, fake.BookingID+":1", data["id"])
	require.Equal(t, fake.BookingID, data["object"].(map[string]any)["booking"].(map[string]any)["id"])

	status.Store(http.StatusUnauthorized)
	err = srv.SendWebhook(t.Context(), hub.URL, notificationURL, ev)
	var we *fake.WebhookError
	require.True(t, errors.As(err, &we), "%v", err)
	require.Equal(t, http.StatusUnauthorized, we.StatusCode)
	require.Contains(t, we.Error(), "nope")
}

func TestEventBuilders(t *testing.T) {
	t.Parallel()
	cases := []struct {
		ev                      fake.Event
		wantType, dataType, key string
		wantID                  string
	}{
		{fake.BookingUpdated(fake.Booking{ID: "b1"}), "booking.updated", "booking", "booking", "b1"},
		{fake.PaymentUpdated(fake.SeedPayment()), "payment.updated", "payment", "payment", fake.PaymentID},
		{fake.PaymentEvent("payment.created", fake.SeedPayment()), "payment.created", "payment", "payment", fake.PaymentID},
		{fake.OrderUpdated(fake.OrderID, "COMPLETED", 3), "order.updated", "order", "order_updated", fake.OrderID},
		{fake.OrderEvent("order.created", fake.OrderChange{OrderID: "o1", State: "OPEN"}), "order.created", "order", "order_created", "o1"},
		{fake.OrderEvent("order.fulfillment.updated", fake.OrderChange{OrderID: "o2"}), "order.fulfillment.updated", "order", "order_fulfillment_updated", "o2"},
		{fake.CustomerCreated(fake.SeedCustomers()[0]), "customer.created", "customer", "customer", fake.CustomerID},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		require.Equal(t, tc.wantType, tc.ev.Type)
		require.Equal(t, tc.dataType, tc.ev.Data.Type)
		require.Equal(t, tc.wantID, tc.ev.Data.ID)
		require.Contains(t, tc.ev.Data.Object, tc.key)
		require.False(t, seen[tc.ev.EventID], "event ids are unique")
		seen[tc.ev.EventID] = true
	}
}
