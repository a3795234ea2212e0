package square

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors/connectortest"
	"github.com/switchboardhq/switchboard/connectors/square/fake"
)

// Vector S1 of Square's SDK tests (see verify_test.go).
const (
	testKey = "Ibxx_5AKakO-3qeNVR61Dw"
	testURL = "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9"
)

// newTestConnector builds a connector with the S1 key and URL, pointed at
// no API.
func newTestConnector(t testing.TB) *Connector {
	t.Helper()
	c, err := New(Config{SignatureKey: testKey, NotificationURL: testURL}, Options{})
	require.NoError(t, err)
	return c
}

type bundle struct {
	c   *Connector
	srv *fake.Server
}

// setup starts a fresh fake and a connector pointing at it, with fast
// in-process retries; edit tweaks the config first.
func setup(t *testing.T, edit ...func(*Config)) bundle {
	t.Helper()
	srv := fake.NewServer()
	t.Cleanup(srv.Close)
	cfg := Config{
		SignatureKey:    fake.DefaultSignatureKey,
		NotificationURL: "https://hub.example.com/webhooks/square",
		AccessToken:     fake.DefaultAccessToken,
		BaseURL:         srv.URL(),
		Timeout:         5 * time.Second,
		RetryWaitMin:    time.Millisecond,
		RetryWaitMax:    5 * time.Millisecond,
		RetryAfterMax:   2 * time.Second,
	}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := New(cfg, Options{Logger: connectortest.Logger(t)})
	require.NoError(t, err)
	return bundle{c: c, srv: srv}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}
