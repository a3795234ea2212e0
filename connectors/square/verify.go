package square

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/switchboardhq/switchboard/connectors"
)

// SignatureHeader carries Square's webhook signature. The legacy HMAC-SHA1
// header x-square-signature is deliberately ignored.
const SignatureHeader = "x-square-hmacsha256-signature"

// EnvironmentHeader says which Square environment sent a delivery
// ("Production" or "Sandbox").
const EnvironmentHeader = "square-environment"

// Sign returns Square's webhook signature of body: base64 (standard, padded)
// of HMAC-SHA256 keyed with the UTF-8 bytes of signatureKey over the
// notification URL followed by the raw body bytes.
func Sign(signatureKey, notificationURL string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(signatureKey))
	mac.Write([]byte(notificationURL))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify checks x-square-hmacsha256-signature against the configured
// signature key and notification URL, in constant time. Whitespace around
// the header value is ignored (HTTP trims it too); any other difference from
// the expected base64 string is a bad signature.
func (c *Connector) Verify(h http.Header, body []byte) error {
	got := strings.TrimSpace(headerValue(h, SignatureHeader))
	if got == "" {
		return fmt.Errorf("square: no %s header: %w", SignatureHeader, connectors.ErrMissingSignature)
	}
	want := Sign(c.cfg.SignatureKey, c.cfg.NotificationURL, body)
	if !hmac.Equal([]byte(got), []byte(want)) {
		return fmt.Errorf("square: %s does not match the body (check connectors.square.signature_key, and that connectors.square.notification_url is byte for byte the URL registered on the subscription): %w",
			SignatureHeader, connectors.ErrBadSignature)
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
