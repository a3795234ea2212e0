package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/store"
)

// TestValidateWarnsAboutTemplates: validate compares the templates that
// pipelines name with the last sync kept in the store.
func TestValidateWarnsAboutTemplates(t *testing.T) {
	t.Parallel()
	pipeline := `name: notify
on: order.shipped
steps:
  - id: a
    action: whatsapp.send_template
    with: {template: shipping_update, language: en_AU}
  - id: b
    action: whatsapp.send_template
    with: {template: shiping_update, language: en_AU}
  - id: c
    action: whatsapp.send_template
    with: {template: spring_sale}
  - id: d
    action: whatsapp.send_text
    with: {body: hi, fallback_template: {template: we_are_back, language: en_AU}}
  - id: e
    action: whatsapp.send_template
    with: {template: "${{ event.data.template }}"}
  - id: f
    action: whatsapp.send_template
    with: {template: promo_bare, language: en_AU}
  - id: g
    action: whatsapp.send_template
    with: {template: promo_good, language: en_AU}
`
	dir := writeFiles(t, map[string]string{"pipelines/notify.yaml": pipeline})
	cfg := filepath.Join(dir, "switchboard.yaml")
	writeConfig := func() {
		writeFilesIn(t, dir, map[string]string{"switchboard.yaml": fmt.Sprintf(`data_dir: %q
connectors:
  whatsapp: {mode: sandbox}
policy:
  sender_names: [Lucky Shrub]
pipelines: ["pipelines/*.yaml"]
`, dir)})
	}
	writeConfig()

	code, out, errOut := run(t, "validate", "--config", cfg)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "ok: 1 pipelines")
	require.Contains(t, errOut, "whatsapp templates not checked: no template sync has run yet")

	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Driver: store.SQLite, DataDir: dir})
	require.NoError(t, err)
	require.NoError(t, st.Migrate(ctx))
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	require.NoError(t, st.ReplaceTemplates(ctx, "whatsapp", []store.Template{
		{Name: "shipping_update", Language: "en_AU", Status: "APPROVED", Category: "UTILITY", UpdatedAt: now},
		{Name: "spring_sale", Language: "en_AU", Status: "APPROVED", UpdatedAt: now},
		{Name: "spring_sale", Language: "en_US", Status: "APPROVED", UpdatedAt: now},
		{Name: "we_are_back", Language: "en_AU", Status: "PAUSED", UpdatedAt: now},
		{Name: "promo_bare", Language: "en_AU", Status: "APPROVED", Category: "MARKETING", UpdatedAt: now,
			Components: store.JSON(`[{"type":"BODY","text":"Big sale this weekend!"}]`)},
		{Name: "promo_good", Language: "en_AU", Status: "APPROVED", Category: "MARKETING", UpdatedAt: now,
			Components: store.JSON(`[{"type":"BODY","text":"Big sale at Lucky Shrub!"},{"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Stop promotions"}]}]`)},
	}, now))
	require.NoError(t, st.Close())

	code, _, errOut = run(t, "validate", "--config", cfg)
	require.Equal(t, 0, code, "warnings do not fail validate: %s", errOut)
	require.NotContains(t, errOut, "step a:")
	require.Contains(t, errOut, `step b: template "shiping_update" was not found by the last sync (2026-11-24T09:00:00Z)`)
	require.Contains(t, errOut, `step c: template "spring_sale" has several languages`)
	require.Contains(t, errOut, `step d: template "we_are_back" (en_AU) is PAUSED, not APPROVED`)
	require.NotContains(t, errOut, "step e:", "computed names are checked at send time")
	require.Contains(t, errOut, `step f: marketing template "promo_bare" (en_AU) has no opt-out instruction`)
	require.Contains(t, errOut, `step f: marketing template "promo_bare" (en_AU) does not name the sender (Lucky Shrub)`)
	require.NotContains(t, errOut, "step g:")
	require.Contains(t, errOut, "notify.yaml:")
}

func writeFilesIn(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		require.NoError(t, writeFile(filepath.Join(dir, name), body))
	}
}

func writeFile(path, body string) error { return os.WriteFile(path, []byte(body), 0o600) }
