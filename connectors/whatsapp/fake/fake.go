package fake

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults for the identifiers in Options (Meta's own sample values).
const (
	DefaultAccessToken        = "EAAFakeWhatsAppAccessToken"
	DefaultPhoneNumberID      = "106540352242922"
	DefaultWABAID             = "102290129340398"
	DefaultDisplayPhoneNumber = "15550783881"
	// DefaultStatusDelay separates the status webhooks of one message.
	DefaultStatusDelay = 2 * time.Millisecond
	// DefaultWebhookAttempts is how many times a webhook is tried.
	DefaultWebhookAttempts = 4
)

// Message statuses a status webhook can carry.
const (
	statusSent      = "sent"
	statusDelivered = "delivered"
	statusRead      = "read"
	statusPlayed    = "played"
	statusFailed    = "failed"
)

const (
	maxBody          = 4 << 20
	serviceWindow    = 24 * time.Hour
	markReadMaxAge   = 30 * 24 * time.Hour
	templateIDOffset = 1_000_000_000_000_000
)

// versionRE is a Graph API version path segment such as v23.0.
var versionRE = regexp.MustCompile(`^v\d+\.\d+$`)

// Options configure a Server. The zero value works: identifiers get the
// Default* values, there are no templates, no rate limits and no webhooks.
type Options struct {
	// AccessToken is the only token accepted (Authorization: Bearer, or the
	// access_token query parameter as Graph also allows).
	AccessToken string
	// PhoneNumberID is the sending number's id in /{version}/{id}/messages;
	// DisplayPhoneNumber is its number as webhooks show it.
	PhoneNumberID      string
	DisplayPhoneNumber string
	// WABAID is the WhatsApp Business Account: webhooks' entry[].id and the
	// id in /{version}/{id}/message_templates.
	WABAID string
	// AppSecret signs outgoing webhooks (X-Hub-Signature-256).
	AppSecret string
	// WebhookURL receives webhooks; "" sends none. See SetWebhookURL.
	WebhookURL string
	// WebhookAttempts bounds the tries of one webhook (default 4).
	WebhookAttempts int
	// Templates are the WABA's message templates.
	Templates []Template
	// MessagesPerSecond is the number's throughput: a token bucket with burst
	// max(1, rate); sends over it get 130429. 0 = unlimited.
	MessagesPerSecond float64
	// PairPerSecond and PairBurst limit sends to one recipient (Meta: about
	// 1 every 6 s, bursts of 45); over it a send gets 131056. 0 = off; a
	// zero PairBurst means max(1, PairPerSecond).
	PairPerSecond float64
	PairBurst     int
	// StatusDelay is the pause between the status webhooks of one message
	// (default DefaultStatusDelay).
	StatusDelay time.Duration
	// Statuses are the status webhooks that follow an accepted send, in
	// order. nil means sent, delivered, read; an empty slice means none.
	// Values: sent, delivered, read, played. Repeat or reorder them to model
	// Meta's duplicated and out-of-order deliveries, or leave out delivered
	// as Meta does when delivery and read coincide.
	Statuses []string
	// Now is the clock for the 24 h window, rate limits, timestamps and
	// records (default time.Now). It must be safe for concurrent use.
	Now func() time.Time
}

// Send is one accepted message send.
type Send struct {
	// ID is the wamid answered.
	ID string
	// To is the recipient as sent; WaID its digits.
	To   string
	WaID string
	// Type is the message type (text when the request named none).
	Type string
	// Body is the decoded request (numbers as json.Number); Raw its bytes.
	Body map[string]any
	Raw  []byte
	// Template and Language name the template of a template send.
	Template string
	Language string
	// BizOpaqueCallbackData is echoed in the message's status webhooks.
	BizOpaqueCallbackData string
	// At is when the send was admitted.
	At time.Time
}

// Request is one request to a /messages path, accepted or not.
type Request struct {
	// At is when the request arrived.
	At     time.Time
	Method string
	Path   string
	// Status is the HTTP status answered; Code the Meta error code (0 on
	// success).
	Status int
	Code   int
	Body   []byte
}

// Server is a fake WhatsApp Cloud API listening on a loopback port. It is
// safe for concurrent use: sends, scripting and inspection may happen at
// the same time.
type Server struct {
	opts        Options
	now         func() time.Time
	statuses    []string
	statusDelay time.Duration
	attempts    int
	srv         *httptest.Server
	client      *http.Client

	mu              sync.Mutex
	webhookURL      string
	templates       map[string]*tmplSpec
	templateOrder   []string
	inbound         map[string]time.Time // wa_id -> last inbound message
	readable        map[string]time.Time // inbound wamid -> received at
	rate            *bucket
	pairRate        float64
	pairBurst       float64
	pairs           map[string]*bucket
	failN           int
	failCode        int
	failDelivery    map[string]int
	conversations   map[string]string
	sends           []Send
	requests        []Request
	markedRead      []string
	deliveries      []Delivery
	webhookFailures int

	qmu     sync.Mutex
	jobs    jobHeap
	seq     uint64
	pending int
	changed chan struct{} // closed and replaced whenever a queued webhook is done
	closed  bool
	wake    chan struct{}

	ctx       context.Context
	cancel    context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

var _ http.Handler = (*Server)(nil)

// New starts a fake on a loopback port; Close it when done. It panics on
// an unknown value in opts.Statuses or a negative rate.
func New(opts Options) *Server {
	if opts.AccessToken == "" {
		opts.AccessToken = DefaultAccessToken
	}
	if opts.PhoneNumberID == "" {
		opts.PhoneNumberID = DefaultPhoneNumberID
	}
	if opts.DisplayPhoneNumber == "" {
		opts.DisplayPhoneNumber = DefaultDisplayPhoneNumber
	}
	if opts.WABAID == "" {
		opts.WABAID = DefaultWABAID
	}
	if opts.MessagesPerSecond < 0 || opts.PairPerSecond < 0 {
		panic("fake: MessagesPerSecond and PairPerSecond must not be negative")
	}
	s := &Server{
		opts:          opts,
		now:           opts.Now,
		statusDelay:   opts.StatusDelay,
		attempts:      opts.WebhookAttempts,
		client:        &http.Client{Timeout: webhookClientTimeout},
		webhookURL:    opts.WebhookURL,
		templates:     map[string]*tmplSpec{},
		inbound:       map[string]time.Time{},
		readable:      map[string]time.Time{},
		pairs:         map[string]*bucket{},
		failDelivery:  map[string]int{},
		conversations: map[string]string{},
		changed:       make(chan struct{}),
		wake:          make(chan struct{}, 1),
		done:          make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.statusDelay <= 0 {
		s.statusDelay = DefaultStatusDelay
	}
	if s.attempts <= 0 {
		s.attempts = DefaultWebhookAttempts
	}
	s.statuses = []string{statusSent, statusDelivered, statusRead}
	if opts.Statuses != nil {
		s.statuses = slices.Clone(opts.Statuses)
	}
	for _, st := range s.statuses {
		switch st {
		case statusSent, statusDelivered, statusRead, statusPlayed:
		default:
			panic(fmt.Sprintf("fake: unknown status %q in Options.Statuses (want sent, delivered, read or played; use FailDelivery for failed)", st))
		}
	}
	now := s.now()
	if opts.MessagesPerSecond > 0 {
		s.rate = newBucket(opts.MessagesPerSecond, opts.MessagesPerSecond, now)
	}
	s.pairRate = opts.PairPerSecond
	s.pairBurst = max(1, float64(opts.PairBurst))
	if opts.PairBurst <= 0 {
		s.pairBurst = max(1, opts.PairPerSecond)
	}
	for _, t := range opts.Templates {
		s.setTemplateLocked(t)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	go s.worker()
	s.srv = httptest.NewServer(s)
	return s
}

// URL is the base URL, without a trailing slash; point the client's Graph
// base URL at it (requests go to URL()+"/v23.0/<phone id>/messages").
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server and the webhook worker; queued webhooks are
// dropped. It may be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.srv.Close()
		s.cancel()
		<-s.done
		s.qmu.Lock()
		s.closed = true
		s.jobs = nil
		s.pending = 0
		close(s.changed)
		s.changed = make(chan struct{})
		s.qmu.Unlock()
	})
}

// SetWebhookURL changes where webhooks go ("" = nowhere). Queued webhooks
// go to the URL set when they are sent.
func (s *Server) SetWebhookURL(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL = url
}

func (s *Server) webhookURLNow() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL
}

