package search_test

import (
	"fmt"
	"strings"
	"testing"

	"causerie/app/auth"
	"causerie/app/search"
	"causerie/app/testutil"
	"causerie/app/topic"
)

// A search walked in slices of the index at once (parallel.go) finds
// exactly what one walk finds: the same topics in the same order, the
// same best posts, fragments, counts and facets, on every page, for
// every kind of query, and nothing of a category the reader may not read.
func TestParallelWalkFindsTheSame(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		anon := &auth.Viewer{}
		busy := w.start(t, w.ana, w.general, "Zephyr zephyr zephyr", "Zephyr zephyr zephyr.", topic.KindDiscussion, "wind")
		for i := range 60 {
			w.reply(t, w.boris, busy, fmt.Sprintf("Zephyr zephyr, the garden gate %d.", i))
		}
		for i := range 30 {
			tp := w.start(t, w.cleo, w.general, fmt.Sprintf("Garden note %d", i),
				fmt.Sprintf("A long note about the garden, the roses, the hedge and, once, a zephyr, step %d.", i), topic.KindQuestion, "roses")
			w.reply(t, w.ana, tp, "The garden gate squeaks, a zephyr through the roses.")
		}
		w.start(t, w.mod, w.team, "Team zephyr garden", "Zephyr zephyr zephyr in the team room, garden roses.", topic.KindDiscussion, "wind")
		w.start(t, w.ana, w.members, "Members garden", "The roses of the members garden.", topic.KindDiscussion)
		w.drain(t)
		s := env.App.Search
		search.NoCache(s)

		queries := []string{"zephyr ", "zephyr", "garden", "garden roses ", "garden gate", `"garden gate"`, `"the roses"`,
			"zephyr @ana ", "zephyr #wind ", "garden is:question ", "roses category:" + w.general.Slug + " ",
			"garden -hedge ", "zephyr in:title ", "zepyhr ", "gard"}
		for _, v := range []*auth.Viewer{anon, w.ana.Viewer(), w.mod.Viewer()} {
			for _, q := range queries {
				for page := 1; page <= 2; page++ {
					run := func(parts int) *search.Results {
						search.SetWalkParts(s, parts, 0, 10)
						r, _, err := s.Run(ctx, v, search.Input{Q: q, Page: fmt.Sprint(page)})
						testutil.Must(t, err, "search %q", q)
						return r
					}
					one, split := run(1), run(3)
					if a, b := describe(one), describe(split); a != b {
						t.Errorf("%s: %q page %d: walked in 3 slices%s\nwhole%s", v.Role, q, page, b, a)
					}
					if v == anon {
						for _, title := range titles(split) {
							if title == "Team zephyr garden" || title == "Members garden" {
								t.Errorf("%q: a visitor finds %q", q, title)
							}
						}
					}
				}
			}
		}
		// The split walk does find things (the comparison above is not of
		// two empty pages).
		search.SetWalkParts(s, 4, 0, 10)
		res := w.search(t, anon, "zephyr ")
		if len(res.Groups) != search.PerPage || res.Groups[0].Others != 60 || res.Posts != 121 {
			t.Errorf("zephyr, walked in 4: %d topics, %d posts, first with %d others; want a full page, 121 posts, the busy topic first",
				len(res.Groups), res.Posts, res.Groups[0].Others)
		}
	})
}

// describe is what r shows: each group (topic, title, address,
// category, best post and its fragment, the others), the counts, whether
// more pages follow, and the facets.
func describe(r *search.Results) string {
	var b strings.Builder
	for _, g := range r.Groups {
		fmt.Fprintf(&b, "\n  %d %q %s", g.TopicID, g.Title, g.URL)
		if g.Category != nil {
			fmt.Fprintf(&b, " in %d", g.Category.ID)
		}
		if h := g.Best; h != nil {
			fmt.Fprintf(&b, " best %d #%d %s by %s at %s %q accepted %v", h.PostID, h.Number, h.URL, h.Author, h.Created, h.Fragment, h.Accepted)
		}
		fmt.Fprintf(&b, " +%d", g.Others)
	}
	fmt.Fprintf(&b, "\n  posts %d (approx %v), page %d, next %v\n  facets %+v", r.Posts, r.PostsApprox, r.Page, r.HasNext, r.Facets)
	return b.String()
}
