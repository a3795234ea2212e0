package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmjetstream "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/jetstream"
	wmnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// publishTimeout bounds one Publish call waiting for the server's acks.
const publishTimeout = 30 * time.Second

// closeTimeout bounds how long Close waits for a subscription to drain.
const closeTimeout = 10 * time.Second

// NewNATS connects to an external NATS JetStream server or cluster at url
// (comma-separated URLs for a cluster). Streams and consumers are created on
// first use; a stream that already exists is used as it is, so operators may
// pre-create streams with their own replicas and limits.
func NewNATS(ctx context.Context, url string, opts Options) (Driver, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	nc, err := nats.Connect(url,
		nats.Name("switchboard"),
		nats.MaxReconnects(-1),
		nats.RetryOnFailedConnect(false),
	)
	if err != nil {
		return nil, fmt.Errorf("bus: connect to nats %s: %w", url, err)
	}
	d, err := newJetStreamDriver(nc, opts, nil)
	if err != nil {
		nc.Close()
		return nil, err
	}
	if err := d.Ping(ctx); err != nil {
		_ = d.Close()
		return nil, err
	}
	return d, nil
}

// jetStreamDriver is the Driver of the embedded and the external NATS
// backends. It talks to JetStream directly (nats.go's jetstream package) and
// reuses watermill-nats only for the wire format, because watermill-nats'
// subscribers hand out one message at a time per subscription and start the
// ack timer before the handler receives the message.
//
// Layout: a topic is a work-queue stream "<group>_<topic>" with the single
// subject "<group>.<topic>", file storage, and one durable pull consumer
// named after the group with explicit acks. Every Subscribe call in every
// process of the group pulls from that consumer, so they share the work, and
// an acked message is removed from the stream.
type jetStreamDriver struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	opts   Options
	logger watermill.LoggerAdapter
	// onClose runs last in Close (the embedded server's shutdown).
	onClose func() error
	// server is the embedded server, nil for an external one.
	server *server.Server

	marshaler   wmnats.NATSMarshaler
	unmarshaler wmjetstream.DefaultUnmarshaler

	streams sync.Map // topic → struct{}: stream known to exist

	mu      sync.Mutex
	closed  bool
	closing chan struct{}
	subs    sync.WaitGroup
}

var _ Driver = (*jetStreamDriver)(nil)

func newJetStreamDriver(nc *nats.Conn, opts Options, onClose func() error) (*jetStreamDriver, error) {
	js, err := jetstream.New(nc,
		jetstream.WithPublishAsyncMaxPending(4096),
		jetstream.WithPublishAsyncTimeout(publishTimeout),
	)
	if err != nil {
		return nil, fmt.Errorf("bus: jetstream: %w", err)
	}
	return &jetStreamDriver{
		nc:      nc,
		js:      js,
		opts:    opts,
		logger:  opts.Logger,
		onClose: onClose,
		closing: make(chan struct{}),
	}, nil
}

func (d *jetStreamDriver) streamName(topic string) string { return d.opts.Group + "_" + topic }
func (d *jetStreamDriver) subject(topic string) string    { return d.opts.Group + "." + topic }

// ensureStream creates the topic's stream unless it exists.
func (d *jetStreamDriver) ensureStream(ctx context.Context, topic string) error {
	if _, ok := d.streams.Load(topic); ok {
		return nil
	}
	name := d.streamName(topic)
	_, err := d.js.Stream(ctx, name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		_, err = d.js.CreateStream(ctx, jetstream.StreamConfig{
			Name:        name,
			Description: "switchboard bus topic " + topic,
			Subjects:    []string{d.subject(topic)},
			// Work queue: each message is consumed once by the group's
			// consumer and removed when acked; nothing accumulates.
			Retention: jetstream.WorkQueuePolicy,
			Storage:   jetstream.FileStorage,
			// Nats-Msg-Id (the message UUID) dedupes re-publishes within
			// this window.
			Duplicates: 2 * time.Minute,
		})
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			err = nil // another process won the race
		}
	}
	if err != nil {
		return fmt.Errorf("bus: stream %s: %w", name, err)
	}
	d.streams.Store(topic, struct{}{})
	return nil
}