// SetInbound records that waID last wrote to the business at at, which
// opens (or, with an old time, closes) the 24 h customer service window.
func (s *Server) SetInbound(waID string, at time.Time) {
	d, _ := normalizeNumber(waID)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inbound[d] = at
}

// MarkReadable registers id as a message the business received, so a
// mark-read of it succeeds.
func (s *Server) MarkReadable(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readable[id] = s.now()
}

// SendInbound plays a user writing text to the business: it opens the
// user's window, makes the message markable as read and POSTs the signed
// inbound webhook (shared/contracts/meta.md §4.2) to the webhook URL,
// waiting for the delivery (with retries). It returns the message's wamid,
// and an error when no URL is set or the delivery failed.
func (s *Server) SendInbound(ctx context.Context, waID, profileName, text string) (string, error) {
	d, ok := normalizeNumber(waID)
	if !ok {
		return "", fmt.Errorf("fake: %q is not a phone number", waID)
	}
	if s.webhookURLNow() == "" {
		return "", ErrNoWebhookURL
	}
	id := newWamid(d, true)
	s.mu.Lock()
	at := s.now()
	s.inbound[d] = at
	s.readable[id] = at
	s.mu.Unlock()
	return id, s.deliver(ctx, KindMessage, s.inboundBody(d, profileName, id, text, at))
}

