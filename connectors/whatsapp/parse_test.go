package whatsapp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/event"
)

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// changeRaw returns the JSON of entry[e].changes[c] as it appears in body.
func changeRaw(t testing.TB, body []byte, e, c int) []byte {
	t.Helper()
	var env struct {
		Entry []struct {
			Changes []json.RawMessage `json:"changes"`
		} `json:"entry"`
	}
	require.NoError(t, json.Unmarshal(body, &env))
	return env.Entry[e].Changes[c]
}

type want struct {
	typ      string
	dedup    string
	unix     int64
	data     map[string]any
	phone    string
	name     string
	waID     string
	inbound  bool
	noCont   bool
	checkRaw func(t *testing.T, ev event.Event)
}

func TestParseSamples(t *testing.T) {
	t.Parallel()
	md := map[string]any{"phone_number_id": "106540352242922", "display_phone_number": "15550783881"}
	with := func(m map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range md {
			out[k] = v
		}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	cases := []struct {
		file string
		want []want
	}{
		{"pywa_text.json", []want{{
			typ: event.MessageReceived, dedup: "wamid.HBgMOTcyNTQ0NDAxMjQzFQIAEhggM0RFQTNCMEEwRTY3QzUwODYzMDc4NjQ4QzM4ODAxM0YA", unix: 1730231903,
			data: map[string]any{"type": "text", "text": "Hey there! I am using PyWa.", "wa_id": "972544401243", "profile_name": "PyWa Tests",
				"phone_number_id": "277321005464405", "display_phone_number": "15550953877", "waba_id": "264937493375603",
				"message_id": "wamid.HBgMOTcyNTQ0NDAxMjQzFQIAEhggM0RFQTNCMEEwRTY3QzUwODYzMDc4NjQ4QzM4ODAxM0YA"},
			phone: "+972544401243", name: "PyWa Tests", waID: "972544401243", inbound: true,
		}}},
		{"text.json", []want{{
			typ: event.MessageReceived, dedup: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", unix: 1749416383,
			data:  with(map[string]any{"type": "text", "text": "Does it come in another color?", "profile_name": "Sheena Nelson", "waba_id": "102290129340398"}),
			phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234", inbound: true,
		}}},
		{"text_reply_context.json", []want{{
			typ: event.MessageReceived, dedup: "wamid.REPLY1", unix: 1749416390,
			data:  map[string]any{"text": "Yes please", "context_id": "wamid.QUOTED", "context_from": "15550783881"},
			phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234", inbound: true,
		}}},
		{"interactive_button_reply.json", []want{{
			typ: event.MessageReceived, dedup: "wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQThBREYwNzc2RDc2QjA1QTIwMgA=", unix: 1714510003,
			data: map[string]any{"type": "interactive", "interactive_type": "button_reply", "text": "Change", "reply_id": "change-button",
				"context_id": "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBJBM0Y4RUU0RUNFQkFDMjYzQUMA"},
			phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234", inbound: true,
		}}},
		{"interactive_list_reply.json", []want{{
			typ: event.MessageReceived, dedup: "wamid.LISTREPLY", unix: 1714510100,
			data: map[string]any{"type": "interactive", "interactive_type": "list_reply", "text": "Priority Mail Express", "reply_id": "priority_express",
				"reply_description": "Next Day to 2 Days", "context_id": "wamid.LISTSENT"},
			phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234", inbound: true,
		}}},
		{"button_quick_reply.json", []want{{
			typ: event.MessageReceived, dedup: "wamid.QUICKREPLY", unix: 1714510200,
			data:  map[string]any{"type": "button", "text": "No", "reply_id": "No-Button-Payload", "context_id": "wamid.TEMPLATESENT"},
			phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234", inbound: true,
		}}},
		{"media.json", []want{
			{typ: event.MessageReceived, dedup: "wamid.IMG", unix: 1749416400, phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234", inbound: true,
				data: map[string]any{"type": "image", "text": "my cat", "media": map[string]any{"id": "1001", "mime_type": "image/jpeg", "sha256": "abc="}}},
			{typ: event.MessageReceived, dedup: "wamid.AUD", unix: 1749416401, phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234", inbound: true,
				data: map[string]any{"type": "audio", "media": map[string]any{"id": "1002", "mime_type": "audio/ogg; codecs=opus", "sha256": "def=", "voice": true}}},
			{typ: event.MessageReceived, dedup: "wamid.VID", unix: 1749416402, phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234", inbound: true,
				data: map[string]any{"type": "video", "media": map[string]any{"id": "1003", "mime_type": "video/mp4", "sha256": "ghi="}}},
			{typ: event.MessageReceived, dedup: "wamid.DOC", unix: 1749416403, phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234", inbound: true,
				data: map[string]any{"type": "document", "text": "invoice", "media": map[string]any{"id": "1004", "mime_type": "application/pdf", "sha256": "jkl=", "filename": "inv.pdf"}}},
			{typ: event.MessageReceived, dedup: "wamid.STK", unix: 1749416404, phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234", inbound: true,
				data: map[string]any{"type": "sticker", "media": map[string]any{"id": "1005", "mime_type": "image/webp", "sha256": "mno=", "animated": false}}},
		}},
		{"location.json", []want{{
			typ: event.MessageReceived, dedup: "wamid.LOC", unix: 1749416500, phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234", inbound: true,
			data: map[string]any{"type": "location", "location": map[string]any{"latitude": 37.4847, "longitude": -122.1477, "name": "Meta HQ", "address": "1 Hacker Way, Menlo Park, CA 94025"}},
		}}},
		{"contacts_message.json", []want{{
			typ: event.MessageReceived, dedup: "wamid.CONTACTS", unix: 1749416600, phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234", inbound: true,
			data: map[string]any{"type": "contacts", "contacts": []any{map[string]any{
				"name":   map[string]any{"formatted_name": "John Doe", "first_name": "John"},
				"phones": []any{map[string]any{"phone": "+1 555 0100", "wa_id": "15550100", "type": "CELL"}}}}},
		}}},
		{"reaction.json", []want{{
			typ: event.MessageReceived, dedup: "wamid.REACT", unix: 1749416700, phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234", inbound: true,
			data: map[string]any{"type": "reaction", "text": "\U0001F44D", "reaction": map[string]any{"message_id": "wamid.SENT1", "emoji": "\U0001F44D"}},
		}}},
		{"unsupported.json", []want{{
			typ: event.MessageReceived, dedup: "wamid.UNSUP", unix: 1749416800, phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234", inbound: true,
			data: map[string]any{"type": "unsupported", "errors": []any{map[string]any{"code": int64(131051), "title": "Message type unknown",
				"message": "Message type unknown", "details": "Message type is currently not supported."}}},
			checkRaw: func(t *testing.T, ev event.Event) {
				raw, ok := ev.Data["raw"].(map[string]any)
				require.True(t, ok, "unknown type keeps its raw object")
				require.Equal(t, "unsupported", raw["type"])
			},
		}}},
		{"unknown_type.json", []want{{
			typ: event.MessageReceived, dedup: "wamid.ORDER", unix: 1749416900, phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234", inbound: true,
			data: map[string]any{"type": "order"},
			checkRaw: func(t *testing.T, ev event.Event) {
				raw, ok := ev.Data["raw"].(map[string]any)
				require.True(t, ok)
				order, ok := raw["order"].(map[string]any)
				require.True(t, ok)
				require.Equal(t, "cat1", order["catalog_id"])
			},
		}}},
		{"system.json", []want{{
			typ: event.MessageReceived, dedup: "wamid.SYS", unix: 1749417000, phone: "+16505551234", waID: "16505551234", inbound: false,
			data: map[string]any{"type": "system", "text": "User A changed from 16505551234 to 16505559999",
				"system": map[string]any{"type": "user_changed_number", "body": "User A changed from 16505551234 to 16505559999", "new_wa_id": "16505559999"}},
		}}},
		{"status_delivered.json", []want{{
			typ: event.MessageStatus, dedup: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=:delivered", unix: 1750030073,
			phone: "+16505551234", waID: "16505551234",
			data: with(map[string]any{"message_id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=", "status": "delivered",
				"recipient_id": "16505551234", "timestamp": "1750030073",
				"pricing": map[string]any{"billable": true, "pricing_model": "PMP", "type": "regular", "category": "marketing"}}),
		}}},
		{"status_failed.json", []want{{
			typ: event.MessageStatus, dedup: "wamid.xyzxyz:failed", unix: 1689380458, phone: "+972987654321", waID: "972987654321",
			data: map[string]any{"status": "failed", "recipient_id": "972987654321", "errors": []any{map[string]any{
				"code": int64(130472), "title": "User's number is part of an experiment", "message": "User's number is part of an experiment",
				"details": "Failed to send message because this user's phone number is part of an experiment",
				"href":    "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}}},
		}}},
		{"status_cbp.json", []want{
			{typ: event.MessageStatus, dedup: "wamid.CBP:sent", unix: 1689380400, phone: "+972987654321", waID: "972987654321",
				data: map[string]any{"status": "sent", "conversation": map[string]any{"id": "conv1", "expiration_timestamp": "1689466800", "origin": map[string]any{"type": "service"}},
					"pricing": map[string]any{"billable": true, "pricing_model": "CBP", "category": "service"}}},
			{typ: event.MessageStatus, dedup: "wamid.CBP:read", unix: 1689380500, phone: "+972987654321", waID: "972987654321",
				data: map[string]any{"status": "read", "biz_opaque_callback_data": "tracker-1"}},
		}},
		{"template_status.json", []want{{
			typ: event.TemplateStatusChanged, dedup: "template:12345678:APPROVED:1698268000", unix: 1698268000, noCont: true,
			data: map[string]any{"event": "APPROVED", "message_template_id": "12345678", "message_template_name": "my_message_template",
				"message_template_language": "pt-BR", "reason": "NONE", "message_template_category": "UTILITY", "waba_id": "102290129340398"},
		}}},
		{"template_status_null_reason.json", []want{{
			typ: event.TemplateStatusChanged, dedup: "template:987654321:REJECTED:1698269000", unix: 1698269000, noCont: true,
			data: map[string]any{"event": "REJECTED", "message_template_id": "987654321", "reason": ""},
		}}},
		{"user_preferences.json", []want{{
			typ: event.ConsentChanged, dedup: "user_preferences:16505551234:marketing_messages:stop:1731705721", unix: 1731705721,
			phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234",
			data: map[string]any{"channel": "whatsapp", "purpose": "marketing", "status": "opted_out", "wa_id": "16505551234",
				"evidence": "whatsapp user_preferences webhook", "value": "stop"},
		}}},
		{"user_preferences_resume.json", []want{{
			typ: event.ConsentChanged, dedup: "user_preferences:16505551234:marketing_messages:resume:1731705800", unix: 1731705800,
			phone: "+16505551234", name: "Sheena Nelson", waID: "16505551234",
			data: map[string]any{"channel": "whatsapp", "purpose": "marketing", "status": "opted_in"},
		}}},
	}
	c := newTestConnector(t, testSecret)
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			body := readTestdata(t, tc.file)
			evs, err := c.Parse(nil, body)
			require.NoError(t, err)
			require.Len(t, evs, len(tc.want))
			raw := changeRaw(t, body, 0, 0)
			for i, w := range tc.want {
				ev := evs[i]
				require.Equal(t, "whatsapp", ev.Source)
				require.Equal(t, w.typ, ev.Type)
				require.Equal(t, w.dedup, ev.DedupKey)
				require.Equal(t, time.Unix(w.unix, 0).UTC(), ev.Time)
				require.JSONEq(t, string(raw), string(ev.Raw), "Raw is the change JSON")
				require.Equal(t, string(raw), string(ev.Raw), "Raw is the change bytes as received")
				for k, v := range w.data {
					require.Equal(t, v, ev.Data[k], "data[%q]", k)
				}
				if w.noCont {
					require.Nil(t, ev.Contact)
				} else {
					require.NotNil(t, ev.Contact)
					require.Equal(t, w.phone, ev.Contact.Phone)
					require.Equal(t, w.name, ev.Contact.FirstName)
					require.Equal(t, map[string]string{"whatsapp": w.waID}, ev.Contact.ProviderIDs)
					if w.inbound {
						require.NotNil(t, ev.Contact.InboundAt)
						require.Equal(t, ev.Time, *ev.Contact.InboundAt)
					} else {
						require.Nil(t, ev.Contact.InboundAt)
					}
				}
				if w.checkRaw != nil {
					w.checkRaw(t, ev)
				}
				// Every event must survive a JSON round trip (it is stored).
				_, err := json.Marshal(ev)
				require.NoError(t, err)
			}
		})
	}
}

func TestParseErrorsChange(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "errors.json")
	evs, err := newTestConnector(t, testSecret).Parse(nil, body)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	ev := evs[0]
	require.Equal(t, TypeError, ev.Type)
	raw := changeRaw(t, body, 0, 0)
	require.Equal(t, sha256Hex(raw), ev.DedupKey)
	require.Equal(t, string(raw), string(ev.Raw))
	require.Nil(t, ev.Contact)
	require.Equal(t, "106540352242922", ev.Data["phone_number_id"])
	errs, ok := ev.Data["errors"].([]any)
	require.True(t, ok)
	require.Len(t, errs, 1)
	require.Equal(t, int64(130429), errs[0].(map[string]any)["code"])
	require.Equal(t, "Rate limit hit", errs[0].(map[string]any)["title"])
	require.True(t, ev.Time.IsZero(), "no time in a messages entry")

	again, err := newTestConnector(t, testSecret).Parse(nil, body)
	require.NoError(t, err)
	require.Equal(t, ev.DedupKey, again[0].DedupKey, "dedup key is deterministic")
}

