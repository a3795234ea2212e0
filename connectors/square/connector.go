package square

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/httpx"
)

// Name is the connector's config key, webhook path segment and event Source,
// and the key of a person's Square customer id in ContactRef.ProviderIDs.
const Name = "square"

// Options carries the connector's injected dependencies; all are optional.
type Options struct {
	// Logger receives debug and warning logs; nil discards. Tokens, keys and
	// personal data are never logged.
	Logger *slog.Logger
	// Transport carries the API requests instead of a new pooled transport
	// (tests, or a shared pool).
	Transport http.RoundTripper
}

// Connector is the Square connector: inbound webhooks (Verify, Parse),
// enrichment of thin events (Enrich) and the square.get_customer and
// square.get_booking actions. It is safe for concurrent use once
// constructed.
type Connector struct {
	cfg     Config
	logger  *slog.Logger
	api     *apiClient
	actions []connectors.Action

	noTokenOnce sync.Once
}

var (
	_ connectors.Connector = (*Connector)(nil)
	_ connectors.Inbound   = (*Connector)(nil)
	_ connectors.Enricher  = (*Connector)(nil)
)

// New builds the connector; it does no I/O. It fails closed: without a
// signature key and the notification URL no delivery could be verified, so
// both are required whatever the mode. The access token may be empty (the
// hub's sandbox mode); then events pass Enrich unchanged and the actions
// fail permanently unless sandboxed.
func New(cfg Config, opts Options) (*Connector, error) {
	cfg = cfg.WithDefaults()
	if strings.TrimSpace(cfg.SignatureKey) == "" {
		return nil, errors.New("square: connectors.square.signature_key is required (webhook signatures cannot be verified without it)")
	}
	if strings.TrimSpace(cfg.NotificationURL) == "" {
		return nil, errors.New("square: connectors.square.notification_url is required (Square signs it with every delivery; set it to the URL exactly as registered on the webhook subscription)")
	}
	if err := cfg.Validate(false); err != nil {
		return nil, fmt.Errorf("square: %w", err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("connector", Name)

	hc := cfg.http()
	hc.Transport = opts.Transport
	hc = hc.WithDefaults()
	actionClient := httpx.NewClient(hc, logger)
	// Enrichment does not retry in-process: a failed Enrich is redelivered
	// by the engine with its own backoff, so a worker is never held.
	ec := hc
	ec.MaxRetries = -1
	ec.Transport = actionClient.HTTPClient.Transport
	enrichClient := httpx.NewClient(ec, logger)

	api := &apiClient{
		baseURL:      cfg.BaseURL,
		token:        cfg.AccessToken,
		version:      cfg.SquareVersion,
		logger:       logger,
		actionClient: actionClient,
		enrichClient: enrichClient,
	}
	return &Connector{
		cfg:    cfg,
		logger: logger,
		api:    api,
		actions: []connectors.Action{
			&getCustomerAction{api: api},
			&getBookingAction{api: api},
		},
	}, nil
}

// Name returns "square".
func (c *Connector) Name() string { return Name }

// Actions returns square.get_customer and square.get_booking.
func (c *Connector) Actions() []connectors.Action { return c.actions }

// Config returns the effective configuration (defaults applied).
func (c *Connector) Config() Config { return c.cfg }
