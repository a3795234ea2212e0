// Package connectortest is the conformance suite every outbound action runs
// against its provider's fake (the Watermill pubsub/tests shape): success,
// rate limiting with Retry-After, unavailability, rejection, sandboxing,
// cancellation and a valid spec.
//
// It is for _test.go files only.
package connectortest

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
)

// Scenario is a provider behaviour the suite asks a case to arrange.
type Scenario int

const (
	// ScenarioOK: the provider accepts the call.
	ScenarioOK Scenario = iota
	// ScenarioRateLimited: the provider answers 429 with a Retry-After of
	// ActionCase.RetryAfter, each time it is called (or with a wait beyond
	// the client's in-process cap, so the answer comes back at once).
	ScenarioRateLimited
	// ScenarioUnavailable: the provider answers 503 on every attempt.
	ScenarioUnavailable
	// ScenarioRejected: the provider rejects the call as invalid (a 4xx that
	// retrying cannot fix).
	ScenarioRejected
)

func (s Scenario) String() string {
	switch s {
	case ScenarioOK:
		return "ok"
	case ScenarioRateLimited:
		return "rate_limited"
	case ScenarioUnavailable:
		return "unavailable"
	case ScenarioRejected:
		return "rejected"
	}
	return "unknown"
}

// Env is one action wired to a fresh, scripted fake.
type Env struct {
	Action connectors.Action
	// Request is a valid request for Action. Empty RunID, StepID and
	// IdempotencyKey are filled by the suite.
	Request connectors.Request
	// Calls reports how many requests have reached the fake.
	Calls func() int
}

// ActionCase describes one action under test.
type ActionCase struct {
	// Connector is the name of the connector offering the action.
	Connector string
	// Setup starts a fresh fake (closed with t.Cleanup) and an action pointing
	// at it, scripted so that the next Do meets s. It is called once per
	// subtest, possibly in parallel.
	Setup func(t *testing.T, s Scenario) Env
	// RetryAfter is the wait ScenarioRateLimited announces; the suite expects
	// the retryable error to carry exactly it, so use whole seconds.
	RetryAfter time.Duration
	// CheckOutput, optional, inspects the result of ScenarioOK.
	CheckOutput func(t *testing.T, res connectors.Result)
	// Timeout bounds each Do; default 10s.
	Timeout time.Duration
}

