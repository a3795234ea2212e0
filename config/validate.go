package config

import (
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/internal/diag"
)

// Validate checks every setting of c, cross-field rules included, and
// returns a [diag.Diagnostics] with every error (nil when there are none).
// Findings are positioned at the offending key when c was parsed from a
// file. [Parse] and [Load] already validate; call Validate again after
// changing a Config in code.
func (c *Config) Validate() error {
	return c.validate(nil).Err()
}

type validator struct {
	c     *Config
	diags diag.Diagnostics
	// skip holds paths whose value could not be substituted from the
	// environment: already reported, not judged again.
	skip map[string]bool
}

// at returns the position of the first of paths the file set, trying each
// path's parents next, then the document; zero when c was not parsed.
func (v *validator) at(paths ...string) position {
	for _, p := range paths {
		if pos, ok := v.c.pos[p]; ok {
			return pos
		}
	}
	for _, p := range paths {
		for p != "" {
			p = parent(p)
			if pos, ok := v.c.pos[p]; ok {
				return pos
			}
		}
	}
	return position{}
}

// parent strips the last ".key" or "[i]" from a path.
func parent(p string) string {
	if i := strings.LastIndexAny(p, ".["); i >= 0 {
		return p[:i]
	}
	return ""
}

// fail records an error at path, positioned at the first of path and
// also that the file set.
func (v *validator) fail(path string, also []string, format string, args ...any) {
	v.add(false, path, also, format, args...)
}

func (v *validator) warn(path string, format string, args ...any) {
	v.add(true, path, nil, format, args...)
}

func (v *validator) add(warning bool, path string, also []string, format string, args ...any) {
	if v.skip[path] {
		return
	}
	for _, p := range also {
		if v.skip[p] {
			return
		}
	}
	pos := v.at(append([]string{path}, also...)...)
	v.diags = append(v.diags, diag.Diagnostic{
		File: v.c.File, Line: pos.line, Col: pos.col, Path: path,
		Msg: fmt.Sprintf(format, args...), Warning: warning,
	})
}

func (v *validator) oneOf(path, got string, allowed ...string) bool {
	if slices.Contains(allowed, got) {
		return true
	}
	v.fail(path, nil, "must be %s, got %q%s", orList(allowed), got, hint(got, allowed))
	return false
}

func (v *validator) intRange(path string, got, lo, hi int64) {
	if got < lo || got > hi {
		v.fail(path, nil, "must be between %d and %d, got %d", lo, hi, got)
	}
}

func (v *validator) durRange(path string, got, lo, hi time.Duration) {
	if got < lo || got > hi {
		v.fail(path, nil, "must be between %s and %s, got %s", lo, hi, got)
	}
}

func (v *validator) nonEmpty(path, got string) bool {
	if strings.TrimSpace(got) == "" {
		v.fail(path, nil, "must not be empty")
		return false
	}
	return true
}

// Limits enforced by Validate.
const (
	maxBodyBytesLimit = 1 << 30
	maxWorkers        = 1024
	maxMaxAttempts    = 100
	minAPIKeyLen      = 16
)

// Allowed values.
var (
	storeDrivers = []string{"sqlite", "postgres"}
	busDrivers   = []string{"embedded", "nats", "postgres"}
	scopes       = []string{ScopeIngest, ScopeRead, ScopeAdmin}
	logLevels    = []string{"debug", "info", "warn", "error"}
	logFormats   = []string{"text", "json"}
	modes        = []string{ModeLive, ModeSandbox}
)

func (c *Config) validate(skip map[string]bool) diag.Diagnostics {
	v := &validator{c: c, skip: skip}
	v.server()
	v.nonEmpty("data_dir", c.DataDir)
	v.storeAndBus()
	v.auth()
	if r := c.Contacts.DefaultRegion; len(r) != 2 || !isUpper(r[0]) || !isUpper(r[1]) {
		v.fail("contacts.default_region", nil, "must be two upper-case letters (an ISO 3166 region such as \"AU\"), got %q", r)
	}
	v.engine()
	v.policy()
	v.oneOf("log.level", c.Log.Level, logLevels...)
	v.oneOf("log.format", c.Log.Format, logFormats...)
	v.connectors()
	for i, p := range c.Pipelines {
		path := fmt.Sprintf("pipelines[%d]", i)
		if !v.nonEmpty(path, p) {
			continue
		}
		if _, err := filepath.Match(p, ""); err != nil {
			v.fail(path, nil, "is not a valid glob (%v), got %q", err, p)
		}
	}
	return v.diags
}

func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }

func (v *validator) server() {
	s := v.c.Server
	if v.nonEmpty("server.addr", s.Addr) {
		_, port, err := net.SplitHostPort(s.Addr)
		if err != nil {
			v.fail("server.addr", nil, "must be host:port such as \":8080\" or \"127.0.0.1:8080\", got %q", s.Addr)
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			v.fail("server.addr", nil, "port must be a number between 0 and 65535, got %q", s.Addr)
		}
	}
	v.intRange("server.max_body_bytes", s.MaxBodyBytes, 1, maxBodyBytesLimit)
}

var busGroupPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (v *validator) storeAndBus() {
	st, bus := v.c.Store, v.c.Bus
	storeOK := v.oneOf("store.driver", st.Driver, storeDrivers...)
	if st.Driver == "postgres" && strings.TrimSpace(st.DSN) == "" {
		v.fail("store.dsn", []string{"store.driver"}, "is required when store.driver is postgres")
	}
	if !busGroupPattern.MatchString(bus.Group) {
		v.fail("bus.group", nil, "must be 1 to 64 letters, digits, '-' or '_', got %q", bus.Group)
	}
	if !v.oneOf("bus.driver", bus.Driver, busDrivers...) {
		return
	}
	switch bus.Driver {
	case "nats":
		if strings.TrimSpace(bus.URL) == "" {
			v.fail("bus.url", []string{"bus.driver"}, "is required when bus.driver is nats")
		}
	case "postgres":
		if storeOK && st.Driver != "postgres" {
			v.fail("bus.driver", nil, "postgres needs store.driver postgres (the bus shares the store's database), got store.driver %q", st.Driver)
		}
		fallthrough
	default:
		if bus.URL != "" {
			v.warn("bus.url", "is ignored when bus.driver is %s", bus.Driver)
		}
	}
}

func (v *validator) auth() {
	names := map[string]int{}
	keys := map[string]int{}
	for i, k := range v.c.Auth.APIKeys {
		path := fmt.Sprintf("auth.api_keys[%d]", i)
		if v.nonEmpty(path+".name", k.Name) {
			if j, dup := names[k.Name]; dup {
				v.fail(path+".name", nil, "duplicate name %q (also auth.api_keys[%d])", k.Name, j)
			} else {
				names[k.Name] = i
			}
		}
		switch n := len([]rune(k.Key)); {
		case k.Key == "":
			v.fail(path+".key", nil, "is required")
		case strings.TrimSpace(k.Key) != k.Key:
			v.fail(path+".key", nil, "must not start or end with white space")
		case n < minAPIKeyLen:
			v.fail(path+".key", nil, "must be at least %d characters, got %d", minAPIKeyLen, n)
		default:
			if j, dup := keys[k.Key]; dup {
				v.fail(path+".key", nil, "is the same as auth.api_keys[%d].key; give every client its own key", j)
			} else {
				keys[k.Key] = i
			}
		}
		if len(k.Scopes) == 0 {
			v.fail(path+".scopes", nil, "must list at least one of %s", orList(scopes))
		}
		seen := map[string]bool{}
		for j, s := range k.Scopes {
			spath := fmt.Sprintf("%s.scopes[%d]", path, j)
			if !v.oneOf(spath, s, scopes...) {
				continue
			}
			if seen[s] {
				v.fail(spath, nil, "duplicate scope %q", s)
			}
			seen[s] = true
		}
	}
}

func (v *validator) engine() {
	e := v.c.Engine
	v.intRange("engine.workers", int64(e.Workers), 1, maxWorkers)
	v.intRange("engine.max_attempts", int64(e.MaxAttempts), 1, maxMaxAttempts)
	v.durRange("engine.retry_base", e.RetryBase, time.Millisecond, time.Hour)
	if e.RetryMax < e.RetryBase {
		v.fail("engine.retry_max", []string{"engine.retry_base"}, "must be at least engine.retry_base (%s), got %s", e.RetryBase, e.RetryMax)
	} else {
		v.durRange("engine.retry_max", e.RetryMax, time.Millisecond, 24*time.Hour)
	}
	v.durRange("engine.sweep_interval", e.SweepInterval, time.Second, time.Hour)
	v.durRange("engine.step_timeout", e.StepTimeout, 100*time.Millisecond, time.Hour)
}

func (v *validator) policy() {
	p := v.c.Policy
	if p.OptOutScope != "" {
		v.oneOf("policy.opt_out_scope", p.OptOutScope, "all", "marketing")
	}
	if p.ConsentRetention != 0 && p.ConsentRetention < MinConsentRetention {
		v.fail("policy.consent_retention", nil, "must be at least two years (%s), got %s", MinConsentRetention, p.ConsentRetention)
	}
	if p.TimeZone != "" {
		if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "Local" {
			v.fail("policy.timezone", nil, "is not a known time zone: %q", p.TimeZone)
		}
	}
	for i, ch := range p.DoubleOptIn.Channels {
		v.oneOf(fmt.Sprintf("policy.double_opt_in.channels[%d]", i), ch, "whatsapp")
	}
	if len(p.DoubleOptIn.Channels) > 0 && p.DoubleOptIn.Template == "" {
		v.fail("policy.double_opt_in.template", nil, "is required when double_opt_in has channels (the template asking people to confirm)")
	}
	caps := map[string]Cap{"policy.marketing_cap": p.MarketingCap}
	for ch, c := range p.Caps {
		caps["policy.caps."+ch] = c
	}
	for path, c := range caps {
		if c.Max < 0 {
			v.fail(path+".max", nil, "must not be negative, got %d", c.Max)
		}
		if c.Days < 0 || c.Days > 366 {
			v.fail(path+".days", nil, "must be between 1 and 366, got %d", c.Days)
		}
	}
}

func (v *validator) connectors() {
	names := make([]string, 0, len(v.c.Connectors))
	for name := range v.c.Connectors {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c := v.c.Connectors[name]
		if c == nil {
			v.fail("connectors."+name, nil, "has no section")
			continue
		}
		v.oneOf("connectors."+name+".mode", c.Mode, modes...)
	}
}

// orList renders a, b or c.
func orList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}
