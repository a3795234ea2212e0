package pipelines

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

	"github.com/switchboardhq/switchboard/event"
)

var update = flag.Bool("update", false, "rewrite the want-* files of testdata/*.txtar")

// Files a golden archive may hold. Exactly one of want-calls.json and
// want-error.txt must be present; want-warnings.txt holds the warnings of a
// pipeline that loads (absent: none expected).
const (
	fPipeline = "pipeline.yaml"
	fEvent    = "event.json"
	fCalls    = "want-calls.json"
	fError    = "want-error.txt"
	fWarnings = "want-warnings.txt"
)

// TestGolden loads each testdata/*.txtar pipeline, runs it on its event and
// compares the calls made, or the diagnostics, with the goldens.
func TestGolden(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob("testdata/*.txtar")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(paths), 15, "the corpus shrank")

	entries, err := os.ReadDir("testdata")
	require.NoError(t, err)
	for _, e := range entries { // nothing in testdata escapes the loop
		if e.IsDir() {
			require.Equal(t, "fuzz", e.Name(), "unexpected directory in testdata")
			continue
		}
		require.True(t, strings.HasSuffix(e.Name(), ".txtar"), "unreferenced file testdata/%s", e.Name())
	}

	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(path)
			require.NoError(t, err)
			files := map[string][]byte{}
			for _, f := range ar.Files {
				require.Contains(t, []string{fPipeline, fEvent, fCalls, fError, fWarnings}, f.Name, "unexpected file in %s", path)
				require.NotContains(t, files, f.Name, "duplicate file in %s", path)
				files[f.Name] = f.Data
			}
			require.Contains(t, files, fPipeline)
			require.Contains(t, files, fEvent)
			if !*update {
				_, hasCalls := files[fCalls]
				_, hasErr := files[fError]
				require.True(t, hasCalls != hasErr, "%s needs exactly one of %s and %s", path, fCalls, fError)
			}

			got := runGolden(t, files[fPipeline], files[fEvent])
			if *update {
				writeGolden(t, path, ar, got)
				return
			}
			for _, name := range []string{fCalls, fError, fWarnings} {
				want, ok := files[name]
				if !ok {
					require.NotContains(t, got, name, "%s: unexpected %s:\n%s", path, name, got[name])
					continue
				}
				require.Equal(t, string(want), string(got[name]), "%s: %s", path, name)
			}
		})
	}
}

// runGolden returns the golden files the case produces: the calls, or the
// load diagnostics, or the run-time error.
func runGolden(t *testing.T, src, evJSON []byte) map[string][]byte {
	t.Helper()
	var e event.Event
	require.NoError(t, json.Unmarshal(evJSON, &e), "event.json")
	out := map[string][]byte{}
	p, ds := Load(fPipeline, src, testCatalog())
	if ds.Err() != nil {
		out[fError] = []byte(ds.Error() + "\n")
		return out
	}
	if w := ds.Warnings(); len(w) > 0 {
		out[fWarnings] = []byte(w.Error() + "\n")
	}
	calls, err := simulate(p, &e)
	if err != nil { // a run-time failure is golden too
		out[fError] = []byte(err.Error() + "\n")
		return out
	}
	b, err := json.MarshalIndent(calls, "", "  ")
	require.NoError(t, err)
	out[fCalls] = append(b, '\n')
	return out
}

func writeGolden(t *testing.T, path string, ar *txtar.Archive, got map[string][]byte) {
	t.Helper()
	ar.Files = slices.DeleteFunc(ar.Files, func(f txtar.File) bool {
		return f.Name == fCalls || f.Name == fError || f.Name == fWarnings
	})
	for _, name := range []string{fCalls, fError, fWarnings} {
		if b, ok := got[name]; ok {
			ar.Files = append(ar.Files, txtar.File{Name: name, Data: b})
		}
	}
	data := txtar.Format(ar)
	old, err := os.ReadFile(path)
	require.NoError(t, err)
	if !bytes.Equal(old, data) {
		require.NoError(t, os.WriteFile(path, data, 0o644))
	}
}
