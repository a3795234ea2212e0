package fake

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Template is a message template as the management API lists it
// (shared/contracts/meta.md §3.9).
type Template struct {
	// ID is assigned when empty.
	ID       string
	Name     string
	Language string
	// Category is MARKETING, UTILITY or AUTHENTICATION.
	Category string
	// Status is APPROVED, PENDING, REJECTED, PAUSED, DISABLED, IN_APPEAL,
	// PENDING_DELETION, ... Only APPROVED templates can be sent.
	Status string
	// ParameterFormat is "POSITIONAL" ({{1}}, {{2}}; the default) or "NAMED"
	// ({{customer_name}}).
	ParameterFormat string
	// Components is Meta's list shape, with upper-case types:
	//
	//	{"type":"HEADER","format":"TEXT","text":"Order {{1}}"}
	//	{"type":"HEADER","format":"IMAGE"}
	//	{"type":"BODY","text":"Hi {{1}}, your order {{2}} shipped"}
	//	{"type":"FOOTER","text":"Reply STOP to opt out"}
	//	{"type":"BUTTONS","buttons":[{"type":"URL","text":"Track","url":"https://x/{{1}}"},{"type":"QUICK_REPLY","text":"Stop"}]}
	//
	// The fake does not modify the maps; the caller must not either once the
	// template is handed over.
	Components []map[string]any
}

const (
	formatPositional = "POSITIONAL"
	formatNamed      = "NAMED"
	statusApproved   = "APPROVED"
	statusPaused     = "PAUSED"
	statusDisabled   = "DISABLED"
)

// placeholderRE finds {{1}} and {{customer_name}}.
var placeholderRE = regexp.MustCompile(`\{\{\s*([^{}\s]+)\s*\}\}`)

// placeholders lists the distinct placeholder names of text, in order of
// first appearance.
func placeholders(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// tmplSpec is a template with what a send must supply worked out once.
type tmplSpec struct {
	t            Template
	named        bool
	header       *headerSpec // nil: no HEADER component
	body         []string    // BODY placeholders
	buttons      []buttonSpec
	templateJSON templateJSON
}

type headerSpec struct {
	format string // TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION
	params []string
}

type buttonSpec struct {
	typ    string   // URL, QUICK_REPLY, COPY_CODE, PHONE_NUMBER, FLOW, ...
	params []string // URL placeholders; one "coupon_code" for COPY_CODE
}

func newTmplSpec(t Template) *tmplSpec {
	if t.ParameterFormat == "" {
		t.ParameterFormat = formatPositional
	}
	sp := &tmplSpec{t: t, named: strings.EqualFold(t.ParameterFormat, formatNamed)}
	for _, c := range t.Components {
		switch strings.ToUpper(str(c["type"])) {
		case "HEADER":
			f := strings.ToUpper(str(c["format"]))
			if f == "" {
				f = "TEXT"
			}
			h := &headerSpec{format: f}
			if f == "TEXT" {
				h.params = placeholders(str(c["text"]))
			} else {
				h.params = []string{strings.ToLower(f)}
			}
			sp.header = h
		case "BODY":
			sp.body = placeholders(str(c["text"]))
		case "BUTTONS":
			for _, b := range objects(c["buttons"]) {
				bs := buttonSpec{typ: strings.ToUpper(str(b["type"]))}
				switch bs.typ {
				case "URL":
					bs.params = placeholders(str(b["url"]))
				case "COPY_CODE":
					bs.params = []string{"coupon_code"}
				}
				sp.buttons = append(sp.buttons, bs)
			}
		}
	}
	comps := t.Components
	if comps == nil {
		comps = []map[string]any{}
	}
	sp.templateJSON = templateJSON{
		Name:            t.Name,
		ParameterFormat: strings.ToUpper(t.ParameterFormat),
		Components:      comps,
		Language:        t.Language,
		Status:          t.Status,
		Category:        t.Category,
		ID:              t.ID,
	}
	return sp
}

// sendable checks the template's status: only APPROVED can be sent.
func (sp *tmplSpec) sendable() *apiError {
	switch strings.ToUpper(sp.t.Status) {
	case statusApproved:
		return nil
	case statusPaused:
		return newAPIError(CodeTemplatePaused, "template %s (%s) is paused", sp.t.Name, sp.t.Language)
	case statusDisabled:
		return newAPIError(CodeTemplateDisabled, "template %s (%s) is disabled", sp.t.Name, sp.t.Language)
	}
	return newAPIError(CodeTemplateMissing, "template name (%s) is not approved in %s (status %s)", sp.t.Name, sp.t.Language, sp.t.Status)
}

// check compares a send's template.components with the template: every
// placeholder of the HEADER, the BODY and each URL (or COPY_CODE) button
// needs exactly one parameter, of the right type; NAMED templates name each
// parameter after its placeholder.
func (sp *tmplSpec) check(comps []any) *apiError {
	var sawHeader, sawBody bool
	sawButton := map[int]bool{}
	for i, raw := range comps {
		path := fmt.Sprintf("template.components[%d]", i)
		c, ok := raw.(map[string]any)
		if !ok {
			return invalid(path, "must be an object")
		}
		params, perr := paramList(c, path)
		if perr != nil {
			return perr
		}
		typ := strings.ToLower(str(c["type"]))
		switch typ {
		case "":
			return required(path + ".type")
		case "header":
			if sawHeader {
				return invalid(path+".type", "more than one header component")
			}
			sawHeader = true
			var want []string
			format := ""
			if sp.header != nil {
				want, format = sp.header.params, sp.header.format
			}
			if err := sp.checkParams(path, "header", format, want, params); err != nil {
				return err
			}
		case "body":
			if sawBody {
				return invalid(path+".type", "more than one body component")
			}
			sawBody = true
			if err := sp.checkParams(path, "body", "TEXT", sp.body, params); err != nil {
				return err
			}
		case "button":
			idx, err := sp.checkButton(path, c, params)
			if err != nil {
				return err
			}
			if sawButton[idx] {
				return invalid(path+".index", "more than one component for button %d", idx)
			}
			sawButton[idx] = true
		default:
			return invalid(path+".type", "unsupported component type %q; want header, body or button", str(c["type"]))
		}
	}
	if !sawHeader && sp.header != nil && len(sp.header.params) > 0 {
		return countMismatch("header", len(sp.header.params), 0)
	}
	if !sawBody && len(sp.body) > 0 {
		return countMismatch("body", len(sp.body), 0)
	}
	for i, b := range sp.buttons {
		if !sawButton[i] && len(b.params) > 0 {
			return countMismatch(fmt.Sprintf("button %d (%s)", i, b.typ), len(b.params), 0)
		}
	}
	return nil
}

func countMismatch(component string, want, got int) *apiError {
	return newAPIError(CodeTemplateParamCount, "%s: number of parameters (%d) does not match the expected number of params (%d)", component, got, want)
}

// paramList is the component's parameters (absent = none).
func paramList(c map[string]any, path string) ([]map[string]any, *apiError) {
	raw, ok := c["parameters"]
	if !ok || raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, invalid(path+".parameters", "must be an array")
	}
	out := make([]map[string]any, len(list))
	for i, p := range list {
		m, ok := p.(map[string]any)
		if !ok {
			return nil, invalid(fmt.Sprintf("%s.parameters[%d]", path, i), "must be an object")
		}
		out[i] = m
	}
	return out, nil
}

