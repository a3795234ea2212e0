package hubtest

import (
	"io/fs"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/internal/diag"
	"github.com/switchboardhq/switchboard/pipelines"
)

func loadPipelines(fsys fs.FS, paths []string, reg *connectors.Registry) ([]*pipelines.Pipeline, diag.Diagnostics) {
	return pipelines.LoadFS(fsys, paths, engine.Catalog(reg.Actions()))
}
