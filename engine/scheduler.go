package engine

import (
	"context"
	"encoding/json"
	"time"

	"github.com/switchboardhq/switchboard/store"
)

// timerLease is how long a claimed timer is held before another scheduler
// may fire it again (after a crash between publishing and marking).
const timerLease = 30 * time.Second

// runScheduler fires due timers until ctx ends: claim with a lease, publish
// each wake (the timer id is the message id, so the bus can drop a repeat),
// then mark them fired. A crash in between repeats a wake, never loses one;
// the step's claim drops a wake that is no longer wanted.
func (e *Engine) runScheduler(ctx context.Context) {
	t := time.NewTicker(e.cfg.TimerPoll)
	defer t.Stop()
	for {
		for e.fireDue(ctx) {
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// fireDue fires one batch of due timers and reports whether a full batch was
// found (so the caller loops at once).
func (e *Engine) fireDue(ctx context.Context) bool {
	const batch = 256
	now := e.now()
	timers, err := e.deps.Store.ClaimDueTimers(ctx, now, timerLease, batch)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Warn("claim due timers", "err", err)
		}
		return false
	}
	if len(timers) == 0 {
		return false
	}
	steps := make([]stepMessage, 0, len(timers))
	ids := make([]string, 0, len(timers))
	for _, t := range timers {
		if t.Kind != store.TimerStep {
			e.log.Warn("unknown timer kind; marking fired", "timer_id", t.ID, "kind", t.Kind)
			ids = append(ids, t.ID)
			continue
		}
		var p store.StepTimerPayload
		if err := json.Unmarshal(t.Payload, &p); err != nil {
			e.log.Error("unreadable timer payload; marking fired", "timer_id", t.ID, "err", err)
			ids = append(ids, t.ID)
			continue
		}
		steps = append(steps, stepMessage{RunID: p.RunID, Pipeline: p.Pipeline, StepIndex: p.StepIndex})
		ids = append(ids, t.ID)
	}
	if len(steps) > 0 {
		msgIDs := make([]string, 0, len(steps))
		for _, t := range timers {
			if t.Kind == store.TimerStep {
				msgIDs = append(msgIDs, "timer-"+t.ID)
			}
		}
		if err := e.publishSteps(func(i int) string { return msgIDs[i] }, steps...); err != nil {
			e.log.Warn("publish timer wakes; they fire again when the lease ends", "count", len(steps), "err", err)
			return false
		}
	}
	if err := e.deps.Store.MarkTimersFired(ctx, ids, e.now()); err != nil {
		e.log.Warn("mark timers fired; they fire again when the lease ends", "err", err)
		return false
	}
	e.metrics.TimersFired.Add(float64(len(ids)))
	return len(timers) == batch
}
