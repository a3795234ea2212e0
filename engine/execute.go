package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/engine/bus"
	"github.com/switchboardhq/switchboard/event"
	"github.com/switchboardhq/switchboard/pipelines"
	"github.com/switchboardhq/switchboard/store"
)

// leaseMargin is added to the step timeout for a claim's lease, so a slow
// call never loses its lease while it is still within its timeout.
const leaseMargin = 15 * time.Second

// handleStep runs one step of one run: claim it in the store (a step that
// already succeeded, or that another worker holds, is dropped here), build
// its inputs, call the action, and record the outcome together with the
// run's next state; then publish the next step.
func (e *Engine) handleStep(msg *message.Message) error {
	var sm stepMessage
	if err := json.Unmarshal(msg.Payload, &sm); err != nil {
		e.log.Error("drop unreadable step message", "message_id", msg.UUID, "err", err)
		return nil
	}
	ctx := context.WithoutCancel(msg.Context())
	p, ok := e.byName[sm.Pipeline]
	if !ok || sm.StepIndex < 0 || sm.StepIndex >= len(p.Steps) {
		e.log.Error("drop step of an unknown pipeline or step", "run_id", sm.RunID, "pipeline", sm.Pipeline, "step_index", sm.StepIndex)
		return nil
	}
	step := p.Steps[sm.StepIndex]
	now := e.now()
	attempts, ok, err := e.deps.Store.ClaimStep(ctx, store.StepClaim{
		RunID: sm.RunID, StepID: step.ID, StepIndex: sm.StepIndex, Action: step.Action,
		LeaseUntil: now.Add(e.cfg.StepTimeout + leaseMargin),
	}, now)
	if err != nil {
		return fmt.Errorf("claim step %s/%s: %w", sm.RunID, step.ID, err)
	}
	if !ok {
		return nil // done already, held by another worker, or not due
	}
	st, err := e.runState(ctx, &sm)
	if err != nil {
		return fmt.Errorf("load run %s: %w", sm.RunID, err)
	}
	out := e.execute(ctx, p, sm.StepIndex, attempts, st)
	dl, err := e.deps.Store.CompleteStep(ctx, out, e.now())
	if err != nil {
		return fmt.Errorf("record step %s/%s: %w", sm.RunID, step.ID, err)
	}
	e.afterStep(p, &sm, st, out, dl)
	return nil
}

// afterStep publishes what follows a recorded step: the run's next step, or
// the dead-letter notice, and counts the run's end.
func (e *Engine) afterStep(p *pipelines.Pipeline, sm *stepMessage, st *runState, out store.StepOutcome, deadLetter string) {
	e.metrics.Steps.WithLabelValues(out.Action, out.Status).Inc()
	switch {
	case out.RunStatus == store.RunRunning && out.Status != store.StepRetrying:
		next := stepMessage{RunID: sm.RunID, Pipeline: sm.Pipeline, StepIndex: out.Next}
		if err := e.publishSteps(newMessageID, next); err != nil {
			e.log.Warn("publish next step; the sweep will re-publish it", "run_id", sm.RunID, "err", err)
		}
	case out.RunStatus != store.RunRunning:
		e.metrics.RunsFinished.WithLabelValues(p.Name, out.RunStatus).Inc()
		if st.received.IsZero() {
			break
		}
		e.metrics.EndToEnd.WithLabelValues(p.Name).Observe(e.now().Sub(st.received).Seconds())
	}
	if deadLetter != "" {
		e.metrics.DeadLetters.WithLabelValues(out.Action, out.ErrorClass).Inc()
		payload, _ := json.Marshal(map[string]any{"id": deadLetter, "run_id": sm.RunID, "step_id": out.StepID, "pipeline": p.Name, "error": out.Error})
		if err := e.deps.Bus.Publish(bus.TopicDLQ, message.NewMessage(event.NewID(), payload)); err != nil {
			e.log.Warn("announce dead letter", "dead_letter", deadLetter, "err", err)
		}
	}
}

