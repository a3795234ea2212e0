package policy

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Defaults.
const (
	// DefaultTimeZone is where a contact is assumed to be when their phone
	// number does not say.
	DefaultTimeZone = "Australia/Sydney"
	// DefaultCapMax and DefaultCapWindow: four marketing messages per
	// contact and channel in any 30 days.
	DefaultCapMax    = 4
	DefaultCapWindow = 30 * 24 * time.Hour
)

// OptOutScope says what an opt-out on a channel suppresses.
type OptOutScope string

// Opt-out scopes.
const (
	// ScopeAll: an opt-out suppresses every message on the channel except
	// the opt-out confirmation.
	ScopeAll OptOutScope = "all"
	// ScopeMarketing: an opt-out suppresses marketing only; order updates
	// and other transactional messages still go.
	ScopeMarketing OptOutScope = "marketing"
)

// Cap is a marketing frequency cap: at most Max marketing messages to one
// contact on one channel in any Window (a sliding window ending now).
type Cap struct {
	// Max is the number of marketing messages allowed in Window; 0 allows
	// none.
	Max int
	// Window is how far back sends count; it must be positive.
	Window time.Duration
}

func (c Cap) String() string { return fmt.Sprintf("%d per %s", c.Max, formatWindow(c.Window)) }

// formatWindow prints whole days as days ("30 days") and anything else as a
// duration.
func formatWindow(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d == day:
		return "1 day"
	case d > 0 && d%day == 0:
		return fmt.Sprintf("%d days", d/day)
	}
	return d.String()
}

// Config is the messaging policy. Start from Defaults and change what
// differs; Validate before use. Field names in errors are the snake_case
// keys of the policy block.
type Config struct {
	// QuietHours hold marketing in the contact's time zone.
	QuietHours QuietHours
	// DefaultTimeZone is the IANA zone used when a contact's phone number
	// does not name one.
	DefaultTimeZone string
	// Caps overrides DefaultCap per channel.
	Caps map[Channel]Cap
	// DefaultCap applies to channels without an entry in Caps.
	DefaultCap Cap
	// OptOutScope is what an opt-out suppresses: ScopeAll or ScopeMarketing.
	OptOutScope OptOutScope
	// Keywords are the inbound words that opt out, opt in or ask for help.
	Keywords Keywords
}

// Defaults returns the default policy: quiet 20:00–09:00 and all of Sunday,
// Australia/Sydney, 4 marketing messages per 30 days on every channel, an
// opt-out suppresses everything but its confirmation, and the keywords of
// DefaultKeywords.
func Defaults() Config {
	return Config{
		QuietHours:      QuietHours{Start: "20:00", End: "09:00", Days: []time.Weekday{time.Sunday}},
		DefaultTimeZone: DefaultTimeZone,
		DefaultCap:      Cap{Max: DefaultCapMax, Window: DefaultCapWindow},
		OptOutScope:     ScopeAll,
		Keywords:        DefaultKeywords(),
	}
}

// CapFor returns the cap that applies to ch.
func (c Config) CapFor(ch Channel) Cap {
	if cp, ok := c.Caps[ch]; ok {
		return cp
	}
	return c.DefaultCap
}

// Validate reports every problem in c, one per line, each naming the field
// and the bad value.
func (c Config) Validate() error {
	var errs []error
	field := func(name string, err error) {
		if err == nil {
			return
		}
		for _, e := range unjoin(err) {
			errs = append(errs, fmt.Errorf("%s.%w", name, e))
		}
	}
	field("quiet_hours", c.QuietHours.Validate())
	if c.DefaultTimeZone == "" {
		errs = append(errs, errors.New("default_time_zone: empty; want an IANA zone such as "+DefaultTimeZone))
	} else if c.DefaultTimeZone == "Local" {
		errs = append(errs, errors.New(`default_time_zone: "Local" depends on the machine; name an IANA zone such as `+DefaultTimeZone))
	} else if _, err := loadLocation(c.DefaultTimeZone); err != nil {
		errs = append(errs, fmt.Errorf("default_time_zone: unknown time zone %q", c.DefaultTimeZone))
	}
	errs = append(errs, validateCap("default_cap", c.DefaultCap)...)
	channels := make([]Channel, 0, len(c.Caps))
	for ch := range c.Caps {
		channels = append(channels, ch)
	}
	slices.Sort(channels)
	for _, ch := range channels {
		if !ch.Valid() {
			errs = append(errs, fmt.Errorf("caps.%s: unknown channel %q (want one of %v)", ch, ch, Channels))
			continue
		}
		errs = append(errs, validateCap("caps."+string(ch), c.Caps[ch])...)
	}
	switch c.OptOutScope {
	case ScopeAll, ScopeMarketing:
	default:
		errs = append(errs, fmt.Errorf("opt_out_scope: want %q or %q, got %q", ScopeAll, ScopeMarketing, c.OptOutScope))
	}
	field("keywords", c.Keywords.Validate())
	return errors.Join(errs...)
}

func validateCap(name string, c Cap) []error {
	var errs []error
	if c.Max < 0 {
		errs = append(errs, fmt.Errorf("%s.max: must be 0 or more, got %d", name, c.Max))
	}
	if c.Window <= 0 {
		errs = append(errs, fmt.Errorf("%s.window: must be positive, got %s", name, c.Window))
	}
	return errs
}

// unjoin splits an errors.Join result into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
