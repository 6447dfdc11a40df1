package reputation_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/config"
	"causerie/app/event"
	"causerie/app/reputation"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
)

var ctx = testutil.Ctx()

type world struct {
	env                *testutil.Env
	rep                *reputation.Service
	mod, ana, bo, cleo *user.User
	general            *category.Category
	badges             *counter
	levels             *counter
}

// counter counts the events a test subscriber received, by key.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[k]++
}

func (c *counter) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[k]
}

func setup(t *testing.T, env *testutil.Env) *world {
	t.Helper()
	w := &world{env: env, rep: env.App.Reputation, badges: &counter{n: map[string]int{}}, levels: &counter{n: map[string]int{}}}
	w.mod = env.UserWithRole(t, "maud", "moderator")
	w.ana, w.bo, w.cleo = env.Newcomer(t, "ana"), env.Newcomer(t, "boris"), env.Newcomer(t, "cleo")
	var err error
	w.general, err = env.App.Categories.ReadableByID(ctx, &auth.Viewer{}, 1)
	testutil.Must(t, err, "general category")
	// What notifications would receive: each grant and promotion once.
	event.Subscribe(env.App.Events, "test", func(_ context.Context, e event.BadgeGranted) error {
		w.badges.add(fmt.Sprintf("%d:%s", e.UserID, e.Badge))
		return nil
	})
	event.Subscribe(env.App.Events, "test", func(_ context.Context, e event.TrustLevelChanged) error {
		w.levels.add(fmt.Sprintf("%d:%d", e.UserID, e.Level))
		return nil
	})
	return w
}

func (w *world) ask(t *testing.T, by *user.User, title string) *topic.Topic {
	t.Helper()
	tp, _, err := w.env.App.Topics.Create(ctx, by.Viewer(), topic.NewTopic{CategoryID: w.general.ID, Title: title, Body: "Hello, this is " + title, Kind: topic.KindQuestion})
	testutil.Must(t, err, "ask %q", title)
	return tp
}

func (w *world) reply(t *testing.T, by *user.User, tp *topic.Topic, body string) *topic.Post {
	t.Helper()
	_, p, err := w.env.App.Topics.Reply(ctx, by.Viewer(), tp.ID, topic.ReplyInput{Body: body})
	testutil.Must(t, err, "reply")
	return p
}

func (w *world) react(t *testing.T, by *user.User, p *topic.Post, kind string) {
	t.Helper()
	_, err := w.env.App.Topics.React(ctx, by.Viewer(), p.ID, kind)
	testutil.Must(t, err, "%s reacts %s", by.Username, kind)
}

func (w *world) unreact(t *testing.T, by *user.User, p *topic.Post, kind string) {
	t.Helper()
	_, err := w.env.App.Topics.Unreact(ctx, by.Viewer(), p.ID, kind)
	testutil.Must(t, err, "%s takes %s back", by.Username, kind)
}

func (w *world) accept(t *testing.T, by *user.User, tp *topic.Topic, postID int64) {
	t.Helper()
	_, err := w.env.App.Topics.Accept(ctx, by.Viewer(), tp.ID, postID)
	testutil.Must(t, err, "accept")
}

// drain runs the jobs the changes enqueued (the periodic ones too, the
// first time).
func (w *world) drain(t *testing.T) {
	t.Helper()
	testutil.Must(t, w.env.App.Jobs.Drain(ctx), "drain jobs")
}

func (w *world) user(t *testing.T, u *user.User) *user.User {
	t.Helper()
	got, err := w.env.App.Users.Store().Get(ctx, u.ID)
	testutil.Must(t, err, "reload %s", u.Username)
	return got
}

// wantPoints checks a member's running total, and that it is the sum of
// their reputation events.
func (w *world) wantPoints(t *testing.T, u *user.User, want int, when string) {
	t.Helper()
	got := w.user(t, u).Reputation
	sum, err := w.rep.Points(ctx, u.ID)
	testutil.Must(t, err, "points")
	if got != want || sum != want {
		t.Errorf("%s: %s has reputation %d (events sum to %d), want %d", when, u.Username, got, sum, want)
	}
}

func (w *world) events(t *testing.T) int64 {
	t.Helper()
	var n int64
	testutil.Must(t, w.env.App.DB.Model(&reputation.Event{}).Count(&n).Error, "count events")
	return n
}

