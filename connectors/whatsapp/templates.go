package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/event"
)

// placeholder matches {{1}} and {{customer_name}}.
var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// listedTemplate is one entry of GET /{waba_id}/message_templates.
type listedTemplate struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Language        string          `json:"language"`
	Category        string          `json:"category"`
	Status          string          `json:"status"`
	ParameterFormat string          `json:"parameter_format"`
	Components      json.RawMessage `json:"components"`
	QualityScore    *struct {
		Score string `json:"score"`
	} `json:"quality_score,omitempty"`
}

type templateComponent struct {
	Type    string `json:"type"`
	Format  string `json:"format"`
	Text    string `json:"text"`
	Buttons []struct {
		Type string `json:"type"`
		Text string `json:"text"`
		URL  string `json:"url"`
	} `json:"buttons"`
}

// shape is what a send must supply for one template.
type shape struct {
	headerFormat string   // TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION or ""
	headerNames  []string // placeholders of a text header
	bodyNames    []string
	// urlButtons maps a button index to its placeholder count.
	urlButtons map[int]int
}

func (s shape) buttonParams() int {
	n := 0
	for _, c := range s.urlButtons {
		n += c
	}
	return n
}

func (s shape) headerParams() int {
	switch s.headerFormat {
	case "", "TEXT":
		return len(s.headerNames)
	}
	return 1 // a media or location header takes one parameter
}

func distinctNames(text string) []string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	return names
}

// shapeOf reads a template's components; unknown components are ignored.
func shapeOf(components json.RawMessage) (shape, string, error) {
	s := shape{urlButtons: map[int]int{}}
	if len(components) == 0 {
		return s, "", nil
	}
	var cs []templateComponent
	if err := json.Unmarshal(components, &cs); err != nil {
		return s, "", fmt.Errorf("template components: %w", err)
	}
	var body string
	for _, c := range cs {
		switch strings.ToUpper(c.Type) {
		case "HEADER":
			s.headerFormat = strings.ToUpper(c.Format)
			if s.headerFormat == "" || s.headerFormat == "TEXT" {
				s.headerNames = distinctNames(c.Text)
			}
		case "BODY":
			body = c.Text
			s.bodyNames = distinctNames(c.Text)
		case "BUTTONS":
			for i, b := range c.Buttons {
				if strings.EqualFold(b.Type, "URL") {
					if n := len(distinctNames(b.URL)); n > 0 {
						s.urlButtons[i] = n
					}
				}
			}
		}
	}
	return s, body, nil
}

func fromListed(l listedTemplate, now time.Time) (connectors.Template, error) {
	t := connectors.Template{
		Connector: Name, ID: l.ID, Name: l.Name, Language: l.Language,
		Category: strings.ToUpper(l.Category), Status: strings.ToUpper(l.Status),
		ParameterFormat: strings.ToUpper(l.ParameterFormat), Components: l.Components, UpdatedAt: now,
	}
	if t.ParameterFormat == "" {
		t.ParameterFormat = "POSITIONAL"
	}
	if l.QualityScore != nil {
		t.Quality = l.QualityScore.Score
	}
	return withCounts(t)
}

func withCounts(t connectors.Template) (connectors.Template, error) {
	s, body, err := shapeOf(t.Components)
	if err != nil {
		return t, fmt.Errorf("template %s (%s): %w", t.Name, t.Language, err)
	}
	t.HeaderParams, t.BodyParams, t.ButtonParams, t.BodyText = s.headerParams(), len(s.bodyNames), s.buttonParams(), body
	return t, nil
}

type templateKey struct{ name, language string }

type registeredTemplate struct {
	connectors.Template
	shape shape
}

// registry is the connector's template cache: loaded from the store at
// start, replaced by each sync, patched by template status webhooks.
type registry struct {
	mu    sync.RWMutex
	byKey map[templateKey]*registeredTemplate
	sync  connectors.TemplateSync
	// loaded is set once the registry holds a sync's (or the store's) set.
	loaded bool
	// syncMu serializes syncs.
	syncMu sync.Mutex
}

