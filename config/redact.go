package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

const mask = "****"

// isSecretKey reports whether a setting named key holds a secret.
func isSecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, w := range []string{"secret", "token", "key", "password", "passwd", "credential"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

func maskValue(s string) string {
	if s == "" {
		return ""
	}
	return mask
}

var dsnPasswordRE = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// redactURL masks the password of a URL or of a key=value DSN.
func redactURL(s string) string {
	if strings.Contains(s, "://") {
		if u, err := url.Parse(s); err == nil && u.User != nil {
			if _, has := u.User.Password(); has {
				u.User = url.UserPassword(u.User.Username(), "REDACTED")
				return strings.Replace(u.String(), ":REDACTED@", ":"+mask+"@", 1)
			}
			return s
		} else if err != nil {
			// Unparseable: keep the scheme only.
			scheme, _, _ := strings.Cut(s, "://")
			return scheme + "://" + mask
		}
	}
	return dsnPasswordRE.ReplaceAllString(s, "${1}"+mask)
}

// Redacted renders c as YAML with every secret masked: API keys, passwords
// in the store DSN and bus URL, and connector settings whose names contain
// secret, token, key, password or credential. It is safe to log.
func (c *Config) Redacted() string {
	type apiKey struct {
		Name   string   `yaml:"name"`
		Key    string   `yaml:"key"`
		Scopes []string `yaml:"scopes,flow"`
	}
	view := struct {
		Server  Server `yaml:"server"`
		DataDir string `yaml:"data_dir"`
		Store   Store  `yaml:"store"`
		Bus     Bus    `yaml:"bus"`
		Auth    struct {
			APIKeys []apiKey `yaml:"api_keys,omitempty"`
		} `yaml:"auth"`
		Contacts   Contacts       `yaml:"contacts"`
		Engine     Engine         `yaml:"engine"`
		Log        Log            `yaml:"log"`
		Connectors map[string]any `yaml:"connectors,omitempty"`
		Pipelines  []string       `yaml:"pipelines"`
	}{
		Server: c.Server, DataDir: c.DataDir,
		Store:    Store{Driver: c.Store.Driver, DSN: redactURL(c.Store.DSN)},
		Bus:      Bus{Driver: c.Bus.Driver, URL: redactURL(c.Bus.URL)},
		Contacts: c.Contacts, Engine: c.Engine, Log: c.Log, Pipelines: c.Pipelines,
	}
	for _, k := range c.Auth.APIKeys {
		view.Auth.APIKeys = append(view.Auth.APIKeys, apiKey{Name: k.Name, Key: maskValue(k.Key), Scopes: k.Scopes})
	}
	if len(c.Connectors) > 0 {
		view.Connectors = map[string]any{}
		for name, conn := range c.Connectors {
			view.Connectors[name] = conn.redacted()
		}
	}
	out, err := yaml.Marshal(view)
	if err != nil {
		return fmt.Sprintf("config: cannot render: %v\n", err)
	}
	return string(out)
}

// String returns [Config.Redacted], so printing a Config never shows a
// secret.
func (c *Config) String() string { return c.Redacted() }

// GoString is String, for %#v.
func (c *Config) GoString() string { return c.Redacted() }

// redacted returns the connector's section as plain values with secrets
// masked.
func (c *Connector) redacted() map[string]any {
	if c == nil {
		return nil
	}
	out := map[string]any{"mode": c.Mode}
	if c.settings == nil {
		return out
	}
	var m map[string]any
	if err := c.settings.Decode(&m); err != nil {
		out["settings"] = "<" + mask + ">"
		return out
	}
	for k, v := range m {
		out[k] = redactAny(k, v)
	}
	return out
}

// redactAny masks v when key names a secret, and walks into maps and lists.
func redactAny(key string, v any) any {
	if isSecretKey(key) {
		if v == nil || v == "" {
			return v
		}
		return mask
	}
	switch x := v.(type) {
	case string:
		return redactURL(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = redactAny(k, e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ks := fmt.Sprint(k)
			out[ks] = redactAny(ks, e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = redactAny("", e)
		}
		return out
	}
	return v
}

// String renders the key with its secret masked.
func (k APIKey) String() string {
	return fmt.Sprintf("{%s %s %v}", k.Name, maskValue(k.Key), k.Scopes)
}

// GoString is String, for %#v.
func (k APIKey) GoString() string { return "config.APIKey" + k.String() }

// String renders the store with the DSN's password masked.
func (s Store) String() string { return fmt.Sprintf("{%s %s}", s.Driver, redactURL(s.DSN)) }

// GoString is String, for %#v.
func (s Store) GoString() string { return "config.Store" + s.String() }

// String renders the bus with the URL's password masked.
func (b Bus) String() string { return fmt.Sprintf("{%s %s}", b.Driver, redactURL(b.URL)) }

// GoString is String, for %#v.
func (b Bus) GoString() string { return "config.Bus" + b.String() }

// String renders the connector's name, mode and setting names, never their
// values.
func (c *Connector) String() string {
	if c == nil {
		return "<nil>"
	}
	return fmt.Sprintf("{%s %s %v}", c.Name, c.Mode, c.Keys())
}

// GoString is String, for %#v.
func (c *Connector) GoString() string { return "&config.Connector" + c.String() }
