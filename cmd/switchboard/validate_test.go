package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// run executes the CLI in-process and returns its exit code and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := newRootCommand()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.Execute()
	code := 0
	if err != nil {
		code = 1
		var exit *exitError
		if errors.As(err, &exit) {
			code = exit.code
		} else {
			errOut.WriteString(err.Error())
		}
	}
	return code, out.String(), errOut.String()
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o750))
		require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	}
	return dir
}

func TestValidate(t *testing.T) {
	const cfg = "pipelines: [\"pipelines/*.yaml\"]\n"
	tests := []struct {
		name    string
		files   map[string]string
		code    int
		wantOut string
		wantErr string
	}{
		{
			name: "expr typo",
			files: map[string]string{"switchboard.yaml": cfg, "pipelines/shipped.yaml": `name: shipped
on: order.shipped
when: event.dta.total > 50
steps:
  - id: notify
    action: http.request
    with: {url: "https://example.com/hook"}
`},
			code:    1,
			wantErr: "pipelines/shipped.yaml:3:13: when: ",
		},
		{
			name: "missing required param",
			files: map[string]string{"switchboard.yaml": cfg, "pipelines/p.yaml": `name: p
on: order.paid
steps:
  - id: call
    action: http.request
    with: {method: POST}
`},
			code:    1,
			wantErr: "pipelines/p.yaml:6:5: steps[0].with: missing required param \"url\" for action http.request",
		},
		{
			name:    "config typo",
			files:   map[string]string{"switchboard.yaml": "server: {adr: \":9000\"}\n"},
			code:    1,
			wantErr: "switchboard.yaml:1:10: server.adr: unknown key \"adr\"; did you mean \"addr\"?",
		},
		{
			name:    "whatsapp live without secrets",
			files:   map[string]string{"switchboard.yaml": "connectors:\n  whatsapp: {mode: live}\npipelines: []\n"},
			code:    1,
			wantErr: "",
			wantOut: "",
		},
		{
			name: "valid",
			files: map[string]string{"switchboard.yaml": cfg, "pipelines/ok.yaml": `name: ok
on: order.paid
steps:
  - id: call
    action: http.request
    with: {url: "https://example.com/hook"}
`},
			code:    0,
			wantOut: "ok: 1 pipelines",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			code, out, errOut := run(t, "validate", "--config", filepath.Join(dir, "switchboard.yaml"))
			require.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", out, errOut)
			require.Contains(t, out, tc.wantOut)
			if tc.code == 1 && tc.wantErr == "" {
				require.Contains(t, errOut, "connectors.whatsapp.app_secret is required in live mode")
			}
			if tc.wantErr != "" {
				// files are named as the user gave them, here under dir
				require.Contains(t, errOut, filepath.Join(dir, tc.wantErr))
			}
		})
	}
}

// TestExamplesValidate keeps the shipped examples loadable.
func TestExamplesValidate(t *testing.T) {
	t.Setenv("SWITCHBOARD_DSN", "postgres://u@localhost/db")
	t.Setenv("SHOP_API_KEY", "shop-key-0123456789abcdef")
	t.Setenv("ADMIN_API_KEY", "admin-key-0123456789abcdef")
	for _, args := range [][]string{
		{"validate", "--config", "../../examples/production/switchboard.yaml"},
		{"validate", "--config", "../../examples/quickstart/switchboard.yaml"},
	} {
		t.Setenv("SWITCHBOARD_API_KEY", "quickstart-key-0123456789")
		code, out, errOut := run(t, args...)
		require.Equal(t, 0, code, "%v: %s%s", args, out, errOut)
		require.Contains(t, out, "ok: 1 pipelines")
	}
	code, out, errOut := run(t, "validate")
	require.Equal(t, 0, code, out+errOut)
	require.Contains(t, out, "ok: 1 pipelines")
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, "version")
	require.Equal(t, 0, code)
	require.Contains(t, out, "switchboard ")
}
