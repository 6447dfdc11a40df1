package topic_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gorm.io/gorm"

	"causerie/app/config"
	"causerie/app/event"
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
	// Pages are kept gzipped: text that does not compress (digits of
	// hashes) makes them weigh something.
	seen := 0
	for i := 0; i < 120; i++ {
		var long strings.Builder
		for j := 0; long.Len() < 16000; j++ {
			fmt.Fprintf(&long, "%x ", sha256.Sum256([]byte(fmt.Sprint(i, j))))
		}
		tp := w.start(t, w.ana, w.general, fmt.Sprintf("Heavy topic number %03d", i), topic.KindDiscussion)
		w.reply(t, w.boris, tp, long.String())
		env.Client().Get(t, tp.URL())
		seen++
	}
	got, n := env.App.Web.Cache.Bytes(), env.App.Web.Cache.Len()
	if got <= 0 || got > 1<<20 {
		t.Errorf("the cache weighs %d bytes, want some and at most 1 MiB", got)
	}
	if n >= seen {
		t.Errorf("the cache kept all %d pages (%d bytes): the test shows no eviction", n, got)
	}
}

// holes are the values that differ between two renderings of one page for
// visitors: the CSRF token and the script nonce.
var holes = regexp.MustCompile(`(value|content|nonce)="[A-Za-z0-9_-]{20,}"`)

// newSince is the divider above the posts new to a member.
var newSince = regexp.MustCompile(`\s*<div class="new-divider"[^\n]*</div>`)

// After every kind of change that shows on a topic page, the next visitor
// gets the page as it is now (the same as one rendered for them without
// the cache), never the kept one; changes to one topic leave the other
// topics' pages kept.
func TestPageCacheNeverStale(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		q := w.start(t, w.ana, w.general, "Which cable do I need for the hub", topic.KindQuestion)
		other := w.start(t, w.ana, w.general, "Another conversation entirely", topic.KindDiscussion)
		first := w.reply(t, w.boris, q, "Any USB-C cable should do the trick")
		boris := env.Client()
		boris.Login(t, "boris")
		ana := env.Client()
		ana.Login(t, "ana")
		api := bearer(t, env, w.boris)
		visitor := env.Client()
		// A flash cookie keeps a visitor out of the cache: the reference.
		fresh := env.Client()
		fresh.Header.Set("Cookie", "flash=x")

		warm := func(path string) string {
			t.Helper()
			visitor.Get(t, path)
			res := visitor.Get(t, path)
			if res.Header.Get("X-Cache") != "hit" {
				t.Fatalf("%s was not kept for visitors", path)
			}
			return holes.ReplaceAllString(res.Body, "")
		}
		check := func(what, path, before string) {
			t.Helper()
			res := visitor.Get(t, path)
			got := holes.ReplaceAllString(res.Body, "")
			want := holes.ReplaceAllString(fresh.Get(t, path).Body, "")
			if got != want {
				t.Errorf("after %s, a visitor of %s got a page from before it (X-Cache %q)", what, path, res.Header.Get("X-Cache"))
			}
			if want == before {
				t.Errorf("after %s, %s did not change: the test shows nothing", what, path)
			}
		}
		// A member's page keeps what every reader sees alike: after each
		// change it must be the page rendered with nothing kept (every kept
		// page dropped), and show the change. Only the divider above what is
		// new to them differs from one visit to the next.
		cleo := env.Client()
		cleo.Login(t, "cleo")
		cleo.Get(t, q.URL()) // the login's flash
		member := func() string {
			t.Helper()
			return newSince.ReplaceAllString(holes.ReplaceAllString(cleo.Get(t, q.URL()).Body, ""), "")
		}
		checkMember := func(what, before string) {
			t.Helper()
			got := member()
			env.App.Web.Cache.Invalidate()
			if want := member(); got != want {
				t.Errorf("after %s, a member got a topic page from before it", what)
			} else if got == before {
				t.Errorf("after %s, the member's topic page did not change: the test shows nothing", what)
			}
		}
		status := func(res *testutil.Response, want int) {
			t.Helper()
			if res.StatusCode != want {
				t.Fatalf("%s: %d, want %d\n%.300s", res.Request.URL.Path, res.StatusCode, want, res.Body)
			}
		}
		steps := []struct {
			what string
			do   func()
		}{
			{"a reply from the form", func() {
				status(boris.Post(t, fmt.Sprintf("/t/%d/reply", q.ID), url.Values{"body": {"Make sure it carries data, not only power"}}), 303)
			}},
			{"a reply through the API", func() {
				status(api.Post(t, fmt.Sprintf("/api/v1/topics/%d/posts", q.ID), `{"body":"A braided one lasts longer"}`), 201)
			}},
			{"an edit through the API", func() {
				status(api.Do(t, "PATCH", fmt.Sprintf("/api/v1/posts/%d", first.ID), `{"body":"Any USB-C cable that carries data"}`), 200)
			}},
			{"a reaction", func() {
				status(ana.Post(t, fmt.Sprintf("/posts/%d/react", first.ID), url.Values{"kind": {"like"}}), 303)
			}},
			{"an accepted answer", func() {
				status(ana.Post(t, fmt.Sprintf("/t/%d/accept", q.ID), url.Values{"post_id": {fmt.Sprint(first.ID)}}), 303)
			}},
			{"a deletion", func() {
				status(boris.Post(t, fmt.Sprintf("/posts/%d/delete", first.ID), nil), 303)
			}},
			{"a change by moderation, announced by its event", func() {
				testutil.Must(t, env.App.DB.Exec("UPDATE topics SET title = ? WHERE id = ?", "Which cable, moderated", q.ID).Error, "change")
				testutil.Must(t, env.App.DB.Transaction(func(tx *gorm.DB) error {
					return env.App.Events.PublishTx(ctx, tx, event.ContentChanged{TopicID: q.ID, Action: "topic.edit"})
				}), "publish")
				testutil.Must(t, env.App.Jobs.Drain(ctx), "drain")
			}},
		}
		for _, s := range steps {
			topicBefore, listBefore, otherBefore := warm(q.URL()), warm("/latest"), warm(other.URL())
			memberBefore := member()
			s.do()
			check(s.what, q.URL(), topicBefore)
			if s.what != "a reaction" && s.what != "an edit through the API" {
				check(s.what, "/latest", listBefore)
			}
			if res := visitor.Get(t, other.URL()); res.Header.Get("X-Cache") != "hit" ||
				holes.ReplaceAllString(res.Body, "") != otherBefore {
				t.Errorf("after %s on another topic, %s was not served from the cache", s.what, other.URL())
			}
			checkMember(s.what, memberBefore)
		}
	})
}

