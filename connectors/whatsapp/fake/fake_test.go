package fake_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors/whatsapp/fake"
)

const (
	token     = fake.DefaultAccessToken
	appSecret = "TEST_APP_SECRET"
	userA     = "16505551234"
	userB     = "16505550001"
)

var testTemplates = []fake.Template{
	{Name: "order_shipped", Language: "en_US", Category: "UTILITY", Status: "APPROVED", Components: []map[string]any{
		{"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"},
		{"type": "BODY", "text": "Hi {{1}}, your parcel {{2}} is on its way."},
		{"type": "FOOTER", "text": "Lucky Shrub"},
		{"type": "BUTTONS", "buttons": []map[string]any{
			{"type": "URL", "text": "Track", "url": "https://shop.example/track/{{1}}"},
			{"type": "QUICK_REPLY", "text": "Stop"},
		}},
	}},
	{Name: "order_confirmation", Language: "en_US", Category: "UTILITY", Status: "APPROVED", ParameterFormat: "NAMED", Components: []map[string]any{
		{"type": "BODY", "text": "Thank you, {{customer_name}}! Your order number is {{order_number}}."},
	}},
	{Name: "promo", Language: "en_US", Category: "MARKETING", Status: "APPROVED", Components: []map[string]any{
		{"type": "HEADER", "format": "IMAGE"},
		{"type": "BODY", "text": "Spring sale: everything 20% off."},
	}},
	{Name: "hello", Language: "pt_BR", Category: "MARKETING", Status: "APPROVED", Components: []map[string]any{{"type": "BODY", "text": "Olá!"}}},
	{Name: "pending_tpl", Language: "en_US", Category: "MARKETING", Status: "PENDING"},
	{Name: "rejected_tpl", Language: "en_US", Category: "MARKETING", Status: "REJECTED"},
	{Name: "paused_tpl", Language: "en_US", Category: "MARKETING", Status: "PAUSED"},
	{Name: "disabled_tpl", Language: "en_US", Category: "MARKETING", Status: "DISABLED"},
}

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newServer(t *testing.T, opts fake.Options) *fake.Server {
	t.Helper()
	s := fake.New(opts)
	t.Cleanup(s.Close)
	return s
}

func messagesURL(s *fake.Server) string {
	return s.URL() + "/v23.0/" + fake.DefaultPhoneNumberID + "/messages"
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// call makes one request; auth "" sends no Authorization header.
func call(t *testing.T, client *http.Client, method, url, auth, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, raw
}

func post(t *testing.T, s *fake.Server, body string) (int, []byte) {
	t.Helper()
	return call(t, nil, http.MethodPost, messagesURL(s), "Bearer "+token, body)
}

func decode(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	require.NoError(t, dec.Decode(&m), "body: %s", raw)
	return m
}

// requireMetaError checks an answer is Graph's error shape with that code.
func requireMetaError(t *testing.T, status int, raw []byte, wantStatus, wantCode, wantSubcode int, wantDetails string) {
	t.Helper()
	require.Equal(t, wantStatus, status, "body: %s", raw)
	m := decode(t, raw)
	require.Equal(t, []string{"error"}, slices.Sorted(maps.Keys(m)))
	e, ok := m["error"].(map[string]any)
	require.True(t, ok)
	wantKeys := []string{"code", "error_data", "fbtrace_id", "message", "type"}
	if wantSubcode != 0 {
		wantKeys = append(wantKeys, "error_subcode")
		require.Equal(t, json.Number(fmt.Sprint(wantSubcode)), e["error_subcode"])
	}
	require.ElementsMatch(t, wantKeys, slices.Collect(maps.Keys(e)), "body: %s", raw)
	require.Equal(t, json.Number(fmt.Sprint(wantCode)), e["code"], "body: %s", raw)
	require.Equal(t, fmt.Sprintf("(#%d) %s", wantCode, fake.ErrorTitle(wantCode)), e["message"])
	require.Equal(t, "OAuthException", e["type"])
	require.Regexp(t, `^[A-Za-z0-9_-]{23}$`, e["fbtrace_id"])
	data, ok := e["error_data"].(map[string]any)
	require.True(t, ok)
	require.ElementsMatch(t, []string{"messaging_product", "details"}, slices.Collect(maps.Keys(data)))
	require.Equal(t, "whatsapp", data["messaging_product"])
	details, _ := data["details"].(string)
	require.NotEmpty(t, details)
	require.Contains(t, details, wantDetails)
	// The message text never varies with the details.
	require.True(t, strings.HasPrefix(string(raw), `{"error":{"message":"(#`), "field order: %s", raw)
}

func textMsg(to, body string) map[string]any {
	return map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text", "text": map[string]any{"body": body}}
}

func tmplMsg(to, name, lang string, comps ...map[string]any) map[string]any {
	tpl := map[string]any{"name": name, "language": map[string]any{"code": lang}}
	if comps != nil {
		tpl["components"] = comps
	}
	return map[string]any{"messaging_product": "whatsapp", "to": to, "type": "template", "template": tpl}
}

func textParams(vals ...string) []map[string]any {
	out := make([]map[string]any, len(vals))
	for i, v := range vals {
		out[i] = map[string]any{"type": "text", "text": v}
	}
	return out
}

func namedParams(kv ...string) []map[string]any {
	var out []map[string]any
	for i := 0; i < len(kv); i += 2 {
		out = append(out, map[string]any{"type": "text", "parameter_name": kv[i], "text": kv[i+1]})
	}
	return out
}

// shippedComps are valid components for order_shipped.
func shippedComps() []map[string]any {
	return []map[string]any{
		{"type": "header", "parameters": textParams("#1234")},
		{"type": "body", "parameters": textParams("Ana", "DHL 00340")},
		{"type": "button", "sub_type": "url", "index": "0", "parameters": textParams("1234")},
		{"type": "button", "sub_type": "quick_reply", "index": "1", "parameters": []map[string]any{{"type": "payload", "payload": "STOP_PROMO"}}},
	}
}

func interactiveMsg(to string, inter map[string]any) map[string]any {
	return map[string]any{"messaging_product": "whatsapp", "to": to, "type": "interactive", "interactive": inter}
}

func replyButtons(titles ...string) map[string]any {
	var buttons []map[string]any
	for i, title := range titles {
		buttons = append(buttons, map[string]any{"type": "reply", "reply": map[string]any{"id": fmt.Sprintf("b%d", i), "title": title}})
	}
	return map[string]any{"type": "button", "body": map[string]any{"text": "Pick one"}, "action": map[string]any{"buttons": buttons}}
}

func listMsg(sections ...map[string]any) map[string]any {
	return map[string]any{"type": "list", "body": map[string]any{"text": "Which shipping option?"},
		"action": map[string]any{"button": "Shipping Options", "sections": sections}}
}

func section(title string, rows ...map[string]any) map[string]any {
	return map[string]any{"title": title, "rows": rows}
}

func row(id, title, desc string) map[string]any {
	r := map[string]any{"id": id, "title": title}
	if desc != "" {
		r["description"] = desc
	}
	return r
}

func rows(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = row(fmt.Sprintf("r%d", i), fmt.Sprintf("Row %d", i), "")
	}
	return out
}

func with(m map[string]any, key string, v any) map[string]any {
	out := maps.Clone(m)
	if v == nil {
		delete(out, key)
	} else {
		out[key] = v
	}
	return out
}

