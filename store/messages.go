package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Message statuses, in the order a message moves through them. A status
// never moves back: a late "sent" after "read" changes nothing but its own
// timestamp. "failed" ranks above sent and below delivered.
const (
	MessageAccepted  = "accepted"
	MessageSent      = "sent"
	MessageDelivered = "delivered"
	MessageRead      = "read"
	MessageFailed    = "failed"
)

// messageStatusColumn is the timestamp column of each status.
var messageStatusColumn = map[string]string{
	MessageAccepted:  "accepted_at",
	MessageSent:      "sent_at",
	MessageDelivered: "delivered_at",
	MessageRead:      "read_at",
	MessageFailed:    "failed_at",
}

// statusRank is an SQL expression ranking the status in col.
func statusRank(col string) string {
	return `CASE ` + col + ` WHEN 'accepted' THEN 0 WHEN 'sent' THEN 10 WHEN 'failed' THEN 15 WHEN 'delivered' THEN 20 WHEN 'read' THEN 30 ELSE -1 END`
}

// Message is one outbound message and its delivery state.
type Message struct {
	ID               string     `json:"id" gorm:"primaryKey"`
	Connector        string     `json:"connector"`
	ContactID        *string    `json:"contact_id,omitempty"`
	RunID            *string    `json:"run_id,omitempty"`
	StepID           *string    `json:"step_id,omitempty"`
	Pipeline         *string    `json:"pipeline,omitempty"`
	Action           *string    `json:"action,omitempty"`
	Template         *string    `json:"template,omitempty"`
	TemplateLanguage *string    `json:"template_language,omitempty"`
	Purpose          *string    `json:"purpose,omitempty"`
	Status           string     `json:"status"`
	ErrorCode        *string    `json:"error_code,omitempty"`
	ErrorTitle       *string    `json:"error_title,omitempty"`
	AcceptedAt       *time.Time `json:"accepted_at,omitempty"`
	SentAt           *time.Time `json:"sent_at,omitempty"`
	DeliveredAt      *time.Time `json:"delivered_at,omitempty"`
	ReadAt           *time.Time `json:"read_at,omitempty"`
	FailedAt         *time.Time `json:"failed_at,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// TableName implements gorm's Tabler.
func (Message) TableName() string { return "messages" }

// SentMessage is what a connector knows when its provider accepts a send.
type SentMessage struct {
	ID, Connector, ContactID, RunID, StepID, Pipeline, Action string
	Template, TemplateLanguage, Purpose                       string
	AcceptedAt                                                time.Time
}

// RecordSentMessage keeps an accepted send. When a status webhook came
// first, the row it created gains the send's details and keeps its status.
func (s *Store) RecordSentMessage(ctx context.Context, m SentMessage, now time.Time) error {
	err := s.batch.Do(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO messages (id, connector, contact_id, run_id, step_id, pipeline, action, template, template_language, purpose, status, accepted_at, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'accepted', ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET contact_id = excluded.contact_id, run_id = excluded.run_id, step_id = excluded.step_id,
  pipeline = excluded.pipeline, action = excluded.action, template = excluded.template, template_language = excluded.template_language,
  purpose = excluded.purpose, accepted_at = excluded.accepted_at, updated_at = excluded.updated_at`,
			m.ID, m.Connector, nullable(m.ContactID), nullable(m.RunID), nullable(m.StepID), nullable(m.Pipeline), nullable(m.Action),
			nullable(m.Template), nullable(m.TemplateLanguage), nullable(m.Purpose), utc(m.AcceptedAt), utc(now), utc(now)).Error
	})
	if err != nil {
		return fmt.Errorf("store: record sent message: %w", err)
	}
	return nil
}

// MessageStatusUpdate is one delivery status from a provider's webhook.
type MessageStatusUpdate struct {
	ID, Connector, Status string
	At                    time.Time
	ErrorCode, ErrorTitle string
}

// RecordMessageStatus keeps a delivery status on its message (creating the
// row when the status arrives before the send was recorded). Repeats and
// out-of-order statuses are harmless: each status keeps its first time, and
// the message's status only moves forward. An unknown status is an error.
func (s *Store) RecordMessageStatus(ctx context.Context, u MessageStatusUpdate, now time.Time) error {
	col, ok := messageStatusColumn[u.Status]
	if !ok {
		return fmt.Errorf("store: unknown message status %q", u.Status)
	}
	at := utc(u.At)
	if u.At.IsZero() {
		at = utc(now)
	}
	err := s.batch.Do(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO messages (id, connector, status, error_code, error_title, `+col+`, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
  `+col+` = COALESCE(messages.`+col+`, excluded.`+col+`),
  status = CASE WHEN `+statusRank("excluded.status")+` > `+statusRank("messages.status")+` THEN excluded.status ELSE messages.status END,
  error_code = COALESCE(excluded.error_code, messages.error_code),
  error_title = COALESCE(excluded.error_title, messages.error_title),
  updated_at = excluded.updated_at`,
			u.ID, u.Connector, u.Status, nullable(u.ErrorCode), nullable(u.ErrorTitle), at, utc(now), utc(now)).Error
	})
	if err != nil {
		return fmt.Errorf("store: record message status: %w", err)
	}
	return nil
}

// GetMessage returns one message by its provider id.
func (s *Store) GetMessage(ctx context.Context, id string) (Message, error) {
	var m Message
	res := s.db.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&m)
	if res.Error != nil {
		return Message{}, fmt.Errorf("store: get message: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return Message{}, ErrNotFound
	}
	return m, nil
}

// MessageFilter selects messages.
type MessageFilter struct {
	RunID     string
	ContactID string
	Status    string
	Limit     int
}

// ListMessages returns messages, newest first.
func (s *Store) ListMessages(ctx context.Context, f MessageFilter) ([]Message, error) {
	q := s.db.WithContext(ctx).Model(&Message{})
	if f.RunID != "" {
		q = q.Where("run_id = ?", f.RunID)
	}
	if f.ContactID != "" {
		q = q.Where("contact_id = ?", f.ContactID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 500
	}
	var ms []Message
	if err := q.Order("created_at DESC, id DESC").Limit(limit).Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("store: list messages: %w", err)
	}
	return ms, nil
}

// MessageCounts counts messages by status.
func (s *Store) MessageCounts(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT status, COUNT(*) AS n FROM messages GROUP BY status`).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: count messages: %w", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}
