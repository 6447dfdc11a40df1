package topic_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/config"
	"causerie/app/errs"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
)

var ctx = testutil.Ctx()

type world struct {
	env                          *testutil.Env
	admin, mod, ana, boris, cleo *user.User
	general, private             *category.Category
}

func setup(t *testing.T, env *testutil.Env) *world {
	t.Helper()
	w := &world{env: env}
	w.admin = env.UserWithRole(t, "root_admin", "admin")
	w.mod = env.UserWithRole(t, "maud", "moderator")
	w.ana, w.boris, w.cleo = env.Member(t, "ana"), env.Member(t, "boris"), env.Member(t, "cleo")
	var err error
	w.general, err = env.App.Categories.ReadableByID(ctx, &auth.Viewer{}, 1)
	testutil.Must(t, err, "general category")
	w.private, err = env.App.Categories.Create(ctx, w.admin.Viewer(), category.Input{Name: "Team room", Read: []string{"moderator"}, Start: []string{"moderator"}, Reply: []string{"moderator"}})
	testutil.Must(t, err, "private category")
	return w
}

func (w *world) start(t *testing.T, by *user.User, cat *category.Category, title, kind string) *topic.Topic {
	t.Helper()
	tp, _, err := w.env.App.Topics.Create(ctx, by.Viewer(), topic.NewTopic{CategoryID: cat.ID, Title: title, Body: "Hello, this is " + title, Kind: kind})
	testutil.Must(t, err, "start %q", title)
	return tp
}

func (w *world) reply(t *testing.T, by *user.User, tp *topic.Topic, body string) *topic.Post {
	t.Helper()
	_, p, err := w.env.App.Topics.Reply(ctx, by.Viewer(), tp.ID, topic.ReplyInput{Body: body})
	testutil.Must(t, err, "reply")
	return p
}

func reload(t *testing.T, env *testutil.Env, id int64) *topic.Topic {
	t.Helper()
	tp, err := env.App.Topics.Store().Topic(ctx, id)
	testutil.Must(t, err, "reload topic")
	return tp
}

func userRow(t *testing.T, env *testutil.Env, id int64) *user.User {
	t.Helper()
	u, err := env.App.Users.Store().Get(ctx, id)
	testutil.Must(t, err, "reload user")
	return u
}

func wantKind(t *testing.T, err, kind error, what string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("%s: got %v, want %v", what, err, kind)
	}
}

// Who may start, reply, edit, delete, react and accept, per role.
func TestRights(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		anon := &auth.Viewer{}
		q := w.start(t, w.ana, w.general, "How do I reset the router?", topic.KindQuestion)
		_, _, err := env.App.Topics.Create(ctx, anon, topic.NewTopic{CategoryID: w.general.ID, Title: "Anonymous topic", Body: "hi there"})
		wantKind(t, err, errs.Unauthorized, "visitor starts a topic")
		_, _, err = env.App.Topics.Create(ctx, w.ana.Viewer(), topic.NewTopic{CategoryID: w.general.ID, Title: "Big announcement", Body: "hi there", Kind: topic.KindAnnouncement})
		if f, ok := err.(errs.Fields); !ok || f["kind"] != "validation.kind_staff" {
			t.Errorf("member posts an announcement: %v", err)
		}
		w.start(t, env.UserWithRole(t, "edith", "editor"), w.general, "Maintenance on Sunday", topic.KindAnnouncement) // announcements: auth.PermAnnounce
		_, _, err = env.App.Topics.Create(ctx, w.ana.Viewer(), topic.NewTopic{CategoryID: w.private.ID, Title: "Sneaking in here", Body: "hi there"})
		if f, ok := err.(errs.Fields); !ok || f["category_id"] == "" {
			t.Errorf("member starts in a private category: %v", err)
		}
		_, _, err = env.App.Topics.Reply(ctx, anon, q.ID, topic.ReplyInput{Body: "me too"})
		wantKind(t, err, errs.Unauthorized, "visitor replies")
		answer := w.reply(t, w.boris, q, "Hold the reset button for ten seconds.")
		// Editing: the author and staff, nobody else.
		_, err = env.App.Topics.Edit(ctx, w.cleo.Viewer(), answer.ID, topic.EditInput{Body: "vandalised"})
		wantKind(t, err, errs.Forbidden, "another member edits")
		_, err = env.App.Topics.Edit(ctx, w.boris.Viewer(), answer.ID, topic.EditInput{Body: "Hold the reset button for fifteen seconds."})
		testutil.Must(t, err, "author edits")
		_, err = env.App.Topics.Edit(ctx, w.mod.Viewer(), answer.ID, topic.EditInput{Body: "Hold the reset button for 15 seconds.", Note: "typo"})
		testutil.Must(t, err, "moderator edits")
		// Reacting: not to one's own post.
		_, err = env.App.Topics.React(ctx, w.boris.Viewer(), answer.ID, "like")
		wantKind(t, err, errs.Forbidden, "react to own post")
		_, err = env.App.Topics.React(ctx, w.ana.Viewer(), answer.ID, "rocket")
		wantKind(t, err, errs.Invalid, "unknown reaction")
		// Accepting: the asker or staff.
		_, err = env.App.Topics.Accept(ctx, w.cleo.Viewer(), q.ID, answer.ID)
		wantKind(t, err, errs.Forbidden, "someone else accepts")
		_, err = env.App.Topics.Accept(ctx, w.ana.Viewer(), q.ID, answer.ID)
		testutil.Must(t, err, "asker accepts")
		// Deleting: authors their replies, not their first post; staff anything.
		first, _ := env.App.Topics.Store().PostByNumber(ctx, q.ID, 1)
		wantKind(t, env.App.Topics.Delete(ctx, w.ana.Viewer(), first.ID), errs.Forbidden, "author deletes the first post")
		wantKind(t, env.App.Topics.Delete(ctx, w.cleo.Viewer(), answer.ID), errs.Forbidden, "another member deletes")
		wantKind(t, env.App.Topics.Restore(ctx, w.boris.Viewer(), answer.ID), errs.Forbidden, "member restores")
	})
}