func TestSendRefusals(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name        string
		method      string // default POST
		path        string // default the messages path
		auth        string // default Bearer <token>; "-" sends none
		body        any    // string or map
		wantStatus  int
		wantCode    int
		wantSubcode int
		wantDetails string
	}{
		{name: "no token", auth: "-", body: textMsg(userA, "hi"), wantStatus: 401, wantCode: 190, wantDetails: "access token"},
		{name: "wrong token", auth: "Bearer nope", body: textMsg(userA, "hi"), wantStatus: 401, wantCode: 190, wantDetails: "Invalid OAuth access token"},
		{name: "basic auth", auth: "Basic " + token, body: textMsg(userA, "hi"), wantStatus: 401, wantCode: 190, wantDetails: "Invalid OAuth access token"},
		{name: "token checked before path", auth: "-", path: "/23.0/x/messages", body: "{", wantStatus: 401, wantCode: 190},
		{name: "version without v", path: "/23.0/" + fake.DefaultPhoneNumberID + "/messages", body: textMsg(userA, "hi"), wantStatus: 400, wantCode: 2500, wantDetails: "v23.0"},
		{name: "version without minor", path: "/v23/" + fake.DefaultPhoneNumberID + "/messages", body: textMsg(userA, "hi"), wantStatus: 400, wantCode: 2500},
		{name: "unknown phone number id", path: "/v23.0/999/messages", body: textMsg(userA, "hi"), wantStatus: 400, wantCode: 100, wantSubcode: 33, wantDetails: "Unsupported post request. Object with ID '999' does not exist"},
		{name: "GET messages", method: http.MethodGet, wantStatus: 400, wantCode: 100, wantSubcode: 33, wantDetails: "Unsupported get request"},
		{name: "unknown edge", path: "/v23.0/" + fake.DefaultPhoneNumberID + "/media_things", body: "{}", wantStatus: 400, wantCode: 2500},
		{name: "not JSON", body: `{"messaging_product":`, wantStatus: 400, wantCode: 100, wantDetails: "JSON"},
		{name: "JSON array", body: `[1]`, wantStatus: 400, wantCode: 100, wantDetails: "JSON"},
		{name: "two JSON objects", body: `{"messaging_product":"whatsapp"}{}`, wantStatus: 400, wantCode: 100, wantDetails: "JSON"},
		{name: "no messaging_product", body: with(textMsg(userA, "hi"), "messaging_product", nil), wantStatus: 400, wantCode: 100, wantDetails: "messaging_product is required"},
		{name: "wrong messaging_product", body: with(textMsg(userA, "hi"), "messaging_product", "instagram"), wantStatus: 400, wantCode: 100, wantDetails: `got "instagram"`},
		{name: "no to", body: with(textMsg(userA, "hi"), "to", nil), wantStatus: 400, wantCode: 131008, wantDetails: "to is required"},
		{name: "to not a number", body: textMsg("ana@example.com", "hi"), wantStatus: 400, wantCode: 131009, wantDetails: "to:"},
		{name: "to is the sender", body: textMsg("+"+fake.DefaultDisplayPhoneNumber, "hi"), wantStatus: 400, wantCode: 131021},
		{name: "bad recipient_type", body: with(textMsg(userA, "hi"), "recipient_type", "everyone"), wantStatus: 400, wantCode: 131009, wantDetails: "recipient_type"},
		{name: "unknown type", body: with(textMsg(userA, "hi"), "type", "carousel"), wantStatus: 400, wantCode: 100, wantDetails: `got "carousel"`},
		{name: "text without text", body: with(textMsg(userA, "hi"), "text", nil), wantStatus: 400, wantCode: 131008, wantDetails: "text is required"},
		{name: "text without body", body: with(textMsg(userA, "hi"), "text", map[string]any{"preview_url": true}), wantStatus: 400, wantCode: 131008, wantDetails: "text.body"},
		{name: "text body too long", body: textMsg(userA, long(4097)), wantStatus: 400, wantCode: 131009, wantDetails: "text.body: must be at most 4096 characters, got 4097"},
		{name: "bad preview_url", body: with(textMsg(userA, "hi"), "text", map[string]any{"body": "x", "preview_url": "yes"}), wantStatus: 400, wantCode: 131009, wantDetails: "text.preview_url"},
		{name: "callback data too long", body: with(textMsg(userA, "hi"), "biz_opaque_callback_data", long(513)), wantStatus: 400, wantCode: 131009, wantDetails: "biz_opaque_callback_data"},
		{name: "context without message_id", body: with(textMsg(userA, "hi"), "context", map[string]any{}), wantStatus: 400, wantCode: 131008, wantDetails: "context.message_id"},

		{name: "template without name", body: with(tmplMsg(userA, "x", "en_US"), "template", map[string]any{"language": map[string]any{"code": "en_US"}}), wantStatus: 400, wantCode: 131008, wantDetails: "template.name"},
		{name: "template without language", body: with(tmplMsg(userA, "x", "en_US"), "template", map[string]any{"name": "hello"}), wantStatus: 400, wantCode: 131008, wantDetails: "template.language"},
		{name: "template without language code", body: with(tmplMsg(userA, "x", "en_US"), "template", map[string]any{"name": "hello", "language": map[string]any{"policy": "deterministic"}}), wantStatus: 400, wantCode: 131008, wantDetails: "template.language.code"},
		{name: "unknown template", body: tmplMsg(userA, "nope", "en_US"), wantStatus: 404, wantCode: 132001, wantDetails: "template name (nope) does not exist in en_US"},
		{name: "template in another language", body: tmplMsg(userA, "hello", "en_US"), wantStatus: 404, wantCode: 132001, wantDetails: "does not exist in en_US"},
		{name: "template pending", body: tmplMsg(userA, "pending_tpl", "en_US"), wantStatus: 404, wantCode: 132001, wantDetails: "PENDING"},
		{name: "template rejected", body: tmplMsg(userA, "rejected_tpl", "en_US"), wantStatus: 404, wantCode: 132001, wantDetails: "REJECTED"},
		{name: "template paused", body: tmplMsg(userA, "paused_tpl", "en_US"), wantStatus: 400, wantCode: 132015, wantDetails: "paused"},
		{name: "template disabled", body: tmplMsg(userA, "disabled_tpl", "en_US"), wantStatus: 400, wantCode: 132016, wantDetails: "disabled"},
		{name: "body parameter missing", body: tmplMsg(userA, "order_shipped", "en_US",
			append([]map[string]any{{"type": "body", "parameters": textParams("Ana")}}, shippedComps()[0], shippedComps()[2])...),
			wantStatus: 400, wantCode: 132000, wantDetails: "body: number of parameters (1) does not match the expected number of params (2)"},
		{name: "body parameter extra", body: tmplMsg(userA, "order_shipped", "en_US",
			shippedComps()[0], map[string]any{"type": "body", "parameters": textParams("a", "b", "c")}, shippedComps()[2]),
			wantStatus: 400, wantCode: 132000, wantDetails: "body"},
		{name: "header component left out", body: tmplMsg(userA, "order_shipped", "en_US", shippedComps()[1], shippedComps()[2]),
			wantStatus: 400, wantCode: 132000, wantDetails: "header"},
		{name: "url button left out", body: tmplMsg(userA, "order_shipped", "en_US", shippedComps()[0], shippedComps()[1]),
			wantStatus: 400, wantCode: 132000, wantDetails: "button 0 (URL)"},
		{name: "no components for a template with placeholders", body: tmplMsg(userA, "order_shipped", "en_US"), wantStatus: 400, wantCode: 132000},
		{name: "parameters for a template without placeholders", body: tmplMsg(userA, "hello", "pt_BR", map[string]any{"type": "body", "parameters": textParams("x")}),
			wantStatus: 400, wantCode: 132000},
		{name: "url button with two parameters", body: tmplMsg(userA, "order_shipped", "en_US", shippedComps()[0], shippedComps()[1],
			map[string]any{"type": "button", "sub_type": "url", "index": "0", "parameters": textParams("1", "2")}),
			wantStatus: 400, wantCode: 132000, wantDetails: "button 0 (URL)"},
		{name: "button index out of range", body: tmplMsg(userA, "order_shipped", "en_US", append(shippedComps(),
			map[string]any{"type": "button", "sub_type": "quick_reply", "index": "2"})...), wantStatus: 400, wantCode: 131009, wantDetails: "no button at index 2"},
		{name: "button sub_type differs from the template", body: tmplMsg(userA, "order_shipped", "en_US", shippedComps()[0], shippedComps()[1],
			map[string]any{"type": "button", "sub_type": "quick_reply", "index": "0"}), wantStatus: 400, wantCode: 131009, wantDetails: "sub_type"},
		{name: "button without index", body: tmplMsg(userA, "order_shipped", "en_US", shippedComps()[0], shippedComps()[1],
			map[string]any{"type": "button", "sub_type": "url", "parameters": textParams("1")}), wantStatus: 400, wantCode: 131008, wantDetails: ".index"},
		{name: "text parameter with a new line", body: tmplMsg(userA, "order_shipped", "en_US", shippedComps()[0],
			map[string]any{"type": "body", "parameters": textParams("Ana\nMaria", "x")}, shippedComps()[2]),
			wantStatus: 400, wantCode: 100, wantDetails: "new-line/tab"},
		{name: "empty text parameter", body: tmplMsg(userA, "order_shipped", "en_US", shippedComps()[0],
			map[string]any{"type": "body", "parameters": textParams("", "x")}, shippedComps()[2]),
			wantStatus: 400, wantCode: 131008, wantDetails: "parameters[0].text"},
		{name: "image parameter in the body", body: tmplMsg(userA, "order_shipped", "en_US", shippedComps()[0],
			map[string]any{"type": "body", "parameters": []map[string]any{{"type": "image", "image": map[string]any{"id": "1"}}, {"type": "text", "text": "x"}}}, shippedComps()[2]),
			wantStatus: 400, wantCode: 132012, wantDetails: "not allowed in the body"},
		{name: "text parameter for an image header", body: tmplMsg(userA, "promo", "en_US", map[string]any{"type": "header", "parameters": textParams("x")}),
			wantStatus: 400, wantCode: 132012, wantDetails: "IMAGE"},
		{name: "image header left out", body: tmplMsg(userA, "promo", "en_US"), wantStatus: 400, wantCode: 132000, wantDetails: "header"},
		{name: "named template without parameter_name", body: tmplMsg(userA, "order_confirmation", "en_US", map[string]any{"type": "body", "parameters": textParams("Pablo", "860198")}),
			wantStatus: 400, wantCode: 132012, wantDetails: "NAMED"},
		{name: "named template with an unknown name", body: tmplMsg(userA, "order_confirmation", "en_US", map[string]any{"type": "body", "parameters": namedParams("customer_name", "Pablo", "order_id", "860198")}),
			wantStatus: 400, wantCode: 132000, wantDetails: `"order_id" is not a parameter`},
		{name: "named template with a name twice", body: tmplMsg(userA, "order_confirmation", "en_US", map[string]any{"type": "body", "parameters": namedParams("customer_name", "Pablo", "customer_name", "Ana")}),
			wantStatus: 400, wantCode: 132000, wantDetails: "twice"},
		{name: "positional template with parameter_name", body: tmplMsg(userA, "order_shipped", "en_US", shippedComps()[0],
			map[string]any{"type": "body", "parameters": namedParams("1", "Ana", "2", "x")}, shippedComps()[2]),
			wantStatus: 400, wantCode: 132012, wantDetails: "POSITIONAL"},
		{name: "unknown component type", body: tmplMsg(userA, "hello", "pt_BR", map[string]any{"type": "carousel"}), wantStatus: 400, wantCode: 131009, wantDetails: "unsupported component type"},

		{name: "four reply buttons", body: interactiveMsg(userA, replyButtons("a", "b", "c", "d")), wantStatus: 400, wantCode: 131009, wantDetails: "interactive.action.buttons: must hold 1 to 3 buttons, got 4"},
		{name: "no reply buttons", body: interactiveMsg(userA, replyButtons()), wantStatus: 400, wantCode: 131008, wantDetails: "interactive.action.buttons"},
		{name: "button title of 21", body: interactiveMsg(userA, replyButtons("ok", long(21))), wantStatus: 400, wantCode: 131009, wantDetails: "interactive.action.buttons[1].reply.title: must be at most 20 characters, got 21"},
		{name: "duplicate button titles", body: interactiveMsg(userA, replyButtons("Yes", "Yes")), wantStatus: 400, wantCode: 131009, wantDetails: "duplicate button title"},
		{name: "button id of 257", body: interactiveMsg(userA, with(replyButtons("a"), "action", map[string]any{"buttons": []any{map[string]any{"type": "reply", "reply": map[string]any{"id": long(257), "title": "a"}}}})),
			wantStatus: 400, wantCode: 131009, wantDetails: "reply.id: must be at most 256"},
		{name: "button of another type", body: interactiveMsg(userA, with(replyButtons("a"), "action", map[string]any{"buttons": []any{map[string]any{"type": "url", "reply": map[string]any{"id": "1", "title": "a"}}}})),
			wantStatus: 400, wantCode: 131009, wantDetails: "buttons[0].type"},
		{name: "button body of 1025", body: interactiveMsg(userA, with(replyButtons("a"), "body", map[string]any{"text": long(1025)})), wantStatus: 400, wantCode: 131009, wantDetails: "interactive.body.text: must be at most 1024"},
		{name: "interactive without body", body: interactiveMsg(userA, with(replyButtons("a"), "body", nil)), wantStatus: 400, wantCode: 131008, wantDetails: "interactive.body"},
		{name: "header text of 61", body: interactiveMsg(userA, with(replyButtons("a"), "header", map[string]any{"type": "text", "text": long(61)})), wantStatus: 400, wantCode: 131009, wantDetails: "interactive.header.text"},
		{name: "footer of 61", body: interactiveMsg(userA, with(replyButtons("a"), "footer", map[string]any{"text": long(61)})), wantStatus: 400, wantCode: 131009, wantDetails: "interactive.footer.text"},
		{name: "unknown interactive type", body: interactiveMsg(userA, with(replyButtons("a"), "type", "carousel_x")), wantStatus: 400, wantCode: 131009, wantDetails: "interactive.type"},
		{name: "list button of 21", body: interactiveMsg(userA, with(listMsg(section("S", rows(1)...)), "action", map[string]any{"button": long(21), "sections": []any{section("S", rows(1)...)}})),
			wantStatus: 400, wantCode: 131009, wantDetails: "interactive.action.button: must be at most 20"},
		{name: "eleven sections", body: interactiveMsg(userA, listMsg(slices.Repeat([]map[string]any{section("S", row("x", "y", ""))}, 11)...)), wantStatus: 400, wantCode: 131009, wantDetails: "1 to 10 sections, got 11"},
		{name: "eleven rows", body: interactiveMsg(userA, listMsg(section("A", rows(6)...), section("B", rows(5)...))), wantStatus: 400, wantCode: 131009, wantDetails: "at most 10 rows"},
		{name: "row title of 25", body: interactiveMsg(userA, listMsg(section("S", row("1", long(25), "")))), wantStatus: 400, wantCode: 131009, wantDetails: "rows[0].title: must be at most 24"},
		{name: "row description of 73", body: interactiveMsg(userA, listMsg(section("S", row("1", "t", long(73))))), wantStatus: 400, wantCode: 131009, wantDetails: "rows[0].description: must be at most 72"},
		{name: "row id of 201", body: interactiveMsg(userA, listMsg(section("S", row(long(201), "t", "")))), wantStatus: 400, wantCode: 131009, wantDetails: "rows[0].id: must be at most 200"},
		{name: "section title of 25", body: interactiveMsg(userA, listMsg(section(long(25), rows(1)...))), wantStatus: 400, wantCode: 131009, wantDetails: "sections[0].title"},
		{name: "untitled section among two", body: interactiveMsg(userA, listMsg(section("", row("1", "a", "")), section("B", row("2", "b", "")))), wantStatus: 400, wantCode: 131008, wantDetails: "sections[0].title"},
		{name: "duplicate row ids", body: interactiveMsg(userA, listMsg(section("A", row("1", "a", "")), section("B", row("1", "b", "")))), wantStatus: 400, wantCode: 131009, wantDetails: "duplicate row id"},
		{name: "list with an image header", body: interactiveMsg(userA, with(listMsg(section("S", rows(1)...)), "header", map[string]any{"type": "image", "image": map[string]any{"id": "1"}})), wantStatus: 400, wantCode: 131009, wantDetails: "interactive.header.type"},
		{name: "image without link or id", body: map[string]any{"messaging_product": "whatsapp", "to": userA, "type": "image", "image": map[string]any{"caption": "x"}}, wantStatus: 400, wantCode: 131008, wantDetails: "image.link or image.id"},
		{name: "image with an ftp link", body: map[string]any{"messaging_product": "whatsapp", "to": userA, "type": "image", "image": map[string]any{"link": "ftp://x/y.png"}}, wantStatus: 400, wantCode: 131009, wantDetails: "image.link"},
		{name: "audio with a caption", body: map[string]any{"messaging_product": "whatsapp", "to": userA, "type": "audio", "audio": map[string]any{"id": "1", "caption": "x"}}, wantStatus: 400, wantCode: 131009, wantDetails: "audio.caption"},
		{name: "location out of range", body: map[string]any{"messaging_product": "whatsapp", "to": userA, "type": "location", "location": map[string]any{"latitude": 91, "longitude": 0}}, wantStatus: 400, wantCode: 131009, wantDetails: "location.latitude"},
		{name: "reaction without message_id", body: map[string]any{"messaging_product": "whatsapp", "to": userA, "type": "reaction", "reaction": map[string]any{"emoji": "👍"}}, wantStatus: 400, wantCode: 131008, wantDetails: "reaction.message_id"},

		{name: "text outside the window", body: textMsg(userA, "hi"), wantStatus: 400, wantCode: 131047, wantDetails: "24 hours"},
		{name: "interactive outside the window", body: interactiveMsg(userA, replyButtons("a")), wantStatus: 400, wantCode: 131047},
		{name: "image outside the window", body: map[string]any{"messaging_product": "whatsapp", "to": userA, "type": "image", "image": map[string]any{"id": "1"}}, wantStatus: 400, wantCode: 131047},

		{name: "mark read of an unknown id", body: map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.nope"}, wantStatus: 400, wantCode: 131009, wantDetails: "message_id"},
		{name: "mark read without id", body: map[string]any{"messaging_product": "whatsapp", "status": "read"}, wantStatus: 400, wantCode: 131008, wantDetails: "message_id"},
		{name: "status other than read", body: map[string]any{"messaging_product": "whatsapp", "status": "delivered", "message_id": "wamid.x"}, wantStatus: 400, wantCode: 131009, wantDetails: "status"},

		{name: "templates: no token", method: http.MethodGet, path: "/v23.0/" + fake.DefaultWABAID + "/message_templates", auth: "-", wantStatus: 401, wantCode: 190},
		{name: "templates: unknown WABA", method: http.MethodGet, path: "/v23.0/42/message_templates", wantStatus: 400, wantCode: 100, wantSubcode: 33, wantDetails: "'42'"},
		{name: "templates: bad limit", method: http.MethodGet, path: "/v23.0/" + fake.DefaultWABAID + "/message_templates?limit=0", wantStatus: 400, wantCode: 100, wantDetails: "limit"},
		{name: "templates: bad cursor", method: http.MethodGet, path: "/v23.0/" + fake.DefaultWABAID + "/message_templates?after=xyz", wantStatus: 400, wantCode: 100, wantDetails: "cursor"},
	}
	s := newServer(t, fake.Options{Templates: testTemplates})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, url, auth := http.MethodPost, messagesURL(s), "Bearer "+token
			if tt.method != "" {
				method = tt.method
			}
			if tt.path != "" {
				url = s.URL() + tt.path
			}
			switch tt.auth {
			case "":
			case "-":
				auth = ""
			default:
				auth = tt.auth
			}
			var body string
			switch b := tt.body.(type) {
			case string:
				body = b
			case nil:
			default:
				body = mustJSON(b)
			}
			status, raw := call(t, nil, method, url, auth, body)
			requireMetaError(t, status, raw, tt.wantStatus, tt.wantCode, tt.wantSubcode, tt.wantDetails)
		})
	}
	require.Empty(t, s.Sends())
	require.Empty(t, s.MarkedRead())
	for _, r := range s.Requests() {
		require.NotZero(t, r.Code, "%s %s", r.Method, r.Path)
		require.Equal(t, fake.ErrorHTTPStatus(r.Code), r.Status)
	}
}