// RunActionSuite runs the conformance subtests for c.
func RunActionSuite(t *testing.T, c ActionCase) {
	t.Helper()
	require.NotNil(t, c.Setup, "ActionCase.Setup")
	require.NotEmpty(t, c.Connector, "ActionCase.Connector")
	require.Positive(t, c.RetryAfter, "ActionCase.RetryAfter")
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}

	setup := func(t *testing.T, s Scenario) (Env, context.Context) {
		t.Helper()
		env := c.Setup(t, s)
		require.NotNil(t, env.Action, "Env.Action")
		require.NotNil(t, env.Calls, "Env.Calls")
		if env.Request.RunID == "" {
			env.Request.RunID = "run_1"
		}
		if env.Request.StepID == "" {
			env.Request.StepID = "step_1"
		}
		if env.Request.IdempotencyKey == "" {
			env.Request.IdempotencyKey = env.Request.RunID + "/" + env.Request.StepID
		}
		if env.Request.Attempt == 0 {
			env.Request.Attempt = 1
		}
		ctx, cancel := context.WithTimeout(t.Context(), c.Timeout)
		t.Cleanup(cancel)
		return env, ctx
	}

	requireClass := func(t *testing.T, err error, want connectors.Class) (time.Duration, string) {
		t.Helper()
		require.Error(t, err)
		var ce *connectors.ClassifiedError
		require.True(t, errors.As(err, &ce), "error is not classified: %v", err)
		class, after, reason := connectors.Classify(err)
		require.Equal(t, want, class, "class of %v", err)
		return after, reason
	}

	t.Run("spec", func(t *testing.T) {
		t.Parallel()
		env, _ := setup(t, ScenarioOK)
		reg := connectors.NewRegistry()
		require.NoError(t, reg.Register(single{name: c.Connector, action: env.Action}))
		require.NotEmpty(t, env.Action.Spec().Description)
	})

	t.Run("ok", func(t *testing.T) {
		t.Parallel()
		env, ctx := setup(t, ScenarioOK)
		res, err := env.Action.Do(ctx, env.Request)
		require.NoError(t, err)
		require.NotNil(t, res.Output)
		require.GreaterOrEqual(t, env.Calls(), 1)
		if c.CheckOutput != nil {
			c.CheckOutput(t, res)
		}
	})

	t.Run("rate_limited", func(t *testing.T) {
		t.Parallel()
		env, ctx := setup(t, ScenarioRateLimited)
		_, err := env.Action.Do(ctx, env.Request)
		after, _ := requireClass(t, err, connectors.ClassRetryable)
		require.Equal(t, c.RetryAfter, after, "RetryAfter of %v", err)
		require.GreaterOrEqual(t, env.Calls(), 1)
	})

	t.Run("unavailable", func(t *testing.T) {
		t.Parallel()
		env, ctx := setup(t, ScenarioUnavailable)
		_, err := env.Action.Do(ctx, env.Request)
		requireClass(t, err, connectors.ClassRetryable)
		require.GreaterOrEqual(t, env.Calls(), 1)
	})

	t.Run("rejected", func(t *testing.T) {
		t.Parallel()
		env, ctx := setup(t, ScenarioRejected)
		_, err := env.Action.Do(ctx, env.Request)
		_, reason := requireClass(t, err, connectors.ClassPermanent)
		require.NotEmpty(t, reason)
		require.Equal(t, 1, env.Calls(), "a permanent rejection must not be retried in-process")
	})

	t.Run("sandbox", func(t *testing.T) {
		t.Parallel()
		env, ctx := setup(t, ScenarioOK)
		rec := &Recorder{}
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		sb := connectors.Sandbox(env.Action, c.Connector, rec, func() time.Time { return at })

		require.Equal(t, env.Action.Spec(), sb.Spec())
		require.Equal(t, env.Action.RateLimitKey(env.Request.Params), sb.RateLimitKey(env.Request.Params))

		res, err := sb.Do(ctx, env.Request)
		require.NoError(t, err)
		require.NotNil(t, res.Output)
		require.Zero(t, env.Calls(), "a sandboxed action must not call the provider")
		require.Equal(t, []connectors.OutboundRecord{{
			Connector: c.Connector,
			Action:    env.Action.Spec().Name,
			RunID:     env.Request.RunID,
			StepID:    env.Request.StepID,
			Params:    env.Request.Params,
			Time:      at,
		}}, rec.Records())
	})

	t.Run("canceled_context", func(t *testing.T) {
		t.Parallel()
		env, ctx := setup(t, ScenarioOK)
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		done := make(chan error, 1)
		go func() {
			_, err := env.Action.Do(ctx, env.Request)
			done <- err
		}()
		select {
		case err := <-done:
			requireClass(t, err, connectors.ClassRetryable)
		case <-time.After(5 * time.Second):
			t.Fatal("Do did not return after its ctx was cancelled")
		}
	})
}

// single is a one-action connector, to check a spec with a real Registry.
type single struct {
	name   string
	action connectors.Action
}

func (s single) Name() string                 { return s.name }
func (s single) Actions() []connectors.Action { return []connectors.Action{s.action} }

// Recorder is an in-memory connectors.Recorder. Err, when set, is returned
// by RecordOutbound (and nothing is kept). Safe for concurrent use.
type Recorder struct {
	mu   sync.Mutex
	recs []connectors.OutboundRecord
	// Err, set before use, makes RecordOutbound fail.
	Err error
}

var _ connectors.Recorder = (*Recorder)(nil)

// RecordOutbound keeps rec.
func (r *Recorder) RecordOutbound(_ context.Context, rec connectors.OutboundRecord) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Err != nil {
		return r.Err
	}
	r.recs = append(r.recs, rec)
	return nil
}

// Records returns a copy of what was recorded, in order.
func (r *Recorder) Records() []connectors.OutboundRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]connectors.OutboundRecord, len(r.recs))
	copy(out, r.recs)
	return out
}

// Logger returns a logger that writes into t.Log, at debug level.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
