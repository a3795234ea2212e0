package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/switchboardhq/switchboard/connectors"
)

// ConnectorInfo is one registered connector as GET /v1/connectors shows it.
type ConnectorInfo struct {
	Name string
	// Mode is "live" or "sandbox".
	Mode      string
	Connector connectors.Connector
}

// Webhook refusal reasons, as counted and shown.
const (
	refusedBadSignature     = "bad_signature"
	refusedMissingSignature = "missing_signature"
	refusedStale            = "stale"
	refusedWrongVerifyToken = "wrong_verify_token"
	refusedUnparseable      = "unparseable"
)

// refusalHints says what to check for each refusal reason; it is logged
// the first time a connector refuses for that reason.
var refusalHints = map[string]string{
	refusedBadSignature:     "the provider's signature does not match: check that the connector's secret (for WhatsApp connectors.whatsapp.app_secret, the App Secret under App settings > Basic) is the one the provider signs with, and that no proxy rewrites the body",
	refusedMissingSignature: "the request carries no signature header: check that the webhook URL is the provider's own subscription and not a test tool, and that no proxy strips headers",
	refusedStale:            "the delivery's timestamp is outside the replay window: check the clocks, or whether an old delivery is being replayed",
	refusedWrongVerifyToken: "the GET handshake's verify token does not match: set the same Verify token in the provider's webhook settings and in the connector's verify_token",
	refusedUnparseable:      "the body is not the provider's JSON: check that the webhook subscribes to the right object and field",
}

// webhookStats tracks one connector's inbound side.
type webhookStats struct {
	LastReceivedAt *time.Time     `json:"last_received_at,omitempty"`
	LastRefusal    *refusal       `json:"last_refusal,omitempty"`
	Refused        map[string]int `json:"refused,omitempty"`
	Received       int            `json:"received"`
}

type refusal struct {
	At      time.Time `json:"at"`
	Reason  string    `json:"reason"`
	Message string    `json:"message"`
	Hint    string    `json:"hint"`
}

type webhookTracker struct {
	mu     sync.Mutex
	stats  map[string]*webhookStats
	logged map[string]bool
}

func (w *webhookTracker) get(name string) *webhookStats {
	st, ok := w.stats[name]
	if !ok {
		st = &webhookStats{Refused: map[string]int{}}
		w.stats[name] = st
	}
	return st
}

func (w *webhookTracker) received(name string, at time.Time) {
	w.mu.Lock()
	st := w.get(name)
	st.LastReceivedAt, st.Received = &at, st.Received+1
	w.mu.Unlock()
}

// refused records a refusal and reports whether it is the first for this
// connector and reason (to be logged).
func (w *webhookTracker) refused(name, reason, msg string, at time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.get(name)
	st.Refused[reason]++
	st.LastRefusal = &refusal{At: at, Reason: reason, Message: msg, Hint: refusalHints[reason]}
	key := name + "\x00" + reason
	first := !w.logged[key]
	w.logged[key] = true
	return first
}

func (w *webhookTracker) snapshot(name string) webhookStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.get(name)
	out := *st
	if st.LastRefusal != nil {
		r := *st.LastRefusal
		out.LastRefusal = &r
	}
	out.Refused = make(map[string]int, len(st.Refused))
	for k, v := range st.Refused {
		out.Refused[k] = v
	}
	return out
}

// refuse counts, logs (once per connector and reason) and answers a refused
// webhook request.
func (s *Server) refuse(c *gin.Context, name, reason string, status int, code string, err error, field string) {
	s.metrics.EventsRejected.WithLabelValues(name, reason).Inc()
	s.metrics.WebhooksRefused.WithLabelValues(name, reason).Inc()
	if s.webhooks.refused(name, reason, err.Error(), time.Now().UTC()) {
		s.log.Warn("webhook refused; later refusals for this reason are counted in switchboard_webhooks_refused_total and shown in GET /v1/connectors",
			"connector", name, "reason", reason, "err", err, "check", refusalHints[reason])
	}
	abortError(c, status, code, err.Error(), field)
}

type connectorView struct {
	Name              string                    `json:"name"`
	Mode              string                    `json:"mode"`
	Inbound           bool                      `json:"inbound"`
	Actions           []string                  `json:"actions"`
	Webhook           *webhookStats             `json:"webhook,omitempty"`
	Degraded          bool                      `json:"degraded"`
	Reason            string                    `json:"reason,omitempty"`
	LastOutboundError *connectors.OutboundError `json:"last_outbound_error,omitempty"`
	TemplateSync      *connectors.TemplateSync  `json:"template_sync,omitempty"`
	Details           map[string]any            `json:"details,omitempty"`
}

