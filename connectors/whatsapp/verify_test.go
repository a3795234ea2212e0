package whatsapp

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/switchboardhq/switchboard/connectors"
)

const (
	sdkSig       = "sha256=0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221"
	pywaSecret   = "1222e786b144d0e85b9f365372d93676"
	pywaSig      = "sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441"
	pywaBodySHA  = "1e9164c8a92fd863db619f73045c4ce870a9c51ff2f9dab23e5a6c2b92598c6d"
	emptyBodySig = "sha256=ce0bacf81b612d8703e9a7710c9d9cbc3e064908a8dddc0a54176906a5cf4e2d"
)

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestVerify(t *testing.T) {
	t.Parallel()
	sdkBody := readTestdata(t, "sig_sdk_body.txt")
	pywaBody := readTestdata(t, "pywa_text.json")
	require.Len(t, pywaBody, 511)

	flipped := append([]byte(nil), pywaBody...)
	flipped[100] ^= 0x01

	cases := []struct {
		name    string
		secret  string
		h       http.Header
		body    []byte
		wantErr error
	}{
		{"sdk vector", testSecret, hdr(SignatureHeader, sdkSig), sdkBody, nil},
		{"sdk vector lower-case header name", testSecret, http.Header{"x-hub-signature-256": {sdkSig}}, sdkBody, nil},
		{"pywa real delivery", pywaSecret, hdr(SignatureHeader, pywaSig), pywaBody, nil},
		{"derived empty body", testSecret, hdr(SignatureHeader, emptyBodySig), []byte{}, nil},
		{"derived escaped unicode", testSecret, hdr(SignatureHeader, "sha256=98f93fb20dd991e9ab61a27f4f708fdc9045e56fe71b03261585b52977baade1"), []byte(`{"text":"caf\u00e9"}`), nil},
		{"derived raw utf-8", testSecret, hdr(SignatureHeader, "sha256=dd377c06d5af34cd3b344cb27cd245f24f06d1c702cb8eea1651eed9fae2f82e"), []byte(`{"text":"café"}`), nil},
		{"missing header", testSecret, hdr(), sdkBody, connectors.ErrMissingSignature},
		{"empty header", testSecret, hdr(SignatureHeader, ""), sdkBody, connectors.ErrMissingSignature},
		{"legacy sha1 only", "FAKE_SECRET", hdr("X-Hub-Signature", "sha1=1c99183cb7c44ea27fb834746086b65b89800db8"), []byte("{}"), connectors.ErrMissingSignature},
		{"sha1 value in sha256 header", "FAKE_SECRET", hdr(SignatureHeader, "sha1=1c99183cb7c44ea27fb834746086b65b89800db8"), []byte("{}"), connectors.ErrBadSignature},
		{"no prefix", testSecret, hdr(SignatureHeader, strings.TrimPrefix(sdkSig, "sha256=")), sdkBody, connectors.ErrBadSignature},
		{"prefix only", testSecret, hdr(SignatureHeader, "sha256="), sdkBody, connectors.ErrBadSignature},
		{"not hex", testSecret, hdr(SignatureHeader, "sha256="+strings.Repeat("zz", 32)), sdkBody, connectors.ErrBadSignature},
		{"truncated", testSecret, hdr(SignatureHeader, sdkSig[:len(sdkSig)-2]), sdkBody, connectors.ErrBadSignature},
		{"too long", testSecret, hdr(SignatureHeader, sdkSig+"00"), sdkBody, connectors.ErrBadSignature},
		{"upper-case hex", testSecret, hdr(SignatureHeader, "sha256="+strings.ToUpper(strings.TrimPrefix(sdkSig, "sha256="))), sdkBody, connectors.ErrBadSignature},
		{"wrong secret", "OTHER_SECRET", hdr(SignatureHeader, sdkSig), sdkBody, connectors.ErrBadSignature},
		{"wrong signature", testSecret, hdr(SignatureHeader, "sha256="+strings.Repeat("0", 64)), sdkBody, connectors.ErrBadSignature},
		{"one byte changed", pywaSecret, hdr(SignatureHeader, pywaSig), flipped, connectors.ErrBadSignature},
		{"trailing newline added", pywaSecret, hdr(SignatureHeader, pywaSig), append(append([]byte(nil), pywaBody...), '\n'), connectors.ErrBadSignature},
		{"sdk signature on pywa body", pywaSecret, hdr(SignatureHeader, sdkSig), pywaBody, connectors.ErrBadSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newTestConnector(t, tc.secret)
			err := c.Verify(tc.h, tc.body)
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.wantErr)
		})
	}
}

func TestPywaFixtureIntegrity(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "pywa_text.json")
	sum := sha256Hex(body)
	require.Equal(t, pywaBodySHA, sum)
}

func TestHandshake(t *testing.T) {
	t.Parallel()
	c := newTestConnector(t, testSecret)
	cases := []struct {
		name    string
		q       map[string][]string
		want    string
		wantErr string
	}{
		{"ok", map[string][]string{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken}, "hub.challenge": {"1158201444"}}, "1158201444", ""},
		{"wrong token", map[string][]string{"hub.mode": {"subscribe"}, "hub.verify_token": {"nope"}, "hub.challenge": {"1"}}, "", "verify_token"},
		{"token prefix", map[string][]string{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken[:4]}, "hub.challenge": {"1"}}, "", "verify_token"},
		{"missing token", map[string][]string{"hub.mode": {"subscribe"}, "hub.challenge": {"1"}}, "", "verify_token"},
		{"wrong mode", map[string][]string{"hub.mode": {"unsubscribe"}, "hub.verify_token": {testVerifyToken}, "hub.challenge": {"1"}}, "", "hub.mode"},
		{"missing mode", map[string][]string{"hub.verify_token": {testVerifyToken}, "hub.challenge": {"1"}}, "", "hub.mode"},
		{"missing challenge", map[string][]string{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken}}, "", "hub.challenge"},
		{"nil query", nil, "", "hub.mode"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.Handshake(tc.q)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
