package user_test

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"causerie/app/auth"
	"causerie/app/config"
	"causerie/app/errs"
	"causerie/app/testutil"
	"causerie/app/user"
)

func path(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || link == "" {
		t.Fatalf("bad link %q", link)
	}
	return u.Path
}

func TestRegistrationRules(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		env.Member(t, "Chloe")
		for _, tc := range []struct {
			name           string
			form           [6]string
			field, message string
		}{
			{"taken, other case", [6]string{"username", "CHLOE", "email", "x@example.test", "password", "blue tangerine forest"}, "username", "already taken"},
			{"taken e-mail", [6]string{"username", "newbie", "email", "Chloe@Example.test", "password", "blue tangerine forest"}, "email", "already uses"},
			{"bad username", [6]string{"username", "a b", "email", "y@example.test", "password", "blue tangerine forest"}, "username", "3 to 30"},
			{"reserved", [6]string{"username", "Admin", "email", "y@example.test", "password", "blue tangerine forest"}, "username", "reserved"},
			{"bad e-mail", [6]string{"username", "newbie", "email", "not-an-address", "password", "blue tangerine forest"}, "email", "such as"},
			{"short password", [6]string{"username", "newbie", "email", "y@example.test", "password", "short"}, "password", "too short"},
			{"common password", [6]string{"username", "newbie", "email", "y@example.test", "password", "password123"}, "password", "too easy"},
			{"password is the name", [6]string{"username", "newbie", "email", "y@example.test", "password", "newbie-newbie-1"}, "password", "must not contain"},
		} {
			c := env.Client()
			res := c.Post(t, "/register", testutil.Form(tc.form[:]...))
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d", tc.name, res.StatusCode)
				continue
			}
			// The error sits next to its field, and what was typed (but the
			// password) is kept.
			if !strings.Contains(res.Body, `id="f-`+tc.field+`-error"`) || !strings.Contains(res.Body, tc.message) {
				t.Errorf("%s: no %q next to %s\n%s", tc.name, tc.message, tc.field, res.Body)
			}
			if tc.form[1] != "" && !strings.Contains(res.Body, `value="`+tc.form[1]+`"`) {
				t.Errorf("%s: the username typed was not kept", tc.name)
			}
			if strings.Contains(res.Body, `value="`+tc.form[5]+`"`) {
				t.Errorf("%s: the password was sent back", tc.name)
			}
		}
	})
}

func TestRegistrationErrorsInFrench(t *testing.T) {
	env := testutil.New(t)
	c := env.Client()
	c.Header.Set("Accept-Language", "fr")
	res := c.Post(t, "/register", testutil.Form("username", "x", "email", "nope", "password", "court"))
	for _, want := range []string{"Utilisez de 3 à 30", "Saisissez une adresse e-mail", "trop court"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("missing %q", want)
		}
	}
	// The confirmation mail goes out in the language the member signed up in.
	c.Post(t, "/register", testutil.Form("username", "eloise", "email", "eloise@example.test", "password", "blue tangerine forest"))
	msg := env.Mail.Last(t, "eloise@example.test")
	if !strings.Contains(msg.Subject, "Confirmez") || !strings.Contains(msg.Text, "Bonjour eloise") {
		t.Errorf("mail not in French: %+v", msg)
	}
}

