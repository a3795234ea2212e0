package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/event"
	"github.com/switchboardhq/switchboard/internal/testenv"
	"github.com/switchboardhq/switchboard/store"
)

// dialects runs the same behaviour against every store dialect (STYLE 9).
var dialects = []struct {
	name string
	open func(t *testing.T) *store.Store
}{
	{"sqlite", func(t *testing.T) *store.Store {
		return openStore(t, store.Options{Driver: store.SQLite, DataDir: t.TempDir()})
	}},
	{"postgres", func(t *testing.T) *store.Store {
		return openStore(t, store.Options{Driver: store.Postgres, DSN: testenv.PostgresSchema(t)})
	}},
}

func openStore(t *testing.T, opts store.Options) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	require.NoError(t, s.Migrate(context.Background()))
	return s
}

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func newEvent(source, key string) event.Event {
	return event.Event{
		ID: event.NewIDAt(t0), Source: source, Type: event.OrderShipped, DedupKey: key, Time: t0,
		Data: map[string]any{"order_name": "#" + key, "total": 60.5},
	}
}

func forEachDialect(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			fn(t, d.open(t))
		})
	}
}

func TestInsertEventsDedupes(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := newEvent("shop", "1"), newEvent("shop", "2")
		again := newEvent("shop", "1") // same dedup key, new id
		other := newEvent("pos", "1")  // same key, other source
		res, err := s.InsertEvents(ctx, []event.Event{a, b, again, other}, t0)
		require.NoError(t, err)
		require.Equal(t, []store.AcceptResult{{EventID: a.ID}, {EventID: b.ID}, {EventID: a.ID, Duplicate: true}, {EventID: other.ID}}, res)

		res, err = s.InsertEvents(ctx, []event.Event{newEvent("shop", "2")}, t0)
		require.NoError(t, err)
		require.Equal(t, []store.AcceptResult{{EventID: b.ID, Duplicate: true}}, res)

		n, err := s.CountEvents(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 3, n)

		got, status, err := s.GetEvent(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, store.EventAccepted, status)
		require.Equal(t, a.Data, got.Data)
	})
}

func TestRouteEventResolvesOneContactUnderConcurrency(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const n = 24
		evs := make([]event.Event, n)
		for i := range evs {
			evs[i] = newEvent("shop", fmt.Sprint(i))
		}
		_, err := s.InsertEvents(ctx, evs, t0)
		require.NoError(t, err)
		var wg sync.WaitGroup
		ids := make([]string, n)
		errs := make([]error, n)
		for i := range evs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ref := &store.ContactInput{Phone: "+61412345678"}
				if i%2 == 1 {
					ref.Email = "jo@example.com" // half also carry the email
				}
				r, err := s.RouteEvent(ctx, evs[i].ID, ref, func(*event.Contact) ([]store.NewRun, error) { return nil, nil }, t0)
				errs[i] = err
				if err == nil {
					ids[i] = r.Contact.ID
				}
			}()
		}
		wg.Wait()
		for i := range errs {
			require.NoError(t, errs[i])
			require.Equal(t, ids[0], ids[i])
		}
		count, err := s.CountContacts(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, count)
		c, err := s.GetContact(ctx, ids[0])
		require.NoError(t, err)
		require.Equal(t, "+61412345678", c.Phone)
		require.Equal(t, "jo@example.com", c.Email)

		// the email alone now finds the same person
		e := newEvent("shop", "by-email")
		_, err = s.InsertEvents(ctx, []event.Event{e}, t0)
		require.NoError(t, err)
		r, err := s.RouteEvent(ctx, e.ID, &store.ContactInput{Email: "jo@example.com", FirstName: "Jo"}, noRuns, t0)
		require.NoError(t, err)
		require.Equal(t, ids[0], r.Contact.ID)
		require.Equal(t, "Jo", r.Contact.FirstName)
	})
}

func noRuns(*event.Contact) ([]store.NewRun, error) { return nil, nil }

func TestRouteEventOpensRunsOnce(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEvent("shop", "1")
		_, err := s.InsertEvents(ctx, []event.Event{e}, t0)
		require.NoError(t, err)
		decide := func(*event.Contact) ([]store.NewRun, error) {
			return []store.NewRun{{ID: event.NewID(), Pipeline: "a"}, {ID: event.NewID(), Pipeline: "b"}}, nil
		}
		r, err := s.RouteEvent(ctx, e.ID, nil, decide, t0)
		require.NoError(t, err)
		require.Len(t, r.Created, 2)
		require.Nil(t, r.Contact)

		r, err = s.RouteEvent(ctx, e.ID, nil, decide, t0)
		require.NoError(t, err)
		require.True(t, r.AlreadyRouted)
		require.Empty(t, r.Created)
		n, err := s.CountRuns(ctx, store.RunRunning)
		require.NoError(t, err)
		require.EqualValues(t, 2, n)

		stale, err := s.StaleEvents(ctx, t0.Add(time.Hour), "", 10)
		require.NoError(t, err)
		require.Empty(t, stale, "a routed event is not stale")
	})
}

