package review_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"causerie/app/audit"
	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/config"
	"causerie/app/errs"
	"causerie/app/event"
	"causerie/app/notify"
	"causerie/app/policy"
	"causerie/app/review"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
)

var ctx = context.Background()

// holds switches the queue's holds on, as production does by default.
func holds(c *config.Config) { c.Review.HoldFirstPosts, c.Review.HoldNewLinks = 1, true }

type world struct {
	env                      *testutil.Env
	svc                      *review.Service
	admin, lead, mod, junior *user.User
	ana, bo, cleo, newbie    *user.User
	general, other           *category.Category
	mu                       sync.Mutex
	created, changed         []int64 // post IDs in PostCreated / ContentChanged seen by a subscriber
}

func setup(t *testing.T, env *testutil.Env) *world {
	t.Helper()
	w := &world{env: env, svc: env.App.Review}
	w.admin = env.UserWithRole(t, "root_admin", "admin")
	w.lead = env.UserWithRole(t, "lea", "lead")
	w.mod = env.UserWithRole(t, "maud", "moderator")
	w.junior = env.UserWithRole(t, "jules", "junior_moderator")
	w.ana, w.bo, w.cleo = env.Member(t, "ana"), env.Member(t, "boris"), env.Member(t, "cleo")
	w.newbie = env.Newcomer(t, "newbie")
	var err error
	w.general, err = env.App.Categories.ReadableByID(ctx, &auth.Viewer{}, 1)
	testutil.Must(t, err, "general category")
	w.other, err = env.App.Categories.Create(ctx, w.admin.Viewer(), category.Input{Name: "Second room",
		Read: []string{"everyone"}, Start: []string{"members"}, Reply: []string{"members"}})
	testutil.Must(t, err, "second category")
	// What search, feeds and plugins would receive.
	event.Subscribe(env.App.Events, "test", func(_ context.Context, e event.PostCreated) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.created = append(w.created, e.PostID)
		return nil
	})
	event.Subscribe(env.App.Events, "test", func(_ context.Context, e event.ContentChanged) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.changed = append(w.changed, e.PostIDs...)
		return nil
	})
	w.drain(t)
	return w
}

func (w *world) drain(t *testing.T) {
	t.Helper()
	testutil.Must(t, w.env.App.Jobs.Drain(ctx), "drain jobs")
	testutil.Must(t, w.env.App.DB.Exec(`DELETE FROM notifications WHERE kind IN ('badge', 'trust')`).Error, "forget badges")
}

// mailJob runs notify's batched mail now.
func (w *world) mailJob(t *testing.T) {
	t.Helper()
	testutil.Must(t, w.env.App.Jobs.Enqueue(ctx, notify.JobMail, nil, 0), "enqueue mail")
	w.drain(t)
}

func (w *world) seen(id int64) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, x := range w.created {
		if x == id {
			n++
		}
	}
	return n
}

func (w *world) start(t *testing.T, by *user.User, cat *category.Category, title, body string) (*topic.Topic, *topic.Post) {
	t.Helper()
	tp, p, err := w.env.App.Topics.Create(ctx, by.Viewer(), topic.NewTopic{CategoryID: cat.ID, Title: title, Body: body})
	testutil.Must(t, err, "start %q", title)
	return tp, p
}

func (w *world) reply(t *testing.T, by *user.User, tp *topic.Topic, body string) *topic.Post {
	t.Helper()
	_, p, err := w.env.App.Topics.Reply(ctx, by.Viewer(), tp.ID, topic.ReplyInput{Body: body})
	testutil.Must(t, err, "reply")
	return p
}

func (w *world) post(t *testing.T, id int64) *topic.Post {
	t.Helper()
	p, err := topic.NewStore(w.env.App.DB.DB).Post(ctx, id)
	testutil.Must(t, err, "post %d", id)
	return p
}

func (w *world) item(t *testing.T, kind string, postID int64) *review.Item {
	t.Helper()
	var it review.Item
	testutil.Must(t, w.env.App.DB.Where("kind = ? AND post_id = ?", kind, postID).Order("id DESC").Take(&it).Error, "%s item of post %d", kind, postID)
	return &it
}

func (w *world) notices(t *testing.T, u *user.User) []notify.Notification {
	t.Helper()
	var ns []notify.Notification
	testutil.Must(t, w.env.App.DB.Where("user_id = ?", u.ID).Order("id").Find(&ns).Error, "notifications of %s", u.Username)
	return ns
}

func noticeData(n notify.Notification) map[string]string {
	var d map[string]any
	_ = json.Unmarshal([]byte(n.Data), &d)
	out := map[string]string{}
	for k, v := range d {
		out[k] = fmt.Sprint(v)
	}
	return out
}

func wantKind(t *testing.T, err, kind error, what string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("%s: got %v, want %v", what, err, kind)
	}
}

func wantField(t *testing.T, err error, field, id string) {
	t.Helper()
	var f errs.Fields
	if !errors.As(err, &f) || f[field] != id {
		t.Errorf("want %s on %s, got %v", id, field, err)
	}
}

