package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/event"
	"github.com/switchboardhq/switchboard/store"
)

func TestReplayCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "switchboard.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf("data_dir: %q\npipelines: []\n", dir)), 0o600))

	// A run whose only step went to the dead letters.
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Driver: store.SQLite, DataDir: dir})
	require.NoError(t, err)
	require.NoError(t, st.Migrate(ctx))
	now := time.Now().UTC()
	ev := event.Event{ID: event.NewID(), Source: "shop", Type: event.OrderPaid, DedupKey: "1", Time: now}
	_, err = st.InsertEvents(ctx, []event.Event{ev}, now)
	require.NoError(t, err)
	runID := event.NewID()
	_, err = st.RouteEvent(ctx, ev.ID, nil, func(*event.Contact) ([]store.NewRun, error) {
		return []store.NewRun{{ID: runID, Pipeline: "p"}}, nil
	}, now)
	require.NoError(t, err)
	_, ok, err := st.ClaimStep(ctx, store.StepClaim{RunID: runID, StepID: "s", Action: "http.request", LeaseUntil: now.Add(time.Minute)}, now)
	require.NoError(t, err)
	require.True(t, ok)
	dl, err := st.CompleteStep(ctx, store.StepOutcome{RunID: runID, StepID: "s", Action: "http.request", Pipeline: "p",
		Status: store.StepDead, Attempts: 1, Error: "400", RunStatus: store.RunFailed}, now)
	require.NoError(t, err)
	require.NoError(t, st.Close())

	code, _, errOut := run(t, "replay", "--config", cfg)
	require.Equal(t, 1, code, "no ids and no --all is an error")
	require.Contains(t, errOut, "name dead-letter ids, or pass --all")

	code, out, errOut := run(t, "replay", "--config", cfg, "--all")
	require.Equal(t, 0, code, out+errOut)
	require.Contains(t, out, "replayed "+dl)

	code, _, errOut = run(t, "replay", "--config", cfg, dl)
	require.Equal(t, 1, code, "a dead letter is replayed once")
	require.Contains(t, errOut, "conflict")

	st, err = store.Open(ctx, store.Options{Driver: store.SQLite, DataDir: dir})
	require.NoError(t, err)
	defer st.Close()
	got, err := st.GetRun(ctx, runID)
	require.NoError(t, err)
	require.Equal(t, store.RunRunning, got.Status, "the run is back to work")
	require.Equal(t, store.StepPending, got.Steps[0].Status)
}
