package bus_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/engine/bus"
	"github.com/switchboardhq/switchboard/engine/bus/bustest"
	"github.com/switchboardhq/switchboard/internal/testenv"
)

// testLogger sends the drivers' errors to t.Log until the test ends.
type testLogger struct {
	t      testing.TB
	done   *atomic.Bool
	fields watermill.LogFields
}

func newTestLogger(t testing.TB) watermill.LoggerAdapter {
	done := new(atomic.Bool)
	t.Cleanup(func() { done.Store(true) }) // registered first, so it runs last
	return testLogger{t: t, done: done}
}

func (l testLogger) Error(msg string, err error, f watermill.LogFields) {
	if !l.done.Load() {
		l.t.Logf("bus error: %s: %v %v %v", msg, err, l.fields, f)
	}
}
func (l testLogger) Info(string, watermill.LogFields)  {}
func (l testLogger) Debug(string, watermill.LogFields) {}
func (l testLogger) Trace(string, watermill.LogFields) {}
func (l testLogger) With(f watermill.LogFields) watermill.LoggerAdapter {
	l.fields = l.fields.Add(f)
	return l
}

func randomID() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func openT(t *testing.T, open func(ctx context.Context) (bus.Driver, error)) bus.Driver {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := open(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, d.Close()) })
	return d
}

// testAckWait is short so that messages held when a driver closed come back
// quickly after a restart (JetStream redelivers them after the ack wait).
const testAckWait = 3 * time.Second

// --- embedded ---

func embeddedBackend(t *testing.T) bustest.Backend {
	dir := t.TempDir()
	logger := newTestLogger(t)
	return bustest.Backend{
		SingleInstance: true,
		AckWait:        testAckWait,
		Open: func(t *testing.T) bus.Driver {
			return openT(t, func(ctx context.Context) (bus.Driver, error) {
				return bus.NewEmbedded(ctx, dir, bus.Options{Logger: logger, AckWait: testAckWait})
			})
		},
	}
}

func TestEmbedded(t *testing.T) {
	t.Parallel()
	bustest.Run(t, embeddedBackend)
}

func TestEmbeddedOpensNoPort(t *testing.T) {
	t.Parallel()
	d := embeddedBackend(t).Open(t)
	require.False(t, bus.EmbeddedListens(d), "the embedded server must not listen")
}

func TestEmbeddedWatermillPubSub(t *testing.T) {
	t.Parallel()
	emb := embeddedBackend(t).Open(t)
	logger := newTestLogger(t)
	open := func(t *testing.T) bus.Driver {
		return openT(t, func(context.Context) (bus.Driver, error) {
			return bus.NewEmbeddedPeer(emb, bus.Options{Logger: logger, AckWait: 5 * time.Second})
		})
	}
	runWatermillSuite(t, open)
}

// runWatermillSuite runs Watermill's own Pub/Sub tests with the features we
// honestly have: at-least-once (not exactly-once), no ordering (several
// workers per subscription), persistent, and no fan-out between groups (a
// Group is a namespace, acked messages are gone).
func runWatermillSuite(t *testing.T, open func(t *testing.T) bus.Driver) {
	tests.TestPubSub(t,
		tests.Features{
			ConsumerGroups:                      false,
			ExactlyOnceDelivery:                 false,
			GuaranteedOrder:                     false,
			GuaranteedOrderWithSingleSubscriber: false,
			Persistent:                          true,
			RequireSingleInstance:               false,
			NewSubscriberReceivesOldMessages:    false,
			// Topics are letters, digits, '-' and '_' on every driver.
			GenerateTopicFunc: func(tctx tests.TestContext) string {
				return "t-" + strings.ReplaceAll(string(tctx.TestID), "-", "")[:16] + "-" + randomID()
			},
		},
		func(t *testing.T) (message.Publisher, message.Subscriber) { return open(t), open(t) },
		nil,
	)
}

// --- external NATS ---

func natsBackend(t *testing.T) bustest.Backend {
	url := testenv.RequireNATS(t)
	group := "t" + randomID()
	cleanupStreams(t, url, group)
	logger := newTestLogger(t)
	return bustest.Backend{
		AckWait: testAckWait,
		Open: func(t *testing.T) bus.Driver {
			return openT(t, func(ctx context.Context) (bus.Driver, error) {
				return bus.NewNATS(ctx, url, bus.Options{Group: group, Logger: logger, AckWait: testAckWait})
			})
		},
	}
}

