package pipelines

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/event"
)

// BenchmarkEvalPipeline measures one event through a two-step pipeline:
// the pipeline's when, then each step's when and inputs.
func BenchmarkEvalPipeline(b *testing.B) {
	src := `name: order-shipped
on: order.shipped
when: event.data.total > vars.threshold && contact.phone != ""
vars: {threshold: 50}
steps:
  - id: notify
    action: http.request
    with:
      method: POST
      url: "https://example.com/hook"
      headers: {Content-Type: application/json}
      body: {order: "${{ event.data.order_name }}", total: "${{ event.data.total }}", note: "Order ${{ event.data.order_name }} shipped"}
  - id: crm
    action: http.request
    when: steps.notify.status == "succeeded" && contact.email != ""
    with:
      url: https://crm.example/contacts/${{ contact.provider_ids.shopify }}
      body: {email: "${{ lower(contact.email) }}", tracking: "${{ event.data.tracking_url }}", items: "${{ event.data.items }}"}
`
	p, ds := Load("bench.yaml", []byte(src), testCatalog())
	if err := ds.Err(); err != nil {
		b.Fatal(err)
	}
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	e := &event.Event{
		ID: "01JNB6Z3Q8K7W9X2Y4V5T6R7S8", Source: "shopify", Type: event.OrderShipped, Time: now.Add(-time.Minute),
		Data: map[string]any{
			"order_id": 1001.0, "order_name": "#1001", "total": 129.5, "currency": "AUD",
			"tracking_url": "https://track.example/AB123",
			"items":        []any{map[string]any{"sku": "TEE-M", "qty": 2.0}},
		},
	}
	c := &event.Contact{ID: "c_1", Phone: "+61400111222", Email: "Ana@Example.com", ProviderIDs: map[string]string{"shopify": "cust_77"}}

	b.ReportAllocs()
	for b.Loop() {
		steps := make(map[string]StepEnv, len(p.Steps))
		env := NewEnv(e, c, steps, p.Vars, now)
		ok, err := p.When(env)
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
		for _, s := range p.Steps {
			ok, err := s.When(env)
			if err != nil || !ok {
				b.Fatal(ok, err)
			}
			if _, err := s.Inputs(env); err != nil {
				b.Fatal(err)
			}
			steps[s.ID] = StepEnv{Status: "succeeded"}
		}
	}
}