func (d *jetStreamDriver) isClosed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closed
}

// Publish sends the messages to the topic's stream and returns once
// JetStream has stored all of them. The messages are pipelined (published
// asynchronously, then every ack awaited), so publishing many messages in
// one call costs about one round trip. Each message's UUID is its
// Nats-Msg-Id, so a re-publish within two minutes is dropped as a duplicate.
func (d *jetStreamDriver) Publish(topic string, messages ...*message.Message) error {
	if d.isClosed() {
		return errors.New("bus: publish on closed driver")
	}
	if err := validateTopic(topic); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
	defer cancel()
	if err := d.ensureStream(ctx, topic); err != nil {
		return err
	}
	subject := d.subject(topic)
	futures := make([]jetstream.PubAckFuture, 0, len(messages))
	for _, m := range messages {
		nm, err := d.marshaler.Marshal(subject, m)
		if err != nil {
			return fmt.Errorf("bus: marshal message %s: %w", m.UUID, err)
		}
		f, err := d.js.PublishMsgAsync(nm, jetstream.WithMsgID(m.UUID), jetstream.WithExpectStream(d.streamName(topic)))
		if err != nil {
			return fmt.Errorf("bus: publish message %s to %s: %w", m.UUID, topic, err)
		}
		futures = append(futures, f)
	}
	for i, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			if errors.Is(err, jetstream.ErrNoStreamResponse) {
				d.streams.Delete(topic) // deleted behind our back: recreate next time
			}
			return fmt.Errorf("bus: publish message %s to %s: %w", messages[i].UUID, topic, err)
		case <-ctx.Done():
			return fmt.Errorf("bus: publish message %s to %s: %w", messages[i].UUID, topic, ctx.Err())
		}
	}
	return nil
}

// Subscribe starts Concurrency workers pulling from the topic's shared
// consumer. The channel is closed when ctx is done or the driver closes;
// messages then held unacked are Nacked, so they are redelivered at once.
func (d *jetStreamDriver) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if err := validateTopic(topic); err != nil {
		return nil, err
	}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil, errors.New("bus: subscribe on closed driver")
	}
	d.subs.Add(1)
	d.mu.Unlock()

	out, err := d.subscribe(ctx, topic)
	if err != nil {
		d.subs.Done()
		return nil, err
	}
	return out, nil
}

func (d *jetStreamDriver) subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	setupCtx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	if err := d.ensureStream(setupCtx, topic); err != nil {
		return nil, err
	}
	consumer, err := d.js.CreateOrUpdateConsumer(setupCtx, d.streamName(topic), jetstream.ConsumerConfig{
		Durable:       d.opts.Group,
		Description:   "switchboard workers of group " + d.opts.Group,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       d.opts.AckWait,
		MaxAckPending: d.opts.MaxInFlight,
		MaxDeliver:    -1,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("bus: consumer %s on %s: %w", d.opts.Group, d.streamName(topic), err)
	}

	logFields := watermill.LogFields{"topic": topic, "group": d.opts.Group}
	s := &jsSubscription{
		d:       d,
		out:     make(chan *message.Message),
		work:    make(chan jetstream.Msg, d.opts.MaxInFlight),
		stop:    make(chan struct{}),
		logger:  d.logger.With(logFields),
		ackWait: d.opts.AckWait,
	}
	// The client keeps at most MaxInFlight messages buffered, pulling more
	// when half are consumed; a pull waits up to 5s for messages, so an
	// idle subscription costs one request per 5s.
	cc, err := consumer.Consume(s.enqueue,
		jetstream.PullMaxMessages(d.opts.MaxInFlight),
		jetstream.PullExpiry(5*time.Second),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			s.logger.Debug("consume: "+err.Error(), nil)
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("bus: consume %s: %w", d.streamName(topic), err)
	}
	s.cc = cc

	for range d.opts.Concurrency {
		s.workers.Add(1)
		go s.worker()
	}
	go s.run(ctx)
	return s.out, nil
}