// Points follow reactions (once per member, whatever the kinds), taken
// back with them; accepted answers earn their author points, which go when
// the mark moves or is taken away, and never for the asker's own answer;
// a deleted post loses its points and a restored one gets them back.
func TestPointsFollowReactionsAndAnswers(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		dan := env.Newcomer(t, "dan")
		q := w.ask(t, w.ana, "How do I reset the router?")
		answer := w.reply(t, w.bo, q, "Hold the reset button for ten seconds.")
		w.react(t, w.cleo, answer, "like")
		w.react(t, w.cleo, answer, "heart")
		w.drain(t)
		w.wantPoints(t, w.bo, 2, "two kinds of reaction from one member")
		w.react(t, dan, answer, "thanks")
		w.drain(t)
		w.wantPoints(t, w.bo, 4, "reactions from two members")
		w.unreact(t, w.cleo, answer, "like")
		w.drain(t)
		w.wantPoints(t, w.bo, 4, "one of two kinds taken back")
		w.unreact(t, w.cleo, answer, "heart")
		w.drain(t)
		w.wantPoints(t, w.bo, 2, "every reaction of a member taken back")

		w.accept(t, w.ana, q, answer.ID)
		w.drain(t)
		w.wantPoints(t, w.bo, 17, "accepted answer")
		w.wantPoints(t, w.ana, 0, "the asker")

		// Taking the mark away publishes nothing: the periodic check finds it.
		w.accept(t, w.ana, q, 0)
		w.drain(t)
		testutil.Must(t, w.rep.CheckAll(ctx), "periodic check")
		w.wantPoints(t, w.bo, 2, "answer no longer accepted")

		// The mark moves from one answer to another.
		other := w.reply(t, w.cleo, q, "Or unplug it for a minute.")
		w.accept(t, w.ana, q, answer.ID)
		w.drain(t)
		w.accept(t, w.ana, q, other.ID)
		w.drain(t)
		w.wantPoints(t, w.bo, 2, "the mark moved away")
		w.wantPoints(t, w.cleo, 15, "the mark moved here")

		// Askers earn nothing for accepting their own answer.
		own := w.ask(t, w.ana, "Why is the sky blue at noon?")
		mine := w.reply(t, w.ana, own, "Rayleigh scattering, I found out.")
		w.accept(t, w.ana, own, mine.ID)
		w.drain(t)
		w.wantPoints(t, w.ana, 0, "own answer accepted")

		// A deleted post loses its points (and its accepted mark, for good);
		// restored, it has its reactions' points again.
		w.react(t, dan, other, "like")
		w.drain(t)
		w.wantPoints(t, w.cleo, 17, "accepted and liked")
		testutil.Must(t, env.App.Topics.Delete(ctx, w.mod.Viewer(), other.ID), "delete")
		w.drain(t)
		w.wantPoints(t, w.cleo, 0, "deleted answer")
		testutil.Must(t, env.App.Topics.Restore(ctx, w.mod.Viewer(), other.ID), "restore")
		w.drain(t)
		w.wantPoints(t, w.cleo, 2, "restored answer")

		// The totals can be recomputed from the events, and come out the same.
		testutil.Must(t, env.App.DB.Exec(`UPDATE users SET reputation = 999`).Error, "spoil totals")
		testutil.Must(t, w.rep.RecomputeAll(ctx), "recompute all")
		for _, c := range []struct {
			u    *user.User
			want int
		}{{w.bo, 2}, {w.cleo, 2}, {w.ana, 0}, {dan, 0}, {w.mod, 0}} {
			w.wantPoints(t, c.u, c.want, "after RecomputeAll")
		}
		testutil.Must(t, env.App.DB.Exec(`UPDATE users SET reputation = 5 WHERE id = ?`, w.bo.ID).Error, "spoil one total")
		testutil.Must(t, w.rep.Recompute(ctx, w.bo.ID), "recompute")
		w.wantPoints(t, w.bo, 2, "after Recompute")
	})
}

// Points come from [reputation]; a reason worth 0 records nothing.
func TestPointsFromConfig(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		q := w.ask(t, w.ana, "Which cable for the printer?")
		answer := w.reply(t, w.bo, q, "A USB-B cable.")
		w.react(t, w.cleo, answer, "like")
		w.accept(t, w.ana, q, answer.ID)
		w.drain(t)
		w.wantPoints(t, w.bo, 7+0, "reaction 7, accepted answer 0")
		if n := w.events(t); n != 1 {
			t.Errorf("%d reputation events, want 1 (a reason worth 0 is not recorded)", n)
		}
	}, func(c *config.Config) { c.Reputation.ReactionReceived, c.Reputation.AnswerAccepted = 7, 0 })
}

