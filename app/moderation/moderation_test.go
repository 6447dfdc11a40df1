package moderation_test

import (
	"errors"
	"strings"
	"testing"

	"causerie/app/audit"
	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/errs"
	"causerie/app/moderation"
	"causerie/app/testutil"
	"causerie/app/topic"
)

type fixture struct {
	env           *testutil.Env
	admin, mod    *auth.Viewer
	author, other *auth.Viewer
	catA, catB    int64
}

func setup(t *testing.T, env *testutil.Env) *fixture {
	t.Helper()
	f := &fixture{env: env}
	adm := env.UserWithRole(t, "boss", "admin")
	f.admin = &auth.Viewer{ID: adm.ID, Username: adm.Username, Role: auth.RoleAdmin}
	m := env.Member(t, "modo")
	f.mod = &auth.Viewer{ID: m.ID, Username: m.Username, Role: auth.RoleModerator}
	a := env.Member(t, "alice")
	f.author = &auth.Viewer{ID: a.ID, Username: a.Username, Role: auth.RoleMember, TrustLevel: 1}
	o := env.Member(t, "bob")
	f.other = &auth.Viewer{ID: o.ID, Username: o.Username, Role: auth.RoleMember, TrustLevel: 1}
	f.catA = 1
	b, err := env.App.Categories.Create(testutil.Ctx(), f.admin, category.Input{Name: "Second", Slug: "second", Color: "#aa3300"})
	testutil.Must(t, err, "category B")
	f.catB = b.ID
	return f
}

func (f *fixture) topic(t *testing.T, cat int64, title string, replies ...string) (*topic.Topic, []*topic.Post) {
	t.Helper()
	ctx := testutil.Ctx()
	tp, first, err := f.env.App.Topics.Create(ctx, f.author, topic.NewTopic{CategoryID: cat, Title: title, Body: "The first post of " + title})
	testutil.Must(t, err, "create topic")
	posts := []*topic.Post{first}
	for _, r := range replies {
		_, p, err := f.env.App.Topics.Reply(ctx, f.other, tp.ID, topic.ReplyInput{Body: r})
		testutil.Must(t, err, "reply")
		posts = append(posts, p)
	}
	return tp, posts
}

func (f *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	testutil.Must(t, f.env.App.DB.Raw(q, args...).Scan(&n).Error, "count %s", q)
	return n
}

func kindOf(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, errs.Forbidden):
		return "forbidden"
	case errors.Is(err, errs.NotFound):
		return "not found"
	case errors.Is(err, errs.Unauthorized):
		return "unauthorized"
	case errors.Is(err, errs.Invalid):
		return "invalid"
	case errors.Is(err, errs.Conflict):
		return "conflict"
	}
	return err.Error()
}

