package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/internal/diag"
)

// TestParseErrors holds one case per kind of finding, with the exact text
// a user sees.
func TestParseErrors(t *testing.T) {
	t.Parallel()

	env := map[string]string{"SHORT": "abc"}
	tests := []struct {
		name string
		src  string
		want string
	}{
		// The messaging policy.
		{
			name: "consent kept less than two years",
			src:  "policy:\n  consent_retention: 8760h\n",
			want: "hub.yaml:2:22: policy.consent_retention: must be at least two years (17520h0m0s), got 8760h0m0s",
		},
		{
			name: "unknown opt-out scope",
			src:  "policy:\n  opt_out_scope: some\n",
			want: "hub.yaml:2:18: policy.opt_out_scope: must be all or marketing, got \"some\"",
		},
		{
			name: "unknown policy key",
			src:  "policy:\n  quiet_hour: {start: \"20:00\"}\n",
			want: "hub.yaml:2:3: policy.quiet_hour: unknown key \"quiet_hour\"; did you mean \"quiet_hours\"?",
		},
		// Syntax.
		{
			name: "syntax error on the first line",
			src:  "server: addr: x\n",
			want: "hub.yaml:1: invalid YAML: mapping values are not allowed in this context",
		},
		{
			name: "parser error line is corrected",
			src:  "server:\n  - x\n y: 2\n",
			want: "hub.yaml:3: invalid YAML: did not find expected key",
		},
		{
			name: "control character",
			src:  "log:\n  level: \x01\n",
			want: "hub.yaml:2:10: invalid YAML: control characters are not allowed",
		},
		{
			name: "invalid utf-8",
			src:  "log:\n  level: \xff\n",
			want: "hub.yaml:2:10: invalid YAML: invalid leading UTF-8 octet",
		},
		{
			name: "two documents",
			src:  "log: {level: debug}\n---\nlog: {level: info}\n",
			want: "hub.yaml:3:1: the config file must hold a single YAML document",
		},
		{
			name: "root is not a mapping",
			src:  "- server\n",
			want: "hub.yaml:1:1: the config file must be a mapping of settings, got a list",
		},
		// Decoding.
		{
			name: "unknown key with a hint",
			src:  "server:\n  adr: :9000\n",
			want: `hub.yaml:2:3: server.adr: unknown key "adr"; did you mean "addr"?`,
		},
		{
			name: "unknown key without a hint",
			src:  "telemetry: true\n",
			want: `hub.yaml:1:1: telemetry: unknown key "telemetry"`,
		},
		{
			name: "duplicate key",
			src:  "log:\n  level: info\n  level: debug\n",
			want: `hub.yaml:3:3: log.level: duplicate key "level" (first set on line 2)`,
		},
		{
			name: "integer",
			src:  "server:\n  max_body_bytes: big\n",
			want: `hub.yaml:2:19: server.max_body_bytes: must be an integer, got "big"`,
		},
		{
			name: "integer overflow",
			src:  "engine:\n  workers: 99999999999999999999\n",
			want: `hub.yaml:2:12: engine.workers: must be an integer, got "99999999999999999999"`,
		},
		{
			name: "string given a mapping",
			src:  "data_dir: {path: /x}\n",
			want: "hub.yaml:1:11: data_dir: must be a string, got a mapping",
		},
		{
			name: "section given a scalar",
			src:  "engine: fast\n",
			want: `hub.yaml:1:9: engine: must be a mapping, got "fast"`,
		},
		{
			name: "list given a scalar",
			src:  "pipelines: pipelines/*.yaml\n",
			want: `hub.yaml:1:12: pipelines: must be a list, got "pipelines/*.yaml"`,
		},
		{
			name: "duration without unit",
			src:  "engine:\n  retry_base: 5\n",
			want: `hub.yaml:2:15: engine.retry_base: must be a duration such as "500ms", "30s" or "5m", got "5"`,
		},
		{
			name: "secret value is not quoted back",
			src:  "auth:\n  api_keys:\n    - name: ci\n      key: {nested: oops}\n      scopes: [ingest]\n",
			want: "hub.yaml:4:12: auth.api_keys[0].key: must be a string, got a mapping",
		},
		{
			name: "merge keys and extension keys",
			src:  "x-base: &b {addr: ':9000', adr: 1}\nserver:\n  <<: *b\n",
			want: `hub.yaml:1:28: server.adr: unknown key "adr"; did you mean "addr"?`,
		},
		{
			name: "connectors section given a list",
			src:  "connectors: [whatsapp]\n",
			want: "hub.yaml:1:13: connectors: must be a mapping of connector names to their settings, got a list",
		},
		{
			name: "connector name",
			src:  "connectors:\n  WhatsApp: {mode: sandbox}\n",
			want: `hub.yaml:2:3: connectors.WhatsApp: connector name "WhatsApp" must be lower-case letters, digits, _ or -, starting with a letter`,
		},
		{
			name: "connector section given a scalar",
			src:  "connectors:\n  whatsapp: yes\n",
			want: `hub.yaml:2:13: connectors.whatsapp: must be a mapping of settings, got "yes"`,
		},
		// Environment.
		{
			name: "unset variable names its key",
			src:  "store:\n  driver: postgres\n  dsn: \"${PG_DSN}\"\n",
			want: "hub.yaml:3:9: store.dsn: environment variable PG_DSN is not set (use ${PG_DSN:-default} for a fallback)",
		},
		{
			name: "unset variable in a flow mapping keeps later columns right",
			src:  "server: {addr: ${ADDR}, adr: 1}\n",
			want: "hub.yaml:1:16: server.addr: environment variable ADDR is not set (use ${ADDR:-default} for a fallback)\n" +
				`hub.yaml:1:25: server.adr: unknown key "adr"; did you mean "addr"?`,
		},
		{
			name: "substituted value is validated",
			src:  "auth:\n  api_keys:\n    - {name: ci, key: \"${SHORT}\", scopes: [ingest]}\n",
			want: "hub.yaml:3:23: auth.api_keys[0].key: must be at least 16 characters, got 3",
		},
		// Validation.
		{
			name: "empty string is not a default",
			src:  "server:\n  addr: \"\"\n",
			want: "hub.yaml:2:9: server.addr: must not be empty",
		},
		{
			name: "address",
			src:  "server:\n  addr: \"8080\"\n",
			want: `hub.yaml:2:9: server.addr: must be host:port such as ":8080" or "127.0.0.1:8080", got "8080"`,
		},
		{
			name: "body limit",
			src:  "server:\n  max_body_bytes: 0\n",
			want: "hub.yaml:2:19: server.max_body_bytes: must be between 1 and 1073741824, got 0",
		},
		{
			name: "workers",
			src:  "engine:\n  workers: 0\n",
			want: "hub.yaml:2:12: engine.workers: must be between 1 and 1024, got 0",
		},
		{
			name: "max attempts",
			src:  "engine:\n  max_attempts: 101\n",
			want: "hub.yaml:2:17: engine.max_attempts: must be between 1 and 100, got 101",
		},
		{
			name: "retry max below retry base",
			src:  "engine:\n  retry_base: 10m\n",
			want: "hub.yaml:2:15: engine.retry_max: must be at least engine.retry_base (10m0s), got 5m0s",
		},
		{
			name: "sweep interval",
			src:  "engine:\n  sweep_interval: 0s\n",
			want: "hub.yaml:2:19: engine.sweep_interval: must be between 1s and 1h0m0s, got 0s",
		},
		{
			name: "enum with a hint",
			src:  "store:\n  driver: postgress\n",
			want: `hub.yaml:2:11: store.driver: must be sqlite or postgres, got "postgress"; did you mean "postgres"?`,
		},
		{
			name: "log level",
			src:  "log:\n  level: verbose\n  format: xml\n",
			want: `hub.yaml:2:10: log.level: must be debug, info, warn or error, got "verbose"` + "\n" +
				`hub.yaml:3:11: log.format: must be text or json, got "xml"`,
		},
		{
			name: "postgres store needs a dsn",
			src:  "store:\n  driver: postgres\n",
			want: "hub.yaml:2:11: store.dsn: is required when store.driver is postgres",
		},
		{
			name: "postgres bus needs the postgres store",
			src:  "bus:\n  driver: postgres\n",
			want: `hub.yaml:2:11: bus.driver: postgres needs store.driver postgres (the bus shares the store's database), got store.driver "sqlite"`,
		},
		{
			name: "nats bus needs a url",
			src:  "bus:\n  driver: nats\n",
			want: "hub.yaml:2:11: bus.url: is required when bus.driver is nats",
		},
		{
			name: "region",
			src:  "contacts:\n  default_region: au\n",
			want: `hub.yaml:2:19: contacts.default_region: must be two upper-case letters (an ISO 3166 region such as "AU"), got "au"`,
		},
		{
			name: "connector mode",
			src:  "connectors:\n  whatsapp:\n    mode: test\n    token: abc\n",
			want: `hub.yaml:3:11: connectors.whatsapp.mode: must be live or sandbox, got "test"`,
		},
		{
			name: "pipeline glob",
			src:  "pipelines: [\"pipelines/[\", \"\"]\n",
			want: `hub.yaml:1:13: pipelines[0]: is not a valid glob (syntax error in pattern), got "pipelines/["` + "\n" +
				"hub.yaml:1:28: pipelines[1]: must not be empty",
		},
		{
			name: "api keys",
			src: `auth:
  api_keys:
    - name: ci
      key: 0123456789abcdef
      scopes: [ingest, write, ingest]
    - name: ci
      key: 0123456789abcdef
    - key: " padded-key-0123456 "
      scopes: [read]
`,
			want: `hub.yaml:5:24: auth.api_keys[0].scopes[1]: must be ingest, read or admin, got "write"` + "\n" +
				`hub.yaml:5:31: auth.api_keys[0].scopes[2]: duplicate scope "ingest"` + "\n" +
				"hub.yaml:6:7: auth.api_keys[1].scopes: must list at least one of ingest, read or admin\n" +
				`hub.yaml:6:13: auth.api_keys[1].name: duplicate name "ci" (also auth.api_keys[0])` + "\n" +
				"hub.yaml:7:12: auth.api_keys[1].key: is the same as auth.api_keys[0].key; give every client its own key\n" +
				"hub.yaml:8:7: auth.api_keys[2].name: must not be empty\n" +
				"hub.yaml:8:12: auth.api_keys[2].key: must not start or end with white space",
		},
		{
			name: "every finding at once, in file order",
			src:  "server:\n  adr: x\nengine:\n  workers: 2000\n  retry_max: soon\nlog:\n  level: loud\n",
			want: `hub.yaml:2:3: server.adr: unknown key "adr"; did you mean "addr"?` + "\n" +
				"hub.yaml:4:12: engine.workers: must be between 1 and 1024, got 2000\n" +
				`hub.yaml:5:14: engine.retry_max: must be a duration such as "500ms", "30s" or "5m", got "soon"` + "\n" +
				`hub.yaml:7:10: log.level: must be debug, info, warn or error, got "loud"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse("hub.yaml", []byte(tt.src), mapLookup(env))
			require.Nil(t, c)
			require.EqualError(t, err, tt.want)
			var ds diag.Diagnostics
			require.ErrorAs(t, err, &ds)
			for _, d := range ds {
				require.Positive(t, d.Line, d.String())
			}
		})
	}
}

func TestParseEmptyIsDefault(t *testing.T) {
	t.Parallel()

	for _, src := range []string{"", "\n", "# nothing here\n", "---\n", "~\n", "---\n...\n"} {
		c, err := Parse("", []byte(src), nil)
		require.NoError(t, err, "%q", src)
		require.Equal(t, Default(), c, "%q", src)
	}
}

func TestDefault(t *testing.T) {
	t.Parallel()

	c := Default()
	require.Equal(t, ":8080", c.Server.Addr)
	require.Equal(t, int64(1<<20), c.Server.MaxBodyBytes)
	require.Equal(t, "./data", c.DataDir)
	require.Equal(t, Store{Driver: "sqlite"}, c.Store)
	require.Equal(t, Bus{Driver: "embedded", Group: "switchboard"}, c.Bus)
	require.Equal(t, "AU", c.Contacts.DefaultRegion)
	require.Equal(t, Engine{
		Workers: 64, MaxAttempts: 8,
		RetryBase: time.Second, RetryMax: 5 * time.Minute,
		SweepInterval: 30 * time.Second, StepTimeout: 30 * time.Second,
	}, c.Engine)
	require.Equal(t, Log{Level: "info", Format: "text"}, c.Log)
	require.Equal(t, []string{"pipelines/*.yaml"}, c.Pipelines)
	require.Empty(t, c.Connectors)
	require.Empty(t, c.Auth.APIKeys)
	require.Equal(t, ".", c.Dir())
	require.NoError(t, c.Validate())
}

const fullExample = `# Switchboard hub configuration.
server:
  addr: 127.0.0.1:9090
  max_body_bytes: 2_097_152
data_dir: /var/lib/switchboard
store:
  driver: postgres
  dsn: postgres://hub:${PG_PASSWORD}@db:5432/hub?sslmode=disable
bus:
  driver: nats
  url: ${NATS_URL:-nats://nats:4222}
auth:
  api_keys:
    - name: storefront
      key: ${STOREFRONT_KEY}
      scopes: [ingest]
    - name: ops
      key: "ops-key-0123456789"
      scopes: [read, admin]
contacts:
  default_region: NZ
engine:
  workers: 128
  max_attempts: 5
  retry_base: 500ms
  retry_max: 10m
  sweep_interval: 1m
  step_timeout: 10s
log:
  level: debug
  format: json
x-shared: &meta
  base_url: https://graph.facebook.com
connectors:
  whatsapp:
    <<: *meta
    mode: sandbox
    phone_number_id: "1234567890"
    access_token: ${WA_TOKEN}
    app_secret: ${WA_APP_SECRET}
  shopify:
    shop: example.myshopify.com
    webhook_secret: $${not-a-variable}
  square:
pipelines:
  - pipelines/*.yaml
  - extra/*.yaml
`

func fullExampleEnv() map[string]string {
	return map[string]string{
		"PG_PASSWORD":    "pg-pass",
		"STOREFRONT_KEY": "storefront-key-0123456789",
		"WA_TOKEN":       "wa-token-value",
		"WA_APP_SECRET":  "wa-app-secret",
	}
}

func TestParseFullExample(t *testing.T) {
	t.Parallel()

	c, err := Parse("etc/hub.yaml", []byte(fullExample), mapLookup(fullExampleEnv()))
	require.NoError(t, err)
	require.Equal(t, "etc/hub.yaml", c.File)
	require.Equal(t, "etc", c.Dir())
	require.Equal(t, Server{Addr: "127.0.0.1:9090", MaxBodyBytes: 2 << 20}, c.Server)
	require.Equal(t, "/var/lib/switchboard", c.DataDir)
	require.Equal(t, Store{Driver: "postgres", DSN: "postgres://hub:pg-pass@db:5432/hub?sslmode=disable"}, c.Store)
	require.Equal(t, Bus{Driver: "nats", URL: "nats://nats:4222", Group: "switchboard"}, c.Bus)
	require.Equal(t, []APIKey{
		{Name: "storefront", Key: "storefront-key-0123456789", Scopes: []string{"ingest"}},
		{Name: "ops", Key: "ops-key-0123456789", Scopes: []string{"read", "admin"}},
	}, c.Auth.APIKeys)
	require.True(t, c.Auth.APIKeys[1].HasScope(ScopeAdmin))
	require.False(t, c.Auth.APIKeys[0].HasScope(ScopeAdmin))
	require.Equal(t, "NZ", c.Contacts.DefaultRegion)
	require.Equal(t, Engine{
		Workers: 128, MaxAttempts: 5,
		RetryBase: 500 * time.Millisecond, RetryMax: 10 * time.Minute,
		SweepInterval: time.Minute, StepTimeout: 10 * time.Second,
	}, c.Engine)
	require.Equal(t, Log{Level: "debug", Format: "json"}, c.Log)
	require.Equal(t, []string{"pipelines/*.yaml", "extra/*.yaml"}, c.Pipelines)
	require.Empty(t, c.Warnings)

	require.Len(t, c.Connectors, 3)
	wa := c.Connectors["whatsapp"]
	require.Equal(t, "whatsapp", wa.Name)
	require.Equal(t, ModeSandbox, wa.Mode)
	require.Equal(t, []string{"phone_number_id", "access_token", "app_secret", "base_url"}, wa.Keys())
	require.Equal(t, ModeLive, c.Connectors["shopify"].Mode)
	require.Equal(t, ModeLive, c.Connectors["square"].Mode)
	require.Empty(t, c.Connectors["square"].Keys())

	var shop struct {
		Shop          string `yaml:"shop"`
		WebhookSecret string `yaml:"webhook_secret"`
	}
	require.NoError(t, c.Connectors["shopify"].Decode(&shop))
	require.Equal(t, "${not-a-variable}", shop.WebhookSecret)
}

func TestParseWarnings(t *testing.T) {
	t.Parallel()

	c, err := Parse("hub.yaml", []byte("bus:\n  url: nats://x:4222\n"), nil)
	require.NoError(t, err)
	require.Equal(t, "hub.yaml:2:8: warning: bus.url: is ignored when bus.driver is embedded", c.Warnings.Error())
}

func TestParseNullKeepsDefault(t *testing.T) {
	t.Parallel()

	src := "server:\n  addr: ${ADDR:-}\nengine:\n  workers: ~\npipelines:\n"
	c, err := Parse("hub.yaml", []byte(src), nil)
	require.NoError(t, err)
	require.Equal(t, ":8080", c.Server.Addr)
	require.Equal(t, 64, c.Engine.Workers)
	require.Equal(t, []string{"pipelines/*.yaml"}, c.Pipelines)

	c, err = Parse("hub.yaml", []byte("pipelines: []\n"), nil)
	require.NoError(t, err)
	require.Empty(t, c.Pipelines, "an explicit empty list means no pipelines")
}

func TestValidateAfterChange(t *testing.T) {
	t.Parallel()

	c := Default()
	c.Engine.Workers = 0
	c.Store.Driver = "postgres"
	require.EqualError(t, c.Validate(), ": store.dsn: is required when store.driver is postgres\n"+
		": engine.workers: must be between 1 and 1024, got 0")
}

func TestLoad(t *testing.T) {
	t.Parallel()

	dir := t.TempDir()
	path := filepath.Join(dir, "hub.yaml")
	require.NoError(t, os.WriteFile(path, []byte("log:\n  level: warn\n"), 0o600))

	c, err := Load(path)
	require.NoError(t, err)
	require.Equal(t, path, c.File)
	require.Equal(t, dir, c.Dir())
	require.Equal(t, "warn", c.Log.Level)

	_, err = Load(filepath.Join(dir, "missing.yaml"))
	require.ErrorIs(t, err, fs.ErrNotExist)
	var ds diag.Diagnostics
	require.False(t, errors.As(err, &ds), "a read failure is not a finding about content")

	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("log:\n  levle: warn\n"), 0o600))
	_, err = Load(bad)
	require.EqualError(t, err, bad+`:2:3: log.levle: unknown key "levle"; did you mean "level"?`)
}

func TestPipelineFiles(t *testing.T) {
	t.Parallel()

	dir := t.TempDir()
	for _, f := range []string{"pipelines/b.yaml", "pipelines/a.yaml", "pipelines/notes.txt", "extra/c.yaml"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), nil, 0o600))
	}
	abs := filepath.Join(dir, "extra", "*.yaml")
	c := &Config{
		File:      filepath.Join(dir, "hub.yaml"),
		Pipelines: []string{"pipelines/*.yaml", "pipelines/a.yaml", "none/*.yaml", abs},
	}
	files, err := c.PipelineFiles()
	require.NoError(t, err)
	require.Equal(t, []string{
		filepath.Join(dir, "extra", "c.yaml"),
		filepath.Join(dir, "pipelines", "a.yaml"),
		filepath.Join(dir, "pipelines", "b.yaml"),
	}, files)

	c.Pipelines = []string{"["}
	_, err = c.PipelineFiles()
	require.ErrorIs(t, err, filepath.ErrBadPattern)

	c.Pipelines = nil
	files, err = c.PipelineFiles()
	require.NoError(t, err)
	require.Empty(t, files)
}

func TestBusGroup(t *testing.T) {
	t.Parallel()
	c, err := Parse("hub.yaml", []byte("bus: {driver: nats, url: \"nats://x:4222\", group: shop_a}\n"), nil)
	require.NoError(t, err)
	require.Equal(t, "shop_a", c.Bus.Group)
	_, err = Parse("hub.yaml", []byte("bus: {group: \"a b\"}\n"), nil)
	require.EqualError(t, err, `hub.yaml:1:14: bus.group: must be 1 to 64 letters, digits, '-' or '_', got "a b"`)
}
