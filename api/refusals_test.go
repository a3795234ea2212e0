package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/whatsapp"
	wafake "github.com/switchboardhq/switchboard/connectors/whatsapp/fake"
	"github.com/switchboardhq/switchboard/internal/hubtest"
)

// TestWebhookRefusalsAreVisible: every refused webhook is counted by reason
// in the metrics, and GET /v1/connectors shows the last refusal with what to
// check.
func TestWebhookRefusalsAreVisible(t *testing.T) {
	t.Parallel()
	wa, err := whatsapp.New(whatsapp.Config{AppSecret: "secret", VerifyToken: "verify-me"}, whatsapp.Deps{})
	require.NoError(t, err)
	h := hubtest.New(t, hubtest.Options{Connectors: []connectors.Connector{wa}})
	refusals := []struct {
		method, path, body, sig string
		want                    int
		reason                  string
	}{
		{http.MethodPost, "/webhooks/whatsapp", `{}`, "", http.StatusUnauthorized, "missing_signature"},
		{http.MethodPost, "/webhooks/whatsapp", `{}`, "sha256=" + strings.Repeat("0", 64), http.StatusUnauthorized, "bad_signature"},
		{http.MethodPost, "/webhooks/whatsapp", `{}`, "sha256=" + strings.Repeat("1", 64), http.StatusUnauthorized, "bad_signature"},
		{http.MethodGet, "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1", "", "", http.StatusForbidden, "wrong_verify_token"},
		{http.MethodPost, "/webhooks/whatsapp", `{not json`, wafake.Sign("secret", []byte(`{not json`)), http.StatusBadRequest, "unparseable"},
	}
	for _, r := range refusals {
		code, b := h.Do(t, r.method, r.path, r.body, "Authorization", "", "X-Hub-Signature-256", r.sig)
		require.Equal(t, r.want, code, "%s: %s", r.reason, b)
	}

	code, b := h.Do(t, http.MethodGet, "/metrics", "")
	require.Equal(t, http.StatusOK, code)
	for _, line := range []string{
		`switchboard_webhooks_refused_total{connector="whatsapp",reason="bad_signature"} 2`,
		`switchboard_webhooks_refused_total{connector="whatsapp",reason="missing_signature"} 1`,
		`switchboard_webhooks_refused_total{connector="whatsapp",reason="wrong_verify_token"} 1`,
		`switchboard_webhooks_refused_total{connector="whatsapp",reason="unparseable"} 1`,
	} {
		require.Contains(t, string(b), line)
	}

	code, b = h.Do(t, http.MethodGet, "/v1/connectors", "", "Authorization", "Bearer "+hubtest.ReadKey)
	require.Equal(t, http.StatusOK, code, string(b))
	var wa1 map[string]any
	for _, c := range hubtest.JSON(t, b)["connectors"].([]any) {
		if c.(map[string]any)["name"] == "whatsapp" {
			wa1 = c.(map[string]any)
		}
	}
	require.NotNil(t, wa1)
	hook := wa1["webhook"].(map[string]any)
	require.Nil(t, hook["last_received_at"], "nothing was accepted")
	last := hook["last_refusal"].(map[string]any)
	require.Equal(t, "unparseable", last["reason"])
	require.NotEmpty(t, last["hint"])
	require.Equal(t, map[string]any{"bad_signature": 2.0, "missing_signature": 1.0, "wrong_verify_token": 1.0, "unparseable": 1.0}, hook["refused"])

	code, _ = h.Do(t, http.MethodGet, "/v1/connectors", "", "Authorization", "")
	require.Equal(t, http.StatusUnauthorized, code)
}
