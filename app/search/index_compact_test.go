package search_test

import (
	"fmt"
	"testing"

	"causerie/app/auth"
	"causerie/app/search"
	"causerie/app/testutil"
	"causerie/app/topic"
)

// `causerie reindex` leaves the index in one segment, however many its
// batches wrote, so a server started on it has no merge of the build's
// tail to do; the index is whole and searchable, also after a restart.
func TestRebuildLeavesOneSegment(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		for i := range 24 {
			w.start(t, w.ana, w.general, fmt.Sprintf("Kite number %d", i), "A story about a red kite over the dunes.", topic.KindDiscussion)
		}
		w.drain(t)
		// 3 posts a batch: eight batches, eight segments before merging.
		n, err := search.RebuildInBatches(ctx, env.App.Search, 3)
		testutil.Must(t, err, "rebuild")
		if n != 24 {
			t.Fatalf("rebuild indexed %d posts, want 24", n)
		}
		segs, err := search.Segments(env.App.Search)
		testutil.Must(t, err, "segments")
		if segs != 1 {
			t.Errorf("after the rebuild the index has %d segments, want 1", segs)
		}
		if r := w.search(t, &auth.Viewer{}, "red kite dunes"); r.Posts != 24 {
			t.Errorf("after the rebuild, %d posts found, want 24", r.Posts)
		}
	})
}
