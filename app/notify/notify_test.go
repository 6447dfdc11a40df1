package notify_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/event"
	"causerie/app/notify"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
)

var ctx = testutil.Ctx()

type world struct {
	env                            *testutil.Env
	admin, mod, ana, bo, cleo, dan *user.User
	general, private               *category.Category
}

func setup(t *testing.T, env *testutil.Env) *world {
	t.Helper()
	w := &world{env: env}
	w.admin = env.UserWithRole(t, "root_admin", "admin")
	w.mod = env.UserWithRole(t, "maud", "moderator")
	w.ana, w.bo, w.cleo, w.dan = env.Member(t, "ana"), env.Member(t, "boris"), env.Member(t, "cleo"), env.Member(t, "dan")
	var err error
	w.general, err = env.App.Categories.ReadableByID(ctx, &auth.Viewer{}, 1)
	testutil.Must(t, err, "general category")
	w.private, err = env.App.Categories.Create(ctx, w.admin.Viewer(), category.Input{Name: "Team room",
		Read: []string{"moderator"}, Start: []string{"moderator"}, Reply: []string{"moderator"}})
	testutil.Must(t, err, "private category")
	w.drain(t) // the periodic jobs' first run, before anything happens
	return w
}

// drain runs the due jobs. The badges and trust levels that app/reputation
// grants as things happen are left out of these tests about discussions:
// TestStandingEvents covers them.
func (w *world) drain(t *testing.T) {
	t.Helper()
	testutil.Must(t, w.env.App.Jobs.Drain(ctx), "drain jobs")
	testutil.Must(t, w.env.App.DB.Exec(`DELETE FROM notifications WHERE kind IN ('badge', 'trust')`).Error, "forget badges")
}

func (w *world) start(t *testing.T, by *user.User, cat *category.Category, title, kind, body string) (*topic.Topic, *topic.Post) {
	t.Helper()
	tp, p, err := w.env.App.Topics.Create(ctx, by.Viewer(), topic.NewTopic{CategoryID: cat.ID, Title: title, Body: body, Kind: kind})
	testutil.Must(t, err, "start %q", title)
	return tp, p
}

func (w *world) reply(t *testing.T, by *user.User, tp *topic.Topic, to int, body string) *topic.Post {
	t.Helper()
	_, p, err := w.env.App.Topics.Reply(ctx, by.Viewer(), tp.ID, topic.ReplyInput{Body: body, ReplyTo: to})
	testutil.Must(t, err, "reply")
	return p
}

// notes lists a member's notifications, oldest first.
func (w *world) notes(t *testing.T, u *user.User) []notify.Notification {
	t.Helper()
	var ns []notify.Notification
	testutil.Must(t, w.env.App.DB.Where("user_id = ?", u.ID).Order("id").Find(&ns).Error, "notifications of %s", u.Username)
	return ns
}

// kinds sums up notifications as "kind:post" strings.
func kinds(ns []notify.Notification) []string {
	out := []string{}
	for _, n := range ns {
		var post int64
		if n.PostID != nil {
			post = *n.PostID
		}
		out = append(out, fmt.Sprintf("%s:%d", n.Kind, post))
	}
	return out
}

func wantKinds(t *testing.T, w *world, u *user.User, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got := kinds(w.notes(t, u)); !slices.Equal(got, want) {
		t.Errorf("%s's notifications = %v, want %v", u.Username, got, want)
	}
}

func k(kind string, p *topic.Post) string { return fmt.Sprintf("%s:%d", kind, p.ID) }

func (w *world) publish(t *testing.T, e event.Event) {
	t.Helper()
	testutil.Must(t, w.env.App.DB.Transaction(func(tx *gorm.DB) error { return w.env.App.Events.PublishTx(ctx, tx, e) }), "publish")
	testutil.Must(t, w.env.App.Jobs.Drain(ctx), "drain jobs")
}

func (w *world) republish(t *testing.T, e event.Event) {
	t.Helper()
	w.publish(t, e)
	w.drain(t)
}

