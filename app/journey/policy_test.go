package journey_test

import (
	"strings"
	"testing"
	"time"

	"causerie/app/auth"
	"causerie/app/config"
	"causerie/app/testutil"
	"causerie/app/topic"
)

// TestPolicyJourney: a person signs up past the robot trap without ever
// seeing it (nor hearing it with a screen reader); a community
// lead watches a word from the admin page (a broken regular expression is
// refused next to its field first), tries a text against the list, and
// the word is censored in the next reply. Every page passes the
// accessibility check, at desktop and phone widths.
func TestPolicyJourney(t *testing.T) {
	env := testutil.New(t, func(c *config.Config) {
		c.Antispam.RegisterMinTime = config.Duration{Duration: time.Second}
		c.Accounts.RequireConfirmation = false
	})
	env.UserWithRole(t, "Camille", "admin")
	env.UserWithRole(t, "Lena", "lead")
	max := env.Member(t, "max")
	general, err := env.App.Categories.ReadableByID(testutil.Ctx(), &auth.Viewer{}, 1)
	testutil.Must(t, err, "general category")
	tp, _, err := env.App.Topics.Create(testutil.Ctx(), max.Viewer(), topic.NewTopic{CategoryID: general.ID,
		Title: "Where to find the user manual?", Body: "I lost the paper one."})
	testutil.Must(t, err, "topic")

	b := env.Browser(t)
	shownAt := time.Now()
	b.Visit(t, "/register")
	var shown string
	b.Eval(t, `JSON.stringify(getComputedStyle(document.querySelector(".trap")).display)`, &shown)
	if shown != "none" {
		t.Errorf("the robot trap is displayed (%q)", shown)
	}
	b.Fill(t, "#f-username", "zoe")
	b.Fill(t, "#f-email", "zoe@example.test")
	b.Fill(t, "#f-password", "a long and fine password")
	// Reading the page and typing takes a person longer than the minimum
	// time (the HTTP tests send the form back too fast, as robots do); a
	// fast machine's browser may not, so it waits as a person would.
	time.Sleep(time.Until(shownAt.Add(1500 * time.Millisecond)))
	b.Submit(t, "form[action='/register']")
	b.See(t, ".flash", "")
	if b.Path(t) != "/" {
		t.Errorf("after signing up the person is on %s", b.Path(t))
	}
	b.Submit(t, "form[action='/logout']")

	signIn(t, b, "Lena")
	b.Visit(t, "/admin/watched-words")
	b.See(t, "h1", "Watched words")
	b.Fill(t, "#f-pattern", "(gratuit")
	b.Eval(t, `(() => { document.querySelector("input[name=regex]").checked = true; document.querySelector("input[name=action][value=censor]").checked = true; return "null" })()`, nil)
	b.Submit(t, "form[action='/admin/watched-words']")
	b.See(t, "#f-pattern-error", "(gratuit")
	b.Fill(t, "#f-pattern", "gratuit")
	b.Eval(t, `(() => { document.querySelector("input[name=regex]").checked = false; return "null" })()`, nil)
	b.Submit(t, "form[action='/admin/watched-words']")
	b.See(t, ".flash", "The word is watched from now on.")
	b.See(t, ".word-list", "gratuit")
	b.Eval(t, `(() => { document.querySelector("#f-text").value = "Manuel GRATUIT ici"; return "null" })()`, nil)
	b.Submit(t, "form[action='/admin/watched-words/try']")
	b.See(t, ".trial blockquote", "Manuel ■■■ ici")
	b.Submit(t, "form[action='/logout']")

	signIn(t, b, "max")
	b.Visit(t, tp.URL())
	b.Eval(t, `(() => { document.querySelector("#f-body").value = "Le manuel gratuit est sur le site."; return "null" })()`, nil)
	b.Submit(t, "form[action$='/reply']")
	if text := b.Text(t, "main"); !strings.Contains(text, "Le manuel ■■■ est sur le site.") {
		t.Errorf("the reply is not censored:\n%s", text)
	}
}
