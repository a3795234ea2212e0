package fake

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits from shared/contracts/meta.md §3.2 and §3.4, in characters.
const (
	maxTextBody        = 4096
	maxCaption         = 1024
	maxBizOpaque       = 512 // bytes
	maxButtonBody      = 1024
	maxListBody        = 4096
	maxHeaderText      = 60
	maxFooterText      = 60
	maxButtons         = 3
	maxButtonID        = 256
	maxButtonTitle     = 20
	maxListButton      = 20
	maxSections        = 10
	maxRows            = 10
	maxSectionTitle    = 24
	maxRowID           = 200
	maxRowTitle        = 24
	maxRowDescription  = 72
	maxCTADisplayText  = 20
	minPhoneDigits     = 5
	maxPhoneDigits     = 15
	messageTypeList    = "{AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO}"
	typeTemplate       = "template"
	defaultMessageType = "text"
)

// mediaTypes maps each media message type to whether it takes a caption.
var mediaTypes = map[string]bool{"image": true, "video": true, "document": true, "audio": false, "sticker": false}

// uncheckedInteractive are interactive types the fake accepts without
// looking past their type.
var uncheckedInteractive = map[string]bool{
	"flow": true, "product": true, "product_list": true, "catalog_message": true,
	"location_request_message": true, "address_message": true, "call_permission_request": true,
}

// sendRequest is a decoded send, checked for everything that does not
// depend on the server's state. err is the first content problem found; it
// is reported only after the rate limits have had their say.
type sendRequest struct {
	body      map[string]any
	to        string
	waID      string // the digits of to; "" when to is missing or not a number
	typ       string
	bizOpaque string
	tmplName  string
	tmplLang  string
	tmplComps []any
	err       *apiError
}

// parseSend reads and checks a send (anything but a mark-read) whose
// messaging_product has been checked. own is the business's display number.
func parseSend(m map[string]any, own string) sendRequest {
	req := sendRequest{body: m, typ: defaultMessageType}
	rawTo, hasTo := m["to"]
	req.to, _ = rawTo.(string)
	if d, ok := normalizeNumber(req.to); ok {
		req.waID = d
	}
	if t, ok := m["type"]; ok {
		req.typ = str(t)
	}
	req.err = req.check(hasTo, own)
	return req
}

func (req *sendRequest) check(hasTo bool, own string) *apiError {
	m := req.body
	if rt, ok := m["recipient_type"]; ok && str(rt) != "individual" && str(rt) != "group" {
		return invalid("recipient_type", "must be \"individual\", got %q", str(rt))
	}
	if !hasTo || req.to == "" {
		return required("to")
	}
	if req.waID == "" {
		return invalid("to", "%q is not a phone number", req.to)
	}
	if ownDigits, _ := normalizeNumber(own); req.waID == ownDigits {
		return newAPIError(CodeRecipientIsSender, "")
	}
	if v, ok := m["biz_opaque_callback_data"]; ok {
		s, isStr := v.(string)
		if !isStr {
			return invalid("biz_opaque_callback_data", "must be a string")
		}
		if len(s) > maxBizOpaque {
			return invalid("biz_opaque_callback_data", "must be at most %d bytes, got %d", maxBizOpaque, len(s))
		}
		req.bizOpaque = s
	}
	if v, ok := m["context"]; ok {
		c, isObj := v.(map[string]any)
		if !isObj {
			return invalid("context", "must be an object")
		}
		if id, _ := c["message_id"].(string); id == "" {
			return required("context.message_id")
		}
	}
	switch req.typ {
	case "text":
		return checkText(m["text"])
	case typeTemplate:
		return req.checkTemplate(m["template"])
	case "interactive":
		return checkInteractive(m["interactive"])
	case "image", "video", "document", "audio", "sticker":
		return checkMedia(req.typ, m[req.typ], mediaTypes[req.typ])
	case "location":
		return checkLocation("location", m["location"])
	case "reaction":
		return checkReaction(m["reaction"])
	case "contacts":
		return checkContacts(m["contacts"])
	}
	return newAPIError(CodeInvalidParameter, "Param type must be one of %s - got %q.", messageTypeList, req.typ)
}

// normalizeNumber strips '+', spaces, dashes, dots and parentheses from a
// phone number and reports whether what is left is 5 to 15 digits.
func normalizeNumber(s string) (string, bool) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return "", false
		}
	}
	d := b.String()
	return d, len(d) >= minPhoneDigits && len(d) <= maxPhoneDigits
}

func object(path string, v any) (map[string]any, *apiError) {
	if v == nil {
		return nil, required(path)
	}
	o, ok := v.(map[string]any)
	if !ok {
		return nil, invalid(path, "must be an object")
	}
	return o, nil
}

