package topic_test

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"causerie/app/config"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/themes"
)

// The topic page is written in Go (page_html.go); pages/topic/show.html and
// the layout stay the reference. Each reader below sees a page in a state
// of its own, written both ways: the two must read the same, and what each
// must find there says the page was drawn in that state.
func TestTopicPageInGo(t *testing.T) {
	env := testutil.New(t)
	w := setup(t, env)
	env.Newcomer(t, "newbie")
	env.Member(t, "dora")
	testutil.Must(t, env.App.DB.Exec("UPDATE users SET warning_unread = ?, silenced_until = ? WHERE username = 'dora'",
		true, time.Now().Add(48*time.Hour)).Error, "dora is warned and silenced")
	testutil.Must(t, env.App.DB.Exec("UPDATE users SET language = 'fr', theme = 'dark' WHERE username = 'boris'").Error, "boris reads French, in the dark")

	open, _, err := env.App.Topics.Create(ctx, w.ana.Viewer(), topic.NewTopic{CategoryID: w.general.ID, Kind: topic.KindQuestion,
		Title: `An open question about "quotes" & <tags>`, Body: "Does it work with the router?", Tags: []string{"réseau", "wifi"}})
	testutil.Must(t, err, "start a tagged question")
	answered := w.start(t, w.ana, w.general, "An answered question", topic.KindQuestion)
	answer := w.reply(t, w.boris, answered, "Try turning it off and on again.")
	_, err = env.App.Topics.Accept(ctx, w.ana.Viewer(), answered.ID, answer.ID)
	testutil.Must(t, err, "accept")
	news := w.start(t, w.admin, w.general, "An announcement", topic.KindAnnouncement)
	closed := w.start(t, w.ana, w.general, "A closed discussion", topic.KindDiscussion)
	testutil.Must(t, env.App.DB.Exec("UPDATE topics SET closed = ? WHERE id = ?", true, closed.ID).Error, "close")
	testutil.Must(t, env.App.DB.Exec("UPDATE topics SET pinned = 1, featured_at = ? WHERE id = ?", time.Now(), news.ID).Error, "pin and feature")
	long := w.start(t, w.ana, w.general, "A long discussion", topic.KindDiscussion)
	for i := 0; i < 44; i++ {
		w.reply(t, w.admin, long, fmt.Sprintf("Reply number %d of the long discussion.", i+2))
	}
	env.App.Web.Cache.Invalidate("") // the SQL above went around the services

	cases := []struct {
		reader, path string
		want         []string
	}{
		{"", open.URL(), []string{`<a href="/login?next=%2ft%2f`, `href="/tag/r%c3%a9seau">#réseau</a>`, "Unanswered",
			`<title>An open question about &#34;quotes&#34; &amp; &lt;tags&gt; · `}},
		{"", long.PostURL(21), []string{`rel="prev"`, `rel="next"`, "Page 2 of 3"}},
		{"ana", open.URL(), []string{`<select id="watch-level" name="level">`, `<textarea id="f-body"`,
			`class="upload-form"`}},
		{"ana", answered.URL() + "?reply_to=2", []string{"Answered", `class="replying-to"`, `name="reply_to" value="2"`}},
		{"ana", answered.URL() + "?quote=2", []string{"&gt; [@boris](/p/"}},
		{"ana", closed.URL(), []string{`class="notice"`}},
		{"boris", news.URL(), []string{`lang="fr"`, `data-theme="dark"`, "Annonce"}},
		{"root_admin", closed.URL(), []string{`<textarea id="f-body"`, `href="/mod/t/`}},
		{"maud", news.URL(), []string{`class="badge featured"`, `/reply">`, `class="search-topic"`}},
		{"dora", open.URL(), []string{`class="alert standing"`, `href="/account/standing"`}},
		{"newbie", open.URL(), []string{`<textarea id="f-body"`}},
	}
	for _, c := range cases {
		what := c.reader + " " + c.path
		if c.reader == "" {
			what = "a visitor " + c.path
		}
		cl := env.Client() // one client: the same CSRF token on both pages
		page := func() *testutil.Response {
			if c.reader != "" {
				cl.Login(t, c.reader) // the page shows the login's flash message
			}
			return cl.Get(t, c.path)
		}
		goPage := page()
		env.App.Web.TemplatesOnly(true)
		tmplPage := page()
		env.App.Web.TemplatesOnly(false)
		if goPage.StatusCode != http.StatusOK || tmplPage.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d and %d", what, goPage.StatusCode, tmplPage.StatusCode)
		}
		for _, s := range c.want {
			if !strings.Contains(goPage.Body, s) {
				t.Errorf("%s: the page lacks %s", what, s)
			}
		}
		if c.reader != "" && !strings.Contains(goPage.Body, `<p class="flash">`) {
			t.Errorf("%s: the login's flash message is not on the page", what)
		}
		testutil.SamePage(t, what+": Go, then templates", goPage.Body, tmplPage.Body)
	}

	// A reply refused: the page comes back with the error and what was typed.
	cl := env.Client()
	cl.Login(t, "cleo")
	cl.Get(t, "/")
	reply := func() *testutil.Response {
		return cl.Post(t, fmt.Sprintf("/t/%d/reply", open.ID), url.Values{"body": {strings.Repeat(`<b>"x"</b> `, 3000)}})
	}
	goPage := reply()
	env.App.Web.TemplatesOnly(true)
	tmplPage := reply()
	env.App.Web.TemplatesOnly(false)
	if goPage.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a too short reply: %d, not 422", goPage.StatusCode)
	}
	for _, s := range []string{`aria-invalid="true"`, `class="field-error"`, `&lt;b&gt;&#34;x&#34;&lt;/b&gt; </textarea>`} {
		if !strings.Contains(goPage.Body, s) {
			t.Errorf("the refused reply's page lacks %s", s)
		}
	}
	testutil.SamePage(t, "a refused reply: Go, then templates", goPage.Body, tmplPage.Body)
}

