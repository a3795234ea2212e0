package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/switchboardhq/switchboard/api"
	"github.com/switchboardhq/switchboard/config"
	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/httpcall"
	"github.com/switchboardhq/switchboard/connectors/shopify"
	"github.com/switchboardhq/switchboard/connectors/square"
	"github.com/switchboardhq/switchboard/connectors/whatsapp"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/engine/bus"
	"github.com/switchboardhq/switchboard/examples/quickstart"
	"github.com/switchboardhq/switchboard/internal/diag"
	"github.com/switchboardhq/switchboard/internal/logging"
	"github.com/switchboardhq/switchboard/pipelines"
	"github.com/switchboardhq/switchboard/store"
)

// loaded is a configuration together with where its pipelines live.
type loaded struct {
	cfg *config.Config
	// pipelineFS and pipelinePaths locate the pipeline files; dir is
	// prefixed to their names in messages.
	pipelineFS    fs.FS
	pipelinePaths []string
	dir           string
	// quickstartKey is the generated API key when the built-in quickstart
	// runs without SWITCHBOARD_API_KEY.
	quickstartKey string
}

// loadConfig reads the file at path, or the built-in quickstart when path is
// "". dataDir, when set, overrides data_dir.
func loadConfig(path, dataDir string) (*loaded, error) {
	if path == "" {
		return loadQuickstart(dataDir)
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if dataDir != "" {
		cfg.DataDir = dataDir
	}
	files, err := cfg.PipelineFiles()
	if err != nil {
		return nil, err
	}
	l := &loaded{cfg: cfg, pipelineFS: os.DirFS(cfg.Dir()), dir: cfg.Dir()}
	for _, f := range files {
		rel, err := filepath.Rel(cfg.Dir(), f)
		if err != nil || strings.HasPrefix(rel, "..") {
			return nil, fmt.Errorf("pipeline file %s must be below the config's folder %s", f, cfg.Dir())
		}
		l.pipelinePaths = append(l.pipelinePaths, filepath.ToSlash(rel))
	}
	return l, nil
}

func loadQuickstart(dataDir string) (*loaded, error) {
	src, err := fs.ReadFile(quickstart.FS, quickstart.ConfigFile)
	if err != nil {
		return nil, fmt.Errorf("quickstart config: %w", err)
	}
	if dataDir == "" {
		dataDir = "./data"
	}
	key := os.Getenv("SWITCHBOARD_API_KEY")
	generated := ""
	if key == "" {
		if key, err = quickstartKey(dataDir); err != nil {
			return nil, err
		}
		generated = key
	}
	lookup := func(name string) (string, bool) {
		if name == "SWITCHBOARD_API_KEY" {
			return key, true
		}
		return os.LookupEnv(name)
	}
	cfg, err := config.Parse("quickstart/"+quickstart.ConfigFile, src, lookup)
	if err != nil {
		return nil, err
	}
	cfg.DataDir = dataDir
	paths, err := fs.Glob(quickstart.FS, "pipelines/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("quickstart pipelines: %w", err)
	}
	return &loaded{cfg: cfg, pipelineFS: quickstart.FS, pipelinePaths: paths, dir: "quickstart", quickstartKey: generated}, nil
}

// quickstartKey returns the quickstart's API key, kept in the data folder so
// that a restart keeps it.
func quickstartKey(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "quickstart.key")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 16 {
		return strings.TrimSpace(string(b)), nil
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return "", fmt.Errorf("create data folder: %w", err)
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate API key: %w", err)
	}
	key := "sbk_" + hex.EncodeToString(b[:])
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("save API key: %w", err)
	}
	return key, nil
}

// newLogger builds the masked logger the config asks for.
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	return logging.New(w, cfg.Log.Level, cfg.Log.Format)
}

