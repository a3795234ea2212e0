package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/switchboardhq/switchboard/connectors"
)

// Webhook delivery headers (https://shopify.dev/docs/apps/build/webhooks/delivery-structure).
// Deliveries of Shopify's newer "Events" format carry the same names without
// the "X-" prefix; both are read.
const (
	HeaderHmac        = "X-Shopify-Hmac-Sha256"
	HeaderTopic       = "X-Shopify-Topic"
	HeaderShopDomain  = "X-Shopify-Shop-Domain"
	HeaderAPIVersion  = "X-Shopify-API-Version"
	HeaderWebhookID   = "X-Shopify-Webhook-Id"
	HeaderEventID     = "X-Shopify-Event-Id"
	HeaderTriggeredAt = "X-Shopify-Triggered-At"
)

// Verify checks X-Shopify-Hmac-Sha256: the base64 HMAC-SHA256 of the raw
// body keyed with api_secret, compared in constant time. A missing or empty
// header wraps connectors.ErrMissingSignature; a malformed or wrong one
// wraps connectors.ErrBadSignature. A verified delivery whose
// X-Shopify-Shop-Domain names a shop other than the configured shop_domain
// is refused with ErrBadSignature too: the secret belongs to an app, and an
// app may be installed on several shops.
//
// Shopify signs only the body: there is no timestamp, so no replay window;
// replays are caught by deduplication on X-Shopify-Event-Id.
func (c *Connector) Verify(h http.Header, body []byte) error {
	v := strings.TrimSpace(header(h, HeaderHmac))
	if v == "" {
		return fmt.Errorf("shopify: no %s header: %w", HeaderHmac, connectors.ErrMissingSignature)
	}
	got, err := base64.StdEncoding.DecodeString(v)
	// The decoder skips line breaks: only the canonical encoding counts.
	if err != nil || len(got) != sha256.Size || base64.StdEncoding.EncodeToString(got) != v {
		return fmt.Errorf("shopify: %s is not a base64 HMAC-SHA256: %w", HeaderHmac, connectors.ErrBadSignature)
	}
	mac := hmac.New(sha256.New, []byte(c.cfg.APISecret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return fmt.Errorf("shopify: %s does not match the body (check connectors.shopify.api_secret): %w", HeaderHmac, connectors.ErrBadSignature)
	}
	if c.cfg.ShopDomain != "" {
		if shop := strings.TrimSpace(header(h, HeaderShopDomain)); shop != "" && !strings.EqualFold(shop, c.cfg.ShopDomain) {
			return fmt.Errorf("shopify: delivery is for shop %q, but connectors.shopify.shop_domain is %q: %w", shop, c.cfg.ShopDomain, connectors.ErrBadSignature)
		}
	}
	return nil
}

// header reads a delivery header by its canonical name, then without the
// "X-" prefix, then by a case-insensitive match for maps not built by
// net/http (HTTP/2 lower-cases names).
func header(h http.Header, key string) string {
	if v := h.Get(key); v != "" {
		return v
	}
	short := strings.TrimPrefix(key, "X-")
	if v := h.Get(short); v != "" {
		return v
	}
	for k, vs := range h {
		if len(vs) > 0 && vs[0] != "" && (strings.EqualFold(k, key) || strings.EqualFold(k, short)) {
			return vs[0]
		}
	}
	return ""
}
