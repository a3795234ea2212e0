package policy

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// Kind is what an inbound keyword asks for.
type Kind int

// Keyword kinds.
const (
	// KindNone: the message is not a keyword.
	KindNone Kind = iota
	// KindStop: opt out (STOP, UNSUBSCRIBE, OPT OUT, CANCEL).
	KindStop
	// KindStart: opt back in (START, UNSTOP).
	KindStart
	// KindHelp: ask how to get help and how to opt out (HELP).
	KindHelp
)

func (k Kind) String() string {
	switch k {
	case KindStop:
		return "stop"
	case KindStart:
		return "start"
	case KindHelp:
		return "help"
	}
	return "none"
}

// KeywordSet is one group of keywords, by what they ask for.
type KeywordSet struct {
	Stop, Start, Help []string
}

// Keywords are the words that, as a whole inbound message, opt out, opt in
// or ask for help. The base set applies to everyone; Languages adds words
// per language (keyed by a tag such as "ro"), and every language's words are
// recognised from every contact, since an inbound message does not say its
// language.
type Keywords struct {
	Stop, Start, Help []string
	// Languages adds words in other languages.
	Languages map[string]KeywordSet
}

// DefaultKeywords returns STOP, UNSUBSCRIBE, OPT OUT and CANCEL (opt out),
// START and UNSTOP (opt in), HELP, and the Romanian DEZABONARE (opt out).
func DefaultKeywords() Keywords {
	return Keywords{
		Stop:  []string{"STOP", "UNSUBSCRIBE", "OPT OUT", "CANCEL"},
		Start: []string{"START", "UNSTOP"},
		Help:  []string{"HELP"},
		Languages: map[string]KeywordSet{
			"ro": {Stop: []string{"STOP", "DEZABONARE"}},
		},
	}
}

// keywordGroup is one configured list, with where it sits in the config.
type keywordGroup struct {
	field string
	kind  Kind
	words []string
}

// groups lists k's words in matching order: opt-out before opt-in before
// help, the base set before languages in tag order, so a word configured
// under two kinds (which Validate rejects) opts out.
func (k Keywords) groups() []keywordGroup {
	tags := slices.Sorted(maps.Keys(k.Languages))
	out := make([]keywordGroup, 0, 3*(1+len(tags)))
	add := func(prefix string, s KeywordSet) {
		out = append(out,
			keywordGroup{prefix + "stop", KindStop, s.Stop},
			keywordGroup{prefix + "start", KindStart, s.Start},
			keywordGroup{prefix + "help", KindHelp, s.Help})
	}
	add("", KeywordSet{Stop: k.Stop, Start: k.Start, Help: k.Help})
	for _, tag := range tags {
		add("languages."+tag+".", k.Languages[tag])
	}
	slices.SortStableFunc(out, func(a, b keywordGroup) int { return int(a.kind) - int(b.kind) })
	return out
}

// Match reports whether text, as a whole, is one of the keywords, and which
// configured word it matched.
//
// Both sides are normalised the same way: full-width forms read as their
// ASCII letters; invisible format characters (zero-width spaces, joiners,
// byte-order marks) are dropped; leading and trailing whitespace,
// punctuation, symbols and emoji are trimmed ("STOP.", "¡stop!", "STOP 🛑");
// dashes and underscores inside count as spaces and runs of whitespace as
// one ("opt-out", "OPT   OUT"); and letters compare case-insensitively in
// every script, with the Turkish dotted İ and dotless ı read as i. Accents
// are part of a word (configure "ARRÊT" and "ARRET" to accept both).
// Anything more is not a keyword: "please stop sending" is KindNone.
//
// Opt-out words are tried first, then opt-in, then help.
func (k Keywords) Match(text string) (Kind, string) {
	norm := normalizeKeyword(text)
	if norm == "" {
		return KindNone, ""
	}
	for _, g := range k.groups() {
		for _, w := range g.words {
			if normalizeKeyword(w) == norm {
				return g.kind, w
			}
		}
	}
	return KindNone, ""
}

// Validate reports empty words, words that normalise to nothing, words
// configured under two kinds, and a configuration without any opt-out word.
func (k Keywords) Validate() error {
	var errs []error
	seen := map[string]string{} // normalised word -> field of its first use
	kindOf := map[string]Kind{}
	stops := 0
	for _, tag := range slices.Sorted(maps.Keys(k.Languages)) {
		if strings.TrimSpace(tag) == "" {
			errs = append(errs, errors.New(`languages: a language tag is empty`))
		}
	}
	for _, g := range k.groups() {
		for i, w := range g.words {
			field := fmt.Sprintf("%s[%d]", g.field, i)
			norm := normalizeKeyword(w)
			if norm == "" {
				errs = append(errs, fmt.Errorf("%s: %q has no letters or digits to match", field, w))
				continue
			}
			if g.kind == KindStop {
				stops++
			}
			if first, ok := seen[norm]; ok && kindOf[norm] != g.kind {
				errs = append(errs, fmt.Errorf("%s: %q is already a %s keyword at %s", field, w, kindOf[norm], first))
				continue
			}
			if _, ok := seen[norm]; !ok {
				seen[norm], kindOf[norm] = field, g.kind
			}
		}
	}
	if stops == 0 {
		errs = append(errs, errors.New("stop: no opt-out keyword; at least one is required so people can unsubscribe"))
	}
	return errors.Join(errs...)
}

// normalizeKeyword is the form in which texts and keywords are compared; see
// Keywords.Match.
func normalizeKeyword(s string) string {
	s = strings.TrimFunc(s, trimmable)
	var b strings.Builder
	space := false
	for _, r := range s {
		r = narrow(r)
		switch {
		case invisible(r):
			continue
		case unicode.IsSpace(r) || unicode.In(r, unicode.Pd, unicode.Pc):
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(fold(r))
	}
	return b.String()
}

// trimmable runes are dropped from both ends of a message: whitespace,
// punctuation, symbols (emoji among them, and the replacement character
// that stands for invalid UTF-8), controls, invisible format characters,
// and the marks that only decorate emoji.
func trimmable(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) ||
		unicode.IsControl(r) || invisible(r) || unicode.Is(unicode.Me, r)
}

// invisible runes are dropped everywhere: format characters (zero-width
// space and joiners, the byte-order mark, direction marks) and variation
// selectors.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r)
}

// narrow maps the full-width forms of ASCII (U+FF01–U+FF5E, as East Asian
// keyboards type them) to ASCII and the ideographic space to a space.
func narrow(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFF01 + '!'
	case r == '\u3000':
		return ' '
	}
	return r
}

// fold maps every case variant of a letter to one form: lower case of upper
// case, which also sends the Turkish İ and ı, the long s and the final sigma
// to i, s and σ.
func fold(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }
