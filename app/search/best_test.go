package search_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"causerie/app/auth"
	"causerie/app/search"
	"causerie/app/seed"
	"causerie/app/testutil"
)

// Walking only the matches that may be among the best hits, scored
// first from the postings (best.go), finds exactly what walking all of
// them in one walk finds: the same topics in the same order, best posts,
// fragments, counts and facets, for one word, two words, prefixes,
// phrases, each kind of filter and categories, on the first page (facets
// counted on the best hits) and further ones, walked whole and in
// slices, over segments holding deleted versions, in two layouts of
// the index (topics indexed again between them); and a visitor finds
// nothing of the categories they may not read. Each comparison is of
// searches of one layout: a merge between them renumbers the documents,
// and hits of equal scores at the end of those kept are then others.
func TestBestFindsTheSame(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		// The demo content, spread over every category, the private
		// ones (members, editors, team) among them.
		_, err := seed.Run(ctx, env.App.DB.DB, env.App.Render, seed.Options{Users: 20, Topics: 150, Posts: 2500,
			PasswordHash: "x", Rand: rand.New(rand.NewPCG(9, 9))})
		testutil.Must(t, err, "seed")
		s := env.App.Search
		_, _, err = s.Rebuild(ctx, nil)
		testutil.Must(t, err, "index")
		search.NoCache(s)
		yearAgo := time.Now().AddDate(-1, 0, 0).Format(time.DateOnly) // the demo content spans two years
		search.SetFacetSample(s, 60)
		search.SetPhraseCandidates(s, 60)
		queries := []string{"settings", "settings ", "evening", "battery weeks", "mise jour", "firmware update ", "second account",
			`"factory settings"`, `"mise à jour"`, `battery "three weeks"`, "mise #firmware ", "settings is:unsolved ", "settings is:solved ",
			"evening is:question ", "settings status:open ", "update in:title ", "settings kind:discussion ", "connexion category:entraide ",
			"evening category:troubleshooting ", "settings -window ", "réglages after:2026-01-01 ", "co",
			"settings after:" + yearAgo + " ", "mise jour before:" + yearAgo, `"factory settings" after:` + yearAgo + " "}
		rnd := rand.New(rand.NewPCG(11, 24))
		found := 0
		for layout := range 2 {
			// new versions: the old ones are deleted where they were
			for range 10 + 10*layout {
				testutil.Must(t, s.IndexTopic(ctx, int64(1+rnd.IntN(150))), "reindex")
			}
			for _, v := range []*auth.Viewer{{}, w.ana.Viewer(), w.mod.Viewer()} {
				for _, q := range queries {
					for page := 1; page <= 3; page += 2 {
						run := func(parts int, best bool) string {
							search.SetWalkParts(s, parts, 0, 50)
							search.SetWalkBest(s, best, 0, 40) // scored in up to parts runs at once
							r, _, err := s.Run(ctx, v, search.Input{Q: q, Page: fmt.Sprint(page)})
							testutil.Must(t, err, "search %q", q)
							found += r.Posts
							if v.Role == "" {
								for _, g := range r.Groups {
									if g.Category != nil && (g.Category.ID == w.team.ID || g.Category.ID == w.members.ID || g.Category.ID == w.editors.ID) {
										t.Errorf("%q: a visitor finds %q in %s", q, g.Title, g.Category.Slug)
									}
								}
							}
							return describe(r)
						}
						for try := 0; ; try++ {
							at := search.Layout(s)
							// every match walked whole; the best only, whole
							// and in 3 slices
							want, got := run(1, false), []string{run(1, true), run(3, true)}
							if search.Layout(s) != at && try < 20 {
								continue // merged meanwhile: again, on the new layout
							}
							for i, how := range []string{"best walked whole", "best walked in 3"} {
								if got[i] != want {
									t.Errorf("layout %d, %s: %q, page %d: %s%s\nall walked whole%s", layout, v.Role, q, page, how, got[i], want)
								}
							}
							break
						}
					}
				}
			}
		}
		if found == 0 {
			t.Fatal("nothing found: the comparison is of empty pages")
		}
	})
}
