package engine

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/event"
)

func TestEventMessageLeavesRawInTheStore(t *testing.T) {
	t.Parallel()
	ev := event.Event{ID: "e1", Source: "shop", Type: event.OrderPaid, Raw: []byte(`{"big":"payload"}`), Data: map[string]any{"n": 1.0}}
	msg, err := eventMessage(&ev, ev.Time)
	require.NoError(t, err)
	require.NotContains(t, string(msg.Payload), "big")
	require.Contains(t, string(msg.Payload), `"n":1`)
	require.NotEmpty(t, ev.Raw, "the caller's event keeps its raw payload")
}
