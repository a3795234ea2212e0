package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	testSecret = "shpss_test_app_client_secret"
	testShop   = "bondi-kitchen.myshopify.com"
)

func newTestConnector(t testing.TB, cfg Config) *Connector {
	t.Helper()
	if cfg.APISecret == "" {
		cfg.APISecret = testSecret
	}
	c, err := New(cfg, Options{})
	require.NoError(t, err)
	return c
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// hdr builds a header from name/value pairs.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// deliveryHeader is what Shopify sends with a delivery of topic (without
// the signature), plus kv.
func deliveryHeader(topic string, kv ...string) http.Header {
	h := hdr(
		HeaderTopic, topic,
		HeaderShopDomain, testShop,
		HeaderAPIVersion, "2025-10",
		HeaderWebhookID, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
		HeaderEventID, "98880550-7158-44d4-b7cd-2c97c8a091b5",
		HeaderTriggeredAt, "2026-05-04T00:00:05.123456Z",
	)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			h.Del(kv[i])
			continue
		}
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// sign is X-Shopify-Hmac-Sha256 for body.
func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
