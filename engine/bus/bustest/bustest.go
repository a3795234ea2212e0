// Package bustest is the conformance suite every bus.Driver passes: the
// behaviour the engine relies on, run against each backend (STYLE practice
// 9). A backend's test calls Run with a function that sets up one isolated
// bus (a fresh data directory, stream namespace or schema) per subtest.
package bustest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/engine/bus"
)

// Backend opens drivers on one isolated bus.
type Backend struct {
	// Open opens a driver on the bus: every driver it opens sees the same
	// messages. The backend closes it in t.Cleanup; the suite may close it
	// earlier (Close is idempotent).
	Open func(t *testing.T) bus.Driver
	// SingleInstance is true when only one driver may be open at a time
	// (the embedded server owns its directory); the suite then runs its
	// multi-subscriber cases as two Subscribe calls on one driver.
	SingleInstance bool
	// AckWait is the ack wait the drivers were opened with; the suite
	// checks that a Nack is redelivered well before it.
	AckWait time.Duration
}

const (
	topic   = "work"
	timeout = 20 * time.Second
)

// Run runs the suite; newBackend is called once per subtest.
func Run(t *testing.T, newBackend func(t *testing.T) Backend) {
	t.Helper()
	cases := []struct {
		name string
		fn   func(t *testing.T, b Backend)
	}{
		{"RoundTrip", testRoundTrip},
		{"NackRedelivers", testNackRedelivers},
		{"HeldMessageNotRedelivered", testHeldMessageNotRedelivered},
		{"UnackedSurvivesReopen", testUnackedSurvivesReopen},
		{"SharedSubscription", testSharedSubscription},
		{"ManyMessages", testManyMessages},
		{"SubscribeCtxCloses", testSubscribeCtxCloses},
		{"PingAndClose", testPingAndClose},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, newBackend(t))
		})
	}
}

func subscribe(t *testing.T, d bus.Driver) <-chan *message.Message {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := d.Subscribe(ctx, topic)
	require.NoError(t, err)
	return ch
}

func receive(t *testing.T, ch <-chan *message.Message) *message.Message {
	t.Helper()
	select {
	case m, ok := <-ch:
		require.True(t, ok, "subscription closed")
		return m
	case <-time.After(timeout):
		t.Fatal("no message within", timeout)
		return nil
	}
}

func expectNothing(t *testing.T, ch <-chan *message.Message, d time.Duration) {
	t.Helper()
	select {
	case m := <-ch:
		t.Fatalf("unexpected delivery of %s", m.UUID)
	case <-time.After(d):
	}
}

func newMessages(n int) message.Messages {
	msgs := make(message.Messages, n)
	for i := range msgs {
		msgs[i] = message.NewMessage(watermill.NewUUID(), fmt.Appendf(nil, `{"n":%d}`, i))
	}
	return msgs
}

// testRoundTrip: UUID, payload (also non-JSON bytes) and metadata survive.
func testRoundTrip(t *testing.T, b Backend) {
	d := b.Open(t)
	ch := subscribe(t, d)

	m := message.NewMessage(watermill.NewUUID(), []byte("\x00binary\xffpayload"))
	m.Metadata.Set("pipeline", "orders")
	m.Metadata.Set("attempt", "3")
	require.NoError(t, d.Publish(topic, m))

	got := receive(t, ch)
	require.Equal(t, m.UUID, got.UUID)
	require.Equal(t, []byte(m.Payload), []byte(got.Payload))
	require.Equal(t, "orders", got.Metadata.Get("pipeline"))
	require.Equal(t, "3", got.Metadata.Get("attempt"))
	require.True(t, got.Ack())
}

// testNackRedelivers: a Nacked message comes back well before the ack wait.
func testNackRedelivers(t *testing.T, b Backend) {
	d := b.Open(t)
	ch := subscribe(t, d)
	m := newMessages(1)[0]
	require.NoError(t, d.Publish(topic, m))

	first := receive(t, ch)
	require.Equal(t, m.UUID, first.UUID)
	nacked := time.Now()
	require.True(t, first.Nack())

	again := receive(t, ch)
	require.Equal(t, m.UUID, again.UUID)
	require.Less(t, time.Since(nacked), b.AckWait/2, "nack must redeliver promptly, not after the ack wait")
	require.True(t, again.Ack())
	expectNothing(t, ch, 300*time.Millisecond)
}

// testHeldMessageNotRedelivered: while a handler holds a message unacked
// (within the ack wait), no other subscriber receives it.
func testHeldMessageNotRedelivered(t *testing.T, b Backend) {
	d := b.Open(t)
	ch := subscribe(t, d)
	require.NoError(t, d.Publish(topic, newMessages(1)...))
	held := receive(t, ch)

	other := d
	if !b.SingleInstance {
		other = b.Open(t)
	}
	ch2 := subscribe(t, other)
	expectNothing(t, ch2, time.Second)
	expectNothing(t, ch, 10*time.Millisecond)
	require.True(t, held.Ack())
	expectNothing(t, ch2, 300*time.Millisecond)
}

