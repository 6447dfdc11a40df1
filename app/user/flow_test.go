package user_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"causerie/app/testutil"
)

// TestRegisterConfirmLogin follows a newcomer: sign up, read the mail the
// SMTP server received, confirm, log out, log back in.
func TestRegisterConfirmLogin(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		c := env.Client()
		res := c.Post(t, "/register", testutil.Form("username", "Ana_Lima", "email", "Ana@Example.test", "password", "blue tangerine forest"))
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "ana@example.test") {
			t.Fatalf("register: %d\n%s", res.StatusCode, res.Body)
		}
		// Not confirmed yet: login is refused with a way forward.
		res = c.Post(t, "/login", testutil.Form("login", "ana_lima", "password", "blue tangerine forest"))
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "confirm your e-mail") {
			t.Fatalf("login before confirming: %d\n%s", res.StatusCode, res.Body)
		}
		msg := env.Mail.Last(t, "ana@example.test")
		link := msg.Link("/confirm/")
		if link == "" || !strings.Contains(msg.Subject, "Confirm") {
			t.Fatalf("confirmation mail: %+v", msg)
		}
		u, _ := url.Parse(link)
		res = c.Get(t, u.Path)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d %s", res.StatusCode, res.Body)
		}
		if res = c.Get(t, "/account"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Ana_Lima") {
			t.Fatalf("account after confirming: %d", res.StatusCode)
		}
		// The link works once.
		if res = env.Client().Get(t, u.Path); res.StatusCode != http.StatusNotFound {
			t.Fatalf("second use of the link: %d", res.StatusCode)
		}
		if res = c.Post(t, "/logout", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: %d", res.StatusCode)
		}
		if res = c.Get(t, "/account"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("account after logout: %d, want a redirect to login", res.StatusCode)
		}
		// Login by e-mail, any case.
		res = c.Post(t, "/login", testutil.Form("login", "ANA@example.test", "password", "blue tangerine forest"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("login: %d\n%s", res.StatusCode, res.Body)
		}
	})
}
