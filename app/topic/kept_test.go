package topic_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"causerie/app/testutil"
	"causerie/app/topic"
)

// Members' posts are kept compressed and shared by the members who see
// them alike (web.View.Kept): a moderator's tools and a hidden post's text
// never reach a member from a part kept for the moderator, nor the other
// way round; a member's own reaction shows pressed to them alone; and a
// kept page is the page drawn afresh.
func TestMemberPostsKept(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		env.Member(t, "dora")
		tp := w.start(t, w.ana, w.general, "Kept posts for members", topic.KindDiscussion)
		liked := w.reply(t, w.boris, tp, "A reply everyone may read")
		hidden := w.reply(t, w.boris, tp, "A reply the team hid, secret words")
		testutil.Must(t, env.App.DB.Exec("UPDATE posts SET state = 'hidden', hidden_reason = 'off topic' WHERE id = ?", hidden.ID).Error, "hide")
		env.App.Web.Cache.Invalidate()

		client := func(name string) *testutil.Client {
			c := env.Client()
			c.Login(t, name)
			return c
		}
		cleo, dora, maud := client("cleo"), client("dora"), client("maud")
		page := func(c *testutil.Client) string {
			t.Helper()
			res := c.Get(t, tp.URL())
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d", tp.URL(), res.StatusCode)
			}
			return res.Body
		}
		member := func(who, body string) {
			t.Helper()
			if strings.Contains(body, "secret words") || strings.Contains(body, "mod-tools") {
				t.Errorf("%s's page shows the hidden post's text or the moderators' tools", who)
			}
			if !strings.Contains(body, "A reply everyone may read") {
				t.Errorf("%s's page lacks the posts", who)
			}
		}
		// In turns, so that each reads after the other's part was kept.
		for i := 0; i < 2; i++ {
			member("cleo", page(cleo))
			if got := page(maud); !strings.Contains(got, "secret words") || !strings.Contains(got, "mod-tools") {
				t.Errorf("the moderator's page lacks the hidden post's text or the tools")
			}
		}
		hits, _ := env.App.Web.Cache.PartStats()
		member("dora", page(dora))
		if after, _ := env.App.Web.Cache.PartStats(); after != hits+1 {
			t.Errorf("dora, with cleo's rights, did not get the posts kept for cleo (%d parts served from the cache, want %d)", after, hits+1)
		}

		// Cleo's like is pressed on her page, not on dora's, which counts it.
		status(t, cleo.Post(t, fmt.Sprintf("/posts/%d/react", liked.ID), url.Values{"kind": {"like"}}), 303)
		pressed := fmt.Sprintf(`action="/posts/%d/react"`, liked.ID)
		for _, c := range []struct {
			who    string
			client *testutil.Client
			want   string
		}{{"cleo", cleo, `value="-like" aria-pressed="true"`}, {"dora", dora, `value="like" aria-pressed="false"`}, {"cleo", cleo, `value="-like" aria-pressed="true"`}} {
			body := page(c.client)
			at := strings.Index(body, pressed)
			if at < 0 || !strings.Contains(body[at:min(at+400, len(body))], c.want) {
				t.Errorf("%s's like button on the liked post: want %s", c.who, c.want)
			}
		}

		// A kept page is the page drawn afresh, gzipped or not.
		kept := page(dora)
		dora.Header.Set("Accept-Encoding", "identity")
		plain := page(dora)
		if holes.ReplaceAllString(kept, "") != holes.ReplaceAllString(plain, "") {
			t.Errorf("the page with kept posts differs from the page drawn without them")
		}
	})
}
