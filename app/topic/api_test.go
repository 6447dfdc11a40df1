package topic_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"causerie/app/category"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
	"causerie/app/web"
)

// caller sends JSON API requests as one person (see testutil.API).
type caller = testutil.API

func bearer(t *testing.T, env *testutil.Env, u *user.User) *caller  { return env.Bearer(t, u) }
func session(t *testing.T, env *testutil.Env, u *user.User) *caller { return env.Session(t, u) }
func visitor(env *testutil.Env) *caller                             { return env.Visitor() }

// want checks the status and decodes the answer.
func want[T any](t *testing.T, res *testutil.Response, status int) T {
	t.Helper()
	return testutil.WantJSON[T](t, res, status)
}

// wantError checks an error answer and returns the fields at fault.
func wantError(t *testing.T, res *testutil.Response, status int, code string) map[string]string {
	t.Helper()
	e := want[web.APIError](t, res, status)
	if e.Error.Code != code {
		t.Errorf("%s %s: code %q, want %q", res.Request.Method, res.Request.URL.RequestURI(), e.Error.Code, code)
	}
	if e.Error.Message == "" {
		t.Errorf("%s %s: empty message", res.Request.Method, res.Request.URL.RequestURI())
	}
	return e.Error.Fields
}

// wantFields checks a 422 names exactly these fields.
func wantFields(t *testing.T, res *testutil.Response, fields ...string) {
	t.Helper()
	got := wantError(t, res, http.StatusUnprocessableEntity, "invalid")
	var names []string
	for f, msg := range got {
		names = append(names, f)
		if msg == "" || strings.HasPrefix(msg, "validation.") {
			t.Errorf("%s %s: field %s has no translated message: %q", res.Request.Method, res.Request.URL.Path, f, msg)
		}
	}
	slices.Sort(names)
	slices.Sort(fields)
	if !slices.Equal(names, fields) {
		t.Errorf("%s %s: fields %v, want %v\n%s", res.Request.Method, res.Request.URL.Path, names, fields, res.Body)
	}
}

func newCategory(t *testing.T, admin *caller, in map[string]any) *category.APICategory {
	t.Helper()
	c := want[category.APICategory](t, admin.Post(t, "/api/v1/categories", in), http.StatusCreated)
	return &c
}

func startTopic(t *testing.T, a *caller, catID int64, title, kind string) topic.APIPage {
	t.Helper()
	return want[topic.APIPage](t, a.Post(t, "/api/v1/topics", map[string]any{
		"category_id": catID, "title": title, "body": "Some words about " + title + ".", "kind": kind}), http.StatusCreated)
}

func topicPath(id int64) string { return fmt.Sprintf("/api/v1/topics/%d", id) }
func postPath(id int64) string  { return fmt.Sprintf("/api/v1/posts/%d", id) }

