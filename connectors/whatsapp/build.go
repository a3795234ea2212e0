package whatsapp

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Meta's limits on message content (contracts/meta.md §3.2, §3.4).
const (
	maxTextBody        = 4096
	maxButtonBody      = 1024
	maxButtons         = 3
	maxButtonTitle     = 20
	maxButtonID        = 256
	maxListButton      = 20
	maxSections        = 10
	maxRows            = 10
	maxSectionTitle    = 24
	maxRowID           = 200
	maxRowTitle        = 24
	maxRowDescription  = 72
	maxHeaderText      = 60
	maxFooterText      = 60
	maxCallbackPayload = 512
)

// paramError is a step parameter that cannot make a valid message; it
// names the parameter.
type paramError struct {
	param string
	msg   string
}

func (e *paramError) Error() string { return "whatsapp: parameter " + e.param + ": " + e.msg }

func badParam(param, format string, args ...any) error {
	return &paramError{param: param, msg: fmt.Sprintf(format, args...)}
}

// recipient normalizes a phone number or wa_id to Meta's digits-only form.
func recipient(to string) string {
	var b strings.Builder
	for _, r := range to {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// newMessage starts a message body.
func newMessage(to, typ string) map[string]any {
	return map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": typ}
}

// text renders a parameter value as the text Meta substitutes.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

func buildText(to, body string, previewURL bool, replyTo string) (map[string]any, error) {
	if strings.TrimSpace(body) == "" {
		return nil, badParam("body", "is empty")
	}
	if n := utf8.RuneCountInString(body); n > maxTextBody {
		return nil, badParam("body", "has %d characters; WhatsApp allows %d", n, maxTextBody)
	}
	m := newMessage(to, "text")
	m["text"] = map[string]any{"body": body, "preview_url": previewURL}
	if replyTo != "" {
		m["context"] = map[string]any{"message_id": replyTo}
	}
	return m, nil
}

// templateSend is a template message's inputs.
type templateSend struct {
	Name     string
	Language string
	Header   any
	Body     any // []any (positional) or map[string]any (named)
	Buttons  []any
}

// checkTemplate compares a send's parameters with the template's
// placeholders; the error names the parameter and both counts.
func checkTemplate(t *registeredTemplate, s templateSend) error {
	named := t.ParameterFormat == "NAMED"
	if err := checkParams("body", t.shape.bodyNames, s.Body, named); err != nil {
		return err
	}
	switch t.shape.headerFormat {
	case "", "TEXT":
		if err := checkParams("header", t.shape.headerNames, s.Header, named); err != nil {
			return err
		}
	default:
		if s.Header == nil {
			return badParam("header", "template %s has a %s header: give its link (or media id)", t.Name, strings.ToLower(t.shape.headerFormat))
		}
	}
	given := urlButtonParams(s.Buttons)
	for _, i := range slices.Sorted(maps.Keys(t.shape.urlButtons)) {
		if _, ok := given[i]; !ok {
			return badParam("buttons", "template %s's button %d is a URL with a placeholder: give its text (buttons: [{index: %d, text: ...}])", t.Name, i, i)
		}
	}
	for i := range given {
		if _, ok := t.shape.urlButtons[i]; !ok {
			return badParam("buttons", "template %s has no URL button with a placeholder at index %d", t.Name, i)
		}
	}
	return nil
}

func checkParams(param string, names []string, v any, named bool) error {
	switch x := v.(type) {
	case nil:
		if len(names) > 0 {
			return badParam(param, "the template expects %d parameter(s) (%s); the step gives none", len(names), placeholders(names))
		}
	case map[string]any:
		if !named {
			return badParam(param, "the template uses positional parameters (%s): give a list, not a map", placeholders(names))
		}
		for _, n := range names {
			if _, ok := x[n]; !ok {
				return badParam(param, "the template's parameter {{%s}} is missing", n)
			}
		}
		for k := range x {
			if !slices.Contains(names, k) {
				return badParam(param, "the template has no parameter {{%s}} (it has %s)", k, placeholders(names))
			}
		}
	case []any:
		if named {
			return badParam(param, "the template uses named parameters (%s): give a map", placeholders(names))
		}
		if len(x) != len(names) {
			return badParam(param, "the template expects %d parameter(s) (%s); the step gives %d", len(names), placeholders(names), len(x))
		}
	default:
		if len(names) != 1 {
			return badParam(param, "the template expects %d parameter(s) (%s); the step gives 1", len(names), placeholders(names))
		}
	}
	return nil
}

func placeholders(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = "{{" + n + "}}"
	}
	return strings.Join(parts, ", ")
}

// urlButtonParams maps a URL button's index to its text parameter.
func urlButtonParams(buttons []any) map[int]string {
	out := map[int]string{}
	for i, b := range buttons {
		switch x := b.(type) {
		case string:
			out[i] = x
		case map[string]any:
			sub := strings.ToLower(text(firstOf(x, "sub_type", "type")))
			if sub != "" && sub != "url" {
				continue
			}
			idx := i
			if v, ok := x["index"]; ok {
				if n, err := strconv.Atoi(text(v)); err == nil {
					idx = n
				}
			}
			out[idx] = text(x["text"])
		}
	}
	return out
}

func firstOf(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return nil
}

// textParams renders positional or named parameters in the template's order.
func textParams(names []string, v any, named bool) []any {
	var ps []any
	switch x := v.(type) {
	case nil:
	case map[string]any:
		for _, n := range names {
			ps = append(ps, map[string]any{"type": "text", "parameter_name": n, "text": text(x[n])})
		}
	case []any:
		for _, e := range x {
			ps = append(ps, map[string]any{"type": "text", "text": text(e)})
		}
	default:
		p := map[string]any{"type": "text", "text": text(x)}
		if named && len(names) == 1 {
			p["parameter_name"] = names[0]
		}
		ps = append(ps, p)
	}
	return ps
}

// buildTemplate renders a template send. t may be nil (the registry is not
// available: sandbox without credentials); the components then follow the
// step's parameters as given.
func buildTemplate(to string, t *registeredTemplate, s templateSend) (map[string]any, error) {
	if s.Name == "" {
		return nil, badParam("template", "is empty")
	}
	if s.Language == "" {
		return nil, badParam("language", "is empty")
	}
	sh := shape{urlButtons: map[int]int{}}
	named := false
	if t != nil {
		sh, named = t.shape, t.ParameterFormat == "NAMED"
	} else if m, ok := s.Body.(map[string]any); ok {
		named = true
		sh.bodyNames = slices.Sorted(maps.Keys(m))
	}
	var comps []any
	if s.Header != nil {
		var ps []any
		switch sh.headerFormat {
		case "IMAGE", "VIDEO", "DOCUMENT":
			typ := strings.ToLower(sh.headerFormat)
			ps = []any{map[string]any{"type": typ, typ: mediaRef(s.Header)}}
		case "LOCATION":
			ps = []any{map[string]any{"type": "location", "location": s.Header}}
		default:
			ps = textParams(sh.headerNames, s.Header, named)
		}
		comps = append(comps, map[string]any{"type": "header", "parameters": ps})
	}
	if ps := textParams(sh.bodyNames, s.Body, named); len(ps) > 0 {
		comps = append(comps, map[string]any{"type": "body", "parameters": ps})
	}
	for i, b := range s.Buttons {
		switch x := b.(type) {
		case string:
			comps = append(comps, map[string]any{"type": "button", "sub_type": "url", "index": strconv.Itoa(i),
				"parameters": []any{map[string]any{"type": "text", "text": x}}})
		case map[string]any:
			idx := i
			if v, ok := x["index"]; ok {
				n, err := strconv.Atoi(text(v))
				if err != nil || n < 0 || n > 9 {
					return nil, badParam("buttons", "button %d has index %q; want a number from 0", i, text(v))
				}
				idx = n
			}
			sub := strings.ToLower(text(firstOf(x, "sub_type", "type")))
			var p map[string]any
			switch sub {
			case "", "url":
				sub, p = "url", map[string]any{"type": "text", "text": text(x["text"])}
			case "quick_reply":
				p = map[string]any{"type": "payload", "payload": text(x["payload"])}
			case "copy_code":
				p = map[string]any{"type": "coupon_code", "coupon_code": text(firstOf(x, "coupon_code", "text"))}
			default:
				return nil, badParam("buttons", "button %d has sub_type %q; want url, quick_reply or copy_code", i, sub)
			}
			comps = append(comps, map[string]any{"type": "button", "sub_type": sub, "index": strconv.Itoa(idx), "parameters": []any{p}})
		default:
			return nil, badParam("buttons", "button %d is a %T; want a text or a map", i, b)
		}
	}
	tpl := map[string]any{"name": s.Name, "language": map[string]any{"code": s.Language}}
	if len(comps) > 0 {
		tpl["components"] = comps
	}
	m := newMessage(to, "template")
	m["template"] = tpl
	return m, nil
}

// mediaRef is {"link": url} for a string, else the map as given ({"id"} or
// {"link"}).
func mediaRef(v any) any {
	if s, ok := v.(string); ok {
		return map[string]any{"link": s}
	}
	return v
}

// interactiveSend is an interactive message's inputs.
type interactiveSend struct {
	Body, Header, Footer string
	Buttons              []any
	List                 map[string]any
}

func tooLong(param string, s string, limit int) error {
	if n := utf8.RuneCountInString(s); n > limit {
		return badParam(param, "has %d characters; WhatsApp allows %d", n, limit)
	}
	return nil
}

func buildInteractive(to string, s interactiveSend) (map[string]any, error) {
	if strings.TrimSpace(s.Body) == "" {
		return nil, badParam("body", "is empty")
	}
	in := map[string]any{"body": map[string]any{"text": s.Body}}
	if s.Header != "" {
		if err := tooLong("header", s.Header, maxHeaderText); err != nil {
			return nil, err
		}
		in["header"] = map[string]any{"type": "text", "text": s.Header}
	}
	if s.Footer != "" {
		if err := tooLong("footer", s.Footer, maxFooterText); err != nil {
			return nil, err
		}
		in["footer"] = map[string]any{"text": s.Footer}
	}
	switch {
	case len(s.Buttons) > 0 && s.List != nil:
		return nil, badParam("buttons", "give either buttons or list, not both")
	case len(s.Buttons) > 0:
		if err := tooLong("body", s.Body, maxButtonBody); err != nil {
			return nil, err
		}
		if len(s.Buttons) > maxButtons {
			return nil, badParam("buttons", "has %d buttons; WhatsApp allows %d (use list for more choices)", len(s.Buttons), maxButtons)
		}
		seen := map[string]bool{}
		bs := make([]any, 0, len(s.Buttons))
		for i, b := range s.Buttons {
			var id, title string
			switch x := b.(type) {
			case string:
				id, title = x, x
			case map[string]any:
				id, title = text(x["id"]), text(x["title"])
				if id == "" {
					id = title
				}
			default:
				return nil, badParam("buttons", "button %d is a %T; want a title or {id, title}", i, b)
			}
			switch {
			case title == "":
				return nil, badParam("buttons", "button %d has no title", i)
			case utf8.RuneCountInString(title) > maxButtonTitle:
				return nil, badParam("buttons", "button %d's title %q is longer than %d characters", i, title, maxButtonTitle)
			case len(id) > maxButtonID:
				return nil, badParam("buttons", "button %d's id is longer than %d characters", i, maxButtonID)
			case seen[title]:
				return nil, badParam("buttons", "button title %q appears twice; titles must be unique", title)
			}
			seen[title] = true
			bs = append(bs, map[string]any{"type": "reply", "reply": map[string]any{"id": id, "title": title}})
		}
		in["type"] = "button"
		in["action"] = map[string]any{"buttons": bs}
	case s.List != nil:
		if err := tooLong("body", s.Body, maxTextBody); err != nil {
			return nil, err
		}
		action, err := buildList(s.List)
		if err != nil {
			return nil, err
		}
		in["type"] = "list"
		in["action"] = action
	default:
		return nil, badParam("buttons", "give buttons (up to 3) or a list")
	}
	m := newMessage(to, "interactive")
	m["interactive"] = in
	return m, nil
}

func buildList(l map[string]any) (map[string]any, error) {
	button := text(l["button"])
	if button == "" {
		return nil, badParam("list.button", "is empty")
	}
	if err := tooLong("list.button", button, maxListButton); err != nil {
		return nil, err
	}
	sections, _ := l["sections"].([]any)
	if len(sections) == 0 || len(sections) > maxSections {
		return nil, badParam("list.sections", "has %d sections; want 1 to %d", len(sections), maxSections)
	}
	rows := 0
	out := make([]any, 0, len(sections))
	for i, sv := range sections {
		sec, ok := sv.(map[string]any)
		if !ok {
			return nil, badParam("list.sections", "section %d is a %T; want a map", i, sv)
		}
		title := text(sec["title"])
		if err := tooLong(fmt.Sprintf("list.sections[%d].title", i), title, maxSectionTitle); err != nil {
			return nil, err
		}
		if len(sections) > 1 && title == "" {
			return nil, badParam(fmt.Sprintf("list.sections[%d].title", i), "is required when there are several sections")
		}
		rs, _ := sec["rows"].([]any)
		if len(rs) == 0 {
			return nil, badParam(fmt.Sprintf("list.sections[%d].rows", i), "is empty")
		}
		outRows := make([]any, 0, len(rs))
		for j, rv := range rs {
			row, ok := rv.(map[string]any)
			if !ok {
				return nil, badParam(fmt.Sprintf("list.sections[%d].rows[%d]", i, j), "is a %T; want {id, title, description}", rv)
			}
			p := fmt.Sprintf("list.sections[%d].rows[%d]", i, j)
			id, title, desc := text(row["id"]), text(row["title"]), text(row["description"])
			if id == "" {
				id = title
			}
			switch {
			case title == "":
				return nil, badParam(p+".title", "is empty")
			case len(id) > maxRowID:
				return nil, badParam(p+".id", "is longer than %d characters", maxRowID)
			}
			if err := tooLong(p+".title", title, maxRowTitle); err != nil {
				return nil, err
			}
			if err := tooLong(p+".description", desc, maxRowDescription); err != nil {
				return nil, err
			}
			r := map[string]any{"id": id, "title": title}
			if desc != "" {
				r["description"] = desc
			}
			outRows = append(outRows, r)
		}
		rows += len(rs)
		s := map[string]any{"rows": outRows}
		if title != "" {
			s["title"] = title
		}
		out = append(out, s)
	}
	if rows > maxRows {
		return nil, badParam("list.sections", "has %d rows in all; WhatsApp allows %d", rows, maxRows)
	}
	return map[string]any{"button": button, "sections": out}, nil
}

func buildMarkRead(messageID string, typing bool) (map[string]any, error) {
	if messageID == "" {
		return nil, badParam("message_id", "is empty")
	}
	m := map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": messageID}
	if typing {
		m["typing_indicator"] = map[string]any{"type": "text"}
	}
	return m, nil
}
