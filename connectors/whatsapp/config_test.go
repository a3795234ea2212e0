package whatsapp

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/switchboardhq/switchboard/connectors"
	"gopkg.in/yaml.v3"
)

func TestConfigDefaultsAndYAML(t *testing.T) {
	t.Parallel()
	var cfg Config
	require.NoError(t, yaml.Unmarshal([]byte(`
access_token: tok
app_secret: sec
verify_token: vt
phone_number_id: "106540352242922"
waba_id: "102290129340398"
`), &cfg))
	cfg = cfg.WithDefaults()
	require.Equal(t, "https://graph.facebook.com", cfg.BaseURL)
	require.Equal(t, "v23.0", cfg.APIVersion)
	require.Equal(t, 80, cfg.MessagesPerSecond)
	require.Equal(t, "106540352242922", cfg.PhoneNumberID)
	require.Equal(t, "102290129340398", cfg.WABAID)
	require.NoError(t, cfg.Validate(true))

	var over Config
	require.NoError(t, yaml.Unmarshal([]byte("base_url: http://localhost:9000\napi_version: v22.0\nmessages_per_second: 5\n"), &over))
	over = over.WithDefaults()
	require.Equal(t, "http://localhost:9000", over.BaseURL)
	require.Equal(t, "v22.0", over.APIVersion)
	require.Equal(t, 5, over.MessagesPerSecond)
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	full := Config{AccessToken: "t", AppSecret: "s", VerifyToken: "v", PhoneNumberID: "p"}.WithDefaults()
	cases := []struct {
		name    string
		mutate  func(*Config)
		live    bool
		wantErr string
	}{
		{"live ok", func(*Config) {}, true, ""},
		{"live no app_secret", func(c *Config) { c.AppSecret = "" }, true, "connectors.whatsapp.app_secret is required in live mode"},
		{"live no verify_token", func(c *Config) { c.VerifyToken = "" }, true, "connectors.whatsapp.verify_token is required in live mode"},
		{"live no access_token", func(c *Config) { c.AccessToken = "" }, true, "connectors.whatsapp.access_token is required in live mode"},
		{"live no phone_number_id", func(c *Config) { c.PhoneNumberID = " " }, true, "connectors.whatsapp.phone_number_id is required in live mode"},
		{"sandbox empty ok", func(c *Config) { *c = Config{} }, false, ""},
		{"negative mps", func(c *Config) { c.MessagesPerSecond = -1 }, false, "messages_per_second"},
		{"bad base_url", func(c *Config) { c.BaseURL = "graph.facebook.com" }, false, "base_url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := full
			tc.mutate(&cfg)
			err := cfg.Validate(tc.live)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	c, err := New(Config{}, Deps{})
	require.NoError(t, err, "sandbox mode runs without secrets")
	require.ErrorIs(t, c.Verify(http.Header{SignatureHeader: {"sha256=" + strings.Repeat("0", 64)}}, []byte("{}")), connectors.ErrBadSignature,
		"without an app secret every delivery is refused")
	_, err = c.Handshake(map[string][]string{"hub.mode": {"subscribe"}, "hub.verify_token": {""}, "hub.challenge": {"1"}})
	require.Error(t, err, "without a verify token every handshake is refused")
	_, err = New(Config{BaseURL: "ftp://x"}, Deps{})
	require.ErrorContains(t, err, "base_url")

	c, err = New(Config{AppSecret: "s", VerifyToken: "v"}, Deps{})
	require.NoError(t, err)
	require.Equal(t, "whatsapp", c.Name())
	var names []string
	for _, a := range c.Actions() {
		names = append(names, a.Spec().Name)
	}
	require.Equal(t, []string{ActionSendText, ActionSendTemplate, ActionSendInteractive, ActionMarkRead}, names)
	require.Equal(t, DefaultBaseURL, c.Config().BaseURL)
	require.Equal(t, DefaultAPIVersion, c.Config().APIVersion)
	require.Equal(t, DefaultMessagesPerSecond, c.Config().MessagesPerSecond)
}
