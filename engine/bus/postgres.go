package bus

import (
	"context"
	stdsql "database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for OpenPostgres

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
)

// postgresInsertChunk bounds the rows of one INSERT (Postgres allows 65535
// parameters; a message takes 3).
const postgresInsertChunk = 1000

// NewPostgres returns a driver that keeps the bus in db through
// watermill-sql: one table per topic, "<group>_<topic>" (in the connection's
// search_path), created on first use. db stays the caller's: Close does not
// close it. Each Subscribe call runs Concurrency polling transactions, each
// holding a connection while its handler works, so size the pool for
// Concurrency × subscribed topics plus the publishers.
//
// It uses watermill-sql's subscriber with a queue schema of our own rather
// than the default schema and offsets adapter: those keep one offset per
// consumer group locked FOR UPDATE under REPEATABLE READ, so a second
// subscriber of the group waits or fails with a serialization error and
// retries while the first holds the lock — no duplicates, but no sharing
// either. Here every polling transaction claims a batch of rows with
// FOR UPDATE SKIP LOCKED and deletes the rows that were acked when it
// commits, so subscribers in this and other processes share the work. A
// Nacked message is handed out again by the same transaction after 50ms; an
// unacked one (the subscriber closed, or AckWait passed) goes back to the
// table when the transaction ends.
func NewPostgres(ctx context.Context, db *stdsql.DB, opts Options) (Driver, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if db == nil {
		return nil, errors.New("bus: postgres bus needs a database")
	}
	if err := db.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("bus: postgres: %w", err)
	}
	schema := postgresQueueSchema{group: opts.Group, batchSize: max(1, opts.MaxInFlight/opts.Concurrency)}
	beginner := wsql.BeginnerFromStdSQL(db)
	pub, err := wsql.NewPublisher(beginner, wsql.PublisherConfig{
		SchemaAdapter:        schema,
		AutoInitializeSchema: true,
	}, opts.Logger)
	if err != nil {
		return nil, fmt.Errorf("bus: postgres publisher: %w", err)
	}
	ackDeadline := opts.AckWait
	subConfig := wsql.SubscriberConfig{
		AckDeadline:    &ackDeadline,
		PollInterval:   250 * time.Millisecond,
		ResendInterval: 50 * time.Millisecond,
		RetryInterval:  time.Second,
		SchemaAdapter:  schema,
		OffsetsAdapter: postgresQueueOffsets{schema: schema},
	}
	if _, err := wsql.NewSubscriber(beginner, subConfig, opts.Logger); err != nil {
		return nil, fmt.Errorf("bus: postgres subscriber: %w", err)
	}
	return &postgresDriver{
		db: db, opts: opts, pub: pub,
		subscriberFor: func() *wsql.Subscriber {
			sub, _ := wsql.NewSubscriber(beginner, subConfig, opts.Logger) // config checked above
			return sub
		},
		closing: make(chan struct{}),
	}, nil
}

type postgresDriver struct {
	db *stdsql.DB
	// ownsDB is set by OpenPostgres: Close closes the pool too.
	ownsDB bool
	opts   Options
	pub    *wsql.Publisher
	// subscriberFor returns a new watermill-sql subscriber.
	subscriberFor func() *wsql.Subscriber

	initialized sync.Map // topic → struct{}

	// mu guards closed; Publish holds it shared so that the publisher is
	// never closed under a running Publish.
	mu      sync.RWMutex
	closed  bool
	closing chan struct{}
	subs    sync.WaitGroup
}

var _ Driver = (*postgresDriver)(nil)

func (d *postgresDriver) checkTopic(topic string) error {
	if err := validateTopic(topic); err != nil {
		return err
	}
	if n := len(d.opts.Group) + 1 + len(topic); n > 63 {
		return fmt.Errorf("bus: postgres table name %s_%s is %d bytes, the limit is 63", d.opts.Group, topic, n)
	}
	return nil
}

// Publish inserts the messages, up to 1000 per INSERT; it returns once they
// are committed.
func (d *postgresDriver) Publish(topic string, messages ...*message.Message) error {
	if err := d.checkTopic(topic); err != nil {
		return err
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return errors.New("bus: publish on closed driver")
	}
	for len(messages) > 0 {
		n := min(len(messages), postgresInsertChunk)
		if err := d.pub.Publish(topic, messages[:n]...); err != nil {
			return fmt.Errorf("bus: publish to %s: %w", topic, err)
		}
		messages = messages[n:]
	}
	return nil
}

