package connectors_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/connectortest"
)

// responder is a stub action that also says what a sandboxed call returns.
type responder struct{ stubAction }

func (responder) SandboxResult(req connectors.Request) connectors.Result {
	return connectors.Result{Output: map[string]any{"message_id": "sandbox-" + req.StepID}}
}

var _ connectors.SandboxResponder = responder{}

func TestSandbox(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return at }
	req := connectors.Request{
		RunID: "run_9", StepID: "notify", IdempotencyKey: "run_9/notify",
		Params: map[string]any{"to": "+15551234567", "n": 2},
	}
	spec := connectors.ActionSpec{Name: "shop.send", Params: []connectors.ParamSpec{{Name: "to", Type: connectors.TypeString}}}

	tests := []struct {
		name       string
		action     connectors.Action
		recErr     error
		wantOutput map[string]any
		wantClass  connectors.Class
		wantReason string
	}{
		{
			name:       "default output",
			action:     stubAction{spec: spec},
			wantOutput: map[string]any{"sandbox": true},
		},
		{
			name:       "responder output",
			action:     responder{stubAction{spec: spec}},
			wantOutput: map[string]any{"message_id": "sandbox-notify"},
		},
		{
			name:       "recorder fails",
			action:     stubAction{spec: spec},
			recErr:     errors.New("disk full"),
			wantClass:  connectors.ClassRetryable,
			wantReason: "sandbox_record",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &connectortest.Recorder{Err: tt.recErr}
			sb := connectors.Sandbox(tt.action, "shop", rec, clock)

			require.Equal(t, spec, sb.Spec())
			require.Equal(t, "key", sb.RateLimitKey(req.Params))

			res, err := sb.Do(t.Context(), req)
			if tt.recErr != nil {
				require.ErrorIs(t, err, tt.recErr)
				class, _, reason := connectors.Classify(err)
				require.Equal(t, tt.wantClass, class)
				require.Equal(t, tt.wantReason, reason)
				require.Empty(t, rec.Records())
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantOutput, res.Output)
			require.Equal(t, []connectors.OutboundRecord{{
				Connector: "shop", Action: "shop.send", RunID: "run_9", StepID: "notify",
				Params: req.Params, Time: at,
			}}, rec.Records())
		})
	}
}

func TestSandboxCopiesParams(t *testing.T) {
	t.Parallel()
	rec := &connectortest.Recorder{}
	sb := connectors.Sandbox(act("shop.send"), "shop", rec, nil)
	params := map[string]any{"to": "a"}
	_, err := sb.Do(t.Context(), connectors.Request{Params: params})
	require.NoError(t, err)
	params["to"] = "b"
	require.Equal(t, "a", rec.Records()[0].Params["to"])
	require.False(t, rec.Records()[0].Time.IsZero(), "nil clock means time.Now")
}

func TestSandboxCanceled(t *testing.T) {
	t.Parallel()
	rec := &connectortest.Recorder{}
	sb := connectors.Sandbox(act("shop.send"), "shop", rec, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := sb.Do(ctx, connectors.Request{})
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, rec.Records())
}
