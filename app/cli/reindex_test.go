package cli_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"causerie/app"
	"causerie/app/config"
	"causerie/app/testutil"
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

// seed builds the search index, so a server started on the seeded forum
// searches it at once instead of rebuilding it while it serves;
// --index=false leaves the rebuild to the server.
func TestSeedBuildsTheIndex(t *testing.T) {
	for _, tc := range []struct {
		flag      string
		indexed   bool
		catchesUp bool
	}{{"--index=true", true, false}, {"--index=false", false, true}} {
		t.Run(tc.flag, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("CAUSERIE_DATA_DIR", dir)
			t.Setenv("CAUSERIE_LOG_LEVEL", "error")
			t.Chdir(t.TempDir())
			out, err := run(t, "", "seed", "--users", "3", "--topics", "5", "--posts", "40", tc.flag)
			if err != nil || strings.Contains(out, "Indexed 40 posts in") != tc.indexed {
				t.Fatalf("seed %s: %v\n%s", tc.flag, err, out)
			}
			cfg := config.Default()
			cfg.Data.Dir = dir
			a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
			testutil.Must(t, err, "open the seeded forum")
			defer a.Close()
			a.Search.Start(context.Background())
			if busy, _, _ := a.Search.CatchingUp(); busy != tc.catchesUp {
				t.Errorf("seed %s: the server catches up with the index: %v, want %v", tc.flag, busy, tc.catchesUp)
			}
		})
	}
}
