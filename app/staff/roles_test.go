package staff_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/testutil"
	"causerie/app/topic"
)

type apiRole struct {
	Name        string
	Rank        int
	Builtin     bool
	Permissions []string
}

// Administrators define roles, change built-in ones (not admin's), give
// them to members with a scope; each change is audited and reaches the
// member's next request.
func TestRoles(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newTeam(t, env)
		admin := bearer(t, env, w.admin)
		ctx := testutil.Ctx()

		list := want[struct{ Roles []apiRole }](t, admin.Get(t, "/api/v1/roles"), 200)
		if len(list.Roles) != 7 || list.Roles[0].Name != "admin" || list.Roles[len(list.Roles)-1].Name != "member" {
			t.Fatalf("built-in roles = %+v", list.Roles)
		}
		for _, r := range list.Roles { // the seeds are the built-in sets
			if r.Name == "admin" {
				continue
			}
			var built []string
			for _, p := range auth.Builtin[auth.Role(r.Name)] {
				built = append(built, string(p))
			}
			slices.Sort(built)
			if strings.Join(built, " ") != strings.Join(r.Permissions, " ") {
				t.Errorf("%s seeded with %v, auth.Builtin says %v", r.Name, r.Permissions, built)
			}
		}

		status(t, bearer(t, env, w.mod).Post(t, "/api/v1/roles", map[string]any{"name": "helper", "rank": 10}), 403)
		status(t, bearer(t, env, w.lead).Get(t, "/api/v1/roles"), 403)
		for _, bad := range []map[string]any{
			{"name": "Bad Name", "rank": 10}, {"name": "moderator", "rank": 10}, {"name": "helper", "rank": 100},
			{"name": "helper", "rank": 10, "permissions": []string{"posts.fly"}},
		} {
			status(t, admin.Post(t, "/api/v1/roles", bad), http.StatusUnprocessableEntity)
		}
		helper := want[apiRole](t, admin.Post(t, "/api/v1/roles", map[string]any{"name": "helper", "rank": 30,
			"permissions": []string{"topics.pin", "moderation.canned"}}), 201)
		if helper.Builtin || len(helper.Permissions) != 2 {
			t.Errorf("helper = %+v", helper)
		}
		status(t, admin.Do(t, "PATCH", "/api/v1/roles/admin", map[string]any{"permissions": []string{}}), 403)
		mod := want[apiRole](t, admin.Do(t, "PATCH", "/api/v1/roles/moderator", map[string]any{"permissions": append(list.Roles[2].Permissions, "topics.feature")}), 200)
		if !slices.Contains(mod.Permissions, "topics.feature") || mod.Rank != 60 {
			t.Errorf("moderator after the change = %+v", mod)
		}
		v, err := env.App.Users.ViewerByID(ctx, w.mod.ID)
		testutil.Must(t, err, "viewer")
		if !auth.CanFeature(v, w.general.Grants) {
			t.Error("a permission given to the moderator role does not reach moderators")
		}

		// A category may grant to the new role.
		_, err = env.App.Categories.Create(ctx, w.admin.Viewer(), category.Input{Name: "Helpers", Read: []string{"helper"}, Start: []string{"helper"}, Reply: []string{"helper"}})
		testutil.Must(t, err, "category for helpers")
		_, err = env.App.Categories.Create(ctx, w.admin.Viewer(), category.Input{Name: "Ghosts", Read: []string{"ghost"}})
		if err == nil {
			t.Error("a category granted to a role that does not exist")
		}

		status(t, admin.Do(t, "PUT", "/api/v1/users/bob/role", map[string]any{"role": "ghost"}), 422)
		status(t, admin.Do(t, "PUT", "/api/v1/users/bob/role", map[string]any{"role": "helper", "categories": []int64{999}}), 422)
		status(t, admin.Do(t, "PUT", "/api/v1/users/adele/role", map[string]any{"role": "member"}), 403)
		status(t, bearer(t, env, w.mod).Do(t, "PUT", "/api/v1/users/bob/role", map[string]any{"role": "helper"}), 403)
		got := want[struct {
			Role       string
			Categories []int64
		}](t, admin.Do(t, "PUT", "/api/v1/users/bob/role", map[string]any{"role": "helper", "categories": []int64{w.general.ID}}), 200)
		if got.Role != "helper" || len(got.Categories) != 1 {
			t.Errorf("bob = %+v", got)
		}
		bob, err := env.App.Users.ViewerByID(ctx, w.bob.ID)
		testutil.Must(t, err, "viewer")
		if !auth.CanPin(bob, w.general.Grants) || auth.CanPin(bob, w.other.Grants) || !slices.Equal(bob.Scope, []int64{w.general.ID}) {
			t.Errorf("bob, helper of %d: pin here %v, there %v, scope %v", w.general.ID, auth.CanPin(bob, w.general.Grants), auth.CanPin(bob, w.other.Grants), bob.Scope)
		}
		if e := entries(t, env, "user.role"); len(e) != 1 || !strings.Contains(e[0].Before, `"member"`) || !strings.Contains(e[0].After, `"helper"`) {
			t.Errorf("audit of the role = %+v", e)
		}

		status(t, admin.Do(t, "DELETE", "/api/v1/roles/helper", nil), http.StatusConflict)
		status(t, admin.Do(t, "DELETE", "/api/v1/roles/moderator", nil), http.StatusConflict)
		want[map[string]any](t, admin.Do(t, "PUT", "/api/v1/users/bob/role", map[string]any{"role": "member"}), 200)
		status(t, admin.Do(t, "DELETE", "/api/v1/roles/helper", nil), http.StatusNoContent)
		for _, a := range []string{"role.create", "role.update", "role.delete"} {
			if len(entries(t, env, a)) != 1 {
				t.Errorf("%s not audited", a)
			}
		}
	})
}

