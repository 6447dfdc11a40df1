package journey_test

import (
	"strconv"
	"strings"
	"testing"

	"causerie/app/testutil"
)

// TestStaffJourney: a moderator silences a member from her profile's team
// page and writes a note; the member sees the banner and why; a
// suspension keeps them out with the reason on the login page; the
// administrator defines a role and finds every action in the audit log.
// Every page passes the accessibility check, at desktop and phone widths.
func TestStaffJourney(t *testing.T) {
	env := testutil.New(t)
	env.UserWithRole(t, "Camille", "admin")
	env.UserWithRole(t, "Moana", "moderator")
	env.Member(t, "nadia")

	b := env.Browser(t)
	signIn(t, b, "Moana")
	b.Visit(t, "/u/nadia")
	b.Click(t, "main a[href='/u/nadia/staff']")
	b.See(t, "h1", "Team page: nadia")
	check(t, b, "input[name='sanction_kind'][value='silence']")
	b.Select(t, "#f-sanction_duration", "3")
	b.Submit(t, "form[action='/u/nadia/sanctions']")
	b.See(t, "#f-sanction_reason-error", "Please fill in this field.")
	setText(t, b, "#f-sanction_reason", "Three insulting replies in the pricing thread.")
	b.Submit(t, "form[action='/u/nadia/sanctions']")
	b.See(t, ".flash", "The member is silenced.")
	b.See(t, ".sanctions", "Three insulting replies")
	setText(t, b, "#f-note_body", "Calm in private messages; may be having a bad week.")
	b.Submit(t, "form[action='/u/nadia/notes']")
	b.See(t, ".notes", "bad week")
	b.Submit(t, "form[action='/logout']")

	signIn(t, b, "nadia")
	b.See(t, ".standing", "You are silenced until")
	b.Click(t, ".standing a[href='/account/standing']")
	b.See(t, ".sanctions", "Three insulting replies in the pricing thread.")
	if strings.Contains(b.Text(t, "main"), "bad week") {
		t.Error("the member sees the moderators' note")
	}
	b.Submit(t, "form[action='/logout']")

	signIn(t, b, "Moana")
	b.Visit(t, "/u/nadia/staff")
	check(t, b, "input[name='sanction_kind'][value='suspension']")
	b.Select(t, "#f-sanction_duration", "7")
	setText(t, b, "#f-sanction_reason", "Kept insulting after the silence.")
	b.Submit(t, "form[action='/u/nadia/sanctions']")
	b.See(t, ".flash", "The member is suspended and logged out.")
	b.Submit(t, "form[action='/logout']")
	b.Visit(t, "/login")
	b.Fill(t, "#f-login", "nadia")
	b.Fill(t, "#f-password", testutil.Password)
	b.Submit(t, "form[action='/login']")
	b.See(t, ".alert", "Your account is suspended until")
	b.See(t, ".alert", "Kept insulting after the silence.")

	signIn(t, b, "Camille")
	b.Click(t, ".nav a[href='/admin/roles']")
	b.See(t, "h1", "Roles")
	b.Fill(t, "#f-role_name", "greeter")
	b.Fill(t, "#f-role_rank", "15")
	check(t, b, "input[name='perms'][value='moderation.canned']")
	b.Submit(t, "form[action='/admin/roles']")
	b.See(t, ".flash", "The role was created.")
	b.Click(t, ".nav a[href='/admin/audit']")
	b.See(t, ".staff-table", "user.suspend")
	b.See(t, ".staff-table", "role.create")
	b.Fill(t, "#f-action", "user.silence")
	b.Submit(t, "form[action='/admin/audit']")
	if txt := b.Text(t, ".staff-table"); !strings.Contains(txt, "Three insulting") || strings.Contains(txt, "role.create") {
		t.Errorf("the filtered log shows:\n%s", txt)
	}
}

// check ticks a radio button or checkbox (Click waits for a new page).
func check(t *testing.T, b *testutil.Browser, sel string) {
	t.Helper()
	b.Eval(t, `(() => { document.querySelector("`+sel+`").checked = true; return "null" })()`, nil)
}

// setText fills a textarea (chromedp cannot clear an empty one).
func setText(t *testing.T, b *testutil.Browser, sel, value string) {
	t.Helper()
	b.Eval(t, `(() => { document.querySelector("`+sel+`").value = `+strconv.Quote(value)+`; return "null" })()`, nil)
}
