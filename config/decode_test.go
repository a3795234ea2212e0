package config

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/internal/diag"
)

// httpSettings is a field group shared by connectors, inlined.
type httpSettings struct {
	BaseURL string        `yaml:"base_url"`
	Timeout time.Duration `yaml:"timeout"`
	Retries int           `yaml:"retries"`
}

type sampleSettings struct {
	httpSettings `yaml:",inline"`

	PhoneNumberID string            `yaml:"phone_number_id"`
	AccessToken   string            `yaml:"access_token"`
	Verify        bool              `yaml:"verify"`
	Rate          float64           `yaml:"rate"`
	Window        uint8             `yaml:"window"`
	Templates     []string          `yaml:"templates"`
	Headers       map[string]string `yaml:"headers"`
	Allow         []netip.Prefix    `yaml:"allow"`
	Extra         any               `yaml:"extra"`
	Limits        *struct {
		PerSecond int `yaml:"per_second"`
	} `yaml:"limits"`
	Ignored string `yaml:"-"`
}

func parseConnector(t *testing.T, section string) *Connector {
	t.Helper()
	src := "connectors:\n  whatsapp:\n" + section
	c, err := Parse("hub.yaml", []byte(src), mapLookup(map[string]string{"WA_TOKEN": "tok-123"}))
	require.NoError(t, err)
	return c.Connectors["whatsapp"]
}

func TestConnectorDecode(t *testing.T) {
	t.Parallel()

	conn := parseConnector(t, `    mode: sandbox
    base_url: http://127.0.0.1:9999
    timeout: 2s
    phone_number_id: "123"
    access_token: ${WA_TOKEN}
    verify: true
    rate: 2.5
    window: 24
    templates: [shipping_update, order_paid]
    headers: {X-Test: "1"}
    allow: [10.0.0.0/8]
    extra: {a: [1, 2]}
    limits: {per_second: 80}
`)
	require.Equal(t, ModeSandbox, conn.Mode)
	got := sampleSettings{httpSettings: httpSettings{Retries: 3}, Ignored: "kept"}
	require.NoError(t, conn.Decode(&got))
	require.Equal(t, "http://127.0.0.1:9999", got.BaseURL)
	require.Equal(t, 2*time.Second, got.Timeout)
	require.Equal(t, 3, got.Retries, "a key the section leaves out keeps its value")
	require.Equal(t, "123", got.PhoneNumberID)
	require.Equal(t, "tok-123", got.AccessToken)
	require.True(t, got.Verify)
	require.InDelta(t, 2.5, got.Rate, 0)
	require.Equal(t, uint8(24), got.Window)
	require.Equal(t, []string{"shipping_update", "order_paid"}, got.Templates)
	require.Equal(t, map[string]string{"X-Test": "1"}, got.Headers)
	require.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, got.Allow)
	require.Equal(t, map[string]any{"a": []any{1, 2}}, got.Extra)
	require.NotNil(t, got.Limits)
	require.Equal(t, 80, got.Limits.PerSecond)
	require.Equal(t, "kept", got.Ignored)
}

