// Package plugin is the contract between Causerie and its compiled-in
// plugins. A plugin is a package under plugins/ with Info and Setup; the
// capabilities it offers are the methods of Host. It imports no domain.
package plugin

import (
	"log/slog"

	"github.com/labstack/echo/v4"
)

// Info names a plugin.
type Info struct {
	Name        string // the [plugins.<name>] table of config.toml
	Description string
}

// Plugin is one compiled-in plugin.
type Plugin interface {
	Info() Info
	Setup(Host) error
}

// Host is what Causerie lends a plugin while it sets up.
type Host interface {
	// Routes is the group under /plugins/<name>/ the plugin may serve.
	Routes() *echo.Group
	Log() *slog.Logger
}
