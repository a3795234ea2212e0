// Package migrations holds the versioned SQL that creates the hub's tables,
// one folder per dialect with matching version numbers, embedded in the
// binary and applied with goose at start and by `switchboard migrate`.
package migrations

import "embed"

// FS holds sqlite/*.sql and postgres/*.sql.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
