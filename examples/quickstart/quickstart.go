// Package quickstart embeds the configuration and pipelines that
// `switchboard serve` runs when no --config is given, and that the README's
// quickstart walks through.
package quickstart

import "embed"

// ConfigFile is the quickstart configuration's name inside FS.
const ConfigFile = "switchboard.yaml"

// FS holds switchboard.yaml and pipelines/*.yaml.
//
//go:embed switchboard.yaml pipelines/*.yaml
var FS embed.FS
