package notify_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
)

type apiPage struct {
	Notifications []struct {
		ID      int64   `json:"id"`
		Kind    string  `json:"kind"`
		Read    bool    `json:"read"`
		URL     string  `json:"url"`
		TopicID *int64  `json:"topic_id"`
		PostID  *int64  `json:"post_id"`
		Actor   *string `json:"actor"`
	} `json:"notifications"`
	UnreadCount int     `json:"unread_count"`
	NextCursor  *string `json:"next_cursor"`
}

func getJSON(t *testing.T, c *testutil.Client, path string, v any) *testutil.Response {
	t.Helper()
	res := c.Get(t, path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d\n%s", path, res.StatusCode, res.Body)
	}
	testutil.Must(t, json.Unmarshal([]byte(res.Body), v), "decode %s", path)
	return res
}

func contains(t *testing.T, res *testutil.Response, what string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(res.Body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// The bell shows the unread count; the list groups by topic; opening a
// notification marks it read; "mark all read" empties the count.
func TestNotificationPages(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, _ := w.start(t, w.ana, w.general, "Pages of notifications", topic.KindDiscussion, "Hello")
		r1 := w.reply(t, w.bo, tp, 0, "A reply from boris")
		w.reply(t, w.cleo, tp, 0, "A reply from cleo")
		w.drain(t)
		c := env.Client()
		c.Login(t, "ana")
		res := c.Get(t, "/")
		contains(t, res, "home page", `<span class="visually-hidden">Notifications, 2 unread</span>`, `<span class="bell-count" aria-hidden="true">2</span>`)
		res = c.Get(t, "/notifications")
		contains(t, res, "the list", "Pages of notifications", "boris replied to you", "cleo replied to you", `class="notification unread"`,
			`action="/notifications/read"`)
		if strings.Count(res.Body, `class="notification-group"`) != 1 {
			t.Errorf("the two notifications of one topic should be one group")
		}
		ns := w.notes(t, w.ana)
		res = c.Get(t, fmt.Sprintf("/notifications/%d", ns[0].ID))
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != r1.URL() {
			t.Errorf("opening a notification = %d to %q, want 303 to %s", res.StatusCode, loc, r1.URL())
		}
		contains(t, c.Get(t, "/"), "home page", "Notifications, 1 unread")
		// Someone else's notification does not exist for bo.
		b := env.Client()
		b.Login(t, "boris")
		if res := b.Get(t, fmt.Sprintf("/notifications/%d", ns[1].ID)); res.StatusCode != http.StatusNotFound {
			t.Errorf("bo opening ana's notification = %d, want 404", res.StatusCode)
		}
		if res := c.Post(t, "/notifications/read", nil); res.StatusCode != http.StatusSeeOther {
			t.Errorf("mark all read = %d", res.StatusCode)
		}
		res = c.Get(t, "/notifications?unread=1")
		contains(t, res, "the unread list", `<span class="visually-hidden">Notifications</span>`, "You have read everything.")
		if strings.Contains(res.Body, "bell-count") {
			t.Error("the bell still shows a count")
		}
		// Visitors are sent to log in.
		if res := env.Client().Get(t, "/notifications"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("a visitor's /notifications = %d, want a redirect to log in", res.StatusCode)
		}
	})
}