// Jobs run again (a retry, two nodes, the periodic check) count nothing
// twice and tell nobody twice.
func TestRerunsDoNotDoubleCount(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		q := w.ask(t, w.ana, "Best way to store flour?")
		answer := w.reply(t, w.bo, q, "In a glass jar, somewhere cool.")
		w.react(t, w.cleo, answer, "like")
		w.accept(t, w.ana, q, answer.ID)
		w.drain(t)
		w.wantPoints(t, w.bo, 17, "first run")
		events := w.events(t)
		for i := range 3 {
			testutil.Must(t, w.rep.ReconcilePost(ctx, answer.ID), "reconcile post")
			testutil.Must(t, w.rep.ReconcileTopic(ctx, q.ID), "reconcile topic")
			testutil.Must(t, w.rep.CheckAll(ctx), "periodic check")
			testutil.Must(t, w.rep.ReconcileAll(ctx), "reconcile all")
			testutil.Must(t, w.rep.CheckBadges(ctx, w.bo.ID, answer.ID, reputation.BadgeFirstPost, reputation.BadgeWelcome), "check badges")
			testutil.Must(t, w.rep.EvaluateTrust(ctx), "evaluate trust")
			w.drain(t)
			w.wantPoints(t, w.bo, 17, fmt.Sprintf("run %d again", i+2))
		}
		if n := w.events(t); n != events {
			t.Errorf("reputation events went from %d to %d on reruns", events, n)
		}
		for _, b := range []string{reputation.BadgeFirstPost, reputation.BadgeWelcome, reputation.BadgeFirstAccepted} {
			if n := w.badges.get(fmt.Sprintf("%d:%s", w.bo.ID, b)); n != 1 {
				t.Errorf("badge %s was announced %d times, want once", b, n)
			}
		}
	})
}

// lowTrust makes trust levels reachable in a test: level 1 after a visit
// and one topic read, level 2 with a reaction received too; level 3 out of
// reach.
func lowTrust(c *config.Config) {
	t := &c.Trust
	t.TL1DaysVisited, t.TL1TopicsEntered, t.TL1PostsRead, t.TL1ReactionsReceived, t.TL1ReactionsGiven, t.TL1MaxFlagsAgainst = 1, 1, 1, 0, 0, 0
	t.TL2DaysVisited, t.TL2TopicsEntered, t.TL2PostsRead, t.TL2ReactionsReceived, t.TL2ReactionsGiven, t.TL2MaxFlagsAgainst = 1, 1, 2, 1, 0, 0
	t.TL3DaysVisited = 100
}

