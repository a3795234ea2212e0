// Package switchboard_test checks the module's dependency direction
// (DESIGN.md, "Layout"): lower layers never import higher ones, connectors
// never import each other, and fakes and test-support packages stay out of
// production code.
package switchboard_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/switchboardhq/switchboard"

type pkg struct {
	ImportPath string
	Imports    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	require.NoError(t, err)
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func rel(path string) string { return strings.TrimPrefix(strings.TrimPrefix(path, module), "/") }

func under(path, prefix string) bool { return path == prefix || strings.HasPrefix(path, prefix+"/") }

// TestLayering checks production imports only (go list's Imports excludes
// _test.go files).
func TestLayering(t *testing.T) {
	t.Parallel()
	forbidden := []struct {
		from    string
		to      []string
		because string
	}{
		{"pipelines", []string{"api", "engine", "store", "connectors", "config", "cmd"}, "pipelines is pure and receives action specs as data"},
		{"config", []string{"api", "engine", "store", "connectors", "pipelines", "cmd"}, "config only reads files"},
		{"store", []string{"api", "engine", "connectors", "pipelines", "config", "cmd"}, "store knows nothing but events"},
		{"connectors", []string{"api", "engine", "store", "pipelines", "config", "cmd"}, "a connector never reaches into the hub"},
		{"engine", []string{"api", "config", "cmd"}, "engine is configured by cmd"},
		{"api", []string{"cmd"}, "only cmd wires the hub"},
		{"event", []string{""}, "event is the leaf everyone shares"},
	}
	providers := map[string]bool{}
	pkgs := listPackages(t)
	for _, p := range pkgs {
		r := rel(p.ImportPath)
		if parts := strings.Split(r, "/"); len(parts) >= 2 && parts[0] == "connectors" && parts[1] != "connectortest" && parts[1] != "httpx" {
			providers[parts[1]] = true
		}
	}
	for _, p := range pkgs {
		from := rel(p.ImportPath)
		testSupport := strings.HasSuffix(from, "test") || under(from, "internal/hubtest") || under(from, "internal/testenv")
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			to := rel(imp)
			for _, rule := range forbidden {
				if !under(from, rule.from) {
					continue
				}
				for _, bad := range rule.to {
					if (bad == "" && to != from) || (bad != "" && under(to, bad)) {
						t.Errorf("%s imports %s: %s", from, to, rule.because)
					}
				}
			}
			if (strings.HasSuffix(to, "/fake") || strings.Contains(to, "/fake/")) && !testSupport && !under(from, "cmd") && !strings.HasPrefix(to, from) {
				t.Errorf("%s imports the fake %s: fakes are for tests and cmd only", from, to)
			}
			if (strings.HasSuffix(to, "test") || under(to, "internal/hubtest") || under(to, "internal/testenv")) && !testSupport {
				t.Errorf("%s imports test support %s", from, to)
			}
			if under(from, "engine") && strings.HasPrefix(to, "connectors/") {
				t.Errorf("%s imports the provider package %s: the engine speaks only the connectors contract", from, to)
			}
			fromParts, toParts := strings.Split(from, "/"), strings.Split(to, "/")
			if len(fromParts) >= 2 && len(toParts) >= 2 && fromParts[0] == "connectors" && toParts[0] == "connectors" &&
				providers[fromParts[1]] && providers[toParts[1]] && fromParts[1] != toParts[1] {
				t.Errorf("%s imports %s: a provider never imports another provider", from, to)
			}
		}
	}
}