func TestParseOtherField(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "other_field.json")
	evs, err := newTestConnector(t, testSecret).Parse(nil, body)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	ev := evs[0]
	require.Equal(t, "whatsapp.phone_number_quality_update", ev.Type)
	require.False(t, event.IsCanonical(ev.Type))
	raw := changeRaw(t, body, 0, 0)
	require.Equal(t, sha256Hex(raw), ev.DedupKey)
	require.Equal(t, time.Unix(1698270000, 0).UTC(), ev.Time, "falls back to entry.time")
	require.Equal(t, "phone_number_quality_update", ev.Data["field"])
	require.Equal(t, "FLAGGED", ev.Data["value"].(map[string]any)["event"])
}

func TestParseBatch(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "batch.json")
	evs, err := newTestConnector(t, testSecret).Parse(nil, body)
	require.NoError(t, err)
	require.Len(t, evs, 4)
	require.Equal(t, []string{"wamid.A1", "wamid.B1", "wamid.S1:sent", "template:55:PAUSED:1700000100"},
		[]string{evs[0].DedupKey, evs[1].DedupKey, evs[2].DedupKey, evs[3].DedupKey})
	require.Equal(t, "A", evs[0].Contact.FirstName)
	require.Equal(t, "B", evs[1].Contact.FirstName, "profile name matched by wa_id")
	require.Equal(t, "+222", evs[1].Contact.Phone)
	require.Equal(t, "W1", evs[0].Data["waba_id"])
	require.Equal(t, "W2", evs[3].Data["waba_id"])
	require.Equal(t, string(changeRaw(t, body, 0, 0)), string(evs[0].Raw))
	require.Equal(t, string(changeRaw(t, body, 0, 0)), string(evs[1].Raw))
	require.Equal(t, string(changeRaw(t, body, 0, 1)), string(evs[2].Raw))
	require.Equal(t, string(changeRaw(t, body, 1, 0)), string(evs[3].Raw))
	require.Equal(t, time.Unix(1700000100, 0).UTC(), evs[3].Time)
}

