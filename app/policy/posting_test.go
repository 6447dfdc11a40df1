package policy_test

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"causerie/app/category"
	"causerie/app/errs"
	"causerie/app/policy"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/web"
)

// The policy applies where posts are written: new topics, replies and
// edits, from the pages and from the API, through the review queue's gate.
func TestPolicyAppliesToPosting(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newWorld(t, env)
		ctx, m := testutil.Ctx(), w.member.Viewer()
		w.watch(t, "casino", false, policy.ActionBlock, "")
		w.watch(t, "merde", false, policy.ActionCensor, "")
		w.watch(t, "iphone", false, policy.ActionTag, "apple")
		w.watch(t, "crypto", false, policy.ActionHold, "")

		// Block: nothing is written, the field is named.
		_, _, err := env.App.Topics.Create(ctx, m, topic.NewTopic{CategoryID: w.cat.ID, Title: "Come to the Casino tonight", Body: "Free drinks"})
		if f, id, data := fieldError(t, err); f != "title" || id != policy.MsgBlocked || data["Word"] != "Casino" {
			t.Errorf("blocked title: %s %s %v", f, id, data)
		}
		// Censor and tag on a new topic.
		tp, p, err := env.App.Topics.Create(ctx, m, topic.NewTopic{CategoryID: w.cat.ID, Title: "My iPhone will not start", Body: "Quelle merde, ce téléphone."})
		testutil.Must(t, err, "create")
		if p.Body != "Quelle ■■■, ce téléphone." || !strings.Contains(p.HTML, "■■■") || strings.Contains(p.HTML, "merde") {
			t.Errorf("saved body %q, HTML %q", p.Body, p.HTML)
		}
		var tags []string
		env.App.DB.DB.Model(&category.Tag{}).Joins("JOIN topic_tags ON topic_tags.tag_id = tags.id").
			Where("topic_tags.topic_id = ?", tp.ID).Pluck("name", &tags)
		if len(tags) != 1 || tags[0] != "apple" {
			t.Errorf("topic tags = %v, want apple", tags)
		}
		// Hold: the reply waits for a reviewer.
		_, held, err := env.App.Topics.Reply(ctx, m, tp.ID, topic.ReplyInput{Body: "Buy crypto now"})
		testutil.Must(t, err, "reply")
		if held.State != topic.StatePending {
			t.Errorf("held reply state = %s, want pending", held.State)
		}
		// Edits pass the watched words too.
		_, err = env.App.Topics.Edit(ctx, m, p.ID, topic.EditInput{Body: "Now with a casino link"})
		if f, _, _ := fieldError(t, err); f != "body" {
			t.Errorf("blocked edit: %v", err)
		}

		// The API answers in the caller's language, naming the word.
		c := login(t, env, w.member, "fr")
		res := api(t, env, c, http.MethodPost, "/api/v1/topics/"+strconv.FormatInt(tp.ID, 10)+"/posts", map[string]any{"body": "Le CASINO est ouvert"})
		e := decode[web.APIError](t, res, http.StatusUnprocessableEntity)
		if got := e.Error.Fields["body"]; got != "« CASINO » n'est pas autorisé ici. Merci de le retirer." {
			t.Errorf("API field error = %q", got)
		}
		// The reply form shows the error next to the body, keeping the text.
		res = c.Post(t, "/t/"+strconv.FormatInt(tp.ID, 10)+"/reply", url.Values{"body": {"Rendez-vous au casino"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "« casino » n&#39;est pas autorisé ici") ||
			!strings.Contains(res.Body, "Rendez-vous au casino</textarea>") {
			t.Errorf("reply form: %d\n%s", res.StatusCode, res.Body)
		}
	})
}

