package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"gorm.io/gorm"
)

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("store: closed")

// Op is one unit of work inside a shared transaction. It may run more than
// once (alone, after its batch failed), so it must not keep state across
// runs except through tx.
type Op func(tx *gorm.DB) error

type pending struct {
	op   Op
	done chan error
}

// Batcher is a group committer: concurrent callers of Do share one
// transaction, and each returns only after that transaction commits (or with
// its own op's error). While one batch commits, the next fills, so batches
// grow with load and a lone caller pays one commit.
type Batcher struct {
	db       *gorm.DB
	sqlDB    *sql.DB
	stmts    *stmtCache
	max      int
	log      *slog.Logger
	queue    chan pending
	stop     chan struct{}
	stopped  chan struct{}
	closeOne sync.Once
}

// NewBatcher starts the committer goroutine. max bounds a batch (default 256).
func NewBatcher(db *gorm.DB, max int, log *slog.Logger) (*Batcher, error) {
	if max <= 0 {
		max = 256
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: batcher: %w", err)
	}
	b := &Batcher{
		db:      db,
		sqlDB:   sqlDB,
		stmts:   &stmtCache{db: sqlDB, stmts: map[string]*sql.Stmt{}},
		max:     max,
		log:     log,
		queue:   make(chan pending, max*4),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	go b.loop()
	return b, nil
}

// Do runs op in a shared transaction and waits for its commit.
func (b *Batcher) Do(ctx context.Context, op Op) error {
	p := pending{op: op, done: make(chan error, 1)}
	select {
	case b.queue <- p:
	case <-b.stop:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the op will run: wait for its outcome even if ctx ends,
	// so a caller never reports failure for work that was committed.
	return <-p.done
}

// Close stops accepting work, finishes what is queued, and returns.
func (b *Batcher) Close() {
	b.closeOne.Do(func() { close(b.stop) })
	<-b.stopped
	b.stmts.close()
}

func (b *Batcher) loop() {
	defer close(b.stopped)
	batch := make([]pending, 0, b.max)
	for {
		batch = batch[:0]
		select {
		case p := <-b.queue:
			batch = append(batch, p)
		case <-b.stop:
			// drain what was queued before the stop
			for {
				select {
				case p := <-b.queue:
					b.run([]pending{p})
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < b.max {
			select {
			case p := <-b.queue:
				batch = append(batch, p)
			default:
				break fill
			}
		}
		b.run(batch)
	}
}

func (b *Batcher) run(batch []pending) {
	err := b.transaction(func(tx *gorm.DB) error {
		for i, p := range batch {
			if err := p.op(tx); err != nil {
				return &opError{index: i, err: err}
			}
		}
		return nil
	})
	if err == nil {
		for _, p := range batch {
			p.done <- nil
		}
		return
	}
	if len(batch) == 1 {
		batch[0].done <- unwrapOp(err)
		return
	}
	// One op spoilt the batch: run each alone so only it fails.
	b.log.Debug("batch failed; retrying ops one by one", "size", len(batch), "err", err)
	for _, p := range batch {
		p.done <- unwrapOp(b.transaction(p.op))
	}
}

type opError struct {
	index int
	err   error
}

func (e *opError) Error() string { return fmt.Sprintf("op %d: %v", e.index, e.err) }
func (e *opError) Unwrap() error { return e.err }

func unwrapOp(err error) error {
	var oe *opError
	if errors.As(err, &oe) {
		return oe.err
	}
	return err
}

// transaction runs fn in one database transaction whose statements come from
// the batcher's cache: prepared once on the pool, so each connection parses a
// statement once, not once per batch (GORM's own prepared statements are
// bound to the transaction and closed at its commit).
func (b *Batcher) transaction(fn func(tx *gorm.DB) error) error {
	ctx := context.Background()
	sqlTx, err := b.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := b.db.Session(&gorm.Session{NewDB: true, SkipDefaultTransaction: true, Context: ctx})
	tx.Statement.ConnPool = cachedTx{tx: sqlTx, stmts: b.stmts}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// maxCachedStmts bounds the cache: the store's queries are a fixed set, but
// one with an expanded IN list has a text per list length.
const maxCachedStmts = 128

// stmtCache holds statements prepared on the pool, by query text.
type stmtCache struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	if len(c.stmts) >= maxCachedStmts {
		return nil, nil // the caller runs the query unprepared
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		_ = st.Close()
		delete(c.stmts, q)
	}
}

// cachedTx is the gorm.ConnPool of a batch transaction.
type cachedTx struct {
	tx    *sql.Tx
	stmts *stmtCache
}

var _ gorm.ConnPool = cachedTx{}

func (c cachedTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return c.tx.PrepareContext(ctx, query)
}

func (c cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.stmts.get(ctx, query)
	if err != nil || st == nil {
		return c.tx.ExecContext(ctx, query, args...)
	}
	return c.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

func (c cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.stmts.get(ctx, query)
	if err != nil || st == nil {
		return c.tx.QueryContext(ctx, query, args...)
	}
	return c.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

func (c cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.stmts.get(ctx, query)
	if err != nil || st == nil {
		return c.tx.QueryRowContext(ctx, query, args...)
	}
	return c.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}
