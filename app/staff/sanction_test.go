package staff_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"causerie/app/staff"
	"causerie/app/testutil"
	"causerie/app/user"
)

type apiSanction struct {
	ID        int64   `json:"id"`
	Kind      string  `json:"kind"`
	Reason    string  `json:"reason"`
	EndsAt    *string `json:"ends_at"`
	Permanent bool    `json:"permanent"`
	InForce   bool    `json:"in_force"`
	By        string  `json:"by"`
	LiftedAt  *string `json:"lifted_at"`
}

// A silenced member reads but cannot reply, react or flag, sees why and
// until when; lifting it is audited and lets them post again.
func TestSilence(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newTeam(t, env)
		tp := w.topic(t, w.bob, w.general, "A busy topic")
		mod, ana := bearer(t, env, w.mod), session(t, env, w.ana)
		path := "/api/v1/users/ana/sanctions"

		res := mod.Post(t, path, map[string]any{"kind": "silence", "reason": "Insults in the thread about prices.", "duration": "3"})
		sn := want[apiSanction](t, res, http.StatusCreated)
		end, _ := time.Parse(time.RFC3339, *sn.EndsAt)
		if !sn.InForce || sn.Permanent || sn.By != "mona" || time.Until(end) < 71*time.Hour || time.Until(end) > 73*time.Hour {
			t.Errorf("silence = %+v, want in force for 3 days, by mona", sn)
		}
		status(t, ana.Post(t, fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID), map[string]any{"body": "I still want to say this"}), http.StatusForbidden)
		if res := ana.Client.Get(t, tp.URL()); res.StatusCode != 200 || !strings.Contains(res.Body, "You are silenced until") || strings.Contains(res.Body, `name="body"`) {
			t.Errorf("topic page for the silenced member: %d, banner and no reply box expected", res.StatusCode)
		}
		mine := want[struct{ Sanctions []apiSanction }](t, ana.Get(t, "/api/v1/me/standing"), 200)
		if len(mine.Sanctions) != 1 || mine.Sanctions[0].Reason != "Insults in the thread about prices." || mine.Sanctions[0].By != "" {
			t.Errorf("own standing = %+v, want the reason and not who gave it", mine.Sanctions)
		}
		if e := entries(t, env, "user.silence"); len(e) != 1 || *e[0].ActorID != w.mod.ID || e[0].ObjectID != w.ana.ID || e[0].Reason == "" {
			t.Errorf("audit of the silence = %+v", e)
		}

		lift := fmt.Sprintf("%s/%d/lift", path, sn.ID)
		status(t, mod.Post(t, lift, map[string]any{"reason": " "}), http.StatusUnprocessableEntity)
		lifted := want[apiSanction](t, mod.Post(t, lift, map[string]any{"reason": "Apologised."}), 200)
		if lifted.InForce || lifted.LiftedAt == nil {
			t.Errorf("lifted = %+v", lifted)
		}
		status(t, mod.Post(t, lift, map[string]any{"reason": "Again"}), http.StatusConflict)
		status(t, ana.Post(t, fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID), map[string]any{"body": "Sorry for what I said."}), http.StatusCreated)
		if e := entries(t, env, "sanction.lift"); len(e) != 1 || e[0].Reason != "Apologised." || *e[0].ActorID != w.mod.ID {
			t.Errorf("audit of the lift = %+v", e)
		}
	})
}

// Only those who outrank the member may sanction them; bad input names the
// field.
func TestSanctionRights(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newTeam(t, env)
		body := map[string]any{"kind": "warning", "reason": "Please stay on topic."}
		mod := bearer(t, env, w.mod)
		for _, tc := range []struct {
			by     *caller
			target string
			code   int
		}{
			{mod, "lea", 403}, {mod, "adele", 403}, {mod, "mona", 403},
			{bearer(t, env, w.ana), "bob", 403}, {bearer(t, env, w.junior), "bob", 403}, {bearer(t, env, w.analyst), "bob", 403},
			{visitor(env), "bob", 401}, {mod, "nobody", 404},
			{bearer(t, env, w.lead), "mona", 201}, {bearer(t, env, w.admin), "lea", 201}, {mod, "jules", 201},
		} {
			status(t, tc.by.Post(t, "/api/v1/users/"+tc.target+"/sanctions", body), tc.code)
		}
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"kind": "ban", "reason": "x"}, "kind"},
			{map[string]any{"kind": "silence", "reason": ""}, "reason"},
			{map[string]any{"kind": "silence", "reason": "x", "duration": "0"}, "duration"},
			{map[string]any{"kind": "suspension", "reason": "x", "ends_at": "2001-01-01T00:00:00Z"}, "ends_at"},
		} {
			res := want[struct {
				Error struct{ Fields map[string]string }
			}](t, mod.Post(t, "/api/v1/users/bob/sanctions", tc.body), 422)
			if res.Error.Fields[tc.field] == "" {
				t.Errorf("%v: fields %v, want %s named", tc.body, res.Error.Fields, tc.field)
			}
		}
		status(t, bearer(t, env, w.ana).Get(t, "/api/v1/users/bob/sanctions"), 403)
		list := want[struct{ Sanctions []apiSanction }](t, bearer(t, env, w.junior).Get(t, "/api/v1/users/jules/sanctions"), 200)
		if len(list.Sanctions) != 1 || list.Sanctions[0].By != "mona" {
			t.Errorf("junior's own history as the team sees it = %+v", list.Sanctions)
		}
	})
}

