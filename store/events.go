package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/switchboardhq/switchboard/event"
)

// AcceptResult says what became of one event handed to InsertEvents.
type AcceptResult struct {
	// EventID is the stored event's id: the new one, or the first delivery's
	// for a duplicate.
	EventID   string
	Duplicate bool
}

// InsertEvents stores events in one shared transaction and returns once it
// has committed. An event whose (source, dedup key) is already stored is not
// stored again; its result names the first delivery's id. Each event must
// carry its ID.
func (s *Store) InsertEvents(ctx context.Context, evs []event.Event, now time.Time) ([]AcceptResult, error) {
	rows := make([]eventRow, len(evs))
	for i := range evs {
		r, err := toEventRow(&evs[i], now)
		if err != nil {
			return nil, err
		}
		rows[i] = r
	}
	results := make([]AcceptResult, len(evs))
	err := s.batch.Do(ctx, func(tx *gorm.DB) error {
		for i := range rows {
			r := &rows[i]
			res := tx.Exec(`INSERT INTO events (id, source, type, subject, dedup_key, time, data, raw, contact, status, received_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, dedup_key) DO NOTHING`,
				r.ID, r.Source, r.Type, r.Subject, r.DedupKey, r.Time, r.Data, r.Raw, r.Contact, EventAccepted, r.ReceivedAt)
			if res.Error != nil {
				return fmt.Errorf("insert event %s/%s: %w", r.Source, r.DedupKey, res.Error)
			}
			if res.RowsAffected == 1 {
				results[i] = AcceptResult{EventID: r.ID}
				continue
			}
			var id string
			if err := tx.Raw(`SELECT id FROM events WHERE source = ? AND dedup_key = ?`, r.Source, r.DedupKey).Find(&id).Error; err != nil {
				return fmt.Errorf("find duplicate event %s/%s: %w", r.Source, r.DedupKey, err)
			}
			results[i] = AcceptResult{EventID: id, Duplicate: true}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: insert events: %w", err)
	}
	return results, nil
}

func toEventRow(e *event.Event, now time.Time) (eventRow, error) {
	data, err := json.Marshal(nonNilMap(e.Data))
	if err != nil {
		return eventRow{}, fmt.Errorf("store: event %s data: %w", e.DedupKey, err)
	}
	r := eventRow{
		ID: e.ID, Source: e.Source, Type: e.Type, Subject: e.Subject, DedupKey: e.DedupKey,
		Time: utc(e.Time), Data: string(data), Status: EventAccepted, ReceivedAt: utc(now),
	}
	if len(e.Raw) > 0 {
		raw := string(e.Raw)
		r.Raw = &raw
	}
	if e.Contact != nil {
		c, err := json.Marshal(e.Contact)
		if err != nil {
			return eventRow{}, fmt.Errorf("store: event %s contact: %w", e.DedupKey, err)
		}
		cs := string(c)
		r.Contact = &cs
	}
	return r, nil
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func (r *eventRow) toEvent() (event.Event, error) {
	e := event.Event{
		ID: r.ID, Source: r.Source, Type: r.Type, Subject: r.Subject,
		Time: r.Time, DedupKey: r.DedupKey,
	}
	if err := json.Unmarshal([]byte(r.Data), &e.Data); err != nil {
		return e, fmt.Errorf("store: event %s data: %w", r.ID, err)
	}
	if r.Raw != nil {
		e.Raw = json.RawMessage(*r.Raw)
	}
	if r.Contact != nil && *r.Contact != "" {
		e.Contact = &event.ContactRef{}
		if err := json.Unmarshal([]byte(*r.Contact), e.Contact); err != nil {
			return e, fmt.Errorf("store: event %s contact: %w", r.ID, err)
		}
	}
	return e, nil
}

// GetEvent returns a stored event and its status.
func (s *Store) GetEvent(ctx context.Context, id string) (event.Event, string, error) {
	var r eventRow
	res := s.db.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&r)
	if res.Error != nil {
		return event.Event{}, "", fmt.Errorf("store: get event: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return event.Event{}, "", ErrNotFound
	}
	e, err := r.toEvent()
	return e, r.Status, err
}

// CountEvents counts stored events (tests and metrics).
func (s *Store) CountEvents(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&eventRow{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count events: %w", err)
	}
	return n, nil
}

// StaleEvents returns events accepted before `before` that no router has
// routed yet, in id order after afterID ("" for the first page): the
// recovery sweep re-publishes them.
func (s *Store) StaleEvents(ctx context.Context, before time.Time, afterID string, limit int) ([]event.Event, error) {
	var rows []eventRow
	err := s.db.WithContext(ctx).Where("status = ? AND received_at <= ? AND id > ?", EventAccepted, utc(before), afterID).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: stale events: %w", err)
	}
	out := make([]event.Event, 0, len(rows))
	for i := range rows {
		e, err := rows[i].toEvent()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// NewRun is a run the router decided to open.
type NewRun struct {
	ID       string
	Pipeline string
	// Error, when set, opens the run as failed with this error (its `when`
	// could not be evaluated); it then has no step to run.
	Error string
}

// Route is what RouteEvent decided and did.
type Route struct {
	Contact *event.Contact
	// Created are the runs opened now (not those a previous delivery opened).
	Created []NewRun
	// AlreadyRouted is true when an earlier delivery routed the event.
	AlreadyRouted bool
}

// DecideFunc chooses, inside the routing transaction, which runs to open for
// an event once its contact is resolved. It must be pure: it may run twice.
type DecideFunc func(c *event.Contact) ([]NewRun, error)

// RouteEvent resolves the event's contact, opens the runs decide chooses and
// marks the event routed, in one shared transaction. Runs are unique per
// (event, pipeline), so a redelivered event opens nothing twice.
func (s *Store) RouteEvent(ctx context.Context, eventID string, ref *ContactInput, decide DecideFunc, now time.Time) (Route, error) {
	return s.RouteEventRecording(ctx, eventID, ref, decide, nil, now)
}

// ConsentFunc returns, inside the routing transaction, the consent records
// an event carries for its resolved contact (nil contact: none resolved).
// It must be pure: it may run twice.
type ConsentFunc func(c *event.Contact) []ConsentRecord

// RouteEventRecording is RouteEvent that also appends the event's consent
// records to the audit log in the same transaction, so a consent change is
// kept exactly when its event is routed.
func (s *Store) RouteEventRecording(ctx context.Context, eventID string, ref *ContactInput, decide DecideFunc, consents ConsentFunc, now time.Time) (Route, error) {
	now = utc(now)
	var out Route
	err := s.batch.Do(ctx, func(tx *gorm.DB) error {
		out = Route{}
		var status string
		if err := tx.Raw(`SELECT status FROM events WHERE id = ?`, eventID).Find(&status).Error; err != nil {
			return fmt.Errorf("event status: %w", err)
		}
		if status == "" {
			return fmt.Errorf("event %s: %w", eventID, ErrNotFound)
		}
		if status == EventRouted {
			out.AlreadyRouted = true
			return nil
		}
		var contactID *string
		if ref != nil && !ref.empty() {
			c, err := upsertContact(tx, ref, now)
			if err != nil {
				return err
			}
			out.Contact = c
			contactID = &c.ID
		}
		if consents != nil {
			for _, r := range consents(out.Contact) {
				r.ContactID = contactID
				if _, err := insertConsent(tx, r, now); err != nil {
					return fmt.Errorf("record consent: %w", err)
				}
			}
		}
		runs, err := decide(out.Contact)
		if err != nil {
			return err
		}
		for _, r := range runs {
			status, finished := RunRunning, (*time.Time)(nil)
			if r.Error != "" {
				status, finished = RunFailed, &now
			}
			res := tx.Exec(`INSERT INTO runs (id, event_id, pipeline, contact_id, status, step_index, error, created_at, updated_at, finished_at)
VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?) ON CONFLICT (event_id, pipeline) DO NOTHING`,
				r.ID, eventID, r.Pipeline, contactID, status, r.Error, now, now, finished)
			if res.Error != nil {
				return fmt.Errorf("open run %s: %w", r.Pipeline, res.Error)
			}
			if res.RowsAffected == 1 {
				out.Created = append(out.Created, r)
			}
		}
		if err := tx.Exec(`UPDATE events SET status = ?, contact_id = ?, routed_at = ? WHERE id = ?`,
			EventRouted, contactID, now, eventID).Error; err != nil {
			return fmt.Errorf("mark event routed: %w", err)
		}
		return nil
	})
	if err != nil {
		return Route{}, fmt.Errorf("store: route event %s: %w", eventID, err)
	}
	return out, nil
}

// UpdateEventData replaces an accepted event's data and contact reference
// (an enricher filled them in). A routed event is left as it is: its runs
// already saw it.
func (s *Store) UpdateEventData(ctx context.Context, ev *event.Event) error {
	row, err := toEventRow(ev, time.Time{})
	if err != nil {
		return err
	}
	err = s.batch.Do(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE events SET data = ?, contact = ? WHERE id = ? AND status = ?`, row.Data, row.Contact, ev.ID, EventAccepted).Error
	})
	if err != nil {
		return fmt.Errorf("store: update event data: %w", err)
	}
	return nil
}