func openRun(t *testing.T, s *store.Store) string {
	t.Helper()
	ctx := context.Background()
	e := newEvent("shop", event.NewID())
	_, err := s.InsertEvents(ctx, []event.Event{e}, t0)
	require.NoError(t, err)
	runID := event.NewID()
	_, err = s.RouteEvent(ctx, e.ID, nil, func(*event.Contact) ([]store.NewRun, error) {
		return []store.NewRun{{ID: runID, Pipeline: "p"}}, nil
	}, t0)
	require.NoError(t, err)
	return runID
}

func TestClaimStepRunsAStepOnce(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		runID := openRun(t, s)
		claim := store.StepClaim{RunID: runID, StepID: "notify", StepIndex: 0, Action: "http.request", LeaseUntil: t0.Add(time.Minute)}

		wrongStep := claim
		wrongStep.StepID, wrongStep.StepIndex = "later", 1
		_, ok, err := s.ClaimStep(ctx, wrongStep, t0)
		require.NoError(t, err)
		require.False(t, ok, "only the run's current step can be claimed")

		attempts, ok, err := s.ClaimStep(ctx, claim, t0)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, 1, attempts)

		_, ok, err = s.ClaimStep(ctx, claim, t0.Add(time.Second))
		require.NoError(t, err)
		require.False(t, ok, "a live lease keeps a second worker out")

		// the first worker died: after its lease another may take over
		claim.LeaseUntil = t0.Add(3 * time.Minute)
		attempts, ok, err = s.ClaimStep(ctx, claim, t0.Add(2*time.Minute))
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, 2, attempts)

		_, err = s.CompleteStep(ctx, store.StepOutcome{
			RunID: runID, StepID: "notify", Action: "http.request", Pipeline: "p", Status: store.StepSucceeded,
			Attempts: attempts, Inputs: map[string]any{"url": "http://x"}, Output: map[string]any{"status": 200},
			Next: 1, RunStatus: store.RunSucceeded,
		}, t0.Add(2*time.Minute))
		require.NoError(t, err)

		_, ok, err = s.ClaimStep(ctx, claim, t0.Add(time.Hour))
		require.NoError(t, err)
		require.False(t, ok, "a succeeded step never runs again")

		run, err := s.GetRun(ctx, runID)
		require.NoError(t, err)
		require.Equal(t, store.RunSucceeded, run.Status)
		require.NotNil(t, run.FinishedAt)
		require.Len(t, run.Steps, 1)
		require.Equal(t, store.StepSucceeded, run.Steps[0].Status)
		require.JSONEq(t, `{"url":"http://x"}`, string(run.Steps[0].Inputs))
		require.JSONEq(t, `{"status":200}`, string(run.Steps[0].Output))
	})
}