// textField reads o[key] as a string of at most maxLen characters.
func textField(o map[string]any, key, path string, maxLen int, mandatory bool) (string, *apiError) {
	v, ok := o[key]
	if !ok || v == nil {
		if mandatory {
			return "", required(path)
		}
		return "", nil
	}
	s, isStr := v.(string)
	if !isStr {
		return "", invalid(path, "must be a string")
	}
	if mandatory && s == "" {
		return "", required(path)
	}
	if n := utf8.RuneCountInString(s); n > maxLen {
		return "", invalid(path, "must be at most %d characters, got %d", maxLen, n)
	}
	return s, nil
}

func checkText(v any) *apiError {
	o, err := object("text", v)
	if err != nil {
		return err
	}
	if _, err := textField(o, "body", "text.body", maxTextBody, true); err != nil {
		return err
	}
	if p, ok := o["preview_url"]; ok {
		if _, isBool := p.(bool); !isBool {
			return invalid("text.preview_url", "must be a boolean")
		}
	}
	return nil
}

func (req *sendRequest) checkTemplate(v any) *apiError {
	o, err := object("template", v)
	if err != nil {
		return err
	}
	name, err := textField(o, "name", "template.name", 512, true)
	if err != nil {
		return err
	}
	lang, err := object("template.language", o["language"])
	if err != nil {
		return err
	}
	code, err := textField(lang, "code", "template.language.code", 16, true)
	if err != nil {
		return err
	}
	req.tmplName, req.tmplLang = name, code
	if c, ok := o["components"]; ok && c != nil {
		list, isList := c.([]any)
		if !isList {
			return invalid("template.components", "must be an array")
		}
		req.tmplComps = list
	}
	return nil
}

// checkMedia checks a media object: exactly one of link (an http(s) URL) or
// id, and a caption only where one is allowed.
func checkMedia(path string, v any, captionAllowed bool) *apiError {
	o, err := object(path, v)
	if err != nil {
		return err
	}
	link, id := str(o["link"]), str(o["id"])
	switch {
	case link == "" && id == "":
		return required(path + ".link or " + path + ".id")
	case link != "" && id != "":
		return invalid(path, "give link or id, not both")
	case link != "":
		u, perr := url.Parse(link)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalid(path+".link", "must be an http(s) URL, got %q", link)
		}
	}
	if _, ok := o["caption"]; ok {
		if !captionAllowed {
			return invalid(path+".caption", "this media type takes no caption")
		}
		if _, err := textField(o, "caption", path+".caption", maxCaption, false); err != nil {
			return err
		}
	}
	return nil
}

func checkLocation(path string, v any) *apiError {
	o, err := object(path, v)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		key   string
		limit float64
	}{{"latitude", 90}, {"longitude", 180}} {
		raw, ok := o[f.key]
		if !ok || raw == nil {
			return required(path + "." + f.key)
		}
		x, perr := strconv.ParseFloat(str(raw), 64)
		if perr != nil {
			return invalid(path+"."+f.key, "must be a number")
		}
		if x < -f.limit || x > f.limit {
			return invalid(path+"."+f.key, "must be between %v and %v, got %v", -f.limit, f.limit, x)
		}
	}
	return nil
}

func checkReaction(v any) *apiError {
	o, err := object("reaction", v)
	if err != nil {
		return err
	}
	if id, _ := o["message_id"].(string); id == "" {
		return required("reaction.message_id")
	}
	if _, ok := o["emoji"].(string); !ok {
		return required("reaction.emoji")
	}
	return nil
}

func checkContacts(v any) *apiError {
	list, ok := v.([]any)
	if v == nil || (ok && len(list) == 0) {
		return required("contacts")
	}
	if !ok {
		return invalid("contacts", "must be an array")
	}
	for i, c := range list {
		path := fmt.Sprintf("contacts[%d]", i)
		o, err := object(path, c)
		if err != nil {
			return err
		}
		name, err := object(path+".name", o["name"])
		if err != nil {
			return err
		}
		if _, err := textField(name, "formatted_name", path+".name.formatted_name", 1024, true); err != nil {
			return err
		}
	}
	return nil
}

func checkInteractive(v any) *apiError {
	o, err := object("interactive", v)
	if err != nil {
		return err
	}
	typ := str(o["type"])
	if typ == "" {
		return required("interactive.type")
	}
	if uncheckedInteractive[typ] {
		return nil
	}
	var bodyMax int
	switch typ {
	case "button", "cta_url":
		bodyMax = maxButtonBody
	case "list":
		bodyMax = maxListBody
	default:
		return invalid("interactive.type", "unsupported interactive type %q", typ)
	}
	body, err := object("interactive.body", o["body"])
	if err != nil {
		return err
	}
	if _, err := textField(body, "text", "interactive.body.text", bodyMax, true); err != nil {
		return err
	}
	if err := checkInteractiveHeader(o["header"], typ != "list"); err != nil {
		return err
	}
	if f, ok := o["footer"]; ok {
		footer, err := object("interactive.footer", f)
		if err != nil {
			return err
		}
		if _, err := textField(footer, "text", "interactive.footer.text", maxFooterText, true); err != nil {
			return err
		}
	}
	action, err := object("interactive.action", o["action"])
	if err != nil {
		return err
	}
	switch typ {
	case "button":
		return checkReplyButtons(action)
	case "list":
		return checkListAction(action)
	}
	return checkCTAURL(action)
}