// Subscribe starts Concurrency polling loops on the topic's table and merges
// what they hand out into one channel, closed when ctx is done or the driver
// closes. Either way the loops stop gracefully: rows acked so far are
// deleted, the rest are released for other subscribers.
func (d *postgresDriver) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if err := d.checkTopic(topic); err != nil {
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

func (d *postgresDriver) subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if _, ok := d.initialized.Load(topic); !ok {
		if err := d.subscriberFor().SubscribeInitialize(topic); err != nil {
			return nil, fmt.Errorf("bus: initialize %s: %w", topic, err)
		}
		d.initialized.Store(topic, struct{}{})
	}

	// One watermill-sql subscriber per call, closed (not cancelled) when
	// ctx is done: cancelling its context would roll back the acks of the
	// batch in progress.
	sub := d.subscriberFor()
	loopCtx := context.WithoutCancel(ctx)
	out := make(chan *message.Message)
	stop := make(chan struct{})
	var forwarders sync.WaitGroup
	for range d.opts.Concurrency {
		in, err := sub.Subscribe(loopCtx, topic)
		if err != nil {
			_ = sub.Close()
			return nil, fmt.Errorf("bus: subscribe to %s: %w", topic, err)
		}
		forwarders.Add(1)
		go func() {
			defer forwarders.Done()
			for m := range in {
				select {
				case out <- m:
				case <-stop:
					// Never handed out: the loop releases it on Close.
				}
			}
		}()
	}
	go func() {
		defer d.subs.Done()
		select {
		case <-ctx.Done():
		case <-d.closing:
		}
		close(stop)
		if err := sub.Close(); err != nil {
			d.opts.Logger.Error("close postgres subscriber", err, watermill.LogFields{"topic": topic})
		}
		forwarders.Wait()
		close(out)
	}()
	return out, nil
}

// Ping pings the database.
func (d *postgresDriver) Ping(ctx context.Context) error {
	if err := d.db.PingContext(ctx); err != nil {
		return fmt.Errorf("bus: postgres ping: %w", err)
	}
	return nil
}

// Close ends every subscription (unacked messages stay in their tables) and
// waits for running Publish calls. It does not close the database.
func (d *postgresDriver) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	close(d.closing)
	d.mu.Unlock()

	d.subs.Wait()
	err := d.pub.Close()
	if d.ownsDB {
		if cerr := d.db.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// OpenPostgres opens a pool of its own on dsn, sized for the engine's two
// subscriptions (events and steps) of Concurrency polling transactions each
// plus the publishers, and returns a driver on it that closes the pool on
// Close. A bus sharing the store's pool would starve it: every polling
// transaction holds a connection while its handler runs.
func OpenPostgres(ctx context.Context, dsn string, opts Options) (Driver, error) {
	opts.setDefaults()
	db, err := stdsql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("bus: open postgres: %w", err)
	}
	db.SetMaxOpenConns(2*opts.Concurrency + 4)
	d, err := NewPostgres(ctx, db, opts)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	d.(*postgresDriver).ownsDB = true
	return d, nil
}

// postgresQueueSchema is a watermill-sql SchemaAdapter for a work queue: a
// topic's table holds the messages not yet acked, and subscribers claim
// batches with FOR UPDATE SKIP LOCKED.
type postgresQueueSchema struct {
	group     string
	batchSize int
}

var (
	_ wsql.SchemaAdapter       = postgresQueueSchema{}
	_ wsql.RequiresTransaction = postgresQueueSchema{}
	_ wsql.OffsetsAdapter      = postgresQueueOffsets{}
)

// table is the quoted table name; topic and group are validated to letters,
// digits, '-' and '_', so quoting is enough.
func (s postgresQueueSchema) table(topic string) string {
	return `"` + s.group + "_" + topic + `"`
}

