package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/event"
)

var testNow = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func tmpl(name, lang, status, category, components string) connectors.Template {
	t, err := withCounts(connectors.Template{Connector: Name, Name: name, Language: lang, Status: status, Category: category,
		ParameterFormat: "POSITIONAL", Components: json.RawMessage(components)})
	if err != nil {
		panic(err)
	}
	return t
}

const shippingComponents = `[{"type":"HEADER","format":"TEXT","text":"Order {{1}}"},
 {"type":"BODY","text":"Hi {{1}}, your order {{2}} is on its way with {{3}}."},
 {"type":"FOOTER","text":"Reply STOP to opt out"},
 {"type":"BUTTONS","buttons":[{"type":"URL","text":"Track","url":"https://track.example/{{1}}"},{"type":"QUICK_REPLY","text":"Stop"}]}]`

// newOutboundConnector has a loaded registry and a fixed clock.
func newOutboundConnector(t testing.TB, ts ...connectors.Template) *Connector {
	t.Helper()
	c, err := New(Config{AppSecret: testSecret, VerifyToken: testVerifyToken, PhoneNumberID: "1234", AccessToken: "tok", WABAID: "waba"},
		Deps{Now: func() time.Time { return testNow }})
	require.NoError(t, err)
	c.templates.replace(ts, testNow)
	return c
}

func contactWrote(ago time.Duration) *event.Contact {
	c := &event.Contact{ID: "c1", Phone: "+61412345678"}
	if ago >= 0 {
		at := testNow.Add(-ago)
		c.LastInbound = &at
	}
	return c
}

func TestTemplateShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		components            string
		header, body, buttons int
		bodyText              string
	}{
		{"shipping", shippingComponents, 1, 3, 1, "Hi {{1}}, your order {{2}} is on its way with {{3}}."},
		{"repeated placeholder counts once", `[{"type":"BODY","text":"{{1}} and {{1}} and {{2}}"}]`, 0, 2, 0, "{{1}} and {{1}} and {{2}}"},
		{"named", `[{"type":"BODY","text":"Thanks {{customer_name}}, order {{ order_number }}"}]`, 0, 2, 0, "Thanks {{customer_name}}, order {{ order_number }}"},
		{"image header", `[{"type":"HEADER","format":"IMAGE"},{"type":"BODY","text":"Sale!"}]`, 1, 0, 0, "Sale!"},
		{"no components", ``, 0, 0, 0, ""},
		{"url button without placeholder", `[{"type":"BUTTONS","buttons":[{"type":"URL","url":"https://x"}]}]`, 0, 0, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tp := tmpl("x", "en", "APPROVED", "UTILITY", tc.components)
			require.Equal(t, tc.header, tp.HeaderParams)
			require.Equal(t, tc.body, tp.BodyParams)
			require.Equal(t, tc.buttons, tp.ButtonParams)
			require.Equal(t, tc.bodyText, tp.BodyText)
		})
	}
	_, err := withCounts(connectors.Template{Name: "bad", Components: json.RawMessage(`{"not":"a list"}`)})
	require.ErrorContains(t, err, "template bad")
}