// runState is what a step's expressions see.
type runState struct {
	runID    string
	event    *event.Event
	contact  *event.Contact
	steps    map[string]pipelines.StepEnv
	received time.Time
	// finished holds when each earlier step ended (a `wait` counts from
	// the previous step's end).
	finished map[string]time.Time
}

// waitBase is when step index's `wait` starts: the previous step's end, or
// the run's start for the first step.
func (st *runState) waitBase(p *pipelines.Pipeline, index int) time.Time {
	if index > 0 {
		if t, ok := st.finished[p.Steps[index-1].ID]; ok {
			return t
		}
	}
	return st.received
}

func (e *Engine) runState(ctx context.Context, sm *stepMessage) (*runState, error) {
	if sm.StepIndex == 0 && sm.Event != nil {
		return &runState{runID: sm.RunID, received: sm.Received, event: sm.Event, contact: contactOrEmpty(sm.Contact), steps: map[string]pipelines.StepEnv{}}, nil
	}
	run, err := e.deps.Store.GetRun(ctx, sm.RunID)
	if err != nil {
		return nil, err
	}
	ev, _, err := e.deps.Store.GetEvent(ctx, run.EventID)
	if err != nil {
		return nil, err
	}
	st := &runState{runID: sm.RunID, event: &ev, received: run.CreatedAt, contact: contactOrEmpty(nil), steps: make(map[string]pipelines.StepEnv, len(run.Steps))}
	if run.ContactID != nil {
		if st.contact, err = e.deps.Store.GetContact(ctx, *run.ContactID); err != nil {
			return nil, err
		}
	}
	st.finished = make(map[string]time.Time, len(run.Steps))
	for _, s := range run.Steps {
		if s.FinishedAt != nil {
			st.finished[s.StepID] = *s.FinishedAt
		}
		env := pipelines.StepEnv{Status: s.Status}
		if len(s.Output) > 0 {
			_ = json.Unmarshal(s.Output, &env.Output)
		}
		st.steps[s.StepID] = env
	}
	return st, nil
}