// Every permission boundary: who may take which action where.
func TestPermissionBoundaries(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		f := setup(t, env)
		svc := env.App.Moderation
		ctx := testutil.Ctx()
		_, inA := f.topic(t, f.catA, "A topic in category A", "a reply in A that is long enough")
		_, inB := f.topic(t, f.catB, "A topic in category B", "a reply in B that is long enough")
		scoped := &auth.Viewer{ID: f.mod.ID, Role: auth.RoleModerator, Scope: []int64{f.catA}}
		editor := &auth.Viewer{ID: f.mod.ID, Role: auth.RoleEditor}
		analyst := &auth.Viewer{ID: f.mod.ID, Role: auth.RoleAnalyst}
		for _, tc := range []struct {
			name string
			v    *auth.Viewer
			a    moderation.Action
			want string
		}{
			{"member cannot hide", f.other, moderation.Action{Kind: moderation.Hide, PostID: inA[1].ID, Reason: "spam"}, "forbidden"},
			{"visitor cannot hide", &auth.Viewer{}, moderation.Action{Kind: moderation.Hide, PostID: inA[1].ID, Reason: "spam"}, "unauthorized"},
			{"moderator scoped to A cannot hide in B", scoped, moderation.Action{Kind: moderation.Hide, PostID: inB[1].ID, Reason: "spam"}, "forbidden"},
			{"moderator scoped to A hides in A", scoped, moderation.Action{Kind: moderation.Hide, PostID: inA[1].ID, Reason: "spam"}, "ok"},
			{"moderator scoped to A cannot close in B", scoped, moderation.Action{Kind: moderation.Close, TopicID: inB[0].TopicID}, "forbidden"},
			{"moderator scoped to A cannot move from A to B", scoped, moderation.Action{Kind: moderation.Move, TopicID: inA[0].TopicID, CategoryID: f.catB}, "invalid"},
			{"editor cannot hide", editor, moderation.Action{Kind: moderation.Hide, PostID: inB[1].ID, Reason: "spam"}, "forbidden"},
			{"editor cannot close", editor, moderation.Action{Kind: moderation.Close, TopicID: inB[0].TopicID}, "forbidden"},
			{"editor features", editor, moderation.Action{Kind: moderation.Feature, TopicID: inB[0].TopicID}, "ok"},
			{"editor pins", editor, moderation.Action{Kind: moderation.Pin, TopicID: inB[0].TopicID, Scope: "global"}, "ok"},
			{"editor marks official", editor, moderation.Action{Kind: moderation.Official, PostID: inB[1].ID}, "ok"},
			{"analyst cannot feature", analyst, moderation.Action{Kind: moderation.Unfeature, TopicID: inB[0].TopicID}, "forbidden"},
			{"analyst cannot pin", analyst, moderation.Action{Kind: moderation.Unpin, TopicID: inB[0].TopicID}, "forbidden"},
			{"analyst cannot hide", analyst, moderation.Action{Kind: moderation.Hide, PostID: inB[1].ID, Reason: "x"}, "forbidden"},
			{"analyst cannot edit", analyst, moderation.Action{Kind: moderation.Edit, PostID: inB[1].ID, Body: "changed text here", Reason: "x"}, "forbidden"},
			{"moderator cannot purge", f.mod, moderation.Action{Kind: moderation.Purge, PostID: inB[1].ID, Confirm: true}, "forbidden"},
			{"moderator cannot feature", f.mod, moderation.Action{Kind: moderation.Feature, TopicID: inA[0].TopicID}, "forbidden"},
			{"admin purges only when confirmed", f.admin, moderation.Action{Kind: moderation.Purge, PostID: inB[1].ID}, "invalid"},
		} {
			_, err := svc.Apply(ctx, tc.v, tc.a)
			if got := kindOf(err); got != tc.want {
				t.Errorf("%s: %s, want %s (%v)", tc.name, got, tc.want, err)
			}
		}
		// The analyst and a member change nothing, whatever the action.
		for _, v := range []*auth.Viewer{analyst, f.other} {
			for _, kind := range moderation.Kinds {
				a := moderation.Action{Kind: kind, PostID: inA[1].ID, TopicID: inA[0].TopicID, Reason: "because", Body: "a new text for the post",
					Scope: "category", CategoryID: f.catB, IntoTopicID: inB[0].TopicID, PostIDs: []int64{inA[1].ID}, Title: "A split topic",
					Username: "alice", Confirm: true}
				if _, err := svc.Apply(ctx, v, a); kindOf(err) != "forbidden" {
					t.Errorf("%s %s: %v, want forbidden", v.Role, kind, err)
				}
			}
		}
		// What was refused changed nothing, and left no audit entry.
		var p topic.Post
		testutil.Must(t, env.App.DB.First(&p, inB[1].ID).Error, "post")
		if p.State != topic.StatePublished || !p.Official {
			t.Errorf("post in B: state %s official %v, want published and official (by the editor only)", p.State, p.Official)
		}
		if n := f.count(t, "SELECT count(*) FROM audit_log WHERE action = 'post.hide'"); n != 1 {
			t.Errorf("%d hide entries in the audit log, want 1", n)
		}
	})
}

