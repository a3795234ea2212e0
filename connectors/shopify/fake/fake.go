// Package fake is a local stand-in for Shopify, for tests, benchmarks and
// local runs: an Admin REST API server for the endpoints the shopify
// connector uses, and a webhook sender that delivers and signs like Shopify.
//
// The Admin API side serves GET and PUT /admin/api/{version}/orders/{id}.json
// over seeded orders, checks X-Shopify-Access-Token (401 with Shopify's error
// body otherwise), answers in Shopify's shapes ({"order": {...}},
// {"errors": "Not Found"}), reports X-Shopify-Shop-Api-Call-Limit on every
// answer and, once Throttle is called, enforces the REST leaky bucket with
// 429 and Retry-After. Script and SetOutage replace answers to provoke
// failures.
//
// The webhook side (SendWebhook, Redeliver) posts a topic's payload with
// the headers Shopify sends and an X-Shopify-Hmac-Sha256 computed over
// exactly the bytes sent; Fulfill builds a fulfillments/create payload for a
// seeded order.
//
// A Server is safe for concurrent use.
package fake

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakehttp"
)

// Defaults of a Server's Options.
const (
	DefaultShopDomain  = "switchboard-demo.myshopify.com"
	DefaultAccessToken = "shpat_fake_admin_api_access_token"
	DefaultAPISecret   = "shpss_fake_app_client_secret"
	DefaultAPIVersion  = "2025-10"
)

// Seeded orders.
const (
	// OrderID1001 is "#1001": Bob Norman, a US customer whose customer
	// record and shipping address carry a phone; unfulfilled, paid.
	OrderID1001 int64 = 450789469
	// OrderID1002 is "#1002": an Australian customer with no phone on the
	// customer record, only a national-format one on the addresses.
	OrderID1002 int64 = 450789470
)

// Shopify's answers, as its Admin REST API words them.
const (
	BodyInvalidToken = `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`
	BodyNotFound     = `{"errors":"Not Found"}`
	BodyThrottled    = `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`
	BodyMissingOrder = `{"errors":{"order":"Required parameter missing or invalid"}}`
)

// maxBody bounds what the server reads of a request body.
const maxBody = 1 << 20

//go:embed orders.json
var seedOrders []byte

// Options configure a Server; zero fields take the defaults above.
type Options struct {
	ShopDomain  string
	AccessToken string
	// APISecret signs webhook deliveries.
	APISecret  string
	APIVersion string
	// Now is the clock of the call bucket and of timestamps; default
	// time.Now.
	Now func() time.Time
	// Client posts webhook deliveries; default a client with Shopify's 5 s
	// timeout.
	Client *http.Client
}

// Response is a scripted answer, replacing the normal handling of one
// Admin API request.
type Response struct {
	// Status defaults to 200.
	Status int
	Header http.Header
	Body   string
}

// Request is one Admin API request as the server saw it.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	// Status is what the server answered.
	Status int
}

// Bucket is the REST leaky bucket enforced by Throttle.
type Bucket struct {
	// Size is the bucket's capacity (default 40, a Standard plan).
	Size int
	// LeakPerSecond is how many calls drain each second (default 2).
	LeakPerSecond float64
	// RetryAfter is the Retry-After of a 429 (default "2.0", as Shopify
	// sends it).
	RetryAfter string
}

// Server is the fake. Create it with New or NewServer.
type Server struct {
	fakehttp.Listener
	opts Options

	mu          sync.Mutex
	orders      map[string]map[string]any
	requests    []Request
	script      []Response
	outage      *Response
	bucket      Bucket
	enforce     bool
	level       float64
	levelAt     time.Time
	deliveries  []Delivery
	fulfillment int64
}

var pathRe = regexp.MustCompile(`^/admin/api/([^/]+)/orders/([0-9]+)\.json$`)

var versionRe = regexp.MustCompile(`^(\d{4}-\d{2}|unstable)$`)

// New returns a fake that is not listening: mount it as an http.Handler
// (a local run serving several fakes), or call Start. It holds the seeded
// orders and an unenforced bucket.
func New(opts Options) *Server {
	if opts.ShopDomain == "" {
		opts.ShopDomain = DefaultShopDomain
	}
	if opts.AccessToken == "" {
		opts.AccessToken = DefaultAccessToken
	}
	if opts.APISecret == "" {
		opts.APISecret = DefaultAPISecret
	}
	if opts.APIVersion == "" {
		opts.APIVersion = DefaultAPIVersion
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 5 * time.Second}
	}
	s := &Server{
		opts:        opts,
		orders:      map[string]map[string]any{},
		bucket:      Bucket{}.withDefaults(),
		fulfillment: 255858045,
	}
	var seeds []map[string]any
	if err := decode(seedOrders, &seeds); err != nil {
		panic("fake: bad seed orders: " + err.Error())
	}
	for _, o := range seeds {
		if err := s.AddOrder(o); err != nil {
			panic("fake: bad seed order: " + err.Error())
		}
	}
	return s
}

