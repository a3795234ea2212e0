package api_test

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/whatsapp"
	"github.com/switchboardhq/switchboard/internal/hubtest"
	"github.com/switchboardhq/switchboard/store"
)

// TestWhatsAppWebhookEndToEnd posts a delivery Meta really sent and signed
// (the pywa capture in shared/contracts/meta.md, its secret since revoked)
// through /webhooks/whatsapp: the signature verifies, the message becomes a
// message.received event, and its sender becomes a contact whose last
// inbound time opens the 24-hour window.
func TestWhatsAppWebhookEndToEnd(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("../connectors/whatsapp/testdata/pywa_text.json")
	require.NoError(t, err)
	wa, err := whatsapp.New(whatsapp.Config{AppSecret: "1222e786b144d0e85b9f365372d93676", VerifyToken: "verify-me"}.WithDefaults(), whatsapp.Deps{})
	require.NoError(t, err)
	h := hubtest.New(t, hubtest.Options{
		Connectors: []connectors.Connector{wa},
		Pipelines: map[string]string{"reply.yaml": `name: inbound
on: whatsapp/message.received
steps:
  - id: log
    action: http.request
    with: {url: "{{sink}}/inbound", body: {text: "${{ event.data.text }}", from: "${{ contact.phone }}"}}
`},
	})
	const sig = "sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441"

	status, _ := h.Do(t, http.MethodPost, "/webhooks/whatsapp", string(body), "Authorization", "", "X-Hub-Signature-256", "sha256=00"+sig[9:])
	require.Equal(t, http.StatusUnauthorized, status)

	status, b := h.Do(t, http.MethodPost, "/webhooks/whatsapp", string(body), "Authorization", "", "X-Hub-Signature-256", sig)
	require.Equal(t, http.StatusOK, status, string(b))
	eventID := hubtest.JSON(t, b)["accepted"].([]any)[0].(map[string]any)["event_id"].(string)
	run := h.WaitRun(t, eventID, "inbound", 10*time.Second)
	require.Equal(t, store.RunSucceeded, run.Status)
	require.JSONEq(t, `{"text":"Hey there! I am using PyWa.","from":"+972544401243"}`, string(h.Sink.Requests()[0].Body))

	c, err := h.Store.GetContact(context.Background(), *run.ContactID)
	require.NoError(t, err)
	require.Equal(t, "+972544401243", c.Phone)
	require.Equal(t, "972544401243", c.ProviderIDs["whatsapp"])
	require.NotNil(t, c.LastInbound)
	require.Equal(t, time.Unix(1730231903, 0).UTC(), c.LastInbound.UTC())

	status, b = h.Do(t, http.MethodGet, "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444", "", "Authorization", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "1158201444", string(b))
}
