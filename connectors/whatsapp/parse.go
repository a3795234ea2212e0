package whatsapp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/event"
)

// ObjectType is the webhook `object` of WhatsApp Business Account deliveries.
const ObjectType = "whatsapp_business_account"

// Non-canonical event types this connector emits (stored, matchable as
// "whatsapp/<type>").
const (
	TypeError = "whatsapp.error"
	// Other change fields become "whatsapp.<field>".
	typePrefix = "whatsapp."
)

// flexString accepts a JSON string or number (Meta sends ids and timestamps
// as strings in some places and as numbers in others) and null.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*f = ""
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

type envelope struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      flexString        `json:"id"`
		Time    flexString        `json:"time"`
		Changes []json.RawMessage `json:"changes"`
	} `json:"entry"`
}

type change struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

type metadata struct {
	DisplayPhoneNumber flexString `json:"display_phone_number"`
	PhoneNumberID      flexString `json:"phone_number_id"`
}

type waContact struct {
	Profile struct {
		Name     string `json:"name"`
		Username string `json:"username"`
	} `json:"profile"`
	WaID   flexString `json:"wa_id"`
	UserID string     `json:"user_id"`
}

type messagesValue struct {
	Metadata        metadata          `json:"metadata"`
	Contacts        []waContact       `json:"contacts"`
	Messages        []json.RawMessage `json:"messages"`
	Statuses        []json.RawMessage `json:"statuses"`
	Errors          []json.RawMessage `json:"errors"`
	UserPreferences []json.RawMessage `json:"user_preferences"`
}

type waError struct {
	Code      flexString `json:"code"`
	Title     string     `json:"title"`
	Message   string     `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
	Href string `json:"href"`
}

type media struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Animated *bool  `json:"animated"`
	Voice    *bool  `json:"voice"`
}

type message struct {
	From      flexString `json:"from"`
	ID        string     `json:"id"`
	Timestamp flexString `json:"timestamp"`
	Type      string     `json:"type"`
	Context   *struct {
		From flexString `json:"from"`
		ID   string     `json:"id"`
	} `json:"context"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Button *struct {
		Text    string `json:"text"`
		Payload string `json:"payload"`
	} `json:"button"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID          string `json:"id"`
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Image    *media `json:"image"`
	Audio    *media `json:"audio"`
	Video    *media `json:"video"`
	Document *media `json:"document"`
	Sticker  *media `json:"sticker"`
	Location *struct {
		Latitude  *float64 `json:"latitude"`
		Longitude *float64 `json:"longitude"`
		Name      string   `json:"name"`
		Address   string   `json:"address"`
		URL       string   `json:"url"`
	} `json:"location"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	System *struct {
		Body     string     `json:"body"`
		Type     string     `json:"type"`
		NewWaID  flexString `json:"new_wa_id"`
		Customer flexString `json:"customer"`
		WaID     flexString `json:"wa_id"`
	} `json:"system"`
	Errors []waError `json:"errors"`
}

type status struct {
	ID                    string          `json:"id"`
	Status                string          `json:"status"`
	Timestamp             flexString      `json:"timestamp"`
	RecipientID           flexString      `json:"recipient_id"`
	RecipientUserID       string          `json:"recipient_user_id"`
	Conversation          json.RawMessage `json:"conversation"`
	Pricing               json.RawMessage `json:"pricing"`
	BizOpaqueCallbackData string          `json:"biz_opaque_callback_data"`
	Errors                []waError       `json:"errors"`
}

type templateStatus struct {
	Event                   string          `json:"event"`
	MessageTemplateID       flexString      `json:"message_template_id"`
	MessageTemplateName     string          `json:"message_template_name"`
	MessageTemplateLanguage string          `json:"message_template_language"`
	Reason                  *string         `json:"reason"`
	MessageTemplateCategory string          `json:"message_template_category"`
	DisableInfo             json.RawMessage `json:"disable_info"`
	OtherInfo               json.RawMessage `json:"other_info"`
}

