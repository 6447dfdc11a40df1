// Package locales holds every user-visible string, one go-i18n TOML file per
// language (en.toml is the reference; every other file has exactly its IDs).
package locales

import "embed"

// FS holds the *.toml message files.
//
//go:embed *.toml
var FS embed.FS