// checkParams checks a header's or the body's parameters against the
// placeholders in its text (format TEXT) or the media the header expects.
func (sp *tmplSpec) checkParams(path, component, format string, want []string, params []map[string]any) *apiError {
	if len(params) != len(want) {
		return countMismatch(component, len(want), len(params))
	}
	if len(params) == 0 {
		return nil
	}
	if format != "TEXT" {
		// A media or location header: one parameter of that type.
		p, ppath := params[0], path+".parameters[0]"
		typ := str(p["type"])
		wantType := strings.ToLower(format)
		if typ != wantType {
			return newAPIError(CodeTemplateParamFormat, "%s.type: the template's header is %s, got parameter type %q", ppath, format, typ)
		}
		if wantType == "location" {
			return checkLocation(ppath+".location", p["location"])
		}
		return checkMedia(ppath+"."+wantType, p[wantType], false)
	}
	names := map[string]bool{}
	for _, w := range want {
		names[w] = true
	}
	seen := map[string]bool{}
	for i, p := range params {
		ppath := fmt.Sprintf("%s.parameters[%d]", path, i)
		typ := str(p["type"])
		switch {
		case typ == "":
			return required(ppath + ".type")
		case typ == "text":
			v, ok := p["text"].(string)
			if !ok || v == "" {
				return required(ppath + ".text")
			}
			if err := checkParamText(ppath+".text", v); err != nil {
				return err
			}
		case component == "body" && typ == "currency":
			cur, _ := p["currency"].(map[string]any)
			if cur == nil || str(cur["fallback_value"]) == "" || str(cur["code"]) == "" || cur["amount_1000"] == nil {
				return required(ppath + ".currency{fallback_value, code, amount_1000}")
			}
		case component == "body" && typ == "date_time":
			dt, _ := p["date_time"].(map[string]any)
			if dt == nil || str(dt["fallback_value"]) == "" {
				return required(ppath + ".date_time.fallback_value")
			}
		default:
			return newAPIError(CodeTemplateParamFormat, "%s.type: parameter type %q is not allowed in the %s", ppath, typ, component)
		}
		name, hasName := p["parameter_name"]
		switch {
		case sp.named && !hasName:
			return newAPIError(CodeTemplateParamFormat, "%s.parameter_name is required: template %s uses NAMED parameters", ppath, sp.t.Name)
		case !sp.named && hasName:
			return newAPIError(CodeTemplateParamFormat, "%s.parameter_name: template %s uses POSITIONAL parameters", ppath, sp.t.Name)
		case sp.named:
			n := str(name)
			if !names[n] {
				return newAPIError(CodeTemplateParamCount, "%s.parameter_name: %q is not a parameter of the %s (want %s)", ppath, n, component, strings.Join(want, ", "))
			}
			if seen[n] {
				return newAPIError(CodeTemplateParamCount, "%s.parameter_name: %q is given twice", ppath, n)
			}
			seen[n] = true
		}
	}
	return nil
}