func TestSendAccepted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		closed     bool // leave the window closed
		body       map[string]any
		wantType   string
		wantTmpl   string
		wantLang   string
		wantInput  string
		wantWaID   string
		wantOpaque string
	}{
		{name: "text", body: textMsg(userA, "Your order #1234 has shipped"), wantType: "text"},
		{name: "text of 4096 characters", body: textMsg(userA, strings.Repeat("é", 4096)), wantType: "text"},
		{name: "formatted number", body: textMsg("+1 (650) 555-1234", "hi"), wantType: "text", wantInput: "+1 (650) 555-1234"},
		{name: "type defaults to text", body: with(textMsg(userA, "hi"), "type", nil), wantType: "text"},
		{name: "reply with callback data", body: with(with(textMsg(userA, "hi"), "context", map[string]any{"message_id": "wamid.x"}), "biz_opaque_callback_data", "tracker-1"), wantType: "text", wantOpaque: "tracker-1"},
		{name: "template outside the window", closed: true, body: tmplMsg(userA, "order_shipped", "en_US", shippedComps()...), wantType: "template", wantTmpl: "order_shipped", wantLang: "en_US"},
		{name: "template with a numeric index", closed: true, body: tmplMsg(userA, "order_shipped", "en_US", shippedComps()[0], shippedComps()[1],
			map[string]any{"type": "BUTTON", "sub_type": "url", "index": 0, "parameters": textParams("1234")}), wantType: "template", wantTmpl: "order_shipped", wantLang: "en_US"},
		{name: "named template", closed: true, body: tmplMsg(userA, "order_confirmation", "en_US", map[string]any{"type": "body", "parameters": namedParams("order_number", "860198", "customer_name", "Pablo")}),
			wantType: "template", wantTmpl: "order_confirmation", wantLang: "en_US"},
		{name: "image header template", closed: true, body: tmplMsg(userA, "promo", "en_US", map[string]any{"type": "header", "parameters": []map[string]any{{"type": "image", "image": map[string]any{"link": "https://cdn.example/sale.jpg"}}}}),
			wantType: "template", wantTmpl: "promo", wantLang: "en_US"},
		{name: "currency and date parameters", closed: true, body: tmplMsg(userA, "order_shipped", "en_US", shippedComps()[0], shippedComps()[2],
			map[string]any{"type": "body", "parameters": []map[string]any{
				{"type": "currency", "currency": map[string]any{"fallback_value": "$10.99", "code": "USD", "amount_1000": 10990}},
				{"type": "date_time", "date_time": map[string]any{"fallback_value": "March 1"}},
			}}), wantType: "template", wantTmpl: "order_shipped", wantLang: "en_US"},
		{name: "template without parameters", closed: true, body: tmplMsg(userA, "hello", "pt_BR"), wantType: "template", wantTmpl: "hello", wantLang: "pt_BR"},
		{name: "reply buttons", body: interactiveMsg(userA, with(with(replyButtons("Change", "Cancel", strings.Repeat("b", 20)), "header", map[string]any{"type": "text", "text": "Workshop"}), "footer", map[string]any{"text": "Lucky Shrub"})), wantType: "interactive"},
		{name: "list", body: interactiveMsg(userA, listMsg(section("Fast", rows(4)...), section("Slow", row("s1", strings.Repeat("t", 24), strings.Repeat("d", 72))))), wantType: "interactive"},
		{name: "cta url", body: interactiveMsg(userA, map[string]any{"type": "cta_url", "body": map[string]any{"text": "Track it"},
			"action": map[string]any{"name": "cta_url", "parameters": map[string]any{"display_text": "Track", "url": "https://shop.example/t/1"}}}), wantType: "interactive"},
		{name: "image by id", body: map[string]any{"messaging_product": "whatsapp", "to": userA, "type": "image", "image": map[string]any{"id": "1013859600285441", "caption": "Your receipt"}}, wantType: "image"},
		{name: "document by link", body: map[string]any{"messaging_product": "whatsapp", "to": userA, "type": "document", "document": map[string]any{"link": "https://cdn.example/invoice.pdf", "filename": "invoice.pdf"}}, wantType: "document"},
		{name: "location", body: map[string]any{"messaging_product": "whatsapp", "to": userA, "type": "location", "location": map[string]any{"latitude": 37.44, "longitude": -122.16, "name": "Shop"}}, wantType: "location"},
		{name: "reaction", body: map[string]any{"messaging_product": "whatsapp", "to": userA, "type": "reaction", "reaction": map[string]any{"message_id": "wamid.x", "emoji": "👍"}}, wantType: "reaction"},
		{name: "contacts", body: map[string]any{"messaging_product": "whatsapp", "to": userA, "type": "contacts", "contacts": []any{map[string]any{"name": map[string]any{"formatted_name": "Ana"}}}}, wantType: "contacts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, fake.Options{Templates: testTemplates})
			if !tt.closed {
				s.SetInbound(userA, time.Now())
			}
			body := mustJSON(tt.body)
			status, raw := post(t, s, body)
			require.Equal(t, http.StatusOK, status, "body: %s", raw)

			wantInput, wantWaID := userA, userA
			if tt.wantInput != "" {
				wantInput = tt.wantInput
			}
			m := decode(t, raw)
			require.Equal(t, []string{"contacts", "messages", "messaging_product"}, slices.Sorted(maps.Keys(m)))
			require.Equal(t, "whatsapp", m["messaging_product"])
			require.Equal(t, []any{map[string]any{"input": wantInput, "wa_id": wantWaID}}, m["contacts"])
			msgs := m["messages"].([]any)
			require.Len(t, msgs, 1)
			msg := msgs[0].(map[string]any)
			require.Equal(t, []string{"id"}, slices.Sorted(maps.Keys(msg)))
			id := msg["id"].(string)
			requireWamid(t, id)
			require.True(t, strings.HasPrefix(string(raw), `{"messaging_product":"whatsapp","contacts":[{"input":`), "field order: %s", raw)

			sends := s.Sends()
			require.Len(t, sends, 1)
			got := sends[0]
			require.Equal(t, id, got.ID)
			require.Equal(t, wantInput, got.To)
			require.Equal(t, wantWaID, got.WaID)
			require.Equal(t, tt.wantType, got.Type)
			require.Equal(t, tt.wantTmpl, got.Template)
			require.Equal(t, tt.wantLang, got.Language)
			require.Equal(t, tt.wantOpaque, got.BizOpaqueCallbackData)
			require.Equal(t, body, string(got.Raw))
			require.Equal(t, "whatsapp", got.Body["messaging_product"])
			require.False(t, got.At.IsZero())

			reqs := s.Requests()
			require.Len(t, reqs, 1)
			require.Equal(t, http.StatusOK, reqs[0].Status)
			require.Zero(t, reqs[0].Code)
			require.Equal(t, "/v23.0/"+fake.DefaultPhoneNumberID+"/messages", reqs[0].Path)
		})
	}
}

