package config

import (
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/switchboardhq/switchboard/internal/diag"
)

// Config is the hub's configuration: what one YAML file holds, with the
// defaults filled in. Get one from [Load], [Parse] or [Default]; it is not
// modified afterwards by this package and is safe to share read-only.
type Config struct {
	// File is the path the config was loaded from; "" for [Default].
	File string `yaml:"-"`
	// Server is the HTTP listener.
	Server Server `yaml:"server"`
	// DataDir holds the SQLite database and the embedded bus's files.
	// Default "./data".
	DataDir string `yaml:"data_dir"`
	// Store is the state database.
	Store Store `yaml:"store"`
	// Bus is the message bus backend.
	Bus Bus `yaml:"bus"`
	// Auth holds the API keys for REST ingest and the admin API.
	Auth Auth `yaml:"auth"`
	// Contacts holds contact normalisation settings.
	Contacts Contacts `yaml:"contacts"`
	// Engine tunes the run executor.
	Engine Engine `yaml:"engine"`
	// Log sets the log level and format.
	Log Log `yaml:"log"`
	// Policy is the messaging policy every message step passes.
	Policy Policy `yaml:"policy"`
	// Connectors maps a connector's name to its section; see [Connector].
	Connectors map[string]*Connector `yaml:"connectors"`
	// Pipelines are glob patterns for the pipeline files, relative to the
	// config file's directory (see [Config.PipelineFiles]). Default
	// ["pipelines/*.yaml"]; an explicit empty list means no pipelines.
	Pipelines []string `yaml:"pipelines"`

	// Warnings are findings that did not stop loading (for example a
	// setting that the chosen driver ignores). Nil when there are none.
	Warnings diag.Diagnostics `yaml:"-"`

	// pos holds the position of every key the file set, by dotted path;
	// nil for a config that was not parsed.
	pos map[string]position
}

// Server configures the HTTP listener.
type Server struct {
	// Addr is the listen address, host:port. Default ":8080".
	Addr string `yaml:"addr"`
	// MaxBodyBytes bounds request bodies; larger ones get 413.
	// Default 1048576 (1 MiB), at most 1 GiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
}

// Store configures the state database.
type Store struct {
	// Driver is "sqlite" (default) or "postgres".
	Driver string `yaml:"driver"`
	// DSN is the database address; required for postgres. For sqlite an
	// empty DSN means a file in the data directory.
	DSN string `yaml:"dsn"`
}

// Bus configures the message bus.
type Bus struct {
	// Driver is "embedded" (default), "nats" or "postgres". The postgres
	// bus needs store.driver postgres.
	Driver string `yaml:"driver"`
	// URL is the NATS server URL; required for nats.
	URL string `yaml:"url"`
	// Group names this deployment's streams and queue tables: instances with
	// the same group share the work, other groups on the same server or
	// database never see it. Letters, digits, '-' and '_'. Default
	// "switchboard".
	Group string `yaml:"group"`
}

// Auth holds the API keys.
type Auth struct {
	// APIKeys are the keys accepted by the REST API.
	APIKeys []APIKey `yaml:"api_keys"`
}

// Scopes an API key can hold.
const (
	ScopeIngest = "ingest" // POST events
	ScopeRead   = "read"   // read runs, events, contacts
	ScopeAdmin  = "admin"  // the admin API: replay, DLQ, consent changes
)

// APIKey is one client's key.
type APIKey struct {
	// Name identifies the client in logs; required and unique.
	Name string `yaml:"name"`
	// Key is the secret the client sends; required, at least 16
	// characters, unique.
	Key string `yaml:"key"`
	// Scopes are what the key may do: at least one of ingest, read, admin.
	Scopes []string `yaml:"scopes"`
}

// HasScope reports whether k holds scope.
func (k APIKey) HasScope(scope string) bool { return slices.Contains(k.Scopes, scope) }

// Contacts configures contact handling.
type Contacts struct {
	// DefaultRegion is the ISO 3166 region used to parse phone numbers
	// written without a country code: two upper-case letters, default "AU".
	DefaultRegion string `yaml:"default_region"`
}

