package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/whatsapp"
	wafake "github.com/switchboardhq/switchboard/connectors/whatsapp/fake"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/internal/hubtest"
	"github.com/switchboardhq/switchboard/internal/logging"
	"github.com/switchboardhq/switchboard/internal/testenv"
	"github.com/switchboardhq/switchboard/store"
)

// testClock is an engine clock a test moves forward; like a real clock it
// never reads the same twice (each reading is a millisecond on).
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// sydney10am is a Wednesday, 10:00 in Sydney: inside the marketing hours,
// and within a day of the tests' real time.
var sydney10am = time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC)

const cartPipeline = `name: abandoned-cart
on: checkout.abandoned
steps:
  - id: first
    action: whatsapp.send_template
    with: {template: cart_reminder, language: en_AU, body: ["${{ event.data.checkout_url }}"]}
  - id: second
    wait: 1h
    action: whatsapp.send_template
    with: {template: cart_reminder, language: en_AU, body: ["${{ event.data.checkout_url }}"]}
  - id: third
    wait: 1h
    action: whatsapp.send_template
    with: {template: cart_reminder, language: en_AU, body: ["${{ event.data.checkout_url }}"]}
`

const inboundPipeline = `name: inbound
on: whatsapp/message.received
steps:
  - id: log
    action: http.request
    with: {url: "{{sink}}/inbound", body: {text: "${{ event.data.text }}"}}
`

func consentHub(t *testing.T, clock *testClock, pipelines map[string]string) (*hubtest.Hub, *wafake.Server) {
	t.Helper()
	return consentHubOn(t, clock, pipelines, nil)
}

// consentHubOn is consentHub on the store st opens (nil: SQLite).
func consentHubOn(t *testing.T, clock *testClock, pipelines map[string]string, st func(testing.TB) *store.Store) (*hubtest.Hub, *wafake.Server) {
	t.Helper()
	fk := wafake.New(wafake.Options{AppSecret: waSecret, Statuses: []string{}, Now: clock.Now, Templates: []wafake.Template{{
		Name: "cart_reminder", Language: "en_AU", Category: "MARKETING", Status: "APPROVED",
		Components: []map[string]any{{"type": "BODY", "text": "You left something in your cart: {{1}}. Reply STOP to opt out. - Lucky Shrub"}},
	}}})
	t.Cleanup(fk.Close)
	h := hubtest.New(t, hubtest.Options{
		Pipelines: pipelines,
		Store:     st,
		Engine:    engine.Config{Now: clock.Now},
		NewConnectors: func(t testing.TB, st *store.Store) []connectors.Connector {
			return []connectors.Connector{waConnector(t, fk, st, nil)}
		},
	})
	fk.SetWebhookURL(h.URL + "/webhooks/whatsapp")
	return h, fk
}

func optIn(t *testing.T, h *hubtest.Hub, phone string) {
	t.Helper()
	code, b := h.Do(t, http.MethodPost, "/v1/consents", `{"contact":{"phone":"`+phone+`"},"channel":"whatsapp","purpose":"marketing",
		"status":"opted_in","source":"web_form","words":"Yes, send me offers on WhatsApp. Reply STOP to opt out.",
		"form_id":"checkout-footer","ip":"203.0.113.9","user_agent":"Mozilla/5.0"}`)
	require.Equal(t, http.StatusAccepted, code, string(b))
}

func contactConsents(t *testing.T, h *hubtest.Hub, contactID string) map[string]any {
	t.Helper()
	code, b := h.Do(t, http.MethodGet, "/v1/contacts/"+contactID+"/consents", "")
	require.Equal(t, http.StatusOK, code, string(b))
	return hubtest.JSON(t, b)
}

