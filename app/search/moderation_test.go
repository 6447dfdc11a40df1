package search_test

import (
	"testing"

	"causerie/app/auth"
	"causerie/app/moderation"
	"causerie/app/testutil"
	"causerie/app/topic"
)

// The moderation service's own actions reach the index through their
// events: a hidden post leaves it and comes back when shown again, a
// topic moved to a private category is found only by its readers, merged
// posts are found in the topic they joined.
func TestModerationActions(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		anon := &auth.Viewer{}
		apply := func(a moderation.Action) {
			t.Helper()
			_, err := env.App.Moderation.Apply(ctx, w.mod.Viewer(), a)
			testutil.Must(t, err, "%s", a.Kind)
			w.drain(t)
		}
		a := w.start(t, w.ana, w.general, "Solar panel angles", "What angle for solar panels in Lyon?", topic.KindQuestion)
		spam := w.reply(t, w.boris, a, "Buy cheap panels at my shop, limited offer.")
		b := w.start(t, w.cleo, w.general, "Panel cleaning", "How often do you clean your panels? Mine gather pollen.", topic.KindDiscussion)
		w.drain(t)
		expect(t, w, anon, "limited offer", "Solar panel angles")
		apply(moderation.Action{Kind: moderation.Hide, PostID: spam.ID, Reason: "Advertising"})
		expect(t, w, anon, "limited offer")
		expect(t, w, w.mod.Viewer(), "limited offer")
		apply(moderation.Action{Kind: moderation.Restore, PostID: spam.ID})
		expect(t, w, anon, "limited offer", "Solar panel angles")
		apply(moderation.Action{Kind: moderation.Move, TopicID: a.ID, CategoryID: w.team.ID})
		expect(t, w, anon, "angle")
		expect(t, w, w.cleo.Viewer(), "angle")
		expect(t, w, w.mod.Viewer(), "angle", "Solar panel angles")
		apply(moderation.Action{Kind: moderation.Merge, TopicID: b.ID, IntoTopicID: a.ID})
		expect(t, w, w.cleo.Viewer(), "pollen")
		r := w.search(t, w.mod.Viewer(), "pollen")
		if len(r.Groups) != 1 || r.Groups[0].TopicID != a.ID {
			t.Errorf("after the merge, pollen is found in %+v, want topic %d", r.Groups, a.ID)
		}
	})
}