// A private category is invisible to those who cannot read it: its topics
// are not found (not forbidden), and no list or count shows them.
func TestPrivateCategoryInvisible(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		secret := w.start(t, w.mod, w.private, "Moderation guidelines draft", topic.KindDiscussion)
		open := w.start(t, w.ana, w.general, "Public question here", topic.KindDiscussion)
		for name, v := range map[string]*auth.Viewer{"visitor": {}, "member": w.ana.Viewer()} {
			_, err := env.App.Topics.Page(ctx, v, secret.ID, 1)
			wantKind(t, err, errs.NotFound, name+" opens the private topic")
			list, err := env.App.Topics.List(ctx, v, topic.ListQuery{})
			testutil.Must(t, err, "list")
			for _, it := range list.All() {
				if it.ID == secret.ID {
					t.Errorf("%s sees the private topic in the latest list", name)
				}
			}
			_, err = env.App.Topics.List(ctx, v, topic.ListQuery{CategoryID: w.private.ID})
			wantKind(t, err, errs.NotFound, name+" lists the private category")
			tree, _ := env.App.Categories.Tree(ctx, v)
			for _, c := range tree {
				if c.ID == w.private.ID {
					t.Errorf("%s sees the private category", name)
				}
			}
			sim, _ := env.App.Topics.Similar(ctx, v, "moderation guidelines")
			if len(sim) > 0 {
				t.Errorf("%s finds the private topic among similar topics", name)
			}
			first, _ := env.App.Topics.Store().PostByNumber(ctx, secret.ID, 1)
			_, _, err = env.App.Topics.Locate(ctx, v, first.ID)
			wantKind(t, err, errs.NotFound, name+" follows a link to a private post")
		}
		if _, err := env.App.Topics.Page(ctx, w.mod.Viewer(), secret.ID, 1); err != nil {
			t.Errorf("moderator cannot read the team room: %v", err)
		}
		if _, err := env.App.Topics.Page(ctx, &auth.Viewer{}, open.ID, 1); err != nil {
			t.Errorf("visitor cannot read a public topic: %v", err)
		}
	})
}