func TestConsentEvidenceIsRequired(t *testing.T) {
	t.Parallel()
	h := hubtest.New(t, hubtest.Options{})
	for _, tc := range []struct{ body, field string }{
		{`{"channel":"whatsapp","purpose":"marketing","status":"opted_in","source":"api","words":"w"}`, "contact"},
		{`{"contact":{"phone":"+61412345678"},"purpose":"marketing","status":"opted_in","source":"api","words":"w"}`, "channel"},
		{`{"contact":{"phone":"+61412345678"},"channel":"fax","purpose":"marketing","status":"opted_in","source":"api","words":"w"}`, "channel"},
		{`{"contact":{"phone":"+61412345678"},"channel":"whatsapp","purpose":"marketing","status":"opted_in","source":"api"}`, "words"},
		{`{"contact":{"phone":"+61412345678"},"channel":"whatsapp","purpose":"marketing","status":"opted_in","source":"web_form","words":"w","ip":"1.2.3.4","user_agent":"x"}`, "form_id"},
		{`{"contact":{"email":"a@example.com"},"channel":"whatsapp","purpose":"marketing","status":"opted_out","source":"api"}`, "contact.phone"},
		{`{"contact":{"phone":"+61412345678"},"channel":"whatsapp","purpose":"marketing","status":"maybe","source":"api"}`, "status"},
		{`{"contact":{"phone":"+61412345678"},"channel":"whatsapp","purpose":"marketing","status":"opted_out","source":"api","at":"yesterday"}`, "at"},
	} {
		code, b := h.Do(t, http.MethodPost, "/v1/consents", tc.body)
		require.Equal(t, http.StatusBadRequest, code, tc.body)
		require.Equal(t, tc.field, hubtest.JSON(t, b)["error"].(map[string]any)["field"], string(b))
	}
	n, err := h.Store.CountEvents(context.Background())
	require.NoError(t, err)
	require.Zero(t, n, "nothing stored")
}

// TestStopKeyword: STOP from WhatsApp records an opt-out with the message
// as evidence, is confirmed by the hub's own reply, never reaches a
// pipeline, and blocks later marketing; START lifts it.
func TestStopKeyword(t *testing.T) {
	t.Parallel()
	clock := &testClock{t: sydney10am}
	h, fk := consentHub(t, clock, map[string]string{"inbound.yaml": inboundPipeline, "cart.yaml": `name: promo
on: promo.sent
steps:
  - id: send
    action: whatsapp.send_template
    with: {template: cart_reminder, language: en_AU, body: [x]}
`})
	const phone = "+61412000111"
	ctx := context.Background()
	optIn(t, h, phone)
	_, err := fk.SendInbound(ctx, phone, "Ana", "hello")
	require.NoError(t, err)
	require.NoError(t, h.Sink.WaitFor(1, 10*time.Second))

	_, err = fk.SendInbound(ctx, phone, "Ana", " Stop. ")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(fk.Sends()) == 1 }, 10*time.Second, 10*time.Millisecond, "the opt-out is confirmed")
	reply := fk.Sends()[0]
	require.Equal(t, "text", reply.Type)
	require.Contains(t, string(reply.Raw), "unsubscribed")
	require.Len(t, h.Sink.Requests(), 1, "no pipeline saw the keyword")

	runs, _, err := h.Store.ListRuns(ctx, store.RunFilter{Pipeline: "inbound"})
	require.NoError(t, err)
	contactID := *runs[0].ContactID
	cs := contactConsents(t, h, contactID)
	require.Equal(t, "opted_out", cs["current"].(map[string]any)["whatsapp"].(map[string]any)["marketing"])
	hist := cs["history"].([]any)
	require.Len(t, hist, 2)
	require.Equal(t, "web_form", hist[0].(map[string]any)["source"])
	require.Equal(t, "whatsapp_keyword", hist[1].(map[string]any)["source"])
	require.Equal(t, " Stop. ", hist[1].(map[string]any)["words"], "the message is the evidence")

	promo := func(id string) store.Run {
		code, b := h.Do(t, http.MethodPost, "/v1/events", `{"id":"`+id+`","type":"promo.sent","source":"shop","contact":{"phone":"`+phone+`"}}`)
		require.Equal(t, http.StatusAccepted, code, string(b))
		return h.WaitRun(t, hubtest.JSON(t, b)["accepted"].([]any)[0].(map[string]any)["event_id"].(string), "promo", 10*time.Second)
	}
	run := promo("p1")
	require.Equal(t, store.RunBlocked, run.Status)
	require.Equal(t, "opted_out", run.Steps[0].ErrorClass)
	require.Len(t, fk.Sends(), 1, "nothing more was sent")

	_, err = fk.SendInbound(ctx, phone, "Ana", "START")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(fk.Sends()) == 2 }, 10*time.Second, 10*time.Millisecond, "the resubscription is confirmed")
	run = promo("p2")
	require.Equal(t, store.RunSucceeded, run.Status, run.Error)
	require.Len(t, fk.Sends(), 3)
}

