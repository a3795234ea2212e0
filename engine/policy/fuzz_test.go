package policy

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		"STOP", "stop.", "¡Stop!", "STOP 🛑", "ＳＴＯＰ", "UNSUBSCRİBE", "unsubscrıbe",
		"opt-out", "OPT   OUT", "Start", "UNSTOP", "help?", "Dezabonare",
		"please stop sending", "STOP STOP", "\ufeffST\u200bOP", "ST\xffOP", "", " ", "?!",
		"\u0130", "ß", "ǅ", "\u3000", "🙏🏽",
	} {
		f.Add(s)
	}
	k := DefaultKeywords()
	f.Fuzz(func(t *testing.T, text string) {
		kind, word := k.Match(text)
		switch kind {
		case KindNone:
			if word != "" {
				t.Fatalf("Match(%q) = none with word %q", text, word)
			}
		case KindStop, KindStart, KindHelp:
			var of []string
			for _, g := range k.groups() {
				if g.kind == kind {
					of = append(of, g.words...)
				}
			}
			if !slices.Contains(of, word) {
				t.Fatalf("Match(%q) = %s %q, not a configured %s word", text, kind, word, kind)
			}
			if normalizeKeyword(text) != normalizeKeyword(word) {
				t.Fatalf("Match(%q) = %q, but they normalise to %q and %q", text, word, normalizeKeyword(text), normalizeKeyword(word))
			}
		default:
			t.Fatalf("Match(%q) = unknown kind %d", text, kind)
		}
		// Surrounding space and punctuation never change the answer; an
		// extra word always makes it a sentence.
		if k2, w2 := k.Match(" \t" + text + " !"); k2 != kind || w2 != word {
			t.Fatalf("Match(%q) = %s %q, but with space and punctuation %s %q", text, kind, word, k2, w2)
		}
		if k2, _ := k.Match(text + " please"); k2 != KindNone {
			t.Fatalf("Match(%q + \" please\") = %s", text, k2)
		}
		if norm := normalizeKeyword(text); norm != normalizeKeyword(norm) {
			t.Fatalf("normalising %q is not idempotent: %q then %q", text, norm, normalizeKeyword(norm))
		}
		if strings.Contains(normalizeKeyword(text), "  ") {
			t.Fatalf("normalising %q left a double space", text)
		}
	})
}

func FuzzNextAllowed(f *testing.F) {
	syd := time.Date(2026, 10, 3, 21, 0, 0, 0, time.UTC).Unix()
	f.Add(syd, uint16(20*60), uint16(9*60), uint8(1), uint8(0))              // defaults, DST start weekend
	f.Add(int64(1806508800), uint16(22*60), uint16(150), uint8(0), uint8(0)) // end inside the repeated hour
	f.Add(int64(0), uint16(12*60), uint16(13*60), uint8(0), uint8(3))
	f.Add(int64(-1), uint16(0), uint16(0), uint8(0x7f), uint8(5))
	zones := make([]*time.Location, len(propertyZones))
	for i, z := range propertyZones {
		zones[i] = mustLoad(f, z)
	}
	f.Fuzz(func(t *testing.T, unix int64, start, end uint16, days, zone uint8) {
		// Any instant from 1900 to 2200.
		const span = 300 * 365 * 24 * 3600
		from := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		at := time.Unix(from+((unix%span)+span)%span, unix&0x3fffffff)
		loc := zones[int(zone)%len(zones)]

		var q QuietHours
		if s, e := int(start)%(24*60), int(end)%(24*60); s != e {
			q.Start, q.End = clock(s), clock(e)
		}
		for d := range 7 {
			if days&(1<<d) != 0 && d != int(zone)%7 { // never all seven
				q.Days = append(q.Days, time.Weekday(d))
			}
		}
		r, err := q.compile()
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}

		got, held := q.NextAllowed(at, loc)
		if held != r.quietAt(at.In(loc)) {
			t.Fatalf("%+v at %s in %s: held = %v", q, at, loc, held)
		}
		if got.IsZero() || got.Before(at) || r.quietAt(got.In(loc)) {
			t.Fatalf("%+v at %s in %s: NextAllowed = %s, which is zero, earlier or quiet", q, at, loc, got)
		}
		if !held && !got.Equal(at) {
			t.Fatalf("%+v at %s in %s: not held but moved to %s", q, at, loc, got)
		}
		if held {
			if earlier, ok := firstAllowedBySteps(r, at, got, loc); ok {
				t.Fatalf("%+v at %s in %s: NextAllowed = %s, but %s is allowed", q, at, loc, got, earlier)
			}
		}
	})
}