func TestConnectorDecodeErrors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		section string
		want    string
	}{
		{
			name:    "unknown key",
			section: "    phone_number: \"123\"\n",
			want:    `hub.yaml:3:5: connectors.whatsapp.phone_number: unknown key "phone_number"; did you mean "phone_number_id"?`,
		},
		{
			name:    "unknown key in an inline group",
			section: "    base_ur: http://x\n",
			want:    `hub.yaml:3:5: connectors.whatsapp.base_ur: unknown key "base_ur"; did you mean "base_url"?`,
		},
		{
			name:    "ignored field is unknown",
			section: "    ignored: x\n",
			want:    `hub.yaml:3:5: connectors.whatsapp.ignored: unknown key "ignored"`,
		},
		{
			name:    "bool",
			section: "    verify: yes\n",
			want:    `hub.yaml:3:13: connectors.whatsapp.verify: must be true or false, got "yes"`,
		},
		{
			name:    "float",
			section: "    rate: fast\n",
			want:    `hub.yaml:3:11: connectors.whatsapp.rate: must be a number, got "fast"`,
		},
		{
			name:    "unsigned overflow",
			section: "    window: 300\n",
			want:    `hub.yaml:3:13: connectors.whatsapp.window: must be an integer between 0 and 255, got "300"`,
		},
		{
			name:    "negative unsigned",
			section: "    window: -1\n",
			want:    `hub.yaml:3:13: connectors.whatsapp.window: must be a non-negative integer, got "-1"`,
		},
		{
			name:    "text unmarshaler",
			section: "    allow: [10.0.0.0/33]\n",
			want:    `hub.yaml:3:13: connectors.whatsapp.allow[0]: invalid value "10.0.0.0/33": netip.ParsePrefix("10.0.0.0/33"): prefix length out of range`,
		},
		{
			name:    "secret value is masked",
			section: "    access_token: [a, b]\n    timeout: 5\n",
			want: "hub.yaml:3:19: connectors.whatsapp.access_token: must be a string, got a list\n" +
				`hub.yaml:4:14: connectors.whatsapp.timeout: must be a duration such as "500ms", "30s" or "5m", got "5"`,
		},
		{
			name:    "nested",
			section: "    limits: {per_second: lots, burst: 2}\n    headers: [x]\n",
			want: `hub.yaml:3:26: connectors.whatsapp.limits.per_second: must be an integer, got "lots"` + "\n" +
				`hub.yaml:3:32: connectors.whatsapp.limits.burst: unknown key "burst"` + "\n" +
				"hub.yaml:4:14: connectors.whatsapp.headers: must be a mapping, got a list",
		},
		{
			name:    "alias cycle",
			section: "    extra: &x [*x]\n    templates: &y [*y]\n",
			want: `hub.yaml:3:12: connectors.whatsapp.extra: anchor 'x' value contains itself` + "\n" +
				"hub.yaml:4:16: connectors.whatsapp.templates[0]: must be a string, got a list",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conn := parseConnector(t, tt.section)
			var got sampleSettings
			err := conn.Decode(&got)
			require.EqualError(t, err, tt.want)
			var ds diag.Diagnostics
			require.ErrorAs(t, err, &ds)
		})
	}
}

func TestConnectorDecodeEdges(t *testing.T) {
	t.Parallel()

	var out sampleSettings
	require.NoError(t, (&Connector{Name: "x"}).Decode(&out), "a connector built in code has no settings")
	require.ErrorContains(t, (&Connector{Name: "x"}).Decode(out), "needs a non-nil pointer")

	conn := parseConnector(t, "    mode: live\n")
	require.Empty(t, conn.Keys())
	require.NoError(t, conn.Decode(&out))

	conn = parseConnector(t, "    a: &y [*y]\n")
	var nested map[string][][][]string
	require.EqualError(t, conn.Decode(&nested), "hub.yaml:3:12: connectors.whatsapp.a[0][0]: alias *y refers to itself")
}

// TestDecodeAliasBomb checks that aliases cannot expand a small file into
// an unbounded amount of work.
func TestDecodeAliasBomb(t *testing.T) {
	t.Parallel()

	var b strings.Builder
	b.WriteString("connectors:\n  whatsapp:\n    a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "    a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	c, err := Parse("hub.yaml", []byte(b.String()), nil)
	require.NoError(t, err)
	var out map[string][][][][][][][][][][]string
	err = c.Connectors["whatsapp"].Decode(&out)
	require.ErrorContains(t, err, "document too large or too deeply aliased")
}

func TestHint(t *testing.T) {
	t.Parallel()

	names := []string{"addr", "max_body_bytes", "phone_number_id"}
	tests := []struct{ in, want string }{
		{"adr", `; did you mean "addr"?`},
		{"Addr", `; did you mean "addr"?`},
		{"max_body_byte", `; did you mean "max_body_bytes"?`},
		{"phone_number", `; did you mean "phone_number_id"?`},
		{"max_bodybytse", `; did you mean "max_body_bytes"?`},
		{"port", ""},
		{"a", ""},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, hint(tt.in, names), tt.in)
	}
}