func TestPasswordReset(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		env.Member(t, "dora")
		other := env.Client()
		other.Login(t, "dora")
		c := env.Client()
		// An unknown address gets the same answer and no mail.
		res := c.Post(t, "/password/forgot", testutil.Form("email", "nobody@example.test"))
		if res.StatusCode != 200 || env.Mail.Count("nobody@example.test") != 0 {
			t.Fatalf("unknown address: %d", res.StatusCode)
		}
		res2 := c.Post(t, "/password/forgot", testutil.Form("email", "DORA@example.test"))
		if res2.StatusCode != 200 || strings.Count(res.Body, "If an account uses") != strings.Count(res2.Body, "If an account uses") {
			t.Fatalf("known address answers differently")
		}
		link := path(t, env.Mail.Last(t, "dora@example.test").Link("/password/reset/"))
		if res = c.Get(t, link); res.StatusCode != 200 {
			t.Fatalf("reset page: %d", res.StatusCode)
		}
		if res = c.Post(t, link, testutil.Form("password", "short")); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("weak new password accepted: %d", res.StatusCode)
		}
		if res = c.Post(t, link, testutil.Form("password", "new shiny lantern")); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset: %d %s", res.StatusCode, res.Body)
		}
		// The link is spent; the old password is gone; the other session ended.
		if res = env.Client().Get(t, link); res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, "not valid any more") {
			t.Errorf("spent link: %d", res.StatusCode)
		}
		if res = env.Client().Post(t, "/login", testutil.Form("login", "dora", "password", testutil.Password)); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("old password still works: %d", res.StatusCode)
		}
		if res = other.Get(t, "/account"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("a session from before the reset is still alive: %d", res.StatusCode)
		}
		if res = env.Client().Post(t, "/login", testutil.Form("login", "dora", "password", "new shiny lantern")); res.StatusCode != http.StatusSeeOther {
			t.Errorf("new password refused: %d", res.StatusCode)
		}
	})
}

func TestChangePasswordAndLogOutEverywhere(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		env.Member(t, "emil")
		phone, laptop := env.Client(), env.Client()
		phone.Login(t, "emil")
		laptop.Login(t, "emil")
		res := laptop.Post(t, "/account/password", testutil.Form("current_password", "wrong one here", "new_password", "river stone meadow"))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "not right") {
			t.Fatalf("wrong current password: %d", res.StatusCode)
		}
		res = laptop.Post(t, "/account/password", testutil.Form("current_password", testutil.Password, "new_password", "river stone meadow"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("change: %d %s", res.StatusCode, res.Body)
		}
		if res = laptop.Get(t, "/account"); res.StatusCode != 200 {
			t.Errorf("the session that changed the password was logged out: %d", res.StatusCode)
		}
		if res = phone.Get(t, "/account"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("the other session survived a password change: %d", res.StatusCode)
		}
		phone.Post(t, "/login", testutil.Form("login", "emil", "password", "river stone meadow"))
		if res = phone.Get(t, "/account"); res.StatusCode != 200 {
			t.Fatalf("login with the new password: %d", res.StatusCode)
		}
		if res = laptop.Post(t, "/account/logout-everywhere", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("log out everywhere: %d", res.StatusCode)
		}
		for name, c := range map[string]*testutil.Client{"phone": phone, "laptop": laptop} {
			if res = c.Get(t, "/account"); res.StatusCode != http.StatusSeeOther {
				t.Errorf("%s still logged in after log out everywhere", name)
			}
		}
	})
}

func TestChangeEmail(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		env.Member(t, "fanny")
		env.Member(t, "gus")
		c := env.Client()
		c.Login(t, "fanny")
		res := c.Post(t, "/account/email", testutil.Form("email", "gus@example.test", "password", testutil.Password))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "already uses") {
			t.Errorf("someone else's address: %d", res.StatusCode)
		}
		res = c.Post(t, "/account/email", testutil.Form("email", "fanny.new@example.test", "password", "not my password"))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `value="fanny.new@example.test"`) {
			t.Errorf("wrong password: %d (and the address typed must be kept)", res.StatusCode)
		}
		res = c.Post(t, "/account/email", testutil.Form("email", "Fanny.New@example.test", "password", testutil.Password))
		if res.StatusCode != 200 {
			t.Fatalf("request change: %d", res.StatusCode)
		}
		// Nothing changes until the new address is confirmed.
		u, _ := env.App.Users.Store().ByUsername(testutil.Ctx(), "fanny")
		if u.Email != "fanny@example.test" {
			t.Errorf("address changed before confirmation: %s", u.Email)
		}
		link := path(t, env.Mail.Last(t, "fanny.new@example.test").Link("/account/email/"))
		if res = c.Get(t, link); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d", res.StatusCode)
		}
		u, _ = env.App.Users.Store().ByUsername(testutil.Ctx(), "fanny")
		if u.Email != "fanny.new@example.test" {
			t.Errorf("address is %s after confirming", u.Email)
		}
	})
}