// The composer's toolbar, drawn once per language and kept (View.Once),
// speaks each reader's language: a French reader after an English one
// does not get the English toolbar.
func TestComposerKeptPerLanguage(t *testing.T) {
	env := testutil.New(t)
	w := setup(t, env)
	tp := w.start(t, w.ana, w.general, "Toolbar in two languages", topic.KindDiscussion)
	en := env.Client()
	en.Login(t, "ana")
	if page := en.Get(t, tp.URL()); !strings.Contains(page.Body, `class="md-toolbar" role="group" aria-label="Formatting"`) {
		t.Fatal("no English toolbar on the English page")
	}
	env.Member(t, "bruno")
	testutil.Must(t, env.App.DB.Exec("UPDATE users SET language = 'fr' WHERE username = 'bruno'").Error, "bruno reads French")
	fr := env.Client()
	fr.Login(t, "bruno")
	page := fr.Get(t, tp.URL())
	if !strings.Contains(page.Body, `aria-label="Mise en forme"`) || strings.Contains(page.Body, `aria-label="Formatting"`) {
		t.Error("the French page does not have the French toolbar")
	}
	if page := en.Get(t, "/new"); !strings.Contains(page.Body, `aria-label="Formatting"`) {
		t.Error("the new-topic page lost its English toolbar")
	}
}

// Views are written many topics a transaction, and a flush that fails
// keeps what it could not write for the next one.
func TestViewsFlushLosesNothing(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		testViewsFlush(t, env)
	})
}

