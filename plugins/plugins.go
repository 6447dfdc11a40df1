// Package plugins is the one list of compiled-in plugins; each lives in a
// folder of its own beside this file. A plugin is switched on by
// [plugins.<name>] enabled = true in config.toml.
package plugins

import "causerie/app/plugin"

// All returns every compiled-in plugin. None ships yet: the social-network
// mirrors arrive with the plugin issue.
func All() []plugin.Plugin {
	return nil
}
