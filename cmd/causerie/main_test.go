package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// TestMain runs main itself, in a child process of the test, when
// CAUSERIE_RUN_MAIN is set, and prints the heap profiling rate it left.
func TestMain(m *testing.M) {
	if os.Getenv("CAUSERIE_RUN_MAIN") == "1" {
		os.Args = []string{"causerie", "--help"}
		main()
		fmt.Printf("\nmemprofilerate=%d\n", runtime.MemProfileRate)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The binary samples no heap profiles unless asked: GODEBUG's
// memprofilerate wins, and [server] pprof_listen turns sampling back on
// (TestProfilesAndMemoryLimit, app).
func TestHeapProfilingOffUnlessAsked(t *testing.T) {
	for _, c := range []struct{ godebug, want string }{
		{"", "memprofilerate=0"},
		{"memprofilerate=4096", "memprofilerate=4096"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "CAUSERIE_RUN_MAIN=1", "GODEBUG="+c.godebug)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("GODEBUG=%q: %v\n%s", c.godebug, err, out)
		}
		if !strings.Contains(string(out), "Usage:") {
			t.Errorf("GODEBUG=%q: main did not print the help:\n%s", c.godebug, out)
		}
		lines := strings.Fields(string(out))
		if got := lines[len(lines)-1]; got != c.want {
			t.Errorf("GODEBUG=%q: %s after main, want %s", c.godebug, got, c.want)
		}
	}
}
