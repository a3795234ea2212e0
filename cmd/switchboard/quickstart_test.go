package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestQuickstart walks the README's quickstart: `serve` with no config, the
// key it prints, the README's order event, then the run and the outbox entry.
func TestQuickstart(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test: skipped with -short")
	}
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	// The event exactly as the README posts it.
	m := regexp.MustCompile(`(?s)-d '(\{"id":"order-1001-shipped".*?\}\}\})'`).FindSubmatch(readme)
	require.NotNil(t, m, "README quickstart event not found")
	body := string(m[1])

	data := t.TempDir()
	addr := freeAddr(t)
	t.Setenv("SWITCHBOARD_API_KEY", "")
	hub := startHubArgs(t, addr, "serve", "--data", data, "--addr", addr)
	keyBytes, err := os.ReadFile(filepath.Join(data, "quickstart.key"))
	require.NoError(t, err)
	key := strings.TrimSpace(string(keyBytes))
	require.Eventually(t, func() bool { return strings.Contains(hub.logs.String(), "quickstart API key") }, 5*time.Second, 10*time.Millisecond)
	require.Contains(t, hub.logs.String(), key, "the key is printed at start")

	call := func(method, path, body string) (int, map[string]any) {
		req, err := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		var out map[string]any
		require.NoError(t, json.Unmarshal(b, &out), string(b))
		return resp.StatusCode, out
	}
	status, out := call(http.MethodPost, "/v1/events", body)
	require.Equal(t, http.StatusAccepted, status, out)

	var run map[string]any
	require.Eventually(t, func() bool {
		_, out := call(http.MethodGet, "/v1/runs", "")
		runs := out["runs"].([]any)
		if len(runs) != 1 {
			return false
		}
		run = runs[0].(map[string]any)
		return run["status"] == "succeeded"
	}, 20*time.Second, 50*time.Millisecond)
	require.Equal(t, "order-shipped", run["pipeline"])

	status, detail := call(http.MethodGet, "/v1/runs/"+run["id"].(string), "")
	require.Equal(t, http.StatusOK, status)
	require.Len(t, detail["steps"], 2)

	_, out = call(http.MethodGet, "/v1/outbox", "")
	entries := out["outbox"].([]any)
	require.Len(t, entries, 2)
	byConnector := map[string]string{}
	for _, e := range entries {
		params, err := json.Marshal(e.(map[string]any)["params"])
		require.NoError(t, err)
		byConnector[e.(map[string]any)["connector"].(string)] = string(params)
	}
	require.JSONEq(t, `{"body":{"email":"jo@example.com","message":"Order #1001 is on its way","order":"#1001","total":89.5},
		"method":"POST","url":"https://fulfilment.example.com/hooks/order-shipped"}`, byConnector["httpcall"])
	require.JSONEq(t, `{"template":"shipping_update","language":"en_AU","purpose":"transactional","body":["there","#1001"]}`, byConnector["whatsapp"])

	status, out = call(http.MethodPost, "/v1/events", body)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, true, out["accepted"].([]any)[0].(map[string]any)["duplicate"])
}
