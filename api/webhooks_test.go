package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/event"
	"github.com/switchboardhq/switchboard/internal/hubtest"
	"github.com/switchboardhq/switchboard/store"
)

// signedHooks is a minimal inbound connector: X-Signature is the hex
// HMAC-SHA256 of the body, the body is {"id", "type", "data"}, and a GET
// handshake echoes "challenge" when "token" matches.
type signedHooks struct{ secret string }

func (signedHooks) Name() string                 { return "signed" }
func (signedHooks) Actions() []connectors.Action { return nil }

func (s signedHooks) sign(body string) string {
	m := hmac.New(sha256.New, []byte(s.secret))
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))
}

func (s signedHooks) Verify(h http.Header, body []byte) error {
	got := h.Get("X-Signature")
	if got == "" {
		return connectors.ErrMissingSignature
	}
	if !hmac.Equal([]byte(got), []byte(s.sign(string(body)))) {
		return connectors.ErrBadSignature
	}
	return nil
}

func (signedHooks) Parse(_ http.Header, body []byte) ([]event.Event, error) {
	var in struct {
		ID   string         `json:"id"`
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.ID == "" {
		return nil, fmt.Errorf("%w: want {\"id\", \"type\", \"data\"}", connectors.ErrUnparseable)
	}
	return []event.Event{{Source: "signed", Type: in.Type, DedupKey: in.ID, Data: in.Data, Raw: body}}, nil
}

func (signedHooks) Handshake(q map[string][]string) (string, error) {
	if len(q["token"]) == 1 && q["token"][0] == "let-me-in" {
		return q["challenge"][0], nil
	}
	return "", errors.New("verify token does not match")
}

var (
	_ connectors.Inbound    = signedHooks{}
	_ connectors.Handshaker = signedHooks{}
)

func TestWebhooks(t *testing.T) {
	t.Parallel()
	hooks := signedHooks{secret: "s3cret"}
	h := hubtest.New(t, hubtest.Options{
		Connectors: []connectors.Connector{hooks},
		Pipelines: map[string]string{"p.yaml": `name: from-hooks
on: signed/order.paid
steps:
  - id: call
    action: http.request
    with: {url: "{{sink}}/paid", body: {n: "${{ event.data.n }}"}}
`},
	})
	good := `{"id":"w-1","type":"order.paid","data":{"n":1}}`
	tests := []struct {
		name, path, body, sig string
		status                int
		code                  string
	}{
		{"unknown connector", "/webhooks/nope", good, hooks.sign(good), 404, "unknown_connector"},
		{"missing signature", "/webhooks/signed", good, "", 401, "bad_signature"},
		{"wrong signature", "/webhooks/signed", good, hooks.sign(good + " "), 401, "bad_signature"},
		{"unparseable", "/webhooks/signed", `{"nope":1}`, hooks.sign(`{"nope":1}`), 400, "unparseable_body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, b := h.Do(t, http.MethodPost, tc.path, tc.body, "Authorization", "", "X-Signature", tc.sig)
			require.Equal(t, tc.status, status, string(b))
			require.Equal(t, tc.code, hubtest.JSON(t, b)["error"].(map[string]any)["code"])
		})
	}
	n, err := h.Store.CountEvents(context.Background())
	require.NoError(t, err)
	require.Zero(t, n, "a refused webhook stores nothing")

	status, b := h.Do(t, http.MethodPost, "/webhooks/signed", good, "Authorization", "", "X-Signature", hooks.sign(good))
	require.Equal(t, http.StatusOK, status, string(b))
	eventID := hubtest.JSON(t, b)["accepted"].([]any)[0].(map[string]any)["event_id"].(string)
	run := h.WaitRun(t, eventID, "from-hooks", 10*time.Second)
	require.Equal(t, store.RunSucceeded, run.Status)
	require.JSONEq(t, `{"n":1}`, string(h.Sink.Requests()[0].Body))

	// a provider's retry of the same delivery is answered 200 and not run again
	status, _ = h.Do(t, http.MethodPost, "/webhooks/signed", good, "Authorization", "", "X-Signature", hooks.sign(good))
	require.Equal(t, http.StatusOK, status)
	time.Sleep(200 * time.Millisecond)
	require.Equal(t, 1, h.Sink.Count())

	status, b = h.Do(t, http.MethodGet, "/webhooks/signed?token=let-me-in&challenge=12345", "", "Authorization", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "12345", string(b))
	status, _ = h.Do(t, http.MethodGet, "/webhooks/signed?token=wrong&challenge=12345", "", "Authorization", "")
	require.Equal(t, http.StatusForbidden, status)
}
