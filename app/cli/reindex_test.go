package cli_test

import (
	"strings"
	"testing"
)

// reindex rebuilds the index of a seeded forum and says how fast; its help
// says when to use it.
func TestReindex(t *testing.T) {
	t.Setenv("CAUSERIE_DATA_DIR", t.TempDir())
	t.Setenv("CAUSERIE_LOG_LEVEL", "error")
	t.Chdir(t.TempDir())
	if out, err := run(t, "", "seed", "--users", "3", "--topics", "5", "--posts", "40"); err != nil {
		t.Fatalf("seed: %v %s", err, out)
	}
	out, err := run(t, "", "reindex")
	if err != nil || !strings.Contains(out, "Indexed 40 posts in") || !strings.Contains(out, "posts/s") || !strings.Contains(out, "MiB") {
		t.Fatalf("reindex: %v\n%s", err, out)
	}
	out, err = run(t, "", "reindex", "--help")
	if err != nil || !strings.Contains(out, "progress bar") || !strings.Contains(out, "stop it first") {
		t.Errorf("reindex --help: %v\n%s", err, out)
	}
}
