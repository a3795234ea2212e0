package whatsapp

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	testSecret      = "TEST_APP_SECRET"
	testVerifyToken = "meatyhamhock"
)

func newTestConnector(t testing.TB, secret string) *Connector {
	t.Helper()
	c, err := New(Config{AppSecret: secret, VerifyToken: testVerifyToken}, Deps{})
	require.NoError(t, err)
	return c
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}
