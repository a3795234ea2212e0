package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by Config.WithDefaults to zero fields.
const (
	DefaultTimeout       = 10 * time.Second
	DefaultMaxRetries    = 2
	DefaultRetryWaitMin  = 200 * time.Millisecond
	DefaultRetryWaitMax  = 2 * time.Second
	DefaultRetryAfterMax = 5 * time.Second
)

// Config is the HTTP field group shared by outbound connectors. A provider's
// config embeds it (yaml `,inline`) or copies the fields it exposes.
type Config struct {
	// BaseURL is the provider's API root, e.g. "https://graph.facebook.com";
	// configurable so every connector can point at its fake. Optional for
	// connectors that take absolute URLs.
	BaseURL string `yaml:"base_url"`
	// Timeout bounds one attempt (connect, send, read headers and body).
	// The caller's ctx bounds the whole call, retries included.
	Timeout time.Duration `yaml:"timeout"`
	// MaxRetries is how many times one call is retried in-process after a
	// transport error, a 429 or a 5xx. 0 means DefaultMaxRetries; -1 means
	// none (the engine's durable retries still apply).
	MaxRetries int `yaml:"max_retries"`
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// in-process retries when the provider sends no Retry-After.
	RetryWaitMin time.Duration `yaml:"retry_wait_min"`
	RetryWaitMax time.Duration `yaml:"retry_wait_max"`
	// RetryAfterMax is the longest Retry-After waited out in-process; a longer
	// one ends the call at once with a retryable error carrying the wait, so
	// the engine schedules it durably instead of holding a worker.
	RetryAfterMax time.Duration `yaml:"retry_after_max"`

	// Transport, when set, carries the requests instead of a new pooled
	// transport: for tests, or to share one connection pool between clients.
	Transport http.RoundTripper `yaml:"-"`
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	}
	if c.RetryWaitMin == 0 {
		c.RetryWaitMin = DefaultRetryWaitMin
	}
	if c.RetryWaitMax == 0 {
		c.RetryWaitMax = max(DefaultRetryWaitMax, c.RetryWaitMin)
	}
	if c.RetryAfterMax == 0 {
		c.RetryAfterMax = DefaultRetryAfterMax
	}
	return c
}

// Validate reports every bad field, naming its yaml key and value. Call it
// on the config as written (before or after WithDefaults).
func (c Config) Validate() error {
	var errs []error
	if c.BaseURL != "" {
		if err := CheckURL(c.BaseURL); err != nil {
			errs = append(errs, fmt.Errorf("base_url: %w", err))
		}
	}
	for _, f := range []struct {
		key string
		v   time.Duration
	}{
		{"timeout", c.Timeout},
		{"retry_wait_min", c.RetryWaitMin},
		{"retry_wait_max", c.RetryWaitMax},
		{"retry_after_max", c.RetryAfterMax},
	} {
		if f.v < 0 {
			errs = append(errs, fmt.Errorf("%s must not be negative, got %s", f.key, f.v))
		}
	}
	if c.MaxRetries < -1 || c.MaxRetries > 10 {
		errs = append(errs, fmt.Errorf("max_retries must be between -1 and 10, got %d", c.MaxRetries))
	}
	if c.RetryWaitMin > 0 && c.RetryWaitMax > 0 && c.RetryWaitMin > c.RetryWaitMax {
		errs = append(errs, fmt.Errorf("retry_wait_min (%s) must not exceed retry_wait_max (%s)", c.RetryWaitMin, c.RetryWaitMax))
	}
	return errors.Join(errs...)
}

// URL joins BaseURL and path with exactly one slash between them.
func (c Config) URL(path string) string {
	return strings.TrimRight(c.BaseURL, "/") + "/" + strings.TrimLeft(path, "/")
}

// retries is MaxRetries as retryablehttp wants it (after WithDefaults).
func (c Config) retries() int {
	if c.MaxRetries < 0 {
		return 0
	}
	return c.MaxRetries
}

// CheckURL returns nil when raw is an absolute http or https URL with a
// host. The error does not repeat the URL (it may carry a secret).
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme must be http or https, got %q", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("URL has no host")
	}
	return nil
}