type userPreference struct {
	WaID      flexString `json:"wa_id"`
	Detail    string     `json:"detail"`
	Category  string     `json:"category"`
	Value     string     `json:"value"`
	Timestamp flexString `json:"timestamp"`
}

func unparseable(format string, args ...any) error {
	return fmt.Errorf("whatsapp: "+format+": %w", append(args, connectors.ErrUnparseable)...)
}

// Parse turns a verified whatsapp_business_account delivery into events, one
// per message, status, template update, preference change, error block or
// other change. Each event's Raw is the JSON of its change.
func (c *Connector) Parse(_ http.Header, body []byte) ([]event.Event, error) {
	return parse(body)
}

func parse(body []byte) ([]event.Event, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, unparseable("decoding the webhook body: %v", err)
	}
	if env.Object != ObjectType {
		return nil, unparseable("webhook object is %q, want %q", env.Object, ObjectType)
	}
	var out []event.Event
	for ei, entry := range env.Entry {
		entryTime := parseUnix(string(entry.Time))
		for ci, raw := range entry.Changes {
			var ch change
			if err := json.Unmarshal(raw, &ch); err != nil {
				return nil, unparseable("entry[%d].changes[%d]: %v", ei, ci, err)
			}
			p := changeParser{raw: raw, field: ch.Field, value: ch.Value, wabaID: string(entry.ID), entryTime: entryTime, entryTimeRaw: string(entry.Time)}
			evs, err := p.parse()
			if err != nil {
				return nil, unparseable("entry[%d].changes[%d] (field %q): %v", ei, ci, ch.Field, err)
			}
			out = append(out, evs...)
		}
	}
	return out, nil
}

type changeParser struct {
	raw          json.RawMessage
	field        string
	value        json.RawMessage
	wabaID       string
	entryTime    time.Time
	entryTimeRaw string
}

func (p changeParser) hash() string {
	sum := sha256.Sum256(p.raw)
	return hex.EncodeToString(sum[:])
}

func (p changeParser) newEvent(typ, dedup string, t time.Time, data map[string]any) event.Event {
	if t.IsZero() {
		t = p.entryTime
	}
	if data == nil {
		data = map[string]any{}
	}
	if p.wabaID != "" {
		data["waba_id"] = p.wabaID
	}
	return event.Event{
		Source:   Name,
		Type:     typ,
		Time:     t,
		DedupKey: dedup,
		Data:     data,
		Raw:      append(json.RawMessage(nil), p.raw...),
	}
}

func (p changeParser) parse() ([]event.Event, error) {
	if v := bytes.TrimSpace(p.value); len(v) == 0 || v[0] != '{' {
		// No value object to read: keep the change as it is.
		return []event.Event{p.generic()}, nil
	}
	switch p.field {
	case "messages":
		return p.messages()
	case "message_template_status_update":
		return p.templateStatus()
	case "user_preferences":
		return p.userPreferences()
	}
	return []event.Event{p.generic()}, nil
}

// generic stores a change this connector has no mapping for.
func (p changeParser) generic() event.Event {
	data := map[string]any{"field": p.field}
	if v := decodeAny(p.value); v != nil {
		data["value"] = v
	}
	return p.newEvent(typePrefix+sanitizeField(p.field), p.hash(), time.Time{}, data)
}

func (p changeParser) messages() ([]event.Event, error) {
	var v messagesValue
	if err := json.Unmarshal(p.value, &v); err != nil {
		return nil, err
	}
	names := map[string]waContact{}
	for _, ct := range v.Contacts {
		if ct.WaID != "" {
			names[string(ct.WaID)] = ct
		}
	}
	var out []event.Event
	for i, raw := range v.Messages {
		ev, err := p.message(i, raw, v.Metadata, names)
		if err != nil {
			return nil, fmt.Errorf("messages[%d]: %v", i, err)
		}
		out = append(out, ev)
	}
	for i, raw := range v.Statuses {
		ev, err := p.status(i, raw, v.Metadata)
		if err != nil {
			return nil, fmt.Errorf("statuses[%d]: %v", i, err)
		}
		out = append(out, ev)
	}
	if len(v.Errors) > 0 {
		errs := make([]any, 0, len(v.Errors))
		for i, raw := range v.Errors {
			var e waError
			if err := json.Unmarshal(raw, &e); err != nil {
				return nil, fmt.Errorf("errors[%d]: %v", i, err)
			}
			errs = append(errs, e.data())
		}
		data := map[string]any{"errors": errs}
		addMetadata(data, v.Metadata)
		out = append(out, p.newEvent(TypeError, p.hash(), time.Time{}, data))
	}
	if len(out) == 0 {
		// A messages change with nothing we recognise: keep it.
		out = append(out, p.generic())
	}
	return out, nil
}

