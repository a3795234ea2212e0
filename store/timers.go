package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Timer kinds.
const (
	// TimerStep wakes a step: a retry that is due, or (later) a wait.
	TimerStep = "step"
)

// Timer statuses.
const (
	TimerPending = "pending"
	TimerFired   = "fired"
)

// Timer is a durable wake-up: a row with a due time; the bus only carries
// the "fired" message.
type Timer struct {
	ID      string
	Kind    string
	OwnerID string
	Version int
	Payload json.RawMessage
	DueAt   time.Time
}

// StepTimerPayload is a TimerStep's payload.
type StepTimerPayload struct {
	RunID     string `json:"run_id"`
	Pipeline  string `json:"pipeline"`
	StepID    string `json:"step_id"`
	StepIndex int    `json:"step_index"`
}

func insertTimer(tx *gorm.DB, t Timer, now time.Time) error {
	if err := tx.Exec(`INSERT INTO timers (id, kind, owner_id, version, payload, due_at, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Kind, t.OwnerID, t.Version, string(t.Payload), utc(t.DueAt), TimerPending, now).Error; err != nil {
		return fmt.Errorf("insert timer: %w", err)
	}
	return nil
}

// ClaimDueTimers leases up to limit pending timers due by now, so that no
// other scheduler fires them until the lease ends. The caller publishes each
// wake and then calls MarkTimersFired; a crash in between repeats the wake
// once the lease runs out, never loses it.
func (s *Store) ClaimDueTimers(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Timer, error) {
	now = utc(now)
	until := now.Add(lease)
	var out []Timer
	claim := func(tx *gorm.DB) error {
		out = nil
		var rows []struct {
			ID      string
			Kind    string
			OwnerID string
			Version int
			Payload string
			DueAt   time.Time
		}
		q := `SELECT id, kind, owner_id, version, payload, due_at FROM timers
WHERE status = ? AND due_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY due_at LIMIT ?`
		if s.dialect == Postgres {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		if err := tx.Raw(q, TimerPending, now, now, limit).Find(&rows).Error; err != nil {
			return fmt.Errorf("due timers: %w", err)
		}
		for _, r := range rows {
			if err := tx.Exec(`UPDATE timers SET lease_until = ? WHERE id = ?`, until, r.ID).Error; err != nil {
				return fmt.Errorf("lease timer: %w", err)
			}
			out = append(out, Timer{ID: r.ID, Kind: r.Kind, OwnerID: r.OwnerID, Version: r.Version, Payload: json.RawMessage(r.Payload), DueAt: r.DueAt})
		}
		return nil
	}
	// SQLite's write transactions begin IMMEDIATE (see Open), which is what
	// makes the select-then-lease atomic there; Postgres uses SKIP LOCKED.
	if err := s.db.WithContext(ctx).Transaction(claim); err != nil {
		return nil, fmt.Errorf("store: claim timers: %w", err)
	}
	return out, nil
}

// MarkTimersFired records that the timers' wakes were published.
func (s *Store) MarkTimersFired(ctx context.Context, ids []string, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.batch.Do(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE timers SET status = ?, fired_at = ? WHERE id IN ?`, TimerFired, utc(now), ids).Error
	})
	if err != nil {
		return fmt.Errorf("store: mark timers fired: %w", err)
	}
	return nil
}

// NextTimerDue returns the earliest pending timer's due time.
func (s *Store) NextTimerDue(ctx context.Context) (time.Time, bool, error) {
	var due []time.Time
	if err := s.db.WithContext(ctx).Raw(`SELECT due_at FROM timers WHERE status = ? ORDER BY due_at LIMIT 1`, TimerPending).Find(&due).Error; err != nil {
		return time.Time{}, false, fmt.Errorf("store: next timer: %w", err)
	}
	if len(due) == 0 {
		return time.Time{}, false, nil
	}
	return due[0], true, nil
}