// Engine tunes the run executor.
type Engine struct {
	// Workers is how many steps run at once. Default 64, 1..1024.
	Workers int `yaml:"workers"`
	// MaxAttempts is how often a step is tried before it goes to the DLQ.
	// Default 8, 1..100.
	MaxAttempts int `yaml:"max_attempts"`
	// RetryBase is the first retry's delay. Default 1s.
	RetryBase time.Duration `yaml:"retry_base"`
	// RetryMax caps the retry delay; at least RetryBase. Default 5m.
	RetryMax time.Duration `yaml:"retry_max"`
	// SweepInterval is how often accepted but unfinished work is
	// re-published. Default 30s.
	SweepInterval time.Duration `yaml:"sweep_interval"`
	// StepTimeout bounds one step's connector call. Default 30s.
	StepTimeout time.Duration `yaml:"step_timeout"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info (default), warn or error.
	Level string `yaml:"level"`
	// Format is text (default) or json.
	Format string `yaml:"format"`
}

// Connector modes.
const (
	ModeLive    = "live"    // call the provider
	ModeSandbox = "sandbox" // record outbound calls instead of making them
)

// Connector is one connector's section of the config. Apart from mode, its
// keys belong to the connector, which reads them with [Connector.Decode].
type Connector struct {
	// Name is the section's key under connectors.
	Name string
	// Mode is "live" (default) or "sandbox".
	Mode string

	file     string
	settings *yaml.Node // a mapping of the section's keys except mode; nil when none
	pm       *posMap
}

// Dir returns the directory of the config file, or "." when it was not
// loaded from a file.
func (c *Config) Dir() string {
	if c.File == "" {
		return "."
	}
	return filepath.Dir(c.File)
}

// PipelineFiles expands the Pipelines globs (relative ones against
// [Config.Dir]) into a sorted list of files without duplicates. A glob
// that matches nothing adds nothing; a malformed glob is an error.
func (c *Config) PipelineFiles() ([]string, error) {
	var files []string
	for _, pattern := range c.Pipelines {
		if !filepath.IsAbs(pattern) {
			pattern = filepath.Join(c.Dir(), pattern)
		}
		matches, err := filepath.Glob(pattern)
		if err != nil {
			return nil, fmt.Errorf("config: pipelines: %q: %w", pattern, err)
		}
		files = append(files, matches...)
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}

// Policy is the messaging policy: quiet hours, caps, opt-out scope,
// keywords and their replies. Zero values take the defaults documented on
// each field.
type Policy struct {
	// TimeZone is used for contacts whose phone number does not tell
	// theirs. Default "Australia/Sydney".
	TimeZone string `yaml:"timezone"`
	// QuietHours is when marketing is held. Default 20:00–09:00 and all of
	// Sunday.
	QuietHours QuietHours `yaml:"quiet_hours"`
	// MarketingCap bounds marketing messages per contact. Default 4 per
	// 30 days; Caps overrides it per channel.
	MarketingCap Cap            `yaml:"marketing_cap"`
	Caps         map[string]Cap `yaml:"caps"`
	// OptOutScope is "all" (default: an opt-out stops everything on the
	// channel but its confirmation) or "marketing".
	OptOutScope string `yaml:"opt_out_scope"`
	// SenderNames are the business's names; validate warns about marketing
	// templates that name none of them.
	SenderNames []string `yaml:"sender_names"`
	// Keywords add words to the built-in STOP/START/HELP lists, per
	// language.
	Keywords map[string]KeywordSet `yaml:"keywords"`
	// Replies are the texts sent back to STOP, START and HELP.
	Replies Replies `yaml:"replies"`
	// ConsentRetention is how long consent records are kept after their
	// last change. Default and minimum two years (17520h).
	ConsentRetention time.Duration `yaml:"consent_retention"`
	// DoubleOptIn keeps web-form and lead-ad opt-ins on its channels
	// pending until the person confirms.
	DoubleOptIn DoubleOptIn `yaml:"double_opt_in"`
}

// DoubleOptIn configures confirmed opt-in.
type DoubleOptIn struct {
	// Channels it applies to; only whatsapp can send the request so far.
	Channels []string `yaml:"channels"`
	// Template is the WhatsApp template asking to confirm (a quick-reply
	// button with payload opt_in_confirm, or "Reply YES").
	Template string `yaml:"template"`
	Language string `yaml:"language"`
	// Words confirm when replied; default YES, Y, DA.
	Words []string `yaml:"words"`
}

// QuietHours is a daily window ("20:00" to "09:00") and whole days.
type QuietHours struct {
	Start string   `yaml:"start"`
	End   string   `yaml:"end"`
	Days  []string `yaml:"days"`
}

// Cap is at most Max messages per Days days.
type Cap struct {
	Max  int `yaml:"max"`
	Days int `yaml:"days"`
}

// KeywordSet is one language's keywords.
type KeywordSet struct {
	Stop  []string `yaml:"stop"`
	Start []string `yaml:"start"`
	Help  []string `yaml:"help"`
}

// Replies are the keyword replies.
type Replies struct {
	Stop  string `yaml:"stop"`
	Start string `yaml:"start"`
	Help  string `yaml:"help"`
}

// MinConsentRetention is the shortest consent retention allowed.
const MinConsentRetention = 2 * 365 * 24 * time.Hour
