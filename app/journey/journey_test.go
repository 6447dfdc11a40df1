package journey_test

import (
	"net/url"
	"testing"

	"causerie/app/testutil"
)

// TestAccountJourney follows the first hours of a forum: its owner claims it
// with the setup code, a newcomer signs up, confirms with the link the mail
// server received, logs out, fails then succeeds to log in, and switches the
// forum to French.
func TestAccountJourney(t *testing.T) {
	env := testutil.New(t)
	b := env.Browser(t)

	// First run: the setup code is what the server prints in its log.
	code, err := env.App.Users.PrepareSetup(testutil.Ctx())
	testutil.Must(t, err, "prepare setup")
	b.Visit(t, "/setup")
	b.See(t, "h1", "Set up your forum")
	b.Fill(t, "#f-code", code)
	b.Fill(t, "#f-username", "Camille")
	b.Fill(t, "#f-email", "camille@example.test")
	b.Fill(t, "#f-password", "lantern orchard velvet")
	b.Submit(t, "form[action='/setup']")
	b.See(t, ".flash", "Your forum is ready, and you are its administrator.")
	b.See(t, ".nav a[href='/account']", "Camille")

	b.Submit(t, "form[action='/logout']")
	b.See(t, ".flash", "You are logged out.")
	b.See(t, ".nav", "Log in")

	// A newcomer signs up and is asked to check their inbox.
	b.Click(t, ".nav a[href='/register']")
	b.See(t, "h1", "Create your account")
	b.Fill(t, "#f-username", "Ana_Lima")
	b.Fill(t, "#f-email", "ana@example.test")
	b.Fill(t, "#f-password", "blue tangerine forest")
	b.Submit(t, "form[action='/register']")
	b.See(t, "h1", "Check your inbox")
	b.See(t, "main", "ana@example.test")

	// The link comes from the mail the SMTP server received.
	link := env.Mail.Last(t, "ana@example.test").Link("/confirm/")
	if link == "" {
		t.Fatal("the confirmation mail has no /confirm/ link")
	}
	u, err := url.Parse(link)
	testutil.Must(t, err, "parse %q", link)
	b.Visit(t, u.Path)
	b.See(t, ".flash", "your e-mail address is confirmed")
	b.See(t, ".nav a[href='/account']", "Ana_Lima")

	b.Submit(t, "form[action='/logout']")
	b.See(t, ".flash", "You are logged out.")

	// A typo first: the error shows, and what was typed stays.
	b.Click(t, ".nav a[href='/login']")
	b.See(t, "h1", "Log in")
	b.Fill(t, "#f-login", "ana_lima")
	b.Fill(t, "#f-password", "blue tangerine forrest")
	b.Submit(t, "form[action='/login']")
	b.See(t, ".alert", "do not match")
	if got := b.Attr(t, "#f-login", "value"); got != "ana_lima" {
		t.Errorf("after a failed login the username field holds %q, want what was typed", got)
	}
	b.Fill(t, "#f-password", "blue tangerine forest")
	b.Submit(t, "form[action='/login']")
	b.See(t, ".flash", "You are logged in.")
	b.See(t, ".nav a[href='/account']", "Ana_Lima")

	// The account page, then French from the switch in the header.
	b.Click(t, ".nav a[href='/account']")
	b.See(t, "h1", "Your account")
	b.Select(t, "#lang-switch", "fr")
	b.Submit(t, "form.language")
	if got := b.Attr(t, "html", "lang"); got != "fr" {
		t.Errorf("after switching to French the page has lang=%q", got)
	}
	b.See(t, "h1", "Votre compte")
	b.See(t, ".nav", "Se déconnecter")

	// The choice outlives the session.
	b.Submit(t, "form[action='/logout']")
	b.See(t, ".flash", "Vous êtes déconnecté.")
	b.See(t, ".nav a[href='/login']", "Se connecter")
	b.See(t, ".tabs", "Récents")
}
