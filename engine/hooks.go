package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/event"
	"github.com/switchboardhq/switchboard/store"
)

// errEnrichLater says an event's enrichment failed for now: the event stays
// accepted and the sweep brings it back.
var errEnrichLater = errors.New("enrichment failed; retried by the sweep")

// beforeRoute does what an accepted event implies before any pipeline sees
// it: a delivery status is kept on its message, the source connector's
// Enricher fills in a thin event, and its Observer follows the event. It
// returns errEnrichLater when enrichment must be tried again later, and any
// other error when the event should be redelivered at once.
func (e *Engine) beforeRoute(ctx context.Context, ev *event.Event) error {
	if ev.Type == event.MessageStatus {
		if err := e.recordStatus(ctx, ev); err != nil {
			return err
		}
	}
	if err := e.pendUnconfirmed(ctx, ev); err != nil {
		return err
	}
	if e.deps.Connectors == nil {
		return nil
	}
	c, ok := e.deps.Connectors(ev.Source)
	if !ok {
		return nil
	}
	if en, ok := c.(connectors.Enricher); ok {
		if err := e.enrich(ctx, en, ev); err != nil {
			return err
		}
	}
	if ob, ok := c.(connectors.Observer); ok {
		if err := ob.Observe(ctx, ev); err != nil {
			return fmt.Errorf("%s observe %s: %w", ev.Source, ev.ID, err)
		}
	}
	return nil
}

func (e *Engine) enrich(ctx context.Context, en connectors.Enricher, ev *event.Event) error {
	callCtx, cancel := context.WithTimeout(ctx, e.cfg.StepTimeout)
	defer cancel()
	err := en.Enrich(callCtx, ev)
	if err != nil {
		class, _, reason := connectors.Classify(err)
		e.metrics.Enrichments.WithLabelValues(ev.Source, "failed_"+class.String()).Inc()
		if class == connectors.ClassRetryable {
			e.log.Warn("enrich event; it stays accepted and is retried", "event_id", ev.ID, "source", ev.Source, "reason", reason, "err", err)
			return errEnrichLater
		}
		// Retrying cannot help: route the event as it came, saying why.
		e.log.Warn("enrich event failed for good; routing it as received", "event_id", ev.ID, "source", ev.Source, "reason", reason, "err", err)
		if ev.Data == nil {
			ev.Data = map[string]any{}
		}
		ev.Data["enrich_error"] = err.Error()
	} else {
		e.metrics.Enrichments.WithLabelValues(ev.Source, "ok").Inc()
	}
	if err := e.deps.Store.UpdateEventData(ctx, ev); err != nil {
		return fmt.Errorf("save enriched event %s: %w", ev.ID, err)
	}
	return nil
}

// recordStatus keeps a message.status event on its message record.
func (e *Engine) recordStatus(ctx context.Context, ev *event.Event) error {
	id := str(ev.Data["message_id"])
	status := str(ev.Data["status"])
	if id == "" {
		return nil
	}
	switch status {
	case store.MessageSent, store.MessageDelivered, store.MessageRead, store.MessageFailed:
	default:
		return nil // "deleted", "warning" and the like are events only
	}
	at := ev.Time
	if secs, err := strconv.ParseInt(str(ev.Data["timestamp"]), 10, 64); err == nil && secs > 0 {
		at = time.Unix(secs, 0)
	}
	u := store.MessageStatusUpdate{ID: id, Connector: ev.Source, Status: status, At: at}
	if errs, ok := ev.Data["errors"].([]any); ok && len(errs) > 0 {
		if m, ok := errs[0].(map[string]any); ok {
			u.ErrorCode, u.ErrorTitle = str(m["code"]), str(m["title"])
		}
	}
	if err := e.deps.Store.RecordMessageStatus(ctx, u, e.now()); err != nil {
		return fmt.Errorf("record status of message: %w", err)
	}
	e.metrics.MessageStatuses.WithLabelValues(ev.Source, status).Inc()
	return nil
}
