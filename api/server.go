package api

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/event"
	"github.com/switchboardhq/switchboard/internal/metrics"
	"github.com/switchboardhq/switchboard/pipelines"
	"github.com/switchboardhq/switchboard/store"
)

// Scopes an API key may hold. Admin includes the others.
const (
	ScopeIngest = "ingest"
	ScopeRead   = "read"
	ScopeAdmin  = "admin"
)

// Engine is what the API needs of the engine.
type Engine interface {
	Accept(ctx context.Context, evs []event.Event) ([]store.AcceptResult, error)
	Replay(ctx context.Context, deadLetterID string) (store.DeadLetter, error)
	Ready(ctx context.Context) error
	Pipelines() []*pipelines.Pipeline
	ConsentHistory(ctx context.Context, contactID string) ([]store.ConsentRecord, error)
}

// Store is what the API reads.
type Store interface {
	ListRuns(ctx context.Context, f store.RunFilter) ([]store.Run, string, error)
	GetRun(ctx context.Context, id string) (store.Run, error)
	ListOutbox(ctx context.Context, f store.OutboxFilter) ([]store.OutboxEntry, string, error)
	ListDeadLetters(ctx context.Context, f store.DeadLetterFilter) ([]store.DeadLetter, string, error)
	ListMessages(ctx context.Context, f store.MessageFilter) ([]store.Message, error)
	GetMessage(ctx context.Context, id string) (store.Message, error)
	GetContact(ctx context.Context, id string) (*event.Contact, error)
	ContactEvents(ctx context.Context, id string, limit int) ([]map[string]any, error)
	ContactRuns(ctx context.Context, id string, limit int) ([]store.Run, error)
	EraseContact(ctx context.Context, id string, now time.Time) error
}

// Key is an API key as configured.
type Key struct {
	Name   string
	Key    string
	Scopes []string
}

// Options configure the server.
type Options struct {
	Engine Engine
	Store  Store
	// Inbound finds a connector's webhook side by name.
	Inbound func(name string) (connectors.Inbound, bool)
	// Connectors are the registered connectors, for GET /v1/connectors,
	// the template endpoints and /readyz.
	Connectors []ConnectorInfo
	Keys       []Key
	// MaxBodyBytes bounds every request body (413 beyond). Default 1 MiB.
	MaxBodyBytes int64
	Metrics      *metrics.Metrics
	Logger       *slog.Logger
	// Now is the clock for times the API sets itself (a consent's default
	// time); nil means time.Now.
	Now func() time.Time
}

// Server is the HTTP API.
type Server struct {
	opts     Options
	keys     map[[32]byte]keyInfo
	webhooks *webhookTracker
	log      *slog.Logger
	metrics  *metrics.Metrics
	engine   *gin.Engine
}

type keyInfo struct {
	name   string
	scopes map[string]bool
}

// New builds the server; it does not listen.
func New(opts Options) *Server {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = metrics.New()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Inbound == nil {
		opts.Inbound = func(string) (connectors.Inbound, bool) { return nil, false }
	}
	s := &Server{opts: opts, log: opts.Logger, metrics: opts.Metrics, keys: map[[32]byte]keyInfo{},
		webhooks: &webhookTracker{stats: map[string]*webhookStats{}, logged: map[string]bool{}}}
	for _, k := range opts.Keys {
		scopes := map[string]bool{}
		for _, sc := range k.Scopes {
			scopes[sc] = true
		}
		s.keys[sha256.Sum256([]byte(k.Key))] = keyInfo{name: k.Name, scopes: scopes}
	}
	gin.SetMode(gin.ReleaseMode)
	g := gin.New()
	g.HandleMethodNotAllowed = true
	g.Use(s.recoverer, s.observe)
	g.NoRoute(func(c *gin.Context) { abortError(c, http.StatusNotFound, codeNotFound, "no such endpoint", "") })
	g.NoMethod(func(c *gin.Context) {
		abortError(c, http.StatusMethodNotAllowed, codeBadRequest, "method not allowed", "")
	})

	g.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	g.GET("/readyz", s.ready)
	g.GET("/metrics", gin.WrapH(promhttp.HandlerFor(opts.Metrics.Registry, promhttp.HandlerOpts{})))

	v1 := g.Group("/v1")
	v1.POST("/events", s.auth(ScopeIngest), s.postEvents)
	v1.GET("/runs", s.auth(ScopeRead), s.listRuns)
	v1.GET("/runs/:id", s.auth(ScopeRead), s.getRun)
	v1.GET("/outbox", s.auth(ScopeRead), s.listOutbox)
	v1.GET("/dead-letters", s.auth(ScopeRead), s.listDeadLetters)
	v1.POST("/dead-letters/:id/replay", s.auth(ScopeAdmin), s.replay)
	v1.GET("/pipelines", s.auth(ScopeRead), s.listPipelines)
	v1.GET("/connectors", s.auth(ScopeRead), s.listConnectors)
	v1.GET("/messages", s.auth(ScopeRead), s.listMessages)
	v1.POST("/consents", s.auth(ScopeIngest), s.postConsent)
	v1.GET("/contacts/:id/consents", s.auth(ScopeRead), s.listContactConsents)
	v1.GET("/contacts/:id/export", s.auth(ScopeAdmin), s.exportContact)
	v1.DELETE("/contacts/:id", s.auth(ScopeAdmin), s.eraseContact)
	v1.GET("/messages/:id", s.auth(ScopeRead), s.getMessage)
	v1.GET("/templates", s.auth(ScopeRead), s.listTemplates)
	v1.POST("/templates/sync", s.auth(ScopeAdmin), s.syncTemplates)

	g.POST("/webhooks/:connector", s.webhook)
	g.GET("/webhooks/:connector", s.handshake)
	s.engine = g
	return s
}

// Handler returns the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.engine }

func (s *Server) recoverer(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic serving request", "path", c.FullPath(), "panic", r)
			abortError(c, http.StatusInternalServerError, codeInternal, "internal error", "")
		}
	}()
	c.Next()
}

func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.metrics.HTTPRequests.WithLabelValues(route, strconv.Itoa(c.Writer.Status())).Observe(time.Since(start).Seconds())
}

// auth requires a Bearer key holding scope (or admin).
func (s *Server) auth(scope string) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			c.Header("WWW-Authenticate", `Bearer realm="switchboard"`)
			abortError(c, http.StatusUnauthorized, codeUnauthorized, "missing API key: send Authorization: Bearer <key>", "Authorization")
			return
		}
		k, found := s.keys[sha256.Sum256([]byte(token))]
		if !found {
			c.Header("WWW-Authenticate", `Bearer realm="switchboard", error="invalid_token"`)
			abortError(c, http.StatusUnauthorized, codeUnauthorized, "unknown API key", "Authorization")
			return
		}
		if !k.scopes[scope] && !k.scopes[ScopeAdmin] {
			abortError(c, http.StatusForbidden, codeForbidden, "API key "+strconv.Quote(k.name)+" lacks scope "+strconv.Quote(scope), "Authorization")
			return
		}
		c.Set("api_key", k.name)
		c.Next()
	}
}

func (s *Server) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	if err := s.opts.Engine.Ready(ctx); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": err.Error()})
		return
	}
	if d := s.degraded(); len(d) > 0 {
		// Still 200: the hub takes webhooks and events; the named
		// connectors need a person's attention.
		c.JSON(http.StatusOK, gin.H{"status": "degraded", "connectors": d})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