func checkInteractiveHeader(v any, allowMedia bool) *apiError {
	if v == nil {
		return nil
	}
	h, err := object("interactive.header", v)
	if err != nil {
		return err
	}
	typ := str(h["type"])
	switch typ {
	case "":
		return required("interactive.header.type")
	case "text":
		_, err := textField(h, "text", "interactive.header.text", maxHeaderText, true)
		return err
	case "image", "video", "document":
		if allowMedia {
			return checkMedia("interactive.header."+typ, h[typ], false)
		}
	}
	return invalid("interactive.header.type", "header type %q is not allowed here", typ)
}

func checkReplyButtons(action map[string]any) *apiError {
	list, ok := action["buttons"].([]any)
	if !ok {
		return required("interactive.action.buttons")
	}
	if len(list) < 1 || len(list) > maxButtons {
		return invalid("interactive.action.buttons", "must hold 1 to %d buttons, got %d", maxButtons, len(list))
	}
	ids, titles := map[string]bool{}, map[string]bool{}
	for i, b := range list {
		path := fmt.Sprintf("interactive.action.buttons[%d]", i)
		bo, err := object(path, b)
		if err != nil {
			return err
		}
		if t := str(bo["type"]); t != "reply" {
			if t == "" {
				return required(path + ".type")
			}
			return invalid(path+".type", "must be \"reply\", got %q", t)
		}
		reply, err := object(path+".reply", bo["reply"])
		if err != nil {
			return err
		}
		id, err := textField(reply, "id", path+".reply.id", maxButtonID, true)
		if err != nil {
			return err
		}
		title, err := textField(reply, "title", path+".reply.title", maxButtonTitle, true)
		if err != nil {
			return err
		}
		if ids[id] {
			return invalid(path+".reply.id", "duplicate button id %q", id)
		}
		if titles[title] {
			return invalid(path+".reply.title", "duplicate button title %q: titles must be unique", title)
		}
		ids[id], titles[title] = true, true
	}
	return nil
}

func checkListAction(action map[string]any) *apiError {
	if _, err := textField(action, "button", "interactive.action.button", maxListButton, true); err != nil {
		return err
	}
	sections, ok := action["sections"].([]any)
	if !ok {
		return required("interactive.action.sections")
	}
	if len(sections) < 1 || len(sections) > maxSections {
		return invalid("interactive.action.sections", "must hold 1 to %d sections, got %d", maxSections, len(sections))
	}
	rowIDs := map[string]bool{}
	total := 0
	for i, s := range sections {
		path := fmt.Sprintf("interactive.action.sections[%d]", i)
		so, err := object(path, s)
		if err != nil {
			return err
		}
		if _, err := textField(so, "title", path+".title", maxSectionTitle, len(sections) > 1); err != nil {
			return err
		}
		rows, ok := so["rows"].([]any)
		if !ok || len(rows) == 0 {
			return required(path + ".rows")
		}
		total += len(rows)
		if total > maxRows {
			return invalid("interactive.action.sections", "must hold at most %d rows in all, got %d or more", maxRows, total)
		}
		for j, r := range rows {
			rpath := fmt.Sprintf("%s.rows[%d]", path, j)
			ro, err := object(rpath, r)
			if err != nil {
				return err
			}
			id, err := textField(ro, "id", rpath+".id", maxRowID, true)
			if err != nil {
				return err
			}
			if rowIDs[id] {
				return invalid(rpath+".id", "duplicate row id %q", id)
			}
			rowIDs[id] = true
			if _, err := textField(ro, "title", rpath+".title", maxRowTitle, true); err != nil {
				return err
			}
			if _, err := textField(ro, "description", rpath+".description", maxRowDescription, false); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkCTAURL(action map[string]any) *apiError {
	if n := str(action["name"]); n != "cta_url" {
		return invalid("interactive.action.name", "must be \"cta_url\", got %q", n)
	}
	p, err := object("interactive.action.parameters", action["parameters"])
	if err != nil {
		return err
	}
	if _, err := textField(p, "display_text", "interactive.action.parameters.display_text", maxCTADisplayText, true); err != nil {
		return err
	}
	link, err := textField(p, "url", "interactive.action.parameters.url", 2000, true)
	if err != nil {
		return err
	}
	if u, perr := url.Parse(link); perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid("interactive.action.parameters.url", "must be an http(s) URL, got %q", link)
	}
	return nil
}
