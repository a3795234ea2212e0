package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/switchboardhq/switchboard/engine/bus"
)

const sweepBatch = 500

// runSweeper re-publishes, every SweepInterval, work the store holds as
// unfinished and older than one interval: the bus may have lost it.
func (e *Engine) runSweeper(ctx context.Context) {
	t := time.NewTicker(e.cfg.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := e.now()
		if err := e.sweep(ctx, now.Add(-e.cfg.SweepInterval)); err != nil && ctx.Err() == nil {
			e.log.Warn("recovery sweep", "err", err)
		}
	}
}

// sweep re-publishes accepted-but-unrouted events and runnable steps last
// touched before `before`. Duplicates this may cause are filtered by the
// routing transaction and the step claims.
func (e *Engine) sweep(ctx context.Context, before time.Time) error {
	for after := ""; ; {
		evs, err := e.deps.Store.StaleEvents(ctx, before, after, sweepBatch)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			break
		}
		msgs := make([]*message.Message, 0, len(evs))
		for i := range evs {
			msg, err := eventMessage(&evs[i], evs[i].Time)
			if err != nil {
				return fmt.Errorf("encode event %s: %w", evs[i].ID, err)
			}
			msgs = append(msgs, msg)
		}
		if err := e.deps.Bus.Publish(bus.TopicEvents, msgs...); err != nil {
			return fmt.Errorf("re-publish events: %w", err)
		}
		e.metrics.Republished.WithLabelValues("event").Add(float64(len(evs)))
		e.log.Info("re-published unrouted events", "count", len(evs))
		if len(evs) < sweepBatch {
			break
		}
		after = evs[len(evs)-1].ID
	}
	refs, err := e.deps.Store.StaleSteps(ctx, before, e.now(), 10*sweepBatch)
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return nil
	}
	steps := make([]stepMessage, len(refs))
	for i, r := range refs {
		steps[i] = stepMessage{RunID: r.RunID, Pipeline: r.Pipeline, StepIndex: r.StepIndex}
	}
	if err := e.publishSteps(newMessageID, steps...); err != nil {
		return fmt.Errorf("re-publish steps: %w", err)
	}
	e.metrics.Republished.WithLabelValues("step").Add(float64(len(refs)))
	e.log.Info("re-published unfinished steps", "count", len(refs))
	return nil
}
