package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/internal/testenv"
)

// TestMigrateUpDownUp drives the migrate command on both dialects.
func TestMigrateUpDownUp(t *testing.T) {
	dialects := []struct {
		name  string
		store func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "store: {driver: sqlite}\n" }},
		{"postgres", func(t *testing.T) string {
			return fmt.Sprintf("store: {driver: postgres, dsn: %q}\n", testenv.PostgresSchema(t))
		}},
	}
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "switchboard.yaml")
			require.NoError(t, os.WriteFile(cfg, []byte(d.store(t)+fmt.Sprintf("data_dir: %q\npipelines: []\n", dir)), 0o600))
			files, err := filepath.Glob(filepath.Join("..", "..", "migrations", d.name, "*.sql"))
			require.NoError(t, err)
			latest := fmt.Sprintf("schema at version %d", len(files))
			for _, step := range []struct {
				args []string
				want string
			}{
				{[]string{"migrate", "--config", cfg}, latest},
				{[]string{"migrate", "--config", cfg, "--down"}, "schema at version 0"},
				{[]string{"migrate", "--config", cfg}, latest},
				{[]string{"migrate", "--config", cfg}, latest},
			} {
				code, out, errOut := run(t, step.args...)
				require.Equal(t, 0, code, "%v: %s%s", step.args, out, errOut)
				require.Contains(t, out, d.name+" "+step.want, "%v", step.args)
			}
		})
	}
}
