package moderation_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"causerie/app/auth"
	"causerie/app/event"
	"causerie/app/moderation"
	"causerie/app/testutil"
	"causerie/app/topic"
)

// The events of each action reach their subscribers, through the durable
// jobs written in the action's transaction.
func TestEvents(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		f := setup(t, env)
		ctx := testutil.Ctx()
		var mu sync.Mutex
		var seen []string
		note := func(s string) { mu.Lock(); seen = append(seen, s); mu.Unlock() }
		event.Subscribe(env.App.Events, "test", func(_ context.Context, e event.ContentChanged) error { note("changed:" + e.Action); return nil })
		event.Subscribe(env.App.Events, "test", func(_ context.Context, e event.TopicFeatured) error { note("featured"); return nil })
		event.Subscribe(env.App.Events, "test", func(_ context.Context, e event.TopicRemoved) error { note("removed"); return nil })
		event.Subscribe(env.App.Events, "test", func(_ context.Context, e event.PostPurged) error { note("purged"); return nil })
		src, posts := f.topic(t, f.catA, "Events of moderation", "a reply to hide and purge")
		dst, _ := f.topic(t, f.catA, "The topic merged into")
		svc := env.App.Moderation
		_, err := svc.HidePost(ctx, f.mod, posts[1].ID, "Spam", 0)
		testutil.Must(t, err, "hide")
		_, err = svc.SetFeatured(ctx, f.admin, src.ID, true)
		testutil.Must(t, err, "feature")
		_, err = svc.SetFeatured(ctx, f.admin, src.ID, true) // again: no second event
		testutil.Must(t, err, "feature again")
		_, err = svc.PurgePost(ctx, f.admin, posts[1].ID, true, "")
		testutil.Must(t, err, "purge")
		_, err = svc.MergeTopic(ctx, f.mod, src.ID, dst.ID, "")
		testutil.Must(t, err, "merge")
		testutil.Must(t, env.App.Jobs.Drain(ctx), "drain")
		mu.Lock()
		defer mu.Unlock()
		for _, want := range []string{"changed:post.hide", "featured", "purged", "removed", "changed:topic.merge"} {
			if !slices.Contains(seen, want) {
				t.Errorf("no %s event; seen %v", want, seen)
			}
		}
		n := 0
		for _, s := range seen {
			if s == "featured" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("topic.featured published %d times, want once", n)
		}
	})
}

// A junior moderator's action becomes a proposal and changes nothing yet;
// an author asks for review of their hidden post; without a review queue,
// asking says so.
func TestProposalsAndReview(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		f := setup(t, env)
		ctx := testutil.Ctx()
		_, posts := f.topic(t, f.catA, "Proposals of a junior moderator", "a reply a junior wants hidden")
		junior := &auth.Viewer{ID: f.mod.ID, Role: auth.RoleJunior}
		if _, err := env.App.Moderation.Apply(ctx, junior, moderation.Action{Kind: moderation.Hide, PostID: posts[1].ID, Reason: "Rude"}); kindOf(err) != "forbidden" {
			t.Fatalf("junior applies directly: %v", err)
		}
		res, proposed, err := env.App.Moderation.Submit(ctx, junior, moderation.Action{Kind: moderation.Hide, PostID: posts[1].ID, Reason: "Rude"})
		testutil.Must(t, err, "propose")
		if !proposed || res.Changed {
			t.Fatalf("junior's hide: proposed=%v changed=%v", proposed, res.Changed)
		}
		var state string
		testutil.Must(t, env.App.DB.Table("posts").Where("id = ?", posts[1].ID).Pluck("state", &state).Error, "state")
		if state != topic.StatePublished {
			t.Errorf("a proposal hid the post at once: %s", state)
		}
		if n := f.count(t, "SELECT count(*) FROM review_items WHERE kind = 'proposal' AND post_id = ?", posts[1].ID); n != 1 {
			t.Errorf("%d proposals in the queue, want 1", n)
		}

		// The author of a hidden post asks for review.
		_, err = env.App.Moderation.HidePost(ctx, f.mod, posts[1].ID, "Rude", 0)
		testutil.Must(t, err, "hide")
		if err := env.App.Moderation.RequestReview(ctx, f.author, posts[1].ID, ""); kindOf(err) != "not found" {
			t.Errorf("someone else asks for review: %v", err)
		}
		testutil.Must(t, env.App.Moderation.RequestReview(ctx, f.other, posts[1].ID, "I rephrased it"), "request review")
		if n := f.count(t, "SELECT count(*) FROM review_items WHERE kind = 'appeal' AND post_id = ?", posts[1].ID); n != 1 {
			t.Errorf("%d appeals in the queue, want 1", n)
		}

		// Without a review queue wired, the button says so.
		bare := moderation.NewService(env.App.DB.DB, env.App.Categories, env.App.Render, env.Config, env.App.Events)
		if err := bare.RequestReview(ctx, f.other, posts[1].ID, ""); kindOf(err) != "conflict" {
			t.Errorf("request review with no queue: %v", err)
		}
	})
}