func newRegistry() *registry {
	return &registry{byKey: map[templateKey]*registeredTemplate{}, sync: connectors.TemplateSync{NeverDone: true}}
}

func (r *registry) replace(ts []connectors.Template, at time.Time) {
	m := make(map[templateKey]*registeredTemplate, len(ts))
	for _, t := range ts {
		s, _, err := shapeOf(t.Components)
		if err != nil {
			continue
		}
		m[templateKey{t.Name, t.Language}] = &registeredTemplate{Template: t, shape: s}
	}
	r.mu.Lock()
	r.byKey, r.loaded = m, true
	r.sync = connectors.TemplateSync{At: at, Count: len(m), Error: r.sync.Error, ErrorAt: r.sync.ErrorAt}
	if !r.sync.ErrorAt.After(at) {
		r.sync.Error, r.sync.ErrorAt = "", time.Time{}
	}
	r.mu.Unlock()
}

func (r *registry) lookup(name, language string) (*registeredTemplate, []string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if t, ok := r.byKey[templateKey{name, language}]; ok {
		return t, nil, true
	}
	var langs []string
	for k := range r.byKey {
		if k.name == name {
			langs = append(langs, k.language)
		}
	}
	slices.Sort(langs)
	if language == "" && len(langs) == 1 {
		return r.byKey[templateKey{name, langs[0]}], nil, true
	}
	return nil, langs, false
}

func (r *registry) list() []connectors.Template {
	r.mu.RLock()
	out := make([]connectors.Template, 0, len(r.byKey))
	for _, t := range r.byKey {
		out = append(out, t.Template)
	}
	r.mu.RUnlock()
	slices.SortFunc(out, func(a, b connectors.Template) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Language, b.Language)
	})
	return out
}

func (r *registry) state() (connectors.TemplateSync, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.sync, r.loaded
}

func (r *registry) failed(err error, at time.Time) {
	r.mu.Lock()
	r.sync.Error, r.sync.ErrorAt = err.Error(), at
	r.mu.Unlock()
}

// Templates lists the registry (connectors.TemplateSource).
func (c *Connector) Templates() []connectors.Template { return c.templates.list() }

// SyncTemplates fetches every page of /{waba_id}/message_templates, replaces
// the registry and saves it in the template store.
func (c *Connector) SyncTemplates(ctx context.Context) (connectors.TemplateSync, error) {
	c.templates.syncMu.Lock()
	defer c.templates.syncMu.Unlock()
	ts, err := c.fetchTemplates(ctx)
	now := c.now()
	if err != nil {
		c.templates.failed(err, now)
		st, _ := c.templates.state()
		return st, err
	}
	if c.deps.Templates != nil {
		if err := c.deps.Templates.ReplaceTemplates(ctx, Name, ts, now); err != nil {
			err = fmt.Errorf("whatsapp: save templates: %w", err)
			c.templates.failed(err, now)
			st, _ := c.templates.state()
			return st, err
		}
	}
	c.templates.replace(ts, now)
	st, _ := c.templates.state()
	return st, nil
}

// maxTemplatePages bounds a sync (a WABA holds at most 250 templates).
const maxTemplatePages = 100

