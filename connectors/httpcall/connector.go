package httpcall

import (
	"log/slog"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/httpx"
)

// Name is the connector's name (config key).
const Name = "httpcall"

// Config is the connector's settings (the `connectors.httpcall` block). Zero
// fields take httpx's defaults.
type Config struct {
	// Timeout bounds one attempt; a step's `timeout` parameter overrides it.
	Timeout time.Duration `yaml:"timeout"`
	// MaxRetries is the number of in-process retries after a transport error,
	// 429 or 5xx: 0 means the default (2), -1 none.
	MaxRetries int `yaml:"max_retries"`
	// RetryWaitMin and RetryWaitMax bound the backoff between those retries.
	RetryWaitMin time.Duration `yaml:"retry_wait_min"`
	RetryWaitMax time.Duration `yaml:"retry_wait_max"`
	// RetryAfterMax is the longest Retry-After waited out in-process; a longer
	// one goes back to the engine at once.
	RetryAfterMax time.Duration `yaml:"retry_after_max"`
}

func (c Config) http() httpx.Config {
	return httpx.Config{
		Timeout:       c.Timeout,
		MaxRetries:    c.MaxRetries,
		RetryWaitMin:  c.RetryWaitMin,
		RetryWaitMax:  c.RetryWaitMax,
		RetryAfterMax: c.RetryAfterMax,
	}
}

// Validate reports bad settings, naming their keys.
func (c Config) Validate() error { return c.http().Validate() }

// Connector is the httpcall connector. It is safe for concurrent use.
type Connector struct {
	request *requestAction
}

var _ connectors.Connector = (*Connector)(nil)

// New builds the connector; it does no I/O. cfg should have passed Validate;
// zero fields take defaults. A nil logger discards.
func New(cfg Config, logger *slog.Logger) *Connector {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("connector", Name)
	hc := cfg.http().WithDefaults()
	client := httpx.NewClient(hc, logger)
	return &Connector{request: &requestAction{
		cfg:    hc,
		logger: logger,
		client: client,
		// A step's own timeout gets its own client over the same pool.
		clientWithTimeout: func(d time.Duration) *retryablehttp.Client {
			c := hc
			c.Timeout = d
			c.Transport = client.HTTPClient.Transport
			return httpx.NewClient(c, logger)
		},
	}}
}

// Name returns "httpcall".
func (c *Connector) Name() string { return Name }

// Actions returns the connector's one action, http.request.
func (c *Connector) Actions() []connectors.Action {
	return []connectors.Action{c.request}
}