// A theme that overrides the topic page keeps it: the Go writer stands in
// for the default theme's template only.
func TestThemeOverridesTopicPage(t *testing.T) {
	dir := t.TempDir()
	src, err := fs.ReadFile(themes.FS, "default/templates/pages/topic/show.html")
	testutil.Must(t, err, "read the default page")
	mine := strings.Replace(string(src), `<article class="topic"`, `<p class="my-theme-page"></p><article class="topic"`, 1)
	testutil.Must(t, os.MkdirAll(filepath.Join(dir, "templates", "pages", "topic"), 0o700), "theme folder")
	testutil.Must(t, os.WriteFile(filepath.Join(dir, "templates", "pages", "topic", "show.html"), []byte(mine), 0o600), "theme file")
	env := testutil.New(t, func(c *config.Config) { c.Theme.Dir = dir })
	w := setup(t, env)
	tp := w.start(t, w.ana, w.general, "A topic in my own theme", topic.KindDiscussion)
	for _, reader := range []string{"", "ana"} {
		c := env.Client()
		if reader != "" {
			c.Login(t, reader)
		}
		if page := c.Get(t, tp.URL()); !strings.Contains(page.Body, `class="my-theme-page"`) {
			t.Errorf("%q: the theme's topic page is not drawn", reader)
		}
	}
}

// The reply box brings back the reader's own draft of a reply to the
// topic (read with their reactions and read mark), never another
// member's, and no box (so no draft) where they may not reply.
func TestTopicPageDraft(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp := w.start(t, w.ana, w.general, "Drafts come back here", topic.KindDiscussion)
		other := w.start(t, w.ana, w.general, "Another topic for drafts", topic.KindDiscussion)
		boris, cleo := env.Client(), env.Client()
		boris.Login(t, "boris")
		cleo.Login(t, "cleo")
		for _, d := range []struct{ key, body string }{
			{fmt.Sprintf("topic:%d", tp.ID), "Half a thought & more"},
			{fmt.Sprintf("topic:%d", other.ID), "Meant for the other topic"},
		} {
			if res := boris.Post(t, "/drafts", testutil.Form("key", d.key, "body", d.body)); res.StatusCode >= 400 {
				t.Fatalf("save draft %s: %d %s", d.key, res.StatusCode, res.Body)
			}
		}
		page := boris.Get(t, tp.URL()).Body
		if !strings.Contains(page, "Half a thought &amp; more</textarea>") {
			t.Errorf("boris's reply box lacks his draft:\n%s", excerpt(page, "<textarea"))
		}
		if strings.Contains(page, "Meant for the other topic") {
			t.Error("the draft of another topic shows in this one's reply box")
		}
		if page := cleo.Get(t, tp.URL()).Body; strings.Contains(page, "Half a thought") {
			t.Error("cleo sees boris's draft")
		}
		testutil.Must(t, env.App.DB.Exec("UPDATE topics SET closed = ? WHERE id = ?", true, tp.ID).Error, "close")
		env.App.Web.Cache.Invalidate()
		if page := boris.Get(t, tp.URL()).Body; strings.Contains(page, "Half a thought") || strings.Contains(page, "<textarea") {
			t.Error("a closed topic still shows boris a reply box with his draft")
		}
	})
}

// excerpt is the part of page around the first sep, for an error message.
func excerpt(page, sep string) string {
	i := strings.Index(page, sep)
	if i < 0 {
		return "(no " + sep + ")"
	}
	return page[i:min(len(page), i+300)]
}