func TestParseRawIsACopy(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "text.json")
	evs, err := newTestConnector(t, testSecret).Parse(nil, body)
	require.NoError(t, err)
	before := string(evs[0].Raw)
	for i := range body {
		body[i] = 'x'
	}
	require.Equal(t, before, string(evs[0].Raw), "Parse must not keep a reference to body")
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, body string }{
		{"empty", ""},
		{"not json", "test"},
		{"array", "[]"},
		{"null", "null"},
		{"no object", `{"entry":[]}`},
		{"page object", `{"object":"page","entry":[]}`},
		{"instagram object", `{"object":"instagram","entry":[]}`},
		{"truncated", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"id":"w"`},
		{"entry not array", `{"object":"whatsapp_business_account","entry":{}}`},
		{"messages not array", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":"x"}}]}]}`},
		{"change not object", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[5]}]}`},
	}
	c := newTestConnector(t, testSecret)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			evs, err := c.Parse(nil, []byte(tc.body))
			require.ErrorIs(t, err, connectors.ErrUnparseable)
			require.Nil(t, evs)
		})
	}
}

func TestParseTolerates(t *testing.T) {
	t.Parallel()
	c := newTestConnector(t, testSecret)
	cases := []struct {
		name  string
		body  string
		types []string
	}{
		{"no entries", `{"object":"whatsapp_business_account","entry":[]}`, nil},
		{"numeric ids", `{"object":"whatsapp_business_account","entry":[{"id":102290129340398,"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":106540352242922},"messages":[{"from":16505551234,"id":"w1","timestamp":1749416383,"type":"text","text":{"body":"hi"}}]}}]}]}`, []string{event.MessageReceived}},
		{"bad timestamp", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"from":"1","id":"w1","timestamp":"soon","type":"text"}]}}]}]}`, []string{event.MessageReceived}},
		{"empty wa_id (BSUID)", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"contacts":[{"profile":{"name":"X","username":"x"},"wa_id":"","user_id":"US.123"}],"messages":[{"from":"","id":"w1","timestamp":"1","type":"text","text":{"body":"hi"}}]}}]}]}`, []string{event.MessageReceived}},
		{"messages change without value", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages"}]}]}`, []string{"whatsapp.messages"}},
		{"messages change with only contacts", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"contacts":[]}}]}]}`, []string{"whatsapp.messages"}},
		{"weird field", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"A b/c","value":{}}]}]}`, []string{"whatsapp.a_b_c"}},
		{"empty field", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{}}]}]}`, []string{"whatsapp.unknown"}},
		{"unknown preference value", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"user_preferences","value":{"user_preferences":[{"wa_id":"1","value":"maybe","timestamp":1}]}}]}]}`, []string{"whatsapp.user_preferences"}},
		{"interactive nfm_reply", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"from":"1","id":"w1","timestamp":"1","type":"interactive","interactive":{"type":"nfm_reply","nfm_reply":{"response_json":"{}"}}}]}}]}]}`, []string{event.MessageReceived}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			evs, err := c.Parse(nil, []byte(tc.body))
			require.NoError(t, err)
			var types []string
			for _, ev := range evs {
				types = append(types, ev.Type)
				require.NotEmpty(t, ev.DedupKey)
				require.Equal(t, "whatsapp", ev.Source)
			}
			require.Equal(t, tc.types, types)
		})
	}
}

func TestParseNumericAndBSUID(t *testing.T) {
	t.Parallel()
	c := newTestConnector(t, testSecret)
	evs, err := c.Parse(nil, []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"contacts":[{"profile":{"name":"X","username":"x"},"wa_id":"","user_id":"US.123"}],"messages":[{"from":"","id":"w1","timestamp":"1749416383","type":"text","text":{"body":"hi"}}],"statuses":[{"id":"w0","status":"read","timestamp":1749416384,"recipient_id":"","recipient_user_id":"US.123"}]}}]}]}`))
	require.NoError(t, err)
	require.Len(t, evs, 2)
	require.Nil(t, evs[0].Contact, "no wa_id and no matched contact: no phone to invent")
	require.Equal(t, "", evs[1].Contact.Phone)
	require.Equal(t, map[string]string{"whatsapp_bsuid": "US.123"}, evs[1].Contact.ProviderIDs)
	require.Equal(t, time.Unix(1749416384, 0).UTC(), evs[1].Time, "numeric timestamp accepted")
}

