package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/switchboardhq/switchboard/event"
	"github.com/switchboardhq/switchboard/pipelines"
	"github.com/switchboardhq/switchboard/store"
)

// handleEvent routes one accepted event: it resolves the contact, opens a
// run for every pipeline whose `on` matches and whose `when` holds, marks the
// event routed (all in one shared transaction), then publishes each new
// run's first step. A redelivered event opens nothing twice.
func (e *Engine) handleEvent(msg *message.Message) error {
	var ev event.Event
	if err := json.Unmarshal(msg.Payload, &ev); err != nil {
		// A message we cannot read will never become readable: drop it. The
		// event stays accepted in the store, so the sweep re-publishes it
		// from there.
		e.log.Error("drop unreadable event message", "message_id", msg.UUID, "err", err)
		return nil
	}
	ctx := msg.Context()
	now := e.now()
	received, _ := time.Parse(time.RFC3339Nano, msg.Metadata.Get(metaReceived))
	if err := e.beforeRoute(ctx, &ev); err != nil {
		if errors.Is(err, errEnrichLater) {
			return nil // stays accepted; the sweep re-publishes it
		}
		return fmt.Errorf("event %s: %w", ev.ID, err)
	}
	isKeyword, err := e.keyword(ctx, &ev)
	if err != nil {
		return fmt.Errorf("event %s: %w", ev.ID, err)
	}
	consents := e.consentRecorder(&ev)
	route, err := e.deps.Store.RouteEventRecording(ctx, ev.ID, contactInput(&ev, e.cfg.DefaultRegion), func(c *event.Contact) ([]store.NewRun, error) {
		if isKeyword {
			return nil, nil // its consent change is what pipelines see
		}
		return e.decide(&ev, c, now), nil
	}, consents, now)
	if err != nil {
		return fmt.Errorf("route event %s: %w", ev.ID, err)
	}
	if consents != nil && !route.AlreadyRouted && route.Contact != nil {
		e.metrics.ConsentChanges.WithLabelValues(str(ev.Data["channel"]), str(ev.Data["purpose"]), str(ev.Data["status"])).Inc()
	}
	if route.AlreadyRouted || len(route.Created) == 0 {
		return nil
	}
	steps := make([]stepMessage, 0, len(route.Created))
	for _, r := range route.Created {
		if r.Error != "" {
			e.metrics.RunsFinished.WithLabelValues(r.Pipeline, store.RunFailed).Inc()
			continue
		}
		e.metrics.RunsOpened.WithLabelValues(r.Pipeline).Inc()
		steps = append(steps, stepMessage{RunID: r.ID, Pipeline: r.Pipeline, Event: &ev, Contact: route.Contact, Received: received})
	}
	if len(steps) == 0 {
		return nil
	}
	if err := e.publishSteps(newMessageID, steps...); err != nil {
		// The runs are open in the store; the sweep re-publishes their steps.
		e.log.Warn("publish first steps; the sweep will re-publish them", "event_id", ev.ID, "err", err)
	}
	return nil
}

// decide evaluates every matching pipeline's `when` for the event. It is
// pure: it runs inside the routing transaction and may run twice.
func (e *Engine) decide(ev *event.Event, c *event.Contact, now time.Time) []store.NewRun {
	var runs []store.NewRun
	for _, p := range e.deps.Pipelines {
		if !p.Matches(ev) {
			continue
		}
		ok, err := p.When(pipelines.NewEnv(ev, contactOrEmpty(c), nil, p.Vars, now))
		if err != nil {
			// Visible as a failed run rather than silently dropped.
			e.metrics.WhenErrors.WithLabelValues(p.Name).Inc()
			runs = append(runs, store.NewRun{ID: event.NewIDAt(now), Pipeline: p.Name, Error: err.Error()})
			continue
		}
		if ok {
			runs = append(runs, store.NewRun{ID: event.NewIDAt(now), Pipeline: p.Name})
		}
	}
	return runs
}

func contactOrEmpty(c *event.Contact) *event.Contact {
	if c == nil {
		return &event.Contact{ProviderIDs: map[string]string{}}
	}
	return c
}
