package moderation_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"causerie/app/testutil"
)

// A visitor never sees a hidden post from the page cache; the author sees
// why on the topic page; the hide form works without script; the API
// answers as documented.
func TestPagesAPIAndCache(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		f := setup(t, env)
		tp, posts := f.topic(t, f.catA, "A topic seen by visitors", "a reply that will be hidden soon")
		visitor := env.Client()
		if res := visitor.Get(t, tp.URL()); !strings.Contains(res.Body, "a reply that will be hidden soon") {
			t.Fatalf("visitor does not see the reply: %d", res.StatusCode)
		}
		visitor.Get(t, tp.URL()) // now from the cache

		staff := env.Client()
		staff.Login(t, "boss")
		form := staff.Get(t, fmt.Sprintf("/mod/posts/%d/hide", posts[1].ID))
		if form.StatusCode != http.StatusOK || !strings.Contains(form.Body, `name="reason"`) {
			t.Fatalf("hide form: %d", form.StatusCode)
		}
		if res := staff.Post(t, fmt.Sprintf("/mod/posts/%d/hide", posts[1].ID), testutil.Form("reason", "")); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(res.Body, "Say why") {
			t.Errorf("hide without reason: %d", res.StatusCode)
		}
		testutil.Must(t, env.App.DB.Exec("UPDATE users SET language = 'fr' WHERE id = ?", f.other.ID).Error, "bob reads French")
		res := staff.Post(t, fmt.Sprintf("/mod/posts/%d/hide", posts[1].ID), testutil.Form("reason", "Spam link"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("hide: %d %s", res.StatusCode, res.Body)
		}
		// The staff member is told it is done, on the page the form leads to.
		next := res.Header.Get("Location")
		for i := 0; i < 3 && next != ""; i++ {
			res = staff.Get(t, next)
			next = res.Header.Get("Location")
		}
		if !strings.Contains(res.Body, "The post is hidden") {
			t.Errorf("no flash message after hiding: %d", res.StatusCode)
		}
		if res := visitor.Get(t, tp.URL()); strings.Contains(res.Body, "a reply that will be hidden soon") {
			t.Error("a visitor sees the hidden post (stale cache)")
		}
		author := env.Client()
		author.Login(t, "bob")
		page := author.Get(t, tp.URL())
		if !strings.Contains(page.Body, "Spam link") || !strings.Contains(page.Body, fmt.Sprintf("/mod/posts/%d/review", posts[1].ID)) {
			t.Error("the author does not see why the post was hidden, nor how to ask for review")
		}
		testutil.Must(t, env.App.Jobs.Drain(testutil.Ctx()), "drain")
		if res := author.Get(t, "/notifications"); !strings.Contains(res.Body, "L&#39;équipe a masqué votre message") || !strings.Contains(res.Body, "Spam link") {
			t.Errorf("the author's notification does not say, in French, why the post was hidden:\n%s", res.Body)
		}
		if res := author.Get(t, fmt.Sprintf("/mod/posts/%d/hide", posts[1].ID)); res.StatusCode != http.StatusForbidden {
			t.Errorf("member opens the hide form: %d", res.StatusCode)
		}

		// API: restore, feature, refused to a member.
		api := func(c *testutil.Client, method, path, body string) *testutil.Response {
			req, _ := http.NewRequest(method, env.URL(path), strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", c.CSRF())
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			return c.Do(t, req)
		}
		if res := api(author, http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/restore", posts[1].ID), `{}`); res.StatusCode != http.StatusForbidden {
			t.Errorf("member restores by API: %d %s", res.StatusCode, res.Body)
		}
		if res := api(staff, http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/restore", posts[1].ID), `{}`); res.StatusCode != http.StatusOK ||
			!strings.Contains(res.Body, `"state":"published"`) {
			t.Errorf("restore by API: %d %s", res.StatusCode, res.Body)
		}
		if res := visitor.Get(t, tp.URL()); !strings.Contains(res.Body, "a reply that will be hidden soon") {
			t.Error("the visitor does not see the restored post")
		}
		if res := api(staff, http.MethodPost, fmt.Sprintf("/api/v1/topics/%d/feature", tp.ID), ``); res.StatusCode != http.StatusOK ||
			!strings.Contains(res.Body, `"action":"topic.feature"`) {
			t.Errorf("feature by API: %d %s", res.StatusCode, res.Body)
		}
		if res := api(staff, http.MethodDelete, fmt.Sprintf("/api/v1/topics/%d/feature", tp.ID), ``); res.StatusCode != http.StatusOK {
			t.Errorf("unfeature by API: %d %s", res.StatusCode, res.Body)
		}
		if res := api(staff, http.MethodPost, fmt.Sprintf("/api/v1/topics/%d/pin", tp.ID), `{"scope":"everywhere"}`); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("bad pin scope: %d %s", res.StatusCode, res.Body)
		}
		if res := api(staff, http.MethodPost, "/api/v1/canned-responses", `{"kind":"hide","language":"en","title":"Spam","body":"Advertising is not allowed here."}`); res.StatusCode != http.StatusCreated {
			t.Errorf("create canned by API: %d %s", res.StatusCode, res.Body)
		}
		if res := staff.Get(t, "/api/v1/canned-responses?kind=hide"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Advertising") {
			t.Errorf("list canned by API: %d %s", res.StatusCode, res.Body)
		}
		if res := author.Get(t, "/api/v1/canned-responses"); res.StatusCode != http.StatusForbidden {
			t.Errorf("member lists canned by API: %d", res.StatusCode)
		}
		var canned struct{ ID int64 }
		testutil.Must(t, env.App.DB.Table("canned_responses").Select("id").Take(&canned).Error, "canned id")
		testutil.Must(t, env.App.DB.Exec("UPDATE canned_responses SET kind = 'reply'").Error, "make it a reply")
		if res := staff.Get(t, fmt.Sprintf("/mod/t/%d/reply?canned_id=%d", tp.ID, canned.ID)); res.StatusCode != http.StatusOK ||
			!strings.Contains(res.Body, ">Advertising is not allowed here.</textarea>") {
			t.Errorf("the composer with a canned reply: %d", res.StatusCode)
		}
		if res := staff.Get(t, fmt.Sprintf("/mod/t/%d", tp.ID)); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Merge into another topic") {
			t.Errorf("topic tools page: %d", res.StatusCode)
		}
		if res := staff.Post(t, fmt.Sprintf("/mod/t/%d/close", tp.ID), nil); res.StatusCode != http.StatusSeeOther {
			t.Errorf("close by page: %d", res.StatusCode)
		}

		// Merge by its address: the old address leads to the target.
		dup, _ := f.topic(t, f.catA, "A duplicate of the topic", "a reply in the duplicate")
		if res := staff.Post(t, fmt.Sprintf("/mod/t/%d/merge", dup.ID), testutil.Form("into_topic_id", "/t/nope/999999")); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(res.Body, "existing topic") {
			t.Errorf("merge into a topic that does not exist: %d", res.StatusCode)
		}
		if res := staff.Post(t, fmt.Sprintf("/mod/t/%d/merge", dup.ID), testutil.Form("into_topic_id", env.URL(tp.URL()))); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("merge: %d %s", res.StatusCode, res.Body)
		}
		res = visitor.Get(t, dup.URL())
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != fmt.Sprintf("/t/-/%d", tp.ID) {
			t.Errorf("the merged topic's address: %d → %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res := visitor.Get(t, tp.URL()); !strings.Contains(res.Body, "a reply in the duplicate") {
			t.Error("the merged posts are not on the target's page")
		}
	})
}