// TestStopBetweenSteps: STOP arriving while a 3-step abandoned-cart
// sequence waits prevents steps 2 and 3; the run says blocked: opted_out.
func TestStopBetweenSteps(t *testing.T) {
	t.Parallel()
	clock := &testClock{t: sydney10am}
	h, fk := consentHub(t, clock, map[string]string{"cart.yaml": cartPipeline})
	const phone = "+61412000222"
	ctx := context.Background()
	optIn(t, h, phone)
	require.Eventually(t, func() bool { n, _ := h.Store.CountEvents(ctx); return n == 1 }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond) // the opt-in routes before the cart

	code, b := h.Do(t, http.MethodPost, "/v1/events", `{"id":"cart-1","type":"checkout.abandoned","source":"shop",
		"data":{"checkout_url":"https://shop.example/c/1"},"contact":{"phone":"`+phone+`"}}`)
	require.Equal(t, http.StatusAccepted, code, string(b))
	eventID := hubtest.JSON(t, b)["accepted"].([]any)[0].(map[string]any)["event_id"].(string)
	require.Eventually(t, func() bool { return len(fk.Sends()) == 1 }, 10*time.Second, 10*time.Millisecond, "step 1 goes at once")

	_, err := fk.SendInbound(ctx, phone, "Ana", "STOP")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(fk.Sends()) == 2 }, 10*time.Second, 10*time.Millisecond, "the opt-out is confirmed")

	clock.Add(61 * time.Minute)
	run := h.WaitRun(t, eventID, "abandoned-cart", 10*time.Second)
	require.Equal(t, store.RunBlocked, run.Status)
	require.Len(t, run.Steps, 2, "step 3 never ran")
	require.Equal(t, store.StepSucceeded, run.Steps[0].Status)
	require.Equal(t, store.StepBlocked, run.Steps[1].Status)
	require.Equal(t, "opted_out", run.Steps[1].ErrorClass)
	require.Contains(t, run.Error, "opted out")
	require.Len(t, fk.Sends(), 2, "only step 1 and the confirmation")
}

