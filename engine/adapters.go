package engine

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/store"
)

// MessageLog adapts the store's messages table to connectors.MessageLog.
func MessageLog(s *store.Store) connectors.MessageLog { return messageLog{s} }

type messageLog struct{ s *store.Store }

func (l messageLog) RecordSent(ctx context.Context, m connectors.SentMessage) error {
	return l.s.RecordSentMessage(ctx, store.SentMessage{
		ID: m.ID, Connector: m.Connector, ContactID: m.ContactID, RunID: m.RunID, StepID: m.StepID,
		Pipeline: m.Pipeline, Action: m.Action, Template: m.Template, TemplateLanguage: m.TemplateLanguage,
		Purpose: m.Purpose, AcceptedAt: m.SentAt,
	}, time.Now())
}

// TemplateStore adapts the store's templates table to
// connectors.TemplateStore.
func TemplateStore(s *store.Store) connectors.TemplateStore { return templateStore{s} }

type templateStore struct{ s *store.Store }

func (t templateStore) ReplaceTemplates(ctx context.Context, connector string, ts []connectors.Template, now time.Time) error {
	rows := make([]store.Template, len(ts))
	for i, x := range ts {
		rows[i] = store.Template{
			Connector: connector, Name: x.Name, Language: x.Language, ID: x.ID, Category: x.Category,
			Status: x.Status, Quality: x.Quality, Reason: x.Reason, ParameterFormat: x.ParameterFormat,
			Components: store.JSON(x.Components), UpdatedAt: x.UpdatedAt,
		}
	}
	return t.s.ReplaceTemplates(ctx, connector, rows, now)
}

func (t templateStore) LoadTemplates(ctx context.Context, connector string) ([]connectors.Template, time.Time, error) {
	rows, at, err := t.s.LoadTemplates(ctx, connector)
	if err != nil {
		return nil, time.Time{}, err
	}
	out := make([]connectors.Template, len(rows))
	for i, r := range rows {
		out[i] = connectors.Template{
			Connector: r.Connector, ID: r.ID, Name: r.Name, Language: r.Language, Category: r.Category,
			Status: r.Status, Quality: r.Quality, Reason: r.Reason, ParameterFormat: r.ParameterFormat,
			Components: []byte(r.Components), UpdatedAt: r.UpdatedAt,
		}
	}
	return out, at, nil
}
