// Package fake is a local Square for tests, benchmarks and local runs.
//
// The Server answers the v2 calls the square connector makes, honouring
// Square's contract: RetrieveCustomer (GET /v2/customers/{id} ->
// {"customer":{...}}), RetrieveBooking (GET /v2/bookings/{id} ->
// {"booking":{...},"errors":[]}) and RetrieveOrder (GET /v2/orders/{id} ->
// {"order":{...}}), each requiring "Authorization: Bearer <token>" (401
// AUTHENTICATION_ERROR/UNAUTHORIZED otherwise) and a Square-Version header
// (400 otherwise; Square itself would fall back to the application's
// version, the fake is stricter so a connector that forgets it fails).
// Unknown ids answer 404 INVALID_REQUEST_ERROR/NOT_FOUND; every error body is
// Square's {"errors":[{"category","code","detail"}]}. FailNext scripts
// failures for a path; Throttle answers every call 429 RATE_LIMITED with a
// Retry-After.
//
// SendWebhook delivers a notification the way Square does: the JSON bytes
// (HTML characters not escaped), signed with HMAC-SHA256 over the
// notification URL followed by exactly those bytes, with the
// x-square-hmacsha256-signature, square-environment and content-type
// headers. BookingCreated, PaymentUpdated, OrderUpdated and the other
// builders make notifications with the shapes of Square's webhook reference.
//
// A Server is safe for concurrent use.
package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakehttp"
)

// Credentials a new Server accepts and signs with.
const (
	DefaultAccessToken  = "EAAAlFakeSquareAccessTokenForTests"
	DefaultSignatureKey = "fake_square_signature_key"
	DefaultEnvironment  = "Sandbox"
)

// Request is one recorded API request.
type Request struct {
	Method string
	Path   string
	Header http.Header
	// Status is what the fake answered.
	Status int
}

// Server is the fake Square API. Its zero value is not usable; call New or
// NewServer.
type Server struct {
	fakehttp.Listener
	mu           sync.Mutex
	token        string
	signatureKey string
	environment  string
	customers    map[string]Customer
	bookings     map[string]Booking
	orders       map[string]Order
	failures     map[string][]int
	throttle     time.Duration
	requests     []Request
	client       *http.Client
}

var _ http.Handler = (*Server)(nil)

// New returns a seeded fake that is not listening: mount it as an
// http.Handler, or call Start.
func New() *Server {
	s := &Server{client: &http.Client{Timeout: 30 * time.Second}}
	s.Reset()
	return s
}

// NewServer returns a seeded fake already listening on a loopback port.
// Close it when done.
func NewServer() *Server {
	s := New()
	s.Start()
	return s
}

// Start listens on a loopback port (httptest). It panics if already
// started. URL and Close come with the embedded fakehttp.Listener.
func (s *Server) Start() { s.Listener.Serve(s) }

// Reset restores the seeded data and default credentials, and forgets
// scripts, throttling and recorded requests.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = DefaultAccessToken
	s.signatureKey = DefaultSignatureKey
	s.environment = DefaultEnvironment
	s.customers = map[string]Customer{}
	for _, c := range SeedCustomers() {
		s.customers[c.ID] = c
	}
	b := SeedBooking()
	s.bookings = map[string]Booking{b.ID: b}
	o := SeedOrder()
	s.orders = map[string]Order{o.ID: o}
	s.failures = map[string][]int{}
	s.throttle = 0
	s.requests = nil
}

// SetAccessToken changes the Bearer token the API accepts.
func (s *Server) SetAccessToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// SetSignatureKey changes the key SendWebhook signs with.
func (s *Server) SetSignatureKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.signatureKey = key
}

// SetEnvironment changes the square-environment header SendWebhook sends
// ("Production" or "Sandbox").
func (s *Server) SetEnvironment(env string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.environment = env
}

// AddCustomer adds or replaces a customer.
func (s *Server) AddCustomer(c Customer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.customers[c.ID] = c
}

// DeleteCustomer removes a customer, so lookups answer 404.
func (s *Server) DeleteCustomer(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.customers, id)
}

// AddBooking adds or replaces a booking.
func (s *Server) AddBooking(b Booking) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bookings[b.ID] = b
}

// AddOrder adds or replaces an order.
func (s *Server) AddOrder(o Order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[o.ID] = o
}

// FailNext makes the next n requests to path (e.g. "/v2/customers/ID")
// answer status with Square's error body for it, before any other check.
// Calls add up: FailNext(p, 2, 503) then FailNext(p, 1, 429) fails three
// times.
func (s *Server) FailNext(path string, n int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[path] = append(s.failures[path], status)
	}
}

