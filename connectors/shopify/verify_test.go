package shopify

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
)

// Official SDK test vectors for X-Shopify-Hmac-Sha256 (also listed in
// shared/contracts/commerce-crm.md §1.1).
const (
	// Shopify/shopify-api-js packages/shopify-api/lib/webhooks/__tests__/validate.test.ts
	// @7b21511ef0c3b369d88e7c5ec3befadd1de8ac41 ("returns true for valid
	// request"); the secret is the library's test config apiSecretKey
	// (lib/__tests__/test-config.ts), the HMAC helper is __tests__/utils.ts.
	jsSecret = "test_secret_key"
	jsBody   = `{"foo": "bar"}`
	jsHmac   = "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="

	// Shopify/shopify-api-ruby test/webhooks/registry_test.rb (setup, used by
	// test_process) @4eca719dfbb38326e66d6bff0f3611ceeec53aeb; the secret is
	// test/test_helper.rb's api_secret_key. Ruby's Base64.encode64 ends the
	// value with "\n", which the test keeps.
	rubySecret = "API_SECRET_KEY"
	rubyBody   = `{}`
	rubyHmac   = "+ihUB5l+D7QrohDEi/6NcBcJRyKssyWqos13LmnsBbs=\n"

	// Shopify/shopify-api-php tests/Webhooks/RegistryTest.php ($processHeaders
	// and $processBody, json_encode(['foo' => 'bar'])) @2b4bd969f01c0c060202f55ba43e36e5409634cd;
	// the secret is tests/BaseTestCase.php's apiSecretKey.
	phpSecret = "steffi"
	phpBody   = `{"foo":"bar"}`
	phpHmac   = "/Redz4YXHLnSmmSN8grr5/Jl/Ua3d7yX3iWbjb8R8wo="

	// Derived in the contract (§1.1, recomputed there, not from an SDK).
	derivedEmptyObjectHmac = "XvcIOG8nFWDt7em908qMy3qjutRcuCIanacuUBx1sD8="
)