// TestQuietHoursHoldAcrossRestart: a marketing send at 23:00 Sydney time
// is held, not dropped, and goes at 09:00 the next allowed day, though the
// hub restarts in between.
func TestQuietHoursHoldAcrossRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Driver: store.SQLite, DataDir: t.TempDir()})
	require.NoError(t, err)
	require.NoError(t, st.Migrate(ctx))
	t.Cleanup(func() { _ = st.Close() })
	fk := wafake.New(wafake.Options{AppSecret: waSecret, Statuses: []string{}, Templates: []wafake.Template{{
		Name: "spring_sale", Language: "en_AU", Category: "MARKETING", Status: "APPROVED",
		Components: []map[string]any{{"type": "BODY", "text": "Spring sale starts now! Reply STOP to opt out. - Lucky Shrub"}},
	}}})
	t.Cleanup(fk.Close)
	// Tuesday 24 November 2026, 23:00 in Sydney (AEDT, UTC+11).
	clock := &testClock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	start := func() *hubtest.Hub {
		h := hubtest.New(t, hubtest.Options{
			Store:  func(testing.TB) *store.Store { return st },
			Engine: engine.Config{Now: clock.Now},
			Pipelines: map[string]string{"promo.yaml": `name: promo
on: promo.sent
steps:
  - id: send
    action: whatsapp.send_template
    with: {template: spring_sale, language: en_AU}
`},
			NewConnectors: func(t testing.TB, st *store.Store) []connectors.Connector {
				return []connectors.Connector{waConnector(t, fk, st, nil)}
			},
		})
		fk.SetWebhookURL(h.URL + "/webhooks/whatsapp")
		return h
	}
	h := start()
	const phone = "+61412000333"
	optIn(t, h, phone)
	require.Eventually(t, func() bool {
		hist, err := st.ConsentHistory(ctx, "none", engine.SubjectHash(mustSecret(t, st), "whatsapp", phone))
		return err == nil && len(hist) == 1
	}, 5*time.Second, 10*time.Millisecond)
	code, b := h.Do(t, http.MethodPost, "/v1/events", `{"id":"promo-1","type":"promo.sent","source":"shop","contact":{"phone":"`+phone+`"}}`)
	require.Equal(t, http.StatusAccepted, code, string(b))
	eventID := hubtest.JSON(t, b)["accepted"].([]any)[0].(map[string]any)["event_id"].(string)

	var held store.StepResult
	require.Eventually(t, func() bool {
		runs, _, err := st.ListRuns(ctx, store.RunFilter{EventID: eventID})
		if err != nil || len(runs) != 1 {
			return false
		}
		run, err := st.GetRun(ctx, runs[0].ID)
		if err != nil || len(run.Steps) != 1 {
			return false
		}
		held = run.Steps[0]
		return held.Status == store.StepRetrying
	}, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, "quiet_hours", held.ErrorClass)
	sydney, err := time.LoadLocation("Australia/Sydney")
	require.NoError(t, err)
	nine := time.Date(2026, 11, 25, 9, 0, 0, 0, sydney)
	require.WithinRange(t, held.LeaseUntil.In(sydney), nine, nine.Add(time.Minute), "held until 09:00 Wednesday (spread over a minute)")
	require.Empty(t, fk.Sends())

	h.Stop()
	clock.Add(10*time.Hour + time.Minute) // Wednesday just after 09:01 in Sydney
	h = start()
	run := h.WaitRun(t, eventID, "promo", 10*time.Second)
	require.Equal(t, store.RunSucceeded, run.Status, run.Error)
	require.Len(t, fk.Sends(), 1)
	require.False(t, run.Steps[0].FinishedAt.In(sydney).Before(time.Date(2026, 11, 25, 9, 0, 0, 0, sydney)))
}

func mustSecret(t *testing.T, st *store.Store) []byte {
	t.Helper()
	k, err := st.Secret(context.Background(), "subject_hash_key")
	require.NoError(t, err)
	return k
}

// TestEraseContact: after DELETE /v1/contacts/{id} no table holds the
// phone, email or message text in clear, the export beforehand held them,
// and a later message from the same number is still opted out.
func TestEraseContact(t *testing.T) {
	t.Parallel()
	for _, d := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{
		{"sqlite", nil},
		{"postgres", func(t testing.TB) *store.Store {
			st, err := store.Open(context.Background(), store.Options{Driver: store.Postgres, DSN: testenv.PostgresSchema(t)})
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			require.NoError(t, st.Migrate(context.Background()))
			return st
		}},
	} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			testEraseContact(t, d.open)
		})
	}
}