func (c *Connector) fetchTemplates(ctx context.Context) ([]connectors.Template, error) {
	if c.cfg.WABAID == "" || c.cfg.AccessToken == "" {
		return nil, errors.New("whatsapp: template sync needs connectors.whatsapp.waba_id and access_token")
	}
	next := c.url(c.cfg.WABAID+"/message_templates") + "?" + url.Values{
		"limit":  {"100"},
		"fields": {"id,name,language,category,status,parameter_format,components,quality_score"},
	}.Encode()
	var out []connectors.Template
	now := c.now()
	for page := 0; next != ""; page++ {
		if page == maxTemplatePages {
			return nil, fmt.Errorf("whatsapp: template list has more than %d pages", maxTemplatePages)
		}
		var body struct {
			Data   []listedTemplate `json:"data"`
			Paging struct {
				Next string `json:"next"`
			} `json:"paging"`
		}
		if err := c.api.get(ctx, c, next, &body); err != nil {
			return nil, fmt.Errorf("whatsapp: list templates: %w", err)
		}
		for _, l := range body.Data {
			t, err := fromListed(l, now)
			if err != nil {
				return nil, fmt.Errorf("whatsapp: list templates: %w", err)
			}
			out = append(out, t)
		}
		next = body.Paging.Next
		if next != "" && !strings.HasPrefix(next, c.cfg.BaseURL) {
			// The next link must stay on the configured host: it carries
			// the access token.
			u, err := url.Parse(next)
			if err != nil {
				return nil, fmt.Errorf("whatsapp: list templates: bad next link: %w", err)
			}
			next = strings.TrimRight(c.cfg.BaseURL, "/") + u.RequestURI()
		}
	}
	return out, nil
}

// loadTemplates fills the registry from the template store.
func (c *Connector) loadTemplates(ctx context.Context) error {
	if c.deps.Templates == nil {
		return nil
	}
	ts, at, err := c.deps.Templates.LoadTemplates(ctx, Name)
	if err != nil {
		return fmt.Errorf("whatsapp: load templates: %w", err)
	}
	if at.IsZero() {
		return nil
	}
	for i := range ts {
		if ts[i], err = withCounts(ts[i]); err != nil {
			return err
		}
	}
	c.templates.replace(ts, at)
	return nil
}

// Observe keeps the registry in step with template.status_changed
// (connectors.Observer): the status (and category, when given) change at
// once, then a sync picks up everything else.
func (c *Connector) Observe(ctx context.Context, ev *event.Event) error {
	switch ev.Type {
	case event.TemplateStatusChanged:
	case typePrefix + "message_template_quality_update", typePrefix + "template_category_update":
		c.observeTemplateUpdate(ev)
		return nil
	default:
		return nil
	}
	name, _ := ev.Data["message_template_name"].(string)
	lang, _ := ev.Data["message_template_language"].(string)
	status, _ := ev.Data["event"].(string)
	category, _ := ev.Data["message_template_category"].(string)
	reason, _ := ev.Data["reason"].(string)
	c.templates.mu.Lock()
	if t, ok := c.templates.byKey[templateKey{name, lang}]; ok && status != "" {
		t.Status, t.Reason, t.UpdatedAt = strings.ToUpper(status), reason, c.now()
		if category != "" {
			t.Category = strings.ToUpper(category)
		}
	}
	c.templates.mu.Unlock()
	if c.cfg.WABAID == "" || c.cfg.AccessToken == "" {
		return nil
	}
	if _, err := c.SyncTemplates(ctx); err != nil {
		// The status is already applied; the next sync (on demand or at
		// start) catches up. Failing here would redeliver the event
		// forever while Meta is unreachable.
		c.log.Warn("template sync after a status change failed", "template", name, "language", lang, "err", err)
	}
	return nil
}

// observeTemplateUpdate keeps Meta's quality and category updates on the
// template record (message_template_quality_update: new_quality_score;
// template_category_update: new_category).
func (c *Connector) observeTemplateUpdate(ev *event.Event) {
	v, _ := ev.Data["value"].(map[string]any)
	if v == nil {
		return
	}
	name, _ := v["message_template_name"].(string)
	lang, _ := v["message_template_language"].(string)
	quality, _ := v["new_quality_score"].(string)
	category, _ := v["new_category"].(string)
	c.templates.mu.Lock()
	defer c.templates.mu.Unlock()
	t, ok := c.templates.byKey[templateKey{name, lang}]
	if !ok {
		return
	}
	if quality != "" {
		t.Quality = strings.ToUpper(quality)
	}
	if category != "" {
		t.Category = strings.ToUpper(category)
	}
	t.UpdatedAt = c.now()
}
