package shopify

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/switchboardhq/switchboard/connectors/httpx"
)

// DefaultAPIVersion is the Admin API version used when api_version is empty.
const DefaultAPIVersion = "2025-10"

var (
	// shopDomainRe is a bare host name: "your-shop.myshopify.com", or a
	// custom domain; no scheme, port or path.
	shopDomainRe = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$`)
	// apiVersionRe is a release ("2025-10") or "unstable".
	apiVersionRe = regexp.MustCompile(`^(\d{4}-\d{2}|unstable)$`)
)

// Config is the connectors.shopify section of the hub configuration. The
// `mode` key (live or sandbox) is handled by the hub's config package and is
// not part of this struct.
type Config struct {
	// ShopDomain is the shop's myshopify.com host, e.g.
	// "your-shop.myshopify.com". Deliveries naming another shop in
	// X-Shopify-Shop-Domain are rejected; it is also the actions' rate-limit
	// key and the default base URL.
	ShopDomain string `yaml:"shop_domain"`
	// APISecret is the app's client secret; it verifies the
	// X-Shopify-Hmac-Sha256 signature of every webhook delivery.
	APISecret string `yaml:"api_secret"`
	// AccessToken is the Admin API access token (shpat_…), sent as
	// X-Shopify-Access-Token by the actions.
	AccessToken string `yaml:"access_token"`
	// APIVersion is the Admin API version in request paths (default
	// DefaultAPIVersion).
	APIVersion string `yaml:"api_version"`
	// BaseURL is the Admin API root; default https://{shop_domain}. Tests and
	// local runs point it at the fake.
	BaseURL string `yaml:"base_url"`
}

// WithDefaults returns c with api_version and base_url filled in where they
// are empty (base_url only when shop_domain is set).
func (c Config) WithDefaults() Config {
	c.ShopDomain = strings.TrimSpace(c.ShopDomain)
	c.BaseURL = strings.TrimSpace(c.BaseURL)
	if strings.TrimSpace(c.APIVersion) == "" {
		c.APIVersion = DefaultAPIVersion
	}
	if c.BaseURL == "" && c.ShopDomain != "" {
		c.BaseURL = "https://" + c.ShopDomain
	}
	return c
}

// Validate checks the configuration and reports every problem, naming the
// key as connectors.shopify.<key>. In live mode api_secret, access_token and
// shop_domain are required. Secret values are never quoted.
func (c Config) Validate(live bool) error {
	var errs []error
	if live {
		for _, f := range []struct{ key, val string }{
			{"api_secret", c.APISecret},
			{"access_token", c.AccessToken},
			{"shop_domain", c.ShopDomain},
		} {
			if strings.TrimSpace(f.val) == "" {
				errs = append(errs, fmt.Errorf("connectors.shopify.%s is required in live mode", f.key))
			}
		}
	}
	if d := strings.TrimSpace(c.ShopDomain); d != "" && !shopDomainRe.MatchString(d) {
		errs = append(errs, fmt.Errorf("connectors.shopify.shop_domain must be a host name such as \"your-shop.myshopify.com\", without scheme or path (got %q)", c.ShopDomain))
	}
	if v := strings.TrimSpace(c.APIVersion); v != "" && !apiVersionRe.MatchString(v) {
		errs = append(errs, fmt.Errorf("connectors.shopify.api_version must look like %q or be \"unstable\" (got %q)", DefaultAPIVersion, c.APIVersion))
	}
	if u := strings.TrimSpace(c.BaseURL); u != "" {
		if err := httpx.CheckURL(u); err != nil {
			errs = append(errs, fmt.Errorf("connectors.shopify.base_url: %w", err))
		}
	}
	if c.AccessToken != strings.TrimSpace(c.AccessToken) {
		errs = append(errs, errors.New("connectors.shopify.access_token has leading or trailing whitespace"))
	}
	if c.APISecret != strings.TrimSpace(c.APISecret) {
		errs = append(errs, errors.New("connectors.shopify.api_secret has leading or trailing whitespace"))
	}
	return errors.Join(errs...)
}
