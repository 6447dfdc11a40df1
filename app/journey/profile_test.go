package journey_test

import (
	"strings"
	"testing"

	"causerie/app/auth"
	"causerie/app/testutil"
	"causerie/app/topic"
)

// TestProfileJourney follows a member's standing: Nadia's first topic earns
// a badge, she fills in her profile (a website without its scheme is
// refused next to the field, the rest kept), her profile shows it, the
// badge pages list her, the leaderboard ranks the member her reaction
// rewarded, and a moderator locks her trust level from her profile. Every
// page passes the accessibility check, at desktop and phone widths.
func TestProfileJourney(t *testing.T) {
	env := testutil.New(t)
	env.UserWithRole(t, "Camille", "admin")
	env.UserWithRole(t, "Moana", "moderator")
	nadia := env.Member(t, "nadia")
	omar := env.Member(t, "omar")
	general, err := env.App.Categories.ReadableByID(testutil.Ctx(), &auth.Viewer{}, 1)
	testutil.Must(t, err, "general category")
	tp, _, err := env.App.Topics.Create(testutil.Ctx(), nadia.Viewer(), topic.NewTopic{CategoryID: general.ID,
		Title: "Which bike lights last the winter?", Body: "Mine died after two weeks of rain.", Kind: topic.KindQuestion})
	testutil.Must(t, err, "topic")
	_, answer, err := env.App.Topics.Reply(testutil.Ctx(), omar.Viewer(), tp.ID, topic.ReplyInput{Body: "Sealed USB ones, with a rubber cap."})
	testutil.Must(t, err, "reply")
	_, err = env.App.Topics.React(testutil.Ctx(), nadia.Viewer(), answer.ID, "thanks")
	testutil.Must(t, err, "react")
	testutil.Must(t, env.App.Jobs.Drain(testutil.Ctx()), "drain")

	b := env.Browser(t)
	signIn(t, b, "nadia")
	b.Visit(t, "/account")
	b.Click(t, "main a[href='/account/profile']")
	b.See(t, "h1", "Your public profile")
	b.Fill(t, "#f-display_name", "Nadia B.")
	// An empty textarea cannot be cleared by chromedp: set it from a script.
	b.Eval(t, `(() => { document.querySelector("#f-bio").value = "I commute by bike, **all year**."; return "null" })()`, nil)
	b.Fill(t, "#f-location", "Grenoble")
	b.Fill(t, "#f-website", "nadia.example.com")
	b.Submit(t, "form[action='/account/profile']")
	b.See(t, "#f-website-error", "https://")
	if got := b.Attr(t, "#f-location", "value"); got != "Grenoble" {
		t.Errorf("after an error the location holds %q, want what was typed", got)
	}
	b.Fill(t, "#f-website", "https://nadia.example.com")
	b.Submit(t, "form[action='/account/profile']")
	b.See(t, ".flash", "Your profile is saved.")
	b.See(t, "h1", "Nadia B.")
	b.See(t, ".bio", "all year")
	b.See(t, ".badge-list", "First post")
	b.See(t, ".profile-stats", "Topics")

	b.Click(t, ".badge-list a[href='/badges/first_post']")
	b.See(t, ".people", "Nadia B.")
	b.Click(t, "main a[href='/badges']")
	b.See(t, ".badge-cards", "Welcome")
	b.Click(t, "main a[href='/leaderboard']")
	b.See(t, ".leaderboard", "omar")
	b.Click(t, ".tabs a[href='/leaderboard?period=all']")
	if got := b.Attr(t, ".tabs a[aria-current=page]", "href"); got != "/leaderboard?period=all" {
		t.Errorf("the current period tab is %q", got)
	}

	// A moderator locks Nadia at "member".
	b.Submit(t, "form[action='/logout']")
	signIn(t, b, "Moana")
	b.Visit(t, "/u/nadia")
	b.Select(t, "#f-level", "2")
	b.Submit(t, "form[action='/u/nadia/trust']")
	b.See(t, ".flash", "The trust level is saved.")
	b.See(t, ".profile-meta", "Member")
	if !strings.Contains(b.Text(t, ".staff-box"), "Locked") {
		t.Error("the staff box does not say the level is locked")
	}
}

func signIn(t *testing.T, b *testutil.Browser, username string) {
	t.Helper()
	b.Visit(t, "/login")
	b.Fill(t, "#f-login", username)
	b.Fill(t, "#f-password", testutil.Password)
	b.Submit(t, "form[action='/login']")
	b.See(t, ".flash", "You are logged in.")
}
