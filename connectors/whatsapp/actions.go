package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/httpx"
	"github.com/switchboardhq/switchboard/event"
)

// Action names.
const (
	ActionSendText        = "whatsapp.send_text"
	ActionSendTemplate    = "whatsapp.send_template"
	ActionSendInteractive = "whatsapp.send_interactive"
	ActionMarkRead        = "whatsapp.mark_read"
)

// Window is WhatsApp's customer-service window: free-form messages may be
// sent until 24 hours after the person's last message.
const Window = 24 * time.Hour

// maxResponse bounds what is read of a Graph API answer.
const maxResponse = 1 << 20

var (
	toParam = connectors.ParamSpec{Name: "to", Type: connectors.TypeString,
		Description: "the recipient's phone number (E.164) or wa_id; defaults to the contact's phone", Example: "+61412345678"}
	purposeParam = connectors.ParamSpec{Name: "purpose", Type: connectors.TypeString, Enum: []string{connectors.PurposeMarketing, connectors.PurposeTransactional},
		Description: "marketing or transactional; a template's category decides when unset, and a free-form message counts as marketing"}
	fallbackParam = connectors.ParamSpec{Name: "fallback_template", Type: connectors.TypeObject,
		Description: "a template ({template, language, header, body, buttons}) sent instead when the 24-hour window is closed",
		Example:     map[string]any{"template": "we_have_a_reply", "language": "en_AU", "body": []any{"Ana"}}}
	templateParams = []connectors.ParamSpec{
		{Name: "template", Type: connectors.TypeString, Required: true, Description: "the approved template's name", Example: "shipping_update"},
		{Name: "language", Type: connectors.TypeString, Description: "the template's language code; may be left out when the template has one language", Example: "en_AU"},
		{Name: "header", Type: connectors.TypeAny, Description: "the header parameter: a text (or list), or a media link for an image, video or document header"},
		{Name: "body", Type: connectors.TypeAny, Description: "the body parameters: a list for {{1}}, {{2}}..., or a map for named parameters", Example: []any{"Ana", "#1001"}},
		{Name: "buttons", Type: connectors.TypeArray, Description: "button parameters: texts for URL buttons in order, or {index, sub_type: url|quick_reply, text|payload}"},
	}
)

// outMessage is one send the connector is about to make.
type outMessage struct {
	to   string // wa_id digits
	body map[string]any
	info connectors.MessageInfo
	// checked is false when the template could not be checked (sandbox
	// without credentials).
	checked bool
}

// plan turns a step's request into the message to send, applying the
// window and template rules: it is what Describe reports and what Do sends.
func (c *Connector) plan(ctx context.Context, action string, req connectors.Request) (*outMessage, error) {
	p := req.Params
	purpose, _ := p["purpose"].(string)
	switch purpose {
	case "", connectors.PurposeMarketing, connectors.PurposeTransactional:
	default:
		return nil, connectors.Permanent(badParam("purpose", "is %q; want marketing or transactional", purpose), ReasonInvalid)
	}
	toRaw, _ := p["to"].(string)
	if toRaw == "" && req.Contact != nil {
		toRaw = req.Contact.Phone
	}
	to := recipient(toRaw)
	if to == "" {
		return nil, connectors.Permanent(badParam("to", "is empty and the contact has no phone number"), ReasonInvalid)
	}
	m := &outMessage{to: to, info: connectors.MessageInfo{Channel: Name, Purpose: purpose}, checked: true}
	var err error
	switch action {
	case ActionSendTemplate:
		m.body, err = c.planTemplate(ctx, m, templateFrom(p))
	case ActionSendText, ActionSendInteractive:
		if !c.windowOpen(req.Contact, to) {
			fb, ok := p["fallback_template"].(map[string]any)
			if !ok {
				return nil, connectors.Blocked(fmt.Errorf("whatsapp: the 24-hour window is closed: %s", windowDetail(req.Contact)), ReasonOutsideWindow)
			}
			m.info.Fallback = true
			m.body, err = c.planTemplate(ctx, m, templateFrom(fb))
			break
		}
		if action == ActionSendText {
			body, _ := p["body"].(string)
			preview, _ := p["preview_url"].(bool)
			reply, _ := p["reply_to"].(string)
			m.body, err = buildText(to, body, preview, reply)
		} else {
			s := interactiveSend{Buttons: asList(p["buttons"])}
			s.Body, _ = p["body"].(string)
			s.Header, _ = p["header"].(string)
			s.Footer, _ = p["footer"].(string)
			s.List, _ = p["list"].(map[string]any)
			m.body, err = buildInteractive(to, s)
		}
	}
	if err != nil {
		return nil, asParamError(err)
	}
	if req.RunID != "" {
		if cb := req.RunID + "/" + req.StepID; len(cb) <= maxCallbackPayload {
			m.body["biz_opaque_callback_data"] = cb
		}
	}
	return m, nil
}

