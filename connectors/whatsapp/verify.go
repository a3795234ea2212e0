package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/switchboardhq/switchboard/connectors"
)

// SignatureHeader is the header Meta signs deliveries with. The legacy SHA-1
// X-Hub-Signature header is deliberately ignored.
const SignatureHeader = "X-Hub-Signature-256"

const sigPrefix = "sha256="

// Verify checks X-Hub-Signature-256: sha256=<lowercase hex HMAC-SHA256(body,
// app secret)> over the raw body bytes, in constant time.
func (c *Connector) Verify(h http.Header, body []byte) error {
	if c.cfg.AppSecret == "" {
		// An empty HMAC key is one anybody can sign with: fail closed.
		return fmt.Errorf("whatsapp: connectors.whatsapp.app_secret is not set, so no delivery can be verified: %w", connectors.ErrBadSignature)
	}
	v := strings.TrimSpace(headerValue(h, SignatureHeader))
	if v == "" {
		return fmt.Errorf("whatsapp: no %s header: %w", SignatureHeader, connectors.ErrMissingSignature)
	}
	if !strings.HasPrefix(v, sigPrefix) {
		return fmt.Errorf("whatsapp: %s does not start with %q: %w", SignatureHeader, sigPrefix, connectors.ErrBadSignature)
	}
	got := v[len(sigPrefix):]
	if len(got) != sha256.Size*2 || !isLowerHex(got) {
		return fmt.Errorf("whatsapp: %s is not 64 lower-case hex digits: %w", SignatureHeader, connectors.ErrBadSignature)
	}
	gotRaw, err := hex.DecodeString(got)
	if err != nil {
		return fmt.Errorf("whatsapp: %s: %w", SignatureHeader, connectors.ErrBadSignature)
	}
	mac := hmac.New(sha256.New, []byte(c.cfg.AppSecret))
	mac.Write(body)
	if !hmac.Equal(gotRaw, mac.Sum(nil)) {
		return fmt.Errorf("whatsapp: %s does not match the body (check connectors.whatsapp.app_secret): %w", SignatureHeader, connectors.ErrBadSignature)
	}
	return nil
}

// headerValue is h.Get, falling back to a case-insensitive key match for
// headers not built by net/http (which canonicalises keys).
func headerValue(h http.Header, key string) string {
	if v := h.Get(key); v != "" {
		return v
	}
	for k, vs := range h {
		if len(vs) > 0 && strings.EqualFold(k, key) {
			return vs[0]
		}
	}
	return ""
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if (b < '0' || b > '9') && (b < 'a' || b > 'f') {
			return false
		}
	}
	return true
}

// Handshake answers Meta's subscription check:
// GET ?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<n>.
// It returns the challenge to echo, or an error (answered 403).
func (c *Connector) Handshake(query map[string][]string) (string, error) {
	first := func(k string) string {
		if vs := query[k]; len(vs) > 0 {
			return vs[0]
		}
		return ""
	}
	mode := first("hub.mode")
	if mode != "subscribe" {
		return "", fmt.Errorf("whatsapp: handshake hub.mode is %q, want \"subscribe\"", mode)
	}
	token := first("hub.verify_token")
	// Hash both sides so the comparison does not leak the token's length.
	a := sha256.Sum256([]byte(token))
	b := sha256.Sum256([]byte(c.cfg.VerifyToken))
	if token == "" || subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
		return "", errors.New("whatsapp: handshake hub.verify_token does not match; check that connectors.whatsapp.verify_token equals the Verify token set in the Meta App Dashboard webhook settings")
	}
	challenge := first("hub.challenge")
	if challenge == "" {
		return "", errors.New("whatsapp: handshake has no hub.challenge to echo")
	}
	return challenge, nil
}