// A suspended member is logged out at once, their token stops working, and
// the login page says until when and why in their language; the suspension
// ends by itself.
func TestSuspension(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newTeam(t, env)
		ana, token := session(t, env, w.ana), bearer(t, env, w.ana)
		status(t, ana.Get(t, "/api/v1/me"), 200)
		sn := want[apiSanction](t, bearer(t, env, w.mod).Post(t, "/api/v1/users/ana/sanctions",
			map[string]any{"kind": "suspension", "reason": "Publicité répétée", "duration": "7"}), 201)
		status(t, ana.Get(t, "/api/v1/me"), 401)
		status(t, token.Get(t, "/api/v1/me"), 401)

		fr := env.Client()
		fr.Header.Set("Accept-Language", "fr")
		res := fr.Post(t, "/login", testutil.Form("login", "ana", "password", testutil.Password))
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "Votre compte est suspendu jusqu’au") ||
			!strings.Contains(res.Body, "Publicité répétée") || !strings.Contains(res.Body, (*sn.EndsAt)[:10]) {
			t.Fatalf("login while suspended: %d\n%s", res.StatusCode, res.Body)
		}

		past := time.Now().UTC().Add(-time.Minute)
		testutil.Must(t, env.App.DB.Model(&staff.Sanction{}).Where("id = ?", sn.ID).Update("ends_at", past).Error, "end")
		testutil.Must(t, env.App.DB.Model(&user.User{}).Where("id = ?", w.ana.ID).Update("suspended_until", past).Error, "end")
		env.Client().Login(t, "ana") // ended by itself: no lift needed
		status(t, token.Get(t, "/api/v1/me"), 200)

		want[apiSanction](t, bearer(t, env, w.admin).Post(t, "/api/v1/users/bob/sanctions",
			map[string]any{"kind": "suspension", "reason": "Spam bot", "duration": "permanent"}), 201)
		res = env.Client().Post(t, "/login", testutil.Form("login", "bob", "password", testutil.Password))
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "suspended for good") || !strings.Contains(res.Body, "Spam bot") {
			t.Errorf("login while suspended for good: %d\n%.2000s", res.StatusCode, res.Body)
		}
	})
}

// A warning is a message the member sees on every page until they read it.
func TestWarningPages(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		newTeam(t, env)
		mod := env.Client()
		mod.Login(t, "mona")
		res := mod.Post(t, "/u/ana/sanctions", testutil.Form("sanction_kind", "warning", "sanction_reason", ""))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Please fill in this field.") {
			t.Fatalf("warning without a reason: %d", res.StatusCode)
		}
		res = mod.Post(t, "/u/ana/sanctions", testutil.Form("sanction_kind", "warning", "sanction_reason", "Keep the tone friendly, please."))
		status(t, res, http.StatusSeeOther)
		if page := mod.Get(t, "/u/ana/staff"); !strings.Contains(page.Body, "Keep the tone friendly, please.") {
			t.Errorf("the team page does not list the warning")
		}
		ana := env.Client()
		ana.Login(t, "ana")
		if home := ana.Get(t, "/"); !strings.Contains(home.Body, "You have a warning from the moderators.") {
			t.Error("no warning banner")
		}
		if page := ana.Get(t, "/account"); !strings.Contains(page.Body, `href="/account/standing"`) {
			t.Error("the account page does not lead to the member's standing")
		}
		if page := ana.Get(t, "/account/standing"); !strings.Contains(page.Body, "Keep the tone friendly, please.") {
			t.Error("the member does not see the warning's reason")
		}
		status(t, ana.Post(t, "/account/standing/read", nil), http.StatusSeeOther)
		if home := ana.Get(t, "/"); strings.Contains(home.Body, "You have a warning from the moderators.") {
			t.Error("the banner stays after reading")
		}
		if e := entries(t, env, "user.warn"); len(e) != 1 {
			t.Errorf("warnings audited: %d", len(e))
		}
		status(t, ana.Get(t, "/u/bob/staff"), http.StatusForbidden)
		status(t, ana.Post(t, "/u/bob/sanctions", testutil.Form("sanction_kind", "warning", "sanction_reason", "x")), http.StatusForbidden)
	})
}

// Moderator notes: the team writes and reads them, members never.
func TestNotes(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		newTeam(t, env)
		junior := bearer(t, env, mustUser(t, env, "jules"))
		status(t, junior.Post(t, "/api/v1/users/ana/notes", map[string]any{"body": ""}), 422)
		want[map[string]any](t, junior.Post(t, "/api/v1/users/ana/notes", map[string]any{"body": "Was rude in March; calmer since."}), 201)
		notes := want[struct {
			Notes []struct{ Body, Author string }
		}](t, bearer(t, env, mustUser(t, env, "mona")).Get(t, "/api/v1/users/ana/notes"), 200)
		if len(notes.Notes) != 1 || notes.Notes[0].Author != "jules" {
			t.Errorf("notes = %+v", notes.Notes)
		}
		ana := bearer(t, env, mustUser(t, env, "ana"))
		status(t, ana.Get(t, "/api/v1/users/ana/notes"), 403)
		status(t, bearer(t, env, mustUser(t, env, "alix")).Get(t, "/api/v1/users/ana/notes"), 403)
		if res := ana.Get(t, "/api/v1/me/standing"); strings.Contains(res.Body, "Was rude") {
			t.Error("a member sees a note about them")
		}
		if e := entries(t, env, "user.note"); len(e) != 1 {
			t.Errorf("notes audited: %d", len(e))
		}
	})
}

func mustUser(t *testing.T, env *testutil.Env, name string) *user.User {
	t.Helper()
	u, err := env.App.Users.Store().ByUsername(testutil.Ctx(), name)
	testutil.Must(t, err, "user %s", name)
	return u
}