// The role pages: administrators see and change roles and a member's role
// and scope; others get 403; a form with an error keeps what was typed.
func TestRolePages(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newTeam(t, env)
		admin := env.Client()
		admin.Login(t, "adele")
		if res := admin.Get(t, "/admin/roles"); res.StatusCode != 200 || !strings.Contains(res.Body, "Junior moderators") {
			t.Fatalf("roles page: %d", res.StatusCode)
		}
		res := admin.Post(t, "/admin/roles", testutil.Form("role_name", "Not Valid", "role_rank", "20"))
		if res.StatusCode != 422 || !strings.Contains(res.Body, "Use 2 to 30 lowercase letters") || !strings.Contains(res.Body, `value="Not Valid"`) {
			t.Errorf("bad role name: %d", res.StatusCode)
		}
		form := testutil.Form("role_name", "greeter", "role_rank", "20")
		form.Add("perms", "moderation.canned")
		status(t, admin.Post(t, "/admin/roles", form), http.StatusSeeOther)
		if res := admin.Get(t, "/admin/roles/greeter"); !strings.Contains(res.Body, `value="moderation.canned" checked`) {
			t.Error("the role page does not show its permission")
		}
		if res := admin.Get(t, "/admin/categories/new"); !strings.Contains(res.Body, "Community leads") || !strings.Contains(res.Body, `value="greeter"`) || strings.Contains(res.Body, "role.greeter") {
			t.Error("the category form does not offer the roles")
		}
		scope := testutil.Form("role", "moderator")
		scope.Add("categories", "0")
		if res := admin.Post(t, "/u/bob/role", scope); res.StatusCode != 422 {
			t.Errorf("scope to a missing category: %d", res.StatusCode)
		}
		scope = testutil.Form("role", "moderator", "categories", itoa(w.other.ID))
		status(t, admin.Post(t, "/u/bob/role", scope), http.StatusSeeOther)

		// bob now moderates "other" only: a hidden topic there is his to see, not one elsewhere.
		inScope, outScope := w.topic(t, w.ana, w.other, "Hidden here"), w.topic(t, w.ana, w.general, "Hidden there")
		testutil.Must(t, env.App.DB.Model(&topic.Topic{}).Where("id IN ?", []int64{inScope.ID, outScope.ID}).Update("state", "hidden").Error, "hide")
		bob := env.Client()
		bob.Login(t, "bob")
		status(t, bob.Get(t, inScope.URL()), 200)
		status(t, bob.Get(t, outScope.URL()), 404)
		status(t, bob.Get(t, "/u/ana/staff"), 403) // scoped: no site-wide permission over members

		for _, who := range []string{"mona", "lea", "ana"} {
			c := env.Client()
			c.Login(t, who)
			for _, p := range []string{"/admin/roles", "/admin/roles/moderator"} {
				status(t, c.Get(t, p), 403)
			}
			status(t, c.Post(t, "/admin/roles", testutil.Form("role_name", "sneaky", "role_rank", "50")), 403)
		}
		status(t, env.Client().Get(t, "/admin/roles"), http.StatusSeeOther) // visitors: to the login page
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
