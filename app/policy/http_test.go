package policy_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"causerie/app/config"
	"causerie/app/policy"
	"causerie/app/testutil"
	"causerie/app/user"
	"causerie/app/web"
)

// api sends a JSON request with the session's CSRF token; the test client
// checks every answer against the OpenAPI document.
func api(t *testing.T, env *testutil.Env, c *testutil.Client, method, path string, body any) *testutil.Response {
	t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, env.URL(path), bytes.NewReader(b))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok := c.CSRF(); tok != "" {
		req.Header.Set("X-CSRF-Token", tok)
	}
	return c.Do(t, req)
}

func decode[T any](t *testing.T, res *testutil.Response, status int) T {
	t.Helper()
	var out T
	if res.StatusCode != status {
		t.Fatalf("%s %s: %d, want %d\n%s", res.Request.Method, res.Request.URL.Path, res.StatusCode, status, res.Body)
	}
	if err := json.Unmarshal([]byte(res.Body), &out); err != nil {
		t.Fatalf("decode %s: %v", res.Body, err)
	}
	return out
}

func login(t *testing.T, env *testutil.Env, u *user.User, lang string) *testutil.Client {
	t.Helper()
	c := env.Client()
	if lang != "" {
		c.Header.Set("Accept-Language", lang)
	}
	c.Login(t, u.Username)
	return c
}

// A lead manages watched words through the API; bad input is refused
// with the field named, in the caller's language.
func TestAPI(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newWorld(t, env)
		c := login(t, env, w.lead, "fr")
		created := decode[policy.Word](t, api(t, env, c, http.MethodPost, "/api/v1/watched-words",
			map[string]any{"pattern": "télécharger", "action": "block"}), http.StatusCreated)
		if created.ID == 0 || created.Pattern != "télécharger" || created.Action != "block" {
			t.Fatalf("created = %+v", created)
		}
		list := decode[struct {
			Words []policy.Word `json:"watched_words"`
		}](t, api(t, env, c, http.MethodGet, "/api/v1/watched-words", nil), http.StatusOK)
		if len(list.Words) != 1 || list.Words[0].ID != created.ID {
			t.Errorf("list = %+v", list)
		}
		trial := decode[policy.Trial](t, api(t, env, c, http.MethodPost, "/api/v1/watched-words/try",
			map[string]any{"text": "Où TELECHARGER ça ?"}), http.StatusOK)
		if trial.Blocked != "TELECHARGER" {
			t.Errorf("trial = %+v", trial)
		}
		bad := decode[web.APIError](t, api(t, env, c, http.MethodPost, "/api/v1/watched-words",
			map[string]any{"pattern": "(casino", "regex": true, "action": "block"}), http.StatusUnprocessableEntity)
		if msg := bad.Error.Fields["pattern"]; !strings.Contains(msg, "expression régulière") || !strings.Contains(msg, "« (casino »") {
			t.Errorf("invalid regex in French: %q", msg)
		}
		updated := decode[policy.Word](t, api(t, env, c, http.MethodPut, "/api/v1/watched-words/"+itoa(created.ID),
			map[string]any{"pattern": "télécharger", "action": "replace", "replacement": "récupérer"}), http.StatusOK)
		if updated.Action != "replace" || updated.Replacement != "récupérer" {
			t.Errorf("updated = %+v", updated)
		}
		if got := decode[policy.Word](t, api(t, env, c, http.MethodGet, "/api/v1/watched-words/"+itoa(created.ID), nil), http.StatusOK); got.Action != "replace" {
			t.Errorf("show = %+v", got)
		}
		if res := api(t, env, c, http.MethodDelete, "/api/v1/watched-words/"+itoa(created.ID), nil); res.StatusCode != http.StatusNoContent {
			t.Errorf("delete: %d %s", res.StatusCode, res.Body)
		}
		if res := api(t, env, c, http.MethodGet, "/api/v1/watched-words/"+itoa(created.ID), nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("show deleted: %d", res.StatusCode)
		}
		// A moderator may not, nor a visitor.
		mod := login(t, env, w.mod, "")
		if res := api(t, env, mod, http.MethodGet, "/api/v1/watched-words", nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("moderator list: %d", res.StatusCode)
		}
		if res := api(t, env, mod, http.MethodPost, "/api/v1/watched-words", map[string]any{"pattern": "x1", "action": "block"}); res.StatusCode != http.StatusForbidden {
			t.Errorf("moderator create: %d", res.StatusCode)
		}
		if res := api(t, env, env.Client(), http.MethodGet, "/api/v1/watched-words", nil); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("visitor list: %d", res.StatusCode)
		}
	})
}

