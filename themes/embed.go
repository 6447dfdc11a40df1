// Package themes holds the embedded themes. default is the theme every other
// theme falls back to, file by file.
package themes

import "embed"

// FS holds default/templates and default/static.
//
//go:embed default
var FS embed.FS