func TestPlanEnforcesWindowAndTemplates(t *testing.T) {
	t.Parallel()
	c := newOutboundConnector(t,
		tmpl("shipping_update", "en_AU", "APPROVED", "UTILITY", shippingComponents),
		tmpl("spring_sale", "en_AU", "APPROVED", "MARKETING", `[{"type":"BODY","text":"Sale, {{1}}!"}]`),
		tmpl("spring_sale", "en_US", "APPROVED", "MARKETING", `[{"type":"BODY","text":"Sale, {{1}}!"}]`),
		tmpl("pending_one", "en_AU", "PENDING", "UTILITY", `[{"type":"BODY","text":"Hi"}]`),
		tmpl("paused_one", "en_AU", "PAUSED", "MARKETING", `[{"type":"BODY","text":"Hi"}]`),
		tmpl("named", "en", "APPROVED", "UTILITY", `[{"type":"BODY","text":"Thanks {{customer_name}}, order {{order_number}}"}]`),
	)
	c.templates.byKey[templateKey{"named", "en"}].ParameterFormat = "NAMED"
	shipping := map[string]any{"template": "shipping_update", "language": "en_AU", "header": "#1001",
		"body": []any{"Ana", "#1001", "DHL"}, "buttons": []any{"1001"}}
	with := func(base map[string]any, kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
			} else {
				m[kv[i].(string)] = kv[i+1]
			}
		}
		return m
	}
	tests := []struct {
		name      string
		action    string
		params    map[string]any
		contact   *event.Contact
		wantClass connectors.Class
		wantCode  string // reason; "" = ok
		wantMsg   string
		wantInfo  connectors.MessageInfo
	}{
		{"template ok", ActionSendTemplate, shipping, contactWrote(-1), 0, "", "",
			connectors.MessageInfo{Channel: Name, Purpose: "transactional", Template: "shipping_update", TemplateLanguage: "en_AU", TemplateCategory: "UTILITY"}},
		{"marketing template", ActionSendTemplate, map[string]any{"template": "spring_sale", "language": "en_US", "body": []any{"Ana"}}, contactWrote(-1), 0, "", "",
			connectors.MessageInfo{Channel: Name, Purpose: "marketing", Template: "spring_sale", TemplateLanguage: "en_US", TemplateCategory: "MARKETING"}},
		{"step purpose wins", ActionSendTemplate, with(shipping, "purpose", "marketing"), contactWrote(-1), 0, "", "",
			connectors.MessageInfo{Channel: Name, Purpose: "marketing", Template: "shipping_update", TemplateLanguage: "en_AU", TemplateCategory: "UTILITY"}},
		{"language inferred when only one", ActionSendTemplate, with(shipping, "language", nil), contactWrote(-1), 0, "", "",
			connectors.MessageInfo{Channel: Name, Purpose: "transactional", Template: "shipping_update", TemplateLanguage: "en_AU", TemplateCategory: "UTILITY"}},
		{"language needed when several", ActionSendTemplate, map[string]any{"template": "spring_sale", "body": []any{"Ana"}}, nil, connectors.ClassBlocked, ReasonTemplateNotFound, "several languages (en_AU, en_US)", connectors.MessageInfo{}},
		{"unknown template", ActionSendTemplate, with(shipping, "template", "shiping_update"), nil, connectors.ClassBlocked, ReasonTemplateNotFound, `no template named "shiping_update"`, connectors.MessageInfo{}},
		{"missing translation", ActionSendTemplate, with(shipping, "language", "ro"), nil, connectors.ClassBlocked, ReasonTemplateNotFound, "has no ro translation (it has en_AU)", connectors.MessageInfo{}},
		{"pending template", ActionSendTemplate, map[string]any{"template": "pending_one", "language": "en_AU"}, nil, connectors.ClassBlocked, ReasonTemplateNotApprov, "is PENDING, not APPROVED", connectors.MessageInfo{}},
		{"paused template", ActionSendTemplate, map[string]any{"template": "paused_one", "language": "en_AU"}, nil, connectors.ClassBlocked, ReasonTemplateNotApprov, "is PAUSED", connectors.MessageInfo{}},
		{"missing body parameter", ActionSendTemplate, with(shipping, "body", []any{"Ana", "#1001"}), nil, connectors.ClassBlocked, ReasonTemplateParams, "expects 3 parameter(s) ({{1}}, {{2}}, {{3}}); the step gives 2", connectors.MessageInfo{}},
		{"missing header", ActionSendTemplate, with(shipping, "header", nil), nil, connectors.ClassBlocked, ReasonTemplateParams, "parameter header", connectors.MessageInfo{}},
		{"missing url button", ActionSendTemplate, with(shipping, "buttons", nil), nil, connectors.ClassBlocked, ReasonTemplateParams, "button 0 is a URL", connectors.MessageInfo{}},
		{"map for positional", ActionSendTemplate, with(shipping, "body", map[string]any{"1": "Ana"}), nil, connectors.ClassBlocked, ReasonTemplateParams, "give a list", connectors.MessageInfo{}},
		{"named ok", ActionSendTemplate, map[string]any{"template": "named", "body": map[string]any{"customer_name": "Ana", "order_number": 1001.0}}, nil, 0, "", "",
			connectors.MessageInfo{Channel: Name, Purpose: "transactional", Template: "named", TemplateLanguage: "en", TemplateCategory: "UTILITY"}},
		{"named missing", ActionSendTemplate, map[string]any{"template": "named", "body": map[string]any{"customer_name": "Ana"}}, nil, connectors.ClassBlocked, ReasonTemplateParams, "{{order_number}} is missing", connectors.MessageInfo{}},
		{"text inside window", ActionSendText, map[string]any{"body": "hi"}, contactWrote(23 * time.Hour), 0, "", "", connectors.MessageInfo{Channel: Name}},
		{"text outside window", ActionSendText, map[string]any{"body": "hi"}, contactWrote(25 * time.Hour), connectors.ClassBlocked, ReasonOutsideWindow, "last wrote at 2026-11-23T09:00:00Z", connectors.MessageInfo{}},
		{"text never wrote", ActionSendText, map[string]any{"body": "hi"}, contactWrote(-1), connectors.ClassBlocked, ReasonOutsideWindow, "never written", connectors.MessageInfo{}},
		{"text to another number", ActionSendText, map[string]any{"body": "hi", "to": "+61400000000"}, contactWrote(-1), 0, "", "", connectors.MessageInfo{Channel: Name}},
		{"fallback template outside window", ActionSendText, map[string]any{"body": "hi", "fallback_template": shipping}, contactWrote(48 * time.Hour), 0, "", "",
			connectors.MessageInfo{Channel: Name, Purpose: "transactional", Template: "shipping_update", TemplateLanguage: "en_AU", TemplateCategory: "UTILITY", Fallback: true}},
		{"fallback must be approved too", ActionSendInteractive, map[string]any{"body": "hi", "buttons": []any{"Yes"}, "fallback_template": map[string]any{"template": "pending_one", "language": "en_AU"}}, contactWrote(48 * time.Hour), connectors.ClassBlocked, ReasonTemplateNotApprov, "PENDING", connectors.MessageInfo{}},
		{"interactive inside window", ActionSendInteractive, map[string]any{"body": "Pick", "buttons": []any{"Yes", map[string]any{"id": "no", "title": "No"}}}, contactWrote(time.Hour), 0, "", "", connectors.MessageInfo{Channel: Name}},
		{"four buttons", ActionSendInteractive, map[string]any{"body": "Pick", "buttons": []any{"a", "b", "c", "d"}}, contactWrote(time.Hour), connectors.ClassPermanent, ReasonInvalid, "parameter buttons: has 4 buttons", connectors.MessageInfo{}},
		{"no recipient", ActionSendText, map[string]any{"body": "hi"}, &event.Contact{}, connectors.ClassPermanent, ReasonInvalid, "parameter to", connectors.MessageInfo{}},
		{"bad purpose", ActionSendText, map[string]any{"body": "hi", "purpose": "spam"}, contactWrote(time.Hour), connectors.ClassPermanent, ReasonInvalid, "parameter purpose", connectors.MessageInfo{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := tc.contact
			if ct == nil {
				ct = contactWrote(-1)
			}
			info, err := c.describe(context.Background(), tc.action, connectors.Request{RunID: "r", StepID: "s", Params: tc.params, Contact: ct})
			if tc.wantCode == "" {
				require.NoError(t, err)
				require.Equal(t, tc.wantInfo, info)
				return
			}
			require.Error(t, err)
			class, _, reason := connectors.Classify(err)
			require.Equal(t, tc.wantClass, class, err.Error())
			require.Equal(t, tc.wantCode, reason, err.Error())
			require.Contains(t, err.Error(), tc.wantMsg)
		})
	}
}

