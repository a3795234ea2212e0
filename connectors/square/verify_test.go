package square

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
)

// The official vectors come from Square's SDK test suites, which share them:
//
//   - square/square-nodejs-sdk test/utilities/webhooksHelper.test.ts
//     @71867a062f70da7c6c8ace73b5bc8896cc06c165
//   - square/square-python-sdk tests/utilities/test_webhooks_helper.py
//     @243f83b2f6f730d67433494acc69d6a9ead11421
//
// (also in the Go, Java, PHP and Ruby SDKs' webhook tests). S1 is a real
// test notification; S2 and S3 use key "signature-key" and URL
// "https://webhook.site/webhooks", S3 with literal > and < in the body.
const (
	s1Sig = "GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4="

	s2Key  = "signature-key"
	s2URL  = "https://webhook.site/webhooks"
	s2Body = `{"data":{"type":"webhooks","id":"fake_id"}}`
	s2Sig  = "W3FlCNk5IA3ZQ2LHTWoajvzfaDu/OwY2tNHIHC3IUOA="
	s3Body = `{"data":{"type":"webhooks","id":">id<"}}`
	s3Sig  = "Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U="

	// s3EscapedBody is S3 as Go's json.Marshal would render it; its
	// signature is derived (shared/contracts/commerce-crm.md 1.2), not from
	// an SDK.
	s3EscapedBody = `{"data":{"type":"webhooks","id":"\u003eid\u003c"}}`
	s3EscapedSig  = "HqT3W4imYxW8sXwZj4aXldM1FQXHd2v6fgoJRM3g3m0="
)

// s1PrettyBody is the SDK's "request body formatted" negative: S1's JSON
// pretty-printed with 4-space indent and \n.
const s1PrettyBody = "{\n" +
	"    \"merchant_id\": \"MLEFBHHSJGVHD\",\n" +
	"    \"type\": \"webhooks.test_notification\",\n" +
	"    \"event_id\": \"ac3ac95b-f97d-458c-a6e6-18981597e05f\",\n" +
	"    \"created_at\": \"2022-07-13T20:30:59.037339943Z\",\n" +
	"    \"data\": {\n" +
	"      \"type\": \"webhooks\",\n" +
	"      \"id\": \"bc368e64-01aa-407e-b46e-3231809b1129\"\n" +
	"    }\n" +
	"}"

func sigHeader(v string) http.Header {
	h := http.Header{}
	h.Set(SignatureHeader, v)
	return h
}

func TestSignOfficialVectors(t *testing.T) {
	t.Parallel()
	s1Body := readTestdata(t, "test_notification.json")
	require.Len(t, s1Body, 234, "vector S1's body is 234 bytes, no trailing newline")
	require.Equal(t, s1Sig, Sign(testKey, testURL, s1Body))
	require.Equal(t, s2Sig, Sign(s2Key, s2URL, []byte(s2Body)))
	require.Equal(t, s3Sig, Sign(s2Key, s2URL, []byte(s3Body)))
	require.Equal(t, s3EscapedSig, Sign(s2Key, s2URL, []byte(s3EscapedBody)))
}

