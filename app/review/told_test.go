package review_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"causerie/app/audit"
	"causerie/app/config"
	"causerie/app/errs"
	"causerie/app/event"
	"causerie/app/notify"
	"causerie/app/review"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
)

// Every decision on every kind of item tells the member it is about, with
// the reviewer's reason, worded in their language: held posts and edits,
// flags on a post (upheld or dismissed, hidden or not), flags on a
// profile, appeals. (Proposals: TestJuniorProposes; registrations are
// mailed: TestRegistrationApproval.)
func TestEveryDecisionIsTold(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, _ := w.start(t, w.ana, w.general, "Decisions told to everyone", "Each decision is told.")
		n := 0
		newcomer := func() *user.User {
			n++
			return env.Newcomer(t, fmt.Sprintf("told%d", n))
		}
		held := func() (int64, *user.User) {
			u := newcomer()
			p := w.reply(t, u, tp, fmt.Sprintf("My first words here, number %d.", n))
			return w.item(t, review.KindHeldPost, p.ID).ID, u
		}
		heldEdit := func() (int64, *user.User) {
			id, u := held()
			_, err := w.svc.Decide(ctx, w.mod.Viewer(), id, review.Decision{Outcome: review.Approve})
			testutil.Must(t, err, "approve the first post")
			it, _ := w.svc.Get(ctx, w.mod.Viewer(), id)
			_, err = env.App.Topics.Edit(ctx, u.Viewer(), it.Post.ID, topic.EditInput{Body: "Now with https://example.org/offer inside."})
			testutil.Must(t, err, "edit with a link")
			return w.item(t, review.KindHeldEdit, it.Post.ID).ID, u
		}
		flagged := func() (int64, *user.User) {
			p := w.reply(t, w.cleo, tp, fmt.Sprintf("A reply someone will flag, number %d.", n))
			n++
			it, err := w.svc.FlagPost(ctx, w.bo.Viewer(), p.ID, review.FlagInput{Reason: review.ReasonOffTopic})
			testutil.Must(t, err, "flag")
			return it.ID, w.cleo
		}
		profile := func() (int64, *user.User) {
			u := env.Member(t, fmt.Sprintf("profile%d", n))
			n++
			it, err := w.svc.FlagUser(ctx, w.bo.Viewer(), u.Username, review.FlagInput{Reason: review.ReasonInappropriate})
			testutil.Must(t, err, "flag a profile")
			return it.ID, u
		}
		appeal := func() (int64, *user.User) {
			p := w.reply(t, w.cleo, tp, fmt.Sprintf("A reply the team will hide, number %d.", n))
			n++
			_, err := env.App.Moderation.HidePost(ctx, w.mod.Viewer(), p.ID, "Too harsh", 0)
			testutil.Must(t, err, "hide")
			it, err := w.svc.RequestReview(ctx, w.cleo.Viewer(), p.ID, "I softened it")
			testutil.Must(t, err, "ask for review")
			return it.ID, w.cleo
		}
		for _, c := range []struct {
			what    string
			item    func() (int64, *user.User)
			outcome string
			message string
		}{
			{"held post approved", held, review.Approve, "review.notice_held_approved"},
			{"held post rejected", held, review.Reject, "review.notice_held_rejected"},
			{"held post hidden", held, review.Hide, "review.notice_hidden"},
			{"held edit approved", heldEdit, review.Approve, "review.notice_held_approved"},
			{"held edit rejected", heldEdit, review.Reject, "review.notice_edit_rejected"},
			{"flags upheld", flagged, review.Approve, "review.notice_flags_upheld"},
			{"flags dismissed, post never hidden", flagged, review.Reject, "review.notice_flags_cleared"},
			{"flags upheld by hiding", flagged, review.Hide, "review.notice_hidden"},
			{"profile flags upheld", profile, review.Approve, "review.notice_profile_upheld"},
			{"profile flags dismissed", profile, review.Reject, "review.notice_profile_dismissed"},
			{"appeal approved", appeal, review.Approve, "review.notice_appeal_approved"},
			{"appeal rejected", appeal, review.Reject, "review.notice_appeal_rejected"},
		} {
			id, u := c.item()
			w.drain(t)
			reason := "Because of rule " + strings.ReplaceAll(c.what, " ", "-")
			_, err := w.svc.Decide(ctx, w.mod.Viewer(), id, review.Decision{Outcome: c.outcome, Reason: reason})
			testutil.Must(t, err, "%s: decide", c.what)
			w.drain(t)
			var got []string
			told := false
			for _, nt := range w.notices(t, u) {
				if nt.Kind != notify.KindNotice {
					continue
				}
				d := noticeData(nt)
				got = append(got, d["message"])
				told = told || (d["message"] == c.message && d["reason"] == reason)
			}
			if !told {
				t.Errorf("%s: %s is not told %s with the reason; notices: %v", c.what, u.Username, c.message, got)
			}
		}
		// In their language, with the reason.
		u := env.Member(t, "zelie")
		testutil.Must(t, env.App.DB.Model(&user.User{}).Where("id = ?", u.ID).Update("language", "fr").Error, "french")
		it, err := w.svc.FlagUser(ctx, w.bo.Viewer(), u.Username, review.FlagInput{Reason: review.ReasonInappropriate})
		testutil.Must(t, err, "flag a profile")
		_, err = w.svc.Decide(ctx, w.mod.Viewer(), it.ID, review.Decision{Outcome: review.Approve, Reason: "Avatar choquant"})
		testutil.Must(t, err, "uphold")
		w.drain(t)
		c := env.Client()
		c.Login(t, u.Username)
		if page := c.Get(t, "/notifications").Body; !strings.Contains(page, "signalé votre profil") || !strings.Contains(page, "Avatar choquant") {
			t.Errorf("the member is not told about their profile in French, with the reason:\n%s", page)
		}
	}, holds, func(c *config.Config) { c.Review.FlagsPerDayTL1 = 100 })
}

