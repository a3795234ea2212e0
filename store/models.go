package store

import (
	"errors"
	"fmt"
	"time"
)

// Errors callers steer on.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)

// Event statuses.
const (
	EventAccepted = "accepted"
	EventRouted   = "routed"
)

// Run statuses.
const (
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
	RunBlocked   = "blocked"
)

// Step statuses.
const (
	StepPending   = "pending"
	StepRunning   = "running"
	StepRetrying  = "retrying"
	StepSucceeded = "succeeded"
	StepSkipped   = "skipped"
	StepFailed    = "failed"
	StepDead      = "dead"
	StepBlocked   = "blocked"
)

// Dead-letter statuses.
const (
	DeadLetterDead     = "dead"
	DeadLetterReplayed = "replayed"
)

// eventRow is the events table.
type eventRow struct {
	ID         string `gorm:"primaryKey"`
	Source     string
	Type       string
	Subject    string
	DedupKey   string
	Time       time.Time
	Data       string
	Raw        *string
	Contact    *string
	ContactID  *string
	Status     string
	ReceivedAt time.Time
	RoutedAt   *time.Time
}

func (eventRow) TableName() string { return "events" }

// Run is one pipeline's execution for one event.
type Run struct {
	ID         string       `json:"id" gorm:"primaryKey"`
	EventID    string       `json:"event_id"`
	Pipeline   string       `json:"pipeline"`
	ContactID  *string      `json:"contact_id,omitempty"`
	Status     string       `json:"status"`
	StepIndex  int          `json:"step_index"`
	Error      string       `json:"error,omitempty"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
	FinishedAt *time.Time   `json:"finished_at,omitempty"`
	Steps      []StepResult `json:"steps,omitempty" gorm:"-"`
}

// TableName implements gorm's Tabler.
func (Run) TableName() string { return "runs" }

// StepResult is the record of one step of a run.
type StepResult struct {
	RunID      string     `json:"run_id" gorm:"primaryKey"`
	StepID     string     `json:"step_id" gorm:"primaryKey"`
	StepIndex  int        `json:"step_index"`
	Action     string     `json:"action"`
	Status     string     `json:"status"`
	Attempts   int        `json:"attempts"`
	Inputs     JSON       `json:"inputs,omitempty"`
	Output     JSON       `json:"output,omitempty"`
	Error      string     `json:"error,omitempty"`
	ErrorClass string     `json:"error_class,omitempty"`
	LeaseUntil *time.Time `json:"-"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// TableName implements gorm's Tabler.
func (StepResult) TableName() string { return "step_results" }

// OutboxEntry is one call a sandboxed connector recorded instead of making.
type OutboxEntry struct {
	ID        string    `json:"id" gorm:"primaryKey"`
	Connector string    `json:"connector"`
	Action    string    `json:"action"`
	RunID     string    `json:"run_id"`
	StepID    string    `json:"step_id"`
	Params    JSON      `json:"params"`
	CreatedAt time.Time `json:"created_at"`
}

// TableName implements gorm's Tabler.
func (OutboxEntry) TableName() string { return "outbox" }

// DeadLetter is a step that failed for good; it can be replayed.
type DeadLetter struct {
	ID         string     `json:"id" gorm:"primaryKey"`
	RunID      string     `json:"run_id"`
	StepID     string     `json:"step_id"`
	Pipeline   string     `json:"pipeline"`
	Action     string     `json:"action"`
	Reason     string     `json:"reason,omitempty"`
	Error      string     `json:"error"`
	Attempts   int        `json:"attempts"`
	Status     string     `json:"status"`
	CreatedAt  time.Time  `json:"created_at"`
	ReplayedAt *time.Time `json:"replayed_at,omitempty"`
}

// TableName implements gorm's Tabler.
func (DeadLetter) TableName() string { return "dead_letters" }

// Page bounds a listing: at most Limit rows with ids below Cursor (newest
// first); an empty Cursor starts at the newest.
type Page struct {
	Limit  int
	Cursor string
}

func (p Page) limit() int {
	if p.Limit <= 0 || p.Limit > 500 {
		return 50
	}
	return p.Limit
}

// utc normalizes times so SQLite's text timestamps compare in order.
func utc(t time.Time) time.Time { return t.UTC() }

// JSON is a JSON document column: text in SQLite, jsonb in Postgres. It
// marshals as the document itself.
type JSON []byte

// Scan implements sql.Scanner.
func (j *JSON) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*j = nil
	case string:
		*j = JSON(v)
	case []byte:
		*j = append(JSON(nil), v...)
	default:
		return fmt.Errorf("store: cannot scan %T into JSON", src)
	}
	return nil
}

// MarshalJSON implements json.Marshaler.
func (j JSON) MarshalJSON() ([]byte, error) {
	if len(j) == 0 {
		return []byte("null"), nil
	}
	return j, nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (j *JSON) UnmarshalJSON(b []byte) error {
	*j = append(JSON(nil), b...)
	return nil
}
