package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/config"
	"github.com/switchboardhq/switchboard/engine/policy"
)

func TestPolicyConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      config.Policy
		check   func(t *testing.T, pc policy.Config)
		wantErr string
	}{
		{name: "defaults", check: func(t *testing.T, pc policy.Config) {
			require.Equal(t, policy.Defaults().QuietHours, pc.QuietHours)
			require.Equal(t, 4, pc.DefaultCap.Max)
		}},
		{name: "overrides", in: config.Policy{
			TimeZone: "Australia/Perth", QuietHours: config.QuietHours{Start: "21:00", End: "08:00", Days: []string{"Sunday", "saturday"}},
			MarketingCap: config.Cap{Max: 2, Days: 7}, Caps: map[string]config.Cap{"email": {Max: 8}}, OptOutScope: "marketing",
			Keywords: map[string]config.KeywordSet{"fr": {Stop: []string{"ARRET"}}},
		}, check: func(t *testing.T, pc policy.Config) {
			require.Equal(t, "Australia/Perth", pc.DefaultTimeZone)
			require.Equal(t, []time.Weekday{time.Sunday, time.Saturday}, pc.QuietHours.Days)
			require.Equal(t, policy.Cap{Max: 2, Window: 7 * 24 * time.Hour}, pc.DefaultCap)
			require.Equal(t, 8, pc.CapFor("email").Max)
			require.Equal(t, policy.ScopeMarketing, pc.OptOutScope)
			kind, _ := pc.Keywords.Match("arret")
			require.Equal(t, policy.KindStop, kind)
		}},
		{name: "no quiet days", in: config.Policy{QuietHours: config.QuietHours{Days: []string{}}}, check: func(t *testing.T, pc policy.Config) {
			require.Empty(t, pc.QuietHours.Days)
		}},
		{name: "bad day", in: config.Policy{QuietHours: config.QuietHours{Days: []string{"Caturday"}}}, wantErr: `"Caturday" is not a day`},
		{name: "bad time", in: config.Policy{QuietHours: config.QuietHours{Start: "25:00", End: "09:00"}}, wantErr: "25:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pc, _, err := policyConfig(tc.in)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			tc.check(t, pc)
		})
	}
}