// TestAPIDiscussion follows a question from its category to its accepted
// answer through the API.
func TestAPIDiscussion(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		admin := bearer(t, env, env.UserWithRole(t, "boss", "admin"))
		ana := bearer(t, env, env.Member(t, "ana"))
		bruno := bearer(t, env, env.Member(t, "bruno"))
		carla := bearer(t, env, env.Member(t, "carla"))
		mod := bearer(t, env, env.UserWithRole(t, "mia", "moderator"))

		// Categories.
		help := newCategory(t, admin, map[string]any{"name": "Help", "slug": "help", "description": "Ask here.", "parent_id": nil})
		if help.ID == 0 || help.Name != "Help" || help.Slug != "help" || help.Description != "Ask here." || help.URL != "/c/help" ||
			help.ParentID != nil || help.Color != "#2457c5" {
			t.Errorf("new category = %+v", help)
		}
		sub := newCategory(t, admin, map[string]any{"name": "Accounts", "parent_id": help.ID, "color": "#AA0000", "position": 2})
		if sub.Slug != "accounts" || sub.ParentID == nil || *sub.ParentID != help.ID || sub.Color != "#aa0000" || sub.Position != 2 {
			t.Errorf("new sub-category = %+v", sub)
		}
		wantFields(t, admin.Post(t, "/api/v1/categories", map[string]any{"name": "", "slug": "Not A Slug", "color": "red"}),
			"name", "slug", "color")
		wantFields(t, admin.Post(t, "/api/v1/categories", map[string]any{"name": "Help again", "slug": "help"}), "slug")
		wantFields(t, admin.Post(t, "/api/v1/categories", map[string]any{"name": "Deep", "parent_id": sub.ID}), "parent_id")
		wantFields(t, admin.Post(t, "/api/v1/categories", map[string]any{"name": "Nowhere", "parent_id": 999999}), "parent_id")
		wantFields(t, admin.Post(t, "/api/v1/categories", map[string]any{"name": "Odd", "read": []string{"robots"}}), "read")
		wantError(t, ana.Post(t, "/api/v1/categories", map[string]any{"name": "Mine"}), http.StatusForbidden, "forbidden")
		wantError(t, admin.Post(t, "/api/v1/categories", `{"name": `), http.StatusBadRequest, "bad_request")
		list := want[struct {
			Categories []category.APICategory `json:"categories"`
		}](t, visitor(env).Get(t, "/api/v1/categories"), http.StatusOK)
		// The seeded General, then Help with its sub-category.
		if len(list.Categories) != 2 || list.Categories[1].ID != help.ID || len(list.Categories[1].Children) != 1 ||
			list.Categories[1].Children[0].ID != sub.ID || len(list.Categories[0].Children) != 0 {
			t.Errorf("GET /api/v1/categories = %+v", list)
		}

		// A member asks a question.
		pg := want[topic.APIPage](t, ana.Post(t, "/api/v1/topics", map[string]any{
			"category_id": help.ID, "title": "How do I reset my   password?", "body": "I forgot it.", "kind": "question",
			"tags": []string{"Accounts", " login "}}), http.StatusCreated)
		q := pg.Topic
		if q.ID == 0 || q.URL != fmt.Sprintf("/t/how-do-i-reset-my-password/%d", q.ID) || q.Title != "How do I reset my password?" ||
			q.Kind != "question" || q.CategoryID != help.ID || q.Author != "ana" || q.Answered || q.AcceptedPostID != nil ||
			q.PostsCount != 1 || q.RepliesCount != 0 || !slices.Equal(q.Tags, []string{"accounts", "login"}) {
			t.Errorf("new topic = %+v", q)
		}
		if len(pg.Posts) != 1 || pg.Next != nil || pg.Prev != nil {
			t.Fatalf("new topic page = %+v", pg)
		}
		first := pg.Posts[0]
		if first.ID == 0 || first.URL != fmt.Sprintf("/p/%d", first.ID) || first.Number != 1 || first.TopicID != q.ID ||
			first.Author != "ana" || first.Body == nil || *first.Body != "I forgot it." || first.HTML == nil ||
			!strings.Contains(*first.HTML, "I forgot it.") || first.State != "published" {
			t.Errorf("first post = %+v", first)
		}

		t.Run("validation names the fields", func(t *testing.T) {
			wantFields(t, ana.Post(t, "/api/v1/topics", map[string]any{"category_id": help.ID, "title": "Help", "body": "Please help me."}), "title")
			wantFields(t, ana.Post(t, "/api/v1/topics", map[string]any{"category_id": 999999, "title": "A good long title", "body": "Please help me."}), "category_id")
			wantFields(t, ana.Post(t, "/api/v1/topics", map[string]any{"title": "Hi", "body": "", "kind": "poll"}), "category_id", "title", "body", "kind")
			wantFields(t, ana.Post(t, "/api/v1/topics", map[string]any{"category_id": help.ID, "title": "A good long title", "body": "Read this.", "kind": "announcement"}), "kind")
			wantFields(t, ana.Post(t, "/api/v1/topics", map[string]any{"category_id": help.ID, "title": "A good long title", "body": "Tags.",
				"tags": []string{"a", "b", "c", "d", "e", "f"}}), "tags")
			wantError(t, ana.Post(t, "/api/v1/topics", `{"title": 12}`), http.StatusBadRequest, "bad_request")
			wantError(t, ana.Post(t, "/api/v1/topics", `{"title": "unfinished`), http.StatusBadRequest, "bad_request")
			req, _ := http.NewRequest(http.MethodPost, env.URL("/api/v1/topics"), strings.NewReader("title=x"))
			req.Header.Set("Content-Type", "text/plain")
			wantError(t, ana.Client.Do(t, req), http.StatusUnsupportedMediaType, "unsupported_media_type")
		})

		t.Run("who is calling", func(t *testing.T) {
			// A visitor's POST with no session cookie has nothing to forge: it
			// reaches the route, which wants a member.
			v := visitor(env)
			wantError(t, v.Post(t, "/api/v1/topics", map[string]any{"category_id": help.ID}), http.StatusUnauthorized, "unauthorized")
			// With a CSRF token (after loading a page) too.
			v.Get(t, "/login")
			wantError(t, v.Post(t, "/api/v1/topics", map[string]any{"category_id": help.ID}), http.StatusUnauthorized, "unauthorized")
			wrong := visitor(env)
			wrong.Client.Header.Set("Authorization", "Bearer cau_nottherightone")
			wantError(t, wrong.Post(t, "/api/v1/topics", map[string]any{"category_id": help.ID}), http.StatusUnauthorized, "unauthorized")
			wantError(t, wrong.Get(t, topicPath(q.ID)), http.StatusUnauthorized, "unauthorized")
			// Visitors read public topics.
			got := want[topic.APIPage](t, visitor(env).Get(t, topicPath(q.ID)), http.StatusOK)
			if got.Topic.ID != q.ID || len(got.Posts) != 1 {
				t.Errorf("a visitor reads %+v", got)
			}
		})

		t.Run("not found", func(t *testing.T) {
			wantError(t, ana.Get(t, topicPath(999999)), http.StatusNotFound, "not_found")
			wantError(t, ana.Get(t, "/api/v1/topics/abc"), http.StatusNotFound, "not_found")
			wantError(t, ana.Get(t, topicPath(q.ID)+"?from=2"), http.StatusNotFound, "not_found")
			wantFields(t, ana.Get(t, topicPath(q.ID)+"?from=0"), "from")
			wantFields(t, ana.Get(t, topicPath(q.ID)+"?from=x"), "from")
			wantError(t, bruno.Post(t, topicPath(999999)+"/posts", map[string]any{"body": "Hello there."}), http.StatusNotFound, "not_found")
			wantError(t, bruno.Post(t, postPath(999999)+"/reactions", nil), http.StatusNotFound, "not_found")
			wantError(t, bruno.Do(t, http.MethodDelete, postPath(999999)+"/reactions", nil), http.StatusNotFound, "not_found")
			wantError(t, ana.Do(t, http.MethodPatch, postPath(999999), map[string]any{"body": "New text."}), http.StatusNotFound, "not_found")
			wantError(t, ana.Post(t, topicPath(999999)+"/accept", map[string]any{"post_id": 0}), http.StatusNotFound, "not_found")
			wantFields(t, ana.Get(t, "/api/v1/topics?category_id=x"), "category_id")
			wantFields(t, ana.Get(t, "/api/v1/topics?cursor=!!"), "cursor")
			wantError(t, ana.Get(t, "/api/v1/topics?category_id=999999"), http.StatusNotFound, "not_found")
		})

		// Another member replies.
		reply := want[topic.APIPost](t, bruno.Post(t, topicPath(q.ID)+"/posts", map[string]any{"body": "Use the link on the login page."}), http.StatusCreated)
		if reply.ID == 0 || reply.URL != fmt.Sprintf("/p/%d", reply.ID) || reply.Number != 2 || reply.TopicID != q.ID ||
			reply.Author != "bruno" || reply.Body == nil || *reply.Body != "Use the link on the login page." || reply.ReplyTo != nil {
			t.Errorf("reply = %+v", reply)
		}
		quote := want[topic.APIPost](t, carla.Post(t, topicPath(q.ID)+"/posts", map[string]any{"body": "Or ask an admin.", "reply_to": 1}), http.StatusCreated)
		if quote.Number != 3 || quote.ReplyTo == nil || *quote.ReplyTo != 1 {
			t.Errorf("reply to the first post = %+v", quote)
		}
		wantFields(t, bruno.Post(t, topicPath(q.ID)+"/posts", map[string]any{"body": " "}), "body")
		wantFields(t, bruno.Post(t, topicPath(q.ID)+"/posts", map[string]any{"body": "To nothing.", "reply_to": 99}), "reply_to")

		t.Run("reactions", func(t *testing.T) {
			p := want[topic.APIPost](t, bruno.Post(t, postPath(first.ID)+"/reactions", nil), http.StatusOK)
			if p.ID != first.ID || p.ReactionsCount != 1 || p.Reactions["like"] != 1 || len(p.Reactions) != 1 {
				t.Errorf("after a like: %+v", p)
			}
			p = want[topic.APIPost](t, bruno.Post(t, postPath(first.ID)+"/reactions", map[string]any{"kind": "like"}), http.StatusOK)
			if p.ReactionsCount != 1 || p.Reactions["like"] != 1 {
				t.Errorf("after liking twice: %+v", p)
			}
			want[topic.APIPost](t, carla.Post(t, postPath(first.ID)+"/reactions", map[string]any{"kind": "like"}), http.StatusOK)
			p = want[topic.APIPost](t, bruno.Post(t, postPath(first.ID)+"/reactions", map[string]any{"kind": "heart"}), http.StatusOK)
			if p.ReactionsCount != 3 || p.Reactions["like"] != 2 || p.Reactions["heart"] != 1 {
				t.Errorf("after two likes and a heart: %+v", p)
			}
			if tp := want[topic.APIPage](t, ana.Get(t, topicPath(q.ID)), http.StatusOK); tp.Topic.ReactionsCount != 3 || tp.Posts[0].ReactionsCount != 3 {
				t.Errorf("topic after three reactions: %+v, first post %+v", tp.Topic, tp.Posts[0])
			}
			wantFields(t, bruno.Post(t, postPath(first.ID)+"/reactions", map[string]any{"kind": "meh"}), "kind")
			wantError(t, ana.Post(t, postPath(first.ID)+"/reactions", nil), http.StatusForbidden, "forbidden")

			p = want[topic.APIPost](t, bruno.Do(t, http.MethodDelete, postPath(first.ID)+"/reactions?kind=heart", nil), http.StatusOK)
			if p.ReactionsCount != 2 || p.Reactions["heart"] != 0 || p.Reactions["like"] != 2 {
				t.Errorf("after taking the heart back: %+v", p)
			}
			want[topic.APIPost](t, bruno.Do(t, http.MethodDelete, postPath(first.ID)+"/reactions", nil), http.StatusOK)
			p = want[topic.APIPost](t, bruno.Do(t, http.MethodDelete, postPath(first.ID)+"/reactions", nil), http.StatusOK)
			if p.ReactionsCount != 1 || p.Reactions["like"] != 1 || len(p.Reactions) != 1 {
				t.Errorf("after taking the like back (twice): %+v", p)
			}
			want[topic.APIPost](t, carla.Do(t, http.MethodDelete, postPath(first.ID)+"/reactions?kind=like", nil), http.StatusOK)
			tp := want[topic.APIPage](t, ana.Get(t, topicPath(q.ID)), http.StatusOK)
			if tp.Topic.ReactionsCount != 0 || tp.Posts[0].ReactionsCount != 0 || len(tp.Posts[0].Reactions) != 0 {
				t.Errorf("after every reaction is taken back: %+v, first post %+v", tp.Topic, tp.Posts[0])
			}
		})

		t.Run("accepted answer", func(t *testing.T) {
			wantError(t, carla.Post(t, topicPath(q.ID)+"/accept", map[string]any{"post_id": reply.ID}), http.StatusForbidden, "forbidden")
			wantFields(t, ana.Post(t, topicPath(q.ID)+"/accept", map[string]any{"post_id": first.ID}), "post_id")
			wantFields(t, ana.Post(t, topicPath(q.ID)+"/accept", map[string]any{"post_id": 999999}), "post_id")
			got := want[topic.APIPage](t, ana.Post(t, topicPath(q.ID)+"/accept", map[string]any{"post_id": reply.ID}), http.StatusOK)
			if !got.Topic.Answered || got.Topic.AcceptedPostID == nil || *got.Topic.AcceptedPostID != reply.ID ||
				len(got.Posts) != 3 || !got.Posts[1].Accepted || got.Posts[0].Accepted || got.Posts[2].Accepted {
				t.Errorf("after accepting: %+v", got)
			}
			// Staff may move the mark; the asker may take it away.
			got = want[topic.APIPage](t, mod.Post(t, topicPath(q.ID)+"/accept", map[string]any{"post_id": quote.ID}), http.StatusOK)
			if got.Topic.AcceptedPostID == nil || *got.Topic.AcceptedPostID != quote.ID {
				t.Errorf("after a moderator moves the mark: %+v", got.Topic)
			}
			got = want[topic.APIPage](t, ana.Post(t, topicPath(q.ID)+"/accept", map[string]any{"post_id": 0}), http.StatusOK)
			if got.Topic.Answered || got.Topic.AcceptedPostID != nil {
				t.Errorf("after taking the mark away: %+v", got.Topic)
			}
			unanswered := want[topic.APIPage](t, ana.Get(t, topicPath(q.ID)), http.StatusOK)
			if unanswered.Topic.Answered {
				t.Errorf("the topic still shows answered: %+v", unanswered.Topic)
			}
			if l := want[topicList](t, visitor(env).Get(t, "/api/v1/topics?filter=unanswered"), http.StatusOK); !hasTopic(l.Topics, q.ID) {
				t.Errorf("the question is not in the unanswered list: %+v", l)
			}
			want[topic.APIPage](t, ana.Post(t, topicPath(q.ID)+"/accept", map[string]any{"post_id": reply.ID}), http.StatusOK)
			shown := want[topic.APIPage](t, visitor(env).Get(t, topicPath(q.ID)), http.StatusOK)
			if !shown.Topic.Answered || !shown.Posts[1].Accepted {
				t.Errorf("a visitor does not see the answer: %+v", shown)
			}
			if l := want[topicList](t, visitor(env).Get(t, "/api/v1/topics?filter=unanswered"), http.StatusOK); hasTopic(l.Topics, q.ID) {
				t.Errorf("the answered question is still in the unanswered list")
			}
			// Discussions have no accepted answer.
			d := startTopic(t, bruno, help.ID, "Tell us about your setup", "discussion")
			r := want[topic.APIPost](t, ana.Post(t, topicPath(d.Topic.ID)+"/posts", map[string]any{"body": "A small box."}), http.StatusCreated)
			wantError(t, bruno.Post(t, topicPath(d.Topic.ID)+"/accept", map[string]any{"post_id": r.ID}), http.StatusUnprocessableEntity, "invalid")
		})

		t.Run("edit", func(t *testing.T) {
			got := want[topic.APIPost](t, ana.Do(t, http.MethodPatch, postPath(first.ID), map[string]any{
				"body": "I forgot it, and no mail came.", "title": "How can I reset my password?", "note": "More detail"}), http.StatusOK)
			if got.ID != first.ID || !got.Edited || got.Body == nil || *got.Body != "I forgot it, and no mail came." {
				t.Errorf("after editing: %+v", got)
			}
			tp := want[topic.APIPage](t, visitor(env).Get(t, topicPath(q.ID)), http.StatusOK)
			if tp.Topic.Title != "How can I reset my password?" || tp.Topic.URL != fmt.Sprintf("/t/how-can-i-reset-my-password/%d", q.ID) {
				t.Errorf("after renaming: %+v", tp.Topic)
			}
			wantError(t, bruno.Do(t, http.MethodPatch, postPath(first.ID), map[string]any{"body": "Not yours."}), http.StatusForbidden, "forbidden")
			wantError(t, ana.Do(t, http.MethodPatch, postPath(reply.ID), map[string]any{"body": "Not yours."}), http.StatusForbidden, "forbidden")
			wantFields(t, ana.Do(t, http.MethodPatch, postPath(first.ID), map[string]any{"body": "", "title": "Short"}), "body", "title")
			// A title on a reply is ignored; staff may edit anything.
			got = want[topic.APIPost](t, mod.Do(t, http.MethodPatch, postPath(reply.ID), map[string]any{"body": "Use the reset link.", "title": "Ignored here"}), http.StatusOK)
			if !got.Edited || *got.Body != "Use the reset link." || got.Author != "bruno" {
				t.Errorf("after a moderator's edit: %+v", got)
			}
			if tp := want[topic.APIPage](t, visitor(env).Get(t, topicPath(q.ID)), http.StatusOK); tp.Topic.Title != "How can I reset my password?" {
				t.Errorf("a reply's title renamed the topic: %+v", tp.Topic)
			}
			// Saving the same text changes nothing.
			want[topic.APIPost](t, ana.Do(t, http.MethodPatch, postPath(first.ID), map[string]any{"body": "I forgot it, and no mail came."}), http.StatusOK)
		})

		t.Run("lists", func(t *testing.T) {
			l := want[topicList](t, visitor(env).Get(t, "/api/v1/topics"), http.StatusOK)
			if !hasTopic(l.Topics, q.ID) || l.Next != nil || len(l.Pinned) != 0 {
				t.Errorf("GET /api/v1/topics = %+v", l)
			}
			for _, tp := range l.Topics {
				if tp.ID == 0 || !strings.HasPrefix(tp.URL, "/t/") || !strings.HasSuffix(tp.URL, fmt.Sprint("/", tp.ID)) {
					t.Errorf("listed topic %+v", tp)
				}
			}
			if l := want[topicList](t, visitor(env).Get(t, fmt.Sprintf("/api/v1/topics?category_id=%d", sub.ID)), http.StatusOK); len(l.Topics) != 0 {
				t.Errorf("the empty sub-category lists %+v", l.Topics)
			}
			if l := want[topicList](t, visitor(env).Get(t, fmt.Sprintf("/api/v1/topics?category_id=%d", help.ID)), http.StatusOK); !hasTopic(l.Topics, q.ID) {
				t.Errorf("the category's list lacks the question: %+v", l.Topics)
			}
			if l := want[topicList](t, visitor(env).Get(t, "/api/v1/topics?tag=login"), http.StatusOK); len(l.Topics) != 1 || l.Topics[0].ID != q.ID {
				t.Errorf("the tag's list = %+v", l.Topics)
			}
			if l := want[topicList](t, visitor(env).Get(t, "/api/v1/topics?filter=top&period=week"), http.StatusOK); len(l.Topics) == 0 || l.Topics[0].ID != q.ID {
				t.Errorf("the top list = %+v", l.Topics)
			}
		})
	})
}

