package store

import (
	"context"
	"fmt"
)

// RunFilter selects runs for listing.
type RunFilter struct {
	Pipeline string
	Status   string
	EventID  string
	Page
}

// ListRuns returns runs newest first and the cursor of the next page ("" at
// the end).
func (s *Store) ListRuns(ctx context.Context, f RunFilter) ([]Run, string, error) {
	q := s.db.WithContext(ctx).Model(&Run{})
	if f.Pipeline != "" {
		q = q.Where("pipeline = ?", f.Pipeline)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.EventID != "" {
		q = q.Where("event_id = ?", f.EventID)
	}
	if f.Cursor != "" {
		q = q.Where("id < ?", f.Cursor)
	}
	limit := f.limit()
	var runs []Run
	if err := q.Order("id DESC").Limit(limit + 1).Find(&runs).Error; err != nil {
		return nil, "", fmt.Errorf("store: list runs: %w", err)
	}
	return pageOf(runs, limit, func(r Run) string { return r.ID })
}

// GetRun returns a run with its step results in step order.
func (s *Store) GetRun(ctx context.Context, id string) (Run, error) {
	var run Run
	res := s.db.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&run)
	if res.Error != nil {
		return Run{}, fmt.Errorf("store: get run: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return Run{}, ErrNotFound
	}
	if err := s.db.WithContext(ctx).Where("run_id = ?", id).Order("step_index").Find(&run.Steps).Error; err != nil {
		return Run{}, fmt.Errorf("store: get run steps: %w", err)
	}
	return run, nil
}

// CountRuns counts runs, optionally of one status.
func (s *Store) CountRuns(ctx context.Context, status string) (int64, error) {
	q := s.db.WithContext(ctx).Model(&Run{})
	if status != "" {
		q = q.Where("status = ?", status)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count runs: %w", err)
	}
	return n, nil
}

func pageOf[T any](rows []T, limit int, id func(T) string) ([]T, string, error) {
	if len(rows) > limit {
		rows = rows[:limit]
		return rows, id(rows[len(rows)-1]), nil
	}
	return rows, "", nil
}
