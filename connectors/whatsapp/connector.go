package whatsapp

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/httpx"
)

// Name is the connector's config key, webhook path segment and event Source.
const Name = "whatsapp"

// Deps are the connector's collaborators; all are optional.
type Deps struct {
	// Messages records every accepted send (its wamid, contact, run and
	// template) so that status webhooks can be kept on it.
	Messages connectors.MessageLog
	// Templates keeps the template registry across restarts.
	Templates connectors.TemplateStore
	// Transport carries outbound requests (tests, shared pools).
	Transport http.RoundTripper
	Logger    *slog.Logger
	Now       func() time.Time
}

// Connector is the WhatsApp Cloud API connector. It is safe for concurrent
// use once constructed.
type Connector struct {
	cfg       Config
	deps      Deps
	log       *slog.Logger
	now       func() time.Time
	api       *graphClient
	templates *registry
	limits    *limiter
	health    healthState
	actions   []connectors.Action
}

var (
	_ connectors.Connector      = (*Connector)(nil)
	_ connectors.Inbound        = (*Connector)(nil)
	_ connectors.Handshaker     = (*Connector)(nil)
	_ connectors.Observer       = (*Connector)(nil)
	_ connectors.TemplateSource = (*Connector)(nil)
	_ connectors.HealthReporter = (*Connector)(nil)
)

// New builds the connector from a configuration with defaults applied. It
// never fails for missing secrets (sandbox mode runs without them): Verify
// then refuses every delivery and the handshake every token, so an
// unconfigured webhook fails closed. Live mode's required keys are checked by
// Config.Validate(true) at start.
func New(cfg Config, deps Deps) (*Connector, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(false); err != nil {
		return nil, err
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	c := &Connector{
		cfg: cfg, deps: deps, log: deps.Logger.With("connector", Name), now: deps.Now,
		templates: newRegistry(),
		limits:    newLimiter(float64(cfg.MessagesPerSecond), deps.Now),
	}
	c.api = &graphClient{
		token: cfg.AccessToken,
		send:  httpx.NewClient(httpx.Config{Transport: deps.Transport, MaxRetries: -1, Timeout: 20 * time.Second}, c.log),
		read:  httpx.NewClient(httpx.Config{Transport: deps.Transport}, c.log),
	}
	c.actions = []connectors.Action{
		&sendText{sendAction{c, ActionSendText}}, &sendTemplate{sendAction{c, ActionSendTemplate}},
		&sendInteractive{sendAction{c, ActionSendInteractive}}, &markRead{c: c},
	}
	return c, nil
}

// Name returns "whatsapp".
func (c *Connector) Name() string { return Name }

// Actions returns whatsapp.send_text, send_template, send_interactive and
// mark_read.
func (c *Connector) Actions() []connectors.Action { return c.actions }

// Config returns the effective configuration (defaults applied).
func (c *Connector) Config() Config { return c.cfg }

// Start loads the template registry from the store, then syncs it from Meta
// when the connector has the credentials to. A failed sync is reported in
// Health and logged, not returned: the hub still receives webhooks, and the
// next send retries the sync.
func (c *Connector) Start(ctx context.Context) error {
	if err := c.loadTemplates(ctx); err != nil {
		return err
	}
	if c.canSync() {
		if _, err := c.SyncTemplates(ctx); err != nil {
			c.log.Warn("template sync at start failed; sends of templates wait for the next sync", "err", err)
		}
	}
	return nil
}

func (c *Connector) canSync() bool { return c.cfg.WABAID != "" && c.cfg.AccessToken != "" }

// url is the Graph API URL of path under the configured version.
func (c *Connector) url(path string) string {
	return strings.TrimRight(c.cfg.BaseURL, "/") + "/" + c.cfg.APIVersion + "/" + strings.TrimLeft(path, "/")
}

// healthState tracks the outbound side for Health.
type healthState struct {
	mu        sync.Mutex
	authError *connectors.OutboundError
	lastError *connectors.OutboundError
}

func (h *healthState) record(code, msg string, auth bool, at time.Time) {
	e := &connectors.OutboundError{At: at, Code: code, Message: msg}
	h.mu.Lock()
	h.lastError = e
	if auth {
		h.authError = e
	}
	h.mu.Unlock()
}

func (h *healthState) ok() {
	h.mu.Lock()
	h.authError = nil
	h.mu.Unlock()
}

// Health reports the outbound side (connectors.HealthReporter): degraded
// while the access token is refused (error 190), with the template sync
// state in Details.
func (c *Connector) Health() connectors.Health {
	c.health.mu.Lock()
	h := connectors.Health{LastError: c.health.lastError}
	if e := c.health.authError; e != nil {
		h.Degraded = true
		h.Reason = "Meta refuses the access token (" + e.Code + "): " + metaCodes[190].hint
	}
	c.health.mu.Unlock()
	st, loaded := c.templates.state()
	h.Details = map[string]any{"template_sync": st, "templates_loaded": loaded}
	return h
}

// graphClient makes the Graph API calls.
type graphClient struct {
	token string
	// send makes message sends: never retried in-process (Meta offers no
	// idempotency key, so a retried send could deliver twice); the engine
	// retries durably, after classifying the answer.
	send *retryablehttp.Client
	// read makes idempotent reads, retried in-process.
	read *retryablehttp.Client
}

// get fetches a Graph URL (absolute, on the configured host) into out.
func (g *graphClient) get(ctx context.Context, c *Connector, rawURL string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	return c.do(g.read, req, 1, out)
}

// retryableRequest wraps req for the retrying client.
func retryableRequest(req *http.Request) (*retryablehttp.Request, error) {
	rr, err := retryablehttp.FromRequest(req)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: build request: %w", err)
	}
	return rr, nil
}
