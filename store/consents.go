package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/switchboardhq/switchboard/event"
)

// Consent statuses.
const (
	ConsentOptedIn  = "opted_in"
	ConsentOptedOut = "opted_out"
	ConsentPending  = "pending"
)

// ConsentRecord is one row of the consent audit log.
type ConsentRecord struct {
	ID          string    `json:"id" gorm:"primaryKey"`
	ContactID   *string   `json:"contact_id,omitempty"`
	SubjectHash string    `json:"-"`
	Channel     string    `json:"channel"`
	Purpose     string    `json:"purpose"`
	Status      string    `json:"status"`
	Source      string    `json:"source"`
	Words       string    `json:"words,omitempty"`
	FormID      string    `json:"form_id,omitempty"`
	IP          string    `json:"ip,omitempty"`
	UserAgent   string    `json:"user_agent,omitempty"`
	EventID     string    `json:"event_id,omitempty"`
	GivenAt     time.Time `json:"given_at"`
	RecordedAt  time.Time `json:"recorded_at"`
}

// TableName implements gorm's Tabler.
func (ConsentRecord) TableName() string { return "consent_events" }

// RecordConsent appends r to the audit log. A record carrying an EventID is
// kept once per event, channel and purpose, so a redelivered event changes
// nothing. It returns whether a row was added.
func (s *Store) RecordConsent(ctx context.Context, r ConsentRecord, now time.Time) (bool, error) {
	var added bool
	err := s.batch.Do(ctx, func(tx *gorm.DB) error {
		var err error
		added, err = insertConsent(tx, r, now)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: record consent: %w", err)
	}
	return added, nil
}

func insertConsent(tx *gorm.DB, r ConsentRecord, now time.Time) (bool, error) {
	if r.ID == "" {
		r.ID = event.NewIDAt(now)
	}
	if r.GivenAt.IsZero() {
		r.GivenAt = now
	}
	res := tx.Exec(`INSERT INTO consent_events (id, contact_id, subject_hash, channel, purpose, status, source, words, form_id, ip, user_agent, event_id, given_at, recorded_at)
SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
WHERE ? = '' OR NOT EXISTS (SELECT 1 FROM consent_events WHERE event_id = ? AND channel = ? AND purpose = ?)`,
		r.ID, r.ContactID, r.SubjectHash, r.Channel, r.Purpose, r.Status, r.Source, r.Words, r.FormID, r.IP, r.UserAgent, r.EventID,
		utc(r.GivenAt), utc(now), r.EventID, r.EventID, r.Channel, r.Purpose)
	if res.Error != nil {
		return false, res.Error
	}
	return res.RowsAffected == 1, nil
}

// ConsentHistory returns a contact's consent records, oldest first, with
// those recorded for the same subject (its phone or email, hashed) before
// the contact existed or after it was erased.
func (s *Store) ConsentHistory(ctx context.Context, contactID string, subjectHashes ...string) ([]ConsentRecord, error) {
	q := s.db.WithContext(ctx).Where("contact_id = ?", contactID)
	if len(subjectHashes) > 0 {
		q = q.Or("subject_hash IN ?", subjectHashes)
	}
	var rs []ConsentRecord
	if err := q.Order("given_at, id").Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("store: consent history: %w", err)
	}
	sortConsent(rs)
	return rs, nil
}

// sortConsent orders records by when they were given, to the second (the
// precision providers send, WhatsApp's timestamps among them), then by when
// they were recorded: an opt-in posted at 10:00:05.7 and a STOP sent at
// 10:00:05 that arrived after it end opted out.
func sortConsent(rs []ConsentRecord) {
	slices.SortStableFunc(rs, func(a, b ConsentRecord) int {
		if c := a.GivenAt.Truncate(time.Second).Compare(b.GivenAt.Truncate(time.Second)); c != 0 {
			return c
		}
		if c := a.RecordedAt.Compare(b.RecordedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// CurrentConsent returns the latest record per purpose on one channel for
// a contact or its subject hash (so an erased, opted-out person who comes
// back as a new contact is still opted out).
func (s *Store) CurrentConsent(ctx context.Context, contactID, subjectHash, channel string) (map[string]ConsentRecord, error) {
	var rs []ConsentRecord
	q := s.db.WithContext(ctx).Where("channel = ? AND (contact_id = ? OR subject_hash = ?)", channel, contactID, subjectHash)
	if err := q.Order("given_at, id").Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("store: current consent: %w", err)
	}
	sortConsent(rs)
	out := map[string]ConsentRecord{}
	for _, r := range rs {
		out[r.Purpose] = r
	}
	return out, nil
}

// MarketingSends returns when a contact's marketing messages on a
// connector were accepted by the provider since `since`.
func (s *Store) MarketingSends(ctx context.Context, contactID, connector string, since time.Time) ([]time.Time, error) {
	var rows []struct{ AcceptedAt time.Time }
	err := s.db.WithContext(ctx).Raw(`SELECT accepted_at FROM messages WHERE contact_id = ? AND connector = ? AND purpose = 'marketing' AND accepted_at >= ?`,
		contactID, connector, utc(since)).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: marketing sends: %w", err)
	}
	out := make([]time.Time, len(rows))
	for i, r := range rows {
		out[i] = r.AcceptedAt
	}
	return out, nil
}

// Secret returns the named random secret kept in the database, creating it
// (32 random bytes) on first use; every instance sharing the database sees
// the same value.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("store: secret: %w", err)
	}
	err := s.batch.Do(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, name, hex.EncodeToString(b)).Error
	})
	if err != nil {
		return nil, fmt.Errorf("store: secret: %w", err)
	}
	var rows []struct{ Value string }
	if err := s.db.WithContext(ctx).Raw(`SELECT value FROM settings WHERE key = ?`, name).Find(&rows).Error; err != nil || len(rows) != 1 {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	v, err := hex.DecodeString(rows[0].Value)
	if err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	return v, nil
}