// topicList is the answer of GET /api/v1/topics.
type topicList struct {
	Pinned []topic.APITopic `json:"pinned"`
	Topics []topic.APITopic `json:"topics"`
	Next   *string          `json:"next_cursor"`
}

func hasTopic(ts []topic.APITopic, id int64) bool {
	return slices.ContainsFunc(ts, func(t topic.APITopic) bool { return t.ID == id })
}

// TestAPIPrivateCategory checks a category only moderators read does not
// exist for anyone else.
func TestAPIPrivateCategory(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		admin := bearer(t, env, env.UserWithRole(t, "boss", "admin"))
		mod := bearer(t, env, env.UserWithRole(t, "mia", "moderator"))
		ana := bearer(t, env, env.Member(t, "ana"))
		anon := visitor(env)

		public := newCategory(t, admin, map[string]any{"name": "Lounge", "slug": "lounge"})
		staff := newCategory(t, admin, map[string]any{"name": "Staff room", "slug": "staff", "read": []string{"moderator"}})
		open := startTopic(t, ana, public.ID, "Hello everybody out there", "discussion")
		hidden := startTopic(t, mod, staff.ID, "Moderation rota for May", "discussion")
		hiddenPost := hidden.Posts[0]

		for name, a := range map[string]*caller{"member": ana, "visitor": anon} {
			wantError(t, a.Get(t, topicPath(hidden.Topic.ID)), http.StatusNotFound, "not_found")
			wantError(t, a.Get(t, fmt.Sprintf("/api/v1/topics?category_id=%d", staff.ID)), http.StatusNotFound, "not_found")
			l := want[topicList](t, a.Get(t, "/api/v1/topics"), http.StatusOK)
			if hasTopic(l.Topics, hidden.Topic.ID) || hasTopic(l.Pinned, hidden.Topic.ID) || !hasTopic(l.Topics, open.Topic.ID) {
				t.Errorf("GET /api/v1/topics as a %s = %+v", name, l)
			}
			cats := want[struct {
				Categories []category.APICategory `json:"categories"`
			}](t, a.Get(t, "/api/v1/categories"), http.StatusOK)
			if !slices.ContainsFunc(cats.Categories, func(c category.APICategory) bool { return c.ID == public.ID }) ||
				slices.ContainsFunc(cats.Categories, func(c category.APICategory) bool { return c.ID == staff.ID }) {
				t.Errorf("GET /api/v1/categories as a %s = %+v", name, cats)
			}
		}
		// Writing to it answers the same not found.
		wantError(t, ana.Post(t, topicPath(hidden.Topic.ID)+"/posts", map[string]any{"body": "Let me in."}), http.StatusNotFound, "not_found")
		wantError(t, ana.Post(t, postPath(hiddenPost.ID)+"/reactions", nil), http.StatusNotFound, "not_found")
		wantError(t, ana.Do(t, http.MethodDelete, postPath(hiddenPost.ID)+"/reactions", nil), http.StatusNotFound, "not_found")
		wantError(t, ana.Do(t, http.MethodPatch, postPath(hiddenPost.ID), map[string]any{"body": "Mine now."}), http.StatusNotFound, "not_found")
		wantError(t, ana.Post(t, topicPath(hidden.Topic.ID)+"/accept", map[string]any{"post_id": 0}), http.StatusNotFound, "not_found")
		wantFields(t, ana.Post(t, "/api/v1/topics", map[string]any{"category_id": staff.ID, "title": "Can I post here?", "body": "Maybe."}), "category_id")

		for name, a := range map[string]*caller{"moderator": mod, "admin": admin} {
			pg := want[topic.APIPage](t, a.Get(t, topicPath(hidden.Topic.ID)), http.StatusOK)
			if pg.Topic.ID != hidden.Topic.ID || len(pg.Posts) != 1 || pg.Posts[0].Body == nil {
				t.Errorf("GET the private topic as %s = %+v", name, pg)
			}
			l := want[topicList](t, a.Get(t, "/api/v1/topics"), http.StatusOK)
			if !hasTopic(l.Topics, hidden.Topic.ID) || !hasTopic(l.Topics, open.Topic.ID) {
				t.Errorf("GET /api/v1/topics as %s = %+v", name, l)
			}
		}
		want[topic.APIPost](t, admin.Post(t, topicPath(hidden.Topic.ID)+"/posts", map[string]any{"body": "Fine by me."}), http.StatusCreated)
	})
}

