package shopify

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/httpx"
)

// Name is the connector's config key, webhook path segment and event Source.
const Name = "shopify"

// Options carries what New needs besides the configuration. Every field is
// optional.
type Options struct {
	// Logger receives the connector's logs (never a secret, a token or a
	// payload); nil discards.
	Logger *slog.Logger
	// Transport carries the Admin API requests instead of a new pooled
	// transport: for tests, or to share a connection pool.
	Transport http.RoundTripper
	// HTTP tunes the Admin API client: timeout, in-process retries and the
	// longest Retry-After waited out in-process. Zero fields take httpx's
	// defaults; its BaseURL and Transport are ignored (see Config.BaseURL and
	// Transport).
	HTTP httpx.Config
}

// Connector is the Shopify connector: inbound webhooks (Verify, Parse) and
// the Admin API actions. It is safe for concurrent use once constructed.
type Connector struct {
	cfg     Config
	logger  *slog.Logger
	admin   *adminClient
	actions []connectors.Action
}

var (
	_ connectors.Connector = (*Connector)(nil)
	_ connectors.Inbound   = (*Connector)(nil)
)

// New builds the connector; it does no I/O. It fails closed: without
// api_secret no delivery could be verified, so it is required whatever the
// mode. access_token and shop_domain (or base_url) are needed only when an
// action runs for real: without them the actions fail permanently, and
// sandboxed actions never call out. Other settings are checked with
// Validate(false).
func New(cfg Config, opts Options) (*Connector, error) {
	cfg = cfg.WithDefaults()
	if strings.TrimSpace(cfg.APISecret) == "" {
		return nil, errors.New("shopify: connectors.shopify.api_secret is required (webhook signatures cannot be verified without it)")
	}
	if err := cfg.Validate(false); err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("connector", Name)

	hc := opts.HTTP
	hc.BaseURL = ""
	base := opts.Transport
	if base == nil {
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			base = dt.Clone()
		} else {
			base = http.DefaultTransport
		}
	}
	hc.Transport = retryAfterTransport{base: base}
	if err := hc.Validate(); err != nil {
		return nil, fmt.Errorf("shopify: Options.HTTP: %w", err)
	}
	hc = hc.WithDefaults()

	c := &Connector{cfg: cfg, logger: logger}
	c.admin = &adminClient{
		baseURL:       adminBase(cfg),
		token:         cfg.AccessToken,
		client:        httpx.NewClient(hc, logger),
		logger:        logger,
		bucket:        &bucket{},
		now:           time.Now,
		retryAfterMax: hc.RetryAfterMax,
	}
	c.actions = []connectors.Action{
		&getOrderAction{c: c},
		&addOrderTagsAction{c: c},
		&addOrderNoteAction{c: c},
	}
	return c, nil
}

// Name returns "shopify".
func (c *Connector) Name() string { return Name }

// Actions returns shopify.get_order, shopify.add_order_tags and
// shopify.add_order_note.
func (c *Connector) Actions() []connectors.Action { return c.actions }

// Config returns the effective configuration (defaults applied).
func (c *Connector) Config() Config { return c.cfg }

// rateLimitKey is the shop the actions draw from: the shop domain, or the
// base URL's host when no domain is configured.
func (c *Connector) rateLimitKey() string {
	if c.cfg.ShopDomain != "" {
		return strings.ToLower(c.cfg.ShopDomain)
	}
	if u, err := url.Parse(c.cfg.BaseURL); err == nil {
		return strings.ToLower(u.Host)
	}
	return ""
}

// adminBase is the Admin REST root for cfg, "" when there is no base URL.
func adminBase(cfg Config) string {
	if cfg.BaseURL == "" {
		return ""
	}
	return strings.TrimRight(cfg.BaseURL, "/") + "/admin/api/" + cfg.APIVersion
}