// Hide with a reason, restore, delete: the author sees why, counts follow,
// every step is audited, nothing is lost.
func TestHideRestoreDelete(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		f := setup(t, env)
		svc := env.App.Moderation
		ctx := testutil.Ctx()
		tp, posts := f.topic(t, f.catA, "Hiding and restoring", "a reply by bob that breaks the rules")
		reply := posts[1]
		catPosts := func() int { return f.count(t, "SELECT posts_count FROM categories WHERE id = ?", f.catA) }
		before := catPosts()
		if _, err := svc.HidePost(ctx, f.mod, reply.ID, "", 0); kindOf(err) != "invalid" {
			t.Fatalf("hide without a reason: %v, want a field error", err)
		}
		res, err := svc.HidePost(ctx, f.mod, reply.ID, "Personal attack", 0)
		testutil.Must(t, err, "hide")
		if res.Post.State != topic.StateHidden || res.Post.HiddenReason != "Personal attack" {
			t.Fatalf("after hide: %+v", res.Post)
		}
		if got := catPosts(); got != before-1 {
			t.Errorf("category posts %d after hide, want %d", got, before-1)
		}
		if n := f.count(t, "SELECT replies_count FROM topics WHERE id = ?", tp.ID); n != 0 {
			t.Errorf("replies_count %d after hiding the only reply", n)
		}
		// The author reads the reason on the topic page; another member does not.
		pg, err := env.App.Topics.Page(ctx, f.other, tp.ID, 1)
		testutil.Must(t, err, "page as author")
		var mine *topic.PostView
		for _, pv := range pg.Posts {
			if pv.ID == reply.ID {
				mine = pv
			}
		}
		if mine == nil || !mine.Visible || mine.HiddenReason != "Personal attack" {
			t.Fatalf("the author does not see the hidden post with its reason: %+v", mine)
		}
		// Hiding twice changes nothing.
		res, err = svc.HidePost(ctx, f.mod, reply.ID, "again", 0)
		if err != nil || res.Changed {
			t.Errorf("hiding a hidden post: changed=%v err=%v", res != nil && res.Changed, err)
		}
		_, err = svc.RestorePost(ctx, f.mod, reply.ID, "")
		testutil.Must(t, err, "restore")
		if got := catPosts(); got != before {
			t.Errorf("category posts %d after restore, want %d", got, before)
		}
		_, err = svc.DeletePost(ctx, f.mod, reply.ID, "Off topic")
		testutil.Must(t, err, "delete")
		var p topic.Post
		testutil.Must(t, env.App.DB.First(&p, reply.ID).Error, "deleted post is still there")
		if p.State != topic.StateDeleted || p.Body != reply.Body {
			t.Errorf("deleted post: state %s body %q", p.State, p.Body)
		}
		_, err = svc.RestorePost(ctx, f.mod, reply.ID, "")
		testutil.Must(t, err, "restore a deleted post")
		var entries []audit.Entry
		testutil.Must(t, env.App.DB.Where("object_type = 'post' AND object_id = ?", reply.ID).Order("id").Find(&entries).Error, "audit")
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		if strings.Join(actions, ",") != "post.hide,post.restore,post.delete,post.restore" {
			t.Errorf("audit log: %v", actions)
		}
		if !strings.Contains(entries[0].Before, "published") || !strings.Contains(entries[0].After, "Personal attack") || entries[0].Reason != "Personal attack" {
			t.Errorf("hide entry: %+v", entries[0])
		}
		// The author was told each decision, in their language, with the reason.
		testutil.Must(t, env.App.Jobs.Drain(ctx), "jobs")
		var notes []struct{ Data string }
		testutil.Must(t, env.App.DB.Table("notifications").Where("user_id = ?", f.other.ID).Order("id").Find(&notes).Error, "notifications")
		if len(notes) < 4 || !strings.Contains(notes[0].Data, "Personal attack") || !strings.Contains(notes[0].Data, "mod.notice_post_hide") {
			t.Errorf("author's notifications: %+v", notes)
		}
	})
}