// Counts shown on pages stay right through replies, reactions, deletes and
// restores.
func TestCountsStayRight(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp := w.start(t, w.ana, w.general, "Battery drains overnight", topic.KindQuestion)
		r1 := w.reply(t, w.boris, tp, "Same here since the update.")
		r2 := w.reply(t, w.cleo, tp, "Try turning off background refresh.")
		_, err := env.App.Topics.React(ctx, w.ana.Viewer(), r2.ID, "like")
		testutil.Must(t, err, "react")
		_, err = env.App.Topics.React(ctx, w.ana.Viewer(), r2.ID, "like") // twice: harmless
		testutil.Must(t, err, "react again")
		_, err = env.App.Topics.React(ctx, w.boris.Viewer(), r2.ID, "thanks")
		testutil.Must(t, err, "react thanks")
		_, err = env.App.Topics.Accept(ctx, w.ana.Viewer(), tp.ID, r2.ID)
		testutil.Must(t, err, "accept")

		got := reload(t, env, tp.ID)
		if got.RepliesCount != 2 || got.HighestNumber != 3 || got.ReactionsCount != 2 || got.AcceptedPostID == nil || *got.AcceptedPostID != r2.ID {
			t.Errorf("topic after activity: %+v", got)
		}
		if u := userRow(t, env, w.cleo.ID); u.PostsCount != 1 || u.ReactionsReceived != 2 || u.AcceptedAnswers != 1 {
			t.Errorf("cleo: posts %d, reactions received %d, accepted %d", u.PostsCount, u.ReactionsReceived, u.AcceptedAnswers)
		}
		if u := userRow(t, env, w.ana.ID); u.TopicsCount != 1 || u.PostsCount != 1 || u.ReactionsGiven != 1 {
			t.Errorf("ana: topics %d posts %d given %d", u.TopicsCount, u.PostsCount, u.ReactionsGiven)
		}
		// Taking a reaction back, deleting the accepted answer.
		_, err = env.App.Topics.Unreact(ctx, w.boris.Viewer(), r2.ID, "thanks")
		testutil.Must(t, err, "unreact")
		testutil.Must(t, env.App.Topics.Delete(ctx, w.cleo.Viewer(), r2.ID), "delete")
		testutil.Must(t, env.App.Topics.Delete(ctx, w.cleo.Viewer(), r2.ID), "delete twice")
		got = reload(t, env, tp.ID)
		if got.RepliesCount != 1 || got.ReactionsCount != 1 || got.AcceptedPostID != nil {
			t.Errorf("topic after delete: replies %d reactions %d accepted %v", got.RepliesCount, got.ReactionsCount, got.AcceptedPostID)
		}
		if u := userRow(t, env, w.cleo.ID); u.PostsCount != 0 || u.AcceptedAnswers != 0 || u.ReactionsReceived != 1 {
			t.Errorf("cleo after delete: posts %d accepted %d received %d", u.PostsCount, u.AcceptedAnswers, u.ReactionsReceived)
		}
		cat, _ := env.App.Categories.Store().All(ctx)
		for _, c := range cat {
			if c.ID == w.general.ID && (c.TopicsCount != 1 || c.PostsCount != 2) {
				t.Errorf("general: topics %d posts %d, want 1 and 2", c.TopicsCount, c.PostsCount)
			}
		}
		// Staff restore: the post counts again (but stays unaccepted).
		testutil.Must(t, env.App.Topics.Restore(ctx, w.mod.Viewer(), r2.ID), "restore")
		if got = reload(t, env, tp.ID); got.RepliesCount != 2 {
			t.Errorf("replies after restore: %d", got.RepliesCount)
		}
		_ = r1
	})
}

// Nothing is lost: a deleted post stays for staff; its author and others
// see that it was deleted; every edit keeps the version before.
func TestDeletedPostsAndRevisionsKept(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp := w.start(t, w.ana, w.general, "Which plan should I pick?", topic.KindDiscussion)
		p := w.reply(t, w.boris, tp, "The first version.")
		for _, body := range []string{"The second version.", "The third version."} {
			_, err := env.App.Topics.Edit(ctx, w.boris.Viewer(), p.ID, topic.EditInput{Body: body})
			testutil.Must(t, err, "edit")
		}
		title := "Which plan should I pick for two people?"
		first, _ := env.App.Topics.Store().PostByNumber(ctx, tp.ID, 1)
		_, err := env.App.Topics.Edit(ctx, w.ana.Viewer(), first.ID, topic.EditInput{Body: first.Body, Title: &title})
		testutil.Must(t, err, "retitle")
		_, _, revs, err := env.App.Topics.Revisions(ctx, w.cleo.Viewer(), p.ID)
		testutil.Must(t, err, "revisions")
		if len(revs) != 2 || revs[0].Body != "The first version." || revs[1].Body != "The second version." {
			t.Errorf("revisions: %+v", revs)
		}
		if got := reload(t, env, tp.ID); got.Title != title || got.Slug != "which-plan-should-i-pick-for-two-people" {
			t.Errorf("retitled topic: %q %q", got.Title, got.Slug)
		}
		testutil.Must(t, env.App.Topics.Delete(ctx, w.boris.Viewer(), p.ID), "delete")
		for name, tc := range map[string]struct {
			v       *auth.Viewer
			visible bool
		}{"moderator": {w.mod.Viewer(), true}, "author": {w.boris.Viewer(), false}, "member": {w.cleo.Viewer(), false}, "visitor": {&auth.Viewer{}, false}} {
			pg, err := env.App.Topics.Page(ctx, tc.v, tp.ID, 1)
			testutil.Must(t, err, "page")
			pv := pg.Posts[1]
			if pv.Visible != tc.visible || (pv.Body != "") == !tc.visible || !pv.DeletedByAuthor() {
				t.Errorf("%s: deleted post visible=%v body=%q", name, pv.Visible, pv.Body)
			}
		}
		var n int64
		env.App.DB.Table("posts").Where("id = ? AND body = ?", p.ID, "The third version.").Count(&n)
		if n != 1 {
			t.Error("the deleted post's text is gone from the database")
		}
	})
}