// requireWamid checks an id looks like Meta's: "wamid." and standard base64.
func requireWamid(t *testing.T, id string) {
	t.Helper()
	require.True(t, strings.HasPrefix(id, "wamid."), id)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(id, "wamid."))
	require.NoError(t, err, id)
	require.Greater(t, len(raw), 20)
}

func TestWamidsAreUnique(t *testing.T) {
	t.Parallel()
	s := newServer(t, fake.Options{})
	s.SetInbound(userA, time.Now())
	seen := map[string]bool{}
	for range 50 {
		status, raw := post(t, s, mustJSON(textMsg(userA, "hi")))
		require.Equal(t, 200, status)
		id := decode(t, raw)["messages"].([]any)[0].(map[string]any)["id"].(string)
		require.False(t, seen[id], id)
		seen[id] = true
	}
}

func TestAccessTokenQueryParameter(t *testing.T) {
	t.Parallel()
	s := newServer(t, fake.Options{AccessToken: "secret-token"})
	s.SetInbound(userA, time.Now())
	status, raw := call(t, nil, http.MethodPost, messagesURL(s)+"?access_token=secret-token", "", mustJSON(textMsg(userA, "hi")))
	require.Equal(t, 200, status, "%s", raw)
	status, raw = call(t, nil, http.MethodPost, messagesURL(s), "Bearer "+token, mustJSON(textMsg(userA, "hi")))
	requireMetaError(t, status, raw, 401, 190, 0, "")
}

