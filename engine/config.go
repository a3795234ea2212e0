package engine

import (
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/engine/bus"
	"github.com/switchboardhq/switchboard/engine/policy"
	"github.com/switchboardhq/switchboard/internal/metrics"
	"github.com/switchboardhq/switchboard/pipelines"
	"github.com/switchboardhq/switchboard/store"
)

// Config tunes the engine. The zero value of every field means its default.
type Config struct {
	// MaxAttempts is how many times a step is tried before it goes to the
	// dead letters (a pipeline step may override it). Default 8.
	MaxAttempts int
	// RetryBase and RetryMax bound the exponential backoff between attempts
	// (full jitter); a larger Retry-After from the provider wins. Defaults
	// 1s and 5m.
	RetryBase time.Duration
	RetryMax  time.Duration
	// StepTimeout bounds one connector call. Default 30s.
	StepTimeout time.Duration
	// SweepInterval is how often unfinished work older than one interval
	// is re-published. Default 30s.
	SweepInterval time.Duration
	// TimerPoll is how often due timers are looked for. Default 200ms.
	TimerPoll time.Duration
	// DefaultRegion is the phone region for numbers without a country code
	// (ISO 3166 alpha-2). Default "AU".
	DefaultRegion string
	// Policy is the messaging policy every message step passes at send
	// time; the zero value means policy.Defaults().
	Policy policy.Config
	// SubjectKey keys the hashes consent is kept under; nil means a key
	// generated once and kept in the store.
	SubjectKey []byte
	// DoubleOptIn, when it names channels, keeps their web-form and lead-ad
	// opt-ins pending until the person confirms.
	DoubleOptIn DoubleOptIn
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

func (c *Config) setDefaults() {
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 8
	}
	if c.RetryBase == 0 {
		c.RetryBase = time.Second
	}
	if c.RetryMax == 0 {
		c.RetryMax = 5 * time.Minute
	}
	if c.StepTimeout == 0 {
		c.StepTimeout = 30 * time.Second
	}
	if c.SweepInterval == 0 {
		c.SweepInterval = 30 * time.Second
	}
	if c.TimerPoll == 0 {
		c.TimerPoll = 200 * time.Millisecond
	}
	if c.DefaultRegion == "" {
		c.DefaultRegion = "AU"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if reflect.ValueOf(c.Policy).IsZero() {
		c.Policy = policy.Defaults()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

func (c *Config) validate() error {
	if c.MaxAttempts < 1 {
		return fmt.Errorf("engine: max attempts must be at least 1, got %d", c.MaxAttempts)
	}
	if c.RetryBase <= 0 || c.RetryMax < c.RetryBase {
		return fmt.Errorf("engine: retry base %s and max %s must be positive, base ≤ max", c.RetryBase, c.RetryMax)
	}
	if err := c.Policy.Validate(); err != nil {
		return fmt.Errorf("engine: messaging policy: %w", err)
	}
	if _, ok := phonenumbers.GetSupportedRegions()[c.DefaultRegion]; !ok {
		return fmt.Errorf("engine: default region %q is not a known phone region", c.DefaultRegion)
	}
	return nil
}

// Deps are what the engine runs on; cmd chooses the implementations.
type Deps struct {
	Store *store.Store
	Bus   bus.Driver
	// Actions finds an action by name, already wrapped for sandbox mode
	// where its connector is sandboxed.
	Actions func(name string) (connectors.Action, bool)
	// Pipelines are the loaded pipelines, matched in this order.
	Pipelines []*pipelines.Pipeline
	Metrics   *metrics.Metrics
	// Connectors finds a connector by name (an event's Source), for its
	// Enricher and Observer sides; nil means none.
	Connectors func(name string) (connectors.Connector, bool)
}

// DoubleOptIn is confirmed opt-in: a web-form or lead-ad opt-in on one of
// Channels is recorded pending, the hub sends Template (a WhatsApp
// template) asking to confirm, and only a reply of one of Words (default
// YES, Y, DA) or a button whose payload or id is "opt_in_confirm" makes
// marketing allowed.
type DoubleOptIn struct {
	Channels []string
	Template string
	Language string
	Words    []string
}

// ConfirmPayload is the button payload or reply id that confirms an
// opt-in.
const ConfirmPayload = "opt_in_confirm"

func (d DoubleOptIn) applies(channel, source string) bool {
	return (source == "web_form" || source == "lead_ad") && slices.Contains(d.Channels, channel)
}

func (d DoubleOptIn) confirms(text string) bool {
	words := d.Words
	if len(words) == 0 {
		words = []string{"YES", "Y", "DA"}
	}
	t := strings.ToUpper(strings.Trim(strings.TrimSpace(text), ".!"))
	return t == strings.ToUpper(ConfirmPayload) || slices.ContainsFunc(words, func(w string) bool { return strings.EqualFold(w, t) })
}