// Topic pages are cut at fixed post numbers, so a post's URL never moves;
// lists are cut with a cursor and never repeat or skip a topic.
func TestPagination(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp := w.start(t, w.ana, w.general, "A long conversation", topic.KindDiscussion)
		for i := 2; i <= 45; i++ {
			w.reply(t, w.boris, tp, fmt.Sprintf("Reply number %d", i))
		}
		per := env.App.Topics.PostsPerPage()
		pg, err := env.App.Topics.Page(ctx, &auth.Viewer{}, tp.ID, per+5)
		testutil.Must(t, err, "page 2")
		if pg.From != per+1 || pg.Posts[0].Number != per+1 || len(pg.Posts) != per || pg.Prev != 1 || pg.Next != 2*per+1 || pg.PageNumber() != 2 || pg.Pages != 3 {
			t.Errorf("page holding %d: from %d first %d len %d prev %d next %d", per+5, pg.From, pg.Posts[0].Number, len(pg.Posts), pg.Prev, pg.Next)
		}
		if _, err := env.App.Topics.Page(ctx, &auth.Viewer{}, tp.ID, 46); !errors.Is(err, errs.NotFound) {
			t.Errorf("past the last post: %v", err)
		}
		// 70 topics: every one listed once, newest activity first.
		for i := 0; i < 69; i++ {
			w.start(t, w.cleo, w.general, fmt.Sprintf("Topic number %03d", i), topic.KindDiscussion)
		}
		seen := map[int64]bool{}
		cursor, pages := "", 0
		var last *topic.Item
		for {
			list, err := env.App.Topics.List(ctx, &auth.Viewer{}, topic.ListQuery{Cursor: cursor})
			testutil.Must(t, err, "list")
			for _, it := range list.Items {
				if seen[it.ID] {
					t.Fatalf("topic %d listed twice", it.ID)
				}
				if last != nil && it.LastPostAt.After(last.LastPostAt) {
					t.Fatalf("not in order of activity")
				}
				seen[it.ID], last = true, it
			}
			pages++
			if list.Next == "" {
				break
			}
			cursor = list.Next
		}
		if len(seen) != 70 || pages != 3 {
			t.Errorf("listed %d topics in %d pages, want 70 in 3", len(seen), pages)
		}
		if _, err := env.App.Topics.List(ctx, &auth.Viewer{}, topic.ListQuery{Cursor: "%%%garbage"}); !errors.Is(err, errs.Invalid) {
			t.Errorf("a broken cursor: %v", err)
		}
	})
}

func TestUnansweredAndTop(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		q1 := w.start(t, w.ana, w.general, "Question one is open", topic.KindQuestion)
		q2 := w.start(t, w.ana, w.general, "Question two gets answered", topic.KindQuestion)
		d := w.start(t, w.boris, w.general, "Just a discussion here", topic.KindDiscussion)
		a := w.reply(t, w.boris, q2, "Here is the answer.")
		_, err := env.App.Topics.Accept(ctx, w.ana.Viewer(), q2.ID, a.ID)
		testutil.Must(t, err, "accept")
		list, err := env.App.Topics.List(ctx, &auth.Viewer{}, topic.ListQuery{Filter: topic.ListUnanswered})
		testutil.Must(t, err, "unanswered")
		if len(list.Items) != 1 || list.Items[0].ID != q1.ID {
			t.Errorf("unanswered: %d items", len(list.Items))
		}
		w.reply(t, w.cleo, d, "Great point.")
		w.reply(t, w.ana, d, "Agreed.")
		first, _ := env.App.Topics.Store().PostByNumber(ctx, d.ID, 1)
		_, err = env.App.Topics.React(ctx, w.cleo.Viewer(), first.ID, "like")
		testutil.Must(t, err, "react")
		top, err := env.App.Topics.List(ctx, &auth.Viewer{}, topic.ListQuery{Filter: topic.ListTop, Period: "week"})
		testutil.Must(t, err, "top")
		if len(top.Items) != 3 || top.Items[0].ID != d.ID {
			t.Errorf("top: first is %v", top.Items)
		}
	})
}

