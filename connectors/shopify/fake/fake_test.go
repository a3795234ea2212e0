package fake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors/shopify/fake"
)

type answer struct {
	status int
	header http.Header
	body   string
}

func call(t *testing.T, srv *fake.Server, method, path, token, body string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL()+path, strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("X-Shopify-Access-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestAdminAPI(t *testing.T) {
	t.Parallel()
	srv := fake.NewServer(fake.Options{})
	t.Cleanup(srv.Close)
	tok := fake.DefaultAccessToken
	orderPath := "/admin/api/2025-10/orders/450789469.json"

	cases := []struct {
		name       string
		method     string
		path       string
		token      string
		body       string
		wantStatus int
		wantBody   string // exact, or a prefix ending in "…"
	}{
		{"no token", http.MethodGet, orderPath, "", "", 401, fake.BodyInvalidToken},
		{"wrong token", http.MethodGet, orderPath, "shpat_other", "", 401, fake.BodyInvalidToken},
		{"unknown order", http.MethodGet, "/admin/api/2025-10/orders/1.json", tok, "", 404, fake.BodyNotFound},
		{"bad version", http.MethodGet, "/admin/api/v2/orders/450789469.json", tok, "", 404, fake.BodyNotFound},
		{"other path", http.MethodGet, "/admin/api/2025-10/products/1.json", tok, "", 404, fake.BodyNotFound},
		{"fields", http.MethodGet, orderPath + "?fields=id,tags,note", tok, "", 200, `{"order":{"id":450789469,"note":null,"tags":""}}`},
		{"put without order", http.MethodPut, orderPath, tok, `{"tags":"x"}`, 400, fake.BodyMissingOrder},
		{"put bad JSON", http.MethodPut, orderPath, tok, `{`, 400, fake.BodyMissingOrder},
		{"put other id", http.MethodPut, orderPath, tok, `{"order":{"id":1,"tags":"x"}}`, 400, `{"errors":{"id":…`},
		{"put tags not a string", http.MethodPut, orderPath, tok, `{"order":{"tags":["x"]}}`, 422, `{"errors":{"tags":["is invalid"]}}`},
		{"unstable version", http.MethodGet, "/admin/api/unstable/orders/450789469.json?fields=name", tok, "", 200, `{"order":{"name":"#1001"}}`},
	}
	for _, tc := range cases {
		a := call(t, srv, tc.method, tc.path, tc.token, tc.body)
		require.Equal(t, tc.wantStatus, a.status, tc.name)
		if p, ok := strings.CutSuffix(tc.wantBody, "…"); ok {
			require.True(t, strings.HasPrefix(a.body, p), "%s: %s", tc.name, a.body)
		} else {
			require.Equal(t, tc.wantBody, a.body, tc.name)
		}
		require.Equal(t, "application/json; charset=utf-8", a.header.Get("Content-Type"), tc.name)
	}
	require.Equal(t, len(cases), srv.Count())
}

func TestOrderReadWrite(t *testing.T) {
	t.Parallel()
	srv := fake.NewServer(fake.Options{})
	t.Cleanup(srv.Close)
	tok := fake.DefaultAccessToken
	path := "/admin/api/2025-10/orders/450789469.json"

	a := call(t, srv, http.MethodGet, path, tok, "")
	require.Equal(t, 200, a.status)
	require.Equal(t, "1/40", a.header.Get("X-Shopify-Shop-Api-Call-Limit"))
	require.Equal(t, "2025-10", a.header.Get("X-Shopify-Api-Version"))
	var got struct {
		Order map[string]any `json:"order"`
	}
	require.NoError(t, json.Unmarshal([]byte(a.body), &got))
	require.Equal(t, "#1001", got.Order["name"])
	require.Equal(t, "431.88", got.Order["total_price"])
	cust := got.Order["customer"].(map[string]any)
	require.Equal(t, "+15024592181", cust["phone"])

	a = call(t, srv, http.MethodPut, path, tok, `{"order":{"id":450789469,"tags":" vip,VIP , gift ,","note":"n"}}`)
	require.Equal(t, 200, a.status)
	require.Equal(t, "2/40", a.header.Get("X-Shopify-Shop-Api-Call-Limit"))
	o, ok := srv.Order(fake.OrderID1001)
	require.True(t, ok)
	require.Equal(t, "vip, gift", o["tags"], "tags are stored as Shopify renders them")
	require.Equal(t, "n", o["note"])
	require.Contains(t, a.body, `"tags":"vip, gift"`)

	a = call(t, srv, http.MethodPut, "/admin/api/2025-10/orders/450789470.json", tok, `{"order":{"tags":null}}`)
	require.Equal(t, 200, a.status)
	require.Contains(t, a.body, `"tags":""`, "null clears the tags")

	// Order returns a copy.
	o["note"] = "changed"
	again, _ := srv.Order(fake.OrderID1001)
	require.Equal(t, "n", again["note"])

	require.NoError(t, srv.AddOrder(map[string]any{"id": 42, "name": "#42", "tags": ""}))
	a = call(t, srv, http.MethodGet, "/admin/api/2025-10/orders/42.json", tok, "")
	require.Equal(t, `{"order":{"id":42,"name":"#42","tags":""}}`, a.body)
	require.Error(t, srv.AddOrder(map[string]any{"name": "no id"}))
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)}
	srv := fake.NewServer(fake.Options{Now: clk.Now})
	t.Cleanup(srv.Close)
	srv.Throttle(fake.Bucket{Size: 3, LeakPerSecond: 1})
	get := func() answer {
		return call(t, srv, http.MethodGet, "/admin/api/2025-10/orders/450789469.json?fields=id", fake.DefaultAccessToken, "")
	}

	for i, want := range []string{"1/3", "2/3", "3/3"} {
		a := get()
		require.Equal(t, 200, a.status, "call %d", i)
		require.Equal(t, want, a.header.Get("X-Shopify-Shop-Api-Call-Limit"))
	}
	a := get()
	require.Equal(t, 429, a.status)
	require.Equal(t, "2.0", a.header.Get("Retry-After"))
	require.Equal(t, "3/3", a.header.Get("X-Shopify-Shop-Api-Call-Limit"))
	require.Equal(t, fake.BodyThrottled, a.body)

	clk.Add(time.Second) // one call leaks out
	a = get()
	require.Equal(t, 200, a.status)
	require.Equal(t, "3/3", a.header.Get("X-Shopify-Shop-Api-Call-Limit"))

	clk.Add(10 * time.Second)
	srv.FillBucket()
	require.Equal(t, 429, get().status)

	srv.Unthrottle()
	a = get()
	require.Equal(t, 200, a.status, "reported but not enforced")
	require.Equal(t, "3/3", a.header.Get("X-Shopify-Shop-Api-Call-Limit"))
}