// NewServer returns a fake already listening on a loopback port (New, then
// Start). Close it when done.
func NewServer(opts Options) *Server {
	s := New(opts)
	s.Start()
	return s
}

// Start listens on a loopback port (httptest). It panics if already
// started. URL and Close come with the embedded fakehttp.Listener.
func (s *Server) Start() { s.Listener.Serve(s) }

// ShopDomain is the shop the server plays (connectors.shopify.shop_domain),
// sent as X-Shopify-Shop-Domain.
func (s *Server) ShopDomain() string { return s.opts.ShopDomain }

// AccessToken is the Admin API token the server accepts
// (connectors.shopify.access_token).
func (s *Server) AccessToken() string { return s.opts.AccessToken }

// APISecret is the secret webhooks are signed with
// (connectors.shopify.api_secret).
func (s *Server) APISecret() string { return s.opts.APISecret }

// APIVersion is the version deliveries announce in X-Shopify-API-Version.
func (s *Server) APIVersion() string { return s.opts.APIVersion }

// AddOrder stores (or replaces) an order, a REST Order object with an
// integer "id".
func (s *Server) AddOrder(order map[string]any) error {
	o, err := clone(order)
	if err != nil {
		return err
	}
	id := idString(o["id"])
	if id == "" {
		return fmt.Errorf("fake: order has no integer id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[id] = o
	return nil
}

// Order returns a copy of the stored order.
func (s *Server) Order(id int64) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[strconv.FormatInt(id, 10)]
	if !ok {
		return nil, false
	}
	c, err := clone(o)
	return c, err == nil
}

// Script queues answers: each next Admin API request takes one, in order,
// instead of being served (it is still recorded).
func (s *Server) Script(rs ...Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, rs...)
}

// SetOutage answers every Admin API request with r until SetOutage(nil).
func (s *Server) SetOutage(r *Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outage = r
}

// Throttle enforces the leaky bucket b (zero fields take the defaults):
// a call that finds the bucket full is answered 429 with b.RetryAfter.
func (s *Server) Throttle(b Bucket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bucket, s.enforce = b.withDefaults(), true
}

// Unthrottle stops enforcing the bucket (it is still reported).
func (s *Server) Unthrottle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.enforce = false
}

// FillBucket fills the bucket as of now, as a burst of calls would.
func (s *Server) FillBucket() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.level, s.levelAt = float64(s.bucket.Size), s.opts.Now()
}

// Requests returns a copy of the Admin API requests so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	copy(out, s.requests)
	return out
}

// Count is the number of Admin API requests so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// ServeHTTP serves the Admin API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	resp := s.serve(r, body)
	if resp.Status == 0 {
		resp.Status = http.StatusOK
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body, Status: resp.Status,
	})
	s.mu.Unlock()

	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Request-Id", newUUID())
	maps.Copy(h, resp.Header)
	w.WriteHeader(resp.Status)
	_, _ = io.WriteString(w, resp.Body)
}

func (s *Server) serve(r *http.Request, body []byte) Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.outage != nil {
		return *s.outage
	}
	if len(s.script) > 0 {
		next := s.script[0]
		s.script = s.script[1:]
		return next
	}
	m := pathRe.FindStringSubmatch(r.URL.Path)
	if m == nil || !versionRe.MatchString(m[1]) {
		return Response{Status: http.StatusNotFound, Body: BodyNotFound}
	}
	if r.Header.Get("X-Shopify-Access-Token") != s.opts.AccessToken {
		return Response{Status: http.StatusUnauthorized, Body: BodyInvalidToken}
	}
	limit, ok := s.take()
	hdr := http.Header{
		"X-Shopify-Shop-Api-Call-Limit": {limit},
		"X-Shopify-Api-Version":         {m[1]},
	}
	if !ok {
		hdr.Set("Retry-After", s.bucket.RetryAfter)
		return Response{Status: http.StatusTooManyRequests, Header: hdr, Body: BodyThrottled}
	}
	resp := s.order(r.Method, m[2], r.URL.Query().Get("fields"), body)
	resp.Header = hdr
	return resp
}

