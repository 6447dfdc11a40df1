package search_test

import (
	"testing"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/testutil"
	"causerie/app/topic"
)

// Typos are forgiven in the words no readable post holds, and only in
// them: a word that exists is not "corrected" into its neighbours, even
// where the query's filters leave it nothing to find, and a word found
// only where the reader may not read is a typo to them.
func TestTypos(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		anon := &auth.Viewer{}
		hardware, err := env.App.Categories.Create(ctx, w.admin.Viewer(), category.Input{Name: "Hardware"})
		testutil.Must(t, err, "category")
		w.start(t, w.ana, w.general, "A lesson about the password", "Today's lesson: change the password every year.", topic.KindDiscussion)
		w.start(t, w.boris, hardware, "Lessen your password worries", "A manager of passwords lessens them.", topic.KindDiscussion)
		w.start(t, w.cleo, w.general, "Problème de connexion", "La connexion tombe chaque soir.", topic.KindQuestion)
		w.start(t, w.mod, w.team, "Team notes", "The quarterly pasword audit.", topic.KindDiscussion)
		w.drain(t)
		// A typo is forgiven, in English and French, with a filter too.
		expect(t, w, anon, "pasword", "A lesson about the password", "Lessen your password worries")
		expect(t, w, anon, "pasword category:"+hardware.Slug, "Lessen your password worries")
		expect(t, w, anon, "conexion", "Problème de connexion")
		// Only the unknown word is forgiven: lesson is a word, so lessen
		// is not taken for it.
		expect(t, w, anon, "lesson pasword", "A lesson about the password")
		// A word the category lacks finds nothing there, not its neighbours.
		expect(t, w, anon, "lesson category:"+hardware.Slug)
		expect(t, w, anon, "lessen category:"+w.general.Slug)
		// The team's "pasword" is no word to a visitor, who gets the
		// correction; the moderator finds the word as typed.
		expect(t, w, anon, "pasword audit")
		expect(t, w, w.mod.Viewer(), "pasword audit", "Team notes")
		expect(t, w, w.mod.Viewer(), "pasword category:"+hardware.Slug)
	})
}
