package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/switchboardhq/switchboard/event"
)

// InsertOutbox records a sandboxed call. A repeat for the same run and step
// (a redelivered step) is recorded once.
func (s *Store) InsertOutbox(ctx context.Context, e OutboxEntry) error {
	if e.ID == "" {
		e.ID = event.NewIDAt(e.CreatedAt)
	}
	if e.Params == nil {
		e.Params = JSON("{}")
	}
	err := s.batch.Do(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO outbox (id, connector, action, run_id, step_id, params, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (run_id, step_id) DO NOTHING`, e.ID, e.Connector, e.Action, e.RunID, e.StepID, string(e.Params), utc(e.CreatedAt)).Error
	})
	if err != nil {
		return fmt.Errorf("store: insert outbox: %w", err)
	}
	return nil
}

// OutboxFilter selects outbox entries.
type OutboxFilter struct {
	RunID     string
	Connector string
	Page
}

// ListOutbox returns sandboxed calls newest first.
func (s *Store) ListOutbox(ctx context.Context, f OutboxFilter) ([]OutboxEntry, string, error) {
	q := s.db.WithContext(ctx).Model(&OutboxEntry{})
	if f.RunID != "" {
		q = q.Where("run_id = ?", f.RunID)
	}
	if f.Connector != "" {
		q = q.Where("connector = ?", f.Connector)
	}
	if f.Cursor != "" {
		q = q.Where("id < ?", f.Cursor)
	}
	limit := f.limit()
	var rows []OutboxEntry
	if err := q.Order("id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("store: list outbox: %w", err)
	}
	return pageOf(rows, limit, func(e OutboxEntry) string { return e.ID })
}
