package profile_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
)

var ctx = testutil.Ctx()

type world struct {
	env              *testutil.Env
	admin, mod, ana  *user.User
	bo               *user.User
	general, private *category.Category
}

func setup(t *testing.T, env *testutil.Env) *world {
	t.Helper()
	w := &world{env: env}
	w.admin = env.UserWithRole(t, "root_admin", "admin")
	w.mod = env.UserWithRole(t, "maud", "moderator")
	w.ana, w.bo = env.Member(t, "ana"), env.Member(t, "boris")
	var err error
	w.general, err = env.App.Categories.ReadableByID(ctx, &auth.Viewer{}, 1)
	testutil.Must(t, err, "general category")
	w.private, err = env.App.Categories.Create(ctx, w.admin.Viewer(), category.Input{Name: "Team room",
		Read: []string{"moderator"}, Start: []string{"moderator"}, Reply: []string{"moderator"}})
	testutil.Must(t, err, "private category")
	return w
}

func (w *world) start(t *testing.T, by *user.User, cat *category.Category, title string) *topic.Topic {
	t.Helper()
	tp, _, err := w.env.App.Topics.Create(ctx, by.Viewer(), topic.NewTopic{CategoryID: cat.ID, Title: title, Body: "Hello, this is " + title, Kind: topic.KindDiscussion})
	testutil.Must(t, err, "start %q", title)
	return tp
}

func (w *world) reply(t *testing.T, by *user.User, tp *topic.Topic, body string) *topic.Post {
	t.Helper()
	_, p, err := w.env.App.Topics.Reply(ctx, by.Viewer(), tp.ID, topic.ReplyInput{Body: body})
	testutil.Must(t, err, "reply")
	return p
}

func contains(t *testing.T, res *testutil.Response, what string, want bool, wants ...string) {
	t.Helper()
	for _, s := range wants {
		if strings.Contains(res.Body, s) != want {
			t.Errorf("%s: contains %q = %v, want %v", what, s, !want, want)
		}
	}
}

// The profile shows the member's stats, badges and trust level, and their
// recent activity among what the reader may read: a member does not see
// what a moderator wrote in the team's private category.
func TestProfilePage(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		open := w.start(t, w.mod, w.general, "Welcome to the new forum")
		secret := w.start(t, w.mod, w.private, "Moderation guidelines draft")
		w.reply(t, w.mod, secret, "Second thoughts on **the guidelines**.")
		q := w.start(t, w.ana, w.general, "Opening hours of the library")
		answer := w.reply(t, w.mod, q, "From nine to *five*, every weekday.")
		_, err := env.App.Topics.React(ctx, w.ana.Viewer(), answer.ID, "like")
		testutil.Must(t, err, "react")
		testutil.Must(t, env.App.Jobs.Drain(ctx), "drain")

		member := env.Client()
		member.Login(t, "ana")
		res := member.Get(t, "/u/maud")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /u/maud = %d\n%s", res.StatusCode, res.Body)
		}
		contains(t, res, "member's view", true, "<h1 id=\"profile-name\">maud</h1>", open.Title, "From nine to five, every weekday.",
			"Reputation", "Reactions received", "Days visited", "First post", `href="/badges/welcome"`, "/badges/first_post", ">New</a>")
		contains(t, res, "member's view", false, secret.Title, "Second thoughts", `action="/u/maud/trust"`)

		staff := env.Client()
		staff.Login(t, "root_admin")
		res = staff.Get(t, "/u/MAUD")
		contains(t, res, "admin's view", true, secret.Title, "Second thoughts on the guidelines.", `action="/u/maud/trust"`)

		visitor := env.Client()
		res = visitor.Get(t, "/u/maud")
		contains(t, res, "visitor's view", true, open.Title)
		contains(t, res, "visitor's view", false, secret.Title)
		if res := visitor.Get(t, "/u/nobody"); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET /u/nobody = %d, want 404", res.StatusCode)
		}

		// The member's own profile offers to edit it; someone else's does not.
		contains(t, member.Get(t, "/u/ana"), "own profile", true, `href="/account/profile"`)
		contains(t, member.Get(t, "/u/maud"), "someone else's profile", false, `class="button secondary small" href="/account/profile"`)
		// Visiting while logged in is noted: the profile shows a last visit.
		if u, _ := env.App.Users.Store().Get(ctx, w.ana.ID); u.LastSeenAt == nil {
			t.Error("browsing did not record when ana was last seen")
		}
		stats, err := env.App.Reputation.Stats(ctx, w.ana.ID)
		testutil.Must(t, err, "stats")
		if stats.DaysVisited != 1 {
			t.Errorf("ana visited on %d days, want 1", stats.DaysVisited)
		}
	})
}

