package shopify

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/event"
)

func seedBodies(f *testing.F) [][]byte {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	var out [][]byte
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return append(out,
		[]byte(jsBody), []byte(rubyBody), []byte(phpBody), []byte(""), []byte("null"), []byte("[]"),
		[]byte(`{"id":9007199254740993,"total_price":"1e309","line_items":[{"quantity":"NaN","price":"-0"}]}`),
		[]byte(`{"customer":{"phone":"+`+strings.Repeat("9", 80)+`"},"fulfillments":[{"tracking_numbers":[null]}]}`),
	)
}

var fuzzTopics = []string{
	"orders/create", "orders/paid", "orders/fulfilled", "orders/cancelled", "orders/updated",
	"fulfillments/create", "fulfillments/update", "checkouts/create", "checkouts/update",
	"customers/create", "customers/update", "products/create", "app/uninstalled", "",
}

func FuzzParse(f *testing.F) {
	for i, b := range seedBodies(f) {
		f.Add(fuzzTopics[i%len(fuzzTopics)], b)
	}
	c := newTestConnector(f, Config{})
	f.Fuzz(func(t *testing.T, topic string, body []byte) {
		h := http.Header{}
		h.Set(HeaderTopic, topic)
		h.Set(HeaderShopDomain, testShop)
		h.Set(HeaderEventID, testEventID)
		evs, err := c.Parse(h, body)
		if err != nil {
			if !errors.Is(err, connectors.ErrUnparseable) {
				t.Fatalf("error does not wrap ErrUnparseable: %v", err)
			}
			if evs != nil {
				t.Fatalf("events returned with an error")
			}
			return
		}
		if len(evs) != 1 {
			t.Fatalf("want one event, got %d", len(evs))
		}
		ev := evs[0]
		if ev.Source != Name || ev.DedupKey != testEventID || ev.Data == nil || string(ev.Raw) != string(body) {
			t.Fatalf("incomplete event: %+v", ev)
		}
		if !event.IsCanonical(ev.Type) && !strings.HasPrefix(ev.Type, typePrefix) {
			t.Fatalf("type %q is neither canonical nor %s*", ev.Type, typePrefix)
		}
		if ev.Contact != nil && ev.Contact.Empty() {
			t.Fatalf("empty contact instead of nil")
		}
	})
}

func FuzzVerify(f *testing.F) {
	for _, b := range seedBodies(f) {
		f.Add(b, sign(testSecret, b))
		f.Add(b, "")
		f.Add(b, sign(testSecret, b)+"\n")
	}
	f.Add([]byte(jsBody), jsHmac)
	f.Add([]byte(rubyBody), rubyHmac)
	c := newTestConnector(f, Config{APISecret: testSecret})
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		h := http.Header{}
		if sig != "" {
			h[HeaderHmac] = []string{sig}
		}
		want := sign(testSecret, body)
		err := c.Verify(h, body)
		if err == nil {
			// Only this body's signature passes; whitespace around a header
			// value is not part of it (HTTP trims it too).
			if strings.TrimSpace(sig) != want {
				t.Fatalf("accepted %q for a body whose signature is %q", sig, want)
			}
			return
		}
		if !errors.Is(err, connectors.ErrMissingSignature) && !errors.Is(err, connectors.ErrBadSignature) {
			t.Fatalf("error wraps no sentinel: %v", err)
		}
		if strings.Contains(err.Error(), testSecret) {
			t.Fatalf("the secret leaked into %v", err)
		}
		if strings.TrimSpace(sig) == want {
			t.Fatalf("rejected the correct signature: %v", err)
		}
	})
}