// A held post — a new member's first reply — tells nobody anything: no
// PostCreated for search, feeds and plugins, no notification and no mail
// for the topic's author, who watches it; others do not see it, in the
// page or the counts; its author does, marked as awaiting review. The
// approval publishes it at last: the event, the notification, the mail,
// and the author's notice.
func TestHeldPostIsSilentUntilApproved(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, _ := w.start(t, w.ana, w.general, "Router keeps rebooting", "Every night at three.")
		w.drain(t)
		before := len(w.notices(t, w.ana))
		mailsBefore := env.Mail.Count(w.ana.Email)
		held := w.reply(t, w.newbie, tp, "Same here, since the update. Secret held words.")
		if held.State != topic.StatePending {
			t.Fatalf("first post of a newcomer: state %q, want pending", held.State)
		}
		w.drain(t)
		w.mailJob(t)
		if n := w.seen(held.ID); n != 0 {
			t.Errorf("PostCreated published %d times for a held post", n)
		}
		if got := len(w.notices(t, w.ana)); got != before {
			t.Errorf("the watcher got %d notifications about a held post", got-before)
		}
		if got := env.Mail.Count(w.ana.Email); got != mailsBefore {
			t.Errorf("the watcher got %d mails about a held post", got-mailsBefore)
		}
		cur, err := topic.NewStore(env.App.DB.DB).Topic(ctx, tp.ID)
		testutil.Must(t, err, "topic")
		if cur.RepliesCount != 0 {
			t.Errorf("replies count %d counts a held post", cur.RepliesCount)
		}
		bo := env.Client()
		bo.Login(t, w.bo.Username)
		if page := bo.Get(t, tp.URL()).Body; strings.Contains(page, "Secret held words") || strings.Contains(page, "post-2") {
			t.Error("another member sees the held post on the topic page")
		}
		author := env.Client()
		author.Login(t, w.newbie.Username)
		page := author.Get(t, tp.URL()).Body
		if !strings.Contains(page, "Secret held words") || !strings.Contains(page, "Awaiting review") {
			t.Error("the author does not see their held post marked as awaiting review")
		}
		it := w.item(t, review.KindHeldPost, held.ID)
		if it.Reasons != "first_post" || it.Status != review.StatusOpen {
			t.Errorf("held item = %+v", it)
		}

		mod := env.Client()
		mod.Login(t, w.mod.Username)
		res := mod.Post(t, fmt.Sprintf("/review/%d/decision", it.ID), testutil.Form("outcome", "approve"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d\n%s", res.StatusCode, res.Body)
		}
		if p := w.post(t, held.ID); p.State != topic.StatePublished {
			t.Fatalf("approved post state %q", p.State)
		}
		w.drain(t)
		w.mailJob(t)
		if n := w.seen(held.ID); n != 1 {
			t.Errorf("PostCreated published %d times on approval, want 1", n)
		}
		var reply bool
		for _, n := range w.notices(t, w.ana) {
			if n.PostID != nil && *n.PostID == held.ID {
				reply = true
			}
		}
		if !reply {
			t.Error("the watcher is not notified of the approved post")
		}
		if env.Mail.Count(w.ana.Email) == mailsBefore {
			t.Error("the watcher is not mailed about the approved post")
		}
		var told bool
		for _, n := range w.notices(t, w.newbie) {
			if n.Kind == notify.KindNotice && noticeData(n)["message"] == "review.notice_held_approved" {
				told = true
			}
		}
		if !told {
			t.Error("the author is not told their post was approved")
		}
		cur, _ = topic.NewStore(env.App.DB.DB).Topic(ctx, tp.ID)
		if cur.RepliesCount != 1 {
			t.Errorf("replies count %d after approval, want 1", cur.RepliesCount)
		}
		if page := bo.Get(t, tp.URL()).Body; !strings.Contains(page, "Secret held words") {
			t.Error("others do not see the approved post")
		}
		var entry audit.Entry
		testutil.Must(t, env.App.DB.Where("action = ? AND object_id = ?", "review.approve", it.ID).Take(&entry).Error, "audit of the approval")
		if entry.ActorID == nil || *entry.ActorID != w.mod.ID {
			t.Errorf("audit entry %+v", entry)
		}
		// Deciding twice is refused.
		_, err = w.svc.Decide(ctx, w.mod.Viewer(), it.ID, review.Decision{Outcome: review.Reject, Reason: "late"})
		wantKind(t, err, errs.Conflict, "decide a decided item")
	}, holds)
}

// What is held: a newcomer's first posts, their links, categories that
// require approval; a member past level 0 and staff are not held there.
// A held topic is not listed; rejecting it deletes it softly and tells
// the author why, in their language.
func TestWhatIsHeld(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, first := w.start(t, w.newbie, w.general, "Hello from a newcomer", "My very first words.")
		if first.State != topic.StatePending || tp.State != topic.StatePending {
			t.Fatalf("a newcomer's first topic: %s/%s", tp.State, first.State)
		}
		author, other := env.Client(), env.Client()
		author.Login(t, w.newbie.Username)
		other.Login(t, w.bo.Username)
		if res := author.Get(t, tp.URL()); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Awaiting review") {
			t.Errorf("the author opens their held topic: %d", res.StatusCode)
		}
		if res := other.Get(t, tp.URL()); res.StatusCode != http.StatusNotFound {
			t.Errorf("another member opens a held topic: %d", res.StatusCode)
		}
		list, err := env.App.Topics.List(ctx, w.bo.Viewer(), topic.ListQuery{Filter: topic.ListLatest})
		testutil.Must(t, err, "list")
		for _, it := range list.Items {
			if it.ID == tp.ID {
				t.Error("a held topic is listed")
			}
		}
		var cat category.Category
		env.App.DB.First(&cat, w.general.ID)
		if cat.TopicsCount != 0 {
			t.Errorf("category counts %d topics with a held one", cat.TopicsCount)
		}
		// A newcomer's link is held even after their first post.
		testutil.Must(t, env.App.DB.Model(&topic.Post{}).Where("id = ?", first.ID).Update("state", "published").Error, "publish")
		p := w.reply(t, w.newbie, tp, "Look at https://example.org/deal please")
		if p.State != topic.StatePending || w.item(t, review.KindHeldPost, p.ID).Reasons != "links" {
			t.Errorf("a newcomer's link: %s, %q", p.State, w.item(t, review.KindHeldPost, p.ID).Reasons)
		}
		p = w.reply(t, w.newbie, tp, "A second post without links.")
		if p.State != topic.StatePublished {
			t.Errorf("a newcomer's second post without links: %s", p.State)
		}
		// A category that requires approval holds members, not staff.
		err = w.svc.SetRequireApproval(ctx, w.ana.Viewer(), w.other.ID, true)
		wantKind(t, err, errs.Forbidden, "a member sets a category's rule")
		testutil.Must(t, w.svc.SetRequireApproval(ctx, w.lead.Viewer(), w.other.ID, true), "require approval")
		_, p = w.start(t, w.ana, w.other, "In the careful room", "Some careful words.")
		if p.State != topic.StatePending || w.item(t, review.KindHeldPost, p.ID).Reasons != "category" {
			t.Errorf("a member in a category that requires approval: %s", p.State)
		}
		_, p = w.start(t, w.mod, w.other, "Staff in the careful room", "Staff words here.")
		if p.State != topic.StatePublished {
			t.Errorf("staff in a category that requires approval: %s", p.State)
		}
		// Rejecting tells why, and keeps the post for staff.
		testutil.Must(t, env.App.DB.Model(&user.User{}).Where("id = ?", w.newbie.ID).Update("language", "fr").Error, "french")
		tp2, held := w.start(t, w.newbie, w.other, "Another first topic", "Words that will not pass.")
		it := w.item(t, review.KindHeldPost, held.ID)
		_, err = w.svc.Decide(ctx, w.mod.Viewer(), it.ID, review.Decision{Outcome: review.Reject})
		wantField(t, err, "reason", "review.reason_required")
		_, err = w.svc.Decide(ctx, w.mod.Viewer(), it.ID, review.Decision{Outcome: review.Reject, Reason: "Hors sujet ici"})
		testutil.Must(t, err, "reject")
		if got := w.post(t, held.ID); got.State != topic.StateDeleted {
			t.Errorf("a rejected post is %s, want deleted (kept)", got.State)
		}
		cur, _ := topic.NewStore(env.App.DB.DB).Topic(ctx, tp2.ID)
		if cur.State != topic.StateDeleted {
			t.Errorf("a rejected first post leaves its topic %s", cur.State)
		}
		w.drain(t)
		if w.seen(held.ID) != 0 {
			t.Error("a rejected post was announced")
		}
		c := env.Client()
		c.Login(t, w.newbie.Username)
		page := c.Get(t, "/notifications").Body
		if !strings.Contains(page, "n’a pas été approuvé") || !strings.Contains(page, "Hors sujet ici") {
			t.Errorf("the author is not told why, in French:\n%s", page)
		}
	}, holds)
}