func addMetadata(data map[string]any, md metadata) {
	if md.PhoneNumberID != "" {
		data["phone_number_id"] = string(md.PhoneNumberID)
	}
	if md.DisplayPhoneNumber != "" {
		data["display_phone_number"] = string(md.DisplayPhoneNumber)
	}
}

func (e waError) data() map[string]any {
	d := map[string]any{"code": codeValue(string(e.Code)), "title": e.Title, "message": e.Message}
	if e.ErrorData.Details != "" {
		d["details"] = e.ErrorData.Details
	}
	if e.Href != "" {
		d["href"] = e.Href
	}
	return d
}

// codeValue returns an error code as an int64 when it is one.
func codeValue(s string) any {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return s
}

func (p changeParser) message(i int, raw json.RawMessage, md metadata, names map[string]waContact) (event.Event, error) {
	var m message
	if err := json.Unmarshal(raw, &m); err != nil {
		return event.Event{}, err
	}
	t := parseUnix(string(m.Timestamp))
	waID := string(m.From)
	data := map[string]any{
		"message_id": m.ID,
		"wa_id":      waID,
		"type":       m.Type,
	}
	addMetadata(data, md)
	contact := &event.ContactRef{ProviderIDs: map[string]string{}}
	if waID != "" {
		contact.Phone = "+" + waID
		contact.ProviderIDs[Name] = waID
	}
	if ct, ok := names[waID]; ok && waID != "" {
		if ct.Profile.Name != "" {
			contact.FirstName = ct.Profile.Name
			data["profile_name"] = ct.Profile.Name
		}
		if ct.UserID != "" {
			contact.ProviderIDs[Name+"_bsuid"] = ct.UserID
			data["user_id"] = ct.UserID
		}
		if ct.Profile.Username != "" {
			data["username"] = ct.Profile.Username
		}
	}
	if len(contact.ProviderIDs) == 0 {
		contact.ProviderIDs = nil
	}
	if m.Context != nil && m.Context.ID != "" {
		data["context_id"] = m.Context.ID
		if m.Context.From != "" {
			data["context_from"] = string(m.Context.From)
		}
	}
	var text, replyID string
	known := true
	switch m.Type {
	case "text":
		if m.Text != nil {
			text = m.Text.Body
		}
	case "button":
		if m.Button != nil {
			text, replyID = m.Button.Text, m.Button.Payload
		}
	case "interactive":
		switch {
		case m.Interactive == nil:
		case m.Interactive.ButtonReply != nil:
			text, replyID = m.Interactive.ButtonReply.Title, m.Interactive.ButtonReply.ID
		case m.Interactive.ListReply != nil:
			text, replyID = m.Interactive.ListReply.Title, m.Interactive.ListReply.ID
			if m.Interactive.ListReply.Description != "" {
				data["reply_description"] = m.Interactive.ListReply.Description
			}
		default:
			known = false // e.g. nfm_reply (flows): keep the raw object
		}
		if m.Interactive != nil {
			data["interactive_type"] = m.Interactive.Type
		}
	case "image", "audio", "video", "document", "sticker":
		md := map[string]*media{"image": m.Image, "audio": m.Audio, "video": m.Video, "document": m.Document, "sticker": m.Sticker}[m.Type]
		if md != nil {
			text = md.Caption
			mm := map[string]any{"id": md.ID, "mime_type": md.MimeType}
			if md.SHA256 != "" {
				mm["sha256"] = md.SHA256
			}
			if md.Filename != "" {
				mm["filename"] = md.Filename
			}
			if md.Animated != nil {
				mm["animated"] = *md.Animated
			}
			if md.Voice != nil {
				mm["voice"] = *md.Voice
			}
			data["media"] = mm
		}
	case "location":
		if l := m.Location; l != nil {
			loc := map[string]any{"name": l.Name, "address": l.Address}
			if l.Latitude != nil {
				loc["latitude"] = *l.Latitude
			}
			if l.Longitude != nil {
				loc["longitude"] = *l.Longitude
			}
			if l.URL != "" {
				loc["url"] = l.URL
			}
			data["location"] = loc
		}
	case "contacts":
		var mm map[string]any
		if json.Unmarshal(raw, &mm) == nil && mm["contacts"] != nil {
			data["contacts"] = mm["contacts"]
		}
	case "reaction":
		if m.Reaction != nil {
			text = m.Reaction.Emoji
			data["reaction"] = map[string]any{"message_id": m.Reaction.MessageID, "emoji": m.Reaction.Emoji}
		}
	case "system":
		if s := m.System; s != nil {
			text = s.Body
			sys := map[string]any{"type": s.Type, "body": s.Body}
			if s.NewWaID != "" {
				sys["new_wa_id"] = string(s.NewWaID)
			}
			if s.Customer != "" {
				sys["customer"] = string(s.Customer)
			}
			if s.WaID != "" {
				sys["wa_id"] = string(s.WaID)
			}
			data["system"] = sys
		}
	default:
		known = false
	}
	if !known {
		// Unknown or unsupported type: keep the whole message object.
		if v := decodeAny(raw); v != nil {
			data["raw"] = v
		}
	}
	if text != "" {
		data["text"] = text
	}
	if replyID != "" {
		data["reply_id"] = replyID
	}
	if len(m.Errors) > 0 {
		errs := make([]any, 0, len(m.Errors))
		for _, e := range m.Errors {
			errs = append(errs, e.data())
		}
		data["errors"] = errs
	}
	// A system notice (e.g. "user changed number") is not something the
	// person sent, so it does not open the customer-service window.
	if m.Type != "system" && !t.IsZero() && waID != "" {
		at := t
		contact.InboundAt = &at
	}
	if contact.Phone == "" && contact.ProviderIDs == nil {
		contact = nil
	}
	dedup := m.ID
	if dedup == "" {
		dedup = p.hash() + ":message:" + strconv.Itoa(i)
	}
	ev := p.newEvent(event.MessageReceived, dedup, t, data)
	ev.Contact = contact
	return ev, nil
}

