package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// result is everything one run measured.
type result struct {
	load       *loadResult
	drained    bool // the sink saw every acked event before the drain timeout
	sink       sinkSnapshot
	hubCPU     time.Duration // hub user+system CPU from the first post to the end of the drain
	selfCPU    time.Duration // the harness's own, same window
	hwm        int64         // hub VmHWM, bytes
	rssSampled int64         // highest hub VmRSS sampled, bytes
	metrics    map[string]float64
	hubExit    error
}

func (r *result) ok() bool { return r.failure() == "" }

// failure says why the run failed, or "" when it passed.
func (r *result) failure() string {
	var why []string
	if r.load.failed > 0 {
		why = append(why, fmt.Sprintf("%d events not acked 2xx (first: %s)", r.load.failed, r.load.firstErr))
	}
	if r.load.posted == 0 {
		why = append(why, "no events posted")
	}
	if !r.drained || r.sink.distinctKeys < r.load.acked || r.sink.distinctOrders < r.load.acked {
		why = append(why, fmt.Sprintf("delivered %d distinct keys / %d distinct orders of %d acked events",
			r.sink.distinctKeys, r.sink.distinctOrders, r.load.acked))
	}
	if r.sink.noKey > 0 || r.sink.badBody > 0 {
		why = append(why, fmt.Sprintf("sink got %d requests without Idempotency-Key and %d with a bad body",
			r.sink.noKey, r.sink.badBody))
	}
	return strings.Join(why, "; ")
}