// A reviewer may edit a held post before approving it (a revision is
// kept); the author's edits of a held post update its queue item.
// The categories' rules are kept in memory for the gate: a change is seen
// by the very next post, both ways, and other categories keep their own.
func TestCategoryRuleSeenByNextPost(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, p := w.start(t, w.ana, w.other, "Before any rule", "Words written before any rule.")
		gtp, _ := w.start(t, w.ana, w.general, "In the general room", "Words for the general room.")
		if p.State != topic.StatePublished {
			t.Fatalf("a member's topic before any rule: %s", p.State)
		}
		for i, on := range []bool{true, false, true} {
			testutil.Must(t, w.svc.SetRequireApproval(ctx, w.lead.Viewer(), w.other.ID, on), "set the rule")
			want := topic.StatePublished
			if on {
				want = topic.StatePending
			}
			if p := w.reply(t, w.bo, tp, fmt.Sprintf("Reply %d, just after the rule changed.", i)); p.State != want {
				t.Errorf("the reply after require_approval = %v: %s, want %s", on, p.State, want)
			}
			if p := w.reply(t, w.bo, gtp, fmt.Sprintf("Reply %d in the room without a rule.", i)); p.State != topic.StatePublished {
				t.Errorf("a reply in another category after require_approval = %v there: %s", on, p.State)
			}
		}
	})
}

func TestEditingAHeldPost(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		_, held := w.start(t, w.newbie, w.general, "A held question here", "Fist draft of the question.")
		_, err := env.App.Topics.Edit(ctx, w.newbie.Viewer(), held.ID, topic.EditInput{Body: "First draft of the question."})
		testutil.Must(t, err, "author edits")
		it := w.item(t, review.KindHeldPost, held.ID)
		e, err := w.svc.Get(ctx, w.mod.Viewer(), it.ID)
		testutil.Must(t, err, "get")
		if e.Edits != 1 || !strings.Contains(e.Post.Body, "First draft") {
			t.Errorf("item after the author's edit: edits %d, body %q", e.Edits, e.Post.Body)
		}
		_, err = env.App.Topics.Edit(ctx, w.mod.Viewer(), held.ID, topic.EditInput{Body: "First draft of the question, tidied.", Note: "typo"})
		testutil.Must(t, err, "moderator edits")
		_, revs, _, err := func() (*topic.Post, []topic.Revision, *topic.Topic, error) {
			p, tp, rs, err := env.App.Topics.Revisions(ctx, w.mod.Viewer(), held.ID)
			return p, rs, tp, err
		}()
		testutil.Must(t, err, "revisions")
		if len(revs) != 2 || revs[1].UserID != w.mod.ID || revs[1].Note != "typo" {
			t.Errorf("revisions = %+v", revs)
		}
		w.drain(t)
		if w.seen(held.ID) != 0 {
			t.Error("editing a held post announced it")
		}
		_, err = w.svc.Decide(ctx, w.mod.Viewer(), it.ID, review.Decision{Outcome: review.Approve})
		testutil.Must(t, err, "approve")
		if p := w.post(t, held.ID); p.State != topic.StatePublished || !strings.Contains(p.Body, "tidied") {
			t.Errorf("approved post %+v", p)
		}
		// A newcomer's edit that adds a link takes the post back to the
		// queue, out of others' sight, until a reviewer approves it.
		_, err = env.App.Topics.Edit(ctx, w.newbie.Viewer(), held.ID, topic.EditInput{Body: "Now with https://example.org/offer inside."})
		testutil.Must(t, err, "edit with a link")
		if p := w.post(t, held.ID); p.State != topic.StatePending {
			t.Errorf("an edit with a newcomer's link leaves the post %s", p.State)
		}
		edit := w.item(t, review.KindHeldEdit, held.ID)
		if edit.Reasons != "links" {
			t.Errorf("held edit reasons %q", edit.Reasons)
		}
		w.drain(t)
		if w.changed[len(w.changed)-1] != held.ID {
			t.Error("search is not told the post left sight")
		}
		_, err = w.svc.Decide(ctx, w.mod.Viewer(), edit.ID, review.Decision{Outcome: review.Approve})
		testutil.Must(t, err, "approve the edit")
		w.drain(t)
		if n := w.seen(held.ID); n != 1 {
			t.Errorf("post.created published %d times for a post and its held edit, want 1", n)
		}
		if p := w.post(t, held.ID); p.State != topic.StatePublished {
			t.Errorf("approved edit leaves the post %s", p.State)
		}
	}, holds)
}

