package category_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"causerie/app/category"
	"causerie/app/testutil"
)

// An administrator edits a category's name, order, grants and allowed tags
// from its form; the topics that follow must keep to the tags; members
// cannot reach the form.
func TestEditCategoryPage(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		admin := env.UserWithRole(t, "ada", "admin")
		env.Member(t, "mel")
		c := env.Client()
		c.Login(t, admin.Username)
		page := c.Get(t, "/admin/categories/1/edit")
		if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, `name="allowed_tags"`) {
			t.Fatalf("edit page: %d\n%s", page.StatusCode, page.Body)
		}
		bad := c.Post(t, "/admin/categories/1", testutil.Form("name", "General", "slug", "general", "color", "#2457c5",
			"allowed_tags", "ok, not a tag!", "read", "everyone", "start", "members", "reply", "members"))
		if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, `id="f-allowed_tags-error"`) ||
			!strings.Contains(bad.Body, "not a tag!") {
			t.Fatalf("a bad tag must be refused next to its field and the input kept: %d\n%s", bad.StatusCode, bad.Body)
		}
		res := c.Post(t, "/admin/categories/1", testutil.Form("name", "Questions", "slug", "questions", "color", "#aa3300",
			"position", "3", "allowed_tags", "Billing, #Shipping", "read", "everyone", "start", "members", "reply", "members"))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/c/questions" {
			t.Fatalf("save: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
		}
		cat, err := env.App.Categories.Edited(testutil.Ctx(), 1)
		testutil.Must(t, err, "read the category")
		if cat.Name != "Questions" || cat.Position != 3 || cat.Color != "#aa3300" ||
			strings.Join(cat.AllowedTags, ",") != "billing,shipping" {
			t.Errorf("saved = %+v", cat)
		}
		if again := c.Get(t, "/admin/categories/1/edit"); !strings.Contains(again.Body, `value="billing, shipping"`) ||
			!strings.Contains(again.Body, `value="3"`) {
			t.Errorf("the form must show the saved tags and position:\n%s", again.Body)
		}

		m := env.Client()
		m.Login(t, "mel")
		if got := m.Get(t, "/admin/categories/1/edit").StatusCode; got != http.StatusForbidden {
			t.Errorf("member opening the form: %d, want 403", got)
		}
		if got := m.Post(t, "/admin/categories/1", testutil.Form("name", "Mine")).StatusCode; got != http.StatusForbidden {
			t.Errorf("member saving the form: %d, want 403", got)
		}
		newTopic := m.Post(t, "/new", testutil.Form("category_id", "1", "title", "Where is my parcel today?",
			"body", "It has been a week and nothing has arrived yet.", "kind", "question", "tags", "weather"))
		if newTopic.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a tag the category does not allow must be refused: %d", newTopic.StatusCode)
		}
	})
}

// PATCH changes only the fields it names; GET shows a category with its
// allowed tags to whoever may read it, and a private one to no one else.
func TestCategoryAPIEdit(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		admin := env.UserWithRole(t, "ada", "admin")
		member := env.Member(t, "mel")
		patch := func(u string, body string) *testutil.Response {
			tok, err := env.App.Users.CreateAPIToken(testutil.Ctx(), u, "t")
			testutil.Must(t, err, "token")
			req, _ := http.NewRequest(http.MethodPatch, env.URL("/api/v1/categories/1"), bytes.NewBufferString(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tok)
			return env.Client().Do(t, req)
		}
		if got := patch(member.Username, `{"name":"Mine"}`).StatusCode; got != http.StatusForbidden {
			t.Errorf("member PATCH: %d, want 403", got)
		}
		res := patch(admin.Username, `{"description":"Ask anything","tags":["billing"]}`)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("PATCH: %d\n%s", res.StatusCode, res.Body)
		}
		var got category.APICategory
		testutil.Must(t, json.Unmarshal([]byte(res.Body), &got), "decode")
		if got.Name == "" || got.Slug != "general" || got.Description != "Ask anything" || len(got.AllowedTags) != 1 {
			t.Errorf("PATCH kept the other fields? %+v", got)
		}
		if bad := patch(admin.Username, `{"color":"red"}`); bad.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(bad.Body, `"color"`) {
			t.Errorf("a bad colour must name the field: %d %s", bad.StatusCode, bad.Body)
		}
		if res := env.Client().Get(t, "/api/v1/categories/1"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"billing"`) {
			t.Errorf("GET: %d %s", res.StatusCode, res.Body)
		}
		private := patch(admin.Username, `{"read":["moderator"]}`)
		if private.StatusCode != http.StatusOK {
			t.Fatalf("make private: %d %s", private.StatusCode, private.Body)
		}
		env.App.Categories.Invalidate()
		if got := env.Client().Get(t, "/api/v1/categories/1").StatusCode; got != http.StatusNotFound {
			t.Errorf("a visitor reading a private category: %d, want 404", got)
		}
	})
}
