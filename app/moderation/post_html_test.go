package moderation_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"causerie/app/config"
	"causerie/app/moderation"
	"causerie/app/testutil"
	"causerie/themes"
)

// The per-post partials that moderation, review and user (the avatar)
// write in Go read the same as their templates in the default theme, for every kind of reader
// and every state a post can be in: the template stays the reference a
// theme overrides, so the two must not drift apart.
func TestPostPartialsInGo(t *testing.T) {
	env := testutil.New(t)
	f := setup(t, env)
	ctx := testutil.Ctx()
	tp, posts := f.topic(t, f.catA, "Every state a post can be in",
		"a plain reply", "hidden with a reason", "hidden by flags", "hidden without a reason", "deleted by staff",
		"the official answer", "still held for review")
	for _, a := range []moderation.Action{
		{Kind: moderation.Hide, PostID: posts[2].ID, Reason: "Spam <link> & \"more\""},
		{Kind: moderation.Delete, PostID: posts[5].ID, Reason: "off topic"},
		{Kind: moderation.Official, PostID: posts[6].ID},
	} {
		_, err := env.App.Moderation.Apply(ctx, f.admin, a)
		testutil.Must(t, err, "%s", a.Kind)
	}
	testutil.Must(t, env.App.DB.Exec("UPDATE posts SET state = 'hidden', hidden_reason = '', hidden_by_id = NULL WHERE id = ?", posts[3].ID).Error, "hidden by flags")
	testutil.Must(t, env.App.DB.Exec("UPDATE posts SET state = 'hidden', hidden_reason = '', hidden_by_id = ? WHERE id = ?", f.admin.ID, posts[4].ID).Error, "hidden, no reason")
	testutil.Must(t, env.App.DB.Exec("UPDATE posts SET state = 'pending' WHERE id = ?", posts[7].ID).Error, "held")
	// An uploaded avatar for bob; the others keep the generated one.
	testutil.Must(t, env.App.DB.Exec("INSERT INTO uploads (user_id, key, kind, mime, size, created_at) VALUES (?, 'k', 'image', 'image/png', 1, ?)",
		f.other.ID, time.Now()).Error, "upload")
	testutil.Must(t, env.App.DB.Exec("UPDATE users SET avatar_upload_id = (SELECT max(id) FROM uploads) WHERE id = ?", f.other.ID).Error, "avatar")
	env.App.Web.Cache.Invalidate("") // the SQL above went around the services

	env.UserWithRole(t, "moder", "moderator")
	env.UserWithRole(t, "junior", "junior_moderator")
	env.UserWithRole(t, "editor", "editor")
	env.UserWithRole(t, "lead", "lead")
	env.Newcomer(t, "newbie")
	// The page is what the reader would see; what each must find there says
	// the Go writers were used and wrote something.
	readers := map[string][]string{
		"boss":   {`class="mod-tools"`, "/mod/posts/", "/unofficial", "/purge", "/restore"},
		"moder":  {`class="mod-tools"`, "/hide"},
		"lead":   {`class="mod-tools"`},
		"junior": {`class="mod-tools"`},
		"editor": {},
		"alice":  {`class="review-flag"`, `<img class="avatar" src="/uploads/avatars/`, `<svg class="avatar"`},
		"bob":    {`class="mod-hidden"`, "/review", "Spam &lt;link&gt; &amp; &#34;more&#34;", `review-pending`},
		"newbie": {},
	}
	for name, want := range readers {
		c := env.Client()
		c.Login(t, name)
		c.Get(t, "/") // takes the flash message the login left
		goPage := c.Get(t, tp.URL())
		if strings.Contains(goPage.Body, "<!--later:") {
			t.Errorf("%s: a marker of the posts' place is left in the page", name)
		}
		for _, w := range want {
			if !strings.Contains(goPage.Body, w) {
				t.Errorf("%s: the page lacks %s", name, w)
			}
		}
		env.App.Web.TemplatesOnly(true)
		tmplPage := c.Get(t, tp.URL())
		env.App.Web.TemplatesOnly(false)
		testutil.SamePage(t, name+": Go partials, then templates", goPage.Body, tmplPage.Body)
	}
}

// A theme that overrides the per-post partial keeps it: the Go writer
// stands in for the default theme's template only.
func TestThemeOverridesPostPartial(t *testing.T) {
	dir := t.TempDir()
	src, err := fs.ReadFile(themes.FS, "default/templates/partials/moderation.html")
	testutil.Must(t, err, "read the default partial")
	mine := strings.Replace(string(src), `{{define "moderation-post"}}`, `{{define "moderation-post"}}<p class="my-theme-tools"></p>`, 1)
	testutil.Must(t, os.MkdirAll(filepath.Join(dir, "templates", "partials"), 0o700), "theme folder")
	testutil.Must(t, os.WriteFile(filepath.Join(dir, "templates", "partials", "moderation.html"), []byte(mine), 0o600), "theme file")
	env := testutil.New(t, func(c *config.Config) { c.Theme.Dir = dir })
	f := setup(t, env)
	tp, _ := f.topic(t, f.catA, "A topic in my own theme", "a reply")
	c := env.Client()
	c.Login(t, "bob")
	if page := c.Get(t, tp.URL()); strings.Count(page.Body, `class="my-theme-tools"`) != 2 {
		t.Errorf("the theme's moderation-post is not drawn under each of the 2 posts: %d times", strings.Count(page.Body, `class="my-theme-tools"`))
	}
}
