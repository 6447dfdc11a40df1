package search_test

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"causerie/app/auth"
	"causerie/app/search"
	"causerie/app/testutil"
	"causerie/app/topic"
)

// A missing index is rebuilt in the background, saying so while it runs;
// `causerie reindex` (Rebuild) makes a complete new one; a second process
// cannot take an index another holds.
func TestRebuild(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		for i := range 30 {
			w.start(t, w.ana, w.general, "Lantern number "+string(rune('A'+i%26))+" story", "A story about a paper lantern and a river.", topic.KindDiscussion)
		}
		w.drain(t)
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		dir := filepath.Join(t.TempDir(), "other.bleve")
		s := search.NewService(ctx, env.App.DB.DB, env.App.Categories, dir, quiet)
		defer s.Close()
		if _, err := s.Search(ctx, &auth.Viewer{}, mustParse(t, "lantern"), 1); err != nil {
			t.Fatal(err)
		}
		s.Start(ctx)
		deadline := time.Now().Add(20 * time.Second)
		for {
			busy, _, _ := s.CatchingUp()
			if !busy {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the background rebuild never ended")
			}
			time.Sleep(20 * time.Millisecond)
		}
		res, err := s.Search(ctx, &auth.Viewer{}, mustParse(t, "lantern"), 1)
		testutil.Must(t, err, "search")
		if res.Posts != 30 || res.CatchingUp {
			t.Errorf("after the background rebuild: %d posts, catching up %v; want 30, false", res.Posts, res.CatchingUp)
		}
		// Another process's service finds the index taken.
		other := search.NewService(ctx, env.App.DB.DB, env.App.Categories, dir, quiet)
		if _, _, err := other.Rebuild(ctx, nil); !errors.Is(err, search.ErrLocked) {
			t.Errorf("rebuilding a held index: %v, want ErrLocked", err)
		}
		if _, err := other.Search(ctx, &auth.Viewer{}, mustParse(t, "lantern"), 1); !errors.Is(err, search.ErrUnavailable) {
			t.Errorf("searching without the index: %v, want ErrUnavailable", err)
		}
		// Rebuild (the reindex command) replaces the index with a full one.
		var last int64
		n, _, err := env.App.Search.Rebuild(ctx, func(done, total int64) { last = done })
		testutil.Must(t, err, "rebuild")
		if n != 30 || last != 30 {
			t.Errorf("rebuild indexed %d posts (progress said %d), want 30", n, last)
		}
		if _, err := os.Stat(search.IndexDir(env.Config.Data.Dir) + ".new"); !os.IsNotExist(err) {
			t.Errorf("the temporary index was left behind: %v", err)
		}
		if r := w.search(t, &auth.Viewer{}, "paper lantern river"); r.Posts != 30 {
			t.Errorf("after the rebuild, %d posts found, want 30", r.Posts)
		}
	})
}

// While the index is rebuilt, the page and the API say results may be
// missing.
func TestCatchingUpShows(t *testing.T) {
	env := testutil.New(t)
	search.SetCatchingUp(env.App.Search, true)
	c := env.Client()
	if r := c.Get(t, "/search?q=anything"); r.StatusCode != 200 || !strings.Contains(r.Body, "being rebuilt") {
		t.Errorf("search page while catching up: %d", r.StatusCode)
	}
	if r := c.Get(t, "/api/v1/search?q=anything"); !strings.Contains(r.Body, `"catching_up":true`) {
		t.Errorf("API while catching up: %s", r.Body)
	}
	search.SetCatchingUp(env.App.Search, false)
	if r := c.Get(t, "/search?q=anything"); strings.Contains(r.Body, "being rebuilt") {
		t.Errorf("the notice stays after the rebuild")
	}
}

func mustParse(t *testing.T, q string) *search.Query {
	t.Helper()
	p, err := search.Parse(q)
	testutil.Must(t, err, "parse %q", q)
	return p
}
