package store

import (
	"context"
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
	max      int
	log      *slog.Logger
	queue    chan pending
	stop     chan struct{}
	stopped  chan struct{}
	closeOne sync.Once
}

// NewBatcher starts the committer goroutine. max bounds a batch (default 256).
func NewBatcher(db *gorm.DB, max int, log *slog.Logger) *Batcher {
	if max <= 0 {
		max = 256
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Batcher{
		db:      db,
		max:     max,
		log:     log,
		queue:   make(chan pending, max*4),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	go b.loop()
	return b
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
	err := b.db.Transaction(func(tx *gorm.DB) error {
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
		p.done <- unwrapOp(b.db.Transaction(func(tx *gorm.DB) error { return p.op(tx) }))
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