// Rejecting a held edit puts back the version it replaced, published as
// before; the rejected text stays in the history for staff.
func TestRejectingAHeldEditPutsBackThePost(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, held := w.start(t, w.newbie, w.general, "A question held then edited", "The first version of my question.")
		_, err := w.svc.Decide(ctx, w.mod.Viewer(), w.item(t, review.KindHeldPost, held.ID).ID, review.Decision{Outcome: review.Approve})
		testutil.Must(t, err, "approve the post")
		_, err = env.App.Topics.Edit(ctx, w.newbie.Viewer(), held.ID, topic.EditInput{Body: "Buy now at https://example.org/offer instead."})
		testutil.Must(t, err, "edit with a link")
		edit := w.item(t, review.KindHeldEdit, held.ID)
		_, err = w.svc.Decide(ctx, w.mod.Viewer(), edit.ID, review.Decision{Outcome: review.Reject, Reason: "No advertising."})
		testutil.Must(t, err, "reject the edit")
		p := w.post(t, held.ID)
		if p.State != topic.StatePublished || !strings.Contains(p.Body, "first version") || strings.Contains(p.HTML, "example.org") {
			t.Errorf("after the rejected edit the post is %s with %q", p.State, p.Body)
		}
		_, _, revs, err := env.App.Topics.Revisions(ctx, w.mod.Viewer(), held.ID)
		testutil.Must(t, err, "revisions")
		if len(revs) == 0 || !strings.Contains(revs[len(revs)-1].Body, "example.org/offer") {
			t.Errorf("the rejected text is not kept in the history: %+v", revs)
		}
		page := env.Client().Get(t, tp.URL()).Body
		if !strings.Contains(page, "first version") {
			t.Errorf("visitors no longer see the post after its edit was rejected (%s)", tp.URL())
		}
	}, holds)
}

// Flags: members from level 1, a reason (a note for "other"), not their
// own post, once, a few a day; weights by trust level add up, and at the
// threshold the post is hidden, audited as the system, and its author
// told. Dismissing the flags shows it again.
func TestFlags(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, _ := w.start(t, w.ana, w.general, "Buy my watches today", "Cheap watches, write to me.")
		p := w.reply(t, w.ana, tp, "Really cheap ones, only today.")
		flag := func(u *user.User, reason, note string) (*review.Item, error) {
			return w.svc.FlagPost(ctx, u.Viewer(), p.ID, review.FlagInput{Reason: reason, Note: note})
		}
		_, err := flag(w.bo, "", "")
		wantField(t, err, "reason", "review.flag_reason_required")
		_, err = flag(w.bo, review.ReasonOther, " ")
		wantField(t, err, "note", "review.flag_note_required")
		_, err = flag(w.newbie, review.ReasonSpam, "")
		wantKind(t, err, errs.Forbidden, "a newcomer flags")
		_, err = flag(w.ana, review.ReasonSpam, "")
		wantKind(t, err, errs.Forbidden, "flag one's own post")
		_, err = w.svc.FlagPost(ctx, &auth.Viewer{}, p.ID, review.FlagInput{Reason: review.ReasonSpam})
		wantKind(t, err, errs.Unauthorized, "a visitor flags")

		it, err := flag(w.bo, review.ReasonSpam, "")
		testutil.Must(t, err, "flag")
		if it.Score != 1 {
			t.Errorf("score after a level 1 flag = %d, want 1", it.Score)
		}
		_, err = flag(w.bo, review.ReasonOffTopic, "")
		wantKind(t, err, errs.Conflict, "flag twice")
		testutil.Must(t, env.App.DB.Model(&user.User{}).Where("id = ?", w.cleo.ID).Update("trust_level", 3).Error, "level 3")
		w.cleo.TrustLevel = 3
		it, err = flag(w.cleo, review.ReasonOther, "Same text in five topics")
		testutil.Must(t, err, "flag")
		if it.Score != 4 || w.post(t, p.ID).State != topic.StatePublished {
			t.Errorf("score %d (want 1+3), state %s", it.Score, w.post(t, p.ID).State)
		}
		// The moderator's flag (weight 6) reaches the threshold (6).
		_, err = w.svc.FlagPost(ctx, w.mod.Viewer(), p.ID, review.FlagInput{Reason: review.ReasonSpam})
		testutil.Must(t, err, "staff flag")
		if st := w.post(t, p.ID).State; st != topic.StateHidden {
			t.Fatalf("post at the threshold is %s, want hidden", st)
		}
		var entry audit.Entry
		testutil.Must(t, env.App.DB.Where("action = ? AND object_id = ?", "post.hide", p.ID).Take(&entry).Error, "audit")
		if entry.ActorID != nil || entry.Reason != "flags" {
			t.Errorf("the hide is audited as %+v, want the system", entry)
		}
		w.drain(t)
		var told bool
		for _, n := range w.notices(t, w.ana) {
			told = told || noticeData(n)["message"] == "review.notice_flag_hidden"
		}
		if !told {
			t.Error("the author is not told their post was hidden")
		}
		e, err := w.svc.Get(ctx, w.mod.Viewer(), it.ID)
		testutil.Must(t, err, "get")
		if len(e.Flags) != 3 || !e.AutoHidden || e.Subject.ID != w.ana.ID {
			t.Errorf("entry: %d flags, auto %v", len(e.Flags), e.AutoHidden)
		}
		_, err = w.svc.Decide(ctx, w.mod.Viewer(), it.ID, review.Decision{Outcome: review.Reject, Reason: "Not spam: a joke between regulars"})
		testutil.Must(t, err, "dismiss")
		if st := w.post(t, p.ID).State; st != topic.StatePublished {
			t.Errorf("dismissed flags leave the post %s", st)
		}
		var upheld int64
		env.App.DB.Model(&review.Flag{}).Where("review_item_id = ? AND status = ?", it.ID, review.FlagDismissed).Count(&upheld)
		if upheld != 3 {
			t.Errorf("%d flags dismissed, want 3", upheld)
		}
		// Profiles are flagged the same way.
		_, err = w.svc.FlagUser(ctx, w.bo.Viewer(), "ana", review.FlagInput{Reason: review.ReasonInappropriate})
		testutil.Must(t, err, "flag a profile")
		_, err = w.svc.FlagUser(ctx, w.bo.Viewer(), "boris", review.FlagInput{Reason: review.ReasonSpam})
		wantKind(t, err, errs.Forbidden, "flag one's own profile")
	})
}