// TestAPITopicPages reads a long topic page by page.
func TestAPITopicPages(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		admin := bearer(t, env, env.UserWithRole(t, "boss", "admin"))
		ana := env.Member(t, "ana")
		cat := newCategory(t, admin, map[string]any{"name": "Lounge"})
		pg := startTopic(t, bearer(t, env, ana), cat.ID, "A long conversation", "discussion")
		ctx, v := testutil.Ctx(), ana.Viewer()
		for i := 2; i <= 46; i++ { // 45 replies
			_, _, err := env.App.Topics.Reply(ctx, v, pg.Topic.ID, topic.ReplyInput{Body: fmt.Sprintf("Reply number %d.", i)})
			testutil.Must(t, err, "reply %d", i)
		}
		per := env.App.Topics.PostsPerPage()
		if per != 20 {
			t.Fatalf("posts_per_page = %d; this test expects 20", per)
		}
		anon := visitor(env)
		for _, c := range []struct {
			from, first, last int
			prev, next        *int
		}{
			{1, 1, 20, nil, ptr(21)},
			{21, 21, 40, ptr(1), ptr(41)},
			{25, 21, 40, ptr(1), ptr(41)},
			{40, 21, 40, ptr(1), ptr(41)},
			{41, 41, 46, ptr(21), nil},
			{46, 41, 46, ptr(21), nil},
		} {
			got := want[topic.APIPage](t, anon.Get(t, fmt.Sprintf("%s?from=%d", topicPath(pg.Topic.ID), c.from)), http.StatusOK)
			var numbers []int
			for _, p := range got.Posts {
				numbers = append(numbers, p.Number)
				if p.Number > 1 && (p.Body == nil || *p.Body != fmt.Sprintf("Reply number %d.", p.Number)) {
					t.Errorf("from=%d: post %d = %+v", c.from, p.Number, p)
				}
			}
			var wantNumbers []int
			for n := c.first; n <= c.last; n++ {
				wantNumbers = append(wantNumbers, n)
			}
			if !slices.Equal(numbers, wantNumbers) {
				t.Errorf("from=%d: posts %v, want %d..%d", c.from, numbers, c.first, c.last)
			}
			if !eqPtr(got.Next, c.next) || !eqPtr(got.Prev, c.prev) {
				t.Errorf("from=%d: next_from %v prev_from %v, want %v %v", c.from, show(got.Next), show(got.Prev), show(c.next), show(c.prev))
			}
			if got.Topic.PostsCount != 46 || got.Topic.RepliesCount != 45 {
				t.Errorf("from=%d: topic %+v", c.from, got.Topic)
			}
		}
		wantError(t, anon.Get(t, topicPath(pg.Topic.ID)+"?from=47"), http.StatusNotFound, "not_found")
	})
}

