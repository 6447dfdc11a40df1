// Package migrations holds the versioned SQL that builds Causerie's schema,
// one folder per dialect with the same version numbers in each, embedded in
// the binary and run by goose.
package migrations

import "embed"

// FS holds sqlite/*.sql and postgres/*.sql.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