// SetTemplate adds a template, or replaces the one with the same name and
// language (keeping its id when t.ID is empty, and its place in listings).
func (s *Server) SetTemplate(t Template) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setTemplateLocked(t)
}

func (s *Server) setTemplateLocked(t Template) {
	key := templateKey(t.Name, t.Language)
	old, exists := s.templates[key]
	if t.ID == "" {
		if exists {
			t.ID = old.t.ID
		} else {
			t.ID = strconv.FormatUint(templateIDOffset+idCounter.Add(1), 10)
		}
	}
	if !exists {
		s.templateOrder = append(s.templateOrder, key)
	}
	s.templates[key] = newTmplSpec(t)
}

// SetTemplateStatus changes a template's status (APPROVED, PAUSED, ...)
// and, with notify, POSTs a signed message_template_status_update webhook
// (§3.9) and waits for its delivery.
func (s *Server) SetTemplateStatus(ctx context.Context, name, language, status string, notify bool) error {
	s.mu.Lock()
	sp, ok := s.templates[templateKey(name, language)]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("%w: %s (%s)", ErrUnknownTemplate, name, language)
	}
	t := sp.t
	t.Status = status
	s.templates[templateKey(name, language)] = newTmplSpec(t)
	at := s.now()
	s.mu.Unlock()
	if !notify {
		return nil
	}
	if s.webhookURLNow() == "" {
		return ErrNoWebhookURL
	}
	return s.deliver(ctx, KindTemplateStatus, s.templateStatusBody(t, at))
}

// Throttle changes the number's throughput at run time (burst max(1,
// rate)); 0 turns the limit off.
func (s *Server) Throttle(perSecond float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	switch {
	case perSecond <= 0:
		s.rate = nil
	case s.rate == nil:
		s.rate = newBucket(perSecond, perSecond, now)
	default:
		s.rate.setRate(perSecond, perSecond, now)
	}
}

// FailNext makes the next n send requests that pass authentication and
// parse as JSON fail with the Meta error code, in Meta's body and with
// ErrorHTTPStatus(code). They are not counted against the rate limits.
// Mark-read requests are not affected.
func (s *Server) FailNext(n int, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failCode = max(0, n), code
}

// FailDelivery makes sends to this recipient succeed but be followed by a
// single "failed" status webhook carrying the error code (for example
// 131026 or 131049) instead of the usual statuses. Code 0 clears it.
func (s *Server) FailDelivery(to string, code int) {
	d, _ := normalizeNumber(to)
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.failDelivery, d)
		return
	}
	s.failDelivery[d] = code
}

// Sends returns the accepted sends, in the order they were admitted.
func (s *Server) Sends() []Send {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sends)
}

// Requests returns every request to a /messages path, refused ones too, in
// the order they were answered (At is the arrival, so it may be slightly out
// of order under concurrency).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// MarkedRead returns the message ids successfully marked as read, in order.
func (s *Server) MarkedRead() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.markedRead)
}

// Deliveries returns every webhook sent or given up on, in the order they
// finished.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// WebhookFailures counts webhooks given up on after every attempt failed.
func (s *Server) WebhookFailures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookFailures
}

// result is an answer to a Graph request.
type result struct {
	status int
	code   int
	body   any
}

func errorResult(e *apiError) result {
	return result{status: ErrorHTTPStatus(e.code), code: e.code, body: e.body(newTraceID())}
}

