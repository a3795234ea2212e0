package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/switchboardhq/switchboard/internal/hubtest"
)

// BenchmarkIngest measures POST /v1/events end to end inside the process:
// decoding, validation, the grouped durable commit (SQLite WAL, FULL sync)
// and the publish to the embedded bus, from concurrent clients. The engine
// runs the matching pipeline in sandbox mode alongside.
func BenchmarkIngest(b *testing.B) {
	h := hubtest.New(b, hubtest.Options{Sandbox: true, Pipelines: map[string]string{"p.yaml": `name: p
on: order.shipped
when: event.data.total > 50
steps:
  - id: notify
    action: http.request
    with: {url: "{{sink}}/hook", body: {order: "${{ event.data.order_name }}"}}
`}})
	handler := h.Handler
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8) // 8 × GOMAXPROCS concurrent clients
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := fmt.Sprintf(`{"id":"bench-%d","type":"order.shipped","source":"bench","data":{"order_name":"#%d","total":99}}`, i, i)
			req := httptest.NewRequest(http.MethodPost, "/v1/events", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+hubtest.Key)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusAccepted {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