// buildRegistry lists the hub's connectors: the one place providers are
// named. It returns the registry and the names of sandboxed connectors. st
// may be nil (validate): connectors then keep nothing.
func buildRegistry(cfg *config.Config, log *slog.Logger, st *store.Store) (*connectors.Registry, []string, error) {
	reg := connectors.NewRegistry()
	var sandboxed []string
	var errs diag.Diagnostics
	for name, sec := range cfg.Connectors {
		switch name {
		case httpcall.Name:
			var hc httpcall.Config
			if err := sec.Decode(&hc); err != nil {
				return nil, nil, err
			}
			if err := hc.Validate(); err != nil {
				return nil, nil, fmt.Errorf("connectors.%s: %w", name, err)
			}
			if err := reg.Register(httpcall.New(hc, log)); err != nil {
				return nil, nil, err
			}
		case whatsapp.Name:
			var wc whatsapp.Config
			if err := sec.Decode(&wc); err != nil {
				return nil, nil, err
			}
			live := sec.Mode != "sandbox"
			if err := wc.Validate(live); err != nil {
				return nil, nil, err
			}
			deps := whatsapp.Deps{Logger: log}
			if st != nil {
				deps.Messages, deps.Templates = engine.MessageLog(st), engine.TemplateStore(st)
			}
			c, err := whatsapp.New(wc.WithDefaults(), deps)
			if err != nil {
				return nil, nil, fmt.Errorf("connectors.whatsapp: %w", err)
			}
			if !live && (wc.AppSecret == "" || wc.VerifyToken == "") {
				// A sandbox without secrets cannot verify webhooks: it refuses them.
				log.Warn("whatsapp in sandbox without app_secret and verify_token: its webhook refuses every delivery")
			}
			if err := reg.Register(c); err != nil {
				return nil, nil, err
			}
		case shopify.Name:
			var sc shopify.Config
			if err := sec.Decode(&sc); err != nil {
				return nil, nil, err
			}
			live := sec.Mode != "sandbox"
			if err := sc.Validate(live); err != nil {
				return nil, nil, err
			}
			if !live && sc.APISecret == "" {
				log.Warn("shopify in sandbox without api_secret: the connector is off (its webhooks cannot be verified)")
				continue
			}
			c, err := shopify.New(sc.WithDefaults(), shopify.Options{Logger: log})
			if err != nil {
				return nil, nil, fmt.Errorf("connectors.shopify: %w", err)
			}
			if err := reg.Register(c); err != nil {
				return nil, nil, err
			}
		case square.Name:
			var qc square.Config
			if err := sec.Decode(&qc); err != nil {
				return nil, nil, err
			}
			live := sec.Mode != "sandbox"
			if err := qc.Validate(live); err != nil {
				return nil, nil, err
			}
			if !live && (qc.SignatureKey == "" || qc.NotificationURL == "") {
				log.Warn("square in sandbox without signature_key and notification_url: the connector is off (its webhooks cannot be verified)")
				continue
			}
			c, err := square.New(qc.WithDefaults(), square.Options{Logger: log})
			if err != nil {
				return nil, nil, fmt.Errorf("connectors.square: %w", err)
			}
			if err := reg.Register(c); err != nil {
				return nil, nil, err
			}
		default:
			errs = append(errs, diag.Diagnostic{File: cfg.File, Path: "connectors." + name, Msg: "unknown connector (known: httpcall, shopify, square, whatsapp)"})
			continue
		}
		if sec.Mode == "sandbox" {
			sandboxed = append(sandboxed, name)
		}
	}
	if err := errs.Err(); err != nil {
		return nil, nil, err
	}
	// httpcall needs no settings: offer it even when the config names none.
	if _, ok := reg.Connector(httpcall.Name); !ok {
		if err := reg.Register(httpcall.New(httpcall.Config{}, log)); err != nil {
			return nil, nil, err
		}
	}
	return reg, sandboxed, nil
}

// loadPipelines loads and checks every pipeline against the registry's
// actions; the diagnostics name files as the user knows them.
func loadPipelines(l *loaded, reg *connectors.Registry) ([]*pipelines.Pipeline, diag.Diagnostics) {
	ps, diags := pipelines.LoadFS(l.pipelineFS, l.pipelinePaths, engine.Catalog(reg.Actions()))
	for i := range diags {
		if diags[i].File != "" && l.dir != "" && l.dir != "." {
			diags[i].File = filepath.Join(l.dir, diags[i].File)
		}
	}
	return ps, diags
}

// openStore opens and migrates the configured store.
func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, error) {
	s, err := store.Open(ctx, store.Options{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN, DataDir: cfg.DataDir, Logger: log})
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// postgresBusConcurrency bounds the Postgres bus's polling transactions
// per topic.
const postgresBusConcurrency = 8

// openBus opens the configured bus driver.
func openBus(ctx context.Context, cfg *config.Config, st *store.Store, log *slog.Logger) (bus.Driver, error) {
	opts := bus.Options{
		Logger:      watermill.NewSlogLoggerWithLevelMapping(log, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug}),
		Group:       cfg.Bus.Group,
		Concurrency: cfg.Engine.Workers,
		MaxInFlight: cfg.Engine.Workers * 4,
		AckWait:     cfg.Engine.StepTimeout + 30*time.Second,
	}
	switch cfg.Bus.Driver {
	case "embedded", "":
		return bus.NewEmbedded(ctx, cfg.DataDir, opts)
	case "nats":
		return bus.NewNATS(ctx, cfg.Bus.URL, opts)
	case "postgres":
		if st.Dialect() != store.Postgres {
			return nil, errors.New("bus.driver postgres needs store.driver postgres")
		}
		// Each polling transaction holds a connection while its handler
		// runs: keep their number modest; the bus opens a pool of its own.
		opts.Concurrency = min(opts.Concurrency, postgresBusConcurrency)
		opts.MaxInFlight = opts.Concurrency * 16
		return bus.OpenPostgres(ctx, cfg.Store.DSN, opts)
	}
	return nil, fmt.Errorf("bus.driver: unknown driver %q", cfg.Bus.Driver)
}

// startConnectors runs each connector's Start (connectors.Starter).
func startConnectors(ctx context.Context, reg *connectors.Registry) error {
	for _, name := range reg.Names() {
		c, _ := reg.Connector(name)
		if s, ok := c.(connectors.Starter); ok {
			if err := s.Start(ctx); err != nil {
				return fmt.Errorf("start connector %s: %w", name, err)
			}
		}
	}
	return nil
}

// connectorViews lists the registered connectors with their modes.
func connectorViews(reg *connectors.Registry, sandboxed []string) []api.ConnectorInfo {
	var out []api.ConnectorInfo
	for _, name := range reg.Names() {
		c, _ := reg.Connector(name)
		mode := "live"
		if slices.Contains(sandboxed, name) {
			mode = "sandbox"
		}
		out = append(out, api.ConnectorInfo{Name: name, Mode: mode, Connector: c})
	}
	return out
}