func TestBuildTemplateBody(t *testing.T) {
	t.Parallel()
	c := newOutboundConnector(t, tmpl("shipping_update", "en_AU", "APPROVED", "UTILITY", shippingComponents))
	m, err := c.plan(context.Background(), ActionSendTemplate, connectors.Request{RunID: "run1", StepID: "notify", Contact: contactWrote(-1),
		Params: map[string]any{"template": "shipping_update", "language": "en_AU", "header": "#1001", "body": []any{"Ana", 1001.0, "DHL"},
			"buttons": []any{map[string]any{"index": 0, "text": "1001"}, map[string]any{"index": "1", "sub_type": "quick_reply", "payload": "STOP"}}}})
	require.NoError(t, err)
	got, err := json.Marshal(m.body)
	require.NoError(t, err)
	require.JSONEq(t, `{"messaging_product":"whatsapp","recipient_type":"individual","to":"61412345678","type":"template",
	 "biz_opaque_callback_data":"run1/notify",
	 "template":{"name":"shipping_update","language":{"code":"en_AU"},"components":[
	  {"type":"header","parameters":[{"type":"text","text":"#1001"}]},
	  {"type":"body","parameters":[{"type":"text","text":"Ana"},{"type":"text","text":"1001"},{"type":"text","text":"DHL"}]},
	  {"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"1001"}]},
	  {"type":"button","sub_type":"quick_reply","index":"1","parameters":[{"type":"payload","payload":"STOP"}]}]}}`, string(got))
}

