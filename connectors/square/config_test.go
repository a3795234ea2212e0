package square

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestConfigYAML(t *testing.T) {
	t.Parallel()
	src := `
signature_key: sig-key
notification_url: https://hub.example.com/webhooks/square
access_token: EAAA-token
square_version: "2025-01-23"
base_url: https://connect.squareupsandbox.com
timeout: 3s
max_retries: -1
retry_wait_min: 100ms
retry_wait_max: 1s
retry_after_max: 10s
`
	var cfg Config
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&cfg))
	require.Equal(t, Config{
		SignatureKey: "sig-key", NotificationURL: "https://hub.example.com/webhooks/square", AccessToken: "EAAA-token",
		SquareVersion: "2025-01-23", BaseURL: SandboxBaseURL,
		Timeout: 3 * time.Second, MaxRetries: -1, RetryWaitMin: 100 * time.Millisecond, RetryWaitMax: time.Second, RetryAfterMax: 10 * time.Second,
	}, cfg)
	require.NoError(t, cfg.Validate(true))
}

func TestConfigWithDefaults(t *testing.T) {
	t.Parallel()
	got := Config{SignatureKey: "k"}.WithDefaults()
	require.Equal(t, DefaultBaseURL, got.BaseURL)
	require.Equal(t, "https://connect.squareup.com", got.BaseURL)
	require.Equal(t, "2025-10-16", got.SquareVersion)
	require.Equal(t, "k", got.SignatureKey)
	kept := Config{BaseURL: "http://127.0.0.1:9", SquareVersion: "2024-01-18"}.WithDefaults()
	require.Equal(t, "http://127.0.0.1:9", kept.BaseURL)
	require.Equal(t, "2024-01-18", kept.SquareVersion)
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	full := Config{SignatureKey: "k", NotificationURL: "https://hub.example.com/w", AccessToken: "t"}
	cases := []struct {
		name    string
		cfg     Config
		live    bool
		wantErr []string
	}{
		{name: "empty is fine outside live mode", cfg: Config{}},
		{name: "full live", cfg: full, live: true},
		{name: "live needs the secrets", cfg: Config{}, live: true, wantErr: []string{
			"connectors.square.signature_key is required in live mode",
			"connectors.square.notification_url is required in live mode",
			"connectors.square.access_token is required in live mode",
		}},
		{name: "blank counts as missing", cfg: Config{SignatureKey: " ", NotificationURL: "https://h/w", AccessToken: "t"}, live: true, wantErr: []string{
			"connectors.square.signature_key is required in live mode",
		}},
		{name: "relative notification url", cfg: Config{NotificationURL: "/webhooks/square"}, wantErr: []string{
			`connectors.square.notification_url: scheme must be http or https, got ""`,
		}},
		{name: "bad square version", cfg: Config{SquareVersion: "2025-13-01"}, wantErr: []string{
			`connectors.square.square_version must be a date like 2025-10-16, got "2025-13-01"`,
		}},
		{name: "square version not padded", cfg: Config{SquareVersion: "2025-1-1"}, wantErr: []string{
			`connectors.square.square_version must be a date like 2025-10-16, got "2025-1-1"`,
		}},
		{name: "bad base url", cfg: Config{BaseURL: "connect.squareup.com"}, wantErr: []string{
			`connectors.square.base_url: scheme must be http or https`,
		}},
		{name: "http field group", cfg: Config{Timeout: -time.Second, MaxRetries: 11, RetryWaitMin: time.Second, RetryWaitMax: time.Millisecond}, wantErr: []string{
			"connectors.square.timeout must not be negative, got -1s",
			"connectors.square.max_retries must be between -1 and 10, got 11",
			"connectors.square.retry_wait_min (1s) must not exceed retry_wait_max (1ms)",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.cfg.Validate(tc.live)
			if len(tc.wantErr) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tc.wantErr {
				require.ErrorContains(t, err, w)
			}
			require.Len(t, strings.Split(err.Error(), "\n"), len(tc.wantErr), "one line per finding: %v", err)
		})
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"no signature key", Config{NotificationURL: "https://h/w"}, "connectors.square.signature_key is required"},
		{"no notification url", Config{SignatureKey: "k"}, "connectors.square.notification_url is required"},
		{"invalid", Config{SignatureKey: "k", NotificationURL: "https://h/w", SquareVersion: "latest"}, "connectors.square.square_version"},
		{"no access token is fine", Config{SignatureKey: "k", NotificationURL: "https://h/w"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(tc.cfg, Options{})
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.Nil(t, c)
				return
			}
			require.NoError(t, err)
			require.Equal(t, "square", c.Name())
			require.Equal(t, DefaultBaseURL, c.Config().BaseURL)
			require.Equal(t, DefaultSquareVersion, c.Config().SquareVersion)
			require.Len(t, c.Actions(), 2)
		})
	}
}

func TestConfigHidesSecrets(t *testing.T) {
	t.Parallel()
	cfg := Config{SignatureKey: "SIGKEY-secret", NotificationURL: "https://h/w", AccessToken: "EAAA-secret-token"}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "cfg", cfg)
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%v", &cfg), fmt.Sprintf("%#v", cfg), logs.String()} {
		require.NotContains(t, s, "SIGKEY-secret")
		require.NotContains(t, s, "EAAA-secret-token")
		require.Contains(t, s, "https://h/w")
	}
}
