package api_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
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

var (
	policySeed = flag.Uint64("policy.seed", 0, "replay TestPolicyProperty with this seed")
	policyOps  = flag.Int("policy.ops", 10000, "operations TestPolicyProperty drives")
)

// modelContact is the reference model's view of one person.
type modelContact struct {
	phone       string
	consent     string // "", "pending", "in", "out"
	lastInbound time.Time
	marketing   []time.Time // marketing messages sent
	sends       int         // every message sent, replies included
}

// modelSend is a send the model is waiting on (held by quiet hours).
type modelSend struct {
	eventKey string
	kind     string
	c        *modelContact
	// step is the run's step this send is (a sequence has two).
	step int
	// due is when a held or waiting send is looked at again (the quiet
	// hours' end, or its step's wait).
	due time.Time
}

// rule is the kind whose rules a send follows: a sequence's steps are
// marketing templates.
func (m modelSend) rule() string {
	if m.kind == "sequence" {
		return "marketing"
	}
	return m.kind
}

// next is the sequence's second step, due an hour after the first was sent.
func (m modelSend) next(sentAt time.Time) (modelSend, bool) {
	if m.kind != "sequence" || m.step != 0 {
		return modelSend{}, false
	}
	m.step, m.due = 1, sentAt.Add(time.Hour)
	return m, true
}

// outcome reads what the engine did with a run's step.
func outcome(run store.Run, step int) string {
	if step >= len(run.Steps) {
		return "none"
	}
	switch run.Steps[step].Status {
	case store.StepSucceeded:
		return "sent"
	case store.StepRetrying, store.StepRunning, store.StepPending:
		return "held"
	}
	return "blocked"
}

var sydneyZone = func() *time.Location {
	l, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		panic(err)
	}
	return l
}()

// quiet is the model's quiet hours: 20:00–09:00 and all of Sunday, in Sydney.
func quiet(t time.Time) bool {
	l := t.In(sydneyZone)
	return l.Weekday() == time.Sunday || l.Hour() >= 20 || l.Hour() < 9
}