// The topic page and the latest list cost a fixed number of queries,
// however many posts, authors and topics they show.
func TestNoNPlusOne(t *testing.T) {
	env := testutil.New(t)
	w := setup(t, env)
	tp := w.start(t, w.ana, w.general, "Counting the queries", topic.KindQuestion)
	boris := env.Client()
	boris.Login(t, "boris")
	count := func(n int) (page, list, request int) {
		qc := testutil.CountQueries(t, env.App.DB.DB)
		for i := 0; i < n; i++ {
			u := env.Member(t, fmt.Sprintf("voice%02d_%d", i, n))
			w.reply(t, u, tp, "A reply from "+u.Username)
			w.start(t, u, w.general, "Another topic from "+u.Username, topic.KindDiscussion)
		}
		qc.Reset()
		_, err := env.App.Topics.Page(ctx, w.boris.Viewer(), tp.ID, 1)
		testutil.Must(t, err, "page")
		page = qc.N()
		qc.Reset()
		_, err = env.App.Topics.List(ctx, w.boris.Viewer(), topic.ListQuery{})
		testutil.Must(t, err, "list")
		list = qc.N()
		// The whole request of a logged-in member, middleware (session,
		// account, visits) and rendering included; read once before, so
		// that this visit writes nothing new and finds what every reader
		// sees alike kept (shared.go): it asks only for the reader's own.
		boris.Get(t, tp.URL())
		qc.Reset()
		if res := boris.Get(t, tp.URL()); res.StatusCode != 200 {
			t.Fatalf("topic page: %d", res.StatusCode)
		}
		return page, list, qc.N()
	}
	p1, l1, r1 := count(2)
	p2, l2, r2 := count(12)
	if p1 != p2 || l1 != l2 || r1 != r2 {
		t.Errorf("queries grow with content: topic page %d → %d, latest list %d → %d, logged-in request %d → %d", p1, p2, l1, l2, r1, r2)
	}
	if p2 > 4 || l2 > 8 || r2 > 2 {
		t.Errorf("too many queries: topic page %d, latest list %d, logged-in request %d", p2, l2, r2)
	}
	t.Logf("topic page: %d queries (%d for the whole logged-in request), latest list: %d", p2, r2, l2)
}

func TestValidation(t *testing.T) {
	env := testutil.New(t)
	w := setup(t, env)
	for _, tc := range []struct {
		in    topic.NewTopic
		field string
	}{
		{topic.NewTopic{CategoryID: w.general.ID, Title: "short", Body: "body text"}, "title"},
		{topic.NewTopic{CategoryID: w.general.ID, Title: "A fine title", Body: ""}, "body"},
		{topic.NewTopic{CategoryID: 999, Title: "A fine title", Body: "body text"}, "category_id"},
		{topic.NewTopic{CategoryID: w.general.ID, Title: "A fine title", Body: "body text", Kind: "poll"}, "kind"},
		{topic.NewTopic{CategoryID: w.general.ID, Title: "A fine title", Body: "body text", Tags: []string{"a", "b", "c", "d", "e", "f"}}, "tags"},
		{topic.NewTopic{CategoryID: w.general.ID, Title: "A fine title", Body: "body text", Tags: []string{"no spaces allowed!"}}, "tags"},
	} {
		_, _, err := env.App.Topics.Create(ctx, w.ana.Viewer(), tc.in)
		if f, ok := err.(errs.Fields); !ok || f[tc.field] == "" {
			t.Errorf("%+v: got %v, want an error on %s", tc.in, err, tc.field)
		}
	}
	tp, _, err := env.App.Topics.Create(ctx, w.ana.Viewer(), topic.NewTopic{CategoryID: w.general.ID, Title: "Tagged   topic  here", Body: "body", TagList: "Router, #wifi, router"})
	testutil.Must(t, err, "tags")
	pg, _ := env.App.Topics.Page(ctx, w.ana.Viewer(), tp.ID, 1)
	if strings.Join(pg.Tags, ",") != "router,wifi" || pg.Topic.Title != "Tagged topic here" {
		t.Errorf("tags %v title %q", pg.Tags, pg.Topic.Title)
	}
}