// Replies, mentions, quotes, reactions and accepted answers reach the right
// members, once each, and nobody hears about their own doing.
func TestWhoIsNotified(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		q, first := w.start(t, w.ana, w.general, "Which router should I buy?", topic.KindQuestion, "Looking for advice, @ana here.")
		w.drain(t)
		wantKinds(t, w, w.ana) // her own mention of herself is nothing

		// A reply to the topic answers its author; a mention reaches cleo.
		r1 := w.reply(t, w.bo, q, 0, "Ask @cleo, she knows routers. And @boris agrees.")
		w.drain(t)
		wantKinds(t, w, w.ana, k("reply", r1))
		wantKinds(t, w, w.cleo, k("mention", r1))
		wantKinds(t, w, w.bo)

		// A reply to bo's post quoting ana: bo hears of the reply, ana of
		// the quote (once, though she also watches the topic she started).
		quote, err := env.App.Topics.Quote(ctx, w.cleo.Viewer(), q.ID, 1)
		testutil.Must(t, err, "quote")
		r2 := w.reply(t, w.cleo, q, r1.Number, quote+"I agree with boris.")
		w.drain(t)
		wantKinds(t, w, w.bo, k("reply", r2))
		wantKinds(t, w, w.ana, k("reply", r1), k("quote", r2))
		wantKinds(t, w, w.cleo, k("mention", r1))

		// Posting made bo and cleo watch: dan's reply reaches all three.
		r3 := w.reply(t, w.dan, q, 0, "Any brand will do.")
		w.drain(t)
		wantKinds(t, w, w.ana, k("reply", r1), k("quote", r2), k("reply", r3))
		wantKinds(t, w, w.bo, k("reply", r2), k("post", r3))
		wantKinds(t, w, w.cleo, k("mention", r1), k("post", r3))

		// Reactions to one post collapse into one unread notification.
		for _, by := range []*user.User{w.bo, w.cleo} {
			_, err := env.App.Topics.React(ctx, by.Viewer(), first.ID, "like")
			testutil.Must(t, err, "react")
		}
		w.drain(t)
		items, _, err := env.App.Notify.List(ctx, w.ana.Viewer(), notify.ListQuery{})
		testutil.Must(t, err, "list")
		if items[0].Kind != "reaction" || items[0].Others != 1 || items[0].Actor.ID != w.cleo.ID {
			t.Errorf("newest notification = %s by %v and %d others, want a reaction by cleo and 1 other", items[0].Kind, items[0].Actor, items[0].Others)
		}
		if got := items[0].Describe(env.App.Bundle.For("en")); got != "cleo and one other member reacted to your post" {
			t.Errorf("reaction text = %q", got)
		}
		wantKinds(t, w, w.ana, k("reply", r1), k("quote", r2), k("reply", r3), k("reaction", first))
		// Once it is read, the next reaction starts a new one.
		testutil.Must(t, env.App.Notify.MarkAllRead(ctx, w.ana.Viewer()), "mark read")
		_, err = env.App.Topics.React(ctx, w.dan.Viewer(), first.ID, "thanks")
		testutil.Must(t, err, "react")
		w.drain(t)
		wantKinds(t, w, w.ana, k("reply", r1), k("quote", r2), k("reply", r3), k("reaction", first), k("reaction", first))

		// The asker accepts bo's answer: bo is told, the asker is not.
		_, err = env.App.Topics.Accept(ctx, w.ana.Viewer(), q.ID, r1.ID)
		testutil.Must(t, err, "accept")
		w.drain(t)
		wantKinds(t, w, w.bo, k("reply", r2), k("post", r3), k("accepted", r1))

		// Nobody is ever told about their own doing.
		var own int64
		env.App.DB.Model(&notify.Notification{}).Where("user_id = actor_id").Count(&own)
		if own != 0 {
			t.Errorf("%d notifications about the member's own doing", own)
		}

		// Running a job again adds nothing.
		before := map[string][]string{}
		for _, u := range []*user.User{w.ana, w.bo, w.cleo, w.dan} {
			before[u.Username] = kinds(w.notes(t, u))
		}
		w.republish(t, event.PostCreated{PostID: r1.ID, TopicID: q.ID, UserID: w.bo.ID, Number: r1.Number, Mentions: []string{"cleo"}})
		w.republish(t, event.PostCreated{PostID: r2.ID, TopicID: q.ID, UserID: w.cleo.ID, Number: r2.Number, ReplyToUserID: w.bo.ID, Quotes: []int64{first.ID}})
		w.republish(t, event.ReactionAdded{PostID: first.ID, TopicID: q.ID, UserID: w.cleo.ID, AuthorID: w.ana.ID, Kind: "like"})
		w.republish(t, event.ReactionAdded{PostID: first.ID, TopicID: q.ID, UserID: w.dan.ID, AuthorID: w.ana.ID, Kind: "thanks"})
		w.republish(t, event.AnswerAccepted{PostID: r1.ID, TopicID: q.ID, UserID: w.ana.ID, AuthorID: w.bo.ID})
		for _, u := range []*user.User{w.ana, w.bo, w.cleo, w.dan} {
			if got := kinds(w.notes(t, u)); !slices.Equal(got, before[u.Username]) {
				t.Errorf("after the jobs ran again, %s has %v, want %v", u.Username, got, before[u.Username])
			}
		}
		ns := w.notes(t, w.ana)
		if n := ns[3]; len(n.Data) == 0 || n.ReadAt == nil {
			t.Errorf("the read reaction notification changed: %+v", n)
		}
	})
}