func (s *Server) view(ci ConnectorInfo) connectorView {
	v := connectorView{Name: ci.Name, Mode: ci.Mode, Actions: []string{}}
	for _, a := range ci.Connector.Actions() {
		v.Actions = append(v.Actions, a.Spec().Name)
	}
	if _, ok := ci.Connector.(connectors.Inbound); ok {
		v.Inbound = true
		st := s.webhooks.snapshot(ci.Name)
		v.Webhook = &st
	}
	if hr, ok := ci.Connector.(connectors.HealthReporter); ok {
		h := hr.Health()
		v.Degraded, v.Reason, v.LastOutboundError, v.Details = h.Degraded, h.Reason, h.LastError, h.Details
		if ts, ok := h.Details["template_sync"].(connectors.TemplateSync); ok {
			v.TemplateSync = &ts
			delete(v.Details, "template_sync")
		}
	}
	return v
}

// listConnectors is GET /v1/connectors.
func (s *Server) listConnectors(c *gin.Context) {
	out := make([]connectorView, 0, len(s.opts.Connectors))
	for _, ci := range s.opts.Connectors {
		out = append(out, s.view(ci))
	}
	c.JSON(http.StatusOK, gin.H{"connectors": out})
}

// degraded lists connectors that report Degraded, with their reasons.
func (s *Server) degraded() map[string]string {
	out := map[string]string{}
	for _, ci := range s.opts.Connectors {
		if hr, ok := ci.Connector.(connectors.HealthReporter); ok {
			if h := hr.Health(); h.Degraded {
				out[ci.Name] = h.Reason
			}
		}
	}
	return out
}

func (s *Server) templateSources(name string) []ConnectorInfo {
	var out []ConnectorInfo
	for _, ci := range s.opts.Connectors {
		if _, ok := ci.Connector.(connectors.TemplateSource); ok && (name == "" || name == ci.Name) {
			out = append(out, ci)
		}
	}
	return out
}

// listTemplates is GET /v1/templates[?connector=&status=].
func (s *Server) listTemplates(c *gin.Context) {
	name, status := c.Query("connector"), c.Query("status")
	srcs := s.templateSources(name)
	if name != "" && len(srcs) == 0 {
		abortError(c, http.StatusNotFound, codeNoSuchConnect, "no connector "+strconv.Quote(name)+" with templates", "connector")
		return
	}
	out := []connectors.Template{}
	syncs := map[string]any{}
	for _, ci := range srcs {
		ts := ci.Connector.(connectors.TemplateSource)
		for _, t := range ts.Templates() {
			if status == "" || t.Status == status {
				t.Components = nil
				out = append(out, t)
			}
		}
		if hr, ok := ci.Connector.(connectors.HealthReporter); ok {
			syncs[ci.Name] = hr.Health().Details["template_sync"]
		}
	}
	slices.SortStableFunc(out, func(a, b connectors.Template) int {
		if a.Connector != b.Connector {
			if a.Connector < b.Connector {
				return -1
			}
			return 1
		}
		return 0
	})
	c.JSON(http.StatusOK, gin.H{"templates": out, "sync": syncs})
}

// syncTemplates is POST /v1/templates/sync[?connector=]: it reloads every
// template registry from its provider and answers with each sync's state;
// a failed sync is a 502 naming the connector.
func (s *Server) syncTemplates(c *gin.Context) {
	name := c.Query("connector")
	srcs := s.templateSources(name)
	if len(srcs) == 0 {
		abortError(c, http.StatusNotFound, codeNoSuchConnect, "no connector with templates"+map[bool]string{true: " named " + strconv.Quote(name)}[name != ""], "connector")
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), time.Minute)
	defer cancel()
	res := map[string]connectors.TemplateSync{}
	var failed []error
	for _, ci := range srcs {
		st, err := ci.Connector.(connectors.TemplateSource).SyncTemplates(ctx)
		res[ci.Name] = st
		if err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) > 0 {
		c.JSON(http.StatusBadGateway, gin.H{"error": gin.H{"code": codeUpstream, "message": errors.Join(failed...).Error()}, "sync": res})
		return
	}
	c.JSON(http.StatusOK, gin.H{"sync": res})
}