func TestRetryTimerAndDeadLetterReplay(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		runID := openRun(t, s)
		claim := store.StepClaim{RunID: runID, StepID: "notify", StepIndex: 0, Action: "http.request", LeaseUntil: t0.Add(time.Minute)}
		_, ok, err := s.ClaimStep(ctx, claim, t0)
		require.NoError(t, err)
		require.True(t, ok)
		retryAt := t0.Add(2 * time.Second)
		_, err = s.CompleteStep(ctx, store.StepOutcome{
			RunID: runID, StepID: "notify", Action: "http.request", Pipeline: "p", Status: store.StepRetrying,
			Attempts: 1, Error: "503", ErrorClass: "retryable", RetryAt: retryAt, RunStatus: store.RunRunning,
		}, t0)
		require.NoError(t, err)

		_, ok, err = s.ClaimStep(ctx, claim, t0.Add(time.Second))
		require.NoError(t, err)
		require.False(t, ok, "a retry is not claimed before it is due")

		timers, err := s.ClaimDueTimers(ctx, t0.Add(time.Second), time.Minute, 10)
		require.NoError(t, err)
		require.Empty(t, timers)
		due, ok, err := s.NextTimerDue(ctx)
		require.NoError(t, err)
		require.True(t, ok)
		require.True(t, due.Equal(retryAt), "due %v", due)

		timers, err = s.ClaimDueTimers(ctx, retryAt, time.Minute, 10)
		require.NoError(t, err)
		require.Len(t, timers, 1)
		again, err := s.ClaimDueTimers(ctx, retryAt, time.Minute, 10)
		require.NoError(t, err)
		require.Empty(t, again, "a leased timer is not claimed twice")
		require.NoError(t, s.MarkTimersFired(ctx, []string{timers[0].ID}, retryAt))
		after, err := s.ClaimDueTimers(ctx, retryAt.Add(time.Hour), time.Minute, 10)
		require.NoError(t, err)
		require.Empty(t, after, "a fired timer never fires again")

		claim.LeaseUntil = retryAt.Add(time.Minute)
		attempts, ok, err := s.ClaimStep(ctx, claim, retryAt)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, 2, attempts)
		dl, err := s.CompleteStep(ctx, store.StepOutcome{
			RunID: runID, StepID: "notify", Action: "http.request", Pipeline: "p", Status: store.StepDead,
			Attempts: 2, Error: "400 bad request", ErrorClass: "permanent", RunStatus: store.RunFailed, RunError: "400 bad request",
		}, retryAt)
		require.NoError(t, err)
		require.NotEmpty(t, dl)

		list, next, err := s.ListDeadLetters(ctx, store.DeadLetterFilter{Status: store.DeadLetterDead})
		require.NoError(t, err)
		require.Empty(t, next)
		require.Len(t, list, 1)
		require.Equal(t, dl, list[0].ID)

		_, err = s.ReplayDeadLetter(ctx, dl, retryAt)
		require.NoError(t, err)
		_, err = s.ReplayDeadLetter(ctx, dl, retryAt)
		require.ErrorIs(t, err, store.ErrConflict)
		_, err = s.ReplayDeadLetter(ctx, "nope", retryAt)
		require.ErrorIs(t, err, store.ErrNotFound)

		attempts, ok, err = s.ClaimStep(ctx, claim, retryAt)
		require.NoError(t, err)
		require.True(t, ok, "a replayed step runs again")
		require.Equal(t, 1, attempts)
	})
}

func TestStaleWorkIsFound(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEvent("shop", "stale")
		_, err := s.InsertEvents(ctx, []event.Event{e}, t0)
		require.NoError(t, err)
		stale, err := s.StaleEvents(ctx, t0, "", 10)
		require.NoError(t, err)
		require.Len(t, stale, 1)
		require.Equal(t, e.ID, stale[0].ID)
		stale, err = s.StaleEvents(ctx, t0, e.ID, 10)
		require.NoError(t, err)
		require.Empty(t, stale, "the cursor moves past what was returned")
		stale, err = s.StaleEvents(ctx, t0.Add(-time.Second), "", 10)
		require.NoError(t, err)
		require.Empty(t, stale, "an event accepted after the cutoff is not stale yet")

		runID := openRun(t, s)
		refs, err := s.StaleSteps(ctx, t0, t0, 10)
		require.NoError(t, err)
		require.Equal(t, []store.StepRef{{RunID: runID, Pipeline: "p", StepIndex: 0}}, refs)

		_, ok, err := s.ClaimStep(ctx, store.StepClaim{RunID: runID, StepID: "s", Action: "a", LeaseUntil: t0.Add(time.Minute)}, t0)
		require.NoError(t, err)
		require.True(t, ok)
		refs, err = s.StaleSteps(ctx, t0, t0, 10)
		require.NoError(t, err)
		require.Empty(t, refs, "a step under a live lease is not stale")
		refs, err = s.StaleSteps(ctx, t0, t0.Add(2*time.Minute), 10)
		require.NoError(t, err)
		require.Len(t, refs, 1, "a step whose lease ran out is stale")
	})
}

func TestOutboxRecordsOncePerStep(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		runID := openRun(t, s)
		for range 2 {
			require.NoError(t, s.InsertOutbox(ctx, store.OutboxEntry{
				Connector: "httpcall", Action: "http.request", RunID: runID, StepID: "notify",
				Params: []byte(`{"url":"http://x"}`), CreatedAt: t0,
			}))
		}
		list, _, err := s.ListOutbox(ctx, store.OutboxFilter{RunID: runID})
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.JSONEq(t, `{"url":"http://x"}`, string(list[0].Params))
	})
}

func TestMigrateDownAndUp(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		v, err := s.MigrationVersion(ctx)
		require.NoError(t, err)
		files, err := filepath.Glob(filepath.Join("..", "migrations", s.Dialect(), "*.sql"))
		require.NoError(t, err)
		require.NotEmpty(t, files)
		require.EqualValues(t, len(files), v, "every migration applied")
		require.NoError(t, s.MigrateDown(ctx))
		v, err = s.MigrationVersion(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 0, v)
		require.NoError(t, s.Migrate(ctx))
		_, err = s.InsertEvents(ctx, []event.Event{newEvent("shop", "1")}, t0)
		require.NoError(t, err)
	})
}
