package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDefaults(t *testing.T) {
	t.Parallel()
	c := Defaults()
	require.NoError(t, c.Validate())
	require.Equal(t, QuietHours{Start: "20:00", End: "09:00", Days: []time.Weekday{time.Sunday}}, c.QuietHours)
	require.Equal(t, "Australia/Sydney", c.DefaultTimeZone)
	require.Equal(t, Cap{Max: 4, Window: 30 * 24 * time.Hour}, c.DefaultCap)
	require.Equal(t, ScopeAll, c.OptOutScope)
	for _, ch := range Channels {
		require.Equal(t, c.DefaultCap, c.CapFor(ch))
	}
	kind, _ := c.Keywords.Match("stop")
	require.Equal(t, KindStop, kind)
}

func TestCapFor(t *testing.T) {
	t.Parallel()
	c := Defaults()
	c.Caps = map[Channel]Cap{SMS: {Max: 2, Window: 7 * 24 * time.Hour}}
	require.Equal(t, Cap{Max: 2, Window: 7 * 24 * time.Hour}, c.CapFor(SMS))
	require.Equal(t, c.DefaultCap, c.CapFor(WhatsApp))
	require.Equal(t, "2 per 7 days", c.CapFor(SMS).String())
	require.Equal(t, "1 per 1 day", Cap{Max: 1, Window: 24 * time.Hour}.String())
	require.Equal(t, "3 per 36h0m0s", Cap{Max: 3, Window: 36 * time.Hour}.String())
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr []string
	}{
		{"defaults", func(*Config) {}, nil},
		{"marketing scope", func(c *Config) { c.OptOutScope = ScopeMarketing }, nil},
		{"per-channel cap", func(c *Config) { c.Caps = map[Channel]Cap{SMS: {Max: 0, Window: time.Hour}} }, nil},
		{"quiet start", func(c *Config) { c.QuietHours.Start = "8pm" }, []string{`quiet_hours.start: want HH:MM between 00:00 and 23:59, got "8pm"`}},
		{"quiet end", func(c *Config) { c.QuietHours.End = "09:75" }, []string{`quiet_hours.end: want HH:MM between 00:00 and 23:59, got "09:75"`}},
		{"quiet day", func(c *Config) { c.QuietHours.Days = []time.Weekday{time.Sunday, 9} }, []string{"quiet_hours.days[1]: 9 is not a weekday"}},
		{"quiet whole week", func(c *Config) { c.QuietHours.Days = []time.Weekday{0, 1, 2, 3, 4, 5, 6} }, []string{"quiet_hours.days: every day of the week is quiet"}},
		{"empty time zone", func(c *Config) { c.DefaultTimeZone = "" }, []string{"default_time_zone: empty"}},
		{"unknown time zone", func(c *Config) { c.DefaultTimeZone = "Australia/Springfield" }, []string{`default_time_zone: unknown time zone "Australia/Springfield"`}},
		{"machine-local time zone", func(c *Config) { c.DefaultTimeZone = "Local" }, []string{`default_time_zone: "Local" depends on the machine`}},
		{"negative default cap", func(c *Config) { c.DefaultCap.Max = -1 }, []string{"default_cap.max: must be 0 or more, got -1"}},
		{"zero default window", func(c *Config) { c.DefaultCap.Window = 0 }, []string{"default_cap.window: must be positive, got 0s"}},
		{"channel cap", func(c *Config) { c.Caps = map[Channel]Cap{WhatsApp: {Max: -2, Window: -time.Hour}} }, []string{
			"caps.whatsapp.max: must be 0 or more, got -2", "caps.whatsapp.window: must be positive, got -1h0m0s",
		}},
		{"unknown channel", func(c *Config) { c.Caps = map[Channel]Cap{"fax": {Max: 1, Window: time.Hour}} }, []string{`caps.fax: unknown channel "fax"`}},
		{"opt-out scope", func(c *Config) { c.OptOutScope = "transactional" }, []string{`opt_out_scope: want "all" or "marketing", got "transactional"`}},
		{"empty opt-out scope", func(c *Config) { c.OptOutScope = "" }, []string{`opt_out_scope: want "all" or "marketing", got ""`}},
		{"keywords", func(c *Config) { c.Keywords.Start = append(c.Keywords.Start, "cancel") }, []string{`keywords.start[2]: "cancel" is already a stop keyword at stop[3]`}},
		{"no stop keyword", func(c *Config) { c.Keywords = Keywords{Help: []string{"HELP"}} }, []string{"keywords.stop: no opt-out keyword"}},
		{"zero config reports every field", func(c *Config) { *c = Config{} }, []string{
			"default_time_zone: empty", "default_cap.window", "opt_out_scope", "keywords.stop",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := Defaults()
			tc.edit(&c)
			err := c.Validate()
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, want := range tc.wantErr {
				require.ErrorContains(t, err, want)
			}
			require.Len(t, strings.Split(err.Error(), "\n"), len(tc.wantErr), "one line per problem:\n%s", err)
		})
	}
}