// Throttle makes every API request answer 429 RATE_LIMITED with
// Retry-After: retryAfter (in whole seconds, at least 1) until Throttle(0).
func (s *Server) Throttle(retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = retryAfter
}

// Requests returns a copy of the recorded API requests, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	copy(out, s.requests)
	return out
}

// Count is the number of API requests recorded.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// CountPath is the number of API requests recorded for path.
func (s *Server) CountPath(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.Path == path {
			n++
		}
	}
	return n
}

var versionRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// ServeHTTP answers one API request: a scripted failure, then throttling,
// then authentication, then the Square-Version check, then the lookup.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, header, body := s.answer(r)
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Status: status})
	s.mu.Unlock()
	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) answer(r *http.Request) (int, http.Header, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := r.URL.Path
	if q := s.failures[path]; len(q) > 0 {
		s.failures[path] = q[1:]
		return q[0], nil, errorBody(q[0], "")
	}
	if s.throttle > 0 {
		secs := max(1, int((s.throttle+time.Second-1)/time.Second))
		return http.StatusTooManyRequests, http.Header{"Retry-After": {strconv.Itoa(secs)}}, errorBody(http.StatusTooManyRequests, "")
	}
	auth := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(auth, "Bearer "); !ok || tok == "" || tok != s.token {
		return http.StatusUnauthorized, nil, errorBody(http.StatusUnauthorized, "This request could not be authorized.")
	}
	if v := r.Header.Get("Square-Version"); !versionRe.MatchString(v) {
		return http.StatusBadRequest, nil, ErrorBody{Errors: []Error{{
			Category: "INVALID_REQUEST_ERROR", Code: "INVALID_SQUARE_VERSION_FORMAT",
			Detail: fmt.Sprintf("Square-Version header %q is missing or not YYYY-MM-DD", v),
		}}}
	}
	if r.Method != http.MethodGet {
		return http.StatusNotFound, nil, errorBody(http.StatusNotFound, "Resource not found.")
	}
	if id, ok := strings.CutPrefix(path, "/v2/customers/"); ok && id != "" {
		if c, ok := s.customers[id]; ok {
			return http.StatusOK, nil, map[string]any{"customer": c}
		}
		return http.StatusNotFound, nil, errorBody(http.StatusNotFound, fmt.Sprintf("Customer with ID `%s` not found.", id))
	}
	if id, ok := strings.CutPrefix(path, "/v2/bookings/"); ok && id != "" {
		if b, ok := s.bookings[id]; ok {
			return http.StatusOK, nil, map[string]any{"booking": b, "errors": []Error{}}
		}
		return http.StatusNotFound, nil, errorBody(http.StatusNotFound, fmt.Sprintf("Booking with ID `%s` not found.", id))
	}
	if id, ok := strings.CutPrefix(path, "/v2/orders/"); ok && id != "" {
		if o, ok := s.orders[id]; ok {
			return http.StatusOK, nil, map[string]any{"order": o}
		}
		return http.StatusNotFound, nil, errorBody(http.StatusNotFound, fmt.Sprintf("Order with ID `%s` not found.", id))
	}
	return http.StatusNotFound, nil, errorBody(http.StatusNotFound, "Resource not found.")
}

// errorBody is Square's error answer for status.
func errorBody(status int, detail string) ErrorBody {
	e := Error{Category: "API_ERROR", Code: "INTERNAL_SERVER_ERROR"}
	switch {
	case status == http.StatusBadRequest:
		e = Error{Category: "INVALID_REQUEST_ERROR", Code: "BAD_REQUEST"}
	case status == http.StatusUnauthorized:
		e = Error{Category: "AUTHENTICATION_ERROR", Code: "UNAUTHORIZED"}
	case status == http.StatusForbidden:
		e = Error{Category: "AUTHENTICATION_ERROR", Code: "FORBIDDEN"}
	case status == http.StatusNotFound:
		e = Error{Category: "INVALID_REQUEST_ERROR", Code: "NOT_FOUND"}
	case status == http.StatusTooManyRequests:
		e = Error{Category: "RATE_LIMIT_ERROR", Code: "RATE_LIMITED"}
	case status == http.StatusBadGateway:
		e.Code = "BAD_GATEWAY"
	case status == http.StatusServiceUnavailable:
		e.Code = "SERVICE_UNAVAILABLE"
	case status == http.StatusGatewayTimeout:
		e.Code = "GATEWAY_TIMEOUT"
	case status >= 400 && status < 500:
		e = Error{Category: "INVALID_REQUEST_ERROR", Code: "BAD_REQUEST"}
	}
	if detail == "" {
		detail = http.StatusText(status)
	}
	e.Detail = detail
	return ErrorBody{Errors: []Error{e}}
}