func (s postgresQueueSchema) SchemaInitializingQueries(p wsql.SchemaInitializingQueriesParams) ([]wsql.Query, error) {
	return []wsql.Query{
		// Serialize concurrent CREATE TABLE IF NOT EXISTS (it can fail with
		// a unique violation when two sessions race).
		{Query: "SELECT pg_advisory_xact_lock(" + strconv.Itoa(wsql.DefaultSchemaInitializationLock("switchboard-bus")) + ")"},
		{Query: `CREATE TABLE IF NOT EXISTS ` + s.table(p.Topic) + ` (
			"offset" BIGSERIAL PRIMARY KEY,
			"uuid" TEXT NOT NULL,
			"payload" BYTEA,
			"metadata" JSONB
		)`},
	}, nil
}

func (s postgresQueueSchema) RequiresTransaction() bool { return true }

func (s postgresQueueSchema) InsertQuery(p wsql.InsertQueryParams) (wsql.Query, error) {
	q := []byte(`INSERT INTO ` + s.table(p.Topic) + ` (uuid, payload, metadata) VALUES `)
	args := make([]any, 0, 3*len(p.Msgs))
	for i, m := range p.Msgs {
		md, err := json.Marshal(m.Metadata)
		if err != nil {
			return wsql.Query{}, fmt.Errorf("marshal metadata of message %s: %w", m.UUID, err)
		}
		if i > 0 {
			q = append(q, ',')
		}
		q = fmt.Appendf(q, "($%d,$%d,$%d)", 3*i+1, 3*i+2, 3*i+3)
		args = append(args, m.UUID, []byte(m.Payload), md)
	}
	return wsql.Query{Query: string(q), Args: args}, nil
}

func (s postgresQueueSchema) SelectQuery(p wsql.SelectQueryParams) (wsql.Query, error) {
	return wsql.Query{Query: `SELECT "offset", uuid, payload, metadata FROM ` + s.table(p.Topic) +
		` ORDER BY "offset" LIMIT ` + strconv.Itoa(s.batchSize) + ` FOR UPDATE SKIP LOCKED`}, nil
}

func (s postgresQueueSchema) UnmarshalMessage(p wsql.UnmarshalMessageParams) (wsql.Row, error) {
	var r wsql.Row
	if err := p.Row.Scan(&r.Offset, &r.UUID, &r.Payload, &r.Metadata); err != nil {
		return wsql.Row{}, fmt.Errorf("scan message row: %w", err)
	}
	m := message.NewMessage(string(r.UUID), r.Payload)
	if r.Metadata != nil {
		if err := json.Unmarshal(r.Metadata, &m.Metadata); err != nil {
			return wsql.Row{}, fmt.Errorf("unmarshal metadata of message %s: %w", r.UUID, err)
		}
	}
	r.Msg = m
	return r, nil
}

func (s postgresQueueSchema) SubscribeIsolationLevel() stdsql.IsolationLevel {
	// Row locks do the claiming; READ COMMITTED sees rows committed while
	// the batch query waits.
	return stdsql.LevelReadCommitted
}

// postgresQueueOffsets acks by deleting rows. Unlike watermill-sql's
// PostgreSQLQueueOffsetsAdapter, which deletes every row of the batch, it
// deletes only the rows up to the last acked one: the rest of the batch was
// never acked (the subscriber closed, or a message passed its ack deadline).
type postgresQueueOffsets struct{ schema postgresQueueSchema }

func (a postgresQueueOffsets) AckMessageQuery(p wsql.AckMessageQueryParams) (wsql.Query, error) {
	offsets := make([]int64, 0, len(p.Rows))
	for _, r := range p.Rows {
		if r.Offset <= p.LastRow.Offset {
			offsets = append(offsets, r.Offset)
		}
	}
	return wsql.Query{
		Query: `DELETE FROM ` + a.schema.table(p.Topic) + ` WHERE "offset" = ANY($1)`,
		Args:  []any{offsets},
	}, nil
}

func (a postgresQueueOffsets) ConsumedMessageQuery(wsql.ConsumedMessageQueryParams) (wsql.Query, error) {
	return wsql.Query{}, nil
}

func (a postgresQueueOffsets) NextOffsetQuery(wsql.NextOffsetQueryParams) (wsql.Query, error) {
	return wsql.Query{}, nil
}

func (a postgresQueueOffsets) SchemaInitializingQueries(wsql.OffsetsSchemaInitializingQueriesParams) ([]wsql.Query, error) {
	return nil, nil
}

func (a postgresQueueOffsets) BeforeSubscribingQueries(wsql.BeforeSubscribingQueriesParams) ([]wsql.Query, error) {
	return nil, nil
}
