// Command bench is Switchboard's load harness. It starts a real hub
// (`switchboard serve`) as a subprocess on loopback, wired to an in-process
// HTTP sink, posts unique events from concurrent keep-alive clients through
// REST ingest, waits until the sink has received one http.request call per
// event, and prints throughput, ack latency, delivery counts, the hub's peak
// RSS and the CPU split between the hub and the harness.
//
// Run it from the repository root:
//
//	go run ./bench -clients 64 -events 20000
//
// It exits non-zero when any event was not acknowledged with a 2xx or was
// not delivered to the sink before the drain timeout. See bench/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// options are the command-line flags.
type options struct {
	bin          string
	clients      int
	events       int
	duration     time.Duration
	drainTimeout time.Duration
	store        string
	bus          string
	dsn          string
	natsURL      string
	workers      int
	keep         bool
	progress     time.Duration
	pprof        string
	pprofSeconds int
}

func parseFlags() (options, error) {
	var o options
	flag.StringVar(&o.bin, "bin", "", "switchboard binary; empty builds ./cmd/switchboard into the temp dir")
	flag.IntVar(&o.clients, "clients", 64, "concurrent ingest clients")
	flag.IntVar(&o.events, "events", 20000, "events to post in total")
	flag.DurationVar(&o.duration, "duration", 0, "optional cap on the posting phase (0: none)")
	flag.DurationVar(&o.drainTimeout, "drain-timeout", 2*time.Minute, "how long to wait for the sink to see every event after the last ack")
	flag.StringVar(&o.store, "store", "sqlite", "store driver: sqlite or postgres")
	flag.StringVar(&o.bus, "bus", "embedded", "bus driver: embedded, nats or postgres")
	flag.StringVar(&o.dsn, "dsn", "", "postgres DSN (store postgres)")
	flag.StringVar(&o.natsURL, "nats-url", "", "NATS URL (bus nats)")
	flag.IntVar(&o.workers, "workers", 64, "engine.workers in the hub's config")
	flag.BoolVar(&o.keep, "keep", false, "keep the temp dir (config, data, hub.log)")
	flag.DurationVar(&o.progress, "progress", 5*time.Second, "progress line interval on stderr (0: off)")
	flag.StringVar(&o.pprof, "pprof", "", "write a CPU profile of the hub taken during the load to this file (uses SWITCHBOARD_PPROF_ADDR)")
	flag.IntVar(&o.pprofSeconds, "pprof-seconds", 10, "length of the -pprof profile, started 1s into the load")
	flag.Parse()
	if flag.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", flag.Args())
	}
	switch {
	case o.clients < 1:
		return o, errors.New("-clients must be at least 1")
	case o.events < 1:
		return o, errors.New("-events must be at least 1")
	case o.store != "sqlite" && o.store != "postgres":
		return o, fmt.Errorf("-store %q: want sqlite or postgres", o.store)
	case o.bus != "embedded" && o.bus != "nats" && o.bus != "postgres":
		return o, fmt.Errorf("-bus %q: want embedded, nats or postgres", o.bus)
	case o.store == "postgres" && o.dsn == "":
		return o, errors.New("-store postgres needs -dsn")
	case o.bus == "nats" && o.natsURL == "":
		return o, errors.New("-bus nats needs -nats-url")
	case o.bus == "postgres" && o.store != "postgres":
		return o, errors.New("-bus postgres needs -store postgres")
	}
	return o, nil
}

func main() {
	o, err := parseFlags()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// run does one benchmark and returns the exit code.
func run(ctx context.Context, o options) (int, error) {
	dir, err := os.MkdirTemp("", "sbbench-")
	if err != nil {
		return 1, err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "bench: keeping", dir)
	} else {
		defer func() { _ = os.RemoveAll(dir) }()
	}

	bin := o.bin
	if bin == "" {
		bin = filepath.Join(dir, "switchboard")
		if err := buildHub(ctx, bin); err != nil {
			return 1, err
		}
	}

	sink, err := startSink(o.events)
	if err != nil {
		return 1, err
	}
	defer sink.Close()

	key := randomKey()
	hub, err := startHub(ctx, hubConfig{
		bin: bin, dir: dir, key: key, sinkURL: sink.URL(), store: o.store, bus: o.bus,
		dsn: o.dsn, natsURL: o.natsURL, workers: o.workers, pprof: o.pprof != "",
	})
	if err != nil {
		return 1, err
	}
	defer hub.Stop()

	res, err := drive(ctx, o, hub, sink, key)
	if err != nil {
		return 1, err
	}
	res.hubExit = hub.Stop()
	report(os.Stdout, o, hub, res)
	if !res.ok() {
		fmt.Fprintln(os.Stderr, "bench: hub log tail:")
		fmt.Fprintln(os.Stderr, hub.LogTail(20))
		return 1, errors.New(res.failure())
	}
	return 0, nil
}

// drive runs the load and the drain and gathers every figure.
func drive(ctx context.Context, o options, hub *hubProc, sink *sink, key string) (*result, error) {
	res := &result{}
	cpu0, err := hub.CPU()
	if err != nil {
		return nil, err
	}
	self0 := selfCPU()

	stopProgress := progress(o.progress, o.events, sink, hub)
	profDone := make(chan error, 1)
	if o.pprof != "" {
		go func() { profDone <- hub.Profile(ctx, o.pprof, time.Second, o.pprofSeconds) }()
	} else {
		profDone <- nil
	}
	load := postEvents(ctx, loadConfig{
		url: hub.URL() + "/v1/events", key: key, clients: o.clients, events: o.events, duration: o.duration,
	})
	res.load = load
	deliverDeadline := time.Now().Add(o.drainTimeout)
	res.drained = sink.WaitDistinct(ctx, load.acked, deliverDeadline)
	stopProgress()
	if err := <-profDone; err != nil {
		fmt.Fprintln(os.Stderr, "bench: pprof:", err)
	} else if o.pprof != "" {
		fmt.Fprintln(os.Stderr, "bench: hub CPU profile written to", o.pprof)
	}

	res.hubCPU, _ = hub.CPU()
	res.hubCPU -= cpu0
	res.selfCPU = selfCPU() - self0
	res.sink = sink.Snapshot()
	res.hwm, res.rssSampled = hub.Memory()
	res.metrics = settledMetrics(hub.URL()+"/metrics", load.acked, 5*time.Second)
	return res, nil
}

// progress prints a line on stderr every interval until the returned func
// is called.
func progress(every time.Duration, total int, s *sink, h *hubProc) func() {
	if every <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	start := time.Now()
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				snap := s.Snapshot()
				_, rss := h.Memory()
				fmt.Fprintf(os.Stderr, "bench: %5.1fs  delivered %d/%d  rss %s\n",
					time.Since(start).Seconds(), snap.distinctKeys, total, mib(rss))
			}
		}
	}()
	return func() { close(done) }
}
