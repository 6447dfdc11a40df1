package journey_test

import (
	"fmt"
	"strings"
	"testing"

	"causerie/app/review"
	"causerie/app/testutil"
	"causerie/app/topic"
)

// TestReviewJourney follows a flag through the queue: Boris flags Ana's
// advertising reply from the topic page; Jules, a junior moderator,
// proposes to hide it from the queue; Léa, the community lead, approves
// the proposal; Ana reads why in her notifications, edits the reply and
// asks for review; Léa shows it again, and everyone reads the new text.
// Every page passes the accessibility check, at desktop and phone widths.
func TestReviewJourney(t *testing.T) {
	env := testutil.New(t)
	env.UserWithRole(t, "Camille", "admin") // the forum is set up
	env.UserWithRole(t, "Lea", "lead")
	env.UserWithRole(t, "Jules", "junior_moderator")
	nadia, ana := env.Member(t, "nadia"), env.Member(t, "ana")
	env.Member(t, "boris")
	tp, _, err := env.App.Topics.Create(testutil.Ctx(), nadia.Viewer(), topic.NewTopic{CategoryID: 1,
		Title: "Which tent for a rainy weekend?", Body: "Two people, light, and it must stay dry."})
	testutil.Must(t, err, "topic")
	_, reply, err := env.App.Topics.Reply(testutil.Ctx(), ana.Viewer(), tp.ID, topic.ReplyInput{Body: "Buy my tents at half price, write to me!"})
	testutil.Must(t, err, "reply")
	drain := func() { testutil.Must(t, env.App.Jobs.Drain(testutil.Ctx()), "drain jobs") }
	item := func(kind string) int64 {
		var it review.Item
		testutil.Must(t, env.App.DB.Where("kind = ? AND status = ?", kind, review.StatusOpen).Order("id DESC").Take(&it).Error, "open %s item", kind)
		return it.ID
	}
	b := env.Browser(t)

	// A member flags the reply from the topic page.
	signIn(t, b, "boris")
	b.Visit(t, tp.URL())
	// The post's "Flag" link opens the flag form, with the post quoted.
	b.Click(t, fmt.Sprintf("a.review-flag[href='/posts/%d/flag']", reply.ID))
	b.See(t, "h1", "Flag")
	b.See(t, ".review-prev", "Buy my tents")
	flagForm := fmt.Sprintf("form[action='/posts/%d/flag']", reply.ID)
	check(t, b, flagForm+" input[name=reason][value=spam]")
	b.Submit(t, flagForm)
	b.See(t, ".flash", "the team will look at it")
	b.Submit(t, "form[action='/logout']")

	// The junior moderator proposes to hide it, with a reason.
	signIn(t, b, "Jules")
	b.Click(t, ".nav a[href='/review']")
	b.See(t, "h1", "Review queue")
	flag := item(review.KindFlag)
	b.See(t, fmt.Sprintf("#item-%d", flag), "Buy my tents")
	b.See(t, fmt.Sprintf("#item-%d .review-flags", flag), "boris")
	// The keys move between items (the page works without them).
	var focused string
	b.Eval(t, `(() => { document.dispatchEvent(new KeyboardEvent("keydown", {key: "j"})); return JSON.stringify(document.activeElement.id) })()`, &focused)
	if focused != fmt.Sprintf("item-%d", flag) {
		t.Errorf("j focuses %q, want the first item", focused)
	}
	b.Fill(t, fmt.Sprintf("#reason-%d", flag), "Advertising is not allowed here")
	b.Click(t, fmt.Sprintf("button[form='d-%d'][value=hide]", flag))
	b.See(t, ".flash", "Your proposal waits")
	b.Submit(t, "form[action='/logout']")

	// The lead approves the proposal: the reply is hidden.
	signIn(t, b, "Lea")
	b.Visit(t, "/review?kind=proposal")
	proposal := item(review.KindProposal)
	b.See(t, fmt.Sprintf("#item-%d .review-proposal", proposal), "Jules proposes")
	b.Click(t, fmt.Sprintf("button[form='d-%d'][value=approve]", proposal))
	b.See(t, ".flash", "Decided")
	b.Submit(t, "form[action='/logout']")
	drain()

	// The author reads why, edits the reply and asks for review.
	signIn(t, b, "ana")
	b.Visit(t, "/notifications")
	b.See(t, "main", "was hidden: Advertising is not allowed here")
	b.Visit(t, tp.URL())
	b.See(t, ".mod-hidden", "Advertising is not allowed here")
	b.Visit(t, fmt.Sprintf("/posts/%d/edit", reply.ID))
	b.Eval(t, `(() => { document.querySelector("#f-body").value = "A light two-person tent with a full fly stays dry."; return "null" })()`, nil)
	b.Submit(t, fmt.Sprintf("form[action='/posts/%d/edit']", reply.ID))
	b.Visit(t, tp.URL())
	b.Fill(t, fmt.Sprintf("#review-note-%d", reply.ID), "I took the advertising out")
	b.Submit(t, fmt.Sprintf("form[action='/mod/posts/%d/review']", reply.ID))
	b.Submit(t, "form[action='/logout']")

	// The lead shows it again; everyone reads the new text.
	signIn(t, b, "Lea")
	b.Visit(t, "/review?kind=appeal")
	appeal := item(review.KindAppeal)
	b.See(t, fmt.Sprintf("#item-%d", appeal), "I took the advertising out")
	b.See(t, fmt.Sprintf("#item-%d", appeal), "full fly")
	b.Click(t, fmt.Sprintf("button[form='d-%d'][value=approve]", appeal))
	b.See(t, ".flash", "Decided")
	b.Submit(t, "form[action='/logout']")
	drain()
	b.Visit(t, tp.URL())
	if text := b.Text(t, "main"); !strings.Contains(text, "full fly stays dry") || strings.Contains(text, "half price") {
		t.Errorf("a visitor does not read the restored, edited reply:\n%s", text)
	}
	signIn(t, b, "ana")
	b.Visit(t, "/notifications")
	b.See(t, "main", "is shown again")
}
