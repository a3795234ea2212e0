package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Template is one provider message template as last synced.
type Template struct {
	Connector       string    `json:"connector" gorm:"primaryKey"`
	Name            string    `json:"name" gorm:"primaryKey"`
	Language        string    `json:"language" gorm:"primaryKey"`
	ID              string    `json:"id"`
	Category        string    `json:"category"`
	Status          string    `json:"status"`
	Quality         string    `json:"quality"`
	Reason          string    `json:"reason"`
	ParameterFormat string    `json:"parameter_format"`
	Components      JSON      `json:"components"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// TableName implements gorm's Tabler.
func (Template) TableName() string { return "templates" }

// ReplaceTemplates swaps a connector's templates for ts and notes the sync.
func (s *Store) ReplaceTemplates(ctx context.Context, connector string, ts []Template, now time.Time) error {
	err := s.batch.Do(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM templates WHERE connector = ?`, connector).Error; err != nil {
			return err
		}
		for _, t := range ts {
			var comps *string
			if len(t.Components) > 0 {
				c := string(t.Components)
				comps = &c
			}
			if err := tx.Exec(`INSERT INTO templates (connector, name, language, id, category, status, quality, reason, parameter_format, components, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (connector, name, language) DO NOTHING`,
				connector, t.Name, t.Language, t.ID, t.Category, t.Status, t.Quality, t.Reason, t.ParameterFormat, comps, utc(t.UpdatedAt)).Error; err != nil {
				return err
			}
		}
		return tx.Exec(`INSERT INTO template_syncs (connector, synced_at, count) VALUES (?, ?, ?)
ON CONFLICT (connector) DO UPDATE SET synced_at = excluded.synced_at, count = excluded.count`, connector, utc(now), len(ts)).Error
	})
	if err != nil {
		return fmt.Errorf("store: replace templates: %w", err)
	}
	return nil
}

// LoadTemplates returns a connector's templates and when they were synced
// (the zero time when never).
func (s *Store) LoadTemplates(ctx context.Context, connector string) ([]Template, time.Time, error) {
	var syncs []struct{ SyncedAt time.Time }
	if err := s.db.WithContext(ctx).Raw(`SELECT synced_at FROM template_syncs WHERE connector = ?`, connector).Find(&syncs).Error; err != nil {
		return nil, time.Time{}, fmt.Errorf("store: load templates: %w", err)
	}
	if len(syncs) == 0 {
		return nil, time.Time{}, nil
	}
	var ts []Template
	if err := s.db.WithContext(ctx).Where("connector = ?", connector).Order("name, language").Find(&ts).Error; err != nil {
		return nil, time.Time{}, fmt.Errorf("store: load templates: %w", err)
	}
	return ts, syncs[0].SyncedAt, nil
}
