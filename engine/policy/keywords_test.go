package policy

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestKeywordsMatch(t *testing.T) {
	t.Parallel()
	k := DefaultKeywords()
	tests := []struct {
		name     string
		text     string
		wantKind Kind
		wantWord string
	}{
		{"upper case", "STOP", KindStop, "STOP"},
		{"title case", "Stop", KindStop, "STOP"},
		{"lower case", "stop", KindStop, "STOP"},
		{"trailing full stop", "STOP.", KindStop, "STOP"},
		{"exclamation", "stop!", KindStop, "STOP"},
		{"several marks and spaces", "  stop!!!  ", KindStop, "STOP"},
		{"Spanish inverted marks", "¡Stop!", KindStop, "STOP"},
		{"quoted", `"STOP"`, KindStop, "STOP"},
		{"emoji after", "STOP 🛑", KindStop, "STOP"},
		{"emoji with variation selector and skin tone", "stop ✋🏽 ✌️", KindStop, "STOP"},
		{"newline and tab", "\n\tSTOP\r\n", KindStop, "STOP"},
		{"zero-width space and BOM", "\ufeffST\u200bOP\u200b", KindStop, "STOP"},
		{"no-break space around", "\u00a0STOP\u00a0", KindStop, "STOP"},
		{"full-width letters", "ＳＴＯＰ", KindStop, "STOP"},
		{"full-width with ideographic space and mark", "\u3000ｓｔｏｐ！", KindStop, "STOP"},
		{"unsubscribe", "Unsubscribe", KindStop, "UNSUBSCRIBE"},
		{"Turkish dotted capital I", "UNSUBSCRİBE", KindStop, "UNSUBSCRIBE"},
		{"Turkish dotless small i", "unsubscrıbe", KindStop, "UNSUBSCRIBE"},
		{"two words", "opt out", KindStop, "OPT OUT"},
		{"two words, collapsed whitespace", "OPT \t\n  OUT", KindStop, "OPT OUT"},
		{"hyphenated", "Opt-Out", KindStop, "OPT OUT"},
		{"en dash", "opt–out", KindStop, "OPT OUT"},
		{"underscore", "opt_out", KindStop, "OPT OUT"},
		{"cancel", "cancel", KindStop, "CANCEL"},
		{"start", "Start", KindStart, "START"},
		{"unstop", "UNSTOP.", KindStart, "UNSTOP"},
		{"help", "help?", KindHelp, "HELP"},
		{"Romanian", "Dezabonare", KindStop, "DEZABONARE"},

		{"a sentence", "please stop sending", KindNone, ""},
		{"two keywords", "STOP STOP", KindNone, ""},
		{"keyword and more", "stop it", KindNone, ""},
		{"glued words", "optout", KindNone, ""},
		{"spaced letters", "S T O P", KindNone, ""},
		{"inner punctuation", "st.op", KindNone, ""},
		{"longer word", "stopped", KindNone, ""},
		{"prefix", "sto", KindNone, ""},
		{"Cyrillic look-alike", "SТОР", KindNone, ""}, // Т, О, Р are Cyrillic
		{"empty", "", KindNone, ""},
		{"only punctuation", "?!", KindNone, ""},
		{"only whitespace", " \t\n", KindNone, ""},
		{"invalid UTF-8 inside", "ST\xffOP", KindNone, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			kind, word := k.Match(tc.text)
			require.Equal(t, tc.wantKind, kind)
			require.Equal(t, tc.wantWord, word)
		})
	}
}

func TestKeywordsMatchConfigured(t *testing.T) {
	t.Parallel()
	k := Keywords{
		Stop:  []string{"arrêt"},
		Start: []string{"Ｊoin"},
		Help:  []string{"info"},
		Languages: map[string]KeywordSet{
			"el": {Stop: []string{"ΔΙΑΚΟΠΗ"}},
			"de": {Help: []string{"HILFE"}},
		},
	}
	for text, want := range map[string]Kind{
		"ARRÊT":   KindStop,
		"Arrêt !": KindStop,
		"arret":   KindNone, // accents are part of the word
		"join":    KindStart,
		"Info.":   KindHelp,
		"διακοπη": KindStop,
		"διακοπή": KindNone, // the tonos is part of the word
		"ΔΙΑΚΟΠΗ": KindStop,
		"Hilfe":   KindHelp,
		"stop":    KindNone, // not configured here
	} {
		kind, _ := k.Match(text)
		require.Equal(t, want, kind, "%q", text)
	}
}

func TestKeywordsMatchPrefersStop(t *testing.T) {
	t.Parallel()
	// Validate rejects this; Match still resolves it towards opting out.
	k := Keywords{Start: []string{"END"}, Languages: map[string]KeywordSet{"xx": {Stop: []string{"end"}}}}
	kind, word := k.Match("End")
	require.Equal(t, KindStop, kind)
	require.Equal(t, "end", word)
}

func TestKeywordsValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		k       Keywords
		wantErr []string
	}{
		{"defaults", DefaultKeywords(), nil},
		{"same word twice under one kind", Keywords{Stop: []string{"STOP", "stop"}}, nil},
		{"no stop word", Keywords{Start: []string{"START"}}, []string{"stop: no opt-out keyword"}},
		{"empty word", Keywords{Stop: []string{"STOP", " "}}, []string{`stop[1]: " " has no letters or digits`}},
		{"punctuation only", Keywords{Stop: []string{"STOP"}, Help: []string{"?"}}, []string{`help[0]: "?" has no letters or digits`}},
		{"word under two kinds", Keywords{Stop: []string{"STOP"}, Start: []string{"Stop!"}}, []string{`start[0]: "Stop!" is already a stop keyword at stop[0]`}},
		{"conflict across languages", Keywords{
			Stop:      []string{"STOP"},
			Languages: map[string]KeywordSet{"ro": {Help: []string{"stop"}}},
		}, []string{`languages.ro.help[0]: "stop" is already a stop keyword at stop[0]`}},
		{"empty language tag", Keywords{Stop: []string{"STOP"}, Languages: map[string]KeywordSet{"": {}}}, []string{"languages: a language tag is empty"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.k.Validate()
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

func TestKindString(t *testing.T) {
	t.Parallel()
	require.Equal(t, "stop", KindStop.String())
	require.Equal(t, "start", KindStart.String())
	require.Equal(t, "help", KindHelp.String())
	require.Equal(t, "none", KindNone.String())
}
