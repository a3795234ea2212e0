package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
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
	"github.com/switchboardhq/switchboard/store"
)

const (
	waSecret      = "wa-app-secret"
	waVerifyToken = "wa-verify"
)

const waShippedPipeline = `name: order-shipped
on: order.shipped
steps:
  - id: notify
    action: whatsapp.send_template
    with:
      template: shipping_update
      language: en_AU
      body: ["${{ contact.first_name }}", "${{ event.data.order_name }}"]
      buttons: ["${{ event.data.tracking.number }}"]
`

func waTemplates() []wafake.Template {
	body := func(text string) []map[string]any {
		return []map[string]any{
			{"type": "BODY", "text": text},
			{"type": "BUTTONS", "buttons": []any{map[string]any{"type": "URL", "text": "Track", "url": "https://track.example/{{1}}"}}},
		}
	}
	return []wafake.Template{
		{Name: "shipping_update", Language: "en_AU", Category: "UTILITY", Status: "APPROVED", Components: body("Hi {{1}}, order {{2}} is on its way.")},
		{Name: "shipping_pending", Language: "en_AU", Category: "UTILITY", Status: "PENDING", Components: body("Hi {{1}}, order {{2}} is on its way.")},
	}
}

// waHub is a hub whose WhatsApp connector talks to a fake Cloud API that
// posts its signed status webhooks back to the hub.
func waHub(t *testing.T, pipelines map[string]string, fo wafake.Options, mps int) (*hubtest.Hub, *wafake.Server) {
	t.Helper()
	h, fk, _ := waHubClock(t, pipelines, fo, mps)
	return h, fk
}

// sendClock records when the hub's WhatsApp connector sends each message
// request, on the hub's side of the wire.
type sendClock struct {
	mu sync.Mutex
	at []time.Time
}

func (c *sendClock) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/messages") {
		c.mu.Lock()
		c.at = append(c.at, time.Now())
		c.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

func (c *sendClock) times() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.at)
}

func waHubClock(t *testing.T, pipelines map[string]string, fo wafake.Options, mps int) (*hubtest.Hub, *wafake.Server, *sendClock) {
	t.Helper()
	clock := &sendClock{}
	fo.AppSecret = waSecret
	if fo.Templates == nil {
		fo.Templates = waTemplates()
	}
	fk := wafake.New(fo)
	t.Cleanup(fk.Close)
	h := hubtest.New(t, hubtest.Options{
		Pipelines: pipelines,
		NewConnectors: func(t testing.TB, st *store.Store) []connectors.Connector {
			return []connectors.Connector{waConnector(t, fk, st, func(c *whatsapp.Config, d *whatsapp.Deps) {
				c.MessagesPerSecond, d.Transport = mps, clock
			})}
		},
	})
	fk.SetWebhookURL(h.URL + "/webhooks/whatsapp")
	return h, fk, clock
}

func shippedEvent(id, phone string) string {
	return fmt.Sprintf(`{"id":%q,"type":"order.shipped","source":"my-store",
		"data":{"order_name":"#%s","total":89.5,"tracking":{"number":"TRK%s"},"customer":{"phone":%q,"first_name":"Ana"}}}`, id, id, id, phone)
}

func TestWhatsAppTemplateSendEndToEnd(t *testing.T) {
	t.Parallel()
	h, fk := waHub(t, map[string]string{"shipped.yaml": waShippedPipeline}, wafake.Options{}, 0)

	// The registry was synced at start.
	code, b := h.Do(t, http.MethodGet, "/v1/templates", "")
	require.Equal(t, http.StatusOK, code, string(b))
	tl := hubtest.JSON(t, b)["templates"].([]any)
	require.Len(t, tl, 2)
	first := tl[1].(map[string]any)
	require.Equal(t, "shipping_update", first["name"])
	require.EqualValues(t, 2, first["body_params"])
	require.EqualValues(t, 1, first["button_params"])

	status, resp := postEvent(t, h, shippedEvent("1001", "0412 345 678"))
	require.Equal(t, http.StatusAccepted, status, resp)
	run := h.WaitRun(t, acceptedID(t, resp, 0), "order-shipped", 10*time.Second)
	require.Equal(t, store.RunSucceeded, run.Status, run.Error)
	var out struct {
		MessageID string `json:"message_id"`
	}
	require.NoError(t, json.Unmarshal(run.Steps[0].Output, &out))

	sends := fk.Sends()
	require.Len(t, sends, 1)
	require.Equal(t, out.MessageID, sends[0].ID)
	require.Equal(t, "61412345678", sends[0].WaID)
	require.Equal(t, "shipping_update", sends[0].Template)
	require.Equal(t, run.ID+"/notify", sends[0].BizOpaqueCallbackData)

	// The fake's signed status webhooks come back: sent, delivered, read.
	require.NoError(t, fk.Flush(context.Background()))
	require.Zero(t, fk.WebhookFailures())
	var m store.Message
	require.Eventually(t, func() bool {
		var err error
		m, err = h.Store.GetMessage(context.Background(), out.MessageID)
		return err == nil && m.Status == store.MessageRead
	}, 10*time.Second, 10*time.Millisecond)
	require.NotNil(t, m.SentAt)
	require.NotNil(t, m.DeliveredAt)
	require.NotNil(t, m.ReadAt)
	require.Equal(t, run.ID, *m.RunID)
	require.Equal(t, "order-shipped", *m.Pipeline)
	require.Equal(t, "shipping_update", *m.Template)
	require.Equal(t, *run.ContactID, *m.ContactID)

	code, b = h.Do(t, http.MethodGet, "/v1/messages?run_id="+run.ID, "")
	require.Equal(t, http.StatusOK, code, string(b))
	ms := hubtest.JSON(t, b)["messages"].([]any)
	require.Len(t, ms, 1)
	require.Equal(t, "read", ms[0].(map[string]any)["status"])

	// The same shipment posted again runs once.
	status, _ = postEvent(t, h, shippedEvent("1001", "0412 345 678"))
	require.Equal(t, http.StatusOK, status)
	require.Len(t, fk.Sends(), 1)

	// GET /v1/connectors shows the webhooks received and the template sync.
	code, b = h.Do(t, http.MethodGet, "/v1/connectors", "", "Authorization", "Bearer "+hubtest.ReadKey)
	require.Equal(t, http.StatusOK, code, string(b))
	var wa map[string]any
	for _, c := range hubtest.JSON(t, b)["connectors"].([]any) {
		if c.(map[string]any)["name"] == "whatsapp" {
			wa = c.(map[string]any)
		}
	}
	require.NotNil(t, wa)
	require.Equal(t, "live", wa["mode"])
	require.Equal(t, false, wa["degraded"])
	require.NotEmpty(t, wa["webhook"].(map[string]any)["last_received_at"])
	require.EqualValues(t, 2, wa["template_sync"].(map[string]any)["count"])
}

func TestWhatsAppBlockedBeforeAnyCall(t *testing.T) {
	t.Parallel()
	pending := `name: pending
on: order.shipped
steps:
  - id: notify
    action: whatsapp.send_template
    with: {template: shipping_pending, language: en_AU, body: [a, b], buttons: [c]}
`
	missing := `name: missing-param
on: order.shipped
steps:
  - id: notify
    action: whatsapp.send_template
    with: {template: shipping_update, language: en_AU, body: ["${{ contact.first_name }}"], buttons: [c]}
`
	freeform := `name: freeform
on: order.shipped
steps:
  - id: notify
    action: whatsapp.send_text
    with: {body: "Your order shipped"}
`
	h, fk := waHub(t, map[string]string{"pending.yaml": pending, "missing.yaml": missing, "freeform.yaml": freeform}, wafake.Options{}, 0)
	status, resp := postEvent(t, h, shippedEvent("2002", "+61412345679"))
	require.Equal(t, http.StatusAccepted, status, resp)
	id := acceptedID(t, resp, 0)
	for _, tc := range []struct{ pipeline, reason, msg string }{
		{"pending", "template_not_approved", "template shipping_pending (en_AU) is PENDING, not APPROVED"},
		{"missing-param", "template_params", "the template expects 2 parameter(s) ({{1}}, {{2}}); the step gives 1"},
		{"freeform", "outside_window", "the 24-hour window is closed"},
	} {
		run := h.WaitRun(t, id, tc.pipeline, 10*time.Second)
		require.Equal(t, store.RunBlocked, run.Status, tc.pipeline)
		require.Contains(t, run.Error, tc.msg, tc.pipeline)
		require.Equal(t, store.StepBlocked, run.Steps[0].Status)
		require.Equal(t, tc.reason, run.Steps[0].ErrorClass)
		require.Equal(t, 1, run.Steps[0].Attempts, "blocked steps are not retried")
	}
	require.Empty(t, fk.Requests(), "no call reached Meta")
	dl, _, err := h.Store.ListDeadLetters(context.Background(), store.DeadLetterFilter{})
	require.NoError(t, err)
	require.Empty(t, dl, "blocked steps are not dead letters")
}

