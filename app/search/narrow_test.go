package search_test

import (
	"fmt"
	"testing"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/search"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
)

// Reading the text's terms only where the query's other required lists
// meet (narrow.go) finds exactly what reading them everywhere finds: the
// same topics in the same order, best posts, fragments, counts and
// facets, for two words, words with each kind of filter, a category,
// prefixes, exclusions and phrases, walked whole and in slices, over
// segments holding deleted versions, and nothing of a category the
// reader may not read.
func TestNarrowingFindsTheSame(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		var topics []*topic.Topic
		kinds := []string{topic.KindDiscussion, topic.KindQuestion}
		tags := [][]string{{"wind"}, {"roses", "wind"}, nil, {"hedge"}}
		bodies := []string{"A note about the garden and a zephyr, step %d.", "Une note sur le jardin et la connexion, étape %d.",
			"The garden gate squeaks in the zephyr, %d times.", "La mise à jour du jardin, jour %d."}
		for i := range 36 {
			cat, by := []*category.Category{w.general, w.members, w.team}[i%3], []*user.User{w.cleo, w.ana, w.mod}[i%3]
			tp := w.start(t, by, cat, fmt.Sprintf("Garden note %d", i), fmt.Sprintf(bodies[i%4], i), kinds[i%2], tags[i%4]...)
			w.reply(t, by, tp, bodies[(i+1)%4][:len(bodies[(i+1)%4])-4]+" "+fmt.Sprint(i))
			topics = append(topics, tp)
		}
		w.drain(t)
		for _, tp := range topics[:10] { // new versions: the old ones are deleted where they were
			testutil.Must(t, env.App.Search.IndexTopic(ctx, tp.ID), "reindex")
		}
		s := env.App.Search
		search.NoCache(s)
		queries := []string{"garden zephyr ", "garden zephyr", "garden gate", "jardin connexion ", "mise jour", "garden note ",
			"garden is:question ", "garden is:unsolved ", "zephyr #wind ", "garden #wind #roses ", "garden @ana ",
			"jardin category:" + w.general.Slug + " ", "garden category:" + w.team.Slug + " ", "garden -zephyr ",
			`garden "garden gate"`, "garden zephyr in:title ", "zephyr status:open ", "garden kind:discussion ", "gard", "garden"}
		found := 0
		for _, v := range []*auth.Viewer{{}, w.ana.Viewer(), w.mod.Viewer()} {
			for _, q := range queries {
				for _, parts := range []int{1, 3} {
					for page := 1; page <= 2; page++ {
						run := func(narrow bool) *search.Results {
							search.SetWalkParts(s, parts, 0, 5)
							search.SetNarrowing(s, narrow)
							r, _, err := s.Run(ctx, v, search.Input{Q: q, Page: fmt.Sprint(page)})
							testutil.Must(t, err, "search %q", q)
							return r
						}
						want, got := run(false), run(true)
						if a, b := describe(want), describe(got); a != b {
							t.Errorf("%s: %q in %d, page %d: narrowed%s\nread everywhere%s", v.Role, q, parts, page, b, a)
						}
						found += got.Posts
						if v.Role == "" {
							for _, g := range got.Groups {
								if g.Category != nil && (g.Category.ID == w.team.ID || g.Category.ID == w.members.ID) {
									t.Errorf("%q: a visitor finds %q in %s", q, g.Title, g.Category.Slug)
								}
							}
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
