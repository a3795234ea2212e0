package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors/httpcall/fake"
	"github.com/switchboardhq/switchboard/internal/hubtest"
	"github.com/switchboardhq/switchboard/store"
)

const shippedPipeline = `name: order-shipped
on: order.shipped
when: event.data.total > 50 && contact.phone != ""
steps:
  - id: notify
    action: http.request
    with:
      url: "{{sink}}/hooks/shipped"
      headers: {X-Shop: "${{ event.source }}"}
      body:
        order: ${{ event.data.order_name }}
        total: ${{ event.data.total }}
        phone: ${{ contact.phone }}
        text: "Order ${{ event.data.order_name }} is on its way"
`

func postEvent(t *testing.T, h *hubtest.Hub, body string) (int, map[string]any) {
	t.Helper()
	status, b := h.Do(t, http.MethodPost, "/v1/events", body)
	return status, hubtest.JSON(t, b)
}

func acceptedID(t *testing.T, resp map[string]any, i int) string {
	t.Helper()
	items := resp["accepted"].([]any)
	return items[i].(map[string]any)["event_id"].(string)
}

func TestOrderShippedEndToEnd(t *testing.T) {
	t.Parallel()
	h := hubtest.New(t, hubtest.Options{Pipelines: map[string]string{"shipped.yaml": shippedPipeline}})

	status, resp := postEvent(t, h, `{"id":"evt-1","type":"order.shipped","source":"my-store",
		"data":{"order_name":"#1001","total":89.5,"customer":{"phone":"0412 345 678","email":"Jo@Example.com"}}}`)
	require.Equal(t, http.StatusAccepted, status, resp)
	eventID := acceptedID(t, resp, 0)

	run := h.WaitRun(t, eventID, "order-shipped", 10*time.Second)
	require.Equal(t, store.RunSucceeded, run.Status)
	require.NoError(t, h.Sink.WaitFor(1, 5*time.Second))

	reqs := h.Sink.Requests()
	require.Len(t, reqs, 1, "exactly one call")
	require.Equal(t, "/hooks/shipped", reqs[0].Path)
	require.Equal(t, "my-store", reqs[0].Header.Get("X-Shop"))
	require.Equal(t, run.ID+"/notify", reqs[0].IdempotencyKey)
	require.JSONEq(t, `{"order":"#1001","total":89.5,"phone":"+61412345678","text":"Order #1001 is on its way"}`, string(reqs[0].Body))

	// the run and its step through the API
	code, b := h.Do(t, http.MethodGet, "/v1/runs/"+run.ID, "")
	require.Equal(t, http.StatusOK, code, string(b))
	var got struct {
		Status string `json:"status"`
		Steps  []struct {
			StepID   string         `json:"step_id"`
			Status   string         `json:"status"`
			Attempts int            `json:"attempts"`
			Inputs   map[string]any `json:"inputs"`
			Output   map[string]any `json:"output"`
		} `json:"steps"`
	}
	require.NoError(t, json.Unmarshal(b, &got))
	require.Equal(t, "succeeded", got.Status)
	require.Len(t, got.Steps, 1)
	require.Equal(t, "notify", got.Steps[0].StepID)
	require.Equal(t, 1, got.Steps[0].Attempts)
	require.Equal(t, h.Sink.URL()+"/hooks/shipped", got.Steps[0].Inputs["url"])
	require.EqualValues(t, 200, got.Steps[0].Output["status"])

	// a repeat is a duplicate and is not processed again
	status, resp = postEvent(t, h, `{"id":"evt-1","type":"order.shipped","source":"my-store","data":{"total":89.5}}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, true, resp["accepted"].([]any)[0].(map[string]any)["duplicate"])
	require.Equal(t, eventID, acceptedID(t, resp, 0))

	// when false: no run
	status, resp = postEvent(t, h, `{"id":"evt-2","type":"order.shipped","source":"my-store",
		"data":{"order_name":"#1002","total":20,"customer":{"phone":"+61412345678"}}}`)
	require.Equal(t, http.StatusAccepted, status)
	small := acceptedID(t, resp, 0)
	require.Eventually(t, func() bool {
		_, st, err := h.Store.GetEvent(context.Background(), small)
		require.NoError(t, err)
		return st == store.EventRouted
	}, 5*time.Second, 10*time.Millisecond)
	runs, _, err := h.Store.ListRuns(context.Background(), store.RunFilter{EventID: small})
	require.NoError(t, err)
	require.Empty(t, runs)
	require.Equal(t, 1, h.Sink.Count(), "only the first event called out")
}

func TestRetries(t *testing.T) {
	t.Parallel()
	pipeline := `name: hook
on: order.paid
steps:
  - id: call
    action: http.request
    with: {url: "{{sink}}/hooks/${{ event.data.path }}", body: {n: "${{ event.data.n }}"}}
`
	tests := []struct {
		name       string
		script     []fake.Response
		wantStatus string // the run's end
		wantCalls  int
		wantDead   bool
		minGap     time.Duration // between the first two calls
	}{
		{"503 503 200 delivers once", []fake.Response{{Status: 503}, {Status: 503}, {Status: 200}}, store.RunSucceeded, 3, false, 0},
		{"400 goes straight to the dead letters", []fake.Response{{Status: 400, Body: `{"error":"bad"}`}}, store.RunFailed, 1, true, 0},
		{"429 honours Retry-After", []fake.Response{{Status: 429, Header: http.Header{"Retry-After": {"2"}}}, {Status: 200}}, store.RunSucceeded, 2, false, 2 * time.Second},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := hubtest.New(t, hubtest.Options{Pipelines: map[string]string{"hook.yaml": pipeline}})
			path := fmt.Sprintf("case%d", i)
			h.Sink.Script("/hooks/"+path, tc.script...)
			status, resp := postEvent(t, h, fmt.Sprintf(`{"id":"e-%d","type":"order.paid","source":"shop","data":{"path":%q,"n":%d}}`, i, path, i))
			require.Equal(t, http.StatusAccepted, status)
			run := h.WaitRun(t, acceptedID(t, resp, 0), "hook", 15*time.Second)
			require.Equal(t, tc.wantStatus, run.Status)
			reqs := h.Sink.Requests()
			require.Len(t, reqs, tc.wantCalls)
			if tc.minGap > 0 {
				require.GreaterOrEqual(t, reqs[1].At.Sub(reqs[0].At), tc.minGap, "retried before Retry-After")
			}
			dead, _, err := h.Store.ListDeadLetters(context.Background(), store.DeadLetterFilter{})
			require.NoError(t, err)
			if !tc.wantDead {
				require.Empty(t, dead)
				require.Equal(t, tc.wantCalls, run.Steps[0].Attempts)
				return
			}
			require.Len(t, dead, 1)
			require.Equal(t, run.ID, dead[0].RunID)
			require.Equal(t, 1, dead[0].Attempts, "a permanent error is not retried")
			require.Equal(t, "http_400", dead[0].Reason)
		})
	}
}

func TestReplayedDeadLetterIsDelivered(t *testing.T) {
	t.Parallel()
	h := hubtest.New(t, hubtest.Options{Pipelines: map[string]string{"hook.yaml": `name: hook
on: order.paid
steps:
  - id: call
    action: http.request
    with: {url: "{{sink}}/hooks/replay"}
`}})
	h.Sink.Script("/hooks/replay", fake.Response{Status: 422})
	status, resp := postEvent(t, h, `{"id":"e-1","type":"order.paid","source":"shop"}`)
	require.Equal(t, http.StatusAccepted, status)
	eventID := acceptedID(t, resp, 0)
	run := h.WaitRun(t, eventID, "hook", 10*time.Second)
	require.Equal(t, store.RunFailed, run.Status)

	code, b := h.Do(t, http.MethodGet, "/v1/dead-letters", "")
	require.Equal(t, http.StatusOK, code)
	var list struct {
		DeadLetters []store.DeadLetter `json:"dead_letters"`
	}
	require.NoError(t, json.Unmarshal(b, &list))
	require.Len(t, list.DeadLetters, 1)
	id := list.DeadLetters[0].ID

	// replay needs the admin scope
	code, _ = h.Do(t, http.MethodPost, "/v1/dead-letters/"+id+"/replay", "", "Authorization", "Bearer "+hubtest.ReadKey)
	require.Equal(t, http.StatusForbidden, code)

	code, b = h.Do(t, http.MethodPost, "/v1/dead-letters/"+id+"/replay", "")
	require.Equal(t, http.StatusAccepted, code, string(b))
	run = h.WaitRun(t, eventID, "hook", 10*time.Second)
	require.Equal(t, store.RunSucceeded, run.Status)
	require.Equal(t, 2, h.Sink.Count())
	require.Equal(t, 200, h.Sink.Requests()[1].Status)

	code, _ = h.Do(t, http.MethodPost, "/v1/dead-letters/"+id+"/replay", "")
	require.Equal(t, http.StatusConflict, code, "a dead letter is replayed once")
	code, _ = h.Do(t, http.MethodPost, "/v1/dead-letters/nope/replay", "")
	require.Equal(t, http.StatusNotFound, code)
}