// Edits and accepts made at the same moment neither fail with a server
// error nor count twice.
func TestConcurrentChanges(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		q := w.start(t, w.ana, w.general, "Racing edits and accepts", topic.KindQuestion)
		a := w.reply(t, w.boris, q, "The answer.")
		const n = 8
		errsC := make(chan error, 2*n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(2)
			go func(i int) {
				defer wg.Done()
				_, err := env.App.Topics.Edit(ctx, w.boris.Viewer(), a.ID, topic.EditInput{Body: fmt.Sprintf("The answer, take %d.", i)})
				errsC <- err
			}(i)
			go func() {
				defer wg.Done()
				_, err := env.App.Topics.Accept(ctx, w.ana.Viewer(), q.ID, a.ID)
				errsC <- err
			}()
		}
		wg.Wait()
		close(errsC)
		for err := range errsC {
			if err != nil && !errors.Is(err, errs.Conflict) {
				t.Errorf("concurrent change: %v", err)
			}
		}
		p, _ := env.App.Topics.Store().Post(ctx, a.ID)
		revs, _ := env.App.Topics.Store().Revisions(ctx, a.ID)
		if p.RevisionsCount != len(revs) || len(revs) == 0 {
			t.Errorf("revisions_count %d, revisions %d", p.RevisionsCount, len(revs))
		}
		if u := userRow(t, env, w.boris.ID); u.AcceptedAnswers != 1 {
			t.Errorf("accepted answers counted %d times", u.AcceptedAnswers)
		}
	})
}

// A member who just joined may post a few links and images, and a few
// times a day; a member who has taken part may post freely.
func TestNewcomerLimits(t *testing.T) {
	env := testutil.New(t, func(c *config.Config) { c.Trust.NewPostsPerDay = 3 })
	w := setup(t, env)
	newbie := env.Newcomer(t, "newbie")
	links := "See https://a.example/1 and https://b.example/2 and https://c.example/3"
	_, _, err := env.App.Topics.Create(ctx, newbie.Viewer(), topic.NewTopic{CategoryID: w.general.ID, Title: "Cheap watches here", Body: links})
	if f, ok := err.(errs.Fields); !ok || f["body"] != "validation.too_many_links" {
		t.Errorf("three links from a newcomer: %v", err)
	}
	_, _, err = env.App.Topics.Create(ctx, w.ana.Viewer(), topic.NewTopic{CategoryID: w.general.ID, Title: "Useful links for all", Body: links})
	testutil.Must(t, err, "three links from a member")
	tp := w.start(t, newbie, w.general, "My first question", topic.KindQuestion)
	w.reply(t, newbie, tp, "Some more detail.")
	w.reply(t, newbie, tp, "And a little more.")
	_, _, err = env.App.Topics.Reply(ctx, newbie.Viewer(), tp.ID, topic.ReplyInput{Body: "One more."})
	var msg *errs.Msg
	if !errors.As(err, &msg) || msg.ID != "topic.posts_per_day" || !errors.Is(err, errs.TooMany) {
		t.Errorf("fourth post of the day: %v", err)
	}
}

// A page's posts carry what their authors show (name, picture, role,
// standing), never their e-mail address or password hash: a theme that
// draws posts itself cannot print them by mistake.
func TestPageAuthorsCarryNoSecrets(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp := w.start(t, w.ana, w.general, "What do authors carry?", topic.KindDiscussion)
		pg, err := env.App.Topics.Page(testutil.Ctx(), w.boris.Viewer(), tp.ID, 1)
		testutil.Must(t, err, "page")
		a := pg.Posts[0].Author
		if a == nil || a.Username != "ana" || a.CreatedAt.IsZero() {
			t.Fatalf("author %+v", a)
		}
		if a.Email != "" || a.PasswordHash != "" {
			t.Errorf("the page's author carries their e-mail %q or password hash", a.Email)
		}
		// What it carries is what the members table holds.
		testutil.Must(t, env.App.DB.Exec(`UPDATE users SET display_name = 'Ana B.', trust_level = 3, reputation = 42, topics_count = 5,
		posts_count = 9, reactions_received = 7, accepted_answers = 2, last_seen_at = ? WHERE id = ?`, time.Now(), w.ana.ID).Error, "standing")
		env.App.Web.Cache.Invalidate("")
		full, err := env.App.Users.Store().ByUsername(testutil.Ctx(), "ana")
		testutil.Must(t, err, "ana")
		pg, err = env.App.Topics.Page(testutil.Ctx(), w.cleo.Viewer(), tp.ID, 1)
		testutil.Must(t, err, "page again")
		a = pg.Posts[0].Author
		if a.Name() != "Ana B." || a.TrustLevel != 3 || a.Reputation != 42 || a.TopicsCount != full.TopicsCount || a.PostsCount != 9 ||
			a.ReactionsReceived != 7 || a.AcceptedAnswers != 2 || a.LastSeenAt == nil || !a.CreatedAt.Equal(full.CreatedAt) || a.Role != full.Role {
			t.Errorf("the page's author is %+v, the member %+v", a, full)
		}
	})
}