// The profile form checks each field and answers next to it, in the
// reader's language, keeping what was typed; a saved bio is Markdown made
// safe.
func TestProfileEdit(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		setup(t, env)
		c := env.Client()
		if res := c.Get(t, "/account/profile"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("a visitor opens the profile form: %d, want a redirect to log in", res.StatusCode)
		}
		c.Login(t, "ana")
		if res := c.Get(t, "/account/profile"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `id="f-display_name"`) {
			t.Fatalf("GET /account/profile = %d", res.StatusCode)
		}
		bad := url.Values{"display_name": {strings.Repeat("a", 51)}, "bio": {strings.Repeat("b", 3001)},
			"location": {strings.Repeat("c", 101)}, "website": {"javascript:alert(1)"}}
		res := c.Post(t, "/account/profile", bad)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad profile: status %d, want 422", res.StatusCode)
		}
		for _, f := range []string{"display_name", "bio", "location", "website"} {
			if !strings.Contains(res.Body, `id="f-`+f+`-error"`) {
				t.Errorf("no error next to %s", f)
			}
		}
		contains(t, res, "English errors", true, "Your display name is too long", "starting with https:// or http://", `value="javascript:alert(1)"`)

		c.Header.Set("Accept-Language", "fr")
		fr := c.Post(t, "/account/profile", url.Values{"website": {"ftp://example.com"}, "location": {"Lyon"}})
		if fr.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad website: status %d", fr.StatusCode)
		}
		contains(t, fr, "French errors", true, "Saisissez une adresse web commençant par https://", `value="Lyon"`, "Site web")

		good := url.Values{"display_name": {"Ana Lima"}, "bio": {"I bake **bread** <script>alert(1)</script> and fix bikes."},
			"location": {"Lyon"}, "website": {"https://ana.example.com/"}}
		res = c.Post(t, "/account/profile", good)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/u/ana" {
			t.Fatalf("good profile: status %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
		}
		page := c.Get(t, "/u/ana")
		contains(t, page, "saved profile", true, "Ana Lima", "<strong>bread</strong>", "Lyon", `href="https://ana.example.com/"`, "@ana")
		contains(t, page, "saved profile", false, "<script>alert(1)")
	})
}

// GET /api/v1/users/{username}: anyone, the public profile; 404 for
// nobody. Every response is checked against openapi.json by the client.
func TestUserAPI(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		w.start(t, w.ana, w.general, "A topic to earn a badge")
		testutil.Must(t, env.App.Jobs.Drain(ctx), "drain")
		c := env.Client()
		res := c.Get(t, "/api/v1/users/Ana")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/v1/users/Ana = %d\n%s", res.StatusCode, res.Body)
		}
		var got struct {
			ID         int64  `json:"id"`
			Username   string `json:"username"`
			URL        string `json:"url"`
			TrustLevel int    `json:"trust_level"`
			Topics     int    `json:"topics_count"`
			Badges     []struct {
				Name string `json:"name"`
			} `json:"badges"`
			Email *string `json:"email"`
		}
		testutil.Must(t, json.Unmarshal([]byte(res.Body), &got), "decode")
		if got.ID != w.ana.ID || got.Username != "ana" || got.URL != "/u/ana" || got.Topics != 1 || len(got.Badges) != 1 || got.Badges[0].Name != "first_post" || got.Email != nil {
			t.Errorf("GET /api/v1/users/Ana = %+v", got)
		}
		if res := c.Get(t, "/api/v1/users/nobody"); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET /api/v1/users/nobody = %d, want 404", res.StatusCode)
		}
	})
}

