package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/internal/hubtest"
)

const anyEventPipeline = `name: any
on: order.created
steps:
  - id: call
    action: http.request
    with: {url: "{{sink}}/hook"}
`

func TestIngestRejectsBadInputAndStoresNothing(t *testing.T) {
	t.Parallel()
	h := hubtest.New(t, hubtest.Options{Pipelines: map[string]string{"any.yaml": anyEventPipeline}})
	good := `{"id":"ok-1","type":"order.created","source":"shop","data":{}}`
	many := "[" + strings.TrimSuffix(strings.Repeat(good+",", 501), ",") + "]"
	tests := []struct {
		name      string
		body      string
		headers   []string
		status    int
		code      string
		field     string
		inMessage string
	}{
		{"no key", good, []string{"Authorization", ""}, 401, "unauthorized", "Authorization", "missing API key"},
		{"unknown key", good, []string{"Authorization", "Bearer nope-nope-nope-nope"}, 401, "unauthorized", "Authorization", "unknown API key"},
		{"read key cannot ingest", good, []string{"Authorization", "Bearer " + hubtest.ReadKey}, 403, "forbidden", "Authorization", "lacks scope \"ingest\""},
		{"wrong media type", good, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type", "Content-Type", "application/json"},
		{"too large", `{"id":"x","type":"order.created","data":{"pad":"` + strings.Repeat("x", 70<<10) + `"}}`, nil, 413, "body_too_large", "", "exceeds"},
		{"malformed json", `{"id":`, nil, 400, "bad_request", "", "malformed JSON"},
		{"not an object", `"hello"`, nil, 400, "bad_request", "", "JSON object or array"},
		{"empty array", `[]`, nil, 400, "bad_request", "", "at least one"},
		{"over 500 events", many, nil, 400, "invalid_field", "events", "at most 500"},
		{"missing id", `{"type":"order.created"}`, nil, 400, "invalid_field", "id", "required"},
		{"missing type", `{"id":"a"}`, nil, 400, "invalid_field", "type", "required"},
		{"bad type", `{"id":"a","type":"Order Shipped"}`, nil, 400, "invalid_field", "type", "order.shipped"},
		{"bad source", `{"id":"a","type":"order.created","source":"My Shop"}`, nil, 400, "invalid_field", "source", "lower-case"},
		{"bad time", `{"id":"a","type":"order.created","time":"yesterday"}`, nil, 400, "invalid_field", "time", "RFC 3339"},
		{"data not an object", `{"id":"a","type":"order.created","data":[1]}`, nil, 400, "invalid_field", "data", "an object"},
		{"id not a string", `{"id":7,"type":"order.created"}`, nil, 400, "invalid_field", "id", "a string"},
		{"unknown field", `{"id":"a","type":"order.created","colour":"red"}`, nil, 400, "invalid_field", "colour", "unknown field"},
		{"one bad event rejects the batch", `[` + good + `,{"id":"b","type":"nope"}]`, nil, 400, "invalid_field", "[1].type", "order.shipped"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, b := h.Do(t, http.MethodPost, "/v1/events", tc.body, tc.headers...)
			require.Equal(t, tc.status, status, string(b))
			e := hubtest.JSON(t, b)["error"].(map[string]any)
			require.Equal(t, tc.code, e["code"])
			field, _ := e["field"].(string)
			require.Equal(t, tc.field, field, "field")
			require.Contains(t, e["message"], tc.inMessage)
		})
	}
	n, err := h.Store.CountEvents(context.Background())
	require.NoError(t, err)
	require.Zero(t, n, "no rejected request stored anything")
	time.Sleep(200 * time.Millisecond) // give a wrongly published event time to show up
	runs, err := h.Store.CountRuns(context.Background(), "")
	require.NoError(t, err)
	require.Zero(t, runs, "no rejected request opened a run")
	require.Zero(t, h.Sink.Count(), "no rejected request called out")
}

func TestIngestBatchAndDuplicatesWithinIt(t *testing.T) {
	t.Parallel()
	h := hubtest.New(t, hubtest.Options{Pipelines: map[string]string{"any.yaml": anyEventPipeline}})
	status, resp := postEvent(t, h, `[{"id":"a","type":"order.created","source":"shop"},
		{"id":"b","type":"order.created","source":"shop"},{"id":"a","type":"order.created","source":"shop"}]`)
	require.Equal(t, http.StatusAccepted, status)
	items := resp["accepted"].([]any)
	require.Len(t, items, 3)
	require.Equal(t, false, items[0].(map[string]any)["duplicate"])
	require.Equal(t, true, items[2].(map[string]any)["duplicate"])
	require.Equal(t, acceptedID(t, resp, 0), acceptedID(t, resp, 2))
	require.NoError(t, h.Sink.WaitFor(2, 10*time.Second))
	time.Sleep(200 * time.Millisecond)
	require.Equal(t, 2, h.Sink.Count(), "two events, two calls")
}

func TestReadEndpointsValidateQuery(t *testing.T) {
	t.Parallel()
	h := hubtest.New(t, hubtest.Options{})
	tests := []struct {
		path   string
		status int
		field  string
	}{
		{"/v1/runs?limit=0", 400, "limit"},
		{"/v1/runs?limit=abc", 400, "limit"},
		{"/v1/runs?status=weird", 400, "status"},
		{"/v1/dead-letters?status=weird", 400, "status"},
		{"/v1/runs/unknown", 404, "id"},
		{"/v1/runs?limit=10", 200, ""},
		{"/v1/outbox", 200, ""},
		{"/v1/pipelines", 200, ""},
		{"/v1/nothing", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			status, b := h.Do(t, http.MethodGet, tc.path, "")
			require.Equal(t, tc.status, status, string(b))
			if tc.status >= 400 {
				field, _ := hubtest.JSON(t, b)["error"].(map[string]any)["field"].(string)
				require.Equal(t, tc.field, field)
			}
		})
	}
}

func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	h := hubtest.New(t, hubtest.Options{})
	for _, path := range []string{"/healthz", "/readyz"} {
		status, b := h.Do(t, http.MethodGet, path, "", "Authorization", "")
		require.Equal(t, http.StatusOK, status, string(b))
	}
	_, _ = postEvent(t, h, `{"id":"m-1","type":"order.created","source":"shop"}`)
	status, b := h.Do(t, http.MethodGet, "/metrics", "", "Authorization", "")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, string(b), `switchboard_events_accepted_total{source="shop",type="order.created"} 1`)
	require.Contains(t, string(b), `switchboard_events_received_total{source="shop",type="order.created"} 1`)
}