func testViewsFlush(t *testing.T, env *testutil.Env) {
	w := setup(t, env)
	var tps []*topic.Topic
	for i, n := range []int{2, 1, 3} {
		tp := w.start(t, w.ana, w.general, fmt.Sprintf("Views of topic number %d", i+1), topic.KindDiscussion)
		for range n {
			env.Client().Get(t, tp.URL())
		}
		tps = append(tps, tp)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := env.App.Topics.FlushViewsPer(done, 2); err == nil {
		t.Fatal("a flush with its context done said it wrote the views")
	}
	for _, tp := range tps {
		if got := reload(t, env, tp.ID).ViewsCount; got != 0 {
			t.Errorf("topic %d: %d views written by a failed flush", tp.ID, got)
		}
	}
	env.Client().Get(t, tps[0].URL()) // counted while the others wait
	testutil.Must(t, env.App.Topics.FlushViewsPer(ctx, 2), "flush two topics a transaction")
	for i, want := range []int{3, 1, 3} {
		if got := reload(t, env, tps[i].ID).ViewsCount; got != want {
			t.Errorf("topic %d: %d views, want %d", i+1, got, want)
		}
	}
	testutil.Must(t, env.App.Topics.FlushViews(ctx), "flush with nothing counted")
	if got := reload(t, env, tps[0].ID).ViewsCount; got != 3 {
		t.Errorf("a second flush wrote the views again: %d", got)
	}
}

// BenchmarkFlushViews writes the views of the benchmark forum's 200
// topics, each in a transaction of its own ("one-each", how views were
// written before) or all in one ("batched"). ns/op is a flush of 200 topics.
//
//	go test ./app/topic -run '^$' -bench BenchmarkFlushViews -benchtime 50x
func BenchmarkFlushViews(b *testing.B) {
	for _, d := range benchDialects() {
		for _, per := range []int{1, 500} {
			name := d + "/batched"
			if per == 1 {
				name = d + "/one-each"
			}
			b.Run(name, func(b *testing.B) {
				f := newBenchForum(b, d)
				topics := f.env.App.Topics
				cpu := cpuTime()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					for id := int64(1); id <= 200; id++ {
						topics.CountView(id)
					}
					b.StartTimer()
					testutil.Must(b, topics.FlushViewsPer(ctx, per), "flush")
				}
				b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
			})
		}
	}
}

// A member's page whose shared part left memory is read back from the
// bytes kept beside the visitors' pages: no query for it, the same page as
// one read afresh, and never from before a change.
func TestMemberPageFromKeptBytes(t *testing.T) {
	topic.KeepSharedInMemory(t, 1) // before the apps are built
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		a := w.start(t, w.ana, w.general, "Kept as bytes, first topic", topic.KindQuestion)
		b := w.start(t, w.ana, w.general, "Kept as bytes, second topic", topic.KindDiscussion)
		first := w.reply(t, w.boris, a, "A first answer, with *emphasis*")
		w.reply(t, w.ana, a, "Thanks, that helps")
		ana := env.Client()
		ana.Login(t, "ana")
		status(t, ana.Post(t, fmt.Sprintf("/posts/%d/react", first.ID), url.Values{"kind": {"like"}}), 303)
		cleo := env.Client()
		cleo.Login(t, "cleo")
		page := func(tp *topic.Topic) string {
			t.Helper()
			res := cleo.Get(t, tp.URL())
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d", tp.URL(), res.StatusCode)
			}
			return newSince.ReplaceAllString(holes.ReplaceAllString(res.Body, ""), "")
		}
		page(a)
		page(b) // a's shared part leaves memory
		page(a)
		page(b)
		qc := testutil.CountQueries(t, env.App.DB.DB)
		got := page(a)
		kept := qc.N()
		env.App.Web.Cache.Invalidate()
		qc.Reset()
		want := page(a)
		if afresh := qc.N(); kept >= afresh-2 {
			t.Errorf("the page read back from bytes took %d queries, read afresh %d", kept, afresh)
		}
		if got != want {
			t.Errorf("the page read back from bytes differs from the page read afresh")
		}
		for _, s := range []string{"Kept as bytes, first topic", "<em>emphasis</em>", "Thanks, that helps", "boris"} {
			if !strings.Contains(got, s) {
				t.Errorf("the page read back from bytes lacks %q", s)
			}
		}
		page(b)
		api := bearer(t, env, w.boris)
		status(t, api.Post(t, fmt.Sprintf("/api/v1/topics/%d/posts", a.ID), `{"body":"A reply after the page was kept"}`), 201)
		page(b)
		if got := page(a); !strings.Contains(got, "A reply after the page was kept") {
			t.Error("a member got the kept page from before a reply")
		}
	})
}

func status(t *testing.T, res *testutil.Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: %d, want %d\n%.300s", res.Request.URL.Path, res.StatusCode, want, res.Body)
	}
}