func TestBuildMessages(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return string(make([]rune, n)) }
	tests := []struct {
		name    string
		build   func() (map[string]any, error)
		want    string
		wantErr string
	}{
		{"text", func() (map[string]any, error) { return buildText("614", "Hi & <b>", true, "wamid.X") },
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"614","type":"text","text":{"body":"Hi & <b>","preview_url":true},"context":{"message_id":"wamid.X"}}`, ""},
		{"empty text", func() (map[string]any, error) { return buildText("614", "  ", false, "") }, "", "parameter body: is empty"},
		{"long text", func() (map[string]any, error) { return buildText("614", "x"+string(make([]byte, 4096)), false, "") }, "", "WhatsApp allows 4096"},
		{"buttons", func() (map[string]any, error) {
			return buildInteractive("614", interactiveSend{Body: "Pick", Header: "H", Footer: "F", Buttons: []any{"Yes", map[string]any{"id": "n", "title": "No"}}})
		}, `{"messaging_product":"whatsapp","recipient_type":"individual","to":"614","type":"interactive","interactive":{"type":"button",
		  "header":{"type":"text","text":"H"},"body":{"text":"Pick"},"footer":{"text":"F"},
		  "action":{"buttons":[{"type":"reply","reply":{"id":"Yes","title":"Yes"}},{"type":"reply","reply":{"id":"n","title":"No"}}]}}}`, ""},
		{"duplicate titles", func() (map[string]any, error) {
			return buildInteractive("614", interactiveSend{Body: "Pick", Buttons: []any{"Yes", "Yes"}})
		}, "", "appears twice"},
		{"long title", func() (map[string]any, error) {
			return buildInteractive("614", interactiveSend{Body: "Pick", Buttons: []any{"A title longer than twenty"}})
		}, "", "longer than 20"},
		{"list", func() (map[string]any, error) {
			return buildInteractive("614", interactiveSend{Body: "Ship?", List: map[string]any{"button": "Options", "sections": []any{
				map[string]any{"title": "Fast", "rows": []any{map[string]any{"id": "x", "title": "Express", "description": "1 day"}}}}}})
		}, `{"messaging_product":"whatsapp","recipient_type":"individual","to":"614","type":"interactive","interactive":{"type":"list",
		  "body":{"text":"Ship?"},"action":{"button":"Options","sections":[{"title":"Fast","rows":[{"id":"x","title":"Express","description":"1 day"}]}]}}}`, ""},
		{"list too many rows", func() (map[string]any, error) {
			rows := []any{}
			for range 11 {
				rows = append(rows, map[string]any{"title": "r"})
			}
			return buildInteractive("614", interactiveSend{Body: "b", List: map[string]any{"button": "B", "sections": []any{map[string]any{"rows": rows}}}})
		}, "", "11 rows"},
		{"list long description", func() (map[string]any, error) {
			return buildInteractive("614", interactiveSend{Body: "b", List: map[string]any{"button": "B", "sections": []any{map[string]any{"rows": []any{map[string]any{"title": "t", "description": long(73)}}}}}})
		}, "", "list.sections[0].rows[0].description"},
		{"neither buttons nor list", func() (map[string]any, error) { return buildInteractive("614", interactiveSend{Body: "b"}) }, "", "give buttons"},
		{"mark read", func() (map[string]any, error) { return buildMarkRead("wamid.1", true) },
			`{"messaging_product":"whatsapp","status":"read","message_id":"wamid.1","typing_indicator":{"type":"text"}}`, ""},
		{"mark read without id", func() (map[string]any, error) { return buildMarkRead("", false) }, "", "message_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.build()
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				var pe *paramError
				require.True(t, errors.As(err, &pe))
				return
			}
			require.NoError(t, err)
			got, err := json.Marshal(m)
			require.NoError(t, err)
			require.JSONEq(t, tc.want, string(got))
		})
	}
}

func TestClassifyMeta(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code      int
		status    int
		attempt   int
		wantClass connectors.Class
		wantWhy   string
		wantAfter time.Duration
	}{
		{130429, 400, 1, connectors.ClassRetryable, ReasonRateLimited, time.Second},
		{80007, 400, 1, connectors.ClassRetryable, ReasonRateLimited, time.Second},
		{131056, 400, 1, connectors.ClassRetryable, ReasonPairRateLimited, time.Second},
		{131056, 400, 3, connectors.ClassRetryable, ReasonPairRateLimited, 16 * time.Second},
		{131047, 400, 1, connectors.ClassBlocked, ReasonOutsideWindow, 0},
		{131050, 400, 1, connectors.ClassPermanent, ReasonMarketingOptOut, 0},
		{131026, 400, 1, connectors.ClassPermanent, ReasonUndeliverable, 0},
		{132000, 400, 1, connectors.ClassPermanent, ReasonTemplate, 0},
		{132001, 404, 1, connectors.ClassPermanent, ReasonTemplate, 0},
		{132015, 400, 1, connectors.ClassPermanent, ReasonTemplate, 0},
		{132016, 400, 1, connectors.ClassPermanent, ReasonTemplate, 0},
		{190, 401, 1, connectors.ClassPermanent, ReasonAuth, 0},
		{131016, 500, 1, connectors.ClassRetryable, ReasonProviderUnavail, time.Second},
		{2, 503, 1, connectors.ClassRetryable, ReasonProviderUnavail, time.Second},
		{368, 403, 1, connectors.ClassPermanent, ReasonPolicy, 0},
		{250, 403, 1, connectors.ClassPermanent, ReasonConfig, 0},
		{999999, 500, 1, connectors.ClassRetryable, ReasonProviderUnavail, time.Second},
		{999999, 400, 1, connectors.ClassPermanent, "meta_999999", 0},
	}
	for _, tc := range tests {
		body := []byte(`{"error":{"message":"(#` + itoa(tc.code) + `) x","type":"OAuthException","code":` + itoa(tc.code) + `,"error_data":{"messaging_product":"whatsapp","details":"d"},"fbtrace_id":"A"}}`)
		me, ok := parseMetaError(tc.status, body)
		require.True(t, ok)
		err := classifyMeta(me, tc.attempt)
		class, after, reason := connectors.Classify(err)
		require.Equal(t, tc.wantClass, class, "code %d", tc.code)
		require.Equal(t, tc.wantWhy, reason, "code %d", tc.code)
		require.Equal(t, tc.wantAfter, after, "code %d", tc.code)
		var got *MetaError
		require.True(t, errors.As(err, &got))
		require.Equal(t, tc.code, got.Code)
	}
	for _, body := range []string{``, `not json`, `{"error":{}}`, `{"errors":[1]}`} {
		_, ok := parseMetaError(500, []byte(body))
		require.False(t, ok, body)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestPairBackoffIsCapped(t *testing.T) {
	t.Parallel()
	require.Equal(t, time.Second, pairBackoff(1))
	require.Equal(t, 4*time.Second, pairBackoff(2))
	require.Equal(t, 16*time.Minute, pairBackoff(50))
}

func TestLimiterPairWaitIsHandedBack(t *testing.T) {
	t.Parallel()
	l := newLimiter(1000, time.Now)
	ctx := context.Background()
	for range pairBurst {
		require.NoError(t, l.wait(ctx, "614"))
	}
	err := l.wait(ctx, "614")
	class, after, reason := connectors.Classify(err)
	require.Equal(t, connectors.ClassRetryable, class)
	require.Equal(t, ReasonPairRateLimited, reason)
	require.Greater(t, after, 4*time.Second)
	require.NoError(t, l.wait(ctx, "615"), "other recipients are unaffected")

	l.throttled()
	require.InDelta(t, 700, l.rate(), 0.001)
	for range 200 {
		l.succeeded()
	}
	require.InDelta(t, 1000, l.rate(), 0.001, "the rate climbs back, never above the configured one")
}

func BenchmarkBuildTemplateSend(b *testing.B) {
	c := newOutboundConnector(b, tmpl("shipping_update", "en_AU", "APPROVED", "UTILITY", shippingComponents))
	req := connectors.Request{RunID: "01JDRUN", StepID: "notify", Contact: contactWrote(-1),
		Params: map[string]any{"template": "shipping_update", "language": "en_AU", "header": "#1001",
			"body": []any{"Ana", "#1001", "DHL Express"}, "buttons": []any{"1001"}}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		m, err := c.plan(ctx, ActionSendTemplate, req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(m.body); err != nil {
			b.Fatal(err)
		}
	}
}

func TestObserveKeepsTemplateUpdates(t *testing.T) {
	t.Parallel()
	c := newOutboundConnector(t, tmpl("spring_sale", "en_AU", "APPROVED", "MARKETING", `[{"type":"BODY","text":"Sale"}]`))
	c.cfg.WABAID = "" // no sync after the update
	ctx := context.Background()
	for _, ev := range []event.Event{
		{Type: typePrefix + "message_template_quality_update", Data: map[string]any{"value": map[string]any{
			"message_template_name": "spring_sale", "message_template_language": "en_AU", "new_quality_score": "RED"}}},
		{Type: typePrefix + "template_category_update", Data: map[string]any{"value": map[string]any{
			"message_template_name": "spring_sale", "message_template_language": "en_AU", "new_category": "UTILITY"}}},
		{Type: event.TemplateStatusChanged, Data: map[string]any{"event": "PAUSED", "reason": "LOW_QUALITY",
			"message_template_name": "spring_sale", "message_template_language": "en_AU"}},
	} {
		require.NoError(t, c.Observe(ctx, &ev))
	}
	got := c.Templates()
	require.Len(t, got, 1)
	require.Equal(t, "RED", got[0].Quality)
	require.Equal(t, "UTILITY", got[0].Category)
	require.Equal(t, "PAUSED", got[0].Status)
	_, err := c.describe(ctx, ActionSendTemplate, connectors.Request{Params: map[string]any{"template": "spring_sale"}, Contact: contactWrote(-1)})
	_, _, reason := connectors.Classify(err)
	require.Equal(t, ReasonTemplateNotApprov, reason, "a paused template is refused at once")
}
