// Package config loads the hub's one YAML configuration file.
//
// Loading runs in a fixed order, and every finding along the way is a
// [diag.Diagnostic] naming the file, line, column and dotted key path:
//
//  1. ${VAR} and ${VAR:-default} references are substituted from the
//     environment on the raw text, line by line, so positions stay right;
//     $$ is a literal $, ${{ … }} (a pipeline expression) is left alone and
//     comments are not substituted. An unset variable without a default is an
//     error, never a silent empty string.
//  2. The text is parsed into yaml.v3 nodes and decoded strictly: unknown keys
//     (with a "did you mean" hint), duplicate keys and wrong types are errors.
//     Anchors, aliases and merge keys (<<) work; top-level keys starting with
//     "x-" are ignored, as in Compose files, to give anchors a home.
//  3. Keys the file leaves out (or sets to null) get their defaults; see
//     [Default].
//  4. The result is validated, cross-field rules included.
//
// All findings are reported together, sorted by position, as a
// [diag.Diagnostics] error. Connector sections are kept as YAML nodes; each
// connector decodes its own settings with [Connector.Decode], which reports
// the same way.
//
// Secrets never reach a log through this package: [Config.String],
// [Config.Redacted] and the String methods of [APIKey], [Store], [Bus] and
// [Connector] mask API keys, passwords in URLs and DSNs, and every connector
// setting whose name contains secret, token, key, password or credential.
package config