func TestTemplatePaging(t *testing.T) {
	t.Parallel()
	var tpls []fake.Template
	for i := range 60 {
		tpls = append(tpls, fake.Template{
			Name: fmt.Sprintf("tpl_%02d", i), Language: "en_US", Category: "UTILITY", Status: "APPROVED",
			Components: []map[string]any{{"type": "BODY", "text": "Hi {{1}}"}},
		})
	}
	s := newServer(t, fake.Options{Templates: tpls})
	type page struct {
		Data []struct {
			Name            string           `json:"name"`
			ParameterFormat string           `json:"parameter_format"`
			Components      []map[string]any `json:"components"`
			Language        string           `json:"language"`
			Status          string           `json:"status"`
			Category        string           `json:"category"`
			ID              string           `json:"id"`
		} `json:"data"`
		Paging struct {
			Cursors struct {
				Before string `json:"before"`
				After  string `json:"after"`
			} `json:"cursors"`
			Next     string `json:"next"`
			Previous string `json:"previous"`
		} `json:"paging"`
	}
	get := func(url string) (page, []byte) {
		status, raw := call(t, nil, http.MethodGet, url, "Bearer "+token, "")
		require.Equal(t, 200, status, "%s", raw)
		var p page
		require.NoError(t, json.Unmarshal(raw, &p))
		return p, raw
	}

	url := s.URL() + "/v23.0/" + fake.DefaultWABAID + "/message_templates?limit=25&fields=name,status"
	var names []string
	var pages []page
	for url != "" {
		p, raw := get(url)
		require.True(t, strings.HasPrefix(string(raw), `{"data":[{"name":"tpl_`), "field order: %s", raw)
		pages = append(pages, p)
		for _, d := range p.Data {
			names = append(names, d.Name)
			require.Equal(t, "POSITIONAL", d.ParameterFormat)
			require.Equal(t, "en_US", d.Language)
			require.Equal(t, "APPROVED", d.Status)
			require.Equal(t, "UTILITY", d.Category)
			require.NotEmpty(t, d.ID)
			require.Equal(t, []map[string]any{{"type": "BODY", "text": "Hi {{1}}"}}, d.Components)
		}
		url = p.Paging.Next
		if url != "" {
			require.True(t, strings.HasPrefix(url, s.URL()+"/v23.0/"), url)
			require.Contains(t, url, "limit=25")
			require.Contains(t, url, "fields=")
		}
		require.Less(t, len(pages), 4)
	}
	require.Len(t, pages, 3)
	require.Equal(t, []int{25, 25, 10}, []int{len(pages[0].Data), len(pages[1].Data), len(pages[2].Data)})
	require.Empty(t, pages[2].Paging.Next, "no next on the last page")
	require.Empty(t, pages[0].Paging.Previous, "no previous on the first page")
	require.NotEmpty(t, pages[2].Paging.Previous)
	require.Len(t, names, 60)
	for i, n := range names {
		require.Equal(t, fmt.Sprintf("tpl_%02d", i), n)
	}

	// previous leads back to the second page.
	back, _ := get(pages[2].Paging.Previous)
	require.Len(t, back.Data, 25)
	require.Equal(t, "tpl_25", back.Data[0].Name)

	// The default limit is 25; filters narrow the list.
	p, _ := get(s.URL() + "/v23.0/" + fake.DefaultWABAID + "/message_templates")
	require.Len(t, p.Data, 25)
	require.NotEmpty(t, p.Paging.Next)
	p, _ = get(s.URL() + "/v23.0/" + fake.DefaultWABAID + "/message_templates?name=tpl_07")
	require.Len(t, p.Data, 1)
	require.Empty(t, p.Paging.Next)
	p, raw := get(s.URL() + "/v23.0/" + fake.DefaultWABAID + "/message_templates?status=PAUSED")
	require.Empty(t, p.Data)
	require.JSONEq(t, `{"data":[]}`, string(raw))

	// SetTemplate replaces in place, keeping the id.
	id := pages[0].Data[3].ID
	s.SetTemplate(fake.Template{Name: "tpl_03", Language: "en_US", Category: "MARKETING", Status: "PAUSED"})
	p, _ = get(s.URL() + "/v23.0/" + fake.DefaultWABAID + "/message_templates?limit=5")
	require.Equal(t, "tpl_03", p.Data[3].Name)
	require.Equal(t, id, p.Data[3].ID)
	require.Equal(t, "PAUSED", p.Data[3].Status)
	require.Equal(t, []map[string]any{}, p.Data[3].Components)
}

// receiver is a webhook endpoint that records what it gets.
type receiver struct {
	srv *httptest.Server

	mu      sync.Mutex
	bodies  [][]byte
	headers []http.Header
	failFor int // answer 500 to this many requests first
	calls   int
}

func newReceiver(t *testing.T, failFor int) *receiver {
	t.Helper()
	rc := &receiver{failFor: failFor}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.calls++
		fail := rc.calls <= rc.failFor
		if !fail {
			rc.bodies = append(rc.bodies, body)
			rc.headers = append(rc.headers, r.Header.Clone())
		}
		rc.mu.Unlock()
		if fail {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) got() ([][]byte, []http.Header) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.bodies), slices.Clone(rc.headers)
}

// verify checks the signature the way a hub must: HMAC over the raw bytes.
func verify(t *testing.T, secret string, body []byte, h http.Header) {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	require.Equal(t, want, h.Get("X-Hub-Signature-256"))
	require.Equal(t, "application/json", h.Get("Content-Type"))
	require.NotContains(t, string(body), "\n")
	for _, b := range body {
		require.Less(t, b, byte(0x80), "non-ASCII byte on the wire")
	}
}

// statusOf unpacks a status webhook into its one status object.
func statusOf(t *testing.T, body []byte) map[string]any {
	t.Helper()
	require.True(t, strings.HasPrefix(string(body), `{"object":"whatsapp_business_account","entry":[{"id":"`+fake.DefaultWABAID+`","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"`+fake.DefaultDisplayPhoneNumber+`","phone_number_id":"`+fake.DefaultPhoneNumberID+`"},"statuses":[{"id":"wamid.`), "%s", body)
	require.True(t, strings.HasSuffix(string(body), `}]},"field":"messages"}]}]}`), "%s", body)
	m := decode(t, body)
	entry := m["entry"].([]any)
	require.Len(t, entry, 1)
	e := entry[0].(map[string]any)
	require.NotContains(t, e, "time", "messages entries carry no time")
	ch := e["changes"].([]any)
	require.Len(t, ch, 1)
	v := ch[0].(map[string]any)["value"].(map[string]any)
	require.NotContains(t, v, "contacts")
	sts := v["statuses"].([]any)
	require.Len(t, sts, 1)
	st := sts[0].(map[string]any)
	require.Regexp(t, `^\d{10}$`, st["timestamp"], "timestamp is a string of Unix seconds")
	return st
}