// A held post its author deletes before review leaves the queue, marked
// so; one the team deletes too. The queue lists it under its status.
func TestDeletedHeldPostLeavesTheQueue(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, _ := w.start(t, w.ana, w.general, "Held and then deleted", "A topic for held replies.")
		a := env.Newcomer(t, "regrets")
		p := w.reply(t, a, tp, "Something I will regret writing.")
		it := w.item(t, review.KindHeldPost, p.ID)
		testutil.Must(t, env.App.Topics.Delete(ctx, a.Viewer(), p.ID), "the author deletes")
		b := env.Newcomer(t, "spammer")
		q := w.reply(t, b, tp, "Buy things at my shop, cheap.")
		it2 := w.item(t, review.KindHeldPost, q.ID)
		_, err := env.App.Moderation.DeletePost(ctx, w.mod.Viewer(), q.ID, "Spam")
		testutil.Must(t, err, "the team deletes")
		w.drain(t)
		for _, id := range []int64{it.ID, it2.ID} {
			got := w.item(t, review.KindHeldPost, map[int64]int64{it.ID: p.ID, it2.ID: q.ID}[id])
			if got.Status != review.StatusDeleted || got.ResolvedAt == nil {
				t.Errorf("item %d of a deleted held post: status %q", id, got.Status)
			}
		}
		_, err = w.svc.Decide(ctx, w.mod.Viewer(), it.ID, review.Decision{Outcome: review.Approve})
		wantKind(t, err, errs.Conflict, "deciding a closed item")
		c := env.Client()
		c.Login(t, w.mod.Username)
		open := c.Get(t, "/review").Body
		if strings.Contains(open, "Something I will regret") {
			t.Error("the open queue still lists a deleted held post")
		}
		if page := c.Get(t, "/review?status=deleted").Body; !strings.Contains(page, "Post deleted before review") {
			t.Errorf("the queue does not say why the item went:\n%s", page)
		}
		tok, err := env.App.Users.CreateAPIToken(ctx, w.mod.Username, "t")
		testutil.Must(t, err, "token")
		api := env.Client()
		api.Header.Set("Authorization", "Bearer "+tok)
		res := api.Get(t, "/api/v1/review?status=deleted")
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"status":"deleted"`) {
			t.Errorf("the API does not list deleted items: %d %s", res.StatusCode, res.Body)
		}
	}, holds)
}

// Restoring a held post that was deleted before review sends it back to
// the queue: it does not reach the public, and nothing is announced about
// it, until a reviewer approves it. Both ways of restoring (the staff
// tools and the topic page's restore) hold to it.
func TestRestoringADeletedHeldPostRequeuesIt(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, _ := w.start(t, w.ana, w.general, "Held, deleted, restored", "A topic for held replies.")
		for i, restore := range []func(id int64) error{
			func(id int64) error {
				_, err := env.App.Moderation.RestorePost(ctx, w.mod.Viewer(), id, "")
				return err
			},
			func(id int64) error { return env.App.Topics.Restore(ctx, w.mod.Viewer(), id) },
		} {
			a := env.Newcomer(t, fmt.Sprintf("second%d", i))
			p := w.reply(t, a, tp, fmt.Sprintf("Second thoughts, number %d.", i))
			testutil.Must(t, env.App.Topics.Delete(ctx, a.Viewer(), p.ID), "the author deletes")
			w.drain(t)
			testutil.Must(t, restore(p.ID), "staff restore")
			w.drain(t)
			if got := w.post(t, p.ID); got.State != topic.StatePending {
				t.Errorf("way %d: a restored held post is %s, want pending", i, got.State)
			}
			it := w.item(t, review.KindHeldPost, p.ID)
			if it.Status != review.StatusOpen {
				t.Errorf("way %d: its item is %q, want open", i, it.Status)
			}
			if w.seen(p.ID) != 0 {
				t.Errorf("way %d: restoring a held post announced it", i)
			}
			if page := env.Client().Get(t, tp.URL()).Body; strings.Contains(page, "Second thoughts") {
				t.Errorf("way %d: visitors see a restored held post", i)
			}
			_, err := w.svc.Decide(ctx, w.mod.Viewer(), it.ID, review.Decision{Outcome: review.Approve})
			testutil.Must(t, err, "approve")
			w.drain(t)
			if w.seen(p.ID) != 1 || w.post(t, p.ID).State != topic.StatePublished {
				t.Errorf("way %d: after approval announced %d times, state %s", i, w.seen(p.ID), w.post(t, p.ID).State)
			}
		}
	}, holds)
}

// A post the flags hid tells its author, on the topic page, that it is
// hidden and why — the community's flags, until a moderator looks — in
// their language, with the way to ask for review.
func TestAuthorSeesWhyFlagsHid(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, _ := w.start(t, w.ana, w.general, "A topic with a flagged reply", "Something to talk about.")
		p := w.reply(t, w.cleo, tp, "A reply the community does not like.")
		_, err := w.svc.FlagPost(ctx, w.mod.Viewer(), p.ID, review.FlagInput{Reason: review.ReasonSpam})
		testutil.Must(t, err, "flag to the threshold")
		if st := w.post(t, p.ID).State; st != topic.StateHidden {
			t.Fatalf("post at the threshold is %s", st)
		}
		c := env.Client()
		c.Login(t, w.cleo.Username)
		page := c.Get(t, tp.URL()).Body
		if !strings.Contains(page, "Hidden after flags from the community") || !strings.Contains(page, "Ask for review") {
			t.Errorf("the author does not see why the post is hidden:\n%s", page)
		}
		testutil.Must(t, env.App.DB.Model(&user.User{}).Where("id = ?", w.cleo.ID).Update("language", "fr").Error, "french")
		fr := env.Client()
		fr.Login(t, w.cleo.Username)
		if page := fr.Get(t, tp.URL()).Body; !strings.Contains(page, "Masqué après des signalements de la communauté") {
			t.Errorf("the author does not read why in French:\n%s", page)
		}
	})
}

// A moderator's edit of a held post through the moderation tools is
// recorded (audited, with a revision and the note) and announces nothing:
// no post.edited until the post is approved.
func TestModeratorEditOfAHeldPostIsSilent(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		var mu sync.Mutex
		var edited []int64
		event.Subscribe(env.App.Events, "test", func(_ context.Context, e event.PostEdited) error {
			mu.Lock()
			defer mu.Unlock()
			edited = append(edited, e.PostID)
			return nil
		})
		_, held := w.start(t, w.newbie, w.general, "A held question to tidy", "Fist draft of the question.")
		_, err := env.App.Moderation.EditPost(ctx, w.mod.Viewer(), held.ID, "First draft of the question.", "typo")
		testutil.Must(t, err, "moderator edits the held post")
		w.drain(t)
		mu.Lock()
		n := len(edited)
		mu.Unlock()
		if n != 0 || w.seen(held.ID) != 0 {
			t.Errorf("editing a held post announced it: %d post.edited", n)
		}
		var e audit.Entry
		testutil.Must(t, env.App.DB.Where("action = ? AND object_id = ?", "post.edit", held.ID).Take(&e).Error, "the edit is audited")
		if e.Reason != "typo" {
			t.Errorf("audit reason %q", e.Reason)
		}
		_, _, revs, err := env.App.Topics.Revisions(ctx, w.mod.Viewer(), held.ID)
		testutil.Must(t, err, "revisions")
		if len(revs) == 0 || revs[len(revs)-1].UserID != w.mod.ID {
			t.Errorf("revisions = %+v", revs)
		}
	}, holds)
}
