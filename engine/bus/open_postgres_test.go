package bus_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/engine/bus"
	"github.com/switchboardhq/switchboard/internal/testenv"
)

// TestOpenPostgresOwnsItsPool: the driver opened from a DSN carries
// messages and, on Close, releases the pool it opened.
func TestOpenPostgresOwnsItsPool(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresSchema(t)
	ctx := context.Background()
	d, err := bus.OpenPostgres(ctx, dsn, bus.Options{Concurrency: 2, AckWait: 3 * time.Second})
	require.NoError(t, err)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs, err := d.Subscribe(sctx, "own_pool")
	require.NoError(t, err)
	require.NoError(t, d.Publish("own_pool", message.NewMessage("m-1", []byte("hello"))))
	select {
	case m := <-msgs:
		require.Equal(t, "hello", string(m.Payload))
		m.Ack()
	case <-time.After(10 * time.Second):
		t.Fatal("message not delivered")
	}
	require.NoError(t, d.Ping(ctx))
	require.NoError(t, d.Close())
	require.Error(t, d.Ping(ctx), "the pool is closed with the driver")
}
