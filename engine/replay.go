package engine

import (
	"context"
	"fmt"

	"github.com/switchboardhq/switchboard/store"
)

// Replay puts a dead letter's step back to work: the store marks it replayed
// and resets the step and its run, then the step is published. It returns
// store.ErrNotFound or store.ErrConflict (already replayed) unchanged.
func (e *Engine) Replay(ctx context.Context, deadLetterID string) (store.DeadLetter, error) {
	d, err := e.deps.Store.ReplayDeadLetter(ctx, deadLetterID, e.now())
	if err != nil {
		return store.DeadLetter{}, err
	}
	p, ok := e.byName[d.Pipeline]
	if !ok {
		return d, fmt.Errorf("engine: replay %s: pipeline %q is no longer loaded", deadLetterID, d.Pipeline)
	}
	_, index := p.Step(d.StepID)
	if index < 0 {
		return d, fmt.Errorf("engine: replay %s: pipeline %q has no step %q now", deadLetterID, d.Pipeline, d.StepID)
	}
	if err := e.publishSteps(newMessageID, stepMessage{RunID: d.RunID, Pipeline: d.Pipeline, StepIndex: index}); err != nil {
		// The step is pending in the store; the sweep re-publishes it.
		e.log.Warn("publish replayed step; the sweep will re-publish it", "dead_letter", deadLetterID, "err", err)
	}
	return d, nil
}