// nextOpen is the next 09:00 in Sydney that is not a Sunday.
func nextOpen(t time.Time) time.Time {
	l := t.In(sydneyZone)
	d := time.Date(l.Year(), l.Month(), l.Day(), 9, 0, 0, 0, sydneyZone)
	if !d.After(l) {
		d = d.AddDate(0, 0, 1)
	}
	for d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// decide is the model of the rules: "sent", "blocked", or "held".
func (c *modelContact) decide(kind string, now time.Time) string {
	if kind == "text" && (c.lastInbound.IsZero() || now.Sub(c.lastInbound) >= 24*time.Hour) {
		return "blocked" // the 24-hour window
	}
	if c.consent == "out" {
		return "blocked"
	}
	if kind == "utility" {
		return "sent"
	}
	if c.consent != "in" {
		return "blocked"
	}
	n := 0
	for _, s := range c.marketing {
		if now.Sub(s) < 30*24*time.Hour {
			n++
		}
	}
	if n >= 4 {
		return "blocked"
	}
	if quiet(now) {
		if kind == "text" && !nextOpen(now).Before(c.lastInbound.Add(24*time.Hour)) {
			return "blocked" // the window closes before the quiet hours end
		}
		return "held"
	}
	return "sent"
}

func (c *modelContact) sent(kind string, now time.Time) {
	c.sends++
	if kind != "utility" {
		c.marketing = append(c.marketing, now)
	}
}

// TestPolicyProperty drives mixed operations (opt-ins with and without
// double opt-in confirmation, STOP and START (also between the two steps of
// a sequence),
// plain messages that open the 24-hour window, marketing and utility
// templates, free text, and clock jumps across quiet hours and cap
// windows) through the real engine and the WhatsApp fake, and compares
// every run with a reference model of what the rules allow: no send the
// model forbids, no allowed send lost. The seed is printed; replay with
// -policy.seed.
func TestPolicyProperty(t *testing.T) {
	if testing.Short() {
		t.Skip("drives 10,000 operations; run without -short")
	}
	t.Parallel()
	seed := *policySeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (replay with -policy.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	// Monday 30 November 2026, 10:00 in Sydney.
	clock := &testClock{t: time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC)}
	fk := wafake.New(wafake.Options{AppSecret: waSecret, Statuses: []string{}, Now: clock.Now, Templates: []wafake.Template{
		{Name: "promo", Language: "en_AU", Category: "MARKETING", Status: "APPROVED",
			Components: []map[string]any{{"type": "BODY", "text": "Lucky Shrub sale! Reply STOP to opt out."}}},
		{Name: "notice", Language: "en_AU", Category: "UTILITY", Status: "APPROVED",
			Components: []map[string]any{{"type": "BODY", "text": "Your order has shipped."}}},
		{Name: "confirm_sub", Language: "en_AU", Category: "UTILITY", Status: "APPROVED",
			Components: []map[string]any{{"type": "BODY", "text": "Reply YES to get offers from Lucky Shrub."}}},
	}})
	t.Cleanup(fk.Close)
	send := func(name, action, with string) string {
		return fmt.Sprintf("name: %s\non: prop.%s\nsteps:\n  - id: send\n    action: %s\n    with: %s\n", name, name, action, with)
	}
	h := hubtest.New(t, hubtest.Options{
		Engine: engine.Config{Now: clock.Now, DoubleOptIn: engine.DoubleOptIn{Channels: []string{"whatsapp"}, Template: "confirm_sub", Language: "en_AU"}},
		Pipelines: map[string]string{
			"marketing.yaml": send("marketing", "whatsapp.send_template", "{template: promo, language: en_AU}"),
			"utility.yaml":   send("utility", "whatsapp.send_template", "{template: notice, language: en_AU}"),
			"text.yaml":      send("text", "whatsapp.send_text", `{body: "Hi, still interested?"}`),
			"sequence.yaml": send("sequence", "whatsapp.send_template", "{template: promo, language: en_AU}") +
				"  - id: again\n    wait: 1h\n    action: whatsapp.send_template\n    with: {template: promo, language: en_AU}\n",
		},
		NewConnectors: func(t testing.TB, st *store.Store) []connectors.Connector {
			return []connectors.Connector{waConnector(t, fk, st, func(c *whatsapp.Config, d *whatsapp.Deps) {
				c.MessagesPerSecond, d.Now = 1000, clock.Now
			})}
		},
	})
	fk.SetWebhookURL(h.URL + "/webhooks/whatsapp")
	ctx := context.Background()

	const nContacts = 40
	contacts := make([]*modelContact, nContacts)
	for i := range contacts {
		contacts[i] = &modelContact{phone: fmt.Sprintf("+6141230%04d", i)}
	}
	eventRun := func(key string) store.Run {
		runs, _, err := h.Store.ListRuns(ctx, store.RunFilter{EventID: key})
		require.NoError(t, err)
		require.Len(t, runs, 1, "event %s", key)
		run, err := h.Store.GetRun(ctx, runs[0].ID)
		require.NoError(t, err)
		return run
	}
	var held []modelSend
	var forbidden, lost, checked, sentCount int
	check := func(ms modelSend, want string) {
		run := eventRun(ms.eventKey)
		got := outcome(run, ms.step)
		checked++
		switch {
		case got == want:
		case got == "sent":
			forbidden++
			t.Errorf("forbidden send: %s to %s at %s (model: %s); run %+v", ms.kind, ms.c.phone, clock.Now().In(sydneyZone), want, run)
		case want == "sent":
			lost++
			t.Errorf("allowed send lost: %s to %s at %s (engine: %s %q)", ms.kind, ms.c.phone, clock.Now().In(sydneyZone), got, run.Error)
		default:
			stepErr := ""
			if len(run.Steps) > 0 {
				stepErr = run.Steps[0].Error
			}
			t.Errorf("%s to %s at %s: model %s (consent %q, marketing sends %v), engine %s (%q)", ms.kind, ms.c.phone, clock.Now().In(sydneyZone), want, ms.c.consent, ms.c.marketing, got, stepErr)
		}
		if want == "sent" {
			ms.c.sent(ms.rule(), clock.Now())
			sentCount++
			if n, ok := ms.next(clock.Now()); ok {
				held = append(held, n)
			}
		}
	}
	idToKey := map[string]string{} // REST id -> event id
	var mu sync.Mutex

	ops, round := 0, 0
	for ops < *policyOps && !t.Failed() {
		round++
		var wg sync.WaitGroup
		var pending []modelSend
		for _, c := range contacts {
			if ops >= *policyOps {
				break
			}
			ops++
			r := rng.Float64()
			c := c
			switch {
			case r < 0.05: // a web-form opt-in: pending, and the hub asks to confirm
				c.consent = "pending"
				c.sends++
				wg.Add(1)
				go func() { defer wg.Done(); optIn(t, h, c.phone) }()
			case r < 0.10: // an in-store opt-in: no confirmation needed
				c.consent = "in"
				wg.Add(1)
				go func() {
					defer wg.Done()
					code, b := h.Do(t, http.MethodPost, "/v1/consents", `{"contact":{"phone":"`+c.phone+`"},"channel":"whatsapp","purpose":"marketing",
						"status":"opted_in","source":"in_store","words":"Signed the in-store offers card"}`)
					require.Equal(t, http.StatusAccepted, code, string(b))
				}()
			case r < 0.17:
				c.consent, c.lastInbound = "out", clock.Now()
				c.sends++ // the confirmation
				wg.Add(1)
				go func() { defer wg.Done(); _, err := fk.SendInbound(ctx, c.phone, "P", "STOP"); require.NoError(t, err) }()
			case r < 0.21:
				c.consent, c.lastInbound = "in", clock.Now()
				c.sends++ // the confirmation
				wg.Add(1)
				go func() { defer wg.Done(); _, err := fk.SendInbound(ctx, c.phone, "P", "start"); require.NoError(t, err) }()
			case r < 0.26: // YES confirms a pending opt-in, and is a plain message otherwise
				if c.consent == "pending" {
					c.consent = "in"
				}
				c.lastInbound = clock.Now()
				wg.Add(1)
				go func() { defer wg.Done(); _, err := fk.SendInbound(ctx, c.phone, "P", "Yes"); require.NoError(t, err) }()
			case r < 0.37:
				c.lastInbound = clock.Now()
				wg.Add(1)
				go func() { defer wg.Done(); _, err := fk.SendInbound(ctx, c.phone, "P", "hello"); require.NoError(t, err) }()
			default:
				kind := "marketing"
				if r >= 0.60 {
					kind = "sequence"
				}
				if r >= 0.68 {
					kind = "utility"
				}
				if r >= 0.85 {
					kind = "text"
				}
				id := fmt.Sprintf("r%d-%s", round, c.phone)
				pending = append(pending, modelSend{eventKey: id, kind: kind, c: c})
				wg.Add(1)
				go func() {
					defer wg.Done()
					code, b := h.Do(t, http.MethodPost, "/v1/events", `{"id":"`+id+`","type":"prop.`+kind+`","source":"shop","contact":{"phone":"`+c.phone+`"}}`)
					require.Equal(t, http.StatusAccepted, code, string(b))
					mu.Lock()
					idToKey[id] = hubtest.JSON(t, b)["accepted"].([]any)[0].(map[string]any)["event_id"].(string)
					mu.Unlock()
				}()
			}
		}
		wg.Wait()
		settle(t, h, fk, clock)
		for _, p := range pending {
			p.eventKey = idToKey[p.eventKey]
			want := p.c.decide(p.rule(), clock.Now())
			if want == "held" {
				p.due = nextOpen(clock.Now())
				held = append(held, p)
				check(p, "held")
				continue
			}
			check(p, want)
		}
		// Move the clock: minutes, hours or days (never into the first
		// minute and a half after 09:00, when held sends are spread).
		steps := []time.Duration{time.Minute, 30 * time.Minute, 3 * time.Hour, 11 * time.Hour, 2 * 24 * time.Hour, 9 * 24 * time.Hour}
		clock.Add(steps[rng.IntN(len(steps))])
		if l := clock.Now().In(sydneyZone); l.Hour() == 9 && l.Minute() < 2 {
			clock.Add(2 * time.Minute)
		}
		settle(t, h, fk, clock)
		// Sends of one contact released together may go in any order:
		// compare how many were sent, held and blocked, not which.
		byContact := map[*modelContact][]modelSend{}
		var order []*modelContact
		var still []modelSend
		for _, p := range held {
			if clock.Now().Before(p.due) {
				still = append(still, p) // not due: the engine has not looked again
				continue
			}
			if _, ok := byContact[p.c]; !ok {
				order = append(order, p.c)
			}
			byContact[p.c] = append(byContact[p.c], p)
		}
		for _, c := range order {
			want, got := map[string]int{}, map[string]int{}
			now := clock.Now()
			for _, p := range byContact[c] {
				d := c.decide(p.rule(), now)
				want[d]++
				if d == "sent" {
					c.sent(p.rule(), now)
					sentCount++
				}
				checked++
				switch o := outcome(eventRun(p.eventKey), p.step); o {
				case "held":
					got[o]++
					p.due = nextOpen(now)
					still = append(still, p)
				case "sent":
					got[o]++
					if n, ok := p.next(now); ok {
						still = append(still, n)
					}
				default:
					got[o]++
				}
			}
			if d := got["sent"] - want["sent"]; d > 0 {
				forbidden += d
			} else if d < 0 {
				lost -= d
			}
			if want["sent"] != got["sent"] || want["held"] != got["held"] || want["blocked"] != got["blocked"] {
				t.Errorf("released sends to %s at %s: model %v, engine %v (consent %q, marketing sends %v)", c.phone, now.In(sydneyZone), want, got, c.consent, c.marketing)
			}
		}
		held = still
	}
	total := 0
	for _, c := range contacts {
		total += c.sends
	}
	require.Equal(t, total, len(fk.Sends()), "every send the model expects, replies included, reached the fake, and no other")
	t.Logf("%d operations in %d rounds; %d send decisions checked, %d sent, %d still held; %d forbidden sends, %d allowed sends lost",
		ops, round, checked, sentCount, len(held), forbidden, lost)
	require.Zero(t, forbidden)
	require.Zero(t, lost)
}

// settle waits until every accepted event is routed, every webhook the
// fake queued is delivered, and every running run is held by a timer not
// yet due.
func settle(t *testing.T, h *hubtest.Hub, fk *wafake.Server, clock *testClock) {
	t.Helper()
	require.NoError(t, fk.Flush(context.Background()))
	db := h.Store.SQLDB()
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM events WHERE status = 'accepted'`).Scan(&n))
		if n > 0 {
			return false
		}
		now := clock.Now().UTC()
		rows, err := db.Query(`SELECT r.id, COALESCE(s.status, ''), s.lease_until FROM runs r LEFT JOIN step_results s ON s.run_id = r.id AND s.step_index = r.step_index WHERE r.status = 'running'`)
		require.NoError(t, err)
		defer rows.Close()
		for rows.Next() {
			var id, status string
			var lease *time.Time
			require.NoError(t, rows.Scan(&id, &status, &lease))
			if status != store.StepRetrying || lease == nil || !lease.After(now) {
				return false
			}
		}
		return true
	}, 30*time.Second, 5*time.Millisecond, "the hub did not settle")
}