// ServeHTTP answers the Graph API paths the fake knows:
// POST /{version}/{phone number id}/messages and
// GET /{version}/{WABA id}/message_templates.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := s.now()
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var res result
	switch {
	case len(segs) == 3 && segs[2] == "messages":
		res = s.messages(r, segs[0], segs[1], body)
		s.mu.Lock()
		s.requests = append(s.requests, Request{
			At: arrived, Method: r.Method, Path: r.URL.Path,
			Status: res.status, Code: res.code, Body: body,
		})
		s.mu.Unlock()
	case len(segs) == 3 && segs[2] == "message_templates":
		res = s.listTemplates(r, segs[0], segs[1])
	default:
		if e := s.authorize(r); e != nil {
			res = errorResult(e)
		} else {
			res = errorResult(newAPIError(CodeUnknownPath, "Unknown path components: %s", r.URL.Path))
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(res.body)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	if eb, ok := res.body.(errorEnvelope); ok {
		h.Set("X-Fb-Trace-Id", eb.Error.FBTraceID)
		if res.status == http.StatusUnauthorized {
			h.Set("WWW-Authenticate", `OAuth "Facebook Platform" "invalid_token" "`+eb.Error.ErrorData.Details+`"`)
		}
	}
	w.WriteHeader(res.status)
	_, _ = w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// authorize checks the access token: Authorization: Bearer <token>, or the
// access_token query parameter.
func (s *Server) authorize(r *http.Request) *apiError {
	token := r.URL.Query().Get("access_token")
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "OAuth") {
			return newAPIError(CodeAccessToken, "Invalid OAuth access token - Cannot parse access token")
		}
		token = strings.TrimSpace(rest)
	}
	if token == "" {
		return newAPIError(CodeAccessToken, "An active access token must be used to query information about the current user.")
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(s.opts.AccessToken)) != 1 {
		return newAPIError(CodeAccessToken, "Invalid OAuth access token - Cannot parse access token")
	}
	return nil
}

// checkPath checks the version segment and the object id, then the method.
func (s *Server) checkPath(r *http.Request, version, id, wantID, wantMethod string) *apiError {
	if !versionRE.MatchString(version) {
		return newAPIError(CodeUnknownPath, "Unknown path components: %s (API versions look like v23.0)", r.URL.Path)
	}
	if id != wantID || r.Method != wantMethod {
		e := newAPIError(CodeInvalidParameter, unsupportedRequestTemplate, strings.ToLower(r.Method), id)
		e.subcode = subcodeUnknownObject
		return e
	}
	return nil
}