func ptr(n int) *int { return &n }

func eqPtr(a, b *int) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func show(p *int) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

// TestAPITopicCursor walks every list with its cursor: each topic comes
// once, in order.
func TestAPITopicCursor(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		admin := bearer(t, env, env.UserWithRole(t, "boss", "admin"))
		ana := env.Member(t, "ana")
		cat := newCategory(t, admin, map[string]any{"name": "Lounge"})
		ctx, v := testutil.Ctx(), ana.Viewer()
		const n = 65
		all, questions := map[int64]bool{}, map[int64]bool{}
		for i := range n {
			kind := topic.KindDiscussion
			if i%3 == 0 {
				kind = topic.KindQuestion
			}
			tp, _, err := env.App.Topics.Create(ctx, v, topic.NewTopic{CategoryID: cat.ID, Title: fmt.Sprintf("Topic number %02d", i),
				Body: "Some words.", Kind: kind})
			testutil.Must(t, err, "topic %d", i)
			all[tp.ID] = true
			if kind == topic.KindQuestion {
				questions[tp.ID] = true
			}
		}
		per := env.Config.Posting.TopicsPerPage
		anon := visitor(env)
		for _, c := range []struct {
			query string
			want  map[int64]bool
		}{
			{"", all}, {"filter=top", all}, {"filter=top&period=day", all}, {"filter=unanswered", questions},
			{fmt.Sprintf("category_id=%d", cat.ID), all},
		} {
			seen := map[int64]bool{}
			var order []topic.APITopic
			cursor, pages := "", 0
			for {
				path := "/api/v1/topics?" + c.query
				if cursor != "" {
					path += "&cursor=" + cursor
				}
				l := want[topicList](t, anon.Get(t, path), http.StatusOK)
				pages++
				if len(l.Topics) > per || l.Next != nil && len(l.Topics) != per {
					t.Errorf("%s: page %d has %d topics (per page %d), next %v", c.query, pages, len(l.Topics), per, l.Next)
				}
				for _, tp := range l.Topics {
					if seen[tp.ID] {
						t.Errorf("%s: topic %d comes twice (page %d)", c.query, tp.ID, pages)
					}
					seen[tp.ID] = true
					order = append(order, tp)
				}
				if l.Next == nil || pages > 10 {
					break
				}
				cursor = *l.Next
			}
			if len(seen) != len(c.want) {
				t.Errorf("%s: %d topics in %d pages, want %d", c.query, len(seen), pages, len(c.want))
			}
			for id := range c.want {
				if !seen[id] {
					t.Errorf("%s: topic %d never comes", c.query, id)
				}
			}
			if wantPages := (len(c.want) + per - 1) / per; pages != wantPages {
				t.Errorf("%s: %d pages, want %d", c.query, pages, wantPages)
			}
			for i := 1; i < len(order); i++ {
				a, b := order[i-1], order[i]
				var inOrder bool
				switch {
				case strings.Contains(c.query, "top"):
					inOrder = b.ID < a.ID // no replies or reactions: by ID
				case strings.Contains(c.query, "unanswered"):
					inOrder = b.CreatedAt.Before(a.CreatedAt) || b.CreatedAt.Equal(a.CreatedAt) && b.ID < a.ID
				default:
					inOrder = b.LastPostAt.Before(a.LastPostAt) || b.LastPostAt.Equal(a.LastPostAt) && b.ID < a.ID
				}
				if !inOrder {
					t.Errorf("%s: topic %d comes before %d", c.query, a.ID, b.ID)
				}
			}
		}
	})
}