func asParamError(err error) error {
	var ce *connectors.ClassifiedError
	if errors.As(err, &ce) {
		return err
	}
	var pe *paramError
	if errors.As(err, &pe) {
		return connectors.Permanent(err, ReasonInvalid)
	}
	return err
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func templateFrom(p map[string]any) templateSend {
	s := templateSend{Header: p["header"], Body: p["body"], Buttons: asList(p["buttons"])}
	s.Name, _ = p["template"].(string)
	s.Language, _ = p["language"].(string)
	return s
}

// windowOpen reports whether the contact wrote within 24 hours. A recipient
// other than the contact's own number is not known to the hub; Meta decides
// (131047) for it.
func (c *Connector) windowOpen(ct *event.Contact, to string) bool {
	if ct == nil || recipient(ct.Phone) != to {
		return true
	}
	return ct.LastInbound != nil && c.now().Sub(*ct.LastInbound) < Window
}

func windowDetail(ct *event.Contact) string {
	if ct == nil || ct.LastInbound == nil {
		return "the contact has never written to this number; send an approved template instead (or set fallback_template on the step)"
	}
	return "the contact last wrote at " + ct.LastInbound.UTC().Format(time.RFC3339) + "; send an approved template instead (or set fallback_template on the step)"
}

// planTemplate checks a template send against the registry and builds it.
func (c *Connector) planTemplate(ctx context.Context, m *outMessage, s templateSend) (map[string]any, error) {
	if s.Name == "" {
		return nil, badParam("template", "is empty")
	}
	t, err := c.template(ctx, s)
	if err != nil {
		return nil, err
	}
	if t != nil {
		s.Language = t.Language
		if t.Status != "APPROVED" {
			msg := fmt.Sprintf("whatsapp: template %s (%s) is %s, not APPROVED", t.Name, t.Language, t.Status)
			if t.Reason != "" && !strings.EqualFold(t.Reason, "NONE") {
				msg += " (" + t.Reason + ")"
			}
			return nil, connectors.Blocked(errors.New(msg+"; only approved templates can be sent"), ReasonTemplateNotApprov)
		}
		if err := checkTemplate(t, s); err != nil {
			return nil, connectors.Blocked(err, ReasonTemplateParams)
		}
		m.info.TemplateCategory = t.Category
		if m.info.Purpose == "" {
			m.info.Purpose = purposeOf(t.Category)
		}
	} else {
		m.checked = false
	}
	m.info.Template, m.info.TemplateLanguage = s.Name, s.Language
	return buildTemplate(m.to, t, s)
}

func purposeOf(category string) string {
	switch strings.ToUpper(category) {
	case "MARKETING":
		return connectors.PurposeMarketing
	case "UTILITY", "AUTHENTICATION", "TRANSACTIONAL":
		return connectors.PurposeTransactional
	}
	return ""
}

// template finds s's template. It syncs once when the registry has never
// been loaded; nil, nil means there is no registry to check against
// (no credentials to sync: sandbox mode).
func (c *Connector) template(ctx context.Context, s templateSend) (*registeredTemplate, error) {
	if _, loaded := c.templates.state(); !loaded {
		if !c.canSync() {
			return nil, nil
		}
		if _, err := c.SyncTemplates(ctx); err != nil {
			return nil, connectors.Retryable(fmt.Errorf("whatsapp: the template registry is not synced yet: %w", err), 0, "template_sync")
		}
	}
	t, langs, ok := c.templates.lookup(s.Name, s.Language)
	if ok {
		return t, nil
	}
	if len(langs) == 0 {
		return nil, connectors.Blocked(fmt.Errorf("whatsapp: no template named %q in the last sync; create it in WhatsApp Manager and wait for approval, or fix the name", s.Name), ReasonTemplateNotFound)
	}
	if s.Language == "" {
		return nil, connectors.Blocked(fmt.Errorf("whatsapp: template %q exists in several languages (%s): set language", s.Name, strings.Join(langs, ", ")), ReasonTemplateNotFound)
	}
	return nil, connectors.Blocked(fmt.Errorf("whatsapp: template %q has no %s translation (it has %s)", s.Name, s.Language, strings.Join(langs, ", ")), ReasonTemplateNotFound)
}

// send posts a planned message and records it.
func (c *Connector) send(ctx context.Context, action string, req connectors.Request, m *outMessage) (connectors.Result, error) {
	if err := c.limits.wait(ctx, m.to); err != nil {
		return connectors.Result{}, err
	}
	var resp struct {
		Contacts []struct {
			WaID string `json:"wa_id"`
		} `json:"contacts"`
		Messages []struct {
			ID            string `json:"id"`
			MessageStatus string `json:"message_status"`
		} `json:"messages"`
	}
	if err := c.post(ctx, req, m, &resp); err != nil {
		return connectors.Result{}, err
	}
	if len(resp.Messages) == 0 || resp.Messages[0].ID == "" {
		// Accepted (2xx) but without an id: do not send again.
		return connectors.Result{}, connectors.Permanent(errors.New("whatsapp: Meta accepted the message but returned no message id"), "no_message_id")
	}
	id := resp.Messages[0].ID
	if c.deps.Messages != nil {
		rec := connectors.SentMessage{
			ID: id, Connector: Name, RunID: req.RunID, StepID: req.StepID, Pipeline: req.Pipeline, Action: action,
			Template: m.info.Template, TemplateLanguage: m.info.TemplateLanguage, Purpose: m.info.Purpose, SentAt: c.now(),
		}
		if rec.Purpose == "" {
			// A free-form message without a purpose counts as marketing
			// (the policy's rule), for the frequency cap too.
			rec.Purpose = connectors.PurposeMarketing
		}
		if req.Contact != nil {
			rec.ContactID = req.Contact.ID
		}
		if err := c.deps.Messages.RecordSent(ctx, rec); err != nil {
			// The message is sent: failing the step would send it again.
			// Its status webhooks still create the record.
			c.log.Error("record sent message", "message_id", id, "run_id", req.RunID, "err", err)
		}
	}
	out := map[string]any{"message_id": id, "status": "accepted"}
	if m.info.Template != "" {
		out["template"], out["language"] = m.info.Template, m.info.TemplateLanguage
	}
	if m.info.Fallback {
		out["fallback"] = true
	}
	if !m.checked {
		out["template_unchecked"] = true
	}
	return connectors.Result{Output: out}, nil
}

// post sends one /messages request and decodes a 2xx answer into out.
func (c *Connector) post(ctx context.Context, req connectors.Request, m *outMessage, out any) error {
	b, err := encode(m.body)
	if err != nil {
		return connectors.Permanent(fmt.Errorf("whatsapp: encode message: %w", err), ReasonInvalid)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(c.cfg.PhoneNumberID+"/messages"), bytes.NewReader(b))
	if err != nil {
		return connectors.Permanent(fmt.Errorf("whatsapp: build request: %w", err), ReasonInvalid)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Authorization", "Bearer "+c.api.token)
	return c.do(c.api.send, hreq, req.Attempt, out)
}

// do runs a Graph request and classifies its answer, keeping the
// connector's health and rate in step.
func (c *Connector) do(client *retryablehttp.Client, hreq *http.Request, attempt int, out any) error {
	rr, err := retryableRequest(hreq)
	if err != nil {
		return connectors.Permanent(err, ReasonInvalid)
	}
	resp, err := client.Do(rr)
	if err != nil {
		return httpx.ClassifyTransportError(fmt.Errorf("whatsapp: %s: %w", hreq.URL.Path, err))
	}
	body, _, err := httpx.ReadBody(resp, maxResponse)
	if err != nil {
		return connectors.Retryable(fmt.Errorf("whatsapp: %w", err), 0, "transport")
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		c.health.ok()
		c.limits.succeeded()
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(body, out); err != nil {
			return connectors.Permanent(fmt.Errorf("whatsapp: decode answer: %w", err), "bad_answer")
		}
		return nil
	}
	cerr, me := classifyHTTP(resp, body, attempt)
	code := fmt.Sprintf("http_%d", resp.StatusCode)
	if me != nil {
		code = fmt.Sprint(me.Code)
		switch me.Code {
		case 130429:
			c.limits.throttled()
		case 190, 0:
			c.log.Error("Meta refuses the access token: no WhatsApp message can be sent until it is replaced", "code", me.Code, "fbtrace_id", me.FBTraceID)
		}
	}
	_, _, reason := connectors.Classify(cerr)
	c.health.record(code, cerr.Error(), reason == ReasonAuth, c.now())
	return cerr
}

// Describe applies the window and template rules without sending
// (connectors.MessageSender).
func (c *Connector) describe(ctx context.Context, action string, req connectors.Request) (connectors.MessageInfo, error) {
	m, err := c.plan(ctx, action, req)
	if err != nil {
		return connectors.MessageInfo{}, err
	}
	return m.info, nil
}

// optOutEvent is the consent.changed a 131050 refusal implies.
func (c *Connector) optOutEvent(req connectors.Request, to string, err error) event.Event {
	now := c.now()
	return event.Event{
		Source: Name, Type: event.ConsentChanged, Time: now,
		DedupKey: "send_refused:131050:" + req.RunID + "/" + req.StepID,
		Data: map[string]any{
			"channel": Name, "purpose": connectors.PurposeMarketing, "status": "opted_out", "wa_id": to,
			"evidence": "Meta refused a send with error 131050 (the person stopped marketing messages)",
			"run_id":   req.RunID, "step_id": req.StepID, "error": err.Error(),
		},
		Contact: &event.ContactRef{Phone: "+" + to, ProviderIDs: map[string]string{Name: to}},
	}
}

// sendAction is what the three send actions share.
type sendAction struct {
	c    *Connector
	name string
}

func (a sendAction) RateLimitKey(map[string]any) string { return Name + ":" + a.c.cfg.PhoneNumberID }

func (a sendAction) Describe(ctx context.Context, req connectors.Request) (connectors.MessageInfo, error) {
	return a.c.describe(ctx, a.name, req)
}

func (a sendAction) Do(ctx context.Context, req connectors.Request) (connectors.Result, error) {
	m, err := a.c.plan(ctx, a.name, req)
	if err != nil {
		return connectors.Result{}, err
	}
	res, err := a.c.send(ctx, a.name, req, m)
	var me *MetaError
	if errors.As(err, &me) && me.Code == 131050 {
		return res, connectors.WithEvents(err, a.c.optOutEvent(req, m.to, err))
	}
	return res, err
}

// SandboxResult answers like Meta: a message id, without a call.
func (a sendAction) SandboxResult(req connectors.Request) connectors.Result {
	return connectors.Result{Output: map[string]any{"message_id": "wamid.sandbox." + event.NewID(), "status": "accepted", "sandbox": true}}
}

// sendText is ActionSendText; sendAction does the work.
type sendText struct{ sendAction }

func (a *sendText) Spec() connectors.ActionSpec {
	return connectors.ActionSpec{
		Name:        ActionSendText,
		Description: "Send a free-form text inside the 24-hour customer-service window (or its fallback_template outside it).",
		Params: []connectors.ParamSpec{
			toParam,
			{Name: "body", Type: connectors.TypeString, Required: true, Description: "the text, at most 4096 characters", Example: "Thanks, we're on it!"},
			{Name: "preview_url", Type: connectors.TypeBool, Default: false, Description: "show a link preview"},
			{Name: "reply_to", Type: connectors.TypeString, Description: "the wamid of the message this answers"},
			fallbackParam, purposeParam,
			{Name: "opt_out_confirmation", Type: connectors.TypeBool, Default: false,
				Description: "marks the hub's own reply confirming an opt-out, the one message an opted-out person may still get; ignored in pipeline files"},
		},
	}
}

// sendTemplate is ActionSendTemplate; sendAction does the work.
type sendTemplate struct{ sendAction }

func (a *sendTemplate) Spec() connectors.ActionSpec {
	return connectors.ActionSpec{
		Name:        ActionSendTemplate,
		Description: "Send an approved message template; the engine checks its approval and parameters before calling Meta.",
		Params:      append(append([]connectors.ParamSpec{toParam}, templateParams...), purposeParam),
	}
}

// sendInteractive is ActionSendInteractive; sendAction does the work.
type sendInteractive struct{ sendAction }

func (a *sendInteractive) Spec() connectors.ActionSpec {
	return connectors.ActionSpec{
		Name:        ActionSendInteractive,
		Description: "Send reply buttons (up to 3) or a list inside the 24-hour window (or its fallback_template outside it).",
		Params: []connectors.ParamSpec{
			toParam,
			{Name: "body", Type: connectors.TypeString, Required: true, Description: "the message text", Example: "Is 9am tomorrow still good?"},
			{Name: "header", Type: connectors.TypeString, Description: "a text header, at most 60 characters"},
			{Name: "footer", Type: connectors.TypeString, Description: "a footer, at most 60 characters"},
			{Name: "buttons", Type: connectors.TypeArray, Description: "up to 3 reply buttons: titles, or {id, title}", Example: []any{"Yes", "Change"}},
			{Name: "list", Type: connectors.TypeObject, Description: "a list: {button, sections: [{title, rows: [{id, title, description}]}]}"},
			fallbackParam, purposeParam,
		},
	}
}

// markRead marks an inbound message (and those before it) as read.
type markRead struct{ c *Connector }

func (a *markRead) Spec() connectors.ActionSpec {
	return connectors.ActionSpec{
		Name:        ActionMarkRead,
		Description: "Mark a received message as read (blue ticks), optionally showing a typing indicator.",
		Params: []connectors.ParamSpec{
			{Name: "message_id", Type: connectors.TypeString, Required: true, Description: "the received message's wamid", Example: "${{ event.data.message_id }}"},
			{Name: "typing", Type: connectors.TypeBool, Default: false, Description: "also show a typing indicator (up to 25 s)"},
		},
	}
}

func (a *markRead) RateLimitKey(map[string]any) string { return Name + ":" + a.c.cfg.PhoneNumberID }

func (a *markRead) Do(ctx context.Context, req connectors.Request) (connectors.Result, error) {
	id, _ := req.Params["message_id"].(string)
	typing, _ := req.Params["typing"].(bool)
	body, err := buildMarkRead(id, typing)
	if err != nil {
		return connectors.Result{}, asParamError(err)
	}
	var resp struct {
		Success bool `json:"success"`
	}
	if err := a.c.post(ctx, req, &outMessage{body: body}, &resp); err != nil {
		return connectors.Result{}, err
	}
	return connectors.Result{Output: map[string]any{"success": resp.Success}}, nil
}

func (a *markRead) SandboxResult(connectors.Request) connectors.Result {
	return connectors.Result{Output: map[string]any{"success": true, "sandbox": true}}
}

var (
	_ connectors.MessageSender    = (*sendText)(nil)
	_ connectors.MessageSender    = (*sendTemplate)(nil)
	_ connectors.MessageSender    = (*sendInteractive)(nil)
	_ connectors.SandboxResponder = (*sendTemplate)(nil)
	_ connectors.SandboxResponder = (*markRead)(nil)
)

// encode is json.Marshal without HTML escaping: a tracking link's "&" goes
// out as "&", as a person would write it.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
