package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat; it
// is 100 on every mainstream Linux build.
const clockTicks = 100

// hubConfig is what the hub's config file is written from.
type hubConfig struct {
	bin, dir, key, sinkURL string
	store, bus, dsn        string
	natsURL                string
	workers                int
	pprof                  bool // expose pprof via SWITCHBOARD_PPROF_ADDR
}

// hubProc is a running `switchboard serve`.
type hubProc struct {
	cmd    *exec.Cmd
	addr   string
	log    *os.File
	config string // the config file's text, for the report
	pprof  string // pprof listen address, "" when off

	stopOnce sync.Once
	exitErr  error
	done     chan struct{} // closed when the process has exited
	waitErr  error

	memMu      sync.Mutex
	rssSampled int64 // highest VmRSS seen by the sampler, bytes
	hwm        int64 // VmHWM read last, bytes
	stopSample chan struct{}
}

// buildHub compiles ./cmd/switchboard from the module root into out.
func buildHub(ctx context.Context, out string) error {
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if root == "." || root == "" || strings.TrimSpace(string(gomod)) == os.DevNull {
		return errors.New("not inside the switchboard module: run from the repo or pass -bin")
	}
	fmt.Fprintln(os.Stderr, "bench: building ./cmd/switchboard")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/switchboard")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	return nil
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().String(), nil
}

func randomKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "bench_" + hex.EncodeToString(b[:])
}

// writeConfig writes switchboard.yaml and pipelines/bench.yaml into c.dir
// and returns the config file's path and text.
func writeConfig(c hubConfig, addr string) (string, string, error) {
	store := "{driver: sqlite}"
	if c.store == "postgres" {
		store = fmt.Sprintf("{driver: postgres, dsn: %q}", c.dsn)
	}
	bus := "{driver: " + c.bus + "}"
	if c.bus == "nats" {
		bus = fmt.Sprintf("{driver: nats, url: %q}", c.natsURL)
	}
	cfg := fmt.Sprintf(`server: {addr: %q}
data_dir: %q
store: %s
bus: %s
auth:
  api_keys: [{name: bench, key: "${BENCH_KEY}", scopes: [ingest, read]}]
engine: {workers: %d}
log: {level: warn}
connectors:
  httpcall: {max_retries: -1}
pipelines: ["pipelines/*.yaml"]
`, addr, filepath.Join(c.dir, "data"), store, bus, c.workers)
	pipeline := fmt.Sprintf(`name: bench
on: order.shipped
when: event.data.total > 50
steps:
  - id: notify
    action: http.request
    with:
      url: %q
      body: {order: "${{ event.data.order_name }}", total: "${{ event.data.total }}"}
`, c.sinkURL)
	if err := os.MkdirAll(filepath.Join(c.dir, "pipelines"), 0o750); err != nil {
		return "", "", err
	}
	path := filepath.Join(c.dir, "switchboard.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(filepath.Join(c.dir, "pipelines", "bench.yaml"), []byte(pipeline), 0o600); err != nil {
		return "", "", err
	}
	return path, cfg, nil
}

// startHub writes the config, starts the hub and waits for /readyz.
func startHub(ctx context.Context, c hubConfig) (*hubProc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	path, text, err := writeConfig(c, addr)
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(c.dir, "hub.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(c.bin, "serve", "--config", path)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "BENCH_KEY="+c.key)
	pprofAddr := ""
	if c.pprof {
		if pprofAddr, err = freeAddr(); err != nil {
			return nil, err
		}
		cmd.Env = append(cmd.Env, "SWITCHBOARD_PPROF_ADDR="+pprofAddr)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return nil, fmt.Errorf("start %s: %w", c.bin, err)
	}
	h := &hubProc{cmd: cmd, addr: addr, log: logf, config: text, pprof: pprofAddr, done: make(chan struct{}), stopSample: make(chan struct{})}
	go func() {
		h.waitErr = cmd.Wait()
		close(h.done)
	}()
	if err := h.waitReady(ctx, 60*time.Second); err != nil {
		h.Stop()
		return nil, fmt.Errorf("%w\nhub log tail:\n%s", err, h.LogTail(20))
	}
	go h.sampleRSS(50 * time.Millisecond)
	return h, nil
}

// URL is the hub's base URL.
func (h *hubProc) URL() string { return "http://" + h.addr }

// Pid is the hub's process id.
func (h *hubProc) Pid() int { return h.cmd.Process.Pid }

func (h *hubProc) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-h.done:
			return fmt.Errorf("hub exited before it was ready: %v", h.waitErr)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := client.Get(h.URL() + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("hub not ready after %s (last: %v)", timeout, errOrStatus(err, resp))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func errOrStatus(err error, resp *http.Response) string {
	if err != nil {
		return err.Error()
	}
	return resp.Status
}

// sampleRSS records the highest VmRSS until the hub stops.
func (h *hubProc) sampleRSS(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-h.stopSample:
			return
		case <-h.done:
			return
		case <-t.C:
			h.readMemory()
		}
	}
}

// readMemory reads VmRSS and VmHWM from /proc/<pid>/status.
func (h *hubProc) readMemory() {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", h.Pid()))
	if err != nil {
		return
	}
	var rss, hwm int64
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "VmRSS:"):
			rss = kib(line)
		case strings.HasPrefix(line, "VmHWM:"):
			hwm = kib(line)
		}
	}
	h.memMu.Lock()
	if rss > h.rssSampled {
		h.rssSampled = rss
	}
	if hwm > 0 {
		h.hwm = hwm
	}
	h.memMu.Unlock()
}

// kib parses "Name:   1234 kB" into bytes.
func kib(line string) int64 {
	f := strings.Fields(line)
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.ParseInt(f[1], 10, 64)
	return n * 1024
}

// Memory returns the hub's VmHWM (read now) and the highest VmRSS sampled.
func (h *hubProc) Memory() (hwm, rssSampled int64) {
	h.readMemory()
	h.memMu.Lock()
	defer h.memMu.Unlock()
	return h.hwm, h.rssSampled
}

// CPU returns the hub's user+system CPU time so far, from /proc/<pid>/stat.
func (h *hubProc) CPU() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", h.Pid()))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields are counted after
	// its closing parenthesis. utime and stime are fields 14 and 15.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc stat")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// selfCPU is the harness's own user+system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Stop sends SIGTERM, waits up to 15s (then kills), and returns the exit
// error; later calls return the first result.
func (h *hubProc) Stop() error {
	h.stopOnce.Do(func() {
		close(h.stopSample)
		_ = h.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-h.done:
			h.exitErr = h.waitErr
		case <-time.After(15 * time.Second):
			_ = h.cmd.Process.Kill()
			<-h.done
			h.exitErr = fmt.Errorf("did not stop within 15s of SIGTERM; killed")
		}
		_ = h.log.Close()
	})
	return h.exitErr
}

// LogTail returns the last n lines of the hub's output.
func (h *hubProc) LogTail(n int) string {
	b, err := os.ReadFile(h.log.Name())
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Profile waits delay, then fetches a seconds-long CPU profile from the
// hub's pprof endpoint into path.
func (h *hubProc) Profile(ctx context.Context, path string, delay time.Duration, seconds int) error {
	if h.pprof == "" {
		return errors.New("pprof is off")
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(delay):
	}
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", h.pprof, seconds)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: time.Duration(seconds+30) * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
