package bus

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// NewEmbedded starts a NATS server with JetStream inside this process, its
// file storage under dataDir/nats, and returns a driver connected to it
// in-process: the server opens no network port. The server keeps its
// default fsync policy (the store, not the bus, makes accepted work
// durable); a clean Close flushes everything to disk. Only one server may
// use a dataDir at a time.
func NewEmbedded(ctx context.Context, dataDir string, opts Options) (Driver, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if dataDir == "" {
		return nil, errors.New("bus: embedded bus needs a data directory")
	}
	srv, err := server.NewServer(&server.Options{
		ServerName: "switchboard-embedded",
		DontListen: true,
		JetStream:  true,
		StoreDir:   filepath.Join(dataDir, "nats"),
		NoSigs:     true,
		// Room for the engine's bursts; JetStream limits apply per stream.
		MaxPayload: 8 << 20,
	})
	if err != nil {
		return nil, fmt.Errorf("bus: embedded nats server: %w", err)
	}
	srv.SetLoggerV2(serverLogger{opts.Logger}, false, false, false)
	srv.Start()

	shutdown := sync.OnceValue(func() error {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil
	})
	if !srv.ReadyForConnections(readyTimeout(ctx)) {
		_ = shutdown()
		return nil, errors.New("bus: embedded nats server did not start")
	}
	nc, err := nats.Connect("",
		nats.InProcessServer(srv),
		nats.Name("switchboard-embedded"),
		nats.MaxReconnects(-1),
	)
	if err != nil {
		_ = shutdown()
		return nil, fmt.Errorf("bus: connect to embedded nats server: %w", err)
	}
	d, err := newJetStreamDriver(nc, opts, shutdown)
	if err != nil {
		nc.Close()
		_ = shutdown()
		return nil, err
	}
	d.server = srv
	return d, nil
}

func readyTimeout(ctx context.Context) time.Duration {
	if deadline, ok := ctx.Deadline(); ok {
		return time.Until(deadline)
	}
	return 30 * time.Second
}

// serverLogger passes the embedded server's log to the Watermill logger.
type serverLogger struct{ l watermill.LoggerAdapter }

func (s serverLogger) Noticef(format string, v ...any) { s.l.Debug(fmt.Sprintf(format, v...), nil) }
func (s serverLogger) Warnf(format string, v ...any)   { s.l.Info(fmt.Sprintf(format, v...), nil) }
func (s serverLogger) Fatalf(format string, v ...any) {
	s.l.Error("nats server fatal", fmt.Errorf(format, v...), nil)
}
func (s serverLogger) Errorf(format string, v ...any) {
	s.l.Error("nats server", fmt.Errorf(format, v...), nil)
}
func (s serverLogger) Debugf(format string, v ...any) { s.l.Trace(fmt.Sprintf(format, v...), nil) }
func (s serverLogger) Tracef(format string, v ...any) { s.l.Trace(fmt.Sprintf(format, v...), nil) }