// cleanupStreams deletes the group's streams from the shared server when the
// test ends.
func cleanupStreams(t *testing.T, url, group string) {
	t.Cleanup(func() {
		nc, err := nats.Connect(url)
		if err != nil {
			return
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		names := js.StreamNames(ctx, jetstream.WithStreamListSubject(group+".>"))
		for name := range names.Name() {
			_ = js.DeleteStream(ctx, name)
		}
	})
}

func TestNATS(t *testing.T) {
	t.Parallel()
	bustest.Run(t, natsBackend)
}

func TestNATSWatermillPubSub(t *testing.T) {
	t.Parallel()
	url := testenv.RequireNATS(t)
	group := "t" + randomID()
	cleanupStreams(t, url, group)
	logger := newTestLogger(t)
	runWatermillSuite(t, func(t *testing.T) bus.Driver {
		return openT(t, func(ctx context.Context) (bus.Driver, error) {
			return bus.NewNATS(ctx, url, bus.Options{Group: group, Logger: logger, AckWait: 5 * time.Second})
		})
	})
}

// --- Postgres ---

// postgresOptions keep connection use low: the suite runs in parallel
// against one server (max_connections is 100 by default), and each
// subscription holds Concurrency connections.
func postgresOptions(logger watermill.LoggerAdapter) bus.Options {
	return bus.Options{Group: "sb", Logger: logger, Concurrency: 4, MaxInFlight: 64, AckWait: testAckWait}
}

func openDB(t *testing.T, dsn string) *sql.DB {
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func postgresBackend(t *testing.T) bustest.Backend {
	dsn := testenv.PostgresSchema(t)
	logger := newTestLogger(t)
	return bustest.Backend{
		AckWait: testAckWait,
		Open: func(t *testing.T) bus.Driver {
			db := openDB(t, dsn) // one pool per driver, as in two processes
			return openT(t, func(ctx context.Context) (bus.Driver, error) {
				return bus.NewPostgres(ctx, db, postgresOptions(logger))
			})
		},
	}
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	bustest.Run(t, postgresBackend)
}

func TestPostgresWatermillPubSub(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresSchema(t)
	db := openDB(t, dsn)
	db.SetMaxOpenConns(60)
	logger := newTestLogger(t)
	runWatermillSuite(t, func(t *testing.T) bus.Driver {
		return openT(t, func(ctx context.Context) (bus.Driver, error) {
			o := postgresOptions(logger)
			o.Concurrency, o.AckWait = 1, 5*time.Second
			return bus.NewPostgres(ctx, db, o)
		})
	})
}

// TestPostgresPartialBatchNotLost: a batch whose later messages were never
// acked (the subscriber closed) keeps them; watermill-sql's own queue
// offsets adapter deletes the whole batch.
func TestPostgresPartialBatchNotLost(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresSchema(t)
	logger := newTestLogger(t)
	o := postgresOptions(logger)
	o.Concurrency, o.MaxInFlight = 1, 10 // batches of 10
	open := func() bus.Driver {
		return openT(t, func(ctx context.Context) (bus.Driver, error) { return bus.NewPostgres(ctx, openDB(t, dsn), o) })
	}
	d := open()
	msgs := make(message.Messages, 10)
	for i := range msgs {
		msgs[i] = message.NewMessage(watermill.NewUUID(), []byte("x"))
	}
	require.NoError(t, d.Publish("batch", msgs...))
	ch, err := d.Subscribe(t.Context(), "batch")
	require.NoError(t, err)
	for range 3 {
		(<-ch).Ack()
	}
	<-ch // the 4th is held when the driver closes
	require.NoError(t, d.Close())

	ch, err = open().Subscribe(t.Context(), "batch")
	require.NoError(t, err)
	for i := 3; i < 10; i++ {
		select {
		case m := <-ch:
			require.Equal(t, msgs[i].UUID, m.UUID)
			m.Ack()
		case <-time.After(10 * time.Second):
			t.Fatalf("message %d lost", i)
		}
	}
}

// --- throughput ---

// BenchmarkEmbeddedPublishConsume measures publish and consume together on
// the embedded bus: producers publish while one subscription (default
// bus.Options) receives and acks. "batch" publishes 100 messages per call,
// "single" one per call from 32 goroutines.
func BenchmarkEmbeddedPublishConsume(b *testing.B) {
	for _, bc := range []struct {
		name      string
		batch     int
		producers int
	}{{"batch", 100, 4}, {"single", 1, 32}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			d, err := bus.NewEmbedded(ctx, b.TempDir(), bus.Options{})
			require.NoError(b, err)
			defer func() { require.NoError(b, d.Close()) }()
			ch, err := d.Subscribe(ctx, bus.TopicSteps)
			require.NoError(b, err)
			payload := []byte(`{"pipeline":"orders","step":"notify","event_id":"01J0000000000000000000000"}`)

			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			var next atomic.Int64
			for range bc.producers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						n := int(next.Add(int64(bc.batch)))
						k := min(bc.batch, b.N-(n-bc.batch))
						if k <= 0 {
							return
						}
						msgs := make(message.Messages, k)
						for i := range msgs {
							msgs[i] = message.NewMessage(watermill.NewUUID(), payload)
						}
						if err := d.Publish(bus.TopicSteps, msgs...); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			// The router handles each message in its own goroutine; do the same.
			var handlers sync.WaitGroup
			for range b.N {
				m := <-ch
				handlers.Add(1)
				go func() { defer handlers.Done(); m.Ack() }()
			}
			handlers.Wait()
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}
