package staff_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"causerie/app/testutil"
)

// The boundaries hold on pages and in the API, for each kind of person:
// visitors are sent to log in (401 in the API), the others are refused
// what their role does not allow.
func TestBoundaries(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		newTeam(t, env)
		people := map[string]string{"visitor": "", "member": "ana", "junior": "jules", "moderator": "mona", "lead": "lea", "analyst": "alix", "admin": "adele"}
		pages := []struct {
			path  string
			allow string // who gets 200 (visitors get 303 to the login page)
		}{
			{"/admin/roles", "admin"},
			{"/admin/roles/lead", "admin"},
			{"/admin/audit", "admin lead analyst"},
			{"/admin/audit.csv", "admin lead analyst"},
			{"/u/bob/staff", "admin lead moderator junior"},
			{"/admin/categories/new", "admin"},
			{"/account/standing", "member junior moderator lead analyst admin"},
		}
		api := []struct {
			path  string
			allow string
		}{
			{"/api/v1/roles", "admin"},
			{"/api/v1/audit", "admin lead analyst"},
			{"/api/v1/users/bob/sanctions", "admin lead moderator junior"},
			{"/api/v1/users/bob/notes", "admin lead moderator junior"},
			{"/api/v1/me/standing", "member junior moderator lead analyst admin"},
		}
		for who, name := range people {
			page, token := env.Client(), visitor(env)
			if name != "" {
				page.Login(t, name)
				token = bearer(t, env, mustUser(t, env, name))
			}
			for _, p := range pages {
				want := http.StatusForbidden
				switch {
				case who == "visitor":
					want = http.StatusSeeOther
				case contains(p.allow, who):
					want = http.StatusOK
				}
				if res := page.Get(t, p.path); res.StatusCode != want {
					t.Errorf("%s GET %s = %d, want %d", who, p.path, res.StatusCode, want)
				}
			}
			for _, p := range api {
				want := http.StatusForbidden
				switch {
				case who == "visitor":
					want = http.StatusUnauthorized
				case contains(p.allow, who):
					want = http.StatusOK
				}
				if res := token.Get(t, p.path); res.StatusCode != want {
					t.Errorf("%s GET %s = %d, want %d", who, p.path, res.StatusCode, want)
				}
			}
		}
	})
}

func contains(list, who string) bool { return slices.Contains(strings.Fields(list), who) }

// Authentication reads the account and nothing more: roles and scopes come
// from memory.
func TestViewerCostsOneQuery(t *testing.T) {
	env := testutil.New(t)
	w := newTeam(t, env)
	ctx := testutil.Ctx()
	if _, err := env.App.Users.ViewerByID(ctx, w.mod.ID); err != nil { // warms the roles in memory
		t.Fatal(err)
	}
	qc := testutil.CountQueries(t, env.App.DB.DB)
	v, err := env.App.Users.ViewerByID(ctx, w.mod.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := qc.N(); n != 1 || v.Perms == nil || v.Rank != 60 {
		t.Errorf("ViewerByID: %d queries, perms %v, rank %d; want 1 query and the moderator's role", n, v.Perms, v.Rank)
	}
}

// A member's history is given to the team only, each part to those who
// may see it.
func TestHistoryOf(t *testing.T) {
	env := testutil.New(t)
	w := newTeam(t, env)
	want[map[string]any](t, bearer(t, env, w.mod).Post(t, "/api/v1/users/bob/sanctions", map[string]any{"kind": "warning", "reason": "Off topic"}), 201)
	want[map[string]any](t, bearer(t, env, w.mod).Post(t, "/api/v1/users/bob/notes", map[string]any{"body": "Means well."}), 201)
	for _, tc := range []struct {
		name            string
		sanctions, note int
	}{{"mona", 1, 1}, {"jules", 1, 1}, {"alix", 0, 0}, {"ana", 0, 0}} {
		v, err := env.App.Users.ViewerByID(testutil.Ctx(), mustUser(t, env, tc.name).ID)
		testutil.Must(t, err, "viewer")
		h, err := env.App.Staff.HistoryOf(testutil.Ctx(), v, w.bob.ID)
		testutil.Must(t, err, "history")
		if len(h.Sanctions) != tc.sanctions || len(h.Notes) != tc.note {
			t.Errorf("%s sees %d sanctions and %d notes", tc.name, len(h.Sanctions), len(h.Notes))
		}
	}
}