// Edit with a note keeps the old text as a revision.
func TestEditKeepsRevision(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		f := setup(t, env)
		ctx := testutil.Ctx()
		_, posts := f.topic(t, f.catA, "Editing by staff", "my phone number is 555-1234, call me")
		if _, err := env.App.Moderation.EditPost(ctx, f.mod, posts[1].ID, "my phone number is [removed], call me", ""); kindOf(err) != "invalid" {
			t.Fatalf("edit without a note: %v", err)
		}
		_, err := env.App.Moderation.EditPost(ctx, f.mod, posts[1].ID, "my phone number is [removed], call me", "No personal data")
		testutil.Must(t, err, "edit")
		revs, err := topic.NewStore(env.App.DB.DB).Revisions(ctx, posts[1].ID)
		testutil.Must(t, err, "revisions")
		if len(revs) != 1 || revs[0].Body != "my phone number is 555-1234, call me" || revs[0].Note != "No personal data" {
			t.Errorf("revisions: %+v", revs)
		}
	})
}

// Topic actions: close, pin, feature (event), move (counts), merge
// (numbers, redirect, counts), split, owner.
func TestTopicActions(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		f := setup(t, env)
		svc := env.App.Moderation
		ctx := testutil.Ctx()
		src, srcPosts := f.topic(t, f.catA, "The duplicate question", "first answer to the duplicate", "second answer to the duplicate")
		dst, _ := f.topic(t, f.catB, "The original question", "an answer to the original")
		testutil.Must(t, env.App.DB.Exec("UPDATE posts SET reply_to_id = ? WHERE id = ?", srcPosts[0].ID, srcPosts[2].ID).Error, "a reply to the first post")
		catCount := func(id int64, col string) int {
			return f.count(t, "SELECT "+col+" FROM categories WHERE id = ?", id)
		}
		aTopics, bTopics, aPosts, bPosts := catCount(f.catA, "topics_count"), catCount(f.catB, "topics_count"), catCount(f.catA, "posts_count"), catCount(f.catB, "posts_count")

		res, err := svc.SetClosed(ctx, f.mod, src.ID, true, "Answered elsewhere")
		testutil.Must(t, err, "close")
		if !res.Topic.Closed {
			t.Error("not closed")
		}
		_, err = svc.SetPinned(ctx, f.admin, src.ID, moderation.ScopeGlobal)
		testutil.Must(t, err, "pin")
		if n := f.count(t, "SELECT pinned FROM topics WHERE id = ?", src.ID); n != topic.PinGlobal {
			t.Errorf("pinned = %d", n)
		}
		_, err = svc.SetFeatured(ctx, f.admin, dst.ID, true)
		testutil.Must(t, err, "feature")
		if n := f.count(t, "SELECT count(*) FROM topics WHERE id = ? AND featured_at IS NOT NULL", dst.ID); n != 1 {
			t.Error("not featured")
		}

		// Move src from A to B: counts on both categories.
		_, err = svc.MoveTopic(ctx, f.mod, src.ID, f.catB, "Belongs there")
		testutil.Must(t, err, "move")
		if catCount(f.catA, "topics_count") != aTopics-1 || catCount(f.catB, "topics_count") != bTopics+1 ||
			catCount(f.catA, "posts_count") != aPosts-3 || catCount(f.catB, "posts_count") != bPosts+3 {
			t.Errorf("after move: A %d topics %d posts, B %d topics %d posts", catCount(f.catA, "topics_count"), catCount(f.catA, "posts_count"),
				catCount(f.catB, "topics_count"), catCount(f.catB, "posts_count"))
		}

		// Merge src into dst: src's posts follow dst's, numbered after them.
		res, err = svc.MergeTopic(ctx, f.mod, src.ID, dst.ID, "Duplicate")
		testutil.Must(t, err, "merge")
		if res.Topic.ID != dst.ID {
			t.Errorf("merge answered topic %d", res.Topic.ID)
		}
		var nums []int
		testutil.Must(t, env.App.DB.Table("posts").Where("topic_id = ?", dst.ID).Order("number").Pluck("number", &nums).Error, "numbers")
		if len(nums) != 5 || nums[0] != 1 || nums[4] != 5 {
			t.Errorf("numbers in the merged topic: %v", nums)
		}
		if n := f.count(t, "SELECT replies_count FROM topics WHERE id = ?", dst.ID); n != 4 {
			t.Errorf("replies_count of the merged topic %d, want 4", n)
		}
		if n := f.count(t, "SELECT highest_number FROM topics WHERE id = ?", dst.ID); n != 5 {
			t.Errorf("highest_number %d, want 5", n)
		}
		if catCount(f.catB, "topics_count") != bTopics {
			t.Errorf("B topics %d after merge, want %d", catCount(f.catB, "topics_count"), bTopics)
		}
		if _, err := env.App.Topics.Page(ctx, f.other, src.ID, 1); !errors.As(err, new(*topic.MergedError)) {
			t.Errorf("the merged topic's page: %v, want a redirect to its target", err)
		}

		// Split the two moved answers into a new topic in A.
		ids := []int64{srcPosts[1].ID, srcPosts[2].ID}
		if _, err := svc.SplitTopic(ctx, f.mod, dst.ID, []int64{srcPosts[0].ID + 9999}, "A new topic title", 0, ""); kindOf(err) != "invalid" {
			t.Errorf("split of posts not in the topic: %v", err)
		}
		res, err = svc.SplitTopic(ctx, f.mod, dst.ID, ids, "The answers, on their own", f.catA, "")
		testutil.Must(t, err, "split")
		nt := res.Topic
		var moved []topic.Post
		testutil.Must(t, env.App.DB.Where("topic_id = ?", nt.ID).Order("number").Find(&moved).Error, "split posts")
		if len(moved) != 2 || moved[0].Number != 1 || moved[1].Number != 2 || nt.UserID != f.other.ID {
			t.Errorf("split topic: %+v owner %d", moved, nt.UserID)
		}
		if n := f.count(t, "SELECT replies_count FROM topics WHERE id = ?", dst.ID); n != 2 {
			t.Errorf("replies_count of the topic split from: %d, want 2", n)
		}
		if n := f.count(t, "SELECT replies_count FROM topics WHERE id = ?", nt.ID); n != 1 {
			t.Errorf("replies_count of the new topic: %d, want 1", n)
		}
		if n := f.count(t, "SELECT count(*) FROM posts p JOIN posts r ON r.id = p.reply_to_id WHERE r.topic_id <> p.topic_id"); n != 0 {
			t.Errorf("%d replies point into another topic after the split", n)
		}

		// Change owner: counts follow.
		aliceTopics := f.count(t, "SELECT topics_count FROM users WHERE id = ?", f.author.ID)
		_, err = svc.ChangeOwner(ctx, f.mod, dst.ID, "BOB", "Asked on their behalf")
		testutil.Must(t, err, "owner")
		if f.count(t, "SELECT user_id FROM topics WHERE id = ?", dst.ID) != int(f.other.ID) ||
			f.count(t, "SELECT user_id FROM posts WHERE topic_id = ? AND number = 1", dst.ID) != int(f.other.ID) ||
			f.count(t, "SELECT topics_count FROM users WHERE id = ?", f.author.ID) != aliceTopics-1 {
			t.Error("owner change did not move the topic, its first post and the counts")
		}
		if _, err := svc.ChangeOwner(ctx, f.mod, dst.ID, "nobody-here", ""); kindOf(err) != "invalid" {
			t.Errorf("unknown owner: %v", err)
		}
		for _, action := range []string{"topic.close", "topic.pin", "topic.feature", "topic.move", "topic.merge", "topic.split", "topic.owner"} {
			if f.count(t, "SELECT count(*) FROM audit_log WHERE action = ?", action) != 1 {
				t.Errorf("no audit entry for %s", action)
			}
		}
	})
}