// Replies written at the same moment (on SQLite, committed together, see
// db.Group) all land, each with the number it was told, numbered without a
// gap, and the counts add up; a reply refused among them is refused alone.
func TestConcurrentReplies(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp := w.start(t, w.ana, w.general, "Many answers at once", topic.KindDiscussion)
		before := userRow(t, env, w.boris.ID).PostsCount + userRow(t, env, w.cleo.ID).PostsCount
		cat0 := categoryPosts(t, env, w.general.ID)
		const n = 12
		type res struct {
			p   *topic.Post
			err error
		}
		out := make([]res, n+1)
		var wg sync.WaitGroup
		for i := 0; i <= n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				by, body := w.boris, fmt.Sprintf("Answer number %d, written at the same time as the others.", i)
				if i%2 == 1 {
					by = w.cleo
				}
				if i == n {
					body = " " // refused: empty
				}
				_, p, err := env.App.Topics.Reply(ctx, by.Viewer(), tp.ID, topic.ReplyInput{Body: body})
				out[i] = res{p, err}
			}()
		}
		wg.Wait()
		if !errors.Is(out[n].err, errs.Invalid) {
			t.Errorf("empty reply: %v, want a validation error", out[n].err)
		}
		numbers := map[int]bool{}
		for i, r := range out[:n] {
			if r.err != nil {
				t.Fatalf("reply %d: %v", i, r.err)
			}
			stored, err := env.App.Topics.Store().Post(ctx, r.p.ID)
			testutil.Must(t, err, "reload reply %d", i)
			if stored.Number != r.p.Number || numbers[r.p.Number] {
				t.Errorf("reply %d: told number %d, stored %d (seen before: %v)", i, r.p.Number, stored.Number, numbers[r.p.Number])
			}
			numbers[r.p.Number] = true
		}
		for k := 2; k <= n+1; k++ {
			if !numbers[k] {
				t.Errorf("no reply numbered %d: %v", k, numbers)
			}
		}
		got := reload(t, env, tp.ID)
		if got.RepliesCount != n || got.HighestNumber != n+1 {
			t.Errorf("topic: replies %d, highest number %d; want %d, %d", got.RepliesCount, got.HighestNumber, n, n+1)
		}
		if after := userRow(t, env, w.boris.ID).PostsCount + userRow(t, env, w.cleo.ID).PostsCount; after-before != n {
			t.Errorf("members' posts counted %d more, want %d", after-before, n)
		}
		if c := categoryPosts(t, env, w.general.ID); c-cat0 != n {
			t.Errorf("category's posts counted %d more, want %d", c-cat0, n)
		}
	})
}

func categoryPosts(t *testing.T, env *testutil.Env, id int64) int {
	t.Helper()
	var n int
	testutil.Must(t, env.App.DB.Raw("SELECT posts_count FROM categories WHERE id = ?", id).Scan(&n).Error, "category count")
	return n
}

// A member's reactions and bookmarks show on the posts they belong to, on
// whichever page, and on the accepted answer shown under the question from
// another page; never on other posts, and never as someone else's.
func TestOwnMarksOnPages(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp := w.start(t, w.ana, w.general, "Which lens for birds?", topic.KindQuestion)
		var posts []*topic.Post
		for i := 2; i <= 45; i++ {
			posts = append(posts, w.reply(t, w.boris, tp, fmt.Sprintf("Answer number %d", i)))
		}
		per := env.App.Topics.PostsPerPage()
		answer := posts[per+3] // on the second page
		_, err := env.App.Topics.Accept(ctx, w.ana.Viewer(), tp.ID, answer.ID)
		testutil.Must(t, err, "accept")
		onFirst, onThird := posts[3], posts[2*per+1]
		for _, p := range []*topic.Post{onFirst, onThird, answer} {
			_, err := env.App.Topics.React(ctx, w.cleo.Viewer(), p.ID, "like")
			testutil.Must(t, err, "react")
		}
		testutil.Must(t, env.App.Topics.Bookmark(ctx, w.cleo.Viewer(), onThird.ID, true), "bookmark")
		testutil.Must(t, env.App.Topics.Bookmark(ctx, w.cleo.Viewer(), answer.ID, true), "bookmark")
		// ana reacts too: hers are not cleo's.
		_, err = env.App.Topics.React(ctx, w.ana.Viewer(), posts[5].ID, "heart")
		testutil.Must(t, err, "react")

		marks := func(v *auth.Viewer, from int) (map[int64]string, *topic.PostView) {
			t.Helper()
			pg, err := env.App.Topics.Page(ctx, v, tp.ID, from)
			testutil.Must(t, err, "page from %d", from)
			got := map[int64]string{}
			for _, pv := range pg.Posts {
				if pv.Mine["like"] || pv.Mine["heart"] || pv.Bookmarked {
					got[pv.ID] = fmt.Sprintf("like=%v heart=%v bookmarked=%v", pv.Mine["like"], pv.Mine["heart"], pv.Bookmarked)
				}
			}
			return got, pg.Accepted
		}
		want := func(from int, m map[int64]string) {
			t.Helper()
			got, acc := marks(w.cleo.Viewer(), from)
			if fmt.Sprint(got) != fmt.Sprint(m) {
				t.Errorf("cleo's marks on the page from %d: %v, want %v", from, got, m)
			}
			// The first page shows the accepted answer under the question.
			if from == 1 && (acc == nil || !acc.Mine["like"] || !acc.Bookmarked) {
				t.Errorf("the accepted answer under the question does not show cleo's like and bookmark: %+v", acc)
			}
		}
		want(1, map[int64]string{onFirst.ID: "like=true heart=false bookmarked=false"})
		want(per+1, map[int64]string{answer.ID: "like=true heart=false bookmarked=true"})
		want(2*per+1, map[int64]string{onThird.ID: "like=true heart=false bookmarked=true"})
		if got, acc := marks(w.boris.Viewer(), 1); len(got) != 0 || acc.Mine["like"] || acc.Bookmarked {
			t.Errorf("boris sees marks that are not his: %v, accepted %+v", got, acc)
		}
	})
}