func (p changeParser) status(i int, raw json.RawMessage, md metadata) (event.Event, error) {
	var s status
	if err := json.Unmarshal(raw, &s); err != nil {
		return event.Event{}, err
	}
	rid := string(s.RecipientID)
	data := map[string]any{
		"message_id":   s.ID,
		"status":       s.Status,
		"recipient_id": rid,
		"timestamp":    string(s.Timestamp),
	}
	addMetadata(data, md)
	if v := decodeAny(s.Conversation); v != nil {
		data["conversation"] = v
	}
	if v := decodeAny(s.Pricing); v != nil {
		data["pricing"] = v
	}
	if s.BizOpaqueCallbackData != "" {
		data["biz_opaque_callback_data"] = s.BizOpaqueCallbackData
	}
	if s.RecipientUserID != "" {
		data["recipient_user_id"] = s.RecipientUserID
	}
	if len(s.Errors) > 0 {
		errs := make([]any, 0, len(s.Errors))
		for _, e := range s.Errors {
			errs = append(errs, e.data())
		}
		data["errors"] = errs
	}
	var contact *event.ContactRef
	if rid != "" || s.RecipientUserID != "" {
		contact = &event.ContactRef{ProviderIDs: map[string]string{}}
		if rid != "" {
			contact.Phone = "+" + rid
			contact.ProviderIDs[Name] = rid
		}
		if s.RecipientUserID != "" {
			contact.ProviderIDs[Name+"_bsuid"] = s.RecipientUserID
		}
	}
	dedup := s.ID + ":" + s.Status
	if s.ID == "" {
		dedup = p.hash() + ":status:" + strconv.Itoa(i)
	}
	ev := p.newEvent(event.MessageStatus, dedup, parseUnix(string(s.Timestamp)), data)
	ev.Contact = contact
	return ev, nil
}