// TestAPICSRF checks a logged-in browser session must send the CSRF
// header on every change, and a program with a token need not.
func TestAPICSRF(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		admin := bearer(t, env, env.UserWithRole(t, "boss", "admin"))
		cat := newCategory(t, admin, map[string]any{"name": "Lounge"})
		ana := env.Member(t, "ana")
		body := map[string]any{"category_id": cat.ID, "title": "Sent from a browser", "body": "Hello."}

		s := session(t, env, ana)
		s.NoCSRF = true
		wantError(t, s.Post(t, "/api/v1/topics", body), http.StatusForbidden, "forbidden")
		s.Client.Header.Set("X-CSRF-Token", "not-the-token")
		wantError(t, s.Post(t, "/api/v1/topics", body), http.StatusForbidden, "forbidden")
		s.Client.Header.Del("X-CSRF-Token")

		s.Client.Get(t, "/") // load a page, as a browser would before sending
		if s.Client.CSRF() == "" {
			t.Fatal("no CSRF cookie after loading a page")
		}
		s.NoCSRF = false
		pg := want[topic.APIPage](t, s.Post(t, "/api/v1/topics", body), http.StatusCreated)
		if pg.Topic.Author != "ana" {
			t.Errorf("topic started by %q", pg.Topic.Author)
		}
		postID := pg.Posts[0].ID

		// Every state-changing method is checked.
		s.NoCSRF = true
		wantError(t, s.Do(t, http.MethodPatch, postPath(postID), map[string]any{"body": "Changed."}), http.StatusForbidden, "forbidden")
		wantError(t, s.Post(t, topicPath(pg.Topic.ID)+"/posts", map[string]any{"body": "More."}), http.StatusForbidden, "forbidden")
		wantError(t, s.Do(t, http.MethodDelete, postPath(postID)+"/reactions", nil), http.StatusForbidden, "forbidden")
		// Reading needs none.
		want[topic.APIPage](t, s.Get(t, topicPath(pg.Topic.ID)), http.StatusOK)
		s.NoCSRF = false
		want[topic.APIPost](t, s.Do(t, http.MethodPatch, postPath(postID), map[string]any{"body": "Changed."}), http.StatusOK)

		// A browser that says the request comes from the forum's own pages
		// passes on that header; one from another site is refused even
		// with the token.
		s.NoCSRF = true
		s.Client.Header.Set("Sec-Fetch-Site", "same-origin")
		want[topic.APIPost](t, s.Do(t, http.MethodPatch, postPath(postID), map[string]any{"body": "Changed again."}), http.StatusOK)
		s.NoCSRF = false
		s.Client.Header.Set("Sec-Fetch-Site", "cross-site")
		wantError(t, s.Do(t, http.MethodPatch, postPath(postID), map[string]any{"body": "Changed by a stranger."}), http.StatusForbidden, "forbidden")
		s.Client.Header.Del("Sec-Fetch-Site")

		// A program with a bearer token sends none, and has no cookie.
		bot := bearer(t, env, env.Member(t, "bot"))
		if bot.Client.CSRF() != "" {
			t.Fatal("the token client has a CSRF cookie")
		}
		want[topic.APIPost](t, bot.Post(t, topicPath(pg.Topic.ID)+"/posts", map[string]any{"body": "Beep."}), http.StatusCreated)
		want[topic.APIPost](t, bot.Post(t, postPath(postID)+"/reactions", map[string]any{"kind": "thanks"}), http.StatusOK)
	})
}