func TestScriptAndOutage(t *testing.T) {
	t.Parallel()
	srv := fake.NewServer(fake.Options{})
	t.Cleanup(srv.Close)
	path := "/admin/api/2025-10/orders/450789469.json?fields=id"
	srv.Script(fake.Response{Status: 503, Body: "down"}, fake.Response{Status: 429, Header: http.Header{"Retry-After": {"7.0"}}})

	a := call(t, srv, http.MethodGet, path, "", "")
	require.Equal(t, 503, a.status, "a script answers before authentication")
	a = call(t, srv, http.MethodGet, path, fake.DefaultAccessToken, "")
	require.Equal(t, 429, a.status)
	require.Equal(t, "7.0", a.header.Get("Retry-After"))
	require.Equal(t, 200, call(t, srv, http.MethodGet, path, fake.DefaultAccessToken, "").status)

	srv.SetOutage(&fake.Response{Status: 502})
	require.Equal(t, 502, call(t, srv, http.MethodGet, path, fake.DefaultAccessToken, "").status)
	require.Equal(t, 502, call(t, srv, http.MethodGet, path, fake.DefaultAccessToken, "").status)
	srv.SetOutage(nil)
	require.Equal(t, 200, call(t, srv, http.MethodGet, path, fake.DefaultAccessToken, "").status)

	statuses := []int{}
	for _, r := range srv.Requests() {
		statuses = append(statuses, r.Status)
	}
	require.Equal(t, []int{503, 429, 200, 502, 502, 200}, statuses)
}

// sink records webhook deliveries.
type sink struct {
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
	code int
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.reqs = append(s.reqs, r)
	s.body = append(s.body, b)
	code := s.code
	s.mu.Unlock()
	if code == 0 {
		code = 200
	}
	w.WriteHeader(code)
	_, _ = io.WriteString(w, "answer")
}