// Muting, private categories and moderation keep notifications away.
func TestWhoIsNotNotified(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, _ := w.start(t, w.ana, w.general, "Weekend plans for the club", topic.KindDiscussion, "Who is coming on Saturday?")
		me := w.reply(t, w.cleo, tp, 0, "Me!")
		w.drain(t)
		// cleo mutes the topic: not even a mention reaches her.
		_, err := env.App.Notify.WatchTopic(ctx, w.cleo.Viewer(), tp.ID, notify.LevelMuted)
		testutil.Must(t, err, "mute")
		r := w.reply(t, w.bo, tp, 2, "@cleo are you bringing the cake?")
		w.drain(t)
		wantKinds(t, w, w.cleo)
		wantKinds(t, w, w.ana, k("reply", me), k("post", r))

		// A mention in a category ana cannot read: nothing for her; the
		// administrator, who can, is told.
		_, secret := w.start(t, w.mod, w.private, "Spam wave on Monday", topic.KindDiscussion, "Heads up @ana and @root_admin.")
		w.drain(t)
		wantKinds(t, w, w.ana, k("reply", me), k("post", r))
		wantKinds(t, w, w.admin, k("mention", secret))

		// A post hidden before its job runs is never notified.
		hidden := w.reply(t, w.dan, tp, 0, "Ping @boris, look at my shop!")
		testutil.Must(t, env.App.DB.Exec(`UPDATE posts SET state = 'hidden' WHERE id = ?`, hidden.ID).Error, "hide")
		w.drain(t)
		wantKinds(t, w, w.bo)
		wantKinds(t, w, w.ana, k("reply", me), k("post", r))

		// A category watch tells of every new topic; a topic level beats it.
		_, err = env.App.Notify.WatchCategory(ctx, w.dan.Viewer(), w.general.Slug, notify.LevelWatching)
		testutil.Must(t, err, "watch category")
		t2, p2 := w.start(t, w.bo, w.general, "A second topic to watch", topic.KindDiscussion, "Hello there")
		w.drain(t)
		wantKinds(t, w, w.dan, k("topic", p2))
		_, err = env.App.Notify.WatchTopic(ctx, w.dan.Viewer(), t2.ID, notify.LevelTracking)
		testutil.Must(t, err, "track")
		w.reply(t, w.cleo, t2, 0, "Hello back")
		w.drain(t)
		wantKinds(t, w, w.dan, k("topic", p2))
		for _, tc := range []struct {
			topicID int64
			want    string
		}{{t2.ID, "tracking"}, {tp.ID, "watching"}, {0, "watching"}} {
			if got, _ := env.App.Notify.WatchLevel(ctx, w.dan.Viewer(), tc.topicID, w.general.ID); got != tc.want {
				t.Errorf("dan's level for topic %d = %q, want %q", tc.topicID, got, tc.want)
			}
		}
		if _, err := env.App.Notify.WatchTopic(ctx, w.ana.Viewer(), secret.TopicID, notify.LevelWatching); err == nil {
			t.Error("ana watched a topic she cannot read")
		}
		if _, err := env.App.Notify.WatchTopic(ctx, w.ana.Viewer(), tp.ID, "loud"); err == nil {
			t.Error("an unknown level was accepted")
		}
	})
}