func testEraseContact(t *testing.T, open func(testing.TB) *store.Store) {
	clock := &testClock{t: sydney10am}
	h, fk := consentHubOn(t, clock, map[string]string{"inbound.yaml": inboundPipeline, "promo.yaml": `name: promo
on: promo.sent
steps:
  - id: send
    action: whatsapp.send_template
    with: {template: cart_reminder, language: en_AU, body: [x]}
`}, open)
	const (
		phone  = "+61412000444"
		digits = "61412000444"
		email  = "ana.erase@example.com"
		secret = "my flat is 12 Smith St"
	)
	ctx := context.Background()
	code, b := h.Do(t, http.MethodPost, "/v1/events", `{"id":"o-1","type":"order.paid","source":"shop","data":{"order_name":"#1"},
		"contact":{"phone":"`+phone+`","email":"`+email+`","first_name":"Ana","last_name":"Erase"}}`)
	require.Equal(t, http.StatusAccepted, code, string(b))
	_, err := fk.SendInbound(ctx, phone, "Ana Erase", secret)
	require.NoError(t, err)
	require.NoError(t, h.Sink.WaitFor(1, 10*time.Second))
	_, err = fk.SendInbound(ctx, phone, "Ana Erase", "STOP")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(fk.Sends()) == 1 }, 10*time.Second, 10*time.Millisecond)

	runs, _, err := h.Store.ListRuns(ctx, store.RunFilter{Pipeline: "inbound"})
	require.NoError(t, err)
	contactID := *runs[0].ContactID

	code, b = h.Do(t, http.MethodGet, "/v1/contacts/"+contactID+"/export", "", "Authorization", "Bearer "+hubtest.ReadKey)
	require.Equal(t, http.StatusForbidden, code, "export needs the admin scope")
	code, b = h.Do(t, http.MethodGet, "/v1/contacts/"+contactID+"/export", "")
	require.Equal(t, http.StatusOK, code, string(b))
	export := string(b)
	for _, s := range []string{phone, email, secret, `"opted_out"`, `"whatsapp_keyword"`, `"runs"`, `"messages"`} {
		require.Contains(t, export, s)
	}

	for _, s := range []string{digits, email, secret} {
		require.NotEmpty(t, scanDatabase(t, h.Store, s), "the scan finds %q before the erasure", s)
	}
	code, b = h.Do(t, http.MethodDelete, "/v1/contacts/"+contactID, "")
	require.Equal(t, http.StatusOK, code, string(b))
	code, _ = h.Do(t, http.MethodDelete, "/v1/contacts/nope", "")
	require.Equal(t, http.StatusNotFound, code)

	for _, s := range []string{digits, email, secret, "Erase"} {
		require.Empty(t, scanDatabase(t, h.Store, s), "%q is still held in clear", s)
	}
	cs := contactConsents(t, h, contactID)
	require.Equal(t, "opted_out", cs["current"].(map[string]any)["whatsapp"].(map[string]any)["marketing"], "the consent audit stays")

	// The same number writes again: a new contact, still opted out.
	_, err = fk.SendInbound(ctx, phone, "Ana", "hi again")
	require.NoError(t, err)
	require.NoError(t, h.Sink.WaitFor(2, 10*time.Second))
	code, b = h.Do(t, http.MethodPost, "/v1/events", `{"id":"p-1","type":"promo.sent","source":"shop","contact":{"phone":"`+phone+`"}}`)
	require.Equal(t, http.StatusAccepted, code, string(b))
	run := h.WaitRun(t, hubtest.JSON(t, b)["accepted"].([]any)[0].(map[string]any)["event_id"].(string), "promo", 10*time.Second)
	require.NotEqual(t, contactID, *run.ContactID)
	require.Equal(t, store.RunBlocked, run.Status)
	require.Equal(t, "opted_out", run.Steps[0].ErrorClass)
}

