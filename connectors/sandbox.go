package connectors

import (
	"context"
	"fmt"
	"maps"
	"time"
)

// SandboxResponder is implemented by actions that can say what a sandboxed
// call should return, so later steps see a realistic output (a fake message
// id, say). SandboxResult must not do I/O.
type SandboxResponder interface {
	SandboxResult(req Request) Result
}

// Sandbox wraps a so that Do records an OutboundRecord with rec instead of
// calling the provider. Spec and RateLimitKey pass through unchanged.
//
// Do returns a's SandboxResult when a implements SandboxResponder, else
// Output {"sandbox": true}. A failure to record is returned as a retryable
// error (reason "sandbox_record"): the call did not happen, and the outbox is
// our side. now may be nil (time.Now); rec must not be nil.
func Sandbox(a Action, connector string, rec Recorder, now func() time.Time) Action {
	if a == nil || rec == nil {
		panic("connectors.Sandbox: nil action or recorder")
	}
	if now == nil {
		now = time.Now
	}
	sa := &sandboxAction{inner: a, connector: connector, rec: rec, now: now}
	if ms, ok := a.(MessageSender); ok {
		// The provider's own rules (window, template approval) apply in
		// the sandbox too.
		return &sandboxMessageAction{sandboxAction: sa, sender: ms}
	}
	return sa
}

type sandboxMessageAction struct {
	*sandboxAction
	sender MessageSender
}

var _ MessageSender = (*sandboxMessageAction)(nil)

func (s *sandboxMessageAction) Describe(ctx context.Context, req Request) (MessageInfo, error) {
	return s.sender.Describe(ctx, req)
}

type sandboxAction struct {
	inner     Action
	connector string
	rec       Recorder
	now       func() time.Time
}

var _ Action = (*sandboxAction)(nil)

func (s *sandboxAction) Spec() ActionSpec { return s.inner.Spec() }

func (s *sandboxAction) RateLimitKey(params map[string]any) string {
	return s.inner.RateLimitKey(params)
}

func (s *sandboxAction) Do(ctx context.Context, req Request) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, Retryable(err, 0, "canceled")
	}
	name := s.inner.Spec().Name
	rec := OutboundRecord{
		Connector: s.connector,
		Action:    name,
		RunID:     req.RunID,
		StepID:    req.StepID,
		Params:    maps.Clone(req.Params),
		Time:      s.now(),
	}
	if err := s.rec.RecordOutbound(ctx, rec); err != nil {
		return Result{}, Retryable(fmt.Errorf("sandbox %s: record outbound call: %w", name, err), 0, "sandbox_record")
	}
	if r, ok := s.inner.(SandboxResponder); ok {
		return r.SandboxResult(req), nil
	}
	return Result{Output: map[string]any{"sandbox": true}}, nil
}
