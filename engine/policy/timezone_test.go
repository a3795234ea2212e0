package policy

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTimeZoneFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		phone    string
		fallback string
		want     string
	}{
		{"Sydney landline", "+61293744000", "", "Australia/Sydney"},
		{"spaced E.164", "+61 2 9374 4000", "", "Australia/Sydney"},
		{"Perth landline (08 9)", "+61892211111", "", "Australia/Perth"},
		{"Perth landline (08 6)", "+61861234567", "", "Australia/Perth"},
		{"Adelaide landline (08 8)", "+61881234567", "", "Australia/Adelaide"},
		{"Darwin landline (08 89)", "+61889995511", "", "Australia/Darwin"},
		{"Brisbane landline, no daylight saving", "+61731234567", "", "Australia/Brisbane"},
		{"Australian mobile", "+61412345678", "", "Australia/Sydney"},
		{"Bucharest landline", "+40212345678", "", "Europe/Bucharest"},
		{"Romanian mobile", "+40721234567", "", "Europe/Bucharest"},
		{"New York", "+12125550123", "", "America/New_York"},
		{"San Francisco", "+14155550123", "Australia/Sydney", "America/Los_Angeles"},
		{"several zones, fallback among them", "+18005550123", "America/Chicago", "America/Chicago"},
		{"several zones, fallback not among them: the first", "+18005550123", "Australia/Sydney", "America/Adak"},
		{"garbage", "garbage", "", "Australia/Sydney"},
		{"garbage with a fallback", "garbage", "Europe/Bucharest", "Europe/Bucharest"},
		{"empty", "", "Australia/Perth", "Australia/Perth"},
		{"national format without a country code", "0293744000", "Europe/Bucharest", "Europe/Bucharest"},
		{"unknown country code", "+99912345", "", "Australia/Sydney"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			loc, err := TimeZoneFor(tc.phone, tc.fallback)
			require.NoError(t, err)
			require.Equal(t, tc.want, loc.String())
		})
	}
}

func TestTimeZoneForBadFallback(t *testing.T) {
	t.Parallel()
	_, err := TimeZoneFor("+61293744000", "Mars/Olympus_Mons")
	require.ErrorContains(t, err, `fallback time zone "Mars/Olympus_Mons"`)
}
