package policy

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPurposeFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		category   string
		step       string
		isTemplate bool
		want       Purpose
		wantErr    string
	}{
		{"marketing template", "MARKETING", "", true, Marketing, ""},
		{"utility template", "UTILITY", "", true, Transactional, ""},
		{"authentication template", "AUTHENTICATION", "", true, Transactional, ""},
		{"category case and space ignored", " utility ", "", true, Transactional, ""},
		{"step may make a utility template marketing", "UTILITY", "marketing", true, Marketing, ""},
		{"step agreeing with the category", "UTILITY", "transactional", true, Transactional, ""},
		{"step may not make a marketing template transactional", "MARKETING", "transactional", true, "", `a MARKETING template cannot be sent with purpose "transactional"`},
		{"template without a known category and no purpose", "", "", true, Marketing, ""},
		{"template without a known category uses the step", "", "transactional", true, Transactional, ""},
		{"unknown category", "PROMO", "", true, "", `unknown template category "PROMO"`},
		{"free-form without a purpose is marketing", "", "", false, Marketing, ""},
		{"free-form transactional", "", "transactional", false, Transactional, ""},
		{"free-form purpose case ignored", "", " Marketing ", false, Marketing, ""},
		{"unknown step purpose", "", "promotional", false, "", `step purpose: unknown purpose "promotional"`},
		{"unknown step purpose on a template", "UTILITY", "service", true, "", `unknown purpose "service"`},
		{"category on a free-form message", "UTILITY", "", false, "", `template category "UTILITY" given for a free-form message`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := PurposeFor(tc.category, tc.step, tc.isTemplate)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestValidValues(t *testing.T) {
	t.Parallel()
	for _, ch := range Channels {
		require.True(t, ch.Valid(), ch)
	}
	require.False(t, Channel("fax").Valid())
	require.False(t, Channel("").Valid())
	require.False(t, Channel("WhatsApp").Valid(), "channels are lower case")

	require.True(t, Marketing.Valid())
	require.True(t, Transactional.Valid())
	require.False(t, Purpose("").Valid())

	for _, s := range []Status{OptedIn, OptedOut, Pending, Unknown, ""} {
		require.True(t, s.Valid(), s)
	}
	require.False(t, Status("subscribed").Valid())
}
