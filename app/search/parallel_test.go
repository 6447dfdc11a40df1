package search_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/search"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
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

// The accepted answers' boost (the query's optional part) counts in
// every slice of a split walk. Bleve's boolean searcher, asked to
// advance a new searcher to the start of a slice, stepped its optional
// part past the match it held (steady.go): the first accepted answer the
// walk reads lost its boost when it was in a slice but the first, and
// another followed it. The forum's three accepted answers are moved to
// new segments (their topics indexed again) with others, in several
// layouts: they are the three first, whole and in 7 slices, walking
// every match or the best only.
func TestSlicesKeepTheAcceptedBoost(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		anon := &auth.Viewer{}
		var topics []*topic.Topic
		answers := map[int64]bool{}
		for i := range 40 {
			tp := w.start(t, w.cleo, w.general, fmt.Sprintf("Zephyr note %d", i),
				fmt.Sprintf("A zephyr through the garden, note %d.", i), topic.KindQuestion)
			p := w.reply(t, w.ana, tp, "The zephyr again, through the roses.")
			w.reply(t, w.boris, tp, "A zephyr here too.")
			if i%10 == 5 && i > 5 {
				answers[p.ID] = true
				_, err := env.App.Topics.Accept(ctx, w.cleo.Viewer(), tp.ID, p.ID)
				testutil.Must(t, err, "accept")
			}
			topics = append(topics, tp)
		}
		w.drain(t)
		s := env.App.Search
		search.NoCache(s)
		search.SetFacetSample(s, 30)
		rnd := rand.New(rand.NewPCG(10, 24))
		for layout := range 6 {
			// the answers' topics, then others, or the other way round
			again := []int{15, 25, 35, rnd.IntN(40), rnd.IntN(40)}
			if layout%2 == 1 {
				slices.Reverse(again)
			}
			for _, i := range again {
				testutil.Must(t, s.IndexTopic(ctx, topics[i].ID), "reindex")
			}
			for _, q := range []string{"zephyr", "zephyr roses "} {
				for _, parts := range []int{1, 7} {
					for _, best := range []bool{false, true} {
						search.SetWalkParts(s, parts, 0, 10)
						search.SetWalkBest(s, best, 0, 10)
						r, _, err := s.Run(ctx, anon, search.Input{Q: q})
						testutil.Must(t, err, "search %q", q)
						for i := range 3 {
							if len(r.Groups) <= i || r.Groups[i].Best == nil || !answers[r.Groups[i].Best.PostID] {
								t.Errorf("layout %d (%s): %q in %d, best only %v: want the 3 accepted answers first%s",
									layout, search.Layout(s), q, parts, best, describe(r))
								break
							}
						}
					}
				}
			}
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

// The facets' values read from their terms' postings are those the doc
// values hold: every page of every query, walked whole or in slices,
// shows the same counts either way, also once documents were replaced
// (their old versions deleted in older segments).
func TestFacetsFromPostings(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		var topics []*topic.Topic
		kinds := []string{topic.KindDiscussion, topic.KindQuestion}
		tags := [][]string{{"wind"}, {"roses", "wind"}, nil, {"hedge"}}
		for i := range 24 {
			cat, by := []*category.Category{w.general, w.members, w.team}[i%3], []*user.User{w.cleo, w.ana, w.mod}[i%3]
			tp := w.start(t, by, cat, fmt.Sprintf("Garden note %d", i),
				fmt.Sprintf("A note about the garden and a zephyr, step %d.", i), kinds[i%2], tags[i%4]...)
			w.reply(t, by, tp, "The garden gate, a zephyr through the roses.")
			topics = append(topics, tp)
		}
		w.drain(t)
		for _, tp := range topics[:8] { // new versions: the old ones are deleted where they were
			testutil.Must(t, env.App.Search.IndexTopic(ctx, tp.ID), "reindex")
		}
		s := env.App.Search
		search.NoCache(s)
		for _, v := range []*auth.Viewer{{}, w.mod.Viewer()} {
			for _, q := range []string{"garden ", "zephyr roses ", "garden is:question ", "garden #wind ", `"garden gate"`} {
				for _, parts := range []int{1, 3} {
					run := func(docValues bool) *search.Results {
						search.SetWalkParts(s, parts, 0, 5)
						search.SetFacetDocValues(s, docValues)
						r, _, err := s.Run(ctx, v, search.Input{Q: q})
						testutil.Must(t, err, "search %q", q)
						return r
					}
					want, got := run(true), run(false)
					if a, b := describe(want), describe(got); a != b {
						t.Errorf("%s: %q in %d: from the postings%s\nfrom the doc values%s", v.Role, q, parts, b, a)
					}
					if len(got.Facets.Categories) == 0 || len(got.Facets.Kinds) == 0 || len(got.Facets.Tags) == 0 {
						t.Errorf("%s: %q: facets %+v, want categories, kinds and tags", v.Role, q, got.Facets)
					}
				}
			}
		}
	})
}
