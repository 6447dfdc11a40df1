package moderation_test

import (
	"encoding/json"
	"testing"

	"causerie/app/audit"
	"causerie/app/testutil"
	"causerie/app/topic"
)

// A merge loses nothing: the moved posts keep their revisions, the source
// keeps its row (a redirect to the target), and the audit entry holds what
// a split needs to reverse it — the title, the posts and their numbers.
// Splitting those posts out again gives back the topic, in order, with
// its history.
func TestMergeIsReversible(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		f := setup(t, env)
		svc := env.App.Moderation
		ctx := testutil.Ctx()
		src, srcPosts := f.topic(t, f.catA, "The duplicate to merge back", "first answer to the duplicate", "second answer to the duplicate")
		dst, _ := f.topic(t, f.catA, "The topic it goes into", "an answer to the target")
		_, err := svc.EditPost(ctx, f.mod, srcPosts[1].ID, "first answer to the duplicate, tidied", "typo")
		testutil.Must(t, err, "edit before the merge")
		_, _, kept, err := env.App.Topics.Revisions(ctx, f.admin, srcPosts[1].ID)
		testutil.Must(t, err, "revisions")
		if len(kept) == 0 {
			t.Fatal("the edit kept no revision")
		}
		_, err = svc.MergeTopic(ctx, f.mod, src.ID, dst.ID, "Duplicate")
		testutil.Must(t, err, "merge")

		var row topic.Topic
		testutil.Must(t, env.App.DB.Where("id = ?", src.ID).Take(&row).Error, "the source's row is kept")
		if row.MergedIntoID == nil || *row.MergedIntoID != dst.ID || row.Title != src.Title {
			t.Errorf("source after the merge: %+v", row)
		}
		_, _, revs, err := env.App.Topics.Revisions(ctx, f.admin, srcPosts[1].ID)
		testutil.Must(t, err, "revisions")
		if len(revs) != len(kept) {
			t.Errorf("a moved post has %d revisions, want its %d kept", len(revs), len(kept))
		}
		var e audit.Entry
		testutil.Must(t, env.App.DB.Where("action = ? AND object_id = ?", "topic.merge", src.ID).Take(&e).Error, "audit")
		var before struct {
			Title   string  `json:"title"`
			PostIDs []int64 `json:"post_ids"`
			Numbers []int   `json:"numbers"`
		}
		testutil.Must(t, json.Unmarshal([]byte(e.Before), &before), "before")
		if before.Title != src.Title || len(before.PostIDs) != 3 || len(before.Numbers) != 3 || before.Numbers[0] != 1 || before.Numbers[2] != 3 {
			t.Fatalf("the merge's audit cannot be reversed from: %s", e.Before)
		}

		// Reverse it: split the posts back out under the old title.
		res, err := svc.SplitTopic(ctx, f.mod, dst.ID, before.PostIDs, before.Title, f.catA, "Not a duplicate after all")
		testutil.Must(t, err, "split back")
		var back []topic.Post
		testutil.Must(t, env.App.DB.Where("topic_id = ?", res.Topic.ID).Order("number").Find(&back).Error, "posts")
		if len(back) != 3 || back[0].ID != srcPosts[0].ID || back[2].ID != srcPosts[2].ID || back[0].Number != 1 || res.Topic.UserID != srcPosts[0].UserID {
			t.Errorf("split back: %d posts, first %d, owner %d", len(back), back[0].ID, res.Topic.UserID)
		}
		if _, _, revs, _ := env.App.Topics.Revisions(ctx, f.admin, srcPosts[1].ID); len(revs) != len(kept) {
			t.Error("the history is lost after the split back")
		}
	})
}