// A member may raise only so many flags a day, by trust level.
func TestFlagsPerDay(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, _ := w.start(t, w.ana, w.general, "Many replies to flag", "The first post here.")
		var ps []*topic.Post
		for i := range 3 {
			ps = append(ps, w.reply(t, w.ana, tp, fmt.Sprintf("Reply number %d.", i)))
		}
		for _, p := range ps[:2] {
			_, err := w.svc.FlagPost(ctx, w.bo.Viewer(), p.ID, review.FlagInput{Reason: review.ReasonSpam})
			testutil.Must(t, err, "flag")
		}
		_, err := w.svc.FlagPost(ctx, w.bo.Viewer(), ps[2].ID, review.FlagInput{Reason: review.ReasonSpam})
		var m *errs.Msg
		if !errors.As(err, &m) || m.ID != "review.flags_per_day" || !errors.Is(err, errs.TooMany) {
			t.Errorf("third flag of the day: %v", err)
		}
		// The answer says when the day's flags free up: Retry-After, and the
		// wait in the message, in the member's language.
		tok, err := env.App.Users.CreateAPIToken(ctx, w.bo.Username, "t")
		testutil.Must(t, err, "token")
		c := env.Client()
		c.Header.Set("Authorization", "Bearer "+tok)
		c.Header.Set("Accept-Language", "fr")
		req, _ := http.NewRequest(http.MethodPost, env.URL(fmt.Sprintf("/api/v1/posts/%d/flags", ps[2].ID)), strings.NewReader(`{"reason":"spam"}`))
		req.Header.Set("Content-Type", "application/json")
		res := c.Do(t, req)
		secs, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		if res.StatusCode != http.StatusTooManyRequests || secs < 23*3600 || secs > 24*3600+1 ||
			!regexp.MustCompile(`signaler de nouveau dans (23 h \d+ min|24 h)\.`).MatchString(res.Body) {
			t.Errorf("flag past the limit: %d, Retry-After %q, %s", res.StatusCode, res.Header.Get("Retry-After"), res.Body)
		}
	}, func(c *config.Config) { c.Review.FlagsPerDayTL1 = 2 })
}

// A junior moderator's decisions become proposals; a lead approves one
// (it is carried out, and the junior is told) or rejects it (nothing
// happens, and the junior is told why). Juniors cannot decide proposals.
func TestJuniorProposes(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		_, held := w.start(t, w.newbie, w.general, "Newcomer asks a thing", "Please help me with this.")
		it := w.item(t, review.KindHeldPost, held.ID)
		res, err := w.svc.Decide(ctx, w.junior.Viewer(), it.ID, review.Decision{Outcome: review.Approve, Reason: "Looks fine"})
		testutil.Must(t, err, "junior decides")
		if res.Proposal == nil || w.post(t, held.ID).State != topic.StatePending {
			t.Fatalf("the junior's decision was carried out: %+v", res)
		}
		_, err = w.svc.Decide(ctx, w.junior.Viewer(), it.ID, review.Decision{Outcome: review.Approve, Reason: "Again"})
		wantKind(t, err, errs.Conflict, "propose twice")
		_, err = w.svc.Decide(ctx, w.junior.Viewer(), res.Proposal.ID, review.Decision{Outcome: review.Approve})
		wantKind(t, err, errs.Forbidden, "a junior approves their own proposal")
		_, err = w.svc.Decide(ctx, w.lead.Viewer(), res.Proposal.ID, review.Decision{Outcome: review.Approve, Reason: "Good call"})
		testutil.Must(t, err, "lead approves")
		if st := w.post(t, held.ID).State; st != topic.StatePublished {
			t.Errorf("approved proposal left the post %s", st)
		}
		if got := w.item(t, review.KindHeldPost, held.ID); got.Status != review.StatusApproved || *got.ResolvedByID != w.lead.ID {
			t.Errorf("held item after the proposal: %+v", got)
		}
		var entry audit.Entry
		testutil.Must(t, env.App.DB.Where("action = ? AND object_id = ?", "review.approve", it.ID).Take(&entry).Error, "audit")
		if !strings.Contains(entry.After, fmt.Sprintf(`"proposed_by":%d`, w.junior.ID)) {
			t.Errorf("audit does not name the proposer: %s", entry.After)
		}
		// A proposal to hide a published post, rejected.
		tp, _ := w.start(t, w.ana, w.general, "A heated thread", "Opinions ahead.")
		p := w.reply(t, w.bo, tp, "A rude remark.")
		pr, err := w.svc.Propose(ctx, w.junior.Viewer(), review.ProposeInput{Action: "post.hide", PostID: p.ID, Reason: "Rude"})
		testutil.Must(t, err, "propose hide")
		_, err = w.svc.Propose(ctx, w.ana.Viewer(), review.ProposeInput{Action: "post.hide", PostID: p.ID, Reason: "Rude"})
		wantKind(t, err, errs.Forbidden, "a member proposes")
		_, err = w.svc.Decide(ctx, w.mod.Viewer(), pr.ID, review.Decision{Outcome: review.Reject, Reason: "Blunt, not rude"})
		testutil.Must(t, err, "reject proposal")
		if st := w.post(t, p.ID).State; st != topic.StatePublished {
			t.Errorf("a rejected proposal hid the post: %s", st)
		}
		w.drain(t)
		var msgs []string
		for _, n := range w.notices(t, w.junior) {
			d := noticeData(n)
			msgs = append(msgs, d["message"]+":"+d["reason"])
		}
		want := []string{"review.notice_proposal_approved:Good call", "review.notice_proposal_rejected:Blunt, not rude"}
		if strings.Join(msgs, "|") != strings.Join(want, "|") {
			t.Errorf("the junior was told %v, want %v", msgs, want)
		}
	}, holds)
}