func itoa(n int64) string {
	return strings.TrimSpace(strings.ReplaceAll(string(mustJSON(n)), "\"", ""))
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

var wordIDRE = regexp.MustCompile(`/admin/watched-words/(\d+)/edit`)

// The admin page: add, see it listed, try a text, edit, delete — with the
// errors next to the fields and what was typed kept.
func TestAdminPage(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newWorld(t, env)
		c := login(t, env, w.lead, "")
		if res := c.Get(t, "/admin/watched-words"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "No words are watched yet.") {
			t.Fatalf("empty page: %d\n%s", res.StatusCode, res.Body)
		}
		res := c.Post(t, "/admin/watched-words", url.Values{"pattern": {"casino"}, "action": {"censor"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add: %d\n%s", res.StatusCode, res.Body)
		}
		page := c.Get(t, "/admin/watched-words").Body
		if !strings.Contains(page, "<code>casino</code>") || !strings.Contains(page, "The word is watched from now on.") {
			t.Errorf("page after add:\n%s", page)
		}
		m := wordIDRE.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no edit link")
		}
		// A bad regular expression: the error is on the pattern, what was typed stays.
		res = c.Post(t, "/admin/watched-words", url.Values{"pattern": {"[0-9"}, "regex": {"true"}, "action": {"block"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `id="f-pattern-error"`) ||
			!strings.Contains(res.Body, "look at “[0-9”") || !strings.Contains(res.Body, `value="[0-9"`) {
			t.Errorf("bad regex: %d\n%s", res.StatusCode, res.Body)
		}
		res = c.Post(t, "/admin/watched-words/try", url.Values{"text": {"Le CASINO d'à côté"}})
		if !strings.Contains(res.Body, "Le ■■■ d&#39;à côté") {
			t.Errorf("try:\n%s", res.Body)
		}
		if res := c.Get(t, "/admin/watched-words/"+m[1]+"/edit"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `value="casino"`) {
			t.Errorf("edit page: %d", res.StatusCode)
		}
		res = c.Post(t, "/admin/watched-words/"+m[1], url.Values{"pattern": {"casino"}, "action": {"replace"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Enter the text that replaces the word.") {
			t.Errorf("edit without replacement: %d", res.StatusCode)
		}
		res = c.Post(t, "/admin/watched-words/"+m[1], url.Values{"pattern": {"casino"}, "action": {"tag"}, "replacement": {"jeux"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("edit: %d\n%s", res.StatusCode, res.Body)
		}
		if page := c.Get(t, "/admin/watched-words").Body; !strings.Contains(page, "<code>jeux</code>") {
			t.Errorf("page after edit:\n%s", page)
		}
		if res := c.Post(t, "/admin/watched-words/"+m[1]+"/delete", nil); res.StatusCode != http.StatusSeeOther {
			t.Errorf("delete: %d", res.StatusCode)
		}
		if page := c.Get(t, "/admin/watched-words").Body; strings.Contains(page, "<code>casino</code>") {
			t.Error("deleted word still listed")
		}
		// The staff menu leads there, for those who may go.
		if home := c.Get(t, "/").Body; !strings.Contains(home, `<a href="/admin/watched-words">Watched words</a>`) {
			t.Error("the lead's menu has no link to the watched words")
		}
		if home := login(t, env, w.mod, "").Get(t, "/").Body; strings.Contains(home, `href="/admin/watched-words"`) {
			t.Error("a moderator's menu links to the watched words")
		}
		// In French.
		fr := login(t, env, w.adm, "fr")
		if page := fr.Get(t, "/admin/watched-words").Body; !strings.Contains(page, "Mots surveillés") || !strings.Contains(page, "Censurer : remplacer le mot par ■■■") {
			t.Errorf("French page:\n%s", page)
		}
		// Members and moderators are turned away.
		for _, u := range []*user.User{w.member, w.mod} {
			c := login(t, env, u, "")
			if res := c.Get(t, "/admin/watched-words"); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: page %d", u.Username, res.StatusCode)
			}
			if res := c.Post(t, "/admin/watched-words", url.Values{"pattern": {"poker"}, "action": {"block"}}); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: add %d", u.Username, res.StatusCode)
			}
			if res := c.Post(t, "/admin/watched-words/"+m[1]+"/delete", nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: delete %d", u.Username, res.StatusCode)
			}
		}
		if res := env.Client().Get(t, "/admin/watched-words"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("visitor: %d, want sent to log in", res.StatusCode)
		}
	})
}

var shownRE = regexp.MustCompile(`name="shown" value="([^"]+)"`)

// The registration form's trap: a robot that fills the hidden field, or
// sends the form back at once, is refused without being told why; a
// person who takes a moment gets an account. The trap is hidden from
// sight and from screen readers.
func TestRegistrationTrap(t *testing.T) {
	env := testutil.New(t, func(c *config.Config) {
		c.Antispam.RegisterMinTime = config.Duration{Duration: time.Second}
		c.Accounts.RequireConfirmation = false
	})
	c := env.Client()
	page := c.Get(t, "/register").Body
	if !strings.Contains(page, `<div class="trap" aria-hidden="true">`) || !strings.Contains(page, `name="homepage" type="text" value="" tabindex="-1" autocomplete="off"`) {
		t.Fatalf("register page has no hidden trap:\n%s", page)
	}
	shown := shownRE.FindStringSubmatch(page)
	if shown == nil {
		t.Fatal("no shown stamp")
	}
	form := func(honey, stamp string) url.Values {
		return url.Values{"username": {"robbie"}, "email": {"robbie@example.test"}, "password": {"correct horse battery staple"},
			"homepage": {honey}, "shown": {stamp}}
	}
	for name, f := range map[string]url.Values{
		"sent at once":       form("", shown[1]),
		"no stamp":           form("", ""),
		"hidden field typed": form("http://spam.example", shown[1]),
	} {
		res := c.Post(t, "/register", f)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "We could not create your account.") ||
			!strings.Contains(res.Body, `value="robbie"`) {
			t.Errorf("%s: %d\n%s", name, res.StatusCode, res.Body)
		}
	}
	var n int64
	env.App.DB.DB.Model(&user.User{}).Where("username = ?", "robbie").Count(&n)
	if n != 0 {
		t.Fatal("a robot got an account")
	}
	time.Sleep(1100 * time.Millisecond)
	if res := c.Post(t, "/register", form("", shown[1])); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a person who took a moment: %d\n%s", res.StatusCode, res.Body)
	}
}
