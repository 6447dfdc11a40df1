package journey_test

import (
	"fmt"
	"strings"
	"testing"

	"causerie/app/testutil"
	"causerie/app/topic"
)

// TestModerationJourney follows the team at work, without a script: the
// administrator saves a hide reason in French; a moderator hides Omar's
// rude reply from the topic page with that reason (filled in by the form
// itself) and closes the topic from its staff page; Omar, who reads in
// French, sees his post and why, and the button to ask for review; a
// visitor sees neither. Every page passes the accessibility check, at
// desktop and phone widths.
func TestModerationJourney(t *testing.T) {
	env := testutil.New(t)
	env.UserWithRole(t, "Camille", "admin")
	env.UserWithRole(t, "Moana", "moderator")
	nadia := env.Member(t, "nadia")
	omar := env.Member(t, "omar")
	testutil.Must(t, env.App.DB.Exec("UPDATE users SET language = 'fr' WHERE id = ?", omar.ID).Error, "omar reads French")
	tp, _, err := env.App.Topics.Create(testutil.Ctx(), nadia.Viewer(), topic.NewTopic{CategoryID: 1,
		Title: "Which bike lights last the winter?", Body: "Mine died after two weeks of rain."})
	testutil.Must(t, err, "topic")
	_, reply, err := env.App.Topics.Reply(testutil.Ctx(), omar.Viewer(), tp.ID, topic.ReplyInput{Body: "Only idiots ride in the rain."})
	testutil.Must(t, err, "reply")

	b := env.Browser(t)
	signIn(t, b, "Camille")
	b.Visit(t, "/mod/canned")
	b.Click(t, "main a[href='/mod/canned/new?kind=hide']")
	b.Select(t, "#f-language", "fr")
	b.Fill(t, "#f-title", "Insulte")
	// An empty textarea cannot be filled by chromedp: set it from a script.
	b.Eval(t, `(() => { document.querySelector("#f-body").value = "Les insultes n'ont pas leur place ici."; return "null" })()`, nil)
	b.Submit(t, "form[action='/mod/canned']")
	b.See(t, ".mod-canned-list", "Insulte")
	b.Submit(t, "form[action='/logout']")

	signIn(t, b, "Moana")
	b.Visit(t, tp.URL())
	b.Eval(t, `(() => { document.querySelectorAll("details.mod-tools").forEach(d => d.open = true); return "null" })()`, nil)
	b.Click(t, fmt.Sprintf("a[href='/mod/posts/%d/hide']", reply.ID))
	b.See(t, "h1", "Hide this post")
	hideForm := fmt.Sprintf("form[action='/mod/posts/%d/hide']", reply.ID)
	// Hiding without a reason is refused next to the field.
	b.Click(t, hideForm+" button[type=submit]:not([name=fill])")
	b.See(t, "#f-reason-error", "Say why")
	var canned string
	b.Eval(t, `JSON.stringify(document.querySelector("#f-canned_id option:nth-child(2)").value)`, &canned)
	b.Select(t, "#f-canned_id", canned)
	b.Click(t, hideForm+" button[name=fill]")
	var got string
	b.Eval(t, `JSON.stringify(document.querySelector("#f-reason").value)`, &got)
	if !strings.Contains(got, "insultes") {
		t.Errorf("the saved reason was not put in the box: %q", got)
	}
	b.Click(t, hideForm+" button[type=submit]:not([name=fill])")
	b.See(t, ".flash", "The post is hidden")
	b.See(t, ".mod-hidden", "Les insultes")
	b.Visit(t, fmt.Sprintf("/mod/t/%d", tp.ID))
	b.Submit(t, fmt.Sprintf("form[action='/mod/t/%d/close']", tp.ID))
	b.See(t, ".flash", "closed")
	b.Submit(t, "form[action='/logout']")

	b.Visit(t, "/login")
	b.Fill(t, "#f-login", "omar")
	b.Fill(t, "#f-password", testutil.Password)
	b.Submit(t, "form[action='/login']")
	b.See(t, ".flash", "Vous êtes connecté")
	b.Visit(t, tp.URL())
	b.See(t, ".mod-hidden", "Les insultes n'ont pas leur place ici.")
	b.See(t, ".mod-hidden", "Demander un nouvel examen")
	b.Submit(t, "form[action='/logout']")
	b.Visit(t, tp.URL())
	if strings.Contains(b.Text(t, "main"), "Only idiots") {
		t.Error("a visitor reads the hidden post")
	}

	// The other staff forms pass the same checks.
	signIn(t, b, "Camille")
	for _, path := range []string{fmt.Sprintf("/mod/posts/%d/edit", reply.ID), fmt.Sprintf("/mod/posts/%d/delete", reply.ID),
		fmt.Sprintf("/mod/t/%d/reply", tp.ID), fmt.Sprintf("/mod/t/%d", tp.ID), fmt.Sprintf("/mod/posts/%d/purge", reply.ID)} {
		b.Visit(t, path)
	}
	b.Submit(t, fmt.Sprintf("form[action='/mod/posts/%d/purge']", reply.ID))
	b.See(t, "#f-confirm-error", "Tick the box")
}