// messages answers POST /{version}/{phone number id}/messages. Checks run
// in this order: access token, path, JSON body and messaging_product, then
// (for a send) FailNext, the number's and the pair's rate limits, and the
// content: fields, template, 24 h window.
func (s *Server) messages(r *http.Request, version, phoneID string, body []byte) result {
	if e := s.authorize(r); e != nil {
		return errorResult(e)
	}
	if e := s.checkPath(r, version, phoneID, s.opts.PhoneNumberID, http.MethodPost); e != nil {
		return errorResult(e)
	}
	if len(body) > maxBody {
		return errorResult(newAPIError(CodeInvalidParameter, "the request body is larger than %d bytes", maxBody))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil || dec.Decode(new(json.RawMessage)) != io.EOF {
		return errorResult(newAPIError(CodeInvalidParameter, "the request body must be one JSON object"))
	}
	mp, ok := m["messaging_product"]
	if !ok {
		return errorResult(newAPIError(CodeInvalidParameter, "The parameter messaging_product is required."))
	}
	if str(mp) != messagingProductWhatsApp {
		return errorResult(newAPIError(CodeInvalidParameter, "Param messaging_product must be one of {WHATSAPP} - got %q.", str(mp)))
	}
	if _, ok := m["status"]; ok {
		return s.markRead(m)
	}
	return s.send(m, body)
}

func (s *Server) markRead(m map[string]any) result {
	if st := str(m["status"]); st != statusRead {
		return errorResult(invalid("status", "must be \"read\", got %q", st))
	}
	id, _ := m["message_id"].(string)
	if id == "" {
		return errorResult(required("message_id"))
	}
	if ti, ok := m["typing_indicator"]; ok {
		o, isObj := ti.(map[string]any)
		if !isObj || str(o["type"]) != "text" {
			return errorResult(invalid("typing_indicator", "must be {\"type\":\"text\"}"))
		}
	}
	s.mu.Lock()
	at, known := s.readable[id]
	tooOld := known && s.now().Sub(at) > markReadMaxAge
	if known && !tooOld {
		s.markedRead = append(s.markedRead, id)
	}
	s.mu.Unlock()
	switch {
	case !known:
		return errorResult(invalid("message_id", "%s is not a message this phone number received", id))
	case tooOld:
		return errorResult(invalid("message_id", "%s is older than 30 days", id))
	}
	return result{status: http.StatusOK, body: map[string]bool{"success": true}}
}

// sendResponse is Meta's answer to an accepted send.
type sendResponse struct {
	MessagingProduct string            `json:"messaging_product"`
	Contacts         []responseContact `json:"contacts"`
	Messages         []responseMessage `json:"messages"`
}

type responseContact struct {
	Input string `json:"input"`
	WaID  string `json:"wa_id"`
}

type responseMessage struct {
	ID string `json:"id"`
}

func (s *Server) send(m map[string]any, raw []byte) result {
	req := parseSend(m, s.opts.DisplayPhoneNumber)
	sent, plans, url, e := s.admit(&req, raw)
	if e != nil {
		return errorResult(e)
	}
	if url != "" && len(plans) > 0 {
		builds := make([]func() []byte, len(plans))
		for i, st := range plans {
			builds[i] = func() []byte { return s.statusBody(sent.plan, st) }
		}
		s.enqueue(KindStatus, s.statusDelay, builds...)
	}
	return result{status: http.StatusOK, body: sendResponse{
		MessagingProduct: messagingProductWhatsApp,
		Contacts:         []responseContact{{Input: req.to, WaID: req.waID}},
		Messages:         []responseMessage{{ID: sent.ID}},
	}}
}

// admitted is an accepted send with what its status webhooks will say.
type admitted struct {
	Send
	plan statusPlan
}

// admit applies FailNext, the rate limits, the content checks that depend
// on state (template, window) and, if all pass, records the send and spends
// its tokens, all under one hold of the lock. Only accepted sends spend
// tokens: Meta counts messages sent.
func (s *Server) admit(req *sendRequest, raw []byte) (admitted, []string, string, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.failN > 0 {
		s.failN--
		return admitted{}, nil, "", newAPIError(s.failCode, "")
	}
	if s.rate != nil && !s.rate.ready(now) {
		return admitted{}, nil, "", newAPIError(CodeRateLimit, "")
	}
	var pair *bucket
	if s.pairRate > 0 && req.waID != "" {
		pair = s.pairs[req.waID]
		if pair == nil {
			pair = newBucket(s.pairRate, s.pairBurst, now)
			s.pairs[req.waID] = pair
		}
		if !pair.ready(now) {
			return admitted{}, nil, "", newAPIError(CodePairRateLimit, "")
		}
	}
	if req.err != nil {
		return admitted{}, nil, "", req.err
	}
	last, hasInbound := s.inbound[req.waID]
	windowOpen := hasInbound && now.Sub(last) < serviceWindow
	origin := "service"
	pr := pricing{Billable: false, PricingModel: "PMP", Type: "free_customer_service", Category: "service"}
	if req.typ == typeTemplate {
		sp := s.templates[templateKey(req.tmplName, req.tmplLang)]
		if sp == nil {
			return admitted{}, nil, "", newAPIError(CodeTemplateMissing, "template name (%s) does not exist in %s", req.tmplName, req.tmplLang)
		}
		if e := sp.sendable(); e != nil {
			return admitted{}, nil, "", e
		}
		if e := sp.check(req.tmplComps); e != nil {
			return admitted{}, nil, "", e
		}
		origin = strings.ToLower(sp.t.Category)
		if origin == "" {
			origin = "marketing"
		}
		pr = pricing{Billable: true, PricingModel: "PMP", Type: "regular", Category: origin}
		if origin == "utility" && windowOpen {
			pr.Billable, pr.Type = false, "free_customer_service"
		}
	} else if !windowOpen {
		return admitted{}, nil, "", newAPIError(CodeReEngagement, "")
	}
	if s.rate != nil {
		s.rate.take()
	}
	if pair != nil {
		pair.take()
	}
	convKey := req.waID + "/" + origin
	conv := s.conversations[convKey]
	if conv == "" {
		conv = randomHex(16)
		s.conversations[convKey] = conv
	}
	a := admitted{
		Send: Send{
			ID: newWamid(req.waID, false), To: req.to, WaID: req.waID, Type: req.typ,
			Body: req.body, Raw: raw, Template: req.tmplName, Language: req.tmplLang,
			BizOpaqueCallbackData: req.bizOpaque, At: now,
		},
	}
	a.plan = statusPlan{
		id: a.ID, recipient: req.waID, bizOpaque: req.bizOpaque,
		conversationID: conv, origin: origin, pricing: pr,
	}
	s.sends = append(s.sends, a.Send)
	plans := s.statuses
	if code := s.failDelivery[req.waID]; code != 0 {
		a.plan.failCode = code
		plans = []string{statusFailed}
	}
	return a, plans, s.webhookURL, nil
}