// percentile returns the p-th percentile (0..100, nearest rank) of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// report prints the human report, then the machine summary line.
func report(w io.Writer, o options, h *hubProc, r *result) {
	l := r.load
	lat := slices.Clone(l.latencies)
	slices.Sort(lat)
	ingestWall := l.end.Sub(l.start)
	e2eEnd := r.sink.lastNew
	if e2eEnd.Before(l.end) {
		e2eEnd = l.end
	}
	e2eWall := e2eEnd.Sub(l.start)
	window := e2eWall
	if !r.drained {
		window = time.Since(l.start)
	}
	rate := func(n int, d time.Duration) float64 {
		if d <= 0 {
			return 0
		}
		return float64(n) / d.Seconds()
	}

	fmt.Fprintln(w, "== switchboard load bench ==")
	fmt.Fprintf(w, "config        store=%s bus=%s clients=%d events=%d workers=%d duration-cap=%s hub-pid=%d\n",
		o.store, o.bus, o.clients, o.events, o.workers, durOrNone(o.duration), h.Pid())
	fmt.Fprintf(w, "posted        %d (acked 2xx %d, failed %d; status counts %v)\n", l.posted, l.acked, l.failed, l.statuses)
	fmt.Fprintf(w, "ingest        %.0f events/s accepted  (%d acked in %s)\n", rate(l.acked, ingestWall), l.acked, ingestWall.Round(time.Millisecond))
	fmt.Fprintf(w, "ack latency   p50 %s  p90 %s  p99 %s  max %s\n",
		ms(percentile(lat, 50)), ms(percentile(lat, 90)), ms(percentile(lat, 99)), ms(percentile(lat, 100)))
	if r.drained {
		fmt.Fprintf(w, "end to end    %.0f events/s delivered  (first post to last new sink arrival: %s; drain after last ack %s)\n",
			rate(l.acked, e2eWall), e2eWall.Round(time.Millisecond), e2eEnd.Sub(l.end).Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "end to end    NOT DRAINED within %s after the last ack\n", o.drainTimeout)
	}
	fmt.Fprintf(w, "sink          distinct keys %d  distinct orders %d  raw requests %d  (duplicates %d)\n",
		r.sink.distinctKeys, r.sink.distinctOrders, r.sink.raw, r.sink.raw-r.sink.distinctKeys)
	fmt.Fprintf(w, "hub memory    VmHWM %s  (highest VmRSS sampled %s)\n", mib(r.hwm), mib(r.rssSampled))
	capacity := time.Duration(float64(window) * float64(runtime.NumCPU()))
	share := func(d time.Duration) float64 {
		if capacity <= 0 {
			return 0
		}
		return 100 * float64(d) / float64(capacity)
	}
	fmt.Fprintf(w, "cpu           hub %.2fs (%.0f%% of %d cores)  harness %.2fs (%.0f%%)  over %s; hub %.0f µs/event\n",
		r.hubCPU.Seconds(), share(r.hubCPU), runtime.NumCPU(), r.selfCPU.Seconds(), share(r.selfCPU),
		window.Round(time.Millisecond), float64(r.hubCPU.Microseconds())/float64(max(1, l.acked)))
	printMetrics(w, r.metrics)
	if r.hubExit != nil {
		fmt.Fprintf(w, "hub exit      %v\n", r.hubExit)
	} else {
		fmt.Fprintln(w, "hub exit      clean (SIGTERM)")
	}
	verdict := "PASS"
	if !r.ok() {
		verdict = "FAIL: " + r.failure()
	}
	fmt.Fprintln(w, "result       ", verdict)
	fmt.Fprintln(w, "hub config:")
	for line := range strings.SplitSeq(strings.TrimRight(h.config, "\n"), "\n") {
		if strings.Contains(line, "dsn:") {
			line = "  store: {driver: postgres, dsn: <redacted>}"
		}
		fmt.Fprintln(w, "  "+line)
	}
	fmt.Fprintf(w, "machine: nproc=%d gomaxprocs=%d go=%s os=%s/%s cpu=%q\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), goVersion(), runtime.GOOS, runtime.GOARCH, cpuModel())
}

func durOrNone(d time.Duration) string {
	if d <= 0 {
		return "none"
	}
	return d.String()
}

// printMetrics prints the hub's own view of accept and run latency.
func printMetrics(w io.Writer, m map[string]float64) {
	if len(m) == 0 {
		fmt.Fprintln(w, "hub metrics   (scrape failed)")
		return
	}
	mean := func(name string) string {
		n := m[name+"_count"]
		if n == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.2f ms mean over %.0f", 1000*m[name+"_sum"]/n, n)
	}
	fmt.Fprintf(w, "hub metrics   accept %s; step %s; run %s\n",
		mean("switchboard_accept_seconds"), mean("switchboard_step_seconds"), mean("switchboard_run_seconds"))
	fmt.Fprintf(w, "              accept <=5ms %.1f%%  <=25ms %.1f%%  <=50ms %.1f%%; runs finished %.0f; dead letters %.0f; republished %.0f\n",
		bucketShare(m, "switchboard_accept_seconds", "0.005"), bucketShare(m, "switchboard_accept_seconds", "0.025"),
		bucketShare(m, "switchboard_accept_seconds", "0.05"),
		m["switchboard_runs_finished_total"], m["switchboard_dead_letters_total"], m["switchboard_republished_total"])
}

func bucketShare(m map[string]float64, name, le string) float64 {
	n := m[name+"_count"]
	if n == 0 {
		return 0
	}
	return 100 * m[name+"_bucket{le="+le+"}"] / n
}

// settledMetrics scrapes /metrics until the hub counts want finished runs
// (a run ends just after its step's call reaches the sink) or wait passes.
func settledMetrics(url string, want int, wait time.Duration) map[string]float64 {
	deadline := time.Now().Add(wait)
	for {
		m := scrapeMetrics(url)
		if m == nil || m["switchboard_runs_finished_total"] >= float64(want) || time.Now().After(deadline) {
			return m
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// scrapeMetrics fetches /metrics and sums every switchboard_* series by
// name, dropping labels except a histogram bucket's le.
func scrapeMetrics(url string) map[string]float64 {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return nil
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "switchboard_") {
			continue
		}
		sp := strings.LastIndexByte(line, ' ')
		if sp < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[sp+1:], 64)
		if err != nil {
			continue
		}
		series := line[:sp]
		name, labels, _ := strings.Cut(series, "{")
		if strings.HasSuffix(name, "_bucket") {
			for l := range strings.SplitSeq(strings.TrimSuffix(labels, "}"), ",") {
				if v, ok := strings.CutPrefix(l, "le="); ok {
					name = strings.TrimSuffix(name, "_bucket") + "_bucket{le=" + strings.Trim(v, `"`) + "}"
				}
			}
		}
		out[name] += v
	}
	return out
}

func goVersion() string {
	if out, err := runCmd("go", "version"); err == nil {
		return strings.TrimPrefix(strings.TrimSpace(out), "go version ")
	}
	return runtime.Version() + " (harness build)"
}

func runCmd(name string, args ...string) (string, error) {
	var buf bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout = &buf
	err := cmd.Run()
	return buf.String(), err
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