// Purge: administrators only, confirmed, audited with a summary; the rest
// of the topic and the counts stay right.
func TestPurge(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		f := setup(t, env)
		ctx := testutil.Ctx()
		tp, posts := f.topic(t, f.catA, "A topic with illegal content", "illegal content to purge for good", "an innocent reply after it")
		_, err := env.App.Topics.React(ctx, f.author, posts[1].ID, "like")
		testutil.Must(t, err, "react")
		if _, err := env.App.Moderation.PurgePost(ctx, f.admin, posts[0].ID, true, ""); kindOf(err) != "conflict" {
			t.Errorf("purging a first post: %v", err)
		}
		_, err = env.App.Moderation.PurgePost(ctx, f.admin, posts[1].ID, true, "Court order")
		testutil.Must(t, err, "purge")
		if f.count(t, "SELECT count(*) FROM posts WHERE id = ?", posts[1].ID) != 0 {
			t.Error("the purged post is still there")
		}
		if n := f.count(t, "SELECT replies_count FROM topics WHERE id = ?", tp.ID); n != 1 {
			t.Errorf("replies_count %d after purge, want 1", n)
		}
		if n := f.count(t, "SELECT reactions_given FROM users WHERE id = ?", f.author.ID); n != 0 {
			t.Errorf("reactions_given %d after the reacted post was purged", n)
		}
		var e audit.Entry
		testutil.Must(t, env.App.DB.Where("action = 'post.purge'").Take(&e).Error, "audit entry")
		if !strings.Contains(e.Before, "illegal content to purge") || e.Reason != "Court order" {
			t.Errorf("purge entry keeps no summary: %+v", e)
		}
	})
}

