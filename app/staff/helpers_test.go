package staff_test

import (
	"context"
	"testing"

	"causerie/app/audit"
	"causerie/app/category"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
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