func TestVerify(t *testing.T) {
	t.Parallel()
	s1Body := readTestdata(t, "test_notification.json")
	changedByte := append([]byte(nil), s1Body...)
	changedByte[100] ^= 0x01
	// The SDK's "request body mismatch": created_at in June, not July.
	otherDate := []byte(strings.Replace(string(s1Body), "2022-07-13", "2022-06-13", 1))

	cases := []struct {
		name    string
		key     string
		url     string
		h       http.Header
		body    []byte
		wantErr error
	}{
		// Official vectors (Square SDK tests).
		{"S1 test notification", testKey, testURL, sigHeader(s1Sig), s1Body, nil},
		{"S2 unescaped chars", s2Key, s2URL, sigHeader(s2Sig), []byte(s2Body), nil},
		{"S3 literal > and <", s2Key, s2URL, sigHeader(s3Sig), []byte(s3Body), nil},
		// Official negatives.
		{"S1 with notification URL one char short", testKey, "https://webhook.site/79a4f3a-dcfa-49ee-bac5-9d0edad886b9", sigHeader(s1Sig), s1Body, connectors.ErrBadSignature},
		{"S1 with another signature key", "MCmhFRxGX82xMwg5FsaoQA", testURL, sigHeader(s1Sig), s1Body, connectors.ErrBadSignature},
		{"S1 with another signature header", testKey, testURL, sigHeader("1z2n3DEJJiUPKcPzQo1ftvbxGdw="), s1Body, connectors.ErrBadSignature},
		{"S1 with created_at changed", testKey, testURL, sigHeader(s1Sig), otherDate, connectors.ErrBadSignature},
		{"S1 pretty-printed", testKey, testURL, sigHeader(s1Sig), []byte(s1PrettyBody), connectors.ErrBadSignature},
		// Derived.
		{"S3 re-encoded by Go with its own signature", s2Key, s2URL, sigHeader(s3EscapedSig), []byte(s3EscapedBody), nil},
		{"S3 signature on the re-encoded body", s2Key, s2URL, sigHeader(s3Sig), []byte(s3EscapedBody), connectors.ErrBadSignature},
		{"S1 one byte changed", testKey, testURL, sigHeader(s1Sig), changedByte, connectors.ErrBadSignature},
		{"S1 trailing newline added", testKey, testURL, sigHeader(s1Sig), append(append([]byte(nil), s1Body...), '\n'), connectors.ErrBadSignature},
		{"S1 URL with a trailing slash", testKey, testURL + "/", sigHeader(s1Sig), s1Body, connectors.ErrBadSignature},
		{"S1 URL in upper case", testKey, strings.ToUpper(testURL), sigHeader(s1Sig), s1Body, connectors.ErrBadSignature},
		{"S1 header name in lower case", testKey, testURL, http.Header{SignatureHeader: {s1Sig}}, s1Body, nil},
		{"S1 header with surrounding spaces", testKey, testURL, sigHeader("  " + s1Sig + " "), s1Body, nil},
		{"S1 signature without padding", testKey, testURL, sigHeader(strings.TrimRight(s1Sig, "=")), s1Body, connectors.ErrBadSignature},
		{"S1 signature in URL-safe base64", testKey, testURL, sigHeader(strings.NewReplacer("+", "-", "/", "_").Replace(s1Sig)), s1Body, connectors.ErrBadSignature},
		{"S1 hex signature", testKey, testURL, sigHeader(fmt.Sprintf("%x", s1Sig)), s1Body, connectors.ErrBadSignature},
		{"missing header", testKey, testURL, http.Header{}, s1Body, connectors.ErrMissingSignature},
		{"empty header", testKey, testURL, sigHeader(""), s1Body, connectors.ErrMissingSignature},
		{"blank header", testKey, testURL, sigHeader("   "), s1Body, connectors.ErrMissingSignature},
		{"only the legacy SHA-1 header", testKey, testURL, http.Header{"X-Square-Signature": {"2kRE5qRU2tR+tBGlDwMEw2avJ7QM4ikPYD/PJ3bd9Og="}}, s1Body, connectors.ErrMissingSignature},
		{"empty body", testKey, testURL, sigHeader(s1Sig), nil, connectors.ErrBadSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(Config{SignatureKey: tc.key, NotificationURL: tc.url}, Options{})
			require.NoError(t, err)
			err = c.Verify(tc.h, tc.body)
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.wantErr)
			require.NotContains(t, err.Error(), tc.key, "the signature key must not appear in errors")
		})
	}
}

func ExampleSign() {
	// Vector S2 of Square's SDK tests.
	fmt.Println(Sign("signature-key", "https://webhook.site/webhooks", []byte(`{"data":{"type":"webhooks","id":"fake_id"}}`)))
	// Output: W3FlCNk5IA3ZQ2LHTWoajvzfaDu/OwY2tNHIHC3IUOA=
}