// The watch forms of the topic and category pages, and the e-mail form of
// the account page.
func TestSettingsForms(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, _ := w.start(t, w.ana, w.general, "Forms for watching topics", topic.KindDiscussion, "Hello")
		c := env.Client()
		c.Login(t, "boris")
		contains(t, c.Get(t, tp.URL()), "topic page", fmt.Sprintf(`action="/t/%d/watch"`, tp.ID), `<option value="normal" selected>`)
		for _, tc := range []struct {
			path, level, back string
			code              int
		}{
			{fmt.Sprintf("/t/%d/watch", tp.ID), "muted", tp.URL(), http.StatusSeeOther},
			{"/c/general/watch", "watching", "/c/general", http.StatusSeeOther},
			{fmt.Sprintf("/t/%d/watch", tp.ID), "loud", "", http.StatusUnprocessableEntity},
			{"/t/999999/watch", "muted", "", http.StatusNotFound},
			{"/c/nowhere/watch", "muted", "", http.StatusNotFound},
		} {
			res := c.Post(t, tc.path, testutil.Form("level", tc.level))
			if res.StatusCode != tc.code || (tc.back != "" && res.Header.Get("Location") != tc.back) {
				t.Errorf("POST %s level=%s = %d to %q, want %d to %q", tc.path, tc.level, res.StatusCode, res.Header.Get("Location"), tc.code, tc.back)
			}
		}
		contains(t, c.Get(t, tp.URL()), "topic page", `<option value="muted" selected>`)
		contains(t, c.Get(t, "/c/general"), "category page", `action="/c/general/watch"`, `<option value="watching" selected>`)

		contains(t, c.Get(t, "/account"), "account page", `action="/account/notifications"`, `<option value="immediate" selected>`)
		if res := c.Post(t, "/account/notifications", testutil.Form("email_frequency", "weekly")); res.StatusCode != http.StatusSeeOther {
			t.Errorf("choosing weekly = %d", res.StatusCode)
		}
		contains(t, c.Get(t, "/account"), "account page", `<option value="weekly" selected>`, "Your e-mail setting is saved.")
		if res := c.Post(t, "/account/notifications", testutil.Form("email_frequency", "hourly")); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("an unknown frequency = %d, want 422", res.StatusCode)
		}
		if f := w.frequency(t, w.bo); f != "weekly" {
			t.Errorf("frequency = %q", f)
		}
	})
}

// The API lists and counts a member's notifications, a page at a time.
func TestNotificationsAPI(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, _ := w.start(t, w.ana, w.general, "Notifications through the API", topic.KindDiscussion, "Hello")
		var posts []*topic.Post
		for _, by := range []*user.User{w.bo, w.cleo, w.dan} {
			posts = append(posts, w.reply(t, by, tp, 0, "Reply from "+by.Username))
		}
		w.drain(t)
		c := env.Client()
		c.Login(t, "ana")
		var p1, p2 apiPage
		getJSON(t, c, "/api/v1/notifications?limit=2", &p1)
		if len(p1.Notifications) != 2 || p1.UnreadCount != 3 || p1.NextCursor == nil {
			t.Fatalf("first page: %+v", p1)
		}
		n := p1.Notifications[0]
		if n.Kind != "reply" || n.Read || *n.Actor != "dan" || *n.PostID != posts[2].ID || *n.TopicID != tp.ID || n.URL != posts[2].URL() {
			t.Errorf("newest notification: %+v", n)
		}
		getJSON(t, c, "/api/v1/notifications?limit=2&cursor="+*p1.NextCursor, &p2)
		if len(p2.Notifications) != 1 || p2.NextCursor != nil || *p2.Notifications[0].Actor != "boris" {
			t.Errorf("second page: %+v", p2)
		}
		c.Get(t, fmt.Sprintf("/notifications/%d", p2.Notifications[0].ID))
		var unread apiPage
		getJSON(t, c, "/api/v1/notifications?unread=1", &unread)
		if len(unread.Notifications) != 2 || unread.UnreadCount != 2 {
			t.Errorf("unread only: %+v", unread)
		}
		// With a token, and the errors.
		token, err := env.App.Users.CreateAPIToken(ctx, "ana", "phone")
		testutil.Must(t, err, "token")
		api := env.Client()
		api.Header.Set("Authorization", "Bearer "+token)
		var all apiPage
		getJSON(t, api, "/api/v1/notifications", &all)
		if len(all.Notifications) != 3 || all.UnreadCount != 2 {
			t.Errorf("with a token: %+v", all)
		}
		for path, code := range map[string]int{"/api/v1/notifications?cursor=x": 422, "/api/v1/notifications?limit=0": 422} {
			if res := api.Get(t, path); res.StatusCode != code {
				t.Errorf("GET %s = %d, want %d", path, res.StatusCode, code)
			}
		}
		if res := env.Client().Get(t, "/api/v1/notifications"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("a visitor = %d, want 401", res.StatusCode)
		}
	})
}