// batchBody builds a webhook with n messages and n statuses spread over two changes.
func batchBody(n int) []byte {
	var msgs, sts []string
	for i := range n {
		msgs = append(msgs, fmt.Sprintf(`{"from":"1650555%04d","id":"wamid.M%d","timestamp":"17494163%02d","type":"text","text":{"body":"message number %d"}}`, i, i, i%60, i))
		sts = append(sts, fmt.Sprintf(`{"id":"wamid.S%d","status":"delivered","timestamp":"17500300%02d","recipient_id":"1650555%04d","pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"marketing"}}`, i, i%60, i))
	}
	var contacts []string
	for i := range n {
		contacts = append(contacts, fmt.Sprintf(`{"profile":{"name":"User %d"},"wa_id":"1650555%04d"}`, i, i))
	}
	md := `"metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}`
	return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[` +
		`{"value":{"messaging_product":"whatsapp",` + md + `,"contacts":[` + strings.Join(contacts, ",") + `],"messages":[` + strings.Join(msgs, ",") + `]},"field":"messages"},` +
		`{"value":{"messaging_product":"whatsapp",` + md + `,"statuses":[` + strings.Join(sts, ",") + `]},"field":"messages"}]}]}`)
}

func TestBatchBody(t *testing.T) {
	t.Parallel()
	evs, err := parse(batchBody(10))
	require.NoError(t, err)
	require.Len(t, evs, 20)
	require.Equal(t, "User 7", evs[7].Contact.FirstName)
}

func BenchmarkParseBatch(b *testing.B) {
	body := batchBody(10) // 10 messages + 10 statuses = 20 events
	c := newTestConnector(b, testSecret)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		evs, err := c.Parse(nil, body)
		if err != nil || len(evs) != 20 {
			b.Fatalf("parse: %d events, %v", len(evs), err)
		}
	}
}
