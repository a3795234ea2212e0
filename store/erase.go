package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ErasedData replaces the data of an erased contact's events.
const ErasedData = `{"erased":true}`

// EraseContact removes a contact's personal details everywhere the hub
// keeps them: the contact's name, phone, email and provider ids, its
// identities, the data, raw body and contact of its events (message text
// included), the inputs and outputs of its runs' steps, and its outbox
// entries' parameters. What stays: the contact row (erased_at set), its
// runs and messages as ids, statuses and times, and its consent records,
// which never held a phone or email in clear (only a keyed hash), so an
// opted-out person who comes back is still opted out.
func (s *Store) EraseContact(ctx context.Context, id string, now time.Time) error {
	err := s.batch.Do(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE contacts SET phone = NULL, email = NULL, first_name = '', last_name = '', provider_ids = '{}',
  last_inbound_at = NULL, erased_at = ?, updated_at = ? WHERE id = ?`, utc(now), utc(now), id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		for _, q := range []string{
			`DELETE FROM contact_identities WHERE contact_id = ?`,
			`UPDATE events SET data = '` + ErasedData + `', raw = NULL, contact = NULL WHERE contact_id = ?`,
			`UPDATE step_results SET inputs = NULL, output = NULL WHERE run_id IN (SELECT id FROM runs WHERE contact_id = ?)`,
			`UPDATE outbox SET params = '{}' WHERE run_id IN (SELECT id FROM runs WHERE contact_id = ?)`,
		} {
			if err := tx.Exec(q, id).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: erase contact %s: %w", id, err)
	}
	return nil
}

// ContactEvents returns the events routed to a contact, oldest first.
func (s *Store) ContactEvents(ctx context.Context, id string, limit int) ([]map[string]any, error) {
	var rows []eventRow
	if err := s.db.WithContext(ctx).Where("contact_id = ?", id).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: contact events: %w", err)
	}
	out := make([]map[string]any, 0, len(rows))
	for i := range rows {
		ev, err := rows[i].toEvent()
		if err != nil {
			return nil, err
		}
		out = append(out, map[string]any{"id": ev.ID, "source": ev.Source, "type": ev.Type, "time": ev.Time, "data": ev.Data, "received_at": rows[i].ReceivedAt})
	}
	return out, nil
}

// ContactRuns returns a contact's runs with their steps, newest first.
func (s *Store) ContactRuns(ctx context.Context, id string, limit int) ([]Run, error) {
	var runs []Run
	if err := s.db.WithContext(ctx).Where("contact_id = ?", id).Order("id DESC").Limit(limit).Find(&runs).Error; err != nil {
		return nil, fmt.Errorf("store: contact runs: %w", err)
	}
	for i := range runs {
		if err := s.db.WithContext(ctx).Where("run_id = ?", runs[i].ID).Order("step_index").Find(&runs[i].Steps).Error; err != nil {
			return nil, fmt.Errorf("store: contact runs: %w", err)
		}
	}
	return runs, nil
}