// take drains the bucket to now and adds this call, reporting "used/size";
// false when the bucket is enforced and full.
func (s *Server) take() (string, bool) {
	now := s.opts.Now()
	if !s.levelAt.IsZero() {
		s.level = math.Max(0, s.level-s.bucket.LeakPerSecond*now.Sub(s.levelAt).Seconds())
	}
	s.levelAt = now
	size := float64(s.bucket.Size)
	if s.enforce && s.level+1 > size {
		return fmt.Sprintf("%d/%d", s.bucket.Size, s.bucket.Size), false
	}
	s.level = math.Min(s.level+1, size)
	return fmt.Sprintf("%d/%d", int(math.Ceil(s.level)), s.bucket.Size), true
}

func (s *Server) order(method, id, fields string, body []byte) Response {
	o, ok := s.orders[id]
	if !ok {
		return Response{Status: http.StatusNotFound, Body: BodyNotFound}
	}
	switch method {
	case http.MethodGet:
		return orderResponse(o, fields)
	case http.MethodPut:
		var req struct {
			Order map[string]any `json:"order"`
		}
		if err := decode(body, &req); err != nil || req.Order == nil {
			return Response{Status: http.StatusBadRequest, Body: BodyMissingOrder}
		}
		if rid, ok := req.Order["id"]; ok && idString(rid) != id {
			return Response{Status: http.StatusBadRequest, Body: `{"errors":{"id":["does not match the order in the URL"]}}`}
		}
		for _, k := range []string{"tags", "note"} {
			if v, ok := req.Order[k]; ok && v != nil {
				if _, isString := v.(string); !isString {
					return Response{Status: http.StatusUnprocessableEntity, Body: `{"errors":{"` + k + `":["is invalid"]}}`}
				}
			}
		}
		for k, v := range req.Order {
			switch k {
			case "id":
			case "tags":
				t, _ := v.(string) // null clears them
				o[k] = normalizeTags(t)
			default:
				o[k] = v
			}
		}
		o["updated_at"] = s.timestamp()
		return orderResponse(o, "")
	}
	return Response{Status: http.StatusNotAcceptable, Body: BodyNotFound}
}

func orderResponse(o map[string]any, fields string) Response {
	out := o
	if fields != "" {
		out = map[string]any{}
		for _, f := range strings.Split(fields, ",") {
			if v, ok := o[strings.TrimSpace(f)]; ok {
				out[strings.TrimSpace(f)] = v
			}
		}
	}
	b, err := marshal(map[string]any{"order": out})
	if err != nil {
		return Response{Status: http.StatusInternalServerError, Body: `{"errors":"Internal Server Error"}`}
	}
	return Response{Status: http.StatusOK, Body: string(b)}
}

// normalizeTags renders tags as Shopify stores them: trimmed, empties and
// case-insensitive repeats dropped, ", "-separated.
func normalizeTags(s string) string {
	var out []string
	seen := map[string]bool{}
	for _, t := range strings.Split(s, ",") {
		t = strings.TrimSpace(t)
		if k := strings.ToLower(t); t != "" && !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return strings.Join(out, ", ")
}

func (b Bucket) withDefaults() Bucket {
	if b.Size <= 0 {
		b.Size = 40
	}
	if b.LeakPerSecond <= 0 {
		b.LeakPerSecond = 2
	}
	if b.RetryAfter == "" {
		b.RetryAfter = "2.0"
	}
	return b
}

// timestamp is now as Shopify writes times ("2026-05-04T10:00:00-04:00").
func (s *Server) timestamp() string {
	return s.opts.Now().Format(time.RFC3339)
}

// decode unmarshals JSON keeping numbers as json.Number, so ids stay exact.
func decode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// marshal encodes v as Shopify does: no HTML escaping, no trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func clone(m map[string]any) (map[string]any, error) {
	b, err := marshal(m)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := decode(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// idString renders an integer id (json.Number, number or digit string), or
// "".
func idString(v any) string {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = x
	case int64:
		s = strconv.FormatInt(x, 10)
	case int:
		s = strconv.Itoa(x)
	case float64:
		if x == math.Trunc(x) && x > 0 && x <= 1<<53 {
			s = strconv.FormatFloat(x, 'f', 0, 64)
		}
	}
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return ""
	}
	return s
}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
