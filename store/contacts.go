package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"gorm.io/gorm"

	"github.com/switchboardhq/switchboard/event"
)

// ContactInput is what an event says about a person, already normalized:
// Phone in E.164, Email lower-cased.
type ContactInput struct {
	Phone       string
	Email       string
	FirstName   string
	LastName    string
	ProviderIDs map[string]string
	InboundAt   *time.Time
}

func (c *ContactInput) empty() bool {
	return c.Phone == "" && c.Email == "" && len(c.ProviderIDs) == 0
}

type contactRow struct {
	ID            string
	Phone         *string
	Email         *string
	FirstName     string
	LastName      string
	ProviderIDs   string
	LastInboundAt *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (contactRow) TableName() string { return "contacts" }

func (r *contactRow) toContact() (*event.Contact, error) {
	c := &event.Contact{ID: r.ID, FirstName: r.FirstName, LastName: r.LastName, LastInbound: r.LastInboundAt}
	if r.Phone != nil {
		c.Phone = *r.Phone
	}
	if r.Email != nil {
		c.Email = *r.Email
	}
	if r.ProviderIDs != "" {
		if err := json.Unmarshal([]byte(r.ProviderIDs), &c.ProviderIDs); err != nil {
			return nil, fmt.Errorf("contact %s provider ids: %w", r.ID, err)
		}
	}
	if c.ProviderIDs == nil {
		c.ProviderIDs = map[string]string{}
	}
	return c, nil
}

const contactColumns = `id, phone, email, first_name, last_name, provider_ids, last_inbound_at, created_at, updated_at`

func findContact(tx *gorm.DB, where string, args ...any) (*contactRow, error) {
	var rows []contactRow
	if err := tx.Raw(`SELECT `+contactColumns+` FROM contacts WHERE `+where+` LIMIT 1`, args...).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("find contact: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// upsertContact resolves in a person to one contact row, by phone, then
// email, then a provider id, creating it when none matches. A concurrent
// creation of the same person is settled by the unique constraints: the
// insert does nothing and the row is read again.
func upsertContact(tx *gorm.DB, in *ContactInput, now time.Time) (*event.Contact, error) {
	row, err := resolveContact(tx, in)
	if err != nil {
		return nil, err
	}
	if row == nil {
		row, err = insertContact(tx, in, now)
		if err != nil {
			return nil, err
		}
	} else if err := mergeContact(tx, row, in, now); err != nil {
		return nil, err
	}
	for provider, id := range in.ProviderIDs {
		if err := tx.Exec(`INSERT INTO contact_identities (provider, external_id, contact_id) VALUES (?, ?, ?)
ON CONFLICT (provider, external_id) DO NOTHING`, provider, id, row.ID).Error; err != nil {
			return nil, fmt.Errorf("contact identity %s: %w", provider, err)
		}
	}
	return row.toContact()
}

func resolveContact(tx *gorm.DB, in *ContactInput) (*contactRow, error) {
	if in.Phone != "" {
		if r, err := findContact(tx, "phone = ?", in.Phone); r != nil || err != nil {
			return r, err
		}
	}
	if in.Email != "" {
		if r, err := findContact(tx, "email = ?", in.Email); r != nil || err != nil {
			return r, err
		}
	}
	for provider, id := range in.ProviderIDs {
		r, err := findContact(tx, "id = (SELECT contact_id FROM contact_identities WHERE provider = ? AND external_id = ?)", provider, id)
		if r != nil || err != nil {
			return r, err
		}
	}
	return nil, nil
}

func insertContact(tx *gorm.DB, in *ContactInput, now time.Time) (*contactRow, error) {
	ids, err := json.Marshal(nonNilStrings(in.ProviderIDs))
	if err != nil {
		return nil, fmt.Errorf("contact provider ids: %w", err)
	}
	row := &contactRow{
		ID: event.NewIDAt(now), Phone: nullable(in.Phone), Email: nullable(in.Email),
		FirstName: in.FirstName, LastName: in.LastName, ProviderIDs: string(ids),
		LastInboundAt: utcPtr(in.InboundAt), CreatedAt: now, UpdatedAt: now,
	}
	res := tx.Exec(`INSERT INTO contacts (`+contactColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		row.ID, row.Phone, row.Email, row.FirstName, row.LastName, row.ProviderIDs, row.LastInboundAt, row.CreatedAt, row.UpdatedAt)
	if res.Error != nil {
		return nil, fmt.Errorf("insert contact: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return row, nil
	}
	// Another transaction created this person first.
	existing, err := resolveContact(tx, in)
	if err != nil {
		return nil, err
	}
	if existing == nil {
		return nil, fmt.Errorf("insert contact: conflicting row vanished: %w", ErrConflict)
	}
	return existing, mergeContact(tx, existing, in, now)
}

// mergeContact fills what the row lacks from in, and moves the last inbound
// time forward. A phone or email that belongs to another contact is left
// alone rather than stolen.
func mergeContact(tx *gorm.DB, row *contactRow, in *ContactInput, now time.Time) error {
	changed := false
	if row.Phone == nil && in.Phone != "" {
		if other, err := findContact(tx, "phone = ?", in.Phone); err != nil {
			return err
		} else if other == nil {
			row.Phone, changed = nullable(in.Phone), true
		}
	}
	if row.Email == nil && in.Email != "" {
		if other, err := findContact(tx, "email = ?", in.Email); err != nil {
			return err
		} else if other == nil {
			row.Email, changed = nullable(in.Email), true
		}
	}
	if row.FirstName == "" && in.FirstName != "" {
		row.FirstName, changed = in.FirstName, true
	}
	if row.LastName == "" && in.LastName != "" {
		row.LastName, changed = in.LastName, true
	}
	if len(in.ProviderIDs) > 0 {
		ids := map[string]string{}
		if row.ProviderIDs != "" {
			if err := json.Unmarshal([]byte(row.ProviderIDs), &ids); err != nil {
				return fmt.Errorf("contact %s provider ids: %w", row.ID, err)
			}
		}
		before := len(ids)
		merged := maps.Clone(ids)
		for k, v := range in.ProviderIDs {
			if _, ok := merged[k]; !ok {
				merged[k] = v
			}
		}
		if len(merged) != before {
			b, err := json.Marshal(merged)
			if err != nil {
				return fmt.Errorf("contact provider ids: %w", err)
			}
			row.ProviderIDs, changed = string(b), true
		}
	}
	if in.InboundAt != nil && (row.LastInboundAt == nil || in.InboundAt.After(*row.LastInboundAt)) {
		row.LastInboundAt, changed = utcPtr(in.InboundAt), true
	}
	if !changed {
		return nil
	}
	row.UpdatedAt = now
	if err := tx.Exec(`UPDATE contacts SET phone = ?, email = ?, first_name = ?, last_name = ?, provider_ids = ?, last_inbound_at = ?, updated_at = ? WHERE id = ?`,
		row.Phone, row.Email, row.FirstName, row.LastName, row.ProviderIDs, row.LastInboundAt, row.UpdatedAt, row.ID).Error; err != nil {
		return fmt.Errorf("update contact %s: %w", row.ID, err)
	}
	return nil
}

// GetContact returns a contact by id.
func (s *Store) GetContact(ctx context.Context, id string) (*event.Contact, error) {
	row, err := findContact(s.db.WithContext(ctx), "id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if row == nil {
		return nil, ErrNotFound
	}
	return row.toContact()
}

// CountContacts counts contacts (tests and metrics).
func (s *Store) CountContacts(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&contactRow{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count contacts: %w", err)
	}
	return n, nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func nonNilStrings(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
