package shopify

import (
	"testing"
)

func BenchmarkParseOrderCreate(b *testing.B) {
	c := newTestConnector(b, Config{})
	body := readTestdata(b, "orders_create.json")
	h := deliveryHeader("orders/create")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		evs, err := c.Parse(h, body)
		if err != nil || len(evs) != 1 {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	c := newTestConnector(b, Config{})
	body := readTestdata(b, "orders_create.json")
	h := deliveryHeader("orders/create", HeaderHmac, sign(testSecret, body))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Verify(h, body); err != nil {
			b.Fatal(err)
		}
	}
}
