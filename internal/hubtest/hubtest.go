// Package hubtest assembles a whole hub in-process for end-to-end tests: a
// store, a bus, the httpcall connector pointed at a recording sink, the
// engine and the HTTP API on a loopback listener. Only _test.go files import
// it.
package hubtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/api"
	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/httpcall"
	"github.com/switchboardhq/switchboard/connectors/httpcall/fake"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/engine/bus"
	"github.com/switchboardhq/switchboard/internal/logging"
	"github.com/switchboardhq/switchboard/internal/metrics"
	"github.com/switchboardhq/switchboard/store"
)

// Key is the API key every test hub accepts, with every scope.
const Key = "test-key-0123456789abcdef"

// ReadKey holds only the read scope.
const ReadKey = "read-key-0123456789abcdef"

// Options shape a test hub.
type Options struct {
	// Pipelines maps a file name to its YAML; "{{sink}}" in it is replaced
	// by the sink's URL.
	Pipelines map[string]string
	// Store opens the store; default SQLite in a temp dir.
	Store func(t testing.TB) *store.Store
	// Bus opens the bus; default the embedded driver in a temp dir.
	Bus func(t testing.TB) bus.Driver
	// Engine configures the engine; zero fields take test-friendly
	// defaults (fast retries).
	Engine engine.Config
	// HTTPCall configures the connector; default no in-process retries, so
	// the engine's own retries are what a test sees.
	HTTPCall *httpcall.Config
	// Sandbox records httpcall sends in the outbox instead of making them.
	Sandbox bool
	// Connectors are registered besides httpcall (test connectors with an
	// inbound side, for instance).
	Connectors []connectors.Connector
	// NewConnectors builds more connectors once the store is open (for
	// connectors that keep messages or templates in it).
	NewConnectors func(t testing.TB, st *store.Store) []connectors.Connector
	// LogWriter also receives the hub's logs (at debug level), for tests
	// that scan them.
	LogWriter io.Writer
	// SandboxConnectors names connectors (besides httpcall, see Sandbox)
	// whose actions record to the outbox instead of calling out.
	SandboxConnectors []string
}

// Hub is a running test hub.
type Hub struct {
	URL string
	// Handler is the API's handler, for calling without a socket.
	Handler http.Handler
	Store   *store.Store
	Engine  *engine.Engine
	Sink    *fake.Server
	Bus     bus.Driver
	stop    func()
}

// Stop shuts the hub's HTTP server and engine down now (the test's cleanup
// does it otherwise), leaving the store and bus as they are: a test can
// then start another hub on them, as after a restart.
func (h *Hub) Stop() { h.stop() }

