package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
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
	out = append(out, []byte("test"), []byte("{}"), []byte(""), []byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":null}]}]}`))
	return out
}

func FuzzParse(f *testing.F) {
	for _, b := range seedBodies(f) {
		f.Add(b)
	}
	c := newTestConnector(f, testSecret)
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
		for _, ev := range evs {
			if ev.Source != "whatsapp" || ev.Type == "" || ev.DedupKey == "" || ev.Data == nil || len(ev.Raw) == 0 {
				t.Fatalf("incomplete event: %+v", ev)
			}
		}
	})
}

func FuzzVerify(f *testing.F) {
	sign := func(b []byte) string {
		m := hmac.New(sha256.New, []byte(testSecret))
		m.Write(b)
		return "sha256=" + hex.EncodeToString(m.Sum(nil))
	}
	for _, b := range seedBodies(f) {
		f.Add(b, sign(b))
		f.Add(b, "")
		f.Add(b, "sha1=1c99183cb7c44ea27fb834746086b65b89800db8")
	}
	f.Add([]byte("test"), sdkSig)
	c := newTestConnector(f, testSecret)
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		h := http.Header{}
		if sig != "" {
			h.Set(SignatureHeader, sig)
		}
		err := c.Verify(h, body)
		if err == nil {
			// Only the exact signature of this body may pass; whitespace
			// around a header value is not part of it (HTTP trims it too).
			if strings.TrimSpace(sig) != sign(body) {
				t.Fatalf("accepted %q for a body whose signature is %q", sig, sign(body))
			}
			return
		}
		if !errors.Is(err, connectors.ErrMissingSignature) && !errors.Is(err, connectors.ErrBadSignature) {
			t.Fatalf("error wraps no sentinel: %v", err)
		}
		if sig == sign(body) {
			t.Fatalf("rejected the correct signature: %v", err)
		}
	})
}