func TestSendWebhook(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 5, 4, 10, 0, 0, 123456000, time.UTC)
	srv := fake.NewServer(fake.Options{Now: func() time.Time { return at }})
	t.Cleanup(srv.Close)
	s := &sink{}
	hook := httptest.NewServer(s)
	t.Cleanup(hook.Close)

	payload := map[string]any{"id": 1, "title": "Salt & Pepper <Grinder>"}
	eventID, err := srv.SendWebhook(t.Context(), hook.URL+"/hooks", "products/create", payload)
	require.NoError(t, err)
	require.Len(t, s.reqs, 1)
	r, body := s.reqs[0], s.body[0]

	require.Equal(t, `{"id":1,"title":"Salt & Pepper <Grinder>"}`, string(body), "no HTML escaping, no trailing newline")
	require.Equal(t, fake.Sign(fake.DefaultAPISecret, body), r.Header.Get("X-Shopify-Hmac-Sha256"), "signed over exactly the bytes sent")
	require.Equal(t, "products/create", r.Header.Get("X-Shopify-Topic"))
	require.Equal(t, fake.DefaultShopDomain, r.Header.Get("X-Shopify-Shop-Domain"))
	require.Equal(t, fake.DefaultAPIVersion, r.Header.Get("X-Shopify-API-Version"))
	require.Equal(t, eventID, r.Header.Get("X-Shopify-Event-Id"))
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, eventID)
	require.NotEmpty(t, r.Header.Get("X-Shopify-Webhook-Id"))
	require.NotEqual(t, eventID, r.Header.Get("X-Shopify-Webhook-Id"))
	require.Equal(t, "2026-05-04T10:00:00.123456Z", r.Header.Get("X-Shopify-Triggered-At"))
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))

	// The SDK vector, sent as pre-rendered bytes.
	d, err := srv.SendWebhookWith(t.Context(), hook.URL, "products/create", []byte(`{"foo": "bar"}`), fake.WebhookOptions{Secret: "test_secret_key", EventID: "evt-1"})
	require.NoError(t, err)
	require.Equal(t, "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", d.Header.Get("X-Shopify-Hmac-Sha256"))
	require.Equal(t, "evt-1", d.EventID)
	require.Equal(t, 200, d.Status)

	require.NoError(t, srv.Redeliver(t.Context(), "evt-1"))
	require.Len(t, s.reqs, 3)
	require.Equal(t, s.body[1], s.body[2])
	require.Equal(t, s.reqs[1].Header.Get("X-Shopify-Webhook-Id"), s.reqs[2].Header.Get("X-Shopify-Webhook-Id"), "a retry keeps its delivery id")
	require.Equal(t, "evt-1", s.reqs[2].Header.Get("X-Shopify-Event-Id"))
	require.Error(t, srv.Redeliver(t.Context(), "no-such-event"))

	s.mu.Lock()
	s.code = 503
	s.mu.Unlock()
	_, err = srv.SendWebhook(t.Context(), hook.URL, "orders/create", json.RawMessage(`{}`))
	var de *fake.DeliveryError
	require.ErrorAs(t, err, &de)
	require.Equal(t, 503, de.Status)
	require.Equal(t, "answer", de.Body)
	require.Len(t, srv.Deliveries(), 4)
}

func TestFulfill(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	srv := fake.NewServer(fake.Options{Now: func() time.Time { return at }})
	t.Cleanup(srv.Close)

	p, err := srv.Fulfill(fake.OrderID1001, fake.DefaultTracking)
	require.NoError(t, err)
	body, err := fake.Encode(p)
	require.NoError(t, err)
	require.True(t, bytes.Contains(body, []byte(`"order_id":450789469`)), "ids are JSON numbers")
	require.True(t, bytes.Contains(body, []byte(`"tracking_url":"`+fake.DefaultTracking.URL+`"`)))

	var f struct {
		ID              int64    `json:"id"`
		OrderID         int64    `json:"order_id"`
		Name            string   `json:"name"`
		Status          string   `json:"status"`
		Email           string   `json:"email"`
		TrackingCompany string   `json:"tracking_company"`
		TrackingNumbers []string `json:"tracking_numbers"`
		CreatedAt       string   `json:"created_at"`
		Destination     struct {
			Phone       string `json:"phone"`
			CountryCode string `json:"country_code"`
		} `json:"destination"`
		LineItems []map[string]any `json:"line_items"`
	}
	require.NoError(t, json.Unmarshal(body, &f))
	require.Equal(t, fake.OrderID1001, f.OrderID)
	require.Equal(t, "#1001.1", f.Name)
	require.Equal(t, "success", f.Status)
	require.Equal(t, "bob.norman@mail.example.com", f.Email)
	require.Equal(t, "UPS", f.TrackingCompany)
	require.Equal(t, []string{"1Z2345"}, f.TrackingNumbers)
	require.Equal(t, "2026-05-04T10:00:00Z", f.CreatedAt)
	require.Equal(t, "(502) 459-2181", f.Destination.Phone)
	require.Equal(t, "US", f.Destination.CountryCode)
	require.Len(t, f.LineItems, 2)

	o, _ := srv.Order(fake.OrderID1001)
	require.Equal(t, "fulfilled", o["fulfillment_status"])
	require.Len(t, o["fulfillments"], 1)

	p2, err := srv.Fulfill(fake.OrderID1001, fake.Tracking{Company: "DHL", Number: "JD0002", URL: "https://www.dhl.com/track?id=JD0002"})
	require.NoError(t, err)
	require.Equal(t, "#1001.2", p2["name"])
	require.NotEqual(t, p["id"], p2["id"])

	_, err = srv.Fulfill(1, fake.DefaultTracking)
	require.Error(t, err)
}

func TestMountedHandler(t *testing.T) {
	t.Parallel()
	f := fake.New(fake.Options{AccessToken: "shpat_local"})
	require.Panics(t, func() { _ = f.URL() }, "not listening")
	f.Close() // harmless when not started

	req := httptest.NewRequest(http.MethodGet, "/admin/api/2025-10/orders/450789470.json?fields=name,currency", nil)
	req.Header.Set("X-Shopify-Access-Token", "shpat_local")
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, req)
	require.Equal(t, 200, rec.Code)
	require.Equal(t, `{"order":{"currency":"AUD","name":"#1002"}}`, rec.Body.String())
	require.Equal(t, "1/40", rec.Header().Get("X-Shopify-Shop-Api-Call-Limit"))
}