// The periodic job promotes members who meet a level's thresholds, tells
// them once, never demotes, and leaves locked levels alone; staff set and
// lock levels; the viewer carries the level to the authorizer.
func TestTrustPromotion(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp := w.ask(t, w.cleo, "Where do you buy rye flour?")
		w.reply(t, w.cleo, tp, "I mean in Lyon.")
		for _, u := range []*user.User{w.ana, w.bo} {
			testutil.Must(t, w.rep.RecordVisit(ctx, u.ID, time.Now()), "visit")
			_, err := env.App.Topics.Page(ctx, u.Viewer(), tp.ID, 1) // reading marks the topic read
			testutil.Must(t, err, "read")
		}
		// The server writes read marks every second; here, now.
		testutil.Must(t, env.App.Topics.FlushReadMarks(ctx), "write read marks")
		testutil.Must(t, w.rep.SetTrust(ctx, w.mod.Viewer(), w.bo.ID, auth.TrustNew, true), "lock boris at 0")
		if err := w.rep.SetTrust(ctx, w.ana.Viewer(), w.bo.ID, auth.TrustLeader, false); err == nil {
			t.Error("a member set someone's trust level")
		}
		if got := w.user(t, w.ana).Viewer(); auth.CanUpload(got) {
			t.Error("a new member may upload")
		}
		testutil.Must(t, w.rep.EvaluateTrust(ctx), "evaluate")
		testutil.Must(t, w.rep.EvaluateTrust(ctx), "evaluate again")
		w.drain(t)
		if got := w.user(t, w.ana); got.TrustLevel != auth.TrustBasic {
			t.Errorf("ana is at level %d, want 1", got.TrustLevel)
		} else if !auth.CanUpload(got.Viewer()) || !auth.CanFlag(got.Viewer()) || auth.CanRetag(got.Viewer()) {
			t.Errorf("ana at level 1: upload %v, flag %v, retag %v", auth.CanUpload(got.Viewer()), auth.CanFlag(got.Viewer()), auth.CanRetag(got.Viewer()))
		}
		if got := w.user(t, w.bo); got.TrustLevel != auth.TrustNew || !got.TrustLocked {
			t.Errorf("boris, locked at 0, is at level %d (locked %v)", got.TrustLevel, got.TrustLocked)
		}
		if n := w.levels.get(fmt.Sprintf("%d:1", w.ana.ID)); n != 1 {
			t.Errorf("ana was told of her promotion %d times, want once", n)
		}
		if n := w.levels.get(fmt.Sprintf("%d:1", w.bo.ID)); n != 0 {
			t.Errorf("boris, locked, was promoted")
		}

		// A reaction received lifts ana to level 2 (the thresholds chain).
		p := w.reply(t, w.ana, tp, "At the market on Saturdays.")
		w.react(t, w.cleo, p, "like")
		_, err := env.App.Topics.Page(ctx, w.ana.Viewer(), tp.ID, 1)
		testutil.Must(t, err, "read again")
		testutil.Must(t, w.rep.EvaluateTrust(ctx), "evaluate")
		if got := w.user(t, w.ana).TrustLevel; got != auth.TrustMember {
			t.Errorf("ana is at level %d, want 2", got)
		}

		// Staff lower a level by hand; the job does not promote a locked
		// member, and never demotes an unlocked one.
		testutil.Must(t, w.rep.SetTrust(ctx, w.mod.Viewer(), w.ana.ID, auth.TrustBasic, true), "lock ana at 1")
		testutil.Must(t, w.rep.EvaluateTrust(ctx), "evaluate")
		if got := w.user(t, w.ana).TrustLevel; got != auth.TrustBasic {
			t.Errorf("ana, locked at 1, is at level %d", got)
		}
		testutil.Must(t, w.rep.SetTrust(ctx, w.mod.Viewer(), w.cleo.ID, auth.TrustLeader, false), "make cleo a leader")
		testutil.Must(t, w.rep.EvaluateTrust(ctx), "evaluate")
		if got := w.user(t, w.cleo).TrustLevel; got != auth.TrustLeader {
			t.Errorf("cleo, a leader who does not meet level 1, is at level %d: the job must not demote", got)
		}
		if err := w.rep.SetTrust(ctx, w.mod.Viewer(), w.cleo.ID, 5, false); err == nil {
			t.Error("level 5 was accepted")
		}
	}, lowTrust)
}

// The periodic job runs through the queue on its schedule.
func TestTrustJobScheduled(t *testing.T) {
	env := testutil.New(t, lowTrust)
	w := setup(t, env)
	tp := w.ask(t, w.bo, "Scheduled promotions work?")
	testutil.Must(t, w.rep.RecordVisit(ctx, w.ana.ID, time.Now()), "visit")
	_, err := env.App.Topics.Page(ctx, w.ana.Viewer(), tp.ID, 1)
	testutil.Must(t, err, "read")
	testutil.Must(t, env.App.Topics.FlushReadMarks(ctx), "write read marks") // the server does every second
	w.drain(t)                                                               // the first Drain runs the periodic jobs
	if got := w.user(t, w.ana).TrustLevel; got != auth.TrustBasic {
		t.Errorf("after the queue ran, ana is at level %d, want 1", got)
	}
}