// Who sees what: members not at all, scoped moderators their categories
// only, juniors their proposals and not others', registrations only those
// who approve accounts; filters and sorting work.
func TestQueueVisibility(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		_, a := w.start(t, w.newbie, w.general, "Held in general here", "General words.")
		testutil.Must(t, w.svc.SetRequireApproval(ctx, w.admin.Viewer(), w.other.ID, true), "rule")
		_, b := w.start(t, w.ana, w.other, "Held in the other room", "Other words.")
		_, err := w.svc.List(ctx, w.ana.Viewer(), review.Query{})
		wantKind(t, err, errs.Forbidden, "a member opens the queue")
		for _, role := range []string{"editor", "analyst"} {
			u := env.UserWithRole(t, "some_"+role, role)
			_, err = w.svc.List(ctx, u.Viewer(), review.Query{})
			wantKind(t, err, errs.Forbidden, "an "+role+" opens the queue")
		}
		ids := func(v *auth.Viewer, q review.Query) []int64 {
			pg, err := w.svc.List(ctx, v, q)
			testutil.Must(t, err, "list")
			var out []int64
			for _, e := range pg.Entries {
				if e.PostID != nil {
					out = append(out, *e.PostID)
				}
			}
			return out
		}
		if got := ids(w.mod.Viewer(), review.Query{}); len(got) != 2 || got[0] != a.ID {
			t.Errorf("a moderator sees %v, want both, oldest first", got)
		}
		scoped := w.mod.Viewer()
		scoped.Scope = []int64{w.other.ID}
		if got := ids(scoped, review.Query{}); len(got) != 1 || got[0] != b.ID {
			t.Errorf("a moderator scoped to the other room sees %v", got)
		}
		ia := w.item(t, review.KindHeldPost, a.ID)
		_, err = w.svc.Decide(ctx, scoped, ia.ID, review.Decision{Outcome: review.Approve})
		wantKind(t, err, errs.NotFound, "a scoped moderator decides outside their scope")
		if got := ids(w.mod.Viewer(), review.Query{CategoryID: w.other.ID}); len(got) != 1 || got[0] != b.ID {
			t.Errorf("category filter: %v", got)
		}
		if got := ids(w.mod.Viewer(), review.Query{Assignee: "me"}); len(got) != 0 {
			t.Errorf("assigned to me before claiming: %v", got)
		}
		_, err = w.svc.Assign(ctx, w.mod.Viewer(), ia.ID, "")
		testutil.Must(t, err, "claim")
		if got := ids(w.mod.Viewer(), review.Query{Assignee: "me"}); len(got) != 1 || got[0] != a.ID {
			t.Errorf("assigned to me after claiming: %v", got)
		}
		_, err = w.svc.Assign(ctx, w.mod.Viewer(), ia.ID, "lea")
		wantKind(t, err, errs.Forbidden, "a moderator assigns someone else")
		_, err = w.svc.Assign(ctx, w.lead.Viewer(), ia.ID, "maud")
		testutil.Must(t, err, "a lead assigns")
		_, err = w.svc.Assign(ctx, w.lead.Viewer(), ia.ID, "ana")
		wantField(t, err, "assignee", "review.assignee_cannot")
		_, err = w.svc.List(ctx, w.mod.Viewer(), review.Query{Kind: "nonsense"})
		wantField(t, err, "kind", "review.filter_invalid")
		if got := ids(w.mod.Viewer(), review.Query{Age: "1h"}); len(got) != 0 {
			t.Errorf("items older than an hour: %v", got)
		}
		// The cursor pages through.
		pg, err := w.svc.List(ctx, w.mod.Viewer(), review.Query{Limit: 1})
		testutil.Must(t, err, "page 1")
		pg2, err := w.svc.List(ctx, w.mod.Viewer(), review.Query{Limit: 1, Cursor: pg.Next})
		testutil.Must(t, err, "page 2")
		if len(pg.Entries) != 1 || len(pg2.Entries) != 1 || pg.Entries[0].ID == pg2.Entries[0].ID || pg2.Next != "" {
			t.Errorf("pages: %d, %d, next %q", len(pg.Entries), len(pg2.Entries), pg2.Next)
		}
		// A junior's proposals are theirs to see; a junior does not see
		// another junior's.
		other := env.UserWithRole(t, "june", "junior_moderator")
		_, err = w.svc.Decide(ctx, w.junior.Viewer(), ia.ID, review.Decision{Outcome: review.Approve})
		testutil.Must(t, err, "propose")
		count := func(v *auth.Viewer) int {
			pg, err := w.svc.List(ctx, v, review.Query{Kind: review.KindProposal})
			testutil.Must(t, err, "list proposals")
			return len(pg.Entries)
		}
		if count(w.junior.Viewer()) != 1 || count(other.Viewer()) != 0 || count(w.lead.Viewer()) != 1 {
			t.Error("proposals are not shown to their proposer and reviewers only")
		}
	}, holds)
}

// Bulk decisions: each item on its own, those decided meanwhile reported.
func TestBulk(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		testutil.Must(t, w.svc.SetRequireApproval(ctx, w.admin.Viewer(), w.general.ID, true), "rule")
		var items []int64
		for i := range 4 {
			_, p := w.start(t, w.ana, w.general, fmt.Sprintf("Held topic number %d", i), "Some held words.")
			items = append(items, w.item(t, review.KindHeldPost, p.ID).ID)
		}
		_, err := w.svc.Decide(ctx, w.mod.Viewer(), items[0], review.Decision{Outcome: review.Approve})
		testutil.Must(t, err, "decide one")
		c := env.Client()
		c.Login(t, w.mod.Username)
		form := testutil.Form("bulk_outcome", "approve")
		for _, id := range items {
			form.Add("ids", fmt.Sprint(id))
		}
		res := c.Post(t, "/review/bulk", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("bulk: %d %s", res.StatusCode, res.Body)
		}
		var open int64
		env.App.DB.Model(&review.Item{}).Where("status = ?", review.StatusOpen).Count(&open)
		if open != 0 {
			t.Errorf("%d items still open after bulk approval", open)
		}
		r, err := w.svc.Bulk(ctx, w.mod.Viewer(), items, review.Decision{Outcome: review.Approve})
		testutil.Must(t, err, "bulk again")
		if len(r.Done) != 0 || r.Failed[items[1]] != "review.already_decided" {
			t.Errorf("bulk over decided items: %+v", r)
		}
		_, err = w.svc.Bulk(ctx, w.mod.Viewer(), nil, review.Decision{Outcome: review.Approve})
		wantField(t, err, "ids", "review.bulk_none")
		if res := c.Post(t, "/review/bulk", testutil.Form("bulk_outcome", "approve")); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(res.Body, "Select at least one item") {
			t.Errorf("bulk with nothing selected: %d", res.StatusCode)
		}
	})
}

