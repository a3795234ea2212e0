package fake

import (
	"bytes"
	"container/heap"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// SignatureHeader carries the HMAC-SHA256 of a webhook body.
const SignatureHeader = "X-Hub-Signature-256"

// Webhook kinds, as recorded in Delivery.Kind.
const (
	KindStatus         = "status"
	KindMessage        = "message"
	KindTemplateStatus = "template_status"
)

const (
	objectWABA           = "whatsapp_business_account"
	fieldMessages        = "messages"
	fieldTemplateStatus  = "message_template_status_update"
	webhookRetryBase     = 10 * time.Millisecond
	webhookClientTimeout = 10 * time.Second
	userAgent            = "facebookexternalua"
)

// Errors returned by the webhook helpers.
var (
	// ErrNoWebhookURL: a webhook was asked for but no URL is set.
	ErrNoWebhookURL = errors.New("fake: no webhook URL set")
	// ErrWebhookFailed: every attempt at a delivery failed.
	ErrWebhookFailed = errors.New("fake: webhook delivery failed")
	// ErrUnknownTemplate: no template has that name and language.
	ErrUnknownTemplate = errors.New("fake: unknown template")
)

// Delivery is one webhook the fake sent (or gave up on).
type Delivery struct {
	// Kind is KindStatus, KindMessage or KindTemplateStatus.
	Kind string
	URL  string
	// Body is the exact bytes sent, and Signature the X-Hub-Signature-256
	// header sent with them.
	Body      []byte
	Signature string
	// Attempts made; Status is the last HTTP status (0 after a transport
	// error) and Err the last error ("" when delivered).
	Attempts int
	Status   int
	Err      string
	// At is when the last attempt ended (Options.Now).
	At time.Time
}

// Sign is the X-Hub-Signature-256 value Meta sends with body:
// "sha256=" and the lower-case hex HMAC-SHA256 of body keyed with secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// encodeWebhook renders v the way Meta's bodies look: compact JSON, no HTML
// escaping, no trailing newline, and every non-ASCII character escaped as
// \uXXXX with lower-case hex (shared/contracts/meta.md §2.2).
func encodeWebhook(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("fake: encoding a webhook: %v", err))
	}
	return asciiJSON(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// asciiJSON escapes every non-ASCII character of a JSON text as \uXXXX
// (surrogate pairs above U+FFFF). Outside strings JSON is pure ASCII, so
// this never touches structure.
func asciiJSON(b []byte) []byte {
	i := bytes.IndexFunc(b, func(r rune) bool { return r >= utf8.RuneSelf })
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	out = append(out, b[:i]...)
	for len(b[i:]) > 0 {
		c := b[i]
		if c < utf8.RuneSelf {
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		i += n
		if r > 0xFFFF {
			r1, r2 := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
			continue
		}
		out = fmt.Appendf(out, `\u%04x`, r)
	}
	return out
}

// Webhook payload shapes, with fields in the order Meta sends them.
type (
	envelope struct {
		Object string  `json:"object"`
		Entry  []entry `json:"entry"`
	}
	entry struct {
		ID      string   `json:"id"`
		Time    int64    `json:"time,omitempty"`
		Changes []change `json:"changes"`
	}
	change struct {
		Value any    `json:"value"`
		Field string `json:"field"`
	}
	metadata struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	}
	messagesValue struct {
		MessagingProduct string           `json:"messaging_product"`
		Metadata         metadata         `json:"metadata"`
		Contacts         []contact        `json:"contacts,omitempty"`
		Messages         []inboundMessage `json:"messages,omitempty"`
		Statuses         []statusObject   `json:"statuses,omitempty"`
	}
	contact struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID string `json:"wa_id"`
	}
	inboundMessage struct {
		From      string `json:"from"`
		ID        string `json:"id"`
		Timestamp string `json:"timestamp"`
		Text      struct {
			Body string `json:"body"`
		} `json:"text"`
		Type string `json:"type"`
	}
	statusObject struct {
		ID                    string         `json:"id"`
		Status                string         `json:"status"`
		Timestamp             string         `json:"timestamp"`
		RecipientID           string         `json:"recipient_id"`
		Conversation          *conversation  `json:"conversation,omitempty"`
		Pricing               *pricing       `json:"pricing,omitempty"`
		BizOpaqueCallbackData string         `json:"biz_opaque_callback_data,omitempty"`
		Errors                []webhookError `json:"errors,omitempty"`
	}
	conversation struct {
		ID     string `json:"id"`
		Origin struct {
			Type string `json:"type"`
		} `json:"origin"`
	}
	pricing struct {
		Billable     bool   `json:"billable"`
		PricingModel string `json:"pricing_model"`
		Type         string `json:"type"`
		Category     string `json:"category"`
	}
	webhookError struct {
		Code      int    `json:"code"`
		Title     string `json:"title"`
		Message   string `json:"message"`
		ErrorData struct {
			Details string `json:"details"`
		} `json:"error_data"`
		Href string `json:"href"`
	}
	templateStatusValue struct {
		Event                   string `json:"event"`
		MessageTemplateID       any    `json:"message_template_id"`
		MessageTemplateName     string `json:"message_template_name"`
		MessageTemplateLanguage string `json:"message_template_language"`
		Reason                  string `json:"reason"`
		MessageTemplateCategory string `json:"message_template_category,omitempty"`
	}
)