// Badges come with what earns them, once each, and the periodic sweep
// grants what no event announces (the anniversary).
func TestBadges(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		q := w.ask(t, w.ana, "First question of many")
		answer := w.reply(t, w.bo, q, "First answer of many.")
		w.react(t, w.cleo, answer, "like")
		w.react(t, w.cleo, answer, "heart")
		w.accept(t, w.ana, q, answer.ID)
		w.drain(t)
		has := func(u *user.User) map[string]bool {
			held, err := w.rep.UserBadges(ctx, u.ID)
			testutil.Must(t, err, "badges")
			m := map[string]bool{}
			for _, h := range held {
				m[h.Name] = true
			}
			return m
		}
		for _, c := range []struct {
			u       *user.User
			want    []string
			notWant []string
		}{
			{w.ana, []string{reputation.BadgeFirstPost}, []string{reputation.BadgeWelcome, reputation.BadgeFirstReaction}},
			{w.bo, []string{reputation.BadgeFirstPost, reputation.BadgeWelcome, reputation.BadgeFirstAccepted}, []string{reputation.BadgeHelpful, reputation.BadgeTenReactions}},
			{w.cleo, []string{reputation.BadgeFirstReaction}, []string{reputation.BadgeFirstPost}},
		} {
			got := has(c.u)
			for _, b := range c.want {
				if !got[b] {
					t.Errorf("%s lacks %s", c.u.Username, b)
				}
			}
			for _, b := range c.notWant {
				if got[b] {
					t.Errorf("%s has %s", c.u.Username, b)
				}
			}
		}
		// Five accepted answers make boris helpful.
		for i := range 4 {
			qi := w.ask(t, w.ana, fmt.Sprintf("Question number %d here", i+2))
			ai := w.reply(t, w.bo, qi, "An answer.")
			w.accept(t, w.ana, qi, ai.ID)
		}
		w.drain(t)
		if !has(w.bo)[reputation.BadgeHelpful] {
			t.Error("boris has five accepted answers and is not helpful")
		}
		// A year on, members who posted have their anniversary.
		testutil.Must(t, env.App.DB.Exec(`UPDATE users SET created_at = ?`, time.Now().AddDate(-1, 0, -1).UTC()).Error, "age accounts")
		testutil.Must(t, w.rep.SweepBadges(ctx), "sweep")
		testutil.Must(t, w.rep.SweepBadges(ctx), "sweep again")
		w.drain(t)
		if !has(w.ana)[reputation.BadgeAnniversary] || has(w.cleo)[reputation.BadgeAnniversary] {
			t.Errorf("anniversary: ana (posted) %v, cleo (never posted) %v", has(w.ana)[reputation.BadgeAnniversary], has(w.cleo)[reputation.BadgeAnniversary])
		}
		for _, k := range []string{
			fmt.Sprintf("%d:%s", w.bo.ID, reputation.BadgeFirstPost), fmt.Sprintf("%d:%s", w.bo.ID, reputation.BadgeHelpful),
			fmt.Sprintf("%d:%s", w.ana.ID, reputation.BadgeAnniversary), fmt.Sprintf("%d:%s", w.cleo.ID, reputation.BadgeFirstReaction),
		} {
			if n := w.badges.get(k); n != 1 {
				t.Errorf("grant %s announced %d times, want once", k, n)
			}
		}
		var rows int64
		testutil.Must(t, env.App.DB.Model(&reputation.Award{}).Where("user_id = ? AND badge = ?", w.bo.ID, reputation.BadgeFirstPost).Count(&rows).Error, "count")
		if rows != 1 {
			t.Errorf("boris holds first_post %d times", rows)
		}
	})
}

// Every badge and trust level has its words in every language.
func TestBadgesAndLevelsHaveWords(t *testing.T) {
	env := testutil.New(t)
	for _, lang := range env.App.Bundle.Languages() {
		tr := env.App.Bundle.For(lang)
		var ids []string
		for _, b := range reputation.Badges() {
			ids = append(ids, b.Title(), b.About())
		}
		for _, l := range auth.TrustLevels {
			ids = append(ids, auth.TrustName(l))
		}
		for _, p := range reputation.Periods {
			ids = append(ids, "leaderboard.period_"+p)
		}
		for _, id := range ids {
			if tr.T(id, nil) == id {
				t.Errorf("%s: no message %s", lang, id)
			}
		}
	}
}

// The leaderboard of a period sums the points earned in it; all time
// follows the totals.
func TestLeaderboardPeriods(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		now := time.Now().UTC()
		for i, e := range []struct {
			u      *user.User
			points int
			ago    time.Duration
		}{
			{w.ana, 10, 2 * 24 * time.Hour},
			{w.bo, 30, 20 * 24 * time.Hour},
			{w.cleo, 50, 100 * 24 * time.Hour},
			{w.ana, 5, 100 * 24 * time.Hour},
		} {
			testutil.Must(t, env.App.DB.Create(&reputation.Event{UserID: e.u.ID, Kind: reputation.KindReaction, Points: e.points,
				PostID: int64(1000 + i), ActorID: w.mod.ID, CreatedAt: now.Add(-e.ago)}).Error, "event")
		}
		testutil.Must(t, w.rep.RecomputeAll(ctx), "recompute")
		for period, want := range map[string][]string{
			reputation.PeriodWeek:  {"ana:10"},
			reputation.PeriodMonth: {"boris:30", "ana:10"},
			reputation.PeriodAll:   {"cleo:50", "boris:30", "ana:15"},
		} {
			leaders, err := w.rep.Leaderboard(ctx, period)
			testutil.Must(t, err, "leaderboard %s", period)
			var got []string
			for i, l := range leaders {
				got = append(got, fmt.Sprintf("%s:%d", l.User.Username, l.Points))
				if l.Rank != i+1 {
					t.Errorf("%s: rank %d at line %d", period, l.Rank, i+1)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s leaderboard = %v, want %v", period, got, want)
			}
		}
		if _, err := w.rep.Leaderboard(ctx, "decade"); err == nil {
			t.Error("an unknown period was accepted")
		}
	})
}