func TestLoginFailuresAndRateLimit(t *testing.T) {
	env := testutil.New(t, func(c *config.Config) { c.RateLimit.Login = "3-10m" })
	env.Member(t, "hugo")
	c := env.Client()
	for i := range 3 {
		res := c.Post(t, "/login", testutil.Form("login", "hugo", "password", "wrong password"))
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, "do not match") || !strings.Contains(res.Body, `value="hugo"`) {
			t.Fatalf("attempt %d: %d", i, res.StatusCode)
		}
	}
	res := c.Post(t, "/login", testutil.Form("login", "hugo", "password", testutil.Password))
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.Body, "try again in 10 minutes") || res.Header.Get("Retry-After") == "" {
		t.Fatalf("fourth attempt: %d\n%s", res.StatusCode, res.Body)
	}
	// Another address trying the same account is held back too (per account).
	other := env.Client()
	res = other.Post(t, "/login", testutil.Form("login", "HUGO", "password", testutil.Password))
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("per-account limit: %d", res.StatusCode)
	}
	other.Header.Set("Accept-Language", "fr")
	res = other.Post(t, "/login", testutil.Form("login", "hugo", "password", "x"))
	if !strings.Contains(res.Body, "Réessayez dans 10 minutes") {
		t.Errorf("the limit message is not in French")
	}
}

func TestAccountPagesNeedLogin(t *testing.T) {
	env := testutil.New(t)
	c := env.Client()
	res := c.Get(t, "/account")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Faccount" {
		t.Errorf("anonymous /account: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	for _, p := range []string{"/account/password", "/account/email", "/account/logout-everywhere"} {
		if res := c.Post(t, p, nil); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("anonymous POST %s: %d", p, res.StatusCode)
		}
	}
	// After logging in, next brings the member back, but only within the site.
	env.Member(t, "ines")
	res = c.Post(t, "/login", testutil.Form("login", "ines", "password", testutil.Password, "next", "/account"))
	if res.Header.Get("Location") != "/account" {
		t.Errorf("next: %s", res.Header.Get("Location"))
	}
	d := env.Client()
	res = d.Post(t, "/login", testutil.Form("login", "ines", "password", testutil.Password, "next", "https://evil.example/"))
	if res.Header.Get("Location") != "/" {
		t.Errorf("open redirect: %s", res.Header.Get("Location"))
	}
}

// A session cookie made before login is replaced at login: fixing someone's
// session beforehand gains nothing.
func TestLoginRenewsTheSession(t *testing.T) {
	env := testutil.New(t)
	env.Member(t, "jade")
	c := env.Client()
	c.Login(t, "jade")
	first := c.Cookie("causerie_session")
	c.Login(t, "jade")
	if second := c.Cookie("causerie_session"); first == "" || second == first {
		t.Errorf("the session was not renewed at login")
	}
}

// A session keeps the member's ID as a small JSON object; sessions written
// before that, as gob, still log their member in.
func TestSessionDataReadsOldAndNew(t *testing.T) {
	env := testutil.New(t)
	jade := env.Member(t, "jade")
	c := env.Client()
	c.Login(t, "jade")
	var data []byte
	testutil.Must(t, env.App.DB.Raw("SELECT data FROM sessions WHERE user_id = ?", jade.ID).Row().Scan(&data), "session row")
	if want := fmt.Sprintf(`{"uid":%d}`, jade.ID); string(data) != want {
		t.Errorf("session data %q, want %q", data, want)
	}
	var old bytes.Buffer
	testutil.Must(t, gob.NewEncoder(&old).Encode(map[any]any{"uid": jade.ID}), "gob")
	testutil.Must(t, env.App.DB.Exec("UPDATE sessions SET data = ? WHERE user_id = ?", old.Bytes(), jade.ID).Error, "old row")
	if res := c.Get(t, "/account"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "jade") {
		t.Errorf("a gob session does not log its member in: %d", res.StatusCode)
	}
	testutil.Must(t, env.App.DB.Exec("UPDATE sessions SET data = ? WHERE user_id = ?", []byte(`{"uid":"jade"}`), jade.ID).Error, "bad row")
	if res := c.Get(t, "/account"); res.StatusCode == http.StatusOK {
		t.Error("a session whose member ID is not a number logs someone in")
	}
}