// Canned responses: policy holders write them, staff use them to hide.
func TestCannedResponses(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		f := setup(t, env)
		svc := env.App.Moderation
		ctx := testutil.Ctx()
		in := moderation.CannedInput{Kind: moderation.CannedHide, Language: "fr", Title: "Attaque", Body: "Attaque personnelle : pas ici."}
		if _, err := svc.CreateCanned(ctx, f.mod, in); kindOf(err) != "forbidden" {
			t.Errorf("moderator writes canned responses: %v", err)
		}
		if _, err := svc.CreateCanned(ctx, f.admin, moderation.CannedInput{Kind: "x", Language: "xx"}); kindOf(err) != "invalid" {
			t.Errorf("bad canned response: %v", err)
		}
		cr, err := svc.CreateCanned(ctx, f.admin, in)
		testutil.Must(t, err, "create canned")
		_, err = svc.CreateCanned(ctx, f.admin, moderation.CannedInput{Kind: moderation.CannedHide, Language: "en", Title: "Attack", Body: "Personal attack."})
		testutil.Must(t, err, "create canned en")
		list, err := svc.Canned(ctx, f.mod, moderation.CannedHide, "fr")
		testutil.Must(t, err, "list")
		if len(list) != 2 || list[0].Language != "fr" {
			t.Errorf("canned list for a French author: %+v", list)
		}
		if _, err := svc.Canned(ctx, f.other, "", "en"); kindOf(err) != "forbidden" {
			t.Errorf("member lists canned responses: %v", err)
		}
		_, posts := f.topic(t, f.catA, "A topic to hide with a canned reason", "a rude reply to hide")
		res, err := svc.HidePost(ctx, f.mod, posts[1].ID, "", cr.ID)
		testutil.Must(t, err, "hide with canned reason")
		if res.Post.HiddenReason != "Attaque personnelle : pas ici." {
			t.Errorf("hidden reason %q", res.Post.HiddenReason)
		}
		testutil.Must(t, svc.DeleteCanned(ctx, f.admin, cr.ID), "delete canned")
		if f.count(t, "SELECT count(*) FROM audit_log WHERE action LIKE 'canned.%'") != 3 {
			t.Error("canned responses changes are not audited")
		}
	})
}

