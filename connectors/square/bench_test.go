package square

import "testing"

func BenchmarkParse(b *testing.B) {
	c := newTestConnector(b)
	for _, name := range []string{"booking_created.json", "payment_updated_customer.json", "order_updated_open.json", "test_notification.json"} {
		body := readTestdata(b, name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Parse(nil, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	c := newTestConnector(b)
	body := readTestdata(b, "test_notification.json")
	h := sigHeader(s1Sig)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Verify(h, body); err != nil {
			b.Fatal(err)
		}
	}
}