// Rate limits and the duplicate check apply to posting too, as 429 on the
// body field in the API.
func TestLimitsApplyToPosting(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newWorld(t, env)
		ctx, n := testutil.Ctx(), w.newbie.Viewer()
		tp := w.post(t, w.newbie, "A first question here", "How do I reset my router?")
		// A day's limit: the wait is in hours.
		c := login(t, env, w.newbie, "")
		res := api(t, env, c, http.MethodPost, "/api/v1/topics", map[string]any{"category_id": w.cat.ID, "title": "A third question here", "body": "And the cable?"})
		e := decode[web.APIError](t, res, http.StatusTooManyRequests)
		secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
		if err != nil || secs < 23*3600 || secs > 24*3600+1 || !regexp.MustCompile(`start one again in (23 h \d+ min|24 h)\.`).MatchString(e.Error.Fields["body"]) {
			t.Errorf("topics a day: Retry-After %d, %q", secs, e.Error.Fields["body"])
		}
		_, _, err = env.App.Topics.Create(ctx, n, topic.NewTopic{CategoryID: w.cat.ID, Title: "A second question here", Body: "And the modem?"})
		if !errors.Is(err, errs.TooMany) {
			t.Errorf("second topic of the day: %v, want too many", err)
		}
		_, _, err = env.App.Topics.Reply(ctx, n, tp.ID, topic.ReplyInput{Body: "how do I reset my ROUTER"})
		if _, id, _ := fieldError(t, err); id != policy.MsgDuplicate {
			t.Errorf("duplicate reply: %v", err)
		}
		_, _, err = env.App.Topics.Reply(ctx, n, tp.ID, topic.ReplyInput{Body: "Anyone? Please."})
		testutil.Must(t, err, "second post of the minute")
		res = api(t, env, c, http.MethodPost, "/api/v1/topics/"+strconv.FormatInt(tp.ID, 10)+"/posts", map[string]any{"body": "Hello again"})
		e = decode[web.APIError](t, res, http.StatusTooManyRequests)
		if !strings.Contains(e.Error.Fields["body"], "2 messages a minute") {
			t.Errorf("API limit = %+v", e.Error)
		}
		// The answer says when to try again: Retry-After, in seconds until
		// the older of the minute's two posts leaves the minute, and the
		// message names the wait, in the member's language.
		secs, err = strconv.Atoi(res.Header.Get("Retry-After"))
		if err != nil || secs < 1 || secs > 61 {
			t.Errorf("Retry-After = %q, want the seconds left of the minute", res.Header.Get("Retry-After"))
		}
		if !regexp.MustCompile(`You can post again in \d+ s\.`).MatchString(e.Error.Fields["body"]) {
			t.Errorf("the limit does not say when to post again: %q", e.Error.Fields["body"])
		}
		fr := login(t, env, w.newbie, "fr")
		res = fr.Post(t, "/t/"+strconv.FormatInt(tp.ID, 10)+"/reply", url.Values{"body": {"Encore une question"}})
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" ||
			!regexp.MustCompile(`Vous pourrez de nouveau publier dans \d+ s\.`).MatchString(res.Body) {
			t.Errorf("reply form past the limit: %d, Retry-After %q\n%s", res.StatusCode, res.Header.Get("Retry-After"), res.Body)
		}
	}, limits)
}

func TestWait(t *testing.T) {
	for d, want := range map[time.Duration]string{time.Second: "1 s", 40 * time.Second: "40 s", time.Minute: "60 s",
		61 * time.Second: "2 min", 59 * time.Minute: "59 min", time.Hour: "1 h", 5*time.Hour + 12*time.Minute: "5 h 12 min",
		24*time.Hour - 30*time.Second: "24 h"} {
		if got := policy.Wait(d); got != want {
			t.Errorf("Wait(%s) = %q, want %q", d, got, want)
		}
	}
}

// A new member's link limit holds for edits too: an edit cannot add the
// links the post could not hold.
func TestNewMemberLinkLimitHoldsForEdits(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newWorld(t, env)
		ctx, n := testutil.Ctx(), w.newbie.Viewer()
		_, p, err := env.App.Topics.Create(ctx, n, topic.NewTopic{CategoryID: w.cat.ID, Title: "Great deals this week", Body: "See https://a.example"})
		testutil.Must(t, err, "create")
		_, err = env.App.Topics.Edit(ctx, n, p.ID, topic.EditInput{Body: "See https://a.example https://b.example https://c.example"})
		if f, id, _ := fieldError(t, err); f != "body" || id != "validation.too_many_links" {
			t.Errorf("edit adding links: %s %s", f, id)
		}
		// A moderator's edit of the same post is not limited.
		_, err = env.App.Topics.Edit(ctx, w.mod.Viewer(), p.ID, topic.EditInput{Body: "See https://a.example https://b.example https://c.example"})
		testutil.Must(t, err, "moderator edit")
	})
}
