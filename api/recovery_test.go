package api_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/engine/bus"
	"github.com/switchboardhq/switchboard/internal/hubtest"
)

// lossyBus acknowledges the first `drop` publishes and throws them away, as
// a bus that loses its unsynced tail in a crash would.
type lossyBus struct {
	bus.Driver
	drop atomic.Int64
}

func (l *lossyBus) Publish(topic string, msgs ...*message.Message) error {
	if l.drop.Add(-1) >= 0 {
		return nil
	}
	return l.Driver.Publish(topic, msgs...)
}

func TestSweepRecoversWhatTheBusLost(t *testing.T) {
	t.Parallel()
	h := hubtest.New(t, hubtest.Options{
		Engine: engine.Config{SweepInterval: 300 * time.Millisecond},
		Bus: func(t testing.TB) bus.Driver {
			inner, err := bus.NewEmbedded(context.Background(), t.TempDir(), bus.Options{})
			require.NoError(t, err)
			t.Cleanup(func() { _ = inner.Close() })
			l := &lossyBus{Driver: inner}
			l.drop.Store(4) // the three accepted events, then whatever comes next
			return l
		},
		Pipelines: map[string]string{"p.yaml": anyEventPipeline},
	})
	for i := range 3 {
		status, _ := postEvent(t, h, fmt.Sprintf(`{"id":"lost-%d","type":"order.created","source":"shop"}`, i))
		require.Equal(t, http.StatusAccepted, status)
	}
	require.NoError(t, h.Sink.WaitFor(3, 15*time.Second), "the sweep re-published the lost events")
	require.Eventually(t, func() bool {
		n, err := h.Store.CountRuns(context.Background(), "succeeded")
		require.NoError(t, err)
		return n == 3
	}, 15*time.Second, 20*time.Millisecond)
	require.Equal(t, 3, h.Sink.Count(), "each event called out once")
}