// How far a member read is kept in memory and written about every second:
// their pages and lists see it at once, the database once flushed, and a
// mark never goes back.
func TestReadMarksFlushed(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp := w.start(t, w.ana, w.general, "Read me in two pages", topic.KindDiscussion)
		for i := 2; i <= 30; i++ {
			w.reply(t, w.boris, tp, fmt.Sprintf("Reply number %d", i))
		}
		per := env.App.Topics.PostsPerPage()
		stored := func() int {
			t.Helper()
			var n []int
			testutil.Must(t, env.App.DB.Raw("SELECT last_number FROM topic_reads WHERE user_id = ? AND topic_id = ?", w.cleo.ID, tp.ID).Scan(&n).Error, "read mark")
			if len(n) == 0 {
				return 0
			}
			return n[0]
		}
		unread := func() int {
			t.Helper()
			list, err := env.App.Topics.List(ctx, w.cleo.Viewer(), topic.ListQuery{})
			testutil.Must(t, err, "list")
			for _, it := range list.Items {
				if it.ID == tp.ID {
					return it.Unread
				}
			}
			t.Fatal("the topic is not listed")
			return 0
		}
		if n := unread(); n != -1 {
			t.Errorf("before cleo opens it, unread = %d, want -1 (never opened)", n)
		}
		_, err := env.App.Topics.Page(ctx, w.cleo.Viewer(), tp.ID, per+1)
		testutil.Must(t, err, "page 2")
		if n := stored(); n != 0 {
			t.Errorf("read mark written at once (%d): want it kept for the next flush", n)
		}
		// Her own pages and lists already know.
		if n := unread(); n != 0 {
			t.Errorf("after reading to the end, unread = %d, want 0", n)
		}
		pg, err := env.App.Topics.Page(ctx, w.cleo.Viewer(), tp.ID, 1)
		testutil.Must(t, err, "page 1")
		if pg.LastRead != 30 {
			t.Errorf("page 1 after page 2: last read %d, want 30", pg.LastRead)
		}
		testutil.Must(t, env.App.Topics.FlushReadMarks(ctx), "flush")
		if n := stored(); n != 30 {
			t.Errorf("after the flush, the stored mark is %d, want 30 (reading page 1 again does not take it back)", n)
		}
		// New posts: the mark shows them unread, and a flush with nothing
		// new writes nothing.
		w.reply(t, w.boris, tp, "Reply number 31")
		testutil.Must(t, env.App.Topics.FlushReadMarks(ctx), "flush nothing")
		if n := unread(); n != 1 {
			t.Errorf("after a new reply, unread = %d, want 1", n)
		}
		pg, err = env.App.Topics.Page(ctx, w.cleo.Viewer(), tp.ID, per+1)
		testutil.Must(t, err, "page 2 again")
		if pg.LastRead != 30 || !pg.FirstNew(31) {
			t.Errorf("page 2 again: last read %d, want 30 with post 31 new", pg.LastRead)
		}
		testutil.Must(t, env.App.Topics.FlushReadMarks(ctx), "flush")
		if n := stored(); n != 31 {
			t.Errorf("stored mark %d, want 31", n)
		}
	})
}
