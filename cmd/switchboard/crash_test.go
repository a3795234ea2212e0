package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors/httpcall/fake"
	"github.com/switchboardhq/switchboard/internal/testenv"
)

const crashKey = "crash-key-0123456789abcdef"

// hubProcess is a `switchboard serve` subprocess.
type hubProcess struct {
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
}

func startHub(t *testing.T, configPath, addr string) *hubProcess {
	t.Helper()
	return startHubArgs(t, addr, "serve", "--config", configPath)
}

func startHubArgs(t *testing.T, addr string, args ...string) *hubProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	logs := &syncBuffer{}
	cmd.Env = append(os.Environ(), "SWITCHBOARD_RUN_MAIN=1", "CRASH_KEY="+crashKey)
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	p := &hubProcess{cmd: cmd, addr: addr, logs: logs}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		if t.Failed() {
			t.Logf("hub output:\n%s", logs.String())
		}
	})
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 60*time.Second, 50*time.Millisecond, "hub did not become ready:\n%s", logs.String())
	return p
}

func (p *hubProcess) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
	_ = p.cmd.Wait()
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// postOne posts event n and reports whether the hub answered 2xx.
func postOne(client *http.Client, addr string, n int) bool {
	body := fmt.Sprintf(`{"id":"crash-%d","type":"order.created","source":"crash","data":{"n":%d}}`, n, n)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+crashKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusAccepted || resp.StatusCode == http.StatusOK
}

// TestCrashLosesNothing starts `switchboard serve` as a subprocess for each
// bus driver, posts 2,000 events from 16 clients, kills it with SIGKILL
// part-way, restarts it, and posts again whatever got no 2xx (as a client
// would). Every event must reach the sink as exactly one delivery: one run,
// one step, one idempotency key; an event acknowledged before the crash must
// not be lost.
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	drivers := []struct {
		name string
		conf func(t *testing.T) string // the store and bus part of the config
	}{
		{"embedded", func(t *testing.T) string {
			return "store: {driver: sqlite}\nbus: {driver: embedded}\n"
		}},
		{"nats", func(t *testing.T) string {
			url := testenv.RequireNATS(t)
			return fmt.Sprintf("store: {driver: sqlite}\nbus: {driver: nats, url: %q, group: %q}\n", url, "crash"+strings.ReplaceAll(t.Name()[len(t.Name())-4:], "/", "")+fmt.Sprint(time.Now().UnixNano()))
		}},
		{"postgres", func(t *testing.T) string {
			dsn := testenv.PostgresSchema(t)
			return fmt.Sprintf("store: {driver: postgres, dsn: %q}\nbus: {driver: postgres}\n", dsn)
		}},
	}
	for _, d := range drivers {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			runCrash(t, d.conf(t))
		})
	}
}

func runCrash(t *testing.T, storeAndBus string) {
	const total = 2000
	sink := fake.NewServer()
	t.Cleanup(sink.Close)
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "pipelines"), 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pipelines", "crash.yaml"), []byte(`name: crash
on: order.created
steps:
  - id: deliver
    action: http.request
    with:
      url: "`+sink.URL()+`/deliveries"
      body: {n: "${{ event.data.n }}"}
`), 0o600))
	addr := freeAddr(t)
	config := fmt.Sprintf(`server: {addr: %q}
data_dir: %q
%sauth:
  api_keys: [{name: crash, key: "${CRASH_KEY}", scopes: [ingest, read]}]
engine: {sweep_interval: 1s, step_timeout: 2s, retry_base: 100ms, retry_max: 1s}
log: {level: warn}
connectors:
  httpcall: {max_retries: -1}
`, addr, filepath.Join(dir, "data"), storeAndBus)
	configPath := filepath.Join(dir, "switchboard.yaml")
	require.NoError(t, os.WriteFile(configPath, []byte(config), 0o600))

	hub := startHub(t, configPath, addr)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	acked := make([]atomic.Bool, total)
	var ackedCount atomic.Int64
	var killed atomic.Bool
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := int(next.Add(1)) - 1
				if n >= total || killed.Load() {
					return
				}
				if postOne(client, addr, n) {
					acked[n].Store(true)
					ackedCount.Add(1)
				}
			}
		}()
	}
	// Kill part-way: once a third is acknowledged, while work is in flight.
	require.Eventually(t, func() bool { return ackedCount.Load() >= total/3 }, 60*time.Second, time.Millisecond)
	hub.kill(t)
	killed.Store(true)
	wg.Wait()
	before := ackedCount.Load()
	t.Logf("killed after %d acknowledged events; the sink had %d deliveries", before, sink.Count())

	startHub(t, configPath, addr)
	// The client retries whatever got no 2xx, and sends the rest.
	var retryWG sync.WaitGroup
	work := make(chan int)
	for range 16 {
		retryWG.Add(1)
		go func() {
			defer retryWG.Done()
			for n := range work {
				for !postOne(client, addr, n) {
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}
	for n := range total {
		if !acked[n].Load() {
			work <- n
		}
	}
	close(work)
	retryWG.Wait()

	byEvent := func() (map[float64]map[string]int, int) {
		out := map[float64]map[string]int{}
		raw := 0
		for _, r := range sink.Requests() {
			if r.Status != http.StatusOK {
				continue
			}
			var body struct{ N float64 }
			require.NoError(t, json.Unmarshal(r.Body, &body))
			if out[body.N] == nil {
				out[body.N] = map[string]int{}
			}
			out[body.N][r.IdempotencyKey]++
			raw++
		}
		return out, raw
	}
	require.Eventually(t, func() bool {
		got, _ := byEvent()
		return len(got) == total
	}, 120*time.Second, 100*time.Millisecond, "not every event reached the sink")
	time.Sleep(2 * time.Second) // let stragglers show themselves
	got, raw := byEvent()
	require.Len(t, got, total)
	repeats := 0
	for n, keys := range got {
		require.Len(t, keys, 1, "event %v delivered under %d idempotency keys (more than one run or step): %v", n, len(keys), keys)
		for _, c := range keys {
			repeats += c - 1
		}
	}
	// A step whose call succeeded but whose record the crash cut off is
	// called again under the same idempotency key: the receiver sees a
	// repeat it can drop. Report how many.
	t.Logf("all %d events delivered once each; %d repeated calls carried an already-seen idempotency key; %d raw calls", total, repeats, raw)

	// A step cut off by the crash is taken over once its lease runs out.
	require.Eventually(t, func() bool { return runningRuns(t, client, addr) == 0 }, 60*time.Second, 200*time.Millisecond,
		"runs left unfinished")
	got, _ = byEvent()
	for n, keys := range got {
		require.Len(t, keys, 1, "event %v delivered under %d idempotency keys: %v", n, len(keys), keys)
	}
}

func runningRuns(t *testing.T, client *http.Client, addr string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/v1/runs?status=running&limit=10", nil)
	req.Header.Set("Authorization", "Bearer "+crashKey)
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var runs struct {
		Runs []any `json:"runs"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&runs))
	return len(runs.Runs)
}
