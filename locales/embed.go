// Package locales holds every user-visible string in go-i18n TOML files:
// <lang>.toml, and <domain>.<lang>.toml for a domain that keeps its own
// (en is the reference; every other language has exactly its IDs).
package locales

import "embed"

// FS holds the *.toml message files.
//
//go:embed *.toml
var FS embed.FS
