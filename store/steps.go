package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/switchboardhq/switchboard/event"
)

// StepClaim asks to run one step of a run.
type StepClaim struct {
	RunID     string
	StepID    string
	StepIndex int
	Action    string
	// LeaseUntil is how long the claimer may hold the step before another
	// worker may take it over (a crashed worker's lease runs out).
	LeaseUntil time.Time
}

// ClaimStep marks a step running for the caller and returns its attempt
// number. ok is false, with no error, when the step must not run now: it has
// already succeeded or ended, another worker holds a live lease on it, its
// retry is not due yet, or its run is no longer running. This is what keeps a
// redelivered step from calling a connector twice.
func (s *Store) ClaimStep(ctx context.Context, c StepClaim, now time.Time) (attempts int, ok bool, err error) {
	now = utc(now)
	lease := utc(c.LeaseUntil)
	err = s.batch.Do(ctx, func(tx *gorm.DB) error {
		attempts, ok = 0, false
		// One statement: insert the claim only while the run is running at
		// this step, or take over a claim that is due (a pending step, a
		// retry whose time has come, or a dead worker's expired lease).
		var got []int
		err := tx.Raw(`INSERT INTO step_results (run_id, step_id, step_index, action, status, attempts, lease_until, started_at)
SELECT id, ?, ?, ?, ?, 1, ?, ? FROM runs WHERE id = ? AND status = ? AND step_index = ?
ON CONFLICT (run_id, step_id) DO UPDATE SET status = excluded.status, attempts = step_results.attempts + 1,
  lease_until = excluded.lease_until, started_at = excluded.started_at
WHERE (step_results.status IN (?, ?) AND (step_results.lease_until IS NULL OR step_results.lease_until <= ?))
   OR (step_results.status = ? AND step_results.lease_until < ?)
RETURNING attempts`,
			c.StepID, c.StepIndex, c.Action, StepRunning, lease, now, c.RunID, RunRunning, c.StepIndex,
			StepPending, StepRetrying, now, StepRunning, now).Find(&got).Error
		if err != nil {
			return fmt.Errorf("claim step: %w", err)
		}
		if len(got) == 1 {
			attempts, ok = got[0], true
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: claim step %s/%s: %w", c.RunID, c.StepID, err)
	}
	return attempts, ok, nil
}

// StepOutcome is how a claimed step ended and what becomes of its run.
type StepOutcome struct {
	RunID     string
	StepID    string
	StepIndex int
	Action    string
	Pipeline  string
	// Status is one of StepSucceeded, StepSkipped, StepFailed (ended, run
	// goes on), StepRetrying, StepDead, StepBlocked.
	Status     string
	Attempts   int
	Inputs     any
	Output     any
	Error      string
	ErrorClass string
	// RetryAt, with StepRetrying, is when the retry timer fires.
	RetryAt time.Time
	// Next is the run's next step index when it goes on; RunStatus is the
	// run's status after this step (RunRunning to go on).
	Next      int
	RunStatus string
	RunError  string
}

// CompleteStep records a claimed step's outcome and moves its run on, in one
// shared transaction: a retry also stores its timer, a dead step also stores
// its dead letter. It returns the dead letter's id, if one was made.
func (s *Store) CompleteStep(ctx context.Context, o StepOutcome, now time.Time) (deadLetterID string, err error) {
	now = utc(now)
	inputs, err := jsonOrNil(o.Inputs)
	if err != nil {
		return "", err
	}
	output, err := jsonOrNil(o.Output)
	if err != nil {
		return "", err
	}
	err = s.batch.Do(ctx, func(tx *gorm.DB) error {
		deadLetterID = ""
		var lease, finished *time.Time
		switch o.Status {
		case StepRetrying:
			t := utc(o.RetryAt)
			lease = &t
		default:
			finished = &now
		}
		if err := tx.Exec(`INSERT INTO step_results (run_id, step_id, step_index, action, status, attempts, inputs, output, error, error_class, lease_until, started_at, finished_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (run_id, step_id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, inputs = excluded.inputs,
  output = excluded.output, error = excluded.error, error_class = excluded.error_class, lease_until = excluded.lease_until,
  finished_at = excluded.finished_at`,
			o.RunID, o.StepID, o.StepIndex, o.Action, o.Status, o.Attempts, inputs, output, o.Error, o.ErrorClass, lease, now, finished).Error; err != nil {
			return fmt.Errorf("record step: %w", err)
		}
		switch o.Status {
		case StepRetrying:
			payload, _ := json.Marshal(StepTimerPayload{RunID: o.RunID, Pipeline: o.Pipeline, StepID: o.StepID, StepIndex: o.StepIndex})
			if err := insertTimer(tx, Timer{
				ID: event.NewIDAt(now), Kind: TimerStep, OwnerID: o.RunID, Payload: payload, DueAt: utc(o.RetryAt),
			}, now); err != nil {
				return err
			}
			return touchRun(tx, o.RunID, RunRunning, o.StepIndex, "", nil, now)
		case StepDead:
			deadLetterID = event.NewIDAt(now)
			if err := tx.Exec(`INSERT INTO dead_letters (id, run_id, step_id, pipeline, action, reason, error, attempts, status, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, deadLetterID, o.RunID, o.StepID, o.Pipeline, o.Action, o.ErrorClass, o.Error, o.Attempts, DeadLetterDead, now).Error; err != nil {
				return fmt.Errorf("record dead letter: %w", err)
			}
		}
		var finishedAt *time.Time
		if o.RunStatus != RunRunning {
			finishedAt = &now
		}
		return touchRun(tx, o.RunID, o.RunStatus, o.Next, o.RunError, finishedAt, now)
	})
	if err != nil {
		return "", fmt.Errorf("store: complete step %s/%s: %w", o.RunID, o.StepID, err)
	}
	return deadLetterID, nil
}

func touchRun(tx *gorm.DB, runID, status string, index int, runErr string, finished *time.Time, now time.Time) error {
	if err := tx.Exec(`UPDATE runs SET status = ?, step_index = ?, error = ?, finished_at = ?, updated_at = ? WHERE id = ?`,
		status, index, runErr, finished, now, runID).Error; err != nil {
		return fmt.Errorf("update run %s: %w", runID, err)
	}
	return nil
}

// StepRef names a step that should run.
type StepRef struct {
	RunID     string
	Pipeline  string
	StepIndex int
}

// StaleSteps returns running runs, not touched since before, whose current
// step has no live claim and no pending retry: the recovery sweep
// re-publishes them.
func (s *Store) StaleSteps(ctx context.Context, before, now time.Time, limit int) ([]StepRef, error) {
	var refs []StepRef
	err := s.db.WithContext(ctx).Raw(`SELECT r.id AS run_id, r.pipeline, r.step_index FROM runs r
LEFT JOIN step_results sr ON sr.run_id = r.id AND sr.step_index = r.step_index
WHERE r.status = ? AND r.updated_at <= ?
  AND (sr.run_id IS NULL OR sr.status = ? OR (sr.status = ? AND sr.lease_until < ?))
ORDER BY r.updated_at LIMIT ?`, RunRunning, utc(before), StepPending, StepRunning, utc(now), limit).Find(&refs).Error
	if err != nil {
		return nil, fmt.Errorf("store: stale steps: %w", err)
	}
	return refs, nil
}

func jsonOrNil(v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		s := string(raw)
		return &s, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("store: encode json: %w", err)
	}
	s := string(b)
	return &s, nil
}