// The roles, through the API as their sessions carry them: an editor
// features but does not hide, an analyst changes nothing, a moderator
// scoped to one category acts there only, a junior moderator's hide is a
// proposal, and an author asks for review of their hidden post.
func TestRolesThroughTheAPI(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		f := setup(t, env)
		_, inA := f.topic(t, f.catA, "A topic in the first category", "a reply in the first category")
		tpB, inB := f.topic(t, f.catB, "A topic in the second category", "a reply in the second category")
		env.UserWithRole(t, "eddie", "editor")
		env.UserWithRole(t, "anna", "analyst")
		env.UserWithRole(t, "june", "junior_moderator")
		scoped := env.UserWithRole(t, "scott", "moderator")
		testutil.Must(t, env.App.DB.Exec("INSERT INTO member_scopes (user_id, category_id) VALUES (?, ?)", scoped.ID, f.catA).Error, "scope")
		env.App.Users.InvalidateAccess()
		call := func(who, method, path, body string) *testutil.Response {
			c := env.Client()
			c.Login(t, who)
			req, _ := http.NewRequest(method, env.URL(path), strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", c.CSRF())
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			return c.Do(t, req)
		}
		for _, tc := range []struct {
			who, method, path, body string
			want                    int
		}{
			{"eddie", http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/hide", inB[1].ID), `{"reason":"no"}`, http.StatusForbidden},
			{"eddie", http.MethodPost, fmt.Sprintf("/api/v1/topics/%d/feature", tpB.ID), ``, http.StatusOK},
			{"eddie", http.MethodPost, fmt.Sprintf("/api/v1/topics/%d/pin", tpB.ID), `{"scope":"global"}`, http.StatusOK},
			{"anna", http.MethodDelete, fmt.Sprintf("/api/v1/topics/%d/pin", tpB.ID), ``, http.StatusForbidden},
			{"anna", http.MethodPost, fmt.Sprintf("/api/v1/topics/%d/close", tpB.ID), `{}`, http.StatusForbidden},
			{"scott", http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/hide", inB[1].ID), `{"reason":"no"}`, http.StatusForbidden},
			{"scott", http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/hide", inA[1].ID), `{"reason":"Rude"}`, http.StatusOK},
			{"june", http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/hide", inB[1].ID), `{"reason":"Rude too"}`, http.StatusAccepted},
			{"alice", http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/review", inA[1].ID), `{"note":"not mine"}`, http.StatusNotFound},
			{"bob", http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/review", inA[1].ID), `{"note":"I rephrased it"}`, http.StatusAccepted},
			{"bob", http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/review", inB[1].ID), `{}`, http.StatusConflict},
			{"boss", http.MethodPost, "/api/v1/moderation/actions", fmt.Sprintf(`{"kind":"close","topic_id":%d,"reason":"Solved"}`, tpB.ID), http.StatusOK},
			{"boss", http.MethodPost, "/api/v1/moderation/actions", `{"kind":"explode","topic_id":1}`, http.StatusUnprocessableEntity},
			{"boss", http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/purge", inB[1].ID), `{}`, http.StatusUnprocessableEntity},
			{"scott", http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/purge", inA[1].ID), `{"confirm":true}`, http.StatusForbidden},
			{"scott", http.MethodPost, fmt.Sprintf("/api/v1/topics/%d/purge", inA[0].TopicID), `{"confirm":true}`, http.StatusForbidden},
			{"boss", http.MethodPost, fmt.Sprintf("/api/v1/topics/%d/purge", inA[0].TopicID), `{"confirm":true,"reason":"Spam"}`, http.StatusOK},
		} {
			if res := call(tc.who, tc.method, tc.path, tc.body); res.StatusCode != tc.want {
				t.Errorf("%s %s %s: %d, want %d\n%s", tc.who, tc.method, tc.path, res.StatusCode, tc.want, res.Body)
			}
		}
		var state string
		testutil.Must(t, env.App.DB.Table("posts").Where("id = ?", inB[1].ID).Pluck("state", &state).Error, "state")
		if state != "published" {
			t.Errorf("the junior's proposal hid the post at once (%s)", state)
		}
	})
}