// scanDatabase returns "table: row" for every row of every table that
// holds s anywhere in its text.
func scanDatabase(t *testing.T, st *store.Store, s string) []string {
	t.Helper()
	db := st.SQLDB()
	list := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if st.Dialect() == store.Postgres {
		list = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	rows, err := db.Query(list)
	require.NoError(t, err)
	var tables []string
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		tables = append(tables, n)
	}
	require.NoError(t, rows.Close())
	require.NotEmpty(t, tables)
	var hits []string
	for _, table := range tables {
		// Every row as one text: SQLite by concatenating its columns,
		// Postgres by casting the row.
		q := `SELECT x::text FROM "` + table + `" x`
		if st.Dialect() != store.Postgres {
			cols, err := db.Query(`SELECT name FROM pragma_table_info(?)`, table)
			require.NoError(t, err)
			var parts []string
			for cols.Next() {
				var c string
				require.NoError(t, cols.Scan(&c))
				parts = append(parts, `COALESCE(CAST("`+c+`" AS TEXT), '')`)
			}
			require.NoError(t, cols.Close())
			q = `SELECT ` + strings.Join(parts, " || '|' || ") + ` FROM "` + table + `"`
		}
		rs, err := db.Query(q)
		require.NoError(t, err)
		for rs.Next() {
			var text string
			require.NoError(t, rs.Scan(&text))
			if strings.Contains(text, s) {
				hits = append(hits, table+": "+text)
			}
		}
		require.NoError(t, rs.Close())
	}
	return hits
}

// syncBuffer is a bytes.Buffer safe for the hub's concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLogsCarryNoPersonalInformation drives messages, a keyword, refused
// and failed sends and an erasure through a hub logging at debug level,
// and scans everything it logged for the phone number, the email and the
// message text.
func TestLogsCarryNoPersonalInformation(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	clock := &testClock{t: sydney10am}
	fk := wafake.New(wafake.Options{AppSecret: waSecret, Now: clock.Now, Templates: []wafake.Template{{
		Name: "cart_reminder", Language: "en_AU", Category: "MARKETING", Status: "APPROVED",
		Components: []map[string]any{{"type": "BODY", "text": "Cart: {{1}}. Reply STOP to opt out."}},
	}}})
	t.Cleanup(fk.Close)
	h := hubtest.New(t, hubtest.Options{
		LogWriter: logs,
		Engine:    engine.Config{Now: clock.Now},
		Pipelines: map[string]string{"inbound.yaml": inboundPipeline, "cart.yaml": `name: cart
on: checkout.abandoned
steps:
  - id: send
    action: whatsapp.send_template
    with: {template: cart_reminder, language: en_AU, body: ["${{ event.data.note }}"]}
`},
		NewConnectors: func(t testing.TB, st *store.Store) []connectors.Connector {
			return []connectors.Connector{waConnector(t, fk, st, func(_ *whatsapp.Config, d *whatsapp.Deps) { d.Logger = logging.New(logs, "debug", "json") })}
		},
	})
	fk.SetWebhookURL(h.URL + "/webhooks/whatsapp")
	const (
		phone  = "+61412000555"
		email  = "private.person@example.com"
		secret = "the gate code is 4471"
	)
	ctx := context.Background()
	optIn(t, h, phone)
	code, b := h.Do(t, http.MethodPost, "/v1/events", `{"id":"c-1","type":"checkout.abandoned","source":"shop",
		"data":{"note":"`+secret+`"},"contact":{"phone":"`+phone+`","email":"`+email+`"}}`)
	require.Equal(t, http.StatusAccepted, code, string(b))
	fk.FailNext(1, 131026)
	_, err := fk.SendInbound(ctx, phone, "Private Person", secret)
	require.NoError(t, err)
	_, err = fk.SendInbound(ctx, phone, "Private Person", "STOP")
	require.NoError(t, err)
	code, _ = h.Do(t, http.MethodPost, "/webhooks/whatsapp", `{"text":"`+secret+`","from":"`+phone+`"}`, "Authorization", "", "X-Hub-Signature-256", "sha256=00")
	require.Equal(t, http.StatusUnauthorized, code)
	require.NoError(t, h.Sink.WaitFor(1, 10*time.Second))
	require.Eventually(t, func() bool { n, _ := h.Store.CountRuns(ctx, store.RunRunning); return n == 0 }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, fk.Flush(ctx))

	out := logs.String()
	require.NotEmpty(t, out)
	for _, s := range []string{phone, "61412000555", email, secret} {
		require.NotContains(t, out, s, "the logs hold %q", s)
	}
}