// checkParamText applies Meta's rule for template text parameters.
func checkParamText(path, v string) *apiError {
	if strings.ContainsAny(v, "\n\t") || strings.Contains(v, "     ") {
		return newAPIError(CodeInvalidParameter, "%s: Param text cannot have new-line/tab characters or more than 4 consecutive spaces", path)
	}
	return nil
}

var buttonSubTypes = map[string]string{
	"url":         "URL",
	"quick_reply": "QUICK_REPLY",
	"copy_code":   "COPY_CODE",
	"flow":        "FLOW",
	"catalog":     "CATALOG",
	"mpm":         "MPM",
}

// checkButton checks one button component and returns its index.
func (sp *tmplSpec) checkButton(path string, c map[string]any, params []map[string]any) (int, *apiError) {
	sub := strings.ToLower(str(c["sub_type"]))
	if sub == "" {
		return 0, required(path + ".sub_type")
	}
	rawIdx, ok := c["index"]
	if !ok || rawIdx == nil {
		return 0, required(path + ".index")
	}
	idx, err := strconv.Atoi(str(rawIdx))
	if err != nil || idx < 0 || idx > 9 {
		return 0, invalid(path+".index", "must be a button index from \"0\" to \"9\", got %v", rawIdx)
	}
	if idx >= len(sp.buttons) {
		return 0, invalid(path+".index", "template %s has no button at index %d", sp.t.Name, idx)
	}
	b := sp.buttons[idx]
	if wantType, known := buttonSubTypes[sub]; !known || wantType != b.typ {
		return 0, invalid(path+".sub_type", "button %d of template %s is %s, got sub_type %q", idx, sp.t.Name, b.typ, sub)
	}
	switch sub {
	case "quick_reply":
		for i, p := range params {
			ppath := fmt.Sprintf("%s.parameters[%d]", path, i)
			if str(p["type"]) != "payload" {
				return 0, newAPIError(CodeTemplateParamFormat, "%s.type: a quick_reply button takes a payload parameter", ppath)
			}
			if _, ok := p["payload"].(string); !ok {
				return 0, required(ppath + ".payload")
			}
		}
		return idx, nil
	case "url":
		if len(params) != len(b.params) {
			return 0, countMismatch(fmt.Sprintf("button %d (URL)", idx), len(b.params), len(params))
		}
		for i, p := range params {
			ppath := fmt.Sprintf("%s.parameters[%d]", path, i)
			if str(p["type"]) != "text" {
				return 0, newAPIError(CodeTemplateParamFormat, "%s.type: a url button takes a text parameter", ppath)
			}
			if v, ok := p["text"].(string); !ok || v == "" {
				return 0, required(ppath + ".text")
			}
		}
	case "copy_code":
		if len(params) != 1 {
			return 0, countMismatch(fmt.Sprintf("button %d (COPY_CODE)", idx), 1, len(params))
		}
		if str(params[0]["type"]) != "coupon_code" {
			return 0, newAPIError(CodeTemplateParamFormat, "%s.parameters[0].type: a copy_code button takes a coupon_code parameter", path)
		}
		if v, ok := params[0]["coupon_code"].(string); !ok || v == "" {
			return 0, required(path + ".parameters[0].coupon_code")
		}
	}
	return idx, nil
}

// templateJSON is one item of the management API's list, in Meta's field
// order.
type templateJSON struct {
	Name            string           `json:"name"`
	ParameterFormat string           `json:"parameter_format"`
	Components      []map[string]any `json:"components"`
	Language        string           `json:"language"`
	Status          string           `json:"status"`
	Category        string           `json:"category"`
	ID              string           `json:"id"`
}

// templateKey identifies a template: name and language.
func templateKey(name, language string) string { return name + "\x00" + language }

// str renders a JSON scalar as a string ("" for anything else).
func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// objects reads a list of objects, whether decoded from JSON ([]any) or
// written in Go ([]map[string]any).
func objects(v any) []map[string]any {
	switch x := v.(type) {
	case []map[string]any:
		return x
	case []any:
		out := make([]map[string]any, 0, len(x))
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}
