package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/switchboardhq/switchboard/engine/bus"
	"github.com/switchboardhq/switchboard/internal/metrics"
	"github.com/switchboardhq/switchboard/pipelines"
)

// Engine routes accepted events to pipelines and runs their steps. Create it
// with New, then Start it; Accept may be called as soon as New returns (what
// it accepts is picked up by the first sweep at Start, if not sooner).
type Engine struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	metrics *metrics.Metrics
	byName  map[string]*pipelines.Pipeline
	router  *message.Router
	// subjectKey keys consent subject hashes (SubjectHash).
	subjectKey []byte
	// sends serializes message steps per contact, so the policy gate sees
	// the contact's earlier sends (the frequency cap) before deciding.
	sends     keyedMutex
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// New validates the configuration and builds an engine; it starts nothing.
func New(cfg Config, deps Deps) (*Engine, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if deps.Store == nil || deps.Bus == nil || deps.Actions == nil {
		return nil, errors.New("engine: store, bus and actions are required")
	}
	if deps.Metrics == nil {
		deps.Metrics = metrics.New()
	}
	byName := make(map[string]*pipelines.Pipeline, len(deps.Pipelines))
	for _, p := range deps.Pipelines {
		if _, dup := byName[p.Name]; dup {
			return nil, fmt.Errorf("engine: pipeline %q is defined twice", p.Name)
		}
		for _, s := range p.Steps {
			if _, ok := deps.Actions(s.Action); !ok {
				return nil, fmt.Errorf("engine: pipeline %q step %q: unknown action %q", p.Name, s.ID, s.Action)
			}
		}
		byName[p.Name] = p
	}
	return &Engine{cfg: cfg, deps: deps, log: cfg.Logger, metrics: deps.Metrics, byName: byName, subjectKey: cfg.SubjectKey}, nil
}

// Pipelines returns the loaded pipelines in matching order.
func (e *Engine) Pipelines() []*pipelines.Pipeline { return e.deps.Pipelines }

func (e *Engine) now() time.Time { return e.cfg.Now().UTC() }

// Start subscribes the router to the bus, starts the timer scheduler and the
// recovery sweep, and re-publishes whatever the store holds as unfinished.
// It returns once the router is running.
func (e *Engine) Start(ctx context.Context) error {
	if len(e.subjectKey) == 0 {
		key, err := e.deps.Store.Secret(ctx, subjectKeySetting)
		if err != nil {
			return fmt.Errorf("engine: subject hash key: %w", err)
		}
		e.subjectKey = key
	}
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 30 * time.Second}, watermill.NewSlogLoggerWithLevelMapping(e.log, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug}))
	if err != nil {
		return fmt.Errorf("engine: router: %w", err)
	}
	router.AddMiddleware(middleware.Recoverer)
	sub := keepOpen{e.deps.Bus}
	router.AddConsumerHandler("route-events", bus.TopicEvents, sub, e.handleEvent)
	router.AddConsumerHandler("run-steps", bus.TopicSteps, sub, e.handleStep)
	e.router = router

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.cancel = cancel
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := router.Run(runCtx); err != nil {
			e.log.Error("router stopped", "err", err)
		}
	}()
	select {
	case <-router.Running():
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := e.sweep(ctx, e.now()); err != nil {
		e.log.Warn("start-up sweep failed; the periodic sweep will retry", "err", err)
	}
	e.wg.Add(2)
	go func() { defer e.wg.Done(); e.runScheduler(runCtx) }()
	go func() { defer e.wg.Done(); e.runSweeper(runCtx) }()
	return nil
}

// Close stops the router (letting in-flight messages finish), the scheduler
// and the sweeper. It is idempotent; the store and bus stay open.
func (e *Engine) Close() error {
	var err error
	e.closeOnce.Do(func() {
		if e.router != nil {
			err = e.router.Close()
		}
		if e.cancel != nil {
			e.cancel()
		}
		e.wg.Wait()
	})
	if err != nil {
		return fmt.Errorf("engine: close: %w", err)
	}
	return nil
}

// Ready reports whether the store and the bus answer.
func (e *Engine) Ready(ctx context.Context) error {
	if err := e.deps.Store.Ping(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := e.deps.Bus.Ping(ctx); err != nil {
		return fmt.Errorf("bus: %w", err)
	}
	return nil
}

// keepOpen hands the router the bus as a subscriber it cannot close: the
// router closes its subscribers on Close, but in-flight handlers still
// publish their next steps, and the bus belongs to whoever opened it. The
// router's subscriptions end through their contexts instead.
type keepOpen struct{ message.Subscriber }

func (keepOpen) Close() error { return nil }
