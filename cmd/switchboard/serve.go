package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboardhq/switchboard/api"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/internal/metrics"
)

type serveFlags struct {
	config string
	addr   string
	data   string
}

func newServeCommand() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the hub: HTTP API, webhooks, and the pipeline engine",
		Long: "Run the hub. Without --config it runs the built-in quickstart: SQLite and the\n" +
			"embedded bus under ./data, the example pipelines, connectors in sandbox, and an\n" +
			"API key printed at start.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serve(ctx, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&f.config, "config", "", "config file (default: the built-in quickstart)")
	cmd.Flags().StringVar(&f.addr, "addr", "", "listen address host:port (overrides server.addr)")
	cmd.Flags().StringVar(&f.data, "data", "", "data folder (overrides data_dir)")
	return cmd
}

func serve(ctx context.Context, f serveFlags, stdout, stderr io.Writer) error {
	l, err := loadConfig(f.config, f.data)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return &exitError{code: 1}
	}
	cfg := l.cfg
	if f.addr != "" {
		cfg.Server.Addr = f.addr
	}
	log := newLogger(cfg, stderr)
	if os.Getenv("GOGC") == "" {
		// The hub's heap is small and short-lived; collecting half as often
		// buys throughput for a few MiB.
		debug.SetGCPercent(200)
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	reg, sandboxed, err := buildRegistry(cfg, log, st)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return &exitError{code: 1}
	}
	ps, diags := loadPipelines(l, reg)
	for _, w := range diags.Warnings() {
		log.Warn("pipeline", "finding", w.String())
	}
	if err := diags.Err(); err != nil {
		fmt.Fprintln(stderr, err)
		return &exitError{code: 1}
	}
	pol, replies, err := policyConfig(cfg.Policy)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return &exitError{code: 1}
	}
	sys, err := engine.SystemPipelines(engine.Catalog(reg.Actions()), replies, doubleOptIn(cfg.Policy))
	if err != nil {
		return err
	}
	ps = append(ps, sys...)
	if err := startConnectors(ctx, reg); err != nil {
		return err
	}
	b, err := openBus(ctx, cfg, st, log)
	if err != nil {
		return fmt.Errorf("bus: %w", err)
	}
	defer func() { _ = b.Close() }()

	actions := reg
	if len(sandboxed) > 0 {
		if actions, err = reg.Sandboxed(engine.OutboxRecorder(st), nil, sandboxed...); err != nil {
			return err
		}
	}
	m := metrics.New()
	eng, err := engine.New(engine.Config{
		MaxAttempts: cfg.Engine.MaxAttempts, RetryBase: cfg.Engine.RetryBase, RetryMax: cfg.Engine.RetryMax,
		StepTimeout: cfg.Engine.StepTimeout, SweepInterval: cfg.Engine.SweepInterval,
		DefaultRegion: cfg.Contacts.DefaultRegion, Logger: log, Policy: pol, DoubleOptIn: doubleOptIn(cfg.Policy),
	}, engine.Deps{Store: st, Bus: b, Actions: actions.Action, Pipelines: ps, Metrics: m, Connectors: reg.Connector})
	if err != nil {
		return err
	}
	if err := eng.Start(ctx); err != nil {
		return err
	}
	defer func() { _ = eng.Close() }()

	keys := make([]api.Key, len(cfg.Auth.APIKeys))
	for i, k := range cfg.Auth.APIKeys {
		keys[i] = api.Key{Name: k.Name, Key: k.Key, Scopes: k.Scopes}
	}
	srv := api.New(api.Options{
		Engine: eng, Store: st, Inbound: reg.Inbound, Connectors: connectorViews(reg, sandboxed), Keys: keys,
		MaxBodyBytes: cfg.Server.MaxBodyBytes, Metrics: m, Logger: log,
	})
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Server.Addr, err)
	}
	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute}

	fmt.Fprintf(stdout, "switchboard %s listening on http://%s (store %s, bus %s, %d pipelines)\n",
		version(), ln.Addr(), cfg.Store.Driver, cfg.Bus.Driver, len(ps)-len(sys))
	if l.quickstartKey != "" {
		fmt.Fprintf(stdout, "quickstart API key (kept in %s/quickstart.key): %s\n", cfg.DataDir, l.quickstartKey)
	}
	if addr := os.Getenv("SWITCHBOARD_PPROF_ADDR"); addr != "" {
		// Profiling on demand, e.g. SWITCHBOARD_PPROF_ADDR=127.0.0.1:6060.
		go func() {
			mux := http.NewServeMux()
			mux.HandleFunc("/debug/pprof/", pprof.Index)
			mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
			mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
			log.Warn("pprof listening", "addr", addr, "err", (&http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}).ListenAndServe())
		}()
	}
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	return nil
}