// testUnackedSurvivesReopen: messages published and not acked (one of them
// handed out and held when the driver closed) are delivered after reopening.
func testUnackedSurvivesReopen(t *testing.T, b Backend) {
	d := b.Open(t)
	msgs := newMessages(3)
	require.NoError(t, d.Publish(topic, msgs...))
	ch := subscribe(t, d)
	held := receive(t, ch)
	require.NoError(t, d.Close())
	held.Ack() // too late: the driver is closed
	require.NoError(t, d.Close(), "Close must be idempotent")

	d2 := b.Open(t)
	ch2 := subscribe(t, d2)
	got := map[string]bool{}
	for len(got) < len(msgs) {
		m := receive(t, ch2)
		got[m.UUID] = true
		m.Ack()
	}
	for _, m := range msgs {
		require.True(t, got[m.UUID], "message %s lost", m.UUID)
	}
}

// testSharedSubscription: two subscribers of one topic split the messages:
// each gets some, none is delivered twice, all arrive.
func testSharedSubscription(t *testing.T, b Backend) {
	d1 := b.Open(t)
	d2 := d1
	if !b.SingleInstance {
		d2 = b.Open(t)
	}
	chans := []<-chan *message.Message{subscribe(t, d1), subscribe(t, d2)}

	const n = 300
	msgs := newMessages(n)

	var mu sync.Mutex
	seen := map[string]int{}
	perSub := make([]int, 2)
	done := make(chan struct{})
	for i, ch := range chans {
		go func() {
			for {
				select {
				case m, ok := <-ch:
					if !ok {
						return
					}
					time.Sleep(2 * time.Millisecond) // some work, so both get a share
					mu.Lock()
					seen[m.UUID]++
					perSub[i]++
					if len(seen) == n {
						select {
						case <-done:
						default:
							close(done)
						}
					}
					mu.Unlock()
					m.Ack()
				case <-t.Context().Done():
					return
				}
			}
		}()
	}
	// Publish after both subscribed, one message per call like the engine.
	for _, m := range msgs {
		require.NoError(t, d1.Publish(topic, m))
	}
	select {
	case <-done:
	case <-time.After(2 * timeout):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("got %d of %d messages", len(seen), n)
	}
	time.Sleep(300 * time.Millisecond) // let duplicates, if any, arrive
	mu.Lock()
	defer mu.Unlock()
	for id, c := range seen {
		require.Equal(t, 1, c, "message %s delivered %d times", id, c)
	}
	t.Logf("split: %v", perSub)
	require.Positive(t, perSub[0], "first subscriber got nothing")
	require.Positive(t, perSub[1], "second subscriber got nothing")
}

// testManyMessages: 2,000 messages, published in batches and singly from
// several goroutines, all arrive exactly once.
func testManyMessages(t *testing.T, b Backend) {
	d := b.Open(t)
	ch := subscribe(t, d)
	const n = 2000
	msgs := newMessages(n)

	errs := make(chan error, 8)
	go func() { errs <- d.Publish(topic, msgs[:1000]...) }()
	for w := range 4 {
		go func() {
			var err error
			for i := 1000 + w; i < n && err == nil; i += 4 {
				err = d.Publish(topic, msgs[i])
			}
			errs <- err
		}()
	}
	got := map[string]int{}
	for range n {
		m := receive(t, ch)
		got[m.UUID]++
		m.Ack()
	}
	for range 5 {
		require.NoError(t, <-errs)
	}
	for _, m := range msgs {
		require.Equal(t, 1, got[m.UUID], "message %s", m.UUID)
	}
	expectNothing(t, ch, 300*time.Millisecond)
}

// testSubscribeCtxCloses: cancelling Subscribe's ctx closes its channel, and
// the message it held is delivered to the next subscriber.
func testSubscribeCtxCloses(t *testing.T, b Backend) {
	d := b.Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := d.Subscribe(ctx, topic)
	require.NoError(t, err)
	m := newMessages(1)[0]
	require.NoError(t, d.Publish(topic, m))
	require.Equal(t, m.UUID, receive(t, ch).UUID)
	cancel()
	require.Eventually(t, func() bool {
		select {
		case _, ok := <-ch:
			return !ok
		default:
			return false
		}
	}, timeout, 10*time.Millisecond, "channel not closed after ctx cancel")

	again := receive(t, subscribe(t, d))
	require.Equal(t, m.UUID, again.UUID)
	again.Ack()
}

// testPingAndClose: Ping answers on an open driver; Close is idempotent and
// ends subscriptions; a closed driver refuses Publish.
func testPingAndClose(t *testing.T, b Backend) {
	d := b.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, d.Ping(ctx))
	ch := subscribe(t, d)
	require.NoError(t, d.Close())
	require.NoError(t, d.Close())
	select {
	case _, ok := <-ch:
		require.False(t, ok, "no message expected")
	case <-time.After(timeout):
		t.Fatal("subscription not closed by Close")
	}
	require.Error(t, d.Publish(topic, newMessages(1)...))
}