// Badges and trust levels, published by other domains, reach the member
// once.
func TestStandingEvents(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		w.publish(t, event.BadgeGranted{UserID: w.ana.ID, Badge: "First post"})
		w.publish(t, event.BadgeGranted{UserID: w.ana.ID, Badge: "First post"})
		w.publish(t, event.TrustLevelChanged{UserID: w.ana.ID, Level: 2})
		w.publish(t, event.BadgeGranted{UserID: 999999, Badge: "Ghost"})
		wantKinds(t, w, w.ana, "badge:0", "trust:0")
		items, _, err := env.App.Notify.List(ctx, w.ana.Viewer(), notify.ListQuery{})
		testutil.Must(t, err, "list")
		if len(items) != 2 {
			t.Fatalf("ana has %d notifications, want 2", len(items))
		}
		fr := env.App.Bundle.For("fr")
		if got := items[1].Describe(fr); got != "Vous avez obtenu le badge «\u202fFirst post\u202f»." {
			t.Errorf("badge text = %q", got)
		}
		if got := items[0].Describe(fr); got != "Votre niveau de confiance est maintenant 2." || items[0].URL() != "/account" {
			t.Errorf("trust text = %q, url %s", got, items[0].URL())
		}
	})
}

// What a member may no longer read drops out of their list and count,
// though the notification was right when it was made.
func TestLostAccess(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		club, err := env.App.Categories.Create(ctx, w.admin.Viewer(), category.Input{Name: "Club house"})
		testutil.Must(t, err, "category")
		tp, _ := w.start(t, w.ana, club, "Club house rules, please read", topic.KindDiscussion, "Be nice.")
		pub, _ := w.start(t, w.bo, w.general, "Public topic for everyone", topic.KindDiscussion, "Hello @ana")
		w.reply(t, w.bo, tp, 0, "Noted, thanks")
		w.drain(t)
		c := env.Client()
		c.Login(t, "ana")
		count := func() int {
			t.Helper()
			n, err := env.App.Notify.Unread(ctx, w.ana.Viewer())
			testutil.Must(t, err, "unread")
			// The header of a topic page, counted with the page's own
			// statement, and of the latest list, counted on its own, agree.
			bell := fmt.Sprintf(`<span class="bell-count" aria-hidden="true">%d</span>`, n)
			for _, path := range []string{pub.URL(), "/latest"} {
				if body := c.Get(t, path).Body; !strings.Contains(body, bell) {
					t.Errorf("%s: the header does not count %d unread", path, n)
				}
			}
			return n
		}
		if n := count(); n != 2 {
			t.Fatalf("unread = %d, want 2", n)
		}
		_, err = env.App.Categories.Update(ctx, w.admin.Viewer(), club.ID, category.Input{Name: "Club house", Slug: club.Slug,
			Read: []string{"moderator"}, Start: []string{"moderator"}, Reply: []string{"moderator"}})
		testutil.Must(t, err, "close the category")
		items, _, err := env.App.Notify.List(ctx, w.ana.Viewer(), notify.ListQuery{})
		testutil.Must(t, err, "list")
		if n := count(); n != 1 || len(items) != 1 || items[0].Kind != "mention" {
			t.Errorf("after losing access: unread %d, list %d items", n, len(items))
		}
		var page apiPage
		getJSON(t, c, "/api/v1/notifications", &page)
		if len(page.Notifications) != 1 || page.UnreadCount != 1 {
			t.Errorf("API after losing access: %+v", page)
		}
		var hidden []int64
		env.App.DB.Model(&notify.Notification{}).Where("user_id = ? AND topic_id = ?", w.ana.ID, tp.ID).Pluck("id", &hidden)
		if len(hidden) != 1 {
			t.Fatalf("the club notification should still be stored: %v", hidden)
		}
		if res := c.Get(t, fmt.Sprintf("/notifications/%d", hidden[0])); res.StatusCode != 404 {
			t.Errorf("opening a notification of a lost topic = %d, want 404", res.StatusCode)
		}
	})
}

