package user_test

import (
	"fmt"
	"strings"
	"testing"

	"causerie/app/testutil"
)

// The header and language form that web writes in Go read the same as the
// default theme's templates, for visitors, members with and without
// unread notifications, staff, in English and French, on the pages their
// links point to (aria-current).
func TestHeaderInGo(t *testing.T) {
	env := testutil.New(t)
	env.UserWithRole(t, "boss", "admin")
	jade := env.Member(t, "jade")
	env.Member(t, "remi")
	testutil.Must(t, env.App.DB.Exec("UPDATE users SET language = 'fr' WHERE username = 'remi'").Error, "remi reads French")
	for i := 0; i < 3; i++ {
		testutil.Must(t, env.App.DB.Exec(`INSERT INTO notifications (user_id, kind, dedup_key, data, created_at) VALUES (?, 'welcome', ?, '{}', CURRENT_TIMESTAMP)`,
			jade.ID, fmt.Sprint("test-", i)).Error, "notification")
	}
	readers := map[string][]string{
		"":     {`href="/login" aria-current="page"`, `href="/register"`, `lang="fr"`},
		"jade": {`class="bell-count" aria-hidden="true">3</span>`, `action="/logout"`, `href="/account" aria-current="page"`},
		"remi": {`action="/logout"`, `<option value="fr" selected lang="fr">`},
		"boss": {`href="/admin/audit"`, `href="/review"`},
	}
	for name, want := range readers {
		c := env.Client()
		if name != "" {
			c.Login(t, name)
			c.Get(t, "/") // takes the flash message the login left
		}
		for _, path := range []string{"/", "/login", "/account", "/notifications", "/search"} {
			c.Get(t, "/") // takes a flash message the last redirect left
			goPage := c.Get(t, path)
			env.App.Web.TemplatesOnly(true)
			tmplPage := c.Get(t, path)
			env.App.Web.TemplatesOnly(false)
			if goPage.StatusCode != tmplPage.StatusCode {
				t.Fatalf("%s %s: %d and %d", name, path, goPage.StatusCode, tmplPage.StatusCode)
			}
			testutil.SamePage(t, name+" "+path+": Go header, then templates", goPage.Body, tmplPage.Body)
			if path == "/account" || path == "/login" {
				for _, w := range want {
					if strings.Contains(w, "aria-current") && !strings.Contains(w, path+`"`) {
						continue
					}
					if !strings.Contains(goPage.Body, w) && goPage.StatusCode == 200 {
						t.Errorf("%s %s: the header lacks %s", name, path, w)
					}
				}
			}
		}
	}
}
