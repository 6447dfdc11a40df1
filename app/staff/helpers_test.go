package staff_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"causerie/app/audit"
	"causerie/app/category"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
)

// caller sends JSON API requests as one person (a bearer token, a session
// with its CSRF header, or a visitor); the test client checks every answer
// against the OpenAPI document.
type caller struct {
	env *testutil.Env
	c   *testutil.Client
}

func bearer(t *testing.T, env *testutil.Env, u *user.User) *caller {
	t.Helper()
	tok, err := env.App.Users.CreateAPIToken(context.Background(), u.Username, "t")
	testutil.Must(t, err, "API token of %s", u.Username)
	c := env.Client()
	c.Header.Set("Authorization", "Bearer "+tok)
	return &caller{env: env, c: c}
}

func session(t *testing.T, env *testutil.Env, u *user.User) *caller {
	t.Helper()
	c := env.Client()
	c.Login(t, u.Username)
	return &caller{env: env, c: c}
}

func visitor(env *testutil.Env) *caller { return &caller{env: env, c: env.Client()} }

func (a *caller) do(t *testing.T, method, path string, body any) *testutil.Response {
	t.Helper()
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	req, _ := http.NewRequest(method, a.env.URL(path), bytes.NewReader(b))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok := a.c.CSRF(); tok != "" && method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", tok)
	}
	return a.c.Do(t, req)
}

func (a *caller) get(t *testing.T, path string) *testutil.Response {
	t.Helper()
	return a.do(t, "GET", path, nil)
}
func (a *caller) post(t *testing.T, path string, body any) *testutil.Response {
	t.Helper()
	return a.do(t, "POST", path, body)
}

// want checks the status and decodes the answer.
func want[T any](t *testing.T, res *testutil.Response, status int) T {
	t.Helper()
	var out T
	if res.StatusCode != status {
		t.Fatalf("%s %s: %d, want %d\n%s", res.Request.Method, res.Request.URL.RequestURI(), res.StatusCode, status, res.Body)
	}
	if status != http.StatusNoContent {
		if err := json.Unmarshal([]byte(res.Body), &out); err != nil {
			t.Fatalf("%s %s: %v\n%s", res.Request.Method, res.Request.URL.RequestURI(), err, res.Body)
		}
	}
	return out
}

func status(t *testing.T, res *testutil.Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d\n%.600s", res.Request.Method, res.Request.URL.RequestURI(), res.StatusCode, want, res.Body)
	}
}

// team is a forum with one person per role and two categories.
type team struct {
	env                               *testutil.Env
	admin, lead, mod, junior, analyst *user.User
	ana, bob                          *user.User
	general, other                    *category.Category
}

func newTeam(t *testing.T, env *testutil.Env) *team {
	t.Helper()
	w := &team{env: env, admin: env.UserWithRole(t, "adele", "admin"), lead: env.UserWithRole(t, "lea", "lead"),
		mod: env.UserWithRole(t, "mona", "moderator"), junior: env.UserWithRole(t, "jules", "junior_moderator"),
		analyst: env.UserWithRole(t, "alix", "analyst"), ana: env.Member(t, "ana"), bob: env.Member(t, "bob")}
	var err error
	w.general, err = env.App.Categories.Create(context.Background(), w.admin.Viewer(), category.Input{Name: "Support desk"})
	testutil.Must(t, err, "category")
	w.other, err = env.App.Categories.Create(context.Background(), w.admin.Viewer(), category.Input{Name: "Lounge corner"})
	testutil.Must(t, err, "category")
	return w
}

func (w *team) topic(t *testing.T, by *user.User, cat *category.Category, title string) *topic.Topic {
	t.Helper()
	tp, _, err := w.env.App.Topics.Create(context.Background(), by.Viewer(), topic.NewTopic{CategoryID: cat.ID, Title: title, Body: "Hello, this is " + title})
	testutil.Must(t, err, "topic %s", title)
	return tp
}

// entries returns the audit log's entries of action, oldest first.
func entries(t *testing.T, env *testutil.Env, action string) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	testutil.Must(t, env.App.DB.Where("action = ?", action).Order("id").Find(&out).Error, "audit %s", action)
	return out
}
