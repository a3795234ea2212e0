package square

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/connectors"
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
		[]byte(""), []byte("{}"), []byte("null"), []byte(`{"type":"booking.created","event_id":"e"}`),
		[]byte(s2Body), []byte(s3Body), []byte(s3EscapedBody), []byte(s1PrettyBody),
		[]byte(`{"type":"order.updated","event_id":"e","data":{"object":{"order_updated":null}}}`),
		[]byte(`{"type":"payment.updated","event_id":"e","data":{"id":"p","object":{"payment":{"amount_money":{"amount":-9223372036854775808,"currency":"KWD"}}}}}`),
	)
}

// typeRe is the shape of every event type the hub accepts.
var typeRe = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

func FuzzParse(f *testing.F) {
	for _, b := range seedBodies(f) {
		f.Add(b)
	}
	c := newTestConnector(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := c.Parse(nil, body)
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
			t.Fatalf("got %d events, want 1", len(evs))
		}
		ev := evs[0]
		if ev.Source != Name || !typeRe.MatchString(ev.Type) || strings.TrimSpace(ev.DedupKey) == "" || ev.Data == nil {
			t.Fatalf("incomplete event: source %q type %q dedup %q data %v", ev.Source, ev.Type, ev.DedupKey, ev.Data)
		}
		if _, ok := ev.Data["square_type"].(string); !ok {
			t.Fatalf("no data.square_type: %v", ev.Data)
		}
		if !bytes.Equal(ev.Raw, body) {
			t.Fatalf("raw is not the body")
		}
		b, err := json.Marshal(ev.Data)
		if err != nil {
			t.Fatalf("data is not JSON-encodable: %v", err)
		}
		var back map[string]any
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("data does not decode: %v", err)
		}
	})
}

func FuzzVerify(f *testing.F) {
	for _, b := range seedBodies(f) {
		f.Add(b, Sign(testKey, testURL, b))
		f.Add(b, "")
		f.Add(b, s1Sig)
		f.Add(b, " "+Sign(testKey, testURL, b)+"\t")
	}
	c := newTestConnector(f)
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		h := http.Header{}
		if sig != "" {
			h[SignatureHeader] = []string{sig}
		}
		want := Sign(testKey, testURL, body)
		err := c.Verify(h, body)
		if err == nil {
			// Only the exact signature of this body may pass; whitespace
			// around a header value is not part of it (HTTP trims it too).
			if strings.TrimSpace(sig) != want {
				t.Fatalf("accepted %q for a body whose signature is %q", sig, want)
			}
			return
		}
		if !errors.Is(err, connectors.ErrMissingSignature) && !errors.Is(err, connectors.ErrBadSignature) {
			t.Fatalf("error wraps no sentinel: %v", err)
		}
		if sig == want {
			t.Fatalf("rejected the correct signature: %v", err)
		}
	})
}
