#!/bin/sh
# Installs what the browser journeys (app/journey) need: Chromium, which
# chromedp drives, and axe-core, which checks every page they visit. Safe to
# run again: it skips what is already there. Run the tests afterwards with
# CAUSERIE_TEST_BROWSER=required, so that a broken install fails instead of
# skipping.
#
#   AXE_CORE_VERSION  axe-core version to install (default below); bumping it
#                     may bring new rules, so do it in its own change.
set -eu

AXE_CORE_VERSION=${AXE_CORE_VERSION:-4.14.1}
root=$(cd "$(dirname "$0")/.." && pwd)

have() { command -v "$1" >/dev/null 2>&1; }

if have chromium || have chromium-browser || have google-chrome || have google-chrome-stable; then
	echo "browser-deps: Chromium is installed"
else
	echo "browser-deps: installing Chromium"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		sudo=sudo
	fi
	$sudo apt-get update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium
fi

# axe-core goes to a git-ignored folder; the tests find it there (or at
# CAUSERIE_TEST_AXE).
prefix="$root/.cache/npm"
pkg="$prefix/node_modules/axe-core/package.json"
installed=""
if [ -f "$pkg" ] && [ -f "$prefix/node_modules/axe-core/axe.min.js" ]; then
	installed=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pkg" | head -n 1)
fi
if [ "$installed" = "$AXE_CORE_VERSION" ]; then
	echo "browser-deps: axe-core $installed is installed"
else
	echo "browser-deps: installing axe-core $AXE_CORE_VERSION"
	npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$prefix" "axe-core@$AXE_CORE_VERSION"
fi
