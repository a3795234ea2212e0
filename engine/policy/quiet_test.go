package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func TestNextAllowed(t *testing.T) {
	t.Parallel()
	syd := mustLoad(t, "Australia/Sydney")
	per := mustLoad(t, "Australia/Perth")
	def := Defaults().QuietHours
	noSunday := QuietHours{Start: "20:00", End: "09:00"}
	lunch := QuietHours{Start: "12:00", End: "13:00"}
	at := func(loc *time.Location, y int, m time.Month, d, h, mi int) time.Time {
		return time.Date(y, m, d, h, mi, 0, 0, loc)
	}
	utc := func(s string) time.Time {
		ts, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return ts
	}
	tests := []struct {
		name     string
		q        QuietHours
		t        time.Time
		loc      *time.Location
		want     time.Time
		wantHeld bool
	}{
		{"weekday afternoon is allowed", def, at(syd, 2026, 6, 3, 15, 0), syd, at(syd, 2026, 6, 3, 15, 0), false},
		{"one second before quiet hours", def, at(syd, 2026, 6, 3, 19, 59).Add(59 * time.Second), syd, at(syd, 2026, 6, 3, 19, 59).Add(59 * time.Second), false},
		{"quiet hours start at 20:00 sharp", def, at(syd, 2026, 6, 3, 20, 0), syd, at(syd, 2026, 6, 4, 9, 0), true},
		{"before midnight to next morning", def, at(syd, 2026, 6, 3, 22, 30), syd, at(syd, 2026, 6, 4, 9, 0), true},
		{"after midnight to the same morning", def, at(syd, 2026, 6, 4, 3, 0), syd, at(syd, 2026, 6, 4, 9, 0), true},
		{"one nanosecond before the end", def, at(syd, 2026, 6, 4, 9, 0).Add(-1), syd, at(syd, 2026, 6, 4, 9, 0), true},
		{"09:00 sharp is allowed", def, at(syd, 2026, 6, 4, 9, 0), syd, at(syd, 2026, 6, 4, 9, 0), false},
		{"Sunday noon to Monday 09:00", def, at(syd, 2026, 6, 7, 12, 0), syd, at(syd, 2026, 6, 8, 9, 0), true},
		{"Saturday 23:00 to Monday 09:00", def, at(syd, 2026, 6, 6, 23, 0), syd, at(syd, 2026, 6, 8, 9, 0), true},
		{"Saturday afternoon is allowed", def, at(syd, 2026, 6, 6, 15, 0), syd, at(syd, 2026, 6, 6, 15, 0), false},
		{"Monday 08:00 after a quiet Sunday", def, at(syd, 2026, 6, 8, 8, 0), syd, at(syd, 2026, 6, 8, 9, 0), true},
		{"instant given in UTC is read in the contact's zone", def, utc("2026-06-03T11:00:00Z"), syd, at(syd, 2026, 6, 4, 9, 0), true},
		{"Perth evening", def, at(per, 2026, 6, 3, 21, 0), per, at(per, 2026, 6, 4, 9, 0), true},
		{"nil location uses the time's own", def, at(per, 2026, 6, 3, 21, 0), nil, at(per, 2026, 6, 4, 9, 0), true},

		// Sydney daylight saving starts 2026-10-04 02:00 AEST -> 03:00 AEDT
		// and ends 2027-04-04 03:00 AEDT -> 02:00 AEST; both are Sundays.
		{"DST start: Saturday night to Monday 09:00 AEDT", def, at(syd, 2026, 10, 3, 21, 0), syd, utc("2026-10-04T22:00:00Z"), true},
		{"DST start: Sunday 01:30 AEST to 09:00 AEDT", noSunday, at(syd, 2026, 10, 4, 1, 30), syd, utc("2026-10-03T22:00:00Z"), true},
		{"DST start: end inside the skipped hour ends at the change", QuietHours{Start: "22:00", End: "02:30"}, at(syd, 2026, 10, 4, 1, 0), syd, utc("2026-10-03T16:00:00Z"), true},
		{"DST end: Saturday night to Monday 09:00 AEST", def, at(syd, 2027, 4, 3, 21, 0), syd, utc("2027-04-04T23:00:00Z"), true},
		{"DST end: Sunday 01:30 AEDT to 09:00 AEST", noSunday, at(syd, 2027, 4, 4, 1, 30), syd, utc("2027-04-03T23:00:00Z"), true},
		{"DST end: repeated wall time, first occurrence", QuietHours{Start: "22:00", End: "02:30"}, at(syd, 2027, 4, 4, 1, 0), syd, utc("2027-04-03T15:30:00Z"), true},
		{"DST end: second pass through the window", QuietHours{Start: "22:00", End: "02:30"}, utc("2027-04-03T16:10:00Z"), syd, utc("2027-04-03T16:30:00Z"), true},
		{"DST end: clocks going back leave the window", QuietHours{Start: "02:15", End: "03:00"}, utc("2027-04-03T15:59:00Z"), syd, utc("2027-04-03T16:00:00Z"), true},

		{"non-wrapping window: before", lunch, at(syd, 2026, 6, 3, 11, 59), syd, at(syd, 2026, 6, 3, 11, 59), false},
		{"non-wrapping window: inside", lunch, at(syd, 2026, 6, 3, 12, 30), syd, at(syd, 2026, 6, 3, 13, 0), true},
		{"non-wrapping window: end", lunch, at(syd, 2026, 6, 3, 13, 0), syd, at(syd, 2026, 6, 3, 13, 0), false},
		{"non-wrapping window: evening is allowed", lunch, at(syd, 2026, 6, 3, 23, 0), syd, at(syd, 2026, 6, 3, 23, 0), false},
		{"window to midnight", QuietHours{Start: "18:00", End: "00:00"}, at(syd, 2026, 6, 3, 23, 59), syd, at(syd, 2026, 6, 4, 0, 0), true},
		{"days only: Saturday and Sunday", QuietHours{Days: []time.Weekday{time.Saturday, time.Sunday}}, at(syd, 2026, 6, 6, 10, 0), syd, at(syd, 2026, 6, 8, 0, 0), true},
		{"days only: weekday night is allowed", QuietHours{Days: []time.Weekday{time.Sunday}}, at(syd, 2026, 6, 3, 23, 0), syd, at(syd, 2026, 6, 3, 23, 0), false},
		{"six quiet days", QuietHours{Start: "20:00", End: "09:00", Days: []time.Weekday{0, 1, 2, 3, 4, 5}}, at(syd, 2026, 6, 7, 10, 0), syd, at(syd, 2026, 6, 13, 9, 0), true},
		{"no quiet hours at all", QuietHours{}, at(syd, 2026, 6, 7, 3, 0), syd, at(syd, 2026, 6, 7, 3, 0), false},
		{"invalid quiet hours never end", QuietHours{Start: "25:00", End: "09:00"}, at(syd, 2026, 6, 3, 15, 0), syd, time.Time{}, true},
		{"every day quiet never ends", QuietHours{Days: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}, at(syd, 2026, 6, 3, 15, 0), syd, time.Time{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, held := tc.q.NextAllowed(tc.t, tc.loc)
			require.Equal(t, tc.wantHeld, held)
			require.True(t, tc.want.Equal(got), "want %s, got %s", tc.want, got)
			if got.IsZero() {
				return
			}
			loc := tc.loc
			if loc == nil {
				loc = tc.t.Location()
			}
			require.Equal(t, loc, got.Location(), "the result is in the contact's zone")
			require.False(t, tc.q.Quiet(got, loc))
			require.Equal(t, held, tc.q.Quiet(tc.t, loc))
		})
	}
}

func TestQuietHoursValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		q       QuietHours
		wantErr []string
	}{
		{"defaults", Defaults().QuietHours, nil},
		{"no window, no days", QuietHours{}, nil},
		{"non-wrapping", QuietHours{Start: "12:00", End: "13:00"}, nil},
		{"bad start", QuietHours{Start: "8pm", End: "09:00"}, []string{`start: want HH:MM between 00:00 and 23:59, got "8pm"`}},
		{"hour out of range", QuietHours{Start: "20:00", End: "24:00"}, []string{`end: want HH:MM between 00:00 and 23:59, got "24:00"`}},
		{"minute out of range", QuietHours{Start: "20:60", End: "09:00"}, []string{`start: want HH:MM between 00:00 and 23:59, got "20:60"`}},
		{"single digit hour", QuietHours{Start: "20:00", End: "9:00"}, []string{`end: want HH:MM`}},
		{"both bad", QuietHours{Start: "x", End: "y"}, []string{`start: `, `end: `}},
		{"only start", QuietHours{Start: "20:00"}, []string{"start and end: set both"}},
		{"equal", QuietHours{Start: "09:00", End: "09:00"}, []string{`start and end: both are "09:00"`}},
		{"bad day", QuietHours{Days: []time.Weekday{7}}, []string{"days[0]: 7 is not a weekday"}},
		{"whole week", QuietHours{Days: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}, []string{"days: every day of the week is quiet"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.q.Validate()
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, want := range tc.wantErr {
				require.ErrorContains(t, err, want)
			}
		})
	}
}

func TestQuietHoursString(t *testing.T) {
	t.Parallel()
	require.Equal(t, "20:00–09:00 and all day Sunday", Defaults().QuietHours.String())
	require.Equal(t, "12:00–13:00", QuietHours{Start: "12:00", End: "13:00"}.String())
	require.Equal(t, "all day Saturday, Sunday", QuietHours{Days: []time.Weekday{time.Saturday, time.Sunday}}.String())
	require.Equal(t, "none", QuietHours{}.String())
}
