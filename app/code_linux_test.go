//go:build linux

package app

import (
	"os"
	"strings"
	"testing"
)

// Releasing the pages of mapped files loses nothing: the process goes on
// running its code and reading its data (the tables and strings of the
// executable, read back from the file).
func TestReleaseMappedKeepsWorking(t *testing.T) {
	if _, err := os.Stat("/proc/self/maps"); err != nil {
		t.Skip("no /proc/self/maps")
	}
	if err := releaseMapped(); err != nil {
		t.Fatal(err)
	}
	if got := strings.ToUpper(strings.Repeat("causerie ", 3)); got != "CAUSERIE CAUSERIE CAUSERIE " {
		t.Errorf("after releasing pages: %q", got)
	}
}
