package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/config"
	"github.com/switchboardhq/switchboard/connectors/whatsapp"
	"github.com/switchboardhq/switchboard/internal/diag"
	"github.com/switchboardhq/switchboard/pipelines"
	"github.com/switchboardhq/switchboard/store"
)

// templateFindings warns about pipeline steps naming WhatsApp templates that
// the last template sync did not find (or found but not approved). It reads
// the store's copy of the registry without creating or migrating anything;
// when there is none it says so once.
func templateFindings(ctx context.Context, cfg *config.Config, ps []*pipelines.Pipeline) diag.Diagnostics {
	if _, ok := cfg.Connectors[whatsapp.Name]; !ok {
		return nil
	}
	type use struct {
		p        *pipelines.Pipeline
		s        *pipelines.Step
		name     string
		language string
	}
	var uses []use
	for _, p := range ps {
		for _, s := range p.Steps {
			var path []string
			switch s.Action {
			case whatsapp.ActionSendTemplate:
			case whatsapp.ActionSendText, whatsapp.ActionSendInteractive:
				path = []string{"fallback_template"}
			default:
				continue
			}
			name, ok := s.Literal(append(path, "template")...)
			if !ok {
				continue // computed at run time: checked before each send
			}
			lang, _ := s.Literal(append(path, "language")...)
			n, _ := name.(string)
			l, _ := lang.(string)
			uses = append(uses, use{p, s, n, l})
		}
	}
	if len(uses) == 0 {
		return nil
	}
	warn := func(file string, line int, msg string) diag.Diagnostic {
		return diag.Diagnostic{File: file, Line: line, Msg: msg, Warning: true}
	}
	ts, at, err := readTemplates(ctx, cfg)
	if err != nil || at.IsZero() {
		why := "no template sync has run yet (serve syncs at start; or POST /v1/templates/sync)"
		if err != nil {
			why = "the template registry could not be read: " + err.Error()
		}
		return diag.Diagnostics{warn(cfg.File, 0, "whatsapp templates not checked: "+why)}
	}
	byKey := map[[2]string]store.Template{}
	langs := map[string][]string{}
	for _, t := range ts {
		byKey[[2]string{t.Name, t.Language}] = t
		langs[t.Name] = append(langs[t.Name], t.Language)
	}
	var out diag.Diagnostics
	synced := at.UTC().Format(time.RFC3339)
	for _, u := range uses {
		file := u.p.File
		if dir := filepath.Dir(cfg.File); cfg.File != "" && dir != "." && !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		ls := langs[u.name]
		switch {
		case len(ls) == 0:
			out = append(out, warn(file, u.s.Line, fmt.Sprintf("step %s: template %q was not found by the last sync (%s)", u.s.ID, u.name, synced)))
		case u.language == "" && len(ls) > 1:
			out = append(out, warn(file, u.s.Line, fmt.Sprintf("step %s: template %q has several languages (%v): set language", u.s.ID, u.name, ls)))
		default:
			lang := u.language
			if lang == "" {
				lang = ls[0]
			}
			t, ok := byKey[[2]string{u.name, lang}]
			if !ok {
				out = append(out, warn(file, u.s.Line, fmt.Sprintf("step %s: template %q has no %s translation in the last sync (it has %v)", u.s.ID, u.name, lang, ls)))
			} else if t.Status != "APPROVED" {
				out = append(out, warn(file, u.s.Line, fmt.Sprintf("step %s: template %q (%s) is %s, not APPROVED: its sends will be blocked", u.s.ID, u.name, lang, t.Status)))
			} else if t.Category == "MARKETING" {
				for _, msg := range marketingFindings(t, cfg.Policy.SenderNames) {
					out = append(out, warn(file, u.s.Line, fmt.Sprintf("step %s: marketing template %q (%s) %s", u.s.ID, u.name, lang, msg)))
				}
			}
		}
	}
	return out
}

// readTemplates reads the WhatsApp templates of the last sync from the
// configured store, if it exists.
func readTemplates(ctx context.Context, cfg *config.Config) ([]store.Template, time.Time, error) {
	if cfg.Store.Driver == store.SQLite && cfg.Store.DSN == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "switchboard.db")); errors.Is(err, os.ErrNotExist) {
			return nil, time.Time{}, nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := store.Open(ctx, store.Options{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN, DataDir: cfg.DataDir})
	if err != nil {
		return nil, time.Time{}, err
	}
	defer func() { _ = st.Close() }()
	if v, err := st.MigrationVersion(ctx); err != nil || v < 2 {
		return nil, time.Time{}, nil
	}
	return st.LoadTemplates(ctx, whatsapp.Name)
}

// optOutWords is what counts as an unsubscribe instruction in a template.
var optOutWords = regexp.MustCompile(`(?i)\b(stop|unsubscribe|opt[ -]?out)\b`)

// marketingFindings checks a marketing template for what the Spam Act
// asks of every commercial message: a functional unsubscribe and the
// sender's identity.
func marketingFindings(t store.Template, senders []string) []string {
	var cs []struct {
		Text    string `json:"text"`
		Buttons []struct {
			Text string `json:"text"`
		} `json:"buttons"`
	}
	_ = json.Unmarshal(t.Components, &cs)
	var text strings.Builder
	for _, c := range cs {
		text.WriteString(c.Text + "\n")
		for _, b := range c.Buttons {
			text.WriteString(b.Text + "\n")
		}
	}
	all := text.String()
	var out []string
	if !optOutWords.MatchString(all) {
		out = append(out, "has no opt-out instruction (the Spam Act requires a functional unsubscribe: add \"Reply STOP to opt out\" or a Stop button)")
	}
	if len(senders) == 0 {
		out = append(out, "cannot be checked for sender identification: set policy.sender_names to the business's names")
	} else if !slices.ContainsFunc(senders, func(n string) bool { return strings.Contains(strings.ToLower(all), strings.ToLower(n)) }) {
		out = append(out, "does not name the sender ("+strings.Join(senders, ", ")+"): the Spam Act requires the business to identify itself")
	}
	return out
}
