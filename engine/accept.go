package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/switchboardhq/switchboard/engine/bus"
	"github.com/switchboardhq/switchboard/event"
	"github.com/switchboardhq/switchboard/store"
)

// Accept stores events and returns once they are durable (concurrent callers
// share one commit); then it publishes the new ones to the router. A repeat
// of an already stored (source, dedup key) is reported as a duplicate and not
// processed again. Events without an ID get one.
//
// A failure to publish after the commit is not an error: the event is
// accepted, and the recovery sweep re-publishes it.
func (e *Engine) Accept(ctx context.Context, evs []event.Event) ([]store.AcceptResult, error) {
	now := e.now()
	for i := range evs {
		if evs[i].ID == "" {
			evs[i].ID = event.NewIDAt(now)
		}
		if evs[i].Time.IsZero() {
			evs[i].Time = now
		}
	}
	results, err := e.deps.Store.InsertEvents(ctx, evs, now)
	if err != nil {
		return nil, fmt.Errorf("engine: accept: %w", err)
	}
	msgs := make([]*message.Message, 0, len(evs))
	for i, r := range results {
		ev := &evs[i]
		if r.Duplicate {
			e.metrics.EventsDuplicate.WithLabelValues(ev.Source).Inc()
			continue
		}
		e.metrics.EventsAccepted.WithLabelValues(ev.Source, ev.Type).Inc()
		msg, err := eventMessage(ev, now)
		if err != nil {
			e.log.Error("encode accepted event; the sweep will re-publish it", "event_id", ev.ID, "err", err)
			continue
		}
		msgs = append(msgs, msg)
	}
	if len(msgs) > 0 {
		if err := e.deps.Bus.Publish(bus.TopicEvents, msgs...); err != nil {
			e.log.Warn("publish accepted events; the sweep will re-publish them", "count", len(msgs), "err", err)
		}
	}
	return results, nil
}

const metaReceived = "received_at"

// eventMessage carries an accepted event to the router without its raw
// provider payload: nothing downstream reads it, and the store keeps it.
func eventMessage(ev *event.Event, received time.Time) (*message.Message, error) {
	slim := *ev
	slim.Raw = nil
	payload, err := json.Marshal(&slim)
	if err != nil {
		return nil, err
	}
	msg := message.NewMessage(event.NewID(), payload)
	msg.Metadata.Set(metaReceived, received.Format(time.RFC3339Nano))
	return msg, nil
}

// stepMessage asks a worker to run one step of one run. Event and Contact
// are a snapshot the router passes to a run's first step to spare reads;
// without them the worker loads the run's state from the store.
type stepMessage struct {
	RunID     string         `json:"run_id"`
	Pipeline  string         `json:"pipeline"`
	StepIndex int            `json:"step_index"`
	Event     *event.Event   `json:"event,omitempty"`
	Contact   *event.Contact `json:"contact,omitempty"`
	// Received is when the event was accepted (for the end-to-end metric).
	Received time.Time `json:"received,omitzero"`
}

func (e *Engine) publishSteps(id func(i int) string, steps ...stepMessage) error {
	msgs := make([]*message.Message, len(steps))
	for i := range steps {
		payload, err := json.Marshal(&steps[i])
		if err != nil {
			return fmt.Errorf("encode step message: %w", err)
		}
		msgs[i] = message.NewMessage(id(i), payload)
	}
	if err := e.deps.Bus.Publish(bus.TopicSteps, msgs...); err != nil {
		return fmt.Errorf("publish steps: %w", err)
	}
	return nil
}

func newMessageID(int) string { return event.NewID() }