// execute runs a claimed step and says how it ended; it never fails: every
// error becomes an outcome.
func (e *Engine) execute(ctx context.Context, p *pipelines.Pipeline, index, attempts int, st *runState) store.StepOutcome {
	step := p.Steps[index]
	now := e.now()
	out := store.StepOutcome{
		RunID: st.runID, StepID: step.ID, StepIndex: index, Action: step.Action, Pipeline: p.Name, Attempts: attempts,
	}
	env := pipelines.NewEnv(st.event, st.contact, st.steps, p.Vars, now)
	advance := func(status string) store.StepOutcome {
		out.Status = status
		if index+1 < len(p.Steps) {
			out.Next, out.RunStatus = index+1, store.RunRunning
		} else {
			out.Next, out.RunStatus = index, store.RunSucceeded
		}
		return out
	}
	fail := func(err error, class string) store.StepOutcome {
		out.Error, out.ErrorClass = err.Error(), class
		switch step.OnError {
		case pipelines.OnErrorContinue:
			return advance(store.StepFailed)
		case pipelines.OnErrorStop:
			out.Status, out.RunStatus, out.RunError, out.Next = store.StepFailed, store.RunFailed, err.Error(), index
		default:
			out.Status, out.RunStatus, out.RunError, out.Next = store.StepDead, store.RunFailed, err.Error(), index
		}
		return out
	}
	if step.Wait > 0 {
		// A durable wait: the step is held by a timer, not a worker, and
		// does not count as an attempt; everything after it (its `when`,
		// the policy gate) is decided when it comes due.
		if due := st.waitBase(p, index).Add(step.Wait); now.Before(due) {
			out.Status, out.ErrorClass, out.Error = store.StepRetrying, "waiting", "waiting until "+due.UTC().Format(time.RFC3339)
			out.Attempts, out.RetryAt = max(0, attempts-1), due
			out.RunStatus, out.Next = store.RunRunning, index
			return out
		}
	}
	run, err := step.When(env)
	if err != nil {
		return fail(err, "when_error")
	}
	if !run {
		return advance(store.StepSkipped)
	}
	inputs, err := step.Inputs(env)
	if err != nil {
		return fail(err, "input_error")
	}
	out.Inputs = inputs
	action, ok := e.deps.Actions(step.Action)
	if !ok {
		return fail(fmt.Errorf("unknown action %q", step.Action), "unknown_action")
	}
	callCtx, cancel := context.WithTimeout(ctx, e.cfg.StepTimeout)
	defer cancel()
	req := connectors.Request{
		RunID: st.runID, StepID: step.ID, Pipeline: p.Name, IdempotencyKey: st.runID + "/" + step.ID,
		Params: inputs, Contact: st.contact, Attempt: attempts,
	}
	start := time.Now()
	var res connectors.Result
	if sender, ok := action.(connectors.MessageSender); ok {
		// The provider's own rules first (a message it would refuse is
		// refused here, without a call), then the messaging policy against
		// the consent state committed now. One contact's sends go one at a
		// time, so the cap counts every send before it.
		if st.contact != nil && st.contact.ID != "" {
			defer e.sends.Lock(st.contact.ID)()
		}
		var info connectors.MessageInfo
		if info, err = sender.Describe(callCtx, req); err == nil {
			err = e.gate(callCtx, p.Name, st, inputs, info, now)
		}
	}
	if err == nil {
		res, err = action.Do(callCtx, req)
	}
	e.metrics.StepDuration.WithLabelValues(step.Action).Observe(time.Since(start).Seconds())
	if err == nil {
		out.Output = res.Output
		return advance(store.StepSucceeded)
	}
	if implied := connectors.ImpliedEvents(err); len(implied) > 0 {
		// The failure means something about the person (a 131050 is a
		// marketing opt-out): keep that before the step's outcome, or
		// try the step again.
		if _, aerr := e.Accept(ctx, implied); aerr != nil {
			err = connectors.Retryable(fmt.Errorf("record what the failure implies: %w (after %w)", aerr, err), 0, "implied_events")
		}
	}
	class, after, reason := connectors.Classify(err)
	if errors.Is(err, context.DeadlineExceeded) && class == connectors.ClassRetryable && reason == "" {
		reason = "timeout"
	}
	switch class {
	case connectors.ClassBlocked:
		e.metrics.StepsBlocked.WithLabelValues(step.Action, orDefault(reason, "blocked")).Inc()
		out.Status, out.Error, out.ErrorClass = store.StepBlocked, err.Error(), reason
		out.RunStatus, out.RunError, out.Next = store.RunBlocked, err.Error(), index
		return out
	case connectors.ClassPermanent:
		return fail(err, orDefault(reason, "permanent"))
	}
	if connectors.IsDeferred(err) {
		// Held back by our own limiter before any call: not an attempt.
		out.Status, out.Error, out.ErrorClass = store.StepRetrying, err.Error(), orDefault(reason, "deferred")
		out.Attempts = max(0, attempts-1)
		out.RetryAt = e.now().Add(max(after, 10*time.Millisecond) + jitter(min(after/10, time.Minute)))
		out.RunStatus, out.Next = store.RunRunning, index
		return out
	}
	maxAttempts := e.cfg.MaxAttempts
	if step.MaxAttempts > 0 {
		maxAttempts = step.MaxAttempts
	}
	if attempts >= maxAttempts {
		return fail(fmt.Errorf("gave up after %d attempts: %w", attempts, err), "attempts_exhausted")
	}
	out.Status, out.Error, out.ErrorClass = store.StepRetrying, err.Error(), orDefault(reason, "retryable")
	// Retry-After counts from the response, not from when the call began.
	out.RetryAt = e.now().Add(backoff(attempts, e.cfg.RetryBase, e.cfg.RetryMax, after))
	out.RunStatus, out.Next = store.RunRunning, index
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