func TestStatusWebhooks(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, 0)
	s := newServer(t, fake.Options{AppSecret: appSecret, WebhookURL: rc.srv.URL, Templates: testTemplates})
	s.SetInbound(userA, time.Now())

	status, _ := post(t, s, mustJSON(with(textMsg(userA, "hi"), "biz_opaque_callback_data", "tracker-1")))
	require.Equal(t, 200, status)
	status, _ = post(t, s, mustJSON(tmplMsg(userB, "order_shipped", "en_US", shippedComps()...)))
	require.Equal(t, 200, status)
	status, _ = post(t, s, mustJSON(tmplMsg(userA, "order_shipped", "en_US", shippedComps()...)))
	require.Equal(t, 200, status)
	require.NoError(t, s.Flush(t.Context()))

	bodies, headers := rc.got()
	require.Len(t, bodies, 9)
	byID := map[string][]map[string]any{}
	for i, b := range bodies {
		verify(t, appSecret, b, headers[i])
		st := statusOf(t, b)
		byID[st["id"].(string)] = append(byID[st["id"].(string)], st)
	}
	sends := s.Sends()
	require.Len(t, sends, 3)
	wantPricing := []map[string]any{
		{"billable": false, "pricing_model": "PMP", "type": "free_customer_service", "category": "service"},
		{"billable": true, "pricing_model": "PMP", "type": "regular", "category": "utility"},
		{"billable": false, "pricing_model": "PMP", "type": "free_customer_service", "category": "utility"}, // utility inside the window
	}
	wantOrigin := []string{"service", "utility", "utility"}
	for i, send := range sends {
		sts := byID[send.ID]
		require.Len(t, sts, 3, send.ID)
		var order []string
		for _, st := range sts {
			order = append(order, st["status"].(string))
			require.Equal(t, send.WaID, st["recipient_id"])
			if st["status"] == "read" {
				require.NotContains(t, st, "conversation")
				require.NotContains(t, st, "pricing")
			} else {
				conv := st["conversation"].(map[string]any)
				require.NotEmpty(t, conv["id"])
				require.Equal(t, map[string]any{"type": wantOrigin[i]}, conv["origin"])
				p := st["pricing"].(map[string]any)
				require.Equal(t, wantPricing[i]["billable"], p["billable"])
				delete(p, "billable")
				want := maps.Clone(wantPricing[i])
				delete(want, "billable")
				require.Equal(t, want, p)
			}
			if i == 0 {
				require.Equal(t, "tracker-1", st["biz_opaque_callback_data"])
			} else {
				require.NotContains(t, st, "biz_opaque_callback_data")
			}
			require.NotContains(t, st, "errors")
		}
		require.Equal(t, []string{"sent", "delivered", "read"}, order)
	}
	ds := s.Deliveries()
	require.Len(t, ds, 9)
	for _, d := range ds {
		require.Equal(t, fake.KindStatus, d.Kind)
		require.Equal(t, 1, d.Attempts)
		require.Equal(t, 200, d.Status)
		require.Empty(t, d.Err)
	}
	require.Zero(t, s.WebhookFailures())
}

func TestFailedDeliveryWebhook(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, 0)
	s := newServer(t, fake.Options{AppSecret: appSecret, WebhookURL: rc.srv.URL})
	s.SetInbound(userA, time.Now())
	s.FailDelivery("+"+userA, 131026)

	status, raw := post(t, s, mustJSON(textMsg(userA, "hi")))
	require.Equal(t, 200, status, "a failed delivery is still accepted: %s", raw)
	require.NoError(t, s.Flush(t.Context()))
	bodies, headers := rc.got()
	require.Len(t, bodies, 1)
	verify(t, appSecret, bodies[0], headers[0])
	st := statusOf(t, bodies[0])
	require.Equal(t, "failed", st["status"])
	require.NotContains(t, st, "conversation")
	require.NotContains(t, st, "pricing")
	require.Equal(t, []any{map[string]any{
		"code":       json.Number("131026"),
		"title":      fake.ErrorTitle(131026),
		"message":    fake.ErrorTitle(131026),
		"error_data": map[string]any{"details": "Unable to deliver message."},
		"href":       "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
	}}, st["errors"])

	s.FailDelivery(userA, 0)
	status, _ = post(t, s, mustJSON(textMsg(userA, "hi")))
	require.Equal(t, 200, status)
	require.NoError(t, s.Flush(t.Context()))
	bodies, _ = rc.got()
	require.Len(t, bodies, 4)
}

func TestStatusesOption(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		statuses []string
		want     []string
	}{
		{"default", nil, []string{"sent", "delivered", "read"}},
		{"read without delivered", []string{"sent", "read"}, []string{"sent", "read"}},
		{"out of order and duplicated", []string{"read", "sent", "sent"}, []string{"read", "sent", "sent"}},
		{"none", []string{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc := newReceiver(t, 0)
			s := newServer(t, fake.Options{WebhookURL: rc.srv.URL, Statuses: tt.statuses, StatusDelay: time.Microsecond})
			s.SetInbound(userA, time.Now())
			status, _ := post(t, s, mustJSON(textMsg(userA, "hi")))
			require.Equal(t, 200, status)
			require.NoError(t, s.Flush(t.Context()))
			bodies, _ := rc.got()
			var got []string
			for _, b := range bodies {
				got = append(got, statusOf(t, b)["status"].(string))
			}
			require.Equal(t, tt.want, got)
		})
	}
	require.Panics(t, func() { fake.New(fake.Options{Statuses: []string{"failed"}}) })
}

func TestNoWebhookURLNoWebhooks(t *testing.T) {
	t.Parallel()
	s := newServer(t, fake.Options{})
	s.SetInbound(userA, time.Now())
	status, _ := post(t, s, mustJSON(textMsg(userA, "hi")))
	require.Equal(t, 200, status)
	require.NoError(t, s.Flush(t.Context()))
	require.Empty(t, s.Deliveries())
	_, err := s.SendInbound(t.Context(), userA, "Ana", "hi")
	require.ErrorIs(t, err, fake.ErrNoWebhookURL)

	rc := newReceiver(t, 0)
	s.SetWebhookURL(rc.srv.URL)
	status, _ = post(t, s, mustJSON(textMsg(userA, "hi")))
	require.Equal(t, 200, status)
	require.NoError(t, s.Flush(t.Context()))
	bodies, _ := rc.got()
	require.Len(t, bodies, 3)
}

func TestWebhookRetries(t *testing.T) {
	t.Parallel()
	t.Run("recovers", func(t *testing.T) {
		t.Parallel()
		rc := newReceiver(t, 2)
		s := newServer(t, fake.Options{AppSecret: appSecret, WebhookURL: rc.srv.URL, Statuses: []string{"sent"}})
		s.SetInbound(userA, time.Now())
		status, _ := post(t, s, mustJSON(textMsg(userA, "hi")))
		require.Equal(t, 200, status)
		require.NoError(t, s.Flush(t.Context()))
		bodies, headers := rc.got()
		require.Len(t, bodies, 1)
		verify(t, appSecret, bodies[0], headers[0])
		ds := s.Deliveries()
		require.Len(t, ds, 1)
		require.Equal(t, 3, ds[0].Attempts)
		require.Equal(t, 200, ds[0].Status)
		require.Equal(t, bodies[0], ds[0].Body)
		require.Zero(t, s.WebhookFailures())
	})
	t.Run("gives up", func(t *testing.T) {
		t.Parallel()
		rc := newReceiver(t, 1000)
		s := newServer(t, fake.Options{WebhookURL: rc.srv.URL, Statuses: []string{"sent", "delivered"}, WebhookAttempts: 2})
		s.SetInbound(userA, time.Now())
		status, _ := post(t, s, mustJSON(textMsg(userA, "hi")))
		require.Equal(t, 200, status)
		require.NoError(t, s.Flush(t.Context()))
		require.Equal(t, 2, s.WebhookFailures())
		for _, d := range s.Deliveries() {
			require.Equal(t, 2, d.Attempts)
			require.Equal(t, 500, d.Status)
			require.Contains(t, d.Err, "500")
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		s := newServer(t, fake.Options{WebhookURL: dead.URL, WebhookAttempts: 2})
		_, err := s.SendInbound(t.Context(), userA, "Ana", "hi")
		require.ErrorIs(t, err, fake.ErrWebhookFailed)
		require.Equal(t, 1, s.WebhookFailures())
		require.Zero(t, s.Deliveries()[0].Status)
	})
}

func TestSendInboundAndMarkRead(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, 0)
	s := newServer(t, fake.Options{AppSecret: appSecret, WebhookURL: rc.srv.URL, Statuses: []string{}})

	// Outside the window a free-form message is refused.
	status, raw := post(t, s, mustJSON(textMsg(userA, "hi")))
	requireMetaError(t, status, raw, 400, 131047, 0, "")

	const text = "café ☕ 😀 <b>&</b>"
	id, err := s.SendInbound(t.Context(), "+"+userA, "Sheena Nelson", text)
	require.NoError(t, err)
	requireWamid(t, id)

	bodies, headers := rc.got()
	require.Len(t, bodies, 1)
	body := bodies[0]
	verify(t, appSecret, body, headers[0])
	require.Contains(t, string(body), `caf\u00e9 \u2615 \ud83d\ude00 <b>&</b>`, "non-ASCII escaped with lower-case hex, HTML left alone")
	require.Regexp(t, `^\{"object":"whatsapp_business_account","entry":\[\{"id":"`+fake.DefaultWABAID+`","changes":\[\{"value":\{"messaging_product":"whatsapp","metadata":\{"display_phone_number":"\d+","phone_number_id":"`+fake.DefaultPhoneNumberID+`"\},"contacts":\[\{"profile":\{"name":"Sheena Nelson"\},"wa_id":"`+userA+`"\}\],"messages":\[\{"from":"`+userA+`","id":"wamid\.[A-Za-z0-9+/=]+","timestamp":"\d{10}","text":\{"body":"[^"]+"\},"type":"text"\}\]\},"field":"messages"\}\]\}\]\}$`, string(body))
	m := decode(t, body)
	msg := m["entry"].([]any)[0].(map[string]any)["changes"].([]any)[0].(map[string]any)["value"].(map[string]any)["messages"].([]any)[0].(map[string]any)
	require.Equal(t, text, msg["text"].(map[string]any)["body"])
	require.Equal(t, id, msg["id"])

	// The inbound message opened the window.
	status, raw = post(t, s, mustJSON(textMsg(userA, "Sure, in blue too")))
	require.Equal(t, 200, status, "%s", raw)
	outbound := s.Sends()[0].ID

	tests := []struct {
		name       string
		id         string
		extra      map[string]any
		wantStatus int
		wantCode   int
	}{
		{"inbound message", id, nil, 200, 0},
		{"with a typing indicator", id, map[string]any{"typing_indicator": map[string]any{"type": "text"}}, 200, 0},
		{"bad typing indicator", id, map[string]any{"typing_indicator": map[string]any{"type": "audio"}}, 400, 131009},
		{"our own outbound message", outbound, nil, 400, 131009},
		{"registered with MarkReadable", "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA", nil, 200, 0},
	}
	s.MarkReadable("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA")
	var want []string
	for _, tt := range tests {
		body := map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": tt.id}
		maps.Copy(body, tt.extra)
		status, raw := post(t, s, mustJSON(body))
		if tt.wantCode != 0 {
			requireMetaError(t, status, raw, tt.wantStatus, tt.wantCode, 0, "")
			continue
		}
		require.Equal(t, 200, status, "%s: %s", tt.name, raw)
		require.JSONEq(t, `{"success":true}`, string(raw))
		want = append(want, tt.id)
	}
	require.Equal(t, want, s.MarkedRead())
	require.Len(t, s.Sends(), 1, "mark-read requests are not sends")
}

