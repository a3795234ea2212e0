package shopify

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/switchboardhq/switchboard/connectors/httpx"
)

func TestConfigDefaultsAndYAML(t *testing.T) {
	t.Parallel()
	var cfg Config
	require.NoError(t, yaml.Unmarshal([]byte(`
shop_domain: bondi-kitchen.myshopify.com
api_secret: shpss_abc
access_token: shpat_def
`), &cfg))
	cfg = cfg.WithDefaults()
	require.Equal(t, Config{
		ShopDomain:  "bondi-kitchen.myshopify.com",
		APISecret:   "shpss_abc",
		AccessToken: "shpat_def",
		APIVersion:  "2025-10",
		BaseURL:     "https://bondi-kitchen.myshopify.com",
	}, cfg)
	require.NoError(t, cfg.Validate(true))

	var over Config
	require.NoError(t, yaml.Unmarshal([]byte("shop_domain: x.myshopify.com\napi_version: 2026-01\nbase_url: http://127.0.0.1:9000\n"), &over))
	over = over.WithDefaults()
	require.Equal(t, "2026-01", over.APIVersion)
	require.Equal(t, "http://127.0.0.1:9000", over.BaseURL)

	require.Empty(t, Config{}.WithDefaults().BaseURL, "no shop, no default base URL")
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	full := Config{ShopDomain: "x.myshopify.com", APISecret: "s", AccessToken: "t"}.WithDefaults()
	cases := []struct {
		name    string
		mutate  func(*Config)
		live    bool
		wantErr []string
	}{
		{"live ok", func(*Config) {}, true, nil},
		{"sandbox empty ok", func(c *Config) { *c = Config{} }, false, nil},
		{"unstable version", func(c *Config) { c.APIVersion = "unstable" }, true, nil},
		{"custom domain", func(c *Config) { c.ShopDomain = "shop.example.com" }, true, nil},
		{"live no api_secret", func(c *Config) { c.APISecret = "" }, true, []string{"connectors.shopify.api_secret is required in live mode"}},
		{"live no access_token", func(c *Config) { c.AccessToken = " " }, true, []string{"connectors.shopify.access_token is required in live mode"}},
		{"live no shop_domain", func(c *Config) { c.ShopDomain = "" }, true, []string{"connectors.shopify.shop_domain is required in live mode"}},
		{"live nothing", func(c *Config) { *c = Config{} }, true, []string{"api_secret is required", "access_token is required", "shop_domain is required"}},
		{"shop with scheme", func(c *Config) { c.ShopDomain = "https://x.myshopify.com" }, false, []string{`connectors.shopify.shop_domain must be a host name`, `"https://x.myshopify.com"`}},
		{"shop with path", func(c *Config) { c.ShopDomain = "x.myshopify.com/admin" }, false, []string{"connectors.shopify.shop_domain must be a host name"}},
		{"bad version", func(c *Config) { c.APIVersion = "v2025-10" }, false, []string{`connectors.shopify.api_version must look like "2025-10"`}},
		{"bad base_url", func(c *Config) { c.BaseURL = "x.myshopify.com" }, false, []string{"connectors.shopify.base_url"}},
		{"token with newline", func(c *Config) { c.AccessToken = "shpat_x\n" }, false, []string{"connectors.shopify.access_token has leading or trailing whitespace"}},
		{"secret with space", func(c *Config) { c.APISecret = " s" }, false, []string{"connectors.shopify.api_secret has leading or trailing whitespace"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := full
			tc.mutate(&cfg)
			err := cfg.Validate(tc.live)
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tc.wantErr {
				require.ErrorContains(t, err, w)
			}
			require.NotContains(t, err.Error(), "shpat_x", "a secret is never quoted")
		})
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	_, err := New(Config{ShopDomain: "x.myshopify.com", AccessToken: "t"}, Options{})
	require.ErrorContains(t, err, "connectors.shopify.api_secret is required")

	_, err = New(Config{APISecret: "s", ShopDomain: "https://x"}, Options{})
	require.ErrorContains(t, err, "connectors.shopify.shop_domain")

	_, err = New(Config{APISecret: "s"}, Options{HTTP: httpx.Config{MaxRetries: 99}})
	require.ErrorContains(t, err, "max_retries")

	c, err := New(Config{APISecret: "s", ShopDomain: "X.myshopify.com"}, Options{})
	require.NoError(t, err)
	require.Equal(t, "shopify", c.Name())
	require.Equal(t, "https://X.myshopify.com", c.Config().BaseURL)
	require.Equal(t, "https://X.myshopify.com/admin/api/2025-10", c.admin.baseURL)
	require.Equal(t, "x.myshopify.com", c.rateLimitKey())

	names := []string{}
	for _, a := range c.Actions() {
		names = append(names, a.Spec().Name)
	}
	require.Equal(t, []string{"shopify.get_order", "shopify.add_order_tags", "shopify.add_order_note"}, names)

	bare, err := New(Config{APISecret: "s", BaseURL: "http://127.0.0.1:8080/"}, Options{})
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:8080", bare.rateLimitKey(), "without a shop domain the key is the base URL's host")
	require.True(t, strings.HasSuffix(bare.admin.baseURL, "8080/admin/api/2025-10"))
}