func TestWhatsAppExpiredTokenDegradesReadiness(t *testing.T) {
	t.Parallel()
	h, fk := waHub(t, map[string]string{"shipped.yaml": waShippedPipeline}, wafake.Options{}, 0)
	fk.FailNext(1, 190)
	status, resp := postEvent(t, h, shippedEvent("3003", "+61412345670"))
	require.Equal(t, http.StatusAccepted, status, resp)
	run := h.WaitRun(t, acceptedID(t, resp, 0), "order-shipped", 10*time.Second)
	require.Equal(t, store.RunFailed, run.Status)
	require.Equal(t, "auth", run.Steps[0].ErrorClass)
	require.Contains(t, run.Error, "access token")

	code, b := h.Do(t, http.MethodGet, "/readyz", "")
	require.Equal(t, http.StatusOK, code)
	ready := hubtest.JSON(t, b)
	require.Equal(t, "degraded", ready["status"], string(b))
	require.Contains(t, ready["connectors"].(map[string]any)["whatsapp"], "access token")

	// A send that works again clears it.
	status, resp = postEvent(t, h, shippedEvent("3004", "+61412345670"))
	require.Equal(t, http.StatusAccepted, status, resp)
	run = h.WaitRun(t, acceptedID(t, resp, 0), "order-shipped", 10*time.Second)
	require.Equal(t, store.RunSucceeded, run.Status, run.Error)
	code, b = h.Do(t, http.MethodGet, "/readyz", "")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ready", hubtest.JSON(t, b)["status"])
	code, b = h.Do(t, http.MethodGet, "/v1/connectors", "")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(b), `"last_outbound_error":{`, "the last error stays visible")
}

// TestWhatsAppThrottledBurst sends 2,000 messages through a fake that
// admits 20 a second, with the hub configured for 25: every message arrives
// exactly once, and no second ever carries more than the hub's rate.
func TestWhatsAppThrottledBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 2,000 messages at 20/s (about 100 s); run without -short")
	}
	t.Parallel()
	const (
		n        = 2000
		hubRate  = 25
		fakeRate = 20
	)
	h, fk, clock := waHubClock(t, map[string]string{"shipped.yaml": waShippedPipeline},
		wafake.Options{MessagesPerSecond: fakeRate, Statuses: []string{}}, hubRate)

	var wg sync.WaitGroup
	errs := make(chan error, n/100)
	for batch := 0; batch < n/100; batch++ {
		wg.Add(1)
		go func(batch int) {
			defer wg.Done()
			body := "["
			for i := range 100 {
				k := batch*100 + i
				if i > 0 {
					body += ","
				}
				body += shippedEvent(fmt.Sprintf("b%04d", k), fmt.Sprintf("+614%08d", k))
			}
			status, b := h.Do(t, http.MethodPost, "/v1/events", body+"]")
			if status != http.StatusAccepted {
				errs <- fmt.Errorf("batch %d: %d %s", batch, status, b)
			}
		}(batch)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	count := func(status string) int64 {
		c, err := h.Store.CountRuns(context.Background(), status)
		require.NoError(t, err)
		return c
	}
	require.Eventually(t, func() bool {
		return count(store.RunRunning) == 0 && count(store.RunSucceeded)+count(store.RunFailed)+count(store.RunBlocked) == n
	},
		5*time.Minute, 200*time.Millisecond, "runs: %d succeeded, %d running", count(store.RunSucceeded), count(store.RunRunning))
	if failed := count(store.RunFailed) + count(store.RunBlocked); failed > 0 {
		runs, _, err := h.Store.ListRuns(context.Background(), store.RunFilter{Status: store.RunFailed, Page: store.Page{Limit: 3}})
		require.NoError(t, err)
		for _, r := range runs {
			t.Logf("failed run %s: %s", r.ID, r.Error)
		}
		require.Zero(t, failed, "runs that did not succeed")
	}
	sends := fk.Sends()
	byStep := map[string][]wafake.Send{}
	for _, s := range sends {
		byStep[s.BizOpaqueCallbackData] = append(byStep[s.BizOpaqueCallbackData], s)
	}
	for step, ss := range byStep {
		if len(ss) > 1 {
			for _, r := range fk.Requests() {
				if strings.Contains(string(r.Body), step) {
					t.Logf("request for %s at %s: HTTP %d code %d", step, r.At.Format(time.RFC3339Nano), r.Status, r.Code)
				}
			}
			run, err := h.Store.GetRun(context.Background(), strings.TrimSuffix(step, "/notify"))
			require.NoError(t, err)
			t.Logf("step %s: %+v", step, run.Steps[0])
		}
	}
	require.Equal(t, n, len(byStep), "every message arrived")
	require.Equal(t, n, len(sends), "no message was sent twice")
	throttled := 0
	for _, r := range fk.Requests() {
		if r.Code == 130429 {
			throttled++
		}
	}
	at := clock.times()
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	worst := 0
	for i, j := 0, 0; i < len(at); i++ {
		for at[i].Sub(at[j]) >= time.Second {
			j++
		}
		worst = max(worst, i-j+1)
	}
	t.Logf("%d sends in %d requests (%d throttled by the fake, so retried); at most %d requests left the hub in any second",
		len(sends), len(at), throttled, worst)
	// The limiter's bucket holds one token; allow one more for the
	// scheduling jitter between the limiter and the transport.
	require.LessOrEqual(t, worst, hubRate+2, "the hub exceeded its configured rate")
}