func unixString(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

func (s *Server) metadata() metadata {
	return metadata{DisplayPhoneNumber: s.opts.DisplayPhoneNumber, PhoneNumberID: s.opts.PhoneNumberID}
}

// messagesWebhook wraps a messages-field value in the envelope (no
// entry.time, as Meta sends it for this field).
func (s *Server) messagesWebhook(v messagesValue) []byte {
	return encodeWebhook(envelope{Object: objectWABA, Entry: []entry{{
		ID:      s.opts.WABAID,
		Changes: []change{{Value: v, Field: fieldMessages}},
	}}})
}

// statusPlan is what a status webhook of one accepted send says.
type statusPlan struct {
	id, recipient, bizOpaque string
	conversationID, origin   string
	pricing                  pricing
	failCode                 int
}

func (s *Server) statusBody(p statusPlan, status string) []byte {
	st := statusObject{
		ID:                    p.id,
		Status:                status,
		Timestamp:             unixString(s.now()),
		RecipientID:           p.recipient,
		BizOpaqueCallbackData: p.bizOpaque,
	}
	switch status {
	case statusFailed:
		we := webhookError{Code: p.failCode, Title: ErrorTitle(p.failCode), Message: ErrorTitle(p.failCode), Href: errorsHref}
		we.ErrorData.Details = defaultDetails(p.failCode)
		st.Errors = []webhookError{we}
	case statusSent, statusDelivered:
		c := &conversation{ID: p.conversationID}
		c.Origin.Type = p.origin
		pr := p.pricing
		st.Conversation, st.Pricing = c, &pr
	}
	return s.messagesWebhook(messagesValue{
		MessagingProduct: messagingProductWhatsApp,
		Metadata:         s.metadata(),
		Statuses:         []statusObject{st},
	})
}

func (s *Server) inboundBody(waID, profileName, wamid, text string, at time.Time) []byte {
	var c contact
	c.Profile.Name, c.WaID = profileName, waID
	msg := inboundMessage{From: waID, ID: wamid, Timestamp: unixString(at), Type: "text"}
	msg.Text.Body = text
	return s.messagesWebhook(messagesValue{
		MessagingProduct: messagingProductWhatsApp,
		Metadata:         s.metadata(),
		Contacts:         []contact{c},
		Messages:         []inboundMessage{msg},
	})
}

func (s *Server) templateStatusBody(t Template, at time.Time) []byte {
	var id any = t.ID
	if _, err := strconv.ParseInt(t.ID, 10, 64); err == nil {
		id = json.Number(t.ID)
	}
	reason := "NONE"
	if strings.EqualFold(t.Status, "REJECTED") {
		reason = "INVALID_FORMAT"
	}
	return encodeWebhook(envelope{Object: objectWABA, Entry: []entry{{
		ID:   s.opts.WABAID,
		Time: at.Unix(),
		Changes: []change{{Field: fieldTemplateStatus, Value: templateStatusValue{
			Event:                   strings.ToUpper(t.Status),
			MessageTemplateID:       id,
			MessageTemplateName:     t.Name,
			MessageTemplateLanguage: t.Language,
			Reason:                  reason,
			MessageTemplateCategory: strings.ToUpper(t.Category),
		}}},
	}}})
}

// post makes one delivery attempt.
func (s *Server) post(ctx context.Context, url, sig string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, sig)
	req.Header.Set("User-Agent", userAgent)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// deliver POSTs a signed body to the webhook URL, retrying a non-2xx answer
// or a transport error with exponential backoff (10 ms, 40 ms, 160 ms, ...)
// up to Options.WebhookAttempts attempts, and records the outcome. A
// delivery given up on counts in WebhookFailures; one cut short by ctx does
// not.
func (s *Server) deliver(ctx context.Context, kind string, body []byte) error {
	url := s.webhookURLNow()
	if url == "" {
		return ErrNoWebhookURL
	}
	sig := Sign(s.opts.AppSecret, body)
	d := Delivery{Kind: kind, URL: url, Body: body, Signature: sig}
	var lastErr error
	for d.Attempts < s.attempts {
		if d.Attempts > 0 {
			t := time.NewTimer(webhookRetryBase << (2 * (d.Attempts - 1)))
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
		if ctx.Err() != nil {
			lastErr = ctx.Err()
			break
		}
		d.Attempts++
		d.Status, lastErr = s.post(ctx, url, sig, body)
		if lastErr == nil && d.Status >= 200 && d.Status < 300 {
			break
		}
		if lastErr == nil {
			lastErr = fmt.Errorf("answered HTTP %d", d.Status)
		}
	}
	d.At = s.now()
	var err error
	if lastErr != nil {
		d.Err = lastErr.Error()
		err = fmt.Errorf("%w: %s to %s after %d attempts: %v", ErrWebhookFailed, kind, url, d.Attempts, lastErr)
	}
	s.mu.Lock()
	s.deliveries = append(s.deliveries, d)
	if lastErr != nil && ctx.Err() == nil {
		s.webhookFailures++
	}
	s.mu.Unlock()
	return err
}

// job is one queued webhook, due at a time; build renders the body when it
// is sent (so timestamps are the delivery's).
type job struct {
	due   time.Time
	seq   uint64
	kind  string
	build func() []byte
}

// jobHeap orders jobs by due time, then by enqueue order, so one message's
// statuses always leave in the order they were queued.
type jobHeap []*job

func (h jobHeap) Len() int { return len(h) }
func (h jobHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].seq < h[j].seq
}
func (h jobHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *jobHeap) Push(x any)   { *h = append(*h, x.(*job)) }
func (h *jobHeap) Pop() any {
	old := *h
	j := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return j
}

// enqueue queues webhooks; each is due delay after the previous one.
func (s *Server) enqueue(kind string, delay time.Duration, builds ...func() []byte) {
	if len(builds) == 0 {
		return
	}
	now := time.Now()
	s.qmu.Lock()
	if s.closed {
		s.qmu.Unlock()
		return
	}
	for i, b := range builds {
		s.seq++
		heap.Push(&s.jobs, &job{due: now.Add(time.Duration(i) * delay), seq: s.seq, kind: kind, build: b})
	}
	s.pending += len(builds)
	s.qmu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// worker delivers queued webhooks one at a time, each when due.
func (s *Server) worker() {
	defer close(s.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		s.qmu.Lock()
		var next *job
		wait := time.Duration(-1)
		if len(s.jobs) > 0 {
			if d := time.Until(s.jobs[0].due); d <= 0 {
				next = heap.Pop(&s.jobs).(*job)
			} else {
				wait = d
			}
		}
		s.qmu.Unlock()
		if next != nil {
			_ = s.deliver(s.ctx, next.kind, next.build())
			s.jobDone()
			continue
		}
		var tick <-chan time.Time
		if wait > 0 {
			timer.Reset(wait)
			tick = timer.C
		}
		select {
		case <-s.ctx.Done():
			timer.Stop()
			return
		case <-s.wake:
		case <-tick:
		}
		timer.Stop()
	}
}

func (s *Server) jobDone() {
	s.qmu.Lock()
	if s.pending > 0 {
		s.pending--
	}
	close(s.changed)
	s.changed = make(chan struct{})
	s.qmu.Unlock()
}

// Flush waits until every queued webhook has been delivered or given up on,
// or ctx ends. Webhooks queued while it waits are waited for too.
func (s *Server) Flush(ctx context.Context) error {
	for {
		s.qmu.Lock()
		pending, ch := s.pending, s.changed
		s.qmu.Unlock()
		if pending == 0 {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("fake: flush: %d webhooks still queued: %w", pending, ctx.Err())
		}
	}
}
