package whatsapp

import (
	"errors"
	"fmt"
	"strings"
)

// Defaults applied by New (and WithDefaults) to empty fields.
const (
	DefaultBaseURL           = "https://graph.facebook.com"
	DefaultAPIVersion        = "v23.0"
	DefaultMessagesPerSecond = 80
)

// Config is the connectors.whatsapp section of the hub configuration. The
// `mode` key (live or sandbox) is handled by the hub's config package and is
// deliberately not part of this struct.
type Config struct {
	BaseURL           string `yaml:"base_url"`
	APIVersion        string `yaml:"api_version"`
	AccessToken       string `yaml:"access_token"`
	AppSecret         string `yaml:"app_secret"`
	VerifyToken       string `yaml:"verify_token"`
	PhoneNumberID     string `yaml:"phone_number_id"`
	WABAID            string `yaml:"waba_id"`
	MessagesPerSecond int    `yaml:"messages_per_second"`
}

// WithDefaults returns c with the defaults filled in where a field is empty.
func (c Config) WithDefaults() Config {
	if strings.TrimSpace(c.BaseURL) == "" {
		c.BaseURL = DefaultBaseURL
	}
	if strings.TrimSpace(c.APIVersion) == "" {
		c.APIVersion = DefaultAPIVersion
	}
	if c.MessagesPerSecond == 0 {
		c.MessagesPerSecond = DefaultMessagesPerSecond
	}
	return c
}

// Validate checks the configuration. In live mode the app secret, verify
// token, access token and phone number id are required.
func (c Config) Validate(live bool) error {
	var errs []error
	if live {
		for _, f := range []struct{ key, val string }{
			{"app_secret", c.AppSecret},
			{"verify_token", c.VerifyToken},
			{"access_token", c.AccessToken},
			{"phone_number_id", c.PhoneNumberID},
		} {
			if strings.TrimSpace(f.val) == "" {
				errs = append(errs, fmt.Errorf("connectors.whatsapp.%s is required in live mode", f.key))
			}
		}
	}
	if c.MessagesPerSecond < 0 {
		errs = append(errs, fmt.Errorf("connectors.whatsapp.messages_per_second must not be negative (got %d)", c.MessagesPerSecond))
	}
	if c.BaseURL != "" && !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		errs = append(errs, fmt.Errorf("connectors.whatsapp.base_url must start with http:// or https:// (got %q)", c.BaseURL))
	}
	return errors.Join(errs...)
}