// TestDoubleOptIn: with double opt-in on WhatsApp, a web-form opt-in stays
// pending (marketing blocked) and the hub asks to confirm with the
// configured template; the person's YES makes marketing allowed.
func TestDoubleOptIn(t *testing.T) {
	t.Parallel()
	clock := &testClock{t: sydney10am}
	fk := wafake.New(wafake.Options{AppSecret: waSecret, Statuses: []string{}, Now: clock.Now, Templates: []wafake.Template{
		{Name: "cart_reminder", Language: "en_AU", Category: "MARKETING", Status: "APPROVED",
			Components: []map[string]any{{"type": "BODY", "text": "Cart: {{1}}. Reply STOP to opt out."}}},
		{Name: "confirm_subscription", Language: "en_AU", Category: "UTILITY", Status: "APPROVED",
			Components: []map[string]any{{"type": "BODY", "text": "Reply YES to get offers from Lucky Shrub on WhatsApp."}}},
	}})
	t.Cleanup(fk.Close)
	h := hubtest.New(t, hubtest.Options{
		Engine: engine.Config{Now: clock.Now, DoubleOptIn: engine.DoubleOptIn{Channels: []string{"whatsapp"}, Template: "confirm_subscription", Language: "en_AU"}},
		Pipelines: map[string]string{"promo.yaml": `name: promo
on: promo.sent
steps:
  - id: send
    action: whatsapp.send_template
    with: {template: cart_reminder, language: en_AU, body: [x]}
`},
		NewConnectors: func(t testing.TB, st *store.Store) []connectors.Connector {
			return []connectors.Connector{waConnector(t, fk, st, nil)}
		},
	})
	fk.SetWebhookURL(h.URL + "/webhooks/whatsapp")
	const phone = "+61412000666"
	ctx := context.Background()
	optIn(t, h, phone)
	require.Eventually(t, func() bool { return len(fk.Sends()) == 1 }, 10*time.Second, 10*time.Millisecond, "the hub asks to confirm")
	require.Equal(t, "confirm_subscription", fk.Sends()[0].Template)

	promo := func(id string) store.Run {
		code, b := h.Do(t, http.MethodPost, "/v1/events", `{"id":"`+id+`","type":"promo.sent","source":"shop","contact":{"phone":"`+phone+`"}}`)
		require.Equal(t, http.StatusAccepted, code, string(b))
		return h.WaitRun(t, hubtest.JSON(t, b)["accepted"].([]any)[0].(map[string]any)["event_id"].(string), "promo", 10*time.Second)
	}
	run := promo("p1")
	require.Equal(t, store.RunBlocked, run.Status)
	require.Equal(t, "no_consent", run.Steps[0].ErrorClass)
	require.Contains(t, run.Error, "awaits confirmation")

	_, err := fk.SendInbound(ctx, phone, "Ana", "Yes!")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		hist, err := h.Store.ConsentHistory(ctx, *run.ContactID)
		return err == nil && len(hist) == 2 && hist[1].Status == store.ConsentOptedIn
	}, 10*time.Second, 10*time.Millisecond)
	hist, err := h.Store.ConsentHistory(ctx, *run.ContactID)
	require.NoError(t, err)
	require.Equal(t, store.ConsentPending, hist[0].Status)
	require.Equal(t, "whatsapp_confirmation", hist[1].Source)
	require.Equal(t, "Yes!", hist[1].Words)

	run = promo("p2")
	require.Equal(t, store.RunSucceeded, run.Status, run.Error)
	require.Len(t, fk.Sends(), 2)
}