type jsSubscription struct {
	d       *jetStreamDriver
	cc      jetstream.ConsumeContext
	out     chan *message.Message
	work    chan jetstream.Msg
	stop    chan struct{} // closed when the subscription ends
	workers sync.WaitGroup
	logger  watermill.LoggerAdapter
	ackWait time.Duration
}

// enqueue is the consumer callback: it only queues the message for a worker.
func (s *jsSubscription) enqueue(m jetstream.Msg) {
	select {
	case s.work <- m:
	case <-s.stop:
		s.nak(m)
	}
}

func (s *jsSubscription) nak(m jetstream.Msg) {
	if err := m.Nak(); err != nil {
		s.logger.Debug("nak: "+err.Error(), nil)
	}
}

// run waits for the end of the subscription and tears it down: workers
// first (they Nak what they hold), then the pull (its callbacks Nak what is
// still buffered), then whatever is left queued.
func (s *jsSubscription) run(ctx context.Context) {
	defer s.d.subs.Done()
	select {
	case <-ctx.Done():
	case <-s.d.closing:
	}
	close(s.stop)
	s.workers.Wait()
	close(s.out)

	s.cc.Drain()
	select {
	case <-s.cc.Closed():
	case <-time.After(closeTimeout):
		s.logger.Error("consumer did not drain", errors.New("timeout"), nil)
	}
	for {
		select {
		case m := <-s.work:
			s.nak(m)
		default:
			return
		}
	}
}

func (s *jsSubscription) worker() {
	defer s.workers.Done()
	for {
		select {
		case <-s.stop:
			return
		case m := <-s.work:
			s.handle(m)
		}
	}
}

// handle hands one message to the subscriber and forwards its Ack or Nack to
// JetStream. The ack wait starts when the subscriber has taken the message.
func (s *jsSubscription) handle(jm jetstream.Msg) {
	wm, err := s.d.unmarshaler.Unmarshal(jm)
	if err != nil {
		// Not ours to read; Term so it is not redelivered forever.
		s.logger.Error("cannot unmarshal message, terminating it", err, watermill.LogFields{"subject": jm.Subject()})
		_ = jm.Term()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wm.SetContext(ctx)

	select {
	case s.out <- wm:
	case <-s.stop:
		s.nak(jm)
		return
	}

	timer := time.NewTimer(s.ackWait)
	defer timer.Stop()
	select {
	case <-wm.Acked():
		// Async ack: a lost ack only means a redelivery (at-least-once).
		if err := jm.Ack(); err != nil {
			s.logger.Error("cannot ack", err, watermill.LogFields{"message_uuid": wm.UUID})
		}
	case <-wm.Nacked():
		s.nak(jm)
	case <-timer.C:
		// JetStream redelivers it after its own AckWait; stop waiting.
		s.logger.Info("message not acked within ack wait", watermill.LogFields{"message_uuid": wm.UUID})
	case <-s.stop:
		s.nak(jm)
	}
}

// Ping checks the connection with a round trip to the server.
func (d *jetStreamDriver) Ping(ctx context.Context) error {
	if d.isClosed() {
		return errors.New("bus: driver closed")
	}
	if st := d.nc.Status(); st != nats.CONNECTED {
		return fmt.Errorf("bus: nats connection %s", st)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
	}
	if err := d.nc.FlushWithContext(ctx); err != nil {
		return fmt.Errorf("bus: nats ping: %w", err)
	}
	return nil
}

// Close ends every subscription (Nacking the messages they hold), flushes
// pending acks, closes the connection and, for the embedded driver, shuts
// the server down. It is idempotent.
func (d *jetStreamDriver) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	close(d.closing)
	d.mu.Unlock()

	d.subs.Wait()
	var errs []error
	if d.nc.IsConnected() {
		select {
		case <-d.js.PublishAsyncComplete():
		case <-time.After(closeTimeout):
		}
		if err := d.nc.FlushTimeout(closeTimeout); err != nil {
			errs = append(errs, fmt.Errorf("bus: flush: %w", err))
		}
	}
	d.nc.Close()
	if d.onClose != nil {
		if err := d.onClose(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
