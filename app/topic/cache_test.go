package topic_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"causerie/app/config"
	"causerie/app/testutil"
	"causerie/app/topic"
)

// Visitors get topic pages from the cache, but never a page from before a
// change, never another visitor's CSRF token, and members never get a
// cached page.
func TestAnonymousPageCache(t *testing.T) {
	env := testutil.New(t)
	w := setup(t, env)
	tp := w.start(t, w.ana, w.general, "Cached conversation here", topic.KindDiscussion)
	path := tp.URL()

	v1, v2 := env.Client(), env.Client()
	first := v1.Get(t, path)
	second := v2.Get(t, path)
	if first.StatusCode != 200 || second.StatusCode != 200 {
		t.Fatalf("status %d %d", first.StatusCode, second.StatusCode)
	}
	if second.Header.Get("X-Cache") != "hit" {
		t.Errorf("the second visitor's page was not cached")
	}
	tok1, tok2 := v1.CSRF(), v2.CSRF()
	if tok1 == "" || tok1 == tok2 || !strings.Contains(second.Body, tok2) || strings.Contains(second.Body, tok1) {
		t.Errorf("a cached page must carry its own visitor's CSRF token")
	}
	nonce := func(r *testutil.Response) string {
		csp := r.Header.Get("Content-Security-Policy")
		i := strings.Index(csp, "'nonce-")
		return csp[i+7 : i+7+strings.Index(csp[i+7:], "'")]
	}
	if n := nonce(second); !strings.Contains(second.Body, `nonce="`+n+`"`) {
		t.Errorf("the cached page's script nonce does not match its CSP")
	}
	// A member replies: the next visitor sees the reply at once.
	m := env.Client()
	m.Login(t, "boris")
	res := m.Post(t, fmt.Sprintf("/t/%d/reply", tp.ID), url.Values{"body": {"A brand new reply appears"}})
	if res.StatusCode != 303 {
		t.Fatalf("reply: %d %s", res.StatusCode, res.Body)
	}
	if page := v1.Get(t, path); !strings.Contains(page.Body, "A brand new reply appears") || page.Header.Get("X-Cache") == "hit" {
		t.Errorf("a visitor got the page from before the reply")
	}
	// Members are never served from the cache.
	for i := 0; i < 2; i++ {
		if page := m.Get(t, path); page.Header.Get("X-Cache") == "hit" {
			t.Errorf("a member got a cached page")
		}
	}
	// Each language has its own page.
	fr := env.Client()
	fr.Header.Set("Accept-Language", "fr")
	if page := fr.Get(t, path); !strings.Contains(page.Body, `lang="fr"`) {
		t.Errorf("a French visitor got the English page")
	}
}

// Views are counted for every page shown, cached or not, and written when
// flushed.
func TestViewsCounted(t *testing.T) {
	env := testutil.New(t)
	w := setup(t, env)
	tp := w.start(t, w.ana, w.general, "Counting the views here", topic.KindDiscussion)
	for i := 0; i < 3; i++ {
		env.Client().Get(t, tp.URL())
	}
	m := env.Client()
	m.Login(t, "boris")
	m.Get(t, tp.URL())
	env.Client().Get(t, "/t/x/999999") // not found: not a view
	testutil.Must(t, env.App.Topics.FlushViews(ctx), "flush")
	if got := reload(t, env, tp.ID).ViewsCount; got != 4 {
		t.Errorf("views: %d, want 4", got)
	}
}

// The cache keeps to its memory budget, however many pages visitors read.
func TestPageCacheBudget(t *testing.T) {
	env := testutil.New(t, func(c *config.Config) { c.Server.PageCacheMB = 1 })
	w := setup(t, env)
	long := strings.Repeat("A paragraph long enough to weigh something on the page. ", 400)
	for i := 0; i < 40; i++ {
		tp := w.start(t, w.ana, w.general, fmt.Sprintf("Heavy topic number %02d", i), topic.KindDiscussion)
		w.reply(t, w.boris, tp, long)
		env.Client().Get(t, tp.URL())
	}
	if got := env.App.Web.Cache.Bytes(); got <= 0 || got > 1<<20 {
		t.Errorf("the cache weighs %d bytes, want some and at most 1 MiB", got)
	}
}