func TestWindow(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := newServer(t, fake.Options{Now: clk.Now, Templates: testTemplates})
	t0 := clk.Now()
	s.SetInbound(userA, t0)

	steps := []struct {
		name     string
		at       time.Duration // since t0
		to       string
		body     func(to string) map[string]any
		wantCode int
	}{
		{"text just after the inbound", time.Minute, userA, func(to string) map[string]any { return textMsg(to, "hi") }, 0},
		{"text to someone who never wrote", time.Minute, userB, func(to string) map[string]any { return textMsg(to, "hi") }, 131047},
		{"template to someone who never wrote", time.Minute, userB, func(to string) map[string]any { return tmplMsg(to, "hello", "pt_BR") }, 0},
		{"interactive at 23h59m", 24*time.Hour - time.Minute, userA, func(to string) map[string]any { return interactiveMsg(to, replyButtons("a")) }, 0},
		{"text at 24h", 24 * time.Hour, userA, func(to string) map[string]any { return textMsg(to, "hi") }, 131047},
		{"template at 25h", 25 * time.Hour, userA, func(to string) map[string]any { return tmplMsg(to, "hello", "pt_BR") }, 0},
		{"template did not reopen the window", 25 * time.Hour, userA, func(to string) map[string]any { return textMsg(to, "hi") }, 131047},
	}
	for _, st := range steps {
		clk.Advance(t0.Add(st.at).Sub(clk.Now()))
		status, raw := post(t, s, mustJSON(st.body(st.to)))
		if st.wantCode == 0 {
			require.Equal(t, 200, status, "%s: %s", st.name, raw)
		} else {
			requireMetaError(t, status, raw, 400, st.wantCode, 0, "")
		}
	}

	// A new inbound message reopens it.
	s.SetInbound(userA, clk.Now())
	status, raw := post(t, s, mustJSON(textMsg(userA, "hi")))
	require.Equal(t, 200, status, "%s", raw)
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := newServer(t, fake.Options{Now: clk.Now, MessagesPerSecond: 20})
	user := func(i int) string { return fmt.Sprintf("1650555%04d", i) }
	for i := range 100 {
		s.SetInbound(user(i), clk.Now())
	}
	n := 0
	sendOne := func() (int, []byte) {
		n++
		return post(t, s, mustJSON(textMsg(user(n), "hi")))
	}

	// The burst is the rate: 20 pass, then 130429 with HTTP 400.
	for i := range 25 {
		status, raw := sendOne()
		if i < 20 {
			require.Equal(t, 200, status, "send %d: %s", i, raw)
		} else {
			requireMetaError(t, status, raw, 400, 130429, 0, "throughput")
		}
	}
	// Over the rate, a bad request still gets 130429: rate limits come first.
	status, raw := post(t, s, mustJSON(with(textMsg(user(1), "x"), "text", nil)))
	requireMetaError(t, status, raw, 400, 130429, 0, "")

	// 100 ms earn two tokens; a refused request spends none of them.
	clk.Advance(100 * time.Millisecond)
	status, raw = post(t, s, mustJSON(with(textMsg(user(1), "x"), "text", nil)))
	requireMetaError(t, status, raw, 400, 131008, 0, "")
	for i := range 3 {
		status, raw := sendOne()
		if i < 2 {
			require.Equal(t, 200, status, "%s", raw)
		} else {
			requireMetaError(t, status, raw, 400, 130429, 0, "")
		}
	}

	// Off, then a new rate starting with a full burst.
	s.Throttle(0)
	for range 30 {
		status, raw := sendOne()
		require.Equal(t, 200, status, "%s", raw)
	}
	s.Throttle(5)
	for i := range 6 {
		status, raw := sendOne()
		if i < 5 {
			require.Equal(t, 200, status, "%s", raw)
		} else {
			requireMetaError(t, status, raw, 400, 130429, 0, "")
		}
	}
	require.Len(t, s.Sends(), 20+2+30+5)
}

func TestPairRate(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := newServer(t, fake.Options{Now: clk.Now, PairPerSecond: 1.0 / 6, PairBurst: 3})
	s.SetInbound(userA, clk.Now())
	s.SetInbound(userB, clk.Now())
	for i := range 4 {
		status, raw := post(t, s, mustJSON(textMsg(userA, "hi")))
		if i < 3 {
			require.Equal(t, 200, status, "%s", raw)
		} else {
			requireMetaError(t, status, raw, 400, 131056, 0, "same recipient")
		}
	}
	status, raw := post(t, s, mustJSON(textMsg(userB, "hi")))
	require.Equal(t, 200, status, "other recipients are not affected: %s", raw)
	clk.Advance(6 * time.Second)
	status, raw = post(t, s, mustJSON(textMsg(userA, "hi")))
	require.Equal(t, 200, status, "%s", raw)
	status, raw = post(t, s, mustJSON(textMsg(userA, "hi")))
	requireMetaError(t, status, raw, 400, 131056, 0, "")
}

func hammerClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
}

func TestConcurrentSendsRespectTheRate(t *testing.T) {
	t.Parallel()
	const rate, burst, n = 20.0, 20.0, 2000
	s := newServer(t, fake.Options{MessagesPerSecond: rate})
	for i := range n {
		s.SetInbound(fmt.Sprintf("1650666%04d", i), time.Now())
	}
	client := hammerClient()
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, messagesURL(s), strings.NewReader(mustJSON(textMsg(fmt.Sprintf("1650666%04d", i), "hi"))))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				mu.Lock()
				codes[-1]++
				mu.Unlock()
				return
			}
			raw, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			code := 0
			if resp.StatusCode != 200 {
				var e struct {
					Error struct {
						Code int `json:"code"`
					} `json:"error"`
				}
				_ = json.Unmarshal(raw, &e)
				code = e.Error.Code
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		})
		if i%500 == 0 {
			_ = s.Sends() // inspection alongside traffic
		}
	}
	wg.Wait()
	require.Zero(t, codes[-1], "transport errors")
	require.Equal(t, n, codes[0]+codes[130429], "codes: %v", codes)
	require.Positive(t, codes[130429], "some sends must be throttled: %v", codes)
	require.GreaterOrEqual(t, codes[0], int(burst))

	sends := s.Sends()
	require.Len(t, sends, codes[0])
	require.Len(t, s.Requests(), n)
	at := make([]time.Time, len(sends))
	for i, sd := range sends {
		at[i] = sd.At
	}
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	// A token bucket admits at most burst + rate*d sends in any span d; so no
	// 1-second window holds more than burst + rate.
	maxInSecond := 0
	for i := range at {
		for j := i; j < len(at); j++ {
			d := at[j].Sub(at[i]).Seconds()
			require.LessOrEqual(t, float64(j-i+1), burst+rate*d+1e-6, "%d sends within %.3fs", j-i+1, d)
			if d < 1 {
				maxInSecond = max(maxInSecond, j-i+1)
			}
		}
	}
	require.LessOrEqual(t, maxInSecond, int(burst+rate))
	t.Logf("accepted %d, throttled %d, most in one second %d", codes[0], codes[130429], maxInSecond)
}