// Posts whose jobs run together (a worker takes them in one batch) tell
// the same members as posts whose jobs run one by one: a poster watches
// the topic from their post on, also for the next posts of the batch.
func TestPostsTogether(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		q, _ := w.start(t, w.ana, w.general, "Which cable for the hub?", topic.KindDiscussion, "Any cable works, or not?")
		r1 := w.reply(t, w.bo, q, 0, "The one in the box is fine.")
		r2 := w.reply(t, w.cleo, q, 0, "Mine came without one.")
		r3 := w.reply(t, w.dan, q, r2.Number, "Then any USB-C cable will do.")
		w.drain(t) // all four posts' jobs at once
		wantKinds(t, w, w.ana, k("reply", r1), k("reply", r2), k("post", r3))
		wantKinds(t, w, w.bo, k("post", r2), k("post", r3))
		wantKinds(t, w, w.cleo, k("reply", r3))
		wantKinds(t, w, w.dan)
	})
}

// The header's count stops at 100 ("99+"), however many are unread, and
// counts exactly below that.
func TestUnreadCountCapped(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		add := func(n int) {
			t.Helper()
			for i := 0; i < n; i++ {
				testutil.Must(t, env.App.DB.Create(&notify.Notification{UserID: w.ana.ID, Kind: notify.KindBadge,
					DedupKey: fmt.Sprintf("cap-%d-%d", n, i), Data: "{}", CreatedAt: time.Now().UTC()}).Error, "notification")
			}
		}
		for _, step := range []struct{ add, want int }{{3, 3}, {96, 99}, {1, 100}, {5, 100}} {
			add(step.add)
			got, err := env.App.Notify.Unread(ctx, w.ana.Viewer())
			testutil.Must(t, err, "unread")
			if got != step.want {
				t.Errorf("unread: %d, want %d", got, step.want)
			}
		}
	})
}

// A batch of posts in several topics and categories tells each member what
// one post at a time would: the watches of one topic (a mute, a category's
// watch) do not spill onto another topic of the batch, and a post in a
// category a member cannot read tells them nothing.
func TestPostsTogetherAcrossTopics(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		muted, _ := w.start(t, w.ana, w.general, "Muted by cleo, watched by dan", topic.KindDiscussion, "First post here.")
		open, _ := w.start(t, w.bo, w.general, "Watched through the category", topic.KindDiscussion, "Another first post.")
		team, _ := w.start(t, w.mod, w.private, "Team only, watched by dan", topic.KindDiscussion, "Staff talk.")
		w.drain(t)
		_, err := env.App.Notify.WatchTopic(ctx, w.cleo.Viewer(), muted.ID, notify.LevelMuted)
		testutil.Must(t, err, "mute")
		_, err = env.App.Notify.WatchCategory(ctx, w.cleo.Viewer(), w.general.Slug, notify.LevelWatching)
		testutil.Must(t, err, "watch general")
		_, err = env.App.Notify.WatchTopic(ctx, w.dan.Viewer(), muted.ID, notify.LevelWatching)
		testutil.Must(t, err, "watch topic")
		_, err = env.App.Notify.WatchCategory(ctx, w.dan.Viewer(), w.private.Slug, notify.LevelWatching)
		if err == nil {
			t.Fatal("dan may not watch a category he cannot read")
		}
		testutil.Must(t, env.App.DB.Exec(`DELETE FROM notifications`).Error, "forget")
		r1 := w.reply(t, w.bo, muted, 0, "A reply in the muted topic.")
		r2 := w.reply(t, w.ana, open, 0, "A reply in the open topic.")
		r3 := w.reply(t, w.mod, team, 0, "Team reply, @dan cannot read it.")
		r4 := w.reply(t, w.cleo, open, r2.Number, "Cleo answers ana.")
		w.drain(t) // the four posts' jobs at once
		wantKinds(t, w, w.ana, k("reply", r1), k("reply", r4))
		wantKinds(t, w, w.bo, k("reply", r2), k("post", r4))
		wantKinds(t, w, w.cleo, k("post", r2))
		wantKinds(t, w, w.dan, k("post", r1))
		wantKinds(t, w, w.mod)
		_ = r3
	})
}