func TestVerify(t *testing.T) {
	t.Parallel()
	order := readTestdata(t, "orders_create.json")
	orderSig := sign(testSecret, order)

	flipped := bytes.Clone(order)
	flipped[200] ^= 0x01
	var pretty bytes.Buffer
	require.NoError(t, json.Indent(&pretty, order, "", "  "))
	// Go's default encoder escapes "&" as \u0026: the same JSON, other bytes.
	var reencoded bytes.Buffer
	var v any
	require.NoError(t, json.Unmarshal(order, &v))
	require.NoError(t, json.NewEncoder(&reencoded).Encode(v))

	cases := []struct {
		name    string
		secret  string
		shop    string
		h       http.Header
		body    []byte
		wantErr error
	}{
		{"shopify-api-js vector", jsSecret, "", hdr(HeaderHmac, jsHmac), []byte(jsBody), nil},
		{"shopify-api-ruby vector", rubySecret, "", hdr(HeaderHmac, rubyHmac), []byte(rubyBody), nil},
		{"shopify-api-ruby vector, header as HTTP trims it", rubySecret, "", hdr(HeaderHmac, strings.TrimSpace(rubyHmac)), []byte(rubyBody), nil},
		{"shopify-api-php vector", phpSecret, "", hdr(HeaderHmac, phpHmac), []byte(phpBody), nil},
		{"derived empty object", jsSecret, "", hdr(HeaderHmac, derivedEmptyObjectHmac), []byte(`{}`), nil},
		{"realistic order", testSecret, "", hdr(HeaderHmac, orderSig), order, nil},
		{"lower-case header name", jsSecret, "", http.Header{"x-shopify-hmac-sha256": {jsHmac}}, []byte(jsBody), nil},
		{"events delivery header without X-", rubySecret, "", http.Header{"shopify-hmac-sha256": {rubyHmac}}, []byte(rubyBody), nil},
		{"configured shop matches", jsSecret, "shop1.myshopify.io", hdr(HeaderHmac, jsHmac, HeaderShopDomain, "SHOP1.myshopify.io"), []byte(jsBody), nil},
		{"configured shop, no shop header", jsSecret, "shop1.myshopify.io", hdr(HeaderHmac, jsHmac), []byte(jsBody), nil},

		{"missing header", jsSecret, "", hdr(), []byte(jsBody), connectors.ErrMissingSignature},
		{"empty header", jsSecret, "", hdr(HeaderHmac, " "), []byte(jsBody), connectors.ErrMissingSignature},
		{"js vector, one byte changed", jsSecret, "", hdr(HeaderHmac, jsHmac), []byte(`{"foo": "baz"}`), connectors.ErrBadSignature},
		{"js signature over the php body (no space)", jsSecret, "", hdr(HeaderHmac, jsHmac), []byte(phpBody), connectors.ErrBadSignature},
		{"order, one bit flipped", testSecret, "", hdr(HeaderHmac, orderSig), flipped, connectors.ErrBadSignature},
		{"order pretty-printed", testSecret, "", hdr(HeaderHmac, orderSig), pretty.Bytes(), connectors.ErrBadSignature},
		{"order re-encoded with HTML escaping", testSecret, "", hdr(HeaderHmac, orderSig), reencoded.Bytes(), connectors.ErrBadSignature},
		{"trailing newline added", phpSecret, "", hdr(HeaderHmac, phpHmac), []byte(phpBody + "\n"), connectors.ErrBadSignature},
		{"wrong key", "test_secret_key2", "", hdr(HeaderHmac, jsHmac), []byte(jsBody), connectors.ErrBadSignature},
		{"ruby signature with the js key", jsSecret, "", hdr(HeaderHmac, rubyHmac), []byte(rubyBody), connectors.ErrBadSignature},
		{"hex instead of base64", jsSecret, "", hdr(HeaderHmac, "076ded5cdebcd60674a8858d46b82dcc113d5d20e8e72694bbac1f9a1bb76bb8"), []byte(jsBody), connectors.ErrBadSignature},
		{"truncated", jsSecret, "", hdr(HeaderHmac, jsHmac[:len(jsHmac)-4]), []byte(jsBody), connectors.ErrBadSignature},
		{"not base64", jsSecret, "", hdr(HeaderHmac, "not a signature!"), []byte(jsBody), connectors.ErrBadSignature},
		{"sha256= prefix", jsSecret, "", hdr(HeaderHmac, "sha256="+jsHmac), []byte(jsBody), connectors.ErrBadSignature},
		{"other shop", jsSecret, "shop2.myshopify.io", hdr(HeaderHmac, jsHmac, HeaderShopDomain, "shop1.myshopify.io"), []byte(jsBody), connectors.ErrBadSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newTestConnector(t, Config{APISecret: tc.secret, ShopDomain: tc.shop})
			err := c.Verify(tc.h, tc.body)
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.wantErr)
			require.NotContains(t, err.Error(), tc.secret, "the secret never appears in an error")
		})
	}
}

// TestVerifyThenParseSDKHeaders replays the shopify-api-js "missing header"
// cases: a correctly signed body whose delivery lacks one header. The
// signature still verifies (Shopify signs only the body); Parse refuses a
// delivery without topic, shop or id.
func TestVerifyThenParseSDKHeaders(t *testing.T) {
	t.Parallel()
	c := newTestConnector(t, Config{APISecret: jsSecret})
	full := func() http.Header {
		return hdr(
			HeaderAPIVersion, "2023-01",
			HeaderShopDomain, "shop1.myshopify.io",
			HeaderHmac, jsHmac,
			HeaderTopic, "products/create",
			HeaderWebhookID, "123456789",
		)
	}
	cases := []struct {
		missing string
		wantErr bool
	}{
		{"", false},
		{HeaderAPIVersion, false},
		{HeaderShopDomain, true},
		{HeaderTopic, true},
		{HeaderWebhookID, true},
	}
	for _, tc := range cases {
		t.Run("missing "+tc.missing, func(t *testing.T) {
			t.Parallel()
			h := full()
			h.Del(tc.missing)
			require.NoError(t, c.Verify(h, []byte(jsBody)))
			evs, err := c.Parse(h, []byte(jsBody))
			if !tc.wantErr {
				require.NoError(t, err)
				require.Len(t, evs, 1)
				require.Equal(t, "shopify.products.create", evs[0].Type)
				require.Equal(t, "123456789", evs[0].DedupKey)
				require.Equal(t, map[string]any{"foo": "bar"}, evs[0].Data["payload"])
				return
			}
			require.ErrorIs(t, err, connectors.ErrUnparseable)
			require.ErrorContains(t, err, strings.TrimPrefix(tc.missing, "X-"))
			require.Nil(t, evs)
		})
	}
}
