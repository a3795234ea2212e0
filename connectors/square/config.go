package square

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/connectors/httpx"
)

// Defaults applied by WithDefaults (and New) to empty fields.
const (
	DefaultBaseURL       = "https://connect.squareup.com"
	DefaultSquareVersion = "2025-10-16"
	// DefaultRegion reads a customer's phone number when it has no country
	// code and the customer's address names no country.
	DefaultRegion = "AU"
)

// SandboxBaseURL is Square's own sandbox API root (an account's sandbox
// environment, not the hub's sandbox mode).
const SandboxBaseURL = "https://connect.squareupsandbox.com"

// Config is the connectors.square section of the hub configuration. The
// `mode` key (live or sandbox) is handled by the hub's config package and is
// not part of this struct.
type Config struct {
	// SignatureKey is the webhook subscription's signature key (Developer
	// Console, Webhooks, Subscriptions, Signature key). Secret.
	SignatureKey string `yaml:"signature_key"`
	// NotificationURL is the subscription's notification URL exactly as
	// registered with Square (scheme, host, path, query and trailing slash):
	// Square signs it together with the body.
	NotificationURL string `yaml:"notification_url"`
	// AccessToken is the Bearer token for the Square API (personal access
	// token or OAuth token). Secret. Without it, events are not enriched.
	AccessToken string `yaml:"access_token"`
	// SquareVersion is sent as the Square-Version header (YYYY-MM-DD).
	SquareVersion string `yaml:"square_version"`
	// BaseURL is the API root, DefaultBaseURL unless pointing at Square's
	// sandbox or at the fake.
	BaseURL string `yaml:"base_url"`

	// Timeout bounds one API attempt (httpx default 10s).
	Timeout time.Duration `yaml:"timeout"`
	// MaxRetries is how many times an action's call is retried in-process
	// after a transport error, 429 or 5xx: 0 means httpx's default (2), -1
	// none. Enrichment never retries in-process: the engine redelivers the
	// event instead.
	MaxRetries int `yaml:"max_retries"`
	// RetryWaitMin and RetryWaitMax bound the backoff between those retries.
	RetryWaitMin time.Duration `yaml:"retry_wait_min"`
	RetryWaitMax time.Duration `yaml:"retry_wait_max"`
	// RetryAfterMax is the longest Retry-After waited out in-process.
	RetryAfterMax time.Duration `yaml:"retry_after_max"`
}

// WithDefaults returns c with the defaults filled in where a field is empty.
func (c Config) WithDefaults() Config {
	if strings.TrimSpace(c.BaseURL) == "" {
		c.BaseURL = DefaultBaseURL
	}
	if strings.TrimSpace(c.SquareVersion) == "" {
		c.SquareVersion = DefaultSquareVersion
	}
	return c
}

// Validate checks the configuration and reports every problem, each naming
// its key as connectors.square.<key>. In live mode the signature key,
// notification URL and access token are required.
func (c Config) Validate(live bool) error {
	var errs []error
	if live {
		for _, f := range []struct{ key, val string }{
			{"signature_key", c.SignatureKey},
			{"notification_url", c.NotificationURL},
			{"access_token", c.AccessToken},
		} {
			if strings.TrimSpace(f.val) == "" {
				errs = append(errs, fmt.Errorf("connectors.square.%s is required in live mode", f.key))
			}
		}
	}
	if c.NotificationURL != "" {
		if err := httpx.CheckURL(c.NotificationURL); err != nil {
			errs = append(errs, fmt.Errorf("connectors.square.notification_url: %w (it must be the URL exactly as registered on the Square webhook subscription)", err))
		}
	}
	if v := c.SquareVersion; v != "" {
		if _, err := time.Parse(time.DateOnly, v); err != nil || len(v) != len(time.DateOnly) {
			errs = append(errs, fmt.Errorf("connectors.square.square_version must be a date like %s, got %q", DefaultSquareVersion, v))
		}
	}
	if err := c.http().Validate(); err != nil {
		for _, e := range unwrapJoined(err) {
			errs = append(errs, fmt.Errorf("connectors.square.%w", e))
		}
	}
	return errors.Join(errs...)
}

// unwrapJoined splits an errors.Join result into its parts.
func unwrapJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// http is the httpx field group of c.
func (c Config) http() httpx.Config {
	return httpx.Config{
		BaseURL:       c.BaseURL,
		Timeout:       c.Timeout,
		MaxRetries:    c.MaxRetries,
		RetryWaitMin:  c.RetryWaitMin,
		RetryWaitMax:  c.RetryWaitMax,
		RetryAfterMax: c.RetryAfterMax,
	}
}

// String prints the configuration with its secrets redacted, so a Config
// that reaches a log or an error message leaks nothing.
func (c Config) String() string {
	return fmt.Sprintf("square.Config{signature_key:%s notification_url:%q access_token:%s square_version:%q base_url:%q timeout:%s max_retries:%d}",
		redacted(c.SignatureKey), c.NotificationURL, redacted(c.AccessToken), c.SquareVersion, c.BaseURL, c.Timeout, c.MaxRetries)
}

// GoString is String, so %#v hides the secrets too.
func (c Config) GoString() string { return c.String() }

// LogValue is the slog form of String.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("signature_key", redacted(c.SignatureKey)),
		slog.String("notification_url", c.NotificationURL),
		slog.String("access_token", redacted(c.AccessToken)),
		slog.String("square_version", c.SquareVersion),
		slog.String("base_url", c.BaseURL),
	)
}

func redacted(secret string) string {
	if secret == "" {
		return `""`
	}
	return "[redacted]"
}