// The level a member sees for a topic is their most precise watch: the
// topic's own, then its category's, then the parent category's; with none,
// normal. Others' watches do not count.
func TestWatchLevelPrecedence(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		sub, err := env.App.Categories.Create(ctx, w.admin.Viewer(), category.Input{Name: "Bikes", ParentID: &w.general.ID})
		testutil.Must(t, err, "subcategory")
		tp, _ := w.start(t, w.ana, sub, "Which saddle for long rides?", topic.KindQuestion, "Mine hurts after an hour.")
		level := func(topicID int64) string {
			t.Helper()
			got, err := env.App.Notify.WatchLevel(ctx, w.dan.Viewer(), topicID, sub.ID)
			testutil.Must(t, err, "watch level")
			return got
		}
		dan := env.Client()
		dan.Login(t, w.dan.Username)
		if body := dan.Get(t, tp.URL()).Body; !strings.Contains(body, `<option value="normal" selected>`) {
			t.Errorf("with no watch, dan's topic page does not show normal selected")
		}
		// Someone else's watches are not dan's.
		_, err = env.App.Notify.WatchTopic(ctx, w.cleo.Viewer(), tp.ID, notify.LevelWatching)
		testutil.Must(t, err, "cleo watches")
		if got := level(tp.ID); got != notify.LevelNormal {
			t.Errorf("with no watch of his, dan's level = %q, want normal", got)
		}
		steps := []struct {
			set       func() error
			topic, in string // the level for the topic, and for the category (topic 0)
		}{
			{func() error {
				_, err := env.App.Notify.WatchCategory(ctx, w.dan.Viewer(), w.general.Slug, notify.LevelMuted)
				return err
			}, notify.LevelMuted, notify.LevelMuted},
			{func() error {
				_, err := env.App.Notify.WatchCategory(ctx, w.dan.Viewer(), sub.Slug, notify.LevelWatching)
				return err
			}, notify.LevelWatching, notify.LevelWatching},
			{func() error {
				_, err := env.App.Notify.WatchTopic(ctx, w.dan.Viewer(), tp.ID, notify.LevelTracking)
				return err
			}, notify.LevelTracking, notify.LevelWatching},
		}
		for i, st := range steps {
			testutil.Must(t, st.set(), "step %d", i)
			if got := level(tp.ID); got != st.topic {
				t.Errorf("step %d: dan's level for the topic = %q, want %q", i, got, st.topic)
			}
			if got := level(0); got != st.in {
				t.Errorf("step %d: dan's level for the category = %q, want %q", i, got, st.in)
			}
			// The topic page reads it with dan's own marks: its watch form
			// shows the same.
			if body := dan.Get(t, tp.URL()).Body; !strings.Contains(body, `<option value="`+st.topic+`" selected>`) {
				t.Errorf("step %d: dan's topic page does not show %q selected in its watch form", i, st.topic)
			}
		}
	})
}