// A session past its end logs no one in, whatever its cookie says.
func TestExpiredSessionRefused(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		jade := env.Member(t, "jade")
		c := env.Client()
		c.Login(t, "jade")
		if res := c.Get(t, "/account"); res.StatusCode != http.StatusOK {
			t.Fatalf("account while logged in: %d", res.StatusCode)
		}
		testutil.Must(t, env.App.DB.Exec("UPDATE sessions SET expires_at = ? WHERE user_id = ?", time.Now().Add(-time.Minute).UTC(), jade.ID).Error, "expire")
		if res := c.Get(t, "/account"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("an expired session still opens /account: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

// A member suspended while logged in (here straight in the database, so
// that their session stays) is a visitor on their next request: the
// session and the member are read together, and the suspension holds.
func TestSuspendedSessionRefused(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		kim := env.Member(t, "kim")
		c := env.Client()
		c.Login(t, "kim")
		if res := c.Get(t, "/account"); res.StatusCode != http.StatusOK {
			t.Fatalf("account while logged in: %d", res.StatusCode)
		}
		testutil.Must(t, env.App.DB.Exec("UPDATE users SET suspended_until = ? WHERE id = ?", time.Now().Add(time.Hour).UTC(), kim.ID).Error, "suspend")
		if res := c.Get(t, "/account"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("a suspended member's session still opens /account: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		testutil.Must(t, env.App.DB.Exec("UPDATE users SET suspended_until = NULL WHERE id = ?", kim.ID).Error, "lift")
		if res := c.Get(t, "/account"); res.StatusCode != http.StatusOK {
			t.Errorf("the session does not open /account once the suspension is lifted: %d", res.StatusCode)
		}
	})
}

func TestFirstRunSetup(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		c := env.Client()
		if res := c.Get(t, "/"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/setup" {
			t.Fatalf("home before setup: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		code, err := env.App.Users.PrepareSetup(testutil.Ctx())
		if err != nil || len(code) != 14 {
			t.Fatalf("setup code %q: %v", code, err)
		}
		form := testutil.Form("code", "AAAA-BBBB-CCCC", "username", "owner", "email", "owner@example.test", "password", "purple monkey dishwasher")
		res := c.Post(t, "/setup", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "setup code is not right") {
			t.Fatalf("wrong code: %d", res.StatusCode)
		}
		if ok, _ := env.App.Users.SetupNeeded(testutil.Ctx()); !ok {
			t.Fatal("a wrong code created an administrator")
		}
		form.Set("code", strings.ToLower(code)) // typed in lower case: still fine
		if res = c.Post(t, "/setup", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("setup: %d %s", res.StatusCode, res.Body)
		}
		if res = c.Get(t, "/"); res.StatusCode != 200 || !strings.Contains(res.Body, "Your forum is ready") {
			t.Errorf("home after setup: %d", res.StatusCode)
		}
		me, _ := env.App.Users.Store().ByUsername(testutil.Ctx(), "owner")
		if me.Role != auth.RoleAdmin || !me.Confirmed() {
			t.Errorf("owner: role %s confirmed %v", me.Role, me.Confirmed())
		}
		// Setup is over for everyone, even with the old code.
		stranger := env.Client()
		if res = stranger.Get(t, "/setup"); res.StatusCode != http.StatusNotFound {
			t.Errorf("setup page after setup: %d", res.StatusCode)
		}
		form.Set("username", "intruder")
		form.Set("email", "intruder@example.test")
		if res = stranger.Post(t, "/setup", form); res.StatusCode != http.StatusNotFound {
			t.Errorf("second setup: %d", res.StatusCode)
		}
		if _, err := env.App.Users.Store().ByUsername(testutil.Ctx(), "intruder"); !errors.Is(err, errs.NotFound) {
			t.Errorf("a second administrator was created")
		}
	})
}

func TestPasswordHashing(t *testing.T) {
	hasher, err := user.NewHasher("m=19456,t=2,p=1")
	if err != nil {
		t.Fatal(err)
	}
	h, err := hasher.Hash("correct horse")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q: %v", h, err)
	}
	h2, _ := hasher.Hash("correct horse")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse": true, "correct horse ": false, "": false} {
		if ok, _ := user.CheckPassword(h, pw); ok != want {
			t.Errorf("CheckPassword(%q) = %v", pw, ok)
		}
	}
	if _, err := user.CheckPassword("$2a$10$bcrypt", "x"); err == nil {
		t.Error("a non-argon2id hash must be an error")
	}
	// A hash made at another cost still verifies: raising the cost later
	// does not lock anyone out.
	cheap, _ := user.NewHasher("m=1024,t=1,p=1")
	h3, _ := cheap.Hash("correct horse")
	if ok, _ := user.CheckPassword(h3, "correct horse"); !ok || !strings.Contains(h3, "m=1024,t=1,p=1") {
		t.Errorf("hash at another cost: %s", h3)
	}
	for _, bad := range []string{"", "m=19456", "m=0,t=1,p=1", "fast"} {
		if _, err := user.NewHasher(bad); err == nil {
			t.Errorf("NewHasher(%q) accepted", bad)
		}
	}
}

func TestAPITokensAreStoredHashed(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		env.Member(t, "kim")
		tok, err := env.App.Users.CreateAPIToken(context.Background(), "kim", "ci")
		if err != nil || !strings.HasPrefix(tok, "cau_") {
			t.Fatalf("token %q: %v", tok, err)
		}
		var n int64
		env.App.DB.Table("api_tokens").Where("token_hash = ?", tok).Count(&n)
		if n != 0 {
			t.Error("the token itself is in the database")
		}
		v, err := env.App.Users.ViewerByToken(context.Background(), tok)
		if err != nil || v.Username != "kim" {
			t.Errorf("token does not identify kim: %v %v", v, err)
		}
		if _, err := env.App.Users.CreateAPIToken(context.Background(), "nobody", ""); !errors.Is(err, errs.NotFound) {
			t.Errorf("token for a missing user: %v", err)
		}
	})
}

// A member picks light or dark colours, or follows the device.
func TestThemePreference(t *testing.T) {
	env := testutil.New(t)
	env.Member(t, "quinn")
	c := env.Client()
	c.Login(t, "quinn")
	if res := c.Get(t, "/account"); strings.Contains(res.Body, "data-theme=") {
		t.Errorf("a member who chose nothing gets a fixed theme")
	}
	if res := c.Post(t, "/account/theme", testutil.Form("theme", "dark")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set dark: %d", res.StatusCode)
	}
	if res := c.Get(t, "/account"); !strings.Contains(res.Body, `<html lang="en" data-theme="dark">`) || !strings.Contains(res.Body, `<option value="dark" selected>`) {
		t.Errorf("dark theme not applied")
	}
	if res := c.Post(t, "/account/theme", testutil.Form("theme", "neon")); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown theme: %d", res.StatusCode)
	}
	c.Post(t, "/account/theme", testutil.Form("theme", ""))
	if res := c.Get(t, "/account"); strings.Contains(res.Body, "data-theme=") {
		t.Errorf("back to the device's colours: still fixed")
	}
}