// New starts a hub and stops it when the test ends.
func New(t testing.TB, opts Options) *Hub {
	t.Helper()
	ctx := context.Background()
	sink := fake.NewServer()
	t.Cleanup(sink.Close)

	var st *store.Store
	if opts.Store != nil {
		st = opts.Store(t)
	} else {
		var err error
		st, err = store.Open(ctx, store.Options{Driver: store.SQLite, DataDir: t.TempDir()})
		require.NoError(t, err)
		require.NoError(t, st.Migrate(ctx))
		t.Cleanup(func() { _ = st.Close() })
	}
	var b bus.Driver
	if opts.Bus != nil {
		b = opts.Bus(t)
	} else {
		var err error
		b, err = bus.NewEmbedded(ctx, t.TempDir(), bus.Options{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = b.Close() })
	}

	log := logging.New(testWriter{t}, "warn", "text")
	if opts.LogWriter != nil {
		log = logging.New(io.MultiWriter(testWriter{t}, opts.LogWriter), "debug", "json")
	}
	hc := httpcall.Config{MaxRetries: -1}
	if opts.HTTPCall != nil {
		hc = *opts.HTTPCall
	}
	reg := connectors.NewRegistry()
	require.NoError(t, reg.Register(httpcall.New(hc, log)))
	extra := opts.Connectors
	if opts.NewConnectors != nil {
		extra = append(extra, opts.NewConnectors(t, st)...)
	}
	for _, c := range extra {
		require.NoError(t, reg.Register(c))
		if s, ok := c.(connectors.Starter); ok {
			require.NoError(t, s.Start(ctx))
		}
	}
	sandboxed := opts.SandboxConnectors
	if opts.Sandbox {
		sandboxed = append(sandboxed, httpcall.Name)
	}
	actions := reg
	if len(sandboxed) > 0 {
		var err error
		actions, err = reg.Sandboxed(engine.OutboxRecorder(st), nil, sandboxed...)
		require.NoError(t, err)
	}
	var infos []api.ConnectorInfo
	for _, name := range reg.Names() {
		c, _ := reg.Connector(name)
		mode := "live"
		if slices.Contains(sandboxed, name) {
			mode = "sandbox"
		}
		infos = append(infos, api.ConnectorInfo{Name: name, Mode: mode, Connector: c})
	}

	files := fstest.MapFS{}
	var paths []string
	for name, src := range opts.Pipelines {
		files[name] = &fstest.MapFile{Data: []byte(strings.ReplaceAll(src, "{{sink}}", sink.URL()))}
		paths = append(paths, name)
	}
	ps, diags := loadPipelines(files, paths, reg)
	require.NoError(t, diags.Err())
	sys, err := engine.SystemPipelines(engine.Catalog(reg.Actions()), engine.KeywordReplies{}, opts.Engine.DoubleOptIn)
	require.NoError(t, err)
	ps = append(ps, sys...)

	cfg := opts.Engine
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 50 * time.Millisecond
	}
	if cfg.RetryMax == 0 {
		cfg.RetryMax = 200 * time.Millisecond
	}
	if cfg.TimerPoll == 0 {
		cfg.TimerPoll = 20 * time.Millisecond
	}
	if cfg.StepTimeout == 0 {
		cfg.StepTimeout = 5 * time.Second
	}
	cfg.Logger = log
	m := metrics.New()
	eng, err := engine.New(cfg, engine.Deps{Store: st, Bus: b, Actions: actions.Action, Pipelines: ps, Metrics: m, Connectors: reg.Connector})
	require.NoError(t, err)
	require.NoError(t, eng.Start(ctx))
	t.Cleanup(func() { _ = eng.Close() })

	srv := api.New(api.Options{
		Engine: eng, Store: st, Inbound: reg.Inbound, Connectors: infos, Metrics: m, Logger: log, MaxBodyBytes: 64 << 10, Now: cfg.Now,
		Keys: []api.Key{
			{Name: "test", Key: Key, Scopes: []string{api.ScopeAdmin}},
			{Name: "reader", Key: ReadKey, Scopes: []string{api.ScopeRead}},
		},
	})
	ts := httptest.NewServer(srv.Handler())
	var once sync.Once
	stop := func() {
		once.Do(func() {
			ts.Close()
			_ = eng.Close()
		})
	}
	t.Cleanup(stop)
	return &Hub{URL: ts.URL, Handler: srv.Handler(), Store: st, Engine: eng, Sink: sink, Bus: b, stop: stop}
}

// Do sends a request with the full-scope key (unless headers set
// Authorization) and returns the status and body.
func (h *Hub) Do(t testing.TB, method, path, body string, headers ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, h.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+Key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// JSON decodes b into a map (or fails the test).
func JSON(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), "body: %s", b)
	return m
}

// WaitRun waits until the event's run of pipeline reaches a status other
// than running, and returns it with its steps.
func (h *Hub) WaitRun(t testing.TB, eventID, pipeline string, timeout time.Duration) store.Run {
	t.Helper()
	var run store.Run
	require.Eventually(t, func() bool {
		runs, _, err := h.Store.ListRuns(context.Background(), store.RunFilter{EventID: eventID, Pipeline: pipeline})
		require.NoError(t, err)
		if len(runs) != 1 || runs[0].Status == store.RunRunning {
			return false
		}
		run, err = h.Store.GetRun(context.Background(), runs[0].ID)
		require.NoError(t, err)
		return true
	}, timeout, 10*time.Millisecond, "run of %s for event %s did not finish", pipeline, eventID)
	return run
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
