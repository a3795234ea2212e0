package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// DeadLetterFilter selects dead letters.
type DeadLetterFilter struct {
	Status string
	Page
}

// ListDeadLetters returns dead letters newest first.
func (s *Store) ListDeadLetters(ctx context.Context, f DeadLetterFilter) ([]DeadLetter, string, error) {
	q := s.db.WithContext(ctx).Model(&DeadLetter{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Cursor != "" {
		q = q.Where("id < ?", f.Cursor)
	}
	limit := f.limit()
	var rows []DeadLetter
	if err := q.Order("id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("store: list dead letters: %w", err)
	}
	return pageOf(rows, limit, func(d DeadLetter) string { return d.ID })
}

// GetDeadLetter returns one dead letter.
func (s *Store) GetDeadLetter(ctx context.Context, id string) (DeadLetter, error) {
	var d DeadLetter
	res := s.db.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&d)
	if res.Error != nil {
		return DeadLetter{}, fmt.Errorf("store: get dead letter: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return DeadLetter{}, ErrNotFound
	}
	return d, nil
}

// ReplayDeadLetter marks a dead letter replayed and puts its step back to
// pending with a fresh attempt count, its run back to running. The caller
// then publishes the step. ErrNotFound when there is no such dead letter,
// ErrConflict when it was already replayed.
func (s *Store) ReplayDeadLetter(ctx context.Context, id string, now time.Time) (DeadLetter, error) {
	now = utc(now)
	var d DeadLetter
	err := s.batch.Do(ctx, func(tx *gorm.DB) error {
		d = DeadLetter{}
		res := tx.Where("id = ?", id).Limit(1).Find(&d)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		if d.Status != DeadLetterDead {
			return ErrConflict
		}
		if err := tx.Exec(`UPDATE dead_letters SET status = ?, replayed_at = ? WHERE id = ?`, DeadLetterReplayed, now, id).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE step_results SET status = ?, attempts = 0, lease_until = NULL, finished_at = NULL WHERE run_id = ? AND step_id = ?`,
			StepPending, d.RunID, d.StepID).Error; err != nil {
			return err
		}
		var index int
		if err := tx.Raw(`SELECT step_index FROM step_results WHERE run_id = ? AND step_id = ?`, d.RunID, d.StepID).Find(&index).Error; err != nil {
			return err
		}
		return touchRun(tx, d.RunID, RunRunning, index, "", nil, now)
	})
	if err != nil {
		return DeadLetter{}, fmt.Errorf("store: replay dead letter %s: %w", id, err)
	}
	d.Status, d.ReplayedAt = DeadLetterReplayed, &now
	return d, nil
}