// Registration approval: the account waits and cannot log in (the
// message says so); approval mails the person and lets them in; refusal
// mails the reason.
func TestRegistrationApproval(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		register := func(name string) *user.User {
			u, err := env.App.Users.Register(ctx, user.Registration{Username: name, Email: name + "@example.test", Password: testutil.Password, IP: "192.0.2.1"})
			testutil.Must(t, err, "register %s", name)
			testutil.Must(t, env.App.DB.Model(&user.User{}).Where("id = ?", u.ID).Update("email_confirmed_at", u.CreatedAt).Error, "confirm")
			return u
		}
		zoe, yan := register("zoe"), register("yan")
		c := env.Client()
		res := c.Post(t, "/login", testutil.Form("login", "zoe", "password", testutil.Password))
		if res.StatusCode == http.StatusSeeOther || !strings.Contains(res.Body, "approves new accounts") {
			t.Fatalf("a waiting account logs in: %d\n%s", res.StatusCode, res.Body)
		}
		var it review.Item
		testutil.Must(t, env.App.DB.Where("kind = ? AND subject_id = ?", review.KindRegistration, zoe.ID).Take(&it).Error, "item")
		_, err := w.svc.Decide(ctx, w.junior.Viewer(), it.ID, review.Decision{Outcome: review.Approve})
		wantKind(t, err, errs.NotFound, "a junior moderator approves an account")
		_, err = w.svc.Decide(ctx, w.mod.Viewer(), it.ID, review.Decision{Outcome: review.Approve})
		testutil.Must(t, err, "approve")
		w.drain(t)
		if m := env.Mail.Last(t, zoe.Email); !strings.Contains(m.Subject, "approved") {
			t.Errorf("approval mail: %q", m.Subject)
		}
		c.Login(t, "zoe")
		var yi review.Item
		testutil.Must(t, env.App.DB.Where("kind = ? AND subject_id = ?", review.KindRegistration, yan.ID).Take(&yi).Error, "item")
		_, err = w.svc.Decide(ctx, w.mod.Viewer(), yi.ID, review.Decision{Outcome: review.Reject, Reason: "Looks like a spam account"})
		testutil.Must(t, err, "reject")
		w.drain(t)
		if m := env.Mail.Last(t, yan.Email); !strings.Contains(m.Text, "Looks like a spam account") {
			t.Errorf("refusal mail: %q", m.Text)
		}
		res = env.Client().Post(t, "/login", testutil.Form("login", "yan", "password", testutil.Password))
		if res.StatusCode == http.StatusSeeOther || !strings.Contains(res.Body, "was not approved") {
			t.Errorf("a refused account logs in: %d", res.StatusCode)
		}
	}, func(c *config.Config) { c.Review.ApproveRegistrations = true })
}

