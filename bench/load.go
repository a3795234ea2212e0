package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// loadConfig is what the ingest clients do.
type loadConfig struct {
	url, key string
	clients  int
	events   int
	duration time.Duration // 0: no cap
}

// loadResult is what the ingest clients saw.
type loadResult struct {
	posted    int             // requests sent
	acked     int             // answered 2xx
	failed    int             // transport errors and non-2xx answers
	statuses  map[int]int     // answers by status code
	firstErr  string          // the first failure, for the report
	latencies []time.Duration // per 2xx ack
	start     time.Time       // first request sent
	end       time.Time       // last answer received
}

// postEvents runs cfg.clients goroutines that each post events one at a
// time over their own keep-alive connection until cfg.events have been
// posted or the duration cap passes.
func postEvents(ctx context.Context, cfg loadConfig) *loadResult {
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        cfg.clients * 2,
		MaxIdleConnsPerHost: cfg.clients * 2,
		MaxConnsPerHost:     0,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}

	runID := strconv.FormatInt(time.Now().UnixNano(), 36)
	var next atomic.Int64
	var stopAt time.Time
	res := &loadResult{statuses: map[int]int{}, start: time.Now()}
	if cfg.duration > 0 {
		stopAt = res.start.Add(cfg.duration)
	}

	type clientResult struct {
		lat      []time.Duration
		statuses map[int]int
		posted   int
		failed   int
		firstErr string
	}
	results := make([]clientResult, cfg.clients)
	var wg sync.WaitGroup
	for c := range cfg.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[c]
			r.statuses = map[int]int{}
			r.lat = make([]time.Duration, 0, cfg.events/cfg.clients+1)
			var body bytes.Buffer
			for ctx.Err() == nil {
				i := next.Add(1)
				if i > int64(cfg.events) || (!stopAt.IsZero() && time.Now().After(stopAt)) {
					return
				}
				id := runID + "-" + strconv.FormatInt(i, 10)
				body.Reset()
				fmt.Fprintf(&body, `{"id":%q,"type":"order.shipped","source":"bench","data":{"order_name":"#%s","total":95}}`, id, id)
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.url, bytes.NewReader(body.Bytes()))
				if err != nil {
					panic(err) // the URL is ours; cannot happen
				}
				req.Header.Set("Authorization", "Bearer "+cfg.key)
				req.Header.Set("Content-Type", "application/json")
				r.posted++
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					r.failed++
					if r.firstErr == "" {
						r.firstErr = err.Error()
					}
					continue
				}
				msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
				_ = resp.Body.Close()
				d := time.Since(t0)
				r.statuses[resp.StatusCode]++
				if resp.StatusCode/100 != 2 {
					r.failed++
					if r.firstErr == "" {
						r.firstErr = fmt.Sprintf("%s: %s", resp.Status, bytes.TrimSpace(msg))
					}
					continue
				}
				r.lat = append(r.lat, d)
			}
		}()
	}
	wg.Wait()
	res.end = time.Now()
	for _, r := range results {
		res.posted += r.posted
		res.failed += r.failed
		res.latencies = append(res.latencies, r.lat...)
		for code, n := range r.statuses {
			res.statuses[code] += n
		}
		if res.firstErr == "" {
			res.firstErr = r.firstErr
		}
	}
	res.acked = len(res.latencies)
	return res
}