// Staff set and lock a member's trust level from the profile; members may
// not.
func TestTrustForm(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		member := env.Client()
		member.Login(t, "boris")
		if res := member.Post(t, "/u/ana/trust", testutil.Form("level", "4", "locked", "true")); res.StatusCode != http.StatusForbidden {
			t.Errorf("a member sets a trust level: %d, want 403", res.StatusCode)
		}
		staff := env.Client()
		staff.Login(t, "maud")
		res := staff.Post(t, "/u/ana/trust", testutil.Form("level", "3", "locked", "true"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("staff sets a trust level: %d\n%s", res.StatusCode, res.Body)
		}
		u, _ := env.App.Users.Store().Get(ctx, w.ana.ID)
		if u.TrustLevel != auth.TrustRegular || !u.TrustLocked {
			t.Errorf("ana: level %d, locked %v; want 3, locked", u.TrustLevel, u.TrustLocked)
		}
		contains(t, staff.Get(t, "/u/ana"), "locked profile", true, "Regular", "Locked:")
		if res := staff.Post(t, "/u/ana/trust", testutil.Form("level", "9")); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("level 9: %d, want 422", res.StatusCode)
		}
	})
}

// The badge pages list every badge and each one's holders, page by page;
// the leaderboard ranks members by period.
func TestBadgeAndLeaderboardPages(t *testing.T) {
	env := testutil.New(t)
	w := setup(t, env)
	for i := range 52 {
		u := env.Member(t, fmt.Sprintf("voice%02d", i))
		w.start(t, u, w.general, fmt.Sprintf("Hello from voice number %02d", i))
	}
	testutil.Must(t, env.App.Jobs.Drain(ctx), "drain")
	c := env.Client()
	res := c.Get(t, "/badges")
	contains(t, res, "badges", true, "First post", "52 holders", "Helpful", "0 holders", `href="/badges/anniversary"`)
	res = c.Get(t, "/badges/first_post")
	contains(t, res, "holders", true, "Posted for the first time.", "52 holders", "voice51", `rel="next"`)
	next := res.Body[strings.Index(res.Body, `/badges/first_post?cursor=`):]
	next = next[:strings.Index(next, `"`)]
	res = c.Get(t, strings.ReplaceAll(next, "&amp;", "&"))
	contains(t, res, "second page", true, "voice00", "voice01")
	contains(t, res, "second page", false, "voice51", `rel="next"`)
	if res := c.Get(t, "/badges/unknown"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /badges/unknown = %d, want 404", res.StatusCode)
	}
	if res := c.Get(t, "/badges/first_post?cursor=zzz"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a damaged cursor: %d, want 422", res.StatusCode)
	}
	tp := w.start(t, w.ana, w.general, "Who likes rye bread?")
	p := w.reply(t, w.bo, tp, "I do, with butter.")
	_, err := env.App.Topics.React(ctx, w.ana.Viewer(), p.ID, "like")
	testutil.Must(t, err, "react")
	testutil.Must(t, env.App.Jobs.Drain(ctx), "drain")
	for _, period := range []string{"", "?period=week", "?period=month", "?period=all", "?period=decade"} {
		res := c.Get(t, "/leaderboard"+period)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET /leaderboard%s = %d", period, res.StatusCode)
		}
		contains(t, res, "leaderboard"+period, true, `href="/u/boris"`)
	}
	c.Header.Set("Accept-Language", "fr")
	contains(t, c.Get(t, "/leaderboard"), "French leaderboard", true, "Classement", "7 derniers jours")
}