// The API: flag, list with filters, decide; every answer is checked
// against the OpenAPI document by the test client.
func TestAPI(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, _ := w.start(t, w.ana, w.general, "Something to flag here", "Body of the topic.")
		p := w.reply(t, w.ana, tp, "A reply to flag.")
		call := func(u *user.User, method, path string, body any) *testutil.Response {
			c := env.Client()
			if u != nil {
				tok, err := env.App.Users.CreateAPIToken(ctx, u.Username, "t")
				testutil.Must(t, err, "token")
				c.Header.Set("Authorization", "Bearer "+tok)
			}
			var b []byte
			if body != nil {
				b, _ = json.Marshal(body)
			}
			req, _ := http.NewRequest(method, env.URL(path), bytes.NewReader(b))
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			return c.Do(t, req)
		}
		flags := fmt.Sprintf("/api/v1/posts/%d/flags", p.ID)
		if res := call(nil, "POST", flags, map[string]string{"reason": "spam"}); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("visitor flags: %d", res.StatusCode)
		}
		if res := call(w.bo, "POST", flags, map[string]string{"reason": "other"}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `"note"`) {
			t.Errorf("other without a note: %d %s", res.StatusCode, res.Body)
		}
		res := call(w.bo, "POST", flags, map[string]string{"reason": "spam", "note": "ads"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("flag: %d %s", res.StatusCode, res.Body)
		}
		var fr struct {
			ItemID int64 `json:"item_id"`
		}
		json.Unmarshal([]byte(res.Body), &fr)
		if res := call(w.ana, "GET", "/api/v1/review", nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("a member lists the queue: %d", res.StatusCode)
		}
		res = call(w.mod, "GET", "/api/v1/review?kind=flag&sort=score", nil)
		var list struct {
			Items []struct {
				ID    int64 `json:"id"`
				Flags []struct {
					By, Reason string
				} `json:"flags"`
			} `json:"items"`
			Open map[string]int `json:"open"`
		}
		json.Unmarshal([]byte(res.Body), &list)
		if res.StatusCode != 200 || len(list.Items) != 1 || list.Items[0].ID != fr.ItemID || list.Items[0].Flags[0].By != "boris" || list.Open["flag"] != 1 {
			t.Errorf("list: %d %s", res.StatusCode, res.Body)
		}
		if res := call(w.mod, "GET", "/api/v1/review?sort=sideways", nil); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("bad sort: %d", res.StatusCode)
		}
		decide := fmt.Sprintf("/api/v1/review/%d/decision", fr.ItemID)
		if res := call(w.mod, "POST", decide, map[string]string{"outcome": "hide"}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("hide without a reason: %d", res.StatusCode)
		}
		if res := call(w.junior, "POST", decide, map[string]string{"outcome": "hide", "reason": "Advertising"}); res.StatusCode != http.StatusAccepted {
			t.Errorf("a junior's decision: %d %s", res.StatusCode, res.Body)
		}
		if res := call(w.mod, "POST", decide, map[string]string{"outcome": "hide", "reason": "Advertising"}); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"status":"approved"`) {
			t.Errorf("decide: %d %s", res.StatusCode, res.Body)
		}
		if st := w.post(t, p.ID).State; st != topic.StateHidden {
			t.Errorf("upheld flags with hide: post %s", st)
		}
		if res := call(w.mod, "POST", decide, map[string]string{"outcome": "approve"}); res.StatusCode != http.StatusConflict {
			t.Errorf("decide twice: %d", res.StatusCode)
		}
		if res := call(w.mod, "POST", "/api/v1/review/999999/decision", map[string]string{"outcome": "approve"}); res.StatusCode != http.StatusNotFound {
			t.Errorf("unknown item: %d", res.StatusCode)
		}
	})
}

// The pages: the queue in English and French, the flag form with its
// errors next to the fields, the item page.
func TestPages(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, _ := w.start(t, w.newbie, w.general, "A held topic for pages", "Held body text.")
		bo := env.Client()
		bo.Login(t, w.bo.Username)
		if res := bo.Get(t, "/review"); res.StatusCode != http.StatusForbidden {
			t.Errorf("a member opens /review: %d", res.StatusCode)
		}
		tp2, _ := w.start(t, w.ana, w.general, "A published topic here", "Published body.")
		p := w.reply(t, w.ana, tp2, "Flag me please.")
		// The topic page links each post to its flag form.
		if page := bo.Get(t, tp2.URL()).Body; !strings.Contains(page, fmt.Sprintf(`<a class="review-flag" href="/posts/%d/flag">`, p.ID)) {
			t.Error("the topic page has no flag link for a member")
		}
		if res := bo.Get(t, fmt.Sprintf("/posts/%d/flag", p.ID)); res.StatusCode != http.StatusOK ||
			!strings.Contains(res.Body, fmt.Sprintf(`action="/posts/%d/flag"`, p.ID)) || !strings.Contains(res.Body, "Flag me please.") {
			t.Errorf("the flag form: %d, want the form with the post quoted", res.StatusCode)
		}
		res := bo.Post(t, fmt.Sprintf("/posts/%d/flag", p.ID), testutil.Form("reason", "other"))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Tell the team what is wrong") {
			t.Errorf("flag form error: %d", res.StatusCode)
		}
		res = bo.Post(t, fmt.Sprintf("/posts/%d/flag", p.ID), testutil.Form("reason", "other", "note", "Weird"))
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("flag form: %d", res.StatusCode)
		}
		mod := env.Client()
		mod.Login(t, w.mod.Username)
		page := mod.Get(t, "/review").Body
		for _, want := range []string{"Review queue", "Held body text.", "first post", "Weird", "review.js", `name="ids"`} {
			if !strings.Contains(page, want) {
				t.Errorf("queue page lacks %q", want)
			}
		}
		mod.Header.Set("Accept-Language", "fr")
		mod.Post(t, "/language", testutil.Form("lang", "fr", "next", "/review"))
		if page := mod.Get(t, "/review").Body; !strings.Contains(page, "File de modération") || !strings.Contains(page, "Premier message d’un nouveau membre") {
			t.Error("the queue page is not in French")
		}
		it := w.item(t, review.KindHeldPost, w.firstPost(t, tp))
		res = mod.Post(t, fmt.Sprintf("/review/%d/decision", it.ID), testutil.Form("outcome", "reject"))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Donnez une raison") {
			t.Errorf("reject without a reason: %d", res.StatusCode)
		}
		if res := mod.Get(t, fmt.Sprintf("/review/%d", it.ID)); res.StatusCode != 200 {
			t.Errorf("item page: %d", res.StatusCode)
		}
		if res := mod.Get(t, "/review/categories"); res.StatusCode != http.StatusForbidden {
			t.Errorf("a moderator opens the categories' rules: %d", res.StatusCode)
		}
		admin := env.Client()
		admin.Login(t, w.admin.Username)
		if res := admin.Post(t, "/review/categories", testutil.Form("category_id", fmt.Sprint(w.other.ID), "require_approval", "1")); res.StatusCode != http.StatusSeeOther {
			t.Errorf("set a category's rule: %d", res.StatusCode)
		}
		if !strings.Contains(admin.Get(t, "/review").Body, `href="/review/categories"`) || strings.Contains(page, `href="/review/categories"`) {
			t.Error("the link to the categories' rules is not for those who set policy only")
		}
		if page := admin.Get(t, "/review/categories").Body; !strings.Contains(page, "new posts wait for approval") {
			t.Error("the categories' rules page does not show the rule")
		}
	}, holds)
}

func (w *world) firstPost(t *testing.T, tp *topic.Topic) int64 {
	t.Helper()
	p, err := topic.NewStore(w.env.App.DB.DB).PostByNumber(ctx, tp.ID, 1)
	testutil.Must(t, err, "first post")
	return p.ID
}

// The policy's verdicts reach the queue: a watched word set to hold holds
// the post, one set to flag publishes it and opens a flag item, one set to
// censor rewrites it, one set to block refuses it naming the field.
func TestPolicyVerdicts(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		for _, in := range []policy.WordInput{{Pattern: "casino", Action: policy.ActionHold}, {Pattern: "crypto", Action: policy.ActionFlag},
			{Pattern: "darn", Action: policy.ActionCensor}, {Pattern: "viagra", Action: policy.ActionBlock}} {
			_, err := env.App.Policy.CreateWord(ctx, w.lead.Viewer(), in)
			testutil.Must(t, err, "watch %s", in.Pattern)
		}
		tp, _ := w.start(t, w.ana, w.general, "Weekend plans anyone", "Going hiking on Saturday.")
		held := w.reply(t, w.bo, tp, "Or the casino downtown?")
		if held.State != topic.StatePending || w.item(t, review.KindHeldPost, held.ID).Reasons != "watched_word" {
			t.Errorf("a held word: %s", held.State)
		}
		flagged := w.reply(t, w.bo, tp, "Or we could talk crypto all day.")
		if flagged.State != topic.StatePublished || w.item(t, review.KindFlag, flagged.ID).Reasons != "watched_word" {
			t.Errorf("a flagged word: %s", flagged.State)
		}
		censored := w.reply(t, w.bo, tp, "Oh darn, it will rain.")
		if !strings.Contains(censored.Body, "■■■") || strings.Contains(censored.Body, "darn") {
			t.Errorf("a censored word: %q", censored.Body)
		}
		_, _, err := env.App.Topics.Reply(ctx, w.bo.Viewer(), tp.ID, topic.ReplyInput{Body: "Cheap viagra here"})
		var f errs.Fields
		if !errors.As(err, &f) || f["body"] == "" {
			t.Errorf("a blocked word: %v", err)
		}
		w.drain(t)
		if w.seen(held.ID) != 0 || w.seen(flagged.ID) != 1 {
			t.Errorf("events: held %d, flagged %d", w.seen(held.ID), w.seen(flagged.ID))
		}
	})
}

// An item shows its author's history: flags against them and how they
// ended, posts refused, and the staff domain's sanctions and notes (notes
// to those who may read them).
func TestAuthorHistory(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		now := time.Now().UTC()
		testutil.Must(t, env.App.DB.Exec(`INSERT INTO sanctions (user_id, kind, reason, created_by, created_at) VALUES (?, 'warning', 'Rude', ?, ?)`,
			w.newbie.ID, w.mod.ID, now).Error, "sanction")
		testutil.Must(t, env.App.DB.Exec(`INSERT INTO member_notes (user_id, author_id, body, created_at) VALUES (?, ?, 'Sells watches elsewhere too', ?)`,
			w.newbie.ID, w.mod.ID, now).Error, "note")
		_, held := w.start(t, w.newbie, w.general, "A topic with history", "Some words to hold.")
		it := w.item(t, review.KindHeldPost, held.ID)
		e, err := w.svc.Get(ctx, w.mod.Viewer(), it.ID)
		testutil.Must(t, err, "get")
		if h := e.History; h == nil || h.Sanctions != 1 || len(h.Notes) != 1 || h.TrustLevel != 0 || h.JoinedAt.IsZero() {
			t.Errorf("history for a moderator: %+v", e.History)
		}
		e, err = w.svc.Get(ctx, w.junior.Viewer(), it.ID)
		testutil.Must(t, err, "get as junior")
		if len(e.History.Notes) != 1 {
			t.Errorf("a junior moderator (who may read notes) sees %d notes", len(e.History.Notes))
		}
	}, holds)
}