func TestConcurrentSendsWithWebhooks(t *testing.T) {
	t.Parallel()
	const n = 2000
	rc := newReceiver(t, 0)
	s := newServer(t, fake.Options{AppSecret: appSecret, WebhookURL: rc.srv.URL, Statuses: []string{"sent"}, Templates: testTemplates})
	client := hammerClient()
	var wg sync.WaitGroup
	var failed sync.Map
	for i := range n {
		wg.Go(func() {
			body := mustJSON(tmplMsg(fmt.Sprintf("1650777%04d", i), "hello", "pt_BR"))
			req, _ := http.NewRequest(http.MethodPost, messagesURL(s), strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				failed.Store(i, err.Error())
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != 200 {
				failed.Store(i, resp.Status)
			}
		})
		if i%400 == 0 {
			s.SetTemplate(fake.Template{Name: fmt.Sprintf("extra_%d", i), Language: "en_US", Status: "APPROVED"})
			_ = s.Deliveries()
		}
	}
	wg.Wait()
	failed.Range(func(k, v any) bool { t.Errorf("send %v: %v", k, v); return true })
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	require.NoError(t, s.Flush(ctx))
	bodies, _ := rc.got()
	retries := 0
	for _, d := range s.Deliveries() {
		require.Empty(t, d.Err)
		if d.Attempts > 1 {
			retries += d.Attempts - 1
			t.Logf("a delivery took %d attempts", d.Attempts)
		}
	}
	require.GreaterOrEqual(t, len(bodies), n)
	ids := map[string]bool{}
	for _, sd := range s.Sends() {
		ids[sd.ID] = true
	}
	require.Len(t, ids, n)
	known := maps.Clone(ids)
	for _, b := range bodies {
		var env struct {
			Entry []struct {
				Changes []struct {
					Value struct {
						Statuses []struct {
							ID string `json:"id"`
						} `json:"statuses"`
					} `json:"value"`
				} `json:"changes"`
			} `json:"entry"`
		}
		require.NoError(t, json.Unmarshal(b, &env))
		id := env.Entry[0].Changes[0].Value.Statuses[0].ID
		require.True(t, known[id], id)
		delete(ids, id)
	}
	require.Empty(t, ids, "every send got its status webhook")
	// A webhook arrives twice only when a retry followed an attempt whose
	// answer was lost (Meta's delivery is at-least-once too).
	require.LessOrEqual(t, len(bodies)-n, retries)
}

func TestFailNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code       int
		wantStatus int
	}{
		{131016, 500},
		{131000, 500},
		{2, 503},
		{190, 401},
		{368, 403},
		{132001, 404},
		{130429, 400},
		{131056, 400},
		{131047, 400},
		{80007, 400},
		{131057, 500},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			t.Parallel()
			s := newServer(t, fake.Options{})
			s.SetInbound(userA, time.Now())
			s.MarkReadable("wamid.in")
			s.FailNext(2, tt.code)

			// A mark-read does not use up FailNext.
			status, raw := post(t, s, mustJSON(map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.in"}))
			require.Equal(t, 200, status, "%s", raw)
			// Neither does a request refused before it (bad token).
			status, raw = call(t, nil, http.MethodPost, messagesURL(s), "Bearer bad", mustJSON(textMsg(userA, "hi")))
			requireMetaError(t, status, raw, 401, 190, 0, "")

			for range 2 {
				status, raw := post(t, s, mustJSON(textMsg(userA, "hi")))
				requireMetaError(t, status, raw, tt.wantStatus, tt.code, 0, "")
				require.Equal(t, tt.wantStatus, fake.ErrorHTTPStatus(tt.code))
			}
			status, raw = post(t, s, mustJSON(textMsg(userA, "hi")))
			require.Equal(t, 200, status, "%s", raw)
			require.Len(t, s.Sends(), 1)

			reqs := s.Requests()
			require.Len(t, reqs, 5)
			require.Equal(t, []int{0, 190, tt.code, tt.code, 0}, []int{reqs[0].Code, reqs[1].Code, reqs[2].Code, reqs[3].Code, reqs[4].Code})
		})
	}
}

func TestTemplateStatusWebhook(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, 0)
	s := newServer(t, fake.Options{AppSecret: appSecret, WebhookURL: rc.srv.URL, Templates: testTemplates, Statuses: []string{}})
	send := func() (int, []byte) {
		return post(t, s, mustJSON(tmplMsg(userA, "order_shipped", "en_US", shippedComps()...)))
	}

	require.NoError(t, s.SetTemplateStatus(t.Context(), "order_shipped", "en_US", "PAUSED", true))
	bodies, headers := rc.got()
	require.Len(t, bodies, 1)
	verify(t, appSecret, bodies[0], headers[0])
	require.Regexp(t, `^\{"object":"whatsapp_business_account","entry":\[\{"id":"`+fake.DefaultWABAID+`","time":\d{10},"changes":\[\{"value":\{"event":"PAUSED","message_template_id":\d+,"message_template_name":"order_shipped","message_template_language":"en_US","reason":"NONE","message_template_category":"UTILITY"\},"field":"message_template_status_update"\}\]\}\]\}$`, string(bodies[0]))
	status, raw := send()
	requireMetaError(t, status, raw, 400, 132015, 0, "")

	require.NoError(t, s.SetTemplateStatus(t.Context(), "order_shipped", "en_US", "DISABLED", false))
	bodies, _ = rc.got()
	require.Len(t, bodies, 1, "no webhook without notify")
	status, raw = send()
	requireMetaError(t, status, raw, 400, 132016, 0, "")

	require.NoError(t, s.SetTemplateStatus(t.Context(), "order_shipped", "en_US", "APPROVED", true))
	status, raw = send()
	require.Equal(t, 200, status, "%s", raw)

	require.NoError(t, s.SetTemplateStatus(t.Context(), "order_shipped", "en_US", "REJECTED", true))
	bodies, _ = rc.got()
	require.Contains(t, string(bodies[len(bodies)-1]), `"reason":"INVALID_FORMAT"`)

	err := s.SetTemplateStatus(t.Context(), "nope", "en_US", "APPROVED", true)
	require.ErrorIs(t, err, fake.ErrUnknownTemplate)
}

func TestSign(t *testing.T) {
	t.Parallel()
	// shared/contracts/meta.md §1.1 and §1.4.
	require.Equal(t, "sha256=0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221", fake.Sign("TEST_APP_SECRET", []byte("test")))
	require.Equal(t, "sha256=98f93fb20dd991e9ab61a27f4f708fdc9045e56fe71b03261585b52977baade1", fake.Sign("TEST_APP_SECRET", []byte(`{"text":"caf\u00e9"}`)))
}

func TestCloseAndFlush(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, 0)
	s := fake.New(fake.Options{WebhookURL: rc.srv.URL, StatusDelay: time.Hour})
	s.SetInbound(userA, time.Now())
	status, _ := post(t, s, mustJSON(textMsg(userA, "hi")))
	require.Equal(t, 200, status)

	// The later statuses are an hour away: Flush honours its context.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, s.Flush(ctx), context.Canceled)

	s.Close()
	s.Close()
	require.NoError(t, s.Flush(t.Context()), "Close drops queued webhooks")
	require.Zero(t, s.WebhookFailures())
}

func TestErrorTable(t *testing.T) {
	t.Parallel()
	for code, want := range map[int]int{100: 400, 131008: 400, 131009: 400, 132000: 400, 131026: 400, 200: 403, 250: 403, 10: 403, 0: 401, 3: 500, 133004: 503, 999999: 400} {
		require.Equal(t, want, fake.ErrorHTTPStatus(code), "code %d", code)
	}
	require.Equal(t, "Rate limit hit", fake.ErrorTitle(130429))
	require.Equal(t, "Re-engagement message", fake.ErrorTitle(131047))
	require.Regexp(t, regexp.MustCompile(`\S`), fake.ErrorTitle(424242))
}
