// Package metrics defines the hub's Prometheus collectors in one place, so
// the API and the engine count into the same registry without globals.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics holds every collector the hub exports.
type Metrics struct {
	Registry *prometheus.Registry

	EventsReceived  *prometheus.CounterVec   // by source, type
	EventsAccepted  *prometheus.CounterVec   // by source, type
	EventsDuplicate *prometheus.CounterVec   // by source
	EventsRejected  *prometheus.CounterVec   // by source, reason
	AcceptLatency   *prometheus.HistogramVec // by source: receipt to durable commit

	RunsOpened   *prometheus.CounterVec   // by pipeline
	RunsFinished *prometheus.CounterVec   // by pipeline, status
	Steps        *prometheus.CounterVec   // by action, outcome
	StepDuration *prometheus.HistogramVec // by action: one connector call
	EndToEnd     *prometheus.HistogramVec // by pipeline: event receipt to run end
	WhenErrors   *prometheus.CounterVec   // by pipeline
	Republished  *prometheus.CounterVec   // by kind (event, step): recovery sweep
	TimersFired  prometheus.Counter
	DeadLetters  *prometheus.CounterVec   // by action, reason
	HTTPRequests *prometheus.HistogramVec // by route, code

	WebhooksRefused *prometheus.CounterVec // by connector, reason
	StepsBlocked    *prometheus.CounterVec // by action, reason
	MessageStatuses *prometheus.CounterVec // by connector, status
	Enrichments     *prometheus.CounterVec // by source, outcome
	StepsHeld       *prometheus.CounterVec // by reason
	Keywords        *prometheus.CounterVec // by channel, kind
	ConsentChanges  *prometheus.CounterVec // by channel, purpose, status
}

// New creates the collectors on a fresh registry (with Go and process
// collectors).
func New() *Metrics {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "switchboard", Name: name, Help: help}, labels)
		r.MustRegister(c)
		return c
	}
	h := func(name, help string, labels ...string) *prometheus.HistogramVec {
		c := prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "switchboard", Name: name, Help: help,
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, labels)
		r.MustRegister(c)
		return c
	}
	m := &Metrics{
		Registry:        r,
		EventsReceived:  f("events_received_total", "Events received over REST or webhooks.", "source", "type"),
		EventsAccepted:  f("events_accepted_total", "Events committed to the store.", "source", "type"),
		EventsDuplicate: f("events_duplicate_total", "Deliveries recognised as repeats and not processed again.", "source"),
		EventsRejected:  f("events_rejected_total", "Requests refused, by reason.", "source", "reason"),
		AcceptLatency:   h("accept_seconds", "Time from receipt to durable commit of an ingest request.", "source"),
		RunsOpened:      f("runs_opened_total", "Runs opened, by pipeline.", "pipeline"),
		RunsFinished:    f("runs_finished_total", "Runs ended, by pipeline and status.", "pipeline", "status"),
		Steps:           f("steps_total", "Step executions, by action and outcome.", "action", "outcome"),
		StepDuration:    h("step_seconds", "Duration of one connector call.", "action"),
		EndToEnd:        h("run_seconds", "Time from event receipt to the end of its run.", "pipeline"),
		WhenErrors:      f("when_errors_total", "Runtime errors evaluating a pipeline's when.", "pipeline"),
		Republished:     f("republished_total", "Work re-published by the recovery sweep.", "kind"),
		DeadLetters:     f("dead_letters_total", "Steps sent to the dead letters.", "action", "reason"),
		HTTPRequests:    h("http_request_seconds", "HTTP requests served, by route and status code.", "route", "code"),
		WebhooksRefused: f("webhooks_refused_total", "Webhook deliveries and handshakes refused, by connector and reason (bad_signature, missing_signature, stale, wrong_verify_token, unparseable).", "connector", "reason"),
		StepsBlocked:    f("steps_blocked_total", "Steps refused by policy before any provider call, by action and reason.", "action", "reason"),
		MessageStatuses: f("message_statuses_total", "Delivery statuses kept on sent messages, by connector and status.", "connector", "status"),
		Enrichments:     f("enrichments_total", "Thin events filled in by their connector, by source and outcome.", "source", "outcome"),
		StepsHeld:       f("steps_held_total", "Message steps held by the messaging policy (quiet hours), by reason.", "reason"),
		Keywords:        f("keywords_total", "Inbound STOP/START/HELP keywords handled before any pipeline, by channel and kind.", "channel", "kind"),
		ConsentChanges:  f("consent_changes_total", "Consent records added to the audit log, by channel, purpose and status.", "channel", "purpose", "status"),
	}
	m.TimersFired = prometheus.NewCounter(prometheus.CounterOpts{Namespace: "switchboard", Name: "timers_fired_total", Help: "Durable timers fired."})
	r.MustRegister(m.TimersFired)
	return m
}
