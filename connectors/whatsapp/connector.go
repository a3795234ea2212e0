package whatsapp

import (
	"errors"
	"strings"

	"github.com/switchboardhq/switchboard/connectors"
)

// Name is the connector's config key, webhook path segment and event Source.
const Name = "whatsapp"

// Connector is the WhatsApp Cloud API connector. It is safe for concurrent
// use once constructed.
type Connector struct {
	cfg Config
}

var (
	_ connectors.Connector  = (*Connector)(nil)
	_ connectors.Inbound    = (*Connector)(nil)
	_ connectors.Handshaker = (*Connector)(nil)
)

// New builds the connector. It fails closed: without an app secret no
// delivery could be verified, and without a verify token any handshake would
// succeed, so both are required whatever the mode.
func New(cfg Config) (*Connector, error) {
	cfg = cfg.WithDefaults()
	if strings.TrimSpace(cfg.AppSecret) == "" {
		return nil, errors.New("whatsapp: connectors.whatsapp.app_secret is required (webhook signatures cannot be verified without it)")
	}
	if strings.TrimSpace(cfg.VerifyToken) == "" {
		return nil, errors.New("whatsapp: connectors.whatsapp.verify_token is required (the webhook handshake cannot be checked without it)")
	}
	if err := cfg.Validate(false); err != nil {
		return nil, err
	}
	return &Connector{cfg: cfg}, nil
}

// Name returns "whatsapp".
func (c *Connector) Name() string { return Name }

// Actions returns nil: so far the connector only receives webhooks.
func (c *Connector) Actions() []connectors.Action { return nil }

// Config returns the effective configuration (defaults applied).
func (c *Connector) Config() Config { return c.cfg }