func (p changeParser) templateStatus() ([]event.Event, error) {
	var v templateStatus
	if err := json.Unmarshal(p.value, &v); err != nil {
		return nil, err
	}
	data := map[string]any{
		"event":                     v.Event,
		"message_template_id":       string(v.MessageTemplateID),
		"message_template_name":     v.MessageTemplateName,
		"message_template_language": v.MessageTemplateLanguage,
		"reason":                    "",
	}
	if v.Reason != nil {
		data["reason"] = *v.Reason
	}
	if v.MessageTemplateCategory != "" {
		data["message_template_category"] = v.MessageTemplateCategory
	}
	if d := decodeAny(v.DisableInfo); d != nil {
		data["disable_info"] = d
	}
	if d := decodeAny(v.OtherInfo); d != nil {
		data["other_info"] = d
	}
	dedup := "template:" + string(v.MessageTemplateID) + ":" + v.Event + ":" + p.entryTimeRaw
	if v.MessageTemplateID == "" || p.entryTimeRaw == "" {
		// Without an id or a time the key would collide across updates.
		dedup = p.hash()
	}
	return []event.Event{p.newEvent(event.TemplateStatusChanged, dedup, time.Time{}, data)}, nil
}

func (p changeParser) userPreferences() ([]event.Event, error) {
	var v messagesValue
	if err := json.Unmarshal(p.value, &v); err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, ct := range v.Contacts {
		names[string(ct.WaID)] = ct.Profile.Name
	}
	var out []event.Event
	for i, raw := range v.UserPreferences {
		var up userPreference
		if err := json.Unmarshal(raw, &up); err != nil {
			return nil, fmt.Errorf("user_preferences[%d]: %v", i, err)
		}
		waID := string(up.WaID)
		t := parseUnix(string(up.Timestamp))
		var st string
		switch strings.ToLower(up.Value) {
		case "stop":
			st = "opted_out"
		case "resume":
			st = "opted_in"
		}
		purpose := up.Category
		if up.Category == "marketing_messages" || up.Category == "" {
			purpose = "marketing"
		}
		data := map[string]any{
			"channel":  Name,
			"purpose":  purpose,
			"wa_id":    waID,
			"evidence": "whatsapp user_preferences webhook",
			"value":    up.Value,
			"category": up.Category,
			"detail":   up.Detail,
		}
		addMetadata(data, v.Metadata)
		typ := event.ConsentChanged
		if st == "" {
			// An unknown preference value must not be read as consent either way.
			typ = typePrefix + "user_preferences"
		} else {
			data["status"] = st
		}
		if up.Timestamp != "" {
			data["timestamp"] = string(up.Timestamp)
		}
		dedup := "user_preferences:" + waID + ":" + up.Category + ":" + up.Value + ":" + string(up.Timestamp)
		if waID == "" || up.Timestamp == "" {
			dedup = p.hash() + ":user_preferences:" + strconv.Itoa(i)
		}
		ev := p.newEvent(typ, dedup, t, data)
		if waID != "" {
			ev.Contact = &event.ContactRef{Phone: "+" + waID, FirstName: names[waID], ProviderIDs: map[string]string{Name: waID}}
		}
		out = append(out, ev)
	}
	if len(out) == 0 {
		out = append(out, p.generic())
	}
	return out, nil
}

// parseUnix reads a string of Unix seconds; anything else gives the zero time.
func parseUnix(s string) time.Time {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

func decodeAny(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	return v
}

// sanitizeField makes a change field safe as part of an event type.
func sanitizeField(f string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(f) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 64 {
			break
		}
	}
	if b.Len() == 0 {
		return "unknown"
	}
	return b.String()
}
