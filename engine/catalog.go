package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/pipelines"
	"github.com/switchboardhq/switchboard/store"
)

// Catalog turns connector action specs into the pipeline loader's catalog,
// so the loader checks steps against what the connectors declare without
// importing them.
func Catalog(actions []connectors.Action) pipelines.Catalog {
	cat := make(pipelines.Catalog, len(actions))
	for _, a := range actions {
		spec := a.Spec()
		ps := make([]pipelines.Param, len(spec.Params))
		for i, p := range spec.Params {
			ps[i] = pipelines.Param{Name: p.Name, Type: p.Type, Required: p.Required}
		}
		cat[spec.Name] = pipelines.ActionSpec{Name: spec.Name, Params: ps}
	}
	return cat
}

// OutboxRecorder adapts the store's outbox to the connectors' Recorder, for
// sandboxed actions.
func OutboxRecorder(s interface {
	InsertOutbox(ctx context.Context, e store.OutboxEntry) error
}) connectors.Recorder {
	return recorderFunc(func(ctx context.Context, rec connectors.OutboundRecord) error {
		params, err := json.Marshal(rec.Params)
		if err != nil {
			return fmt.Errorf("outbox: encode params: %w", err)
		}
		return s.InsertOutbox(ctx, store.OutboxEntry{
			Connector: rec.Connector, Action: rec.Action, RunID: rec.RunID, StepID: rec.StepID,
			Params: params, CreatedAt: rec.Time,
		})
	})
}

type recorderFunc func(ctx context.Context, rec connectors.OutboundRecord) error

func (f recorderFunc) RecordOutbound(ctx context.Context, rec connectors.OutboundRecord) error {
	return f(ctx, rec)
}