// An Action survives JSON, as the review queue stores it.
func TestActionRoundTrip(t *testing.T) {
	a := moderation.Action{Kind: moderation.Split, TopicID: 3, PostIDs: []int64{5, 6}, Title: "New", Reason: "r"}
	b, err := moderation.Decode(a.Encode())
	if err != nil || b.Kind != a.Kind || len(b.PostIDs) != 2 || b.Title != "New" || b.AuditAction() != "topic.split" {
		t.Errorf("round trip: %+v %v", b, err)
	}
	if err := (moderation.Action{Kind: "explode", PostID: 1}).Check(); kindOf(err) != "invalid" {
		t.Errorf("unknown kind: %v", err)
	}
}

// Purging a topic: administrators only, confirmed; the topic, its posts
// and everything hanging from them go, the counts they fed go down, and
// the audit log keeps a summary.
func TestPurgeTopic(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		f := setup(t, env)
		ctx := testutil.Ctx()
		keep, kept := f.topic(t, f.catA, "A topic that stays", "a reply that stays")
		tp, posts := f.topic(t, f.catA, "Illegal content in a topic", "a reply in the illegal topic")
		_, err := env.App.Topics.React(ctx, f.author, posts[1].ID, "like")
		testutil.Must(t, err, "react")
		testutil.Must(t, env.App.DB.Exec("UPDATE posts SET reply_to_id = ? WHERE id = ?", posts[1].ID, kept[1].ID).Error, "a reply from elsewhere")
		users := func(col string, id int64) int { return f.count(t, "SELECT "+col+" FROM users WHERE id = ?", id) }
		catTopics, catPosts := f.count(t, "SELECT topics_count FROM categories WHERE id = ?", f.catA), f.count(t, "SELECT posts_count FROM categories WHERE id = ?", f.catA)
		aliceTopics, alicePosts, bobPosts := users("topics_count", f.author.ID), users("posts_count", f.author.ID), users("posts_count", f.other.ID)
		if _, err := env.App.Moderation.PurgeTopic(ctx, f.mod, tp.ID, true, ""); kindOf(err) != "forbidden" {
			t.Errorf("a moderator purges a topic: %v", err)
		}
		if _, err := env.App.Moderation.PurgeTopic(ctx, f.admin, tp.ID, false, ""); kindOf(err) != "invalid" {
			t.Errorf("a purge without confirmation: %v", err)
		}
		_, err = env.App.Moderation.PurgeTopic(ctx, f.admin, tp.ID, true, "Court order")
		testutil.Must(t, err, "purge topic")
		if f.count(t, "SELECT count(*) FROM topics WHERE id = ?", tp.ID)+f.count(t, "SELECT count(*) FROM posts WHERE topic_id = ?", tp.ID) != 0 {
			t.Fatal("the purged topic or its posts are still there")
		}
		if got := f.count(t, "SELECT topics_count FROM categories WHERE id = ?", f.catA); got != catTopics-1 {
			t.Errorf("category topics %d, want %d", got, catTopics-1)
		}
		if got := f.count(t, "SELECT posts_count FROM categories WHERE id = ?", f.catA); got != catPosts-2 {
			t.Errorf("category posts %d, want %d", got, catPosts-2)
		}
		if users("topics_count", f.author.ID) != aliceTopics-1 || users("posts_count", f.author.ID) != alicePosts-1 ||
			users("posts_count", f.other.ID) != bobPosts-1 || users("reactions_given", f.author.ID) != 0 {
			t.Error("members' counts did not follow the purge")
		}
		if n := f.count(t, "SELECT count(*) FROM posts WHERE id = ? AND reply_to_id IS NULL", kept[1].ID); n != 1 {
			t.Error("a reply elsewhere still points at a purged post")
		}
		var e audit.Entry
		testutil.Must(t, env.App.DB.Where("action = 'topic.purge'").Take(&e).Error, "audit entry")
		if !strings.Contains(e.Before, "Illegal content in a topic") || e.Reason != "Court order" {
			t.Errorf("purge entry keeps no summary: %+v", e)
		}
		if _, err := env.App.Topics.Page(ctx, f.other, keep.ID, 1); err != nil {
			t.Errorf("the other topic after the purge: %v", err)
		}
	})
}