// TestWhatsAppTemplateRegistryFollowsMeta: a template status webhook
// changes the registry at once, a new template appears on
// POST /v1/templates/sync, and a paused template is refused before any call.
func TestWhatsAppTemplateRegistryFollowsMeta(t *testing.T) {
	t.Parallel()
	h, fk := waHub(t, map[string]string{"shipped.yaml": waShippedPipeline}, wafake.Options{}, 0)
	ctx := context.Background()
	require.NoError(t, fk.SetTemplateStatus(ctx, "shipping_update", "en_AU", "PAUSED", true))
	status := func(name string) any {
		code, b := h.Do(t, http.MethodGet, "/v1/templates?connector=whatsapp", "")
		require.Equal(t, http.StatusOK, code, string(b))
		for _, tl := range hubtest.JSON(t, b)["templates"].([]any) {
			if tl.(map[string]any)["name"] == name {
				return tl.(map[string]any)["status"]
			}
		}
		return nil
	}
	require.Eventually(t, func() bool { return status("shipping_update") == "PAUSED" }, 10*time.Second, 10*time.Millisecond)

	code, resp := postEvent(t, h, shippedEvent("4004", "+61412345671"))
	require.Equal(t, http.StatusAccepted, code, resp)
	run := h.WaitRun(t, acceptedID(t, resp, 0), "order-shipped", 10*time.Second)
	require.Equal(t, store.RunBlocked, run.Status)
	require.Equal(t, "template_not_approved", run.Steps[0].ErrorClass)
	require.Empty(t, fk.Sends())

	fk.SetTemplate(wafake.Template{Name: "back_in_stock", Language: "en_AU", Category: "MARKETING", Status: "APPROVED",
		Components: []map[string]any{{"type": "BODY", "text": "{{1}} is back!"}}})
	require.Nil(t, status("back_in_stock"))
	c, b := h.Do(t, http.MethodPost, "/v1/templates/sync", "", "Authorization", "Bearer "+hubtest.ReadKey)
	require.Equal(t, http.StatusForbidden, c, "syncing needs the admin scope")
	c, b = h.Do(t, http.MethodPost, "/v1/templates/sync", "")
	require.Equal(t, http.StatusOK, c, string(b))
	require.EqualValues(t, 3, hubtest.JSON(t, b)["sync"].(map[string]any)["whatsapp"].(map[string]any)["count"])
	require.Equal(t, "APPROVED", status("back_in_stock"))
}

// waConnector is the WhatsApp connector pointed at fk, keeping its messages
// and templates in st; tune adjusts its config and deps.
func waConnector(t testing.TB, fk *wafake.Server, st *store.Store, tune func(*whatsapp.Config, *whatsapp.Deps)) connectors.Connector {
	t.Helper()
	cfg := whatsapp.Config{BaseURL: fk.URL(), AccessToken: wafake.DefaultAccessToken, AppSecret: waSecret, VerifyToken: waVerifyToken,
		PhoneNumberID: wafake.DefaultPhoneNumberID, WABAID: wafake.DefaultWABAID}
	deps := whatsapp.Deps{Messages: engine.MessageLog(st), Templates: engine.TemplateStore(st)}
	if tune != nil {
		tune(&cfg, &deps)
	}
	c, err := whatsapp.New(cfg, deps)
	require.NoError(t, err)
	return c
}
