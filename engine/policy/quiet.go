package policy

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// QuietHours is when marketing is not sent, read in the contact's time zone:
// every day from Start to End (a window with Start after End runs across
// midnight), and all of each day in Days.
//
// The window is half-open: with "20:00"–"09:00", 19:59:59 and 09:00:00 are
// allowed, 20:00:00 and 08:59:59 are quiet. Leave Start and End both empty
// for no daily window (then only Days are quiet).
type QuietHours struct {
	// Start and End are wall-clock times, "HH:MM" on a 24-hour clock.
	Start, End string
	// Days are quiet from midnight to midnight.
	Days []time.Weekday
}

// quietRule is QuietHours parsed.
type quietRule struct {
	daily      bool
	start, end time.Duration // since midnight, wall clock
	days       [7]bool
}

func (q QuietHours) compile() (quietRule, error) {
	var r quietRule
	var errs []error
	switch {
	case q.Start == "" && q.End == "":
	case q.Start == "" || q.End == "":
		errs = append(errs, errors.New("start and end: set both, or leave both empty for no daily quiet window"))
	default:
		start, err := parseClock(q.Start)
		if err != nil {
			errs = append(errs, fmt.Errorf("start: %w", err))
		}
		end, err2 := parseClock(q.End)
		if err2 != nil {
			errs = append(errs, fmt.Errorf("end: %w", err2))
		}
		if err == nil && err2 == nil && start == end {
			errs = append(errs, fmt.Errorf("start and end: both are %q, which is no window; leave both empty for no daily quiet window", q.Start))
		}
		r.daily, r.start, r.end = true, start, end
	}
	for i, d := range q.Days {
		if d < time.Sunday || d > time.Saturday {
			errs = append(errs, fmt.Errorf("days[%d]: %d is not a weekday (0 = Sunday … 6 = Saturday)", i, int(d)))
			continue
		}
		r.days[d] = true
	}
	if r.allWeek() {
		errs = append(errs, errors.New("days: every day of the week is quiet, so no marketing could ever be sent"))
	}
	return r, errors.Join(errs...)
}

func (r quietRule) allWeek() bool {
	for _, quiet := range r.days {
		if !quiet {
			return false
		}
	}
	return true
}

// quietAt reports whether the wall clock of t (already in the contact's
// location) is quiet.
func (r quietRule) quietAt(t time.Time) bool {
	if r.days[t.Weekday()] {
		return true
	}
	if !r.daily {
		return false
	}
	h, m, s := t.Clock()
	tod := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
	if r.start < r.end {
		return tod >= r.start && tod < r.end
	}
	return tod >= r.start || tod < r.end
}

// parseClock reads "HH:MM" (00:00 to 23:59) as the time since midnight.
func parseClock(s string) (time.Duration, error) {
	bad := fmt.Errorf("want HH:MM between 00:00 and 23:59, got %q", s)
	if len(s) != 5 || s[2] != ':' {
		return 0, bad
	}
	digit := func(b byte) (int, bool) { return int(b - '0'), b >= '0' && b <= '9' }
	h1, ok1 := digit(s[0])
	h2, ok2 := digit(s[1])
	m1, ok3 := digit(s[3])
	m2, ok4 := digit(s[4])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return 0, bad
	}
	h, m := h1*10+h2, m1*10+m2
	if h > 23 || m > 59 {
		return 0, bad
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// Validate reports what is wrong with q; field names are relative to the
// quiet-hours block (start, end, days).
func (q QuietHours) Validate() error {
	_, err := q.compile()
	return err
}

// Quiet reports whether t is inside the quiet hours, read on the wall clock
// of loc (t's own location when loc is nil). Invalid quiet hours (see
// Validate) are quiet all the time, so a mistake holds marketing rather than
// sending it.
func (q QuietHours) Quiet(t time.Time, loc *time.Location) bool {
	r, err := q.compile()
	if err != nil {
		return true
	}
	if loc == nil {
		loc = t.Location()
	}
	return r.quietAt(t.In(loc))
}

// horizonDays bounds the search for the end of quiet hours: at most six
// whole quiet days in a row, plus the day it starts on and the daily window.
const horizonDays = 9

// NextAllowed returns the first instant at or after t that is not quiet, in
// loc (t's own location when loc is nil), and whether t itself was quiet
// (held). When t is not quiet it returns t, false.
//
// The search follows the wall clock of loc: a window across midnight, whole
// quiet days (Saturday 23:00 with Sunday quiet and 20:00–09:00 goes to
// Monday 09:00), and daylight-saving changes: when the end of the window
// falls in the hour skipped in spring the quiet hours end at the change
// itself, and when a wall time occurs twice in autumn the first occurrence
// counts.
//
// Invalid quiet hours (see Validate) never end: NextAllowed returns the zero
// time and true.
func (q QuietHours) NextAllowed(t time.Time, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = t.Location()
	}
	t = t.In(loc)
	r, err := q.compile()
	if err != nil {
		return time.Time{}, true
	}
	if !r.quietAt(t) {
		return t, false
	}
	// Quiet hours can only end at a wall time that is the end of the daily
	// window or a midnight, or at a change of UTC offset. Every instant that
	// shows one of those wall times, and every offset change, within the
	// horizon is a candidate; the earliest candidate that is not quiet is
	// the answer.
	var best time.Time
	consider := func(c time.Time) {
		c = c.In(loc)
		if c.Before(t) || r.quietAt(c) {
			return
		}
		if best.IsZero() || c.Before(best) {
			best = c
		}
	}
	y, m, d := t.Date()
	for k := range horizonDays {
		for _, c := range wallInstants(y, m, d+k, 0, loc) {
			consider(c)
		}
		if r.daily {
			for _, c := range wallInstants(y, m, d+k, r.end, loc) {
				consider(c)
			}
		}
	}
	limit := t.AddDate(0, 0, horizonDays+1)
	for u, i := t, 0; i < 64; i++ {
		_, end := u.ZoneBounds()
		if end.IsZero() || end.After(limit) || !end.After(u) {
			break
		}
		consider(end)
		u = end
	}
	return best, true
}

// wallInstants returns the instants that may show the wall time tod on the
// given date in loc: the one time.Date picks and, around an offset change,
// the same wall time read with the neighbouring offset (the first of two
// occurrences when clocks go back). Callers check what they need; an extra
// candidate is harmless.
func wallInstants(y int, m time.Month, d int, tod time.Duration, loc *time.Location) []time.Time {
	c := time.Date(y, m, d, int(tod/time.Hour), int(tod%time.Hour/time.Minute), 0, 0, loc)
	out := []time.Time{c}
	_, off := c.Zone()
	start, end := c.ZoneBounds()
	if !start.IsZero() {
		_, prev := start.Add(-time.Nanosecond).Zone()
		out = append(out, c.Add(time.Duration(off-prev)*time.Second))
	}
	if !end.IsZero() {
		_, next := end.Zone()
		out = append(out, c.Add(time.Duration(off-next)*time.Second))
	}
	return out
}

// String describes the quiet hours for a person: "20:00–09:00 and all day
// Sunday".
func (q QuietHours) String() string {
	var parts []string
	if q.Start != "" || q.End != "" {
		parts = append(parts, q.Start+"–"+q.End)
	}
	if len(q.Days) > 0 {
		names := make([]string, len(q.Days))
		for i, d := range q.Days {
			names[i] = d.String()
		}
		parts = append(parts, "all day "+strings.Join(names, ", "))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " and ")
}
