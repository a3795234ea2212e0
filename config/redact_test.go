package config

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRedacted(t *testing.T) {
	t.Parallel()

	c, err := Parse("hub.yaml", []byte(fullExample), mapLookup(fullExampleEnv()))
	require.NoError(t, err)
	secrets := []string{"pg-pass", "storefront-key-0123456789", "ops-key-0123456789", "wa-token-value", "wa-app-secret", "not-a-variable"}

	outputs := map[string]string{
		"Redacted":  c.Redacted(),
		"%v":        fmt.Sprintf("%v", c),
		"%+v":       fmt.Sprintf("%+v", c),
		"%#v":       fmt.Sprintf("%#v", c),
		"value %v":  fmt.Sprintf("%v", *c),
		"value %+v": fmt.Sprintf("%+v", *c),
		"value %#v": fmt.Sprintf("%#v", *c),
		"api keys":  fmt.Sprintf("%v %+v %#v", c.Auth.APIKeys, c.Auth.APIKeys, c.Auth.APIKeys),
		"store":     fmt.Sprintf("%v %+v %#v", c.Store, c.Store, c.Store),
		"conn":      fmt.Sprintf("%v %+v %#v", c.Connectors, c.Connectors["whatsapp"], c.Connectors["whatsapp"]),
	}
	for name, out := range outputs {
		for _, s := range secrets {
			require.NotContains(t, out, s, "%s leaks a secret:\n%s", name, out)
		}
	}

	red := c.Redacted()
	require.Contains(t, red, "dsn: postgres://hub:****@db:5432/hub?sslmode=disable")
	require.Contains(t, red, "key: '****'")
	require.Contains(t, red, "access_token: '****'")
	require.Contains(t, red, "phone_number_id: \"1234567890\"")
	require.Contains(t, red, "base_url: https://graph.facebook.com")
	require.Contains(t, red, "retry_base: 500ms")

	// The redacted text is a config this package can read back.
	_, err = Parse("redacted.yaml", []byte(red), nil)
	require.ErrorContains(t, err, "must be at least 16 characters, got 4", "only the masked keys fail")
}

func TestRedactURL(t *testing.T) {
	t.Parallel()

	tests := []struct{ in, want string }{
		{"", ""},
		{"nats://nats:4222", "nats://nats:4222"},
		{"nats://user@nats:4222", "nats://user@nats:4222"},
		{"postgres://hub:secret@db/hub", "postgres://hub:****@db/hub"},
		{"host=db user=hub password=secret dbname=hub", "host=db user=hub password=**** dbname=hub"},
		{"host=db password = 'se cret' dbname=hub", "host=db password = **** dbname=hub"},
		{"postgres://hub:se%zzcret@db/hub", "postgres://****"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, redactURL(tt.in), tt.in)
	}
}

func TestIsSecretKey(t *testing.T) {
	t.Parallel()

	for _, k := range []string{"token", "access_token", "AppSecret", "api_key", "password", "db_passwd", "credentials"} {
		require.True(t, isSecretKey(k), k)
	}
	for _, k := range []string{"base_url", "phone_number_id", "mode", "shop"} {
		require.False(t, isSecretKey(k), k)
	}
}
