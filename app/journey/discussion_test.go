package journey_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"causerie/app/testutil"
)

// TestDiscussionJourney follows a question from start to answer: Amélie asks
// it with the composer (similar topics, toolbar, live preview, a draft kept
// on the server, a mistake shown next to its field), Bastien finds it among
// the unanswered, likes it and replies mentioning her, she sees his reply
// below the "new since your last visit" line and accepts it, he corrects his
// reply and the history shows what changed. The lists, the categories and
// the category page follow the question along. Every page is checked for
// accessibility by the browser helper, at desktop and phone widths.
func TestDiscussionJourney(t *testing.T) {
	env := testutil.New(t)
	env.UserWithRole(t, "Camille", "admin") // the forum is set up
	env.Member(t, "amelie")
	env.Member(t, "bastien")

	// An older discussion, so that the composer has a similar topic to show.
	seed := env.Client()
	seed.Login(t, "bastien")
	general := categoryID(t, seed, "General")
	if res := seed.Post(t, "/new", url.Values{"title": {"Sourdough starter smells like nail polish"}, "category_id": {general},
		"kind": {"discussion"}, "body": {"Mine smells sharp after a week in the cupboard. Is it dead?"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("seed topic: status %d\n%s", res.StatusCode, res.Body)
	}

	b := env.Browser(t)
	logIn(t, b, "amelie", "/")

	// The composer: similar topics appear under the title as it is typed.
	b.See(t, "h1", "Latest")
	b.Click(t, ".list-head a.button[href='/new']")
	b.See(t, "h1", "New topic")
	const title = "Keeping a sourdough starter alive on holiday"
	b.Fill(t, "#f-title", title)
	waitFor(t, b, "similar topics under the title", `[...document.querySelectorAll(".similar a")].some(a => a.textContent.includes("nail polish"))`)
	b.See(t, ".similar", "These topics look similar")

	// The body, with a table and a code block wider than a phone, then the
	// toolbar makes two words bold and the preview shows it.
	body := "I go away for two weeks in August.\nWho can feed it, and how?\n\n" +
		"| Day | Feed |\n| --- | --- |\n| Monday | 50 g of rye flour and 50 g of water at room temperature, then back in the jar |\n\n" +
		"```\nfeed(starter, flour=50, water=50, temperature=\"room\", then=\"back in the jar with the lid loose\")\n```\n"
	fillArea(t, b, "#f-body", body)
	b.See(t, ".md-toolbar", "") // the script shows the toolbar
	if got := b.Attr(t, ".md-toolbar button[data-md=bold]", "title"); got != "Bold" {
		t.Errorf("the bold button is titled %q", got)
	}
	b.Eval(t, `(() => {
		const ta = document.querySelector("#f-body"), at = ta.value.indexOf("two weeks");
		ta.setSelectionRange(at, at + "two weeks".length);
		document.querySelector(".md-toolbar button[data-md=bold]").click();
		return "null";
	})()`, nil)
	if got := fieldValue(t, b, "#f-body"); !strings.Contains(got, "**two weeks**") {
		t.Errorf("after the bold button the body reads %q", got)
	}
	waitFor(t, b, "the live preview", `document.querySelector(".preview:not([hidden]) .preview-body strong")?.textContent === "two weeks"`)
	b.See(t, ".preview .preview-body table", "rye flour")
	if got := b.Attr(t, ".preview-body pre", "tabindex"); got != "0" {
		t.Errorf("the previewed code block has tabindex %q; a keyboard cannot scroll it", got)
	}
	b.CheckA11y(t) // the preview and the similar topics came in place

	// The draft is saved as she types, and comes back on the next visit.
	waitFor(t, b, "the draft to be saved", `document.querySelector(".draft-status").textContent === "Draft saved"`)
	b.Visit(t, "/new")
	if got := b.Attr(t, "#f-title", "value"); got != title {
		t.Errorf("the draft brought back the title %q, want %q", got, title)
	}
	if got := fieldValue(t, b, "#f-body"); !strings.Contains(got, "**two weeks**") {
		t.Errorf("the draft brought back the body %q", got)
	}

	// A title too short is shown next to the field, and what was typed stays.
	b.Eval(t, `(document.querySelector("input[name=kind][value=question]").click(), "null")`, nil)
	b.Fill(t, "#f-tags", "sourdough, baking")
	b.Fill(t, "#f-title", "Help?")
	b.Submit(t, "form[action='/new']")
	b.See(t, "#f-title-error", "Please write a longer title")
	if got := b.Attr(t, "#f-title", "aria-invalid"); got != "true" {
		t.Errorf("the title at fault has aria-invalid=%q", got)
	}
	if got := fieldValue(t, b, "#f-body"); !strings.Contains(got, "rye flour") {
		t.Errorf("after an error the body holds %q, want what was typed", got)
	}
	if got := b.Attr(t, "#f-tags", "value"); got != "sourdough, baking" {
		t.Errorf("after an error the tags hold %q", got)
	}
	b.Fill(t, "#f-title", title)
	b.Submit(t, "form[action='/new']")
	b.See(t, ".flash", "Your topic is posted.")
	b.See(t, "h1", title)
	topicPath := b.Path(t)
	b.See(t, ".topic-head .badge", "Unanswered")
	b.See(t, ".topic-head .category", "General")
	b.See(t, ".topic-head a.tag[href='/tag/sourdough']", "#sourdough")
	b.See(t, "#post-1 .post-body strong", "two weeks")
	if got := b.Attr(t, "#post-1 .post-body pre", "tabindex"); got != "0" {
		t.Errorf("the code block of the post has tabindex %q", got)
	}
	if n := count(t, b, "#post-1 .reactions button"); n != 0 {
		t.Errorf("the author may react to her own post: %d reaction buttons", n)
	}
	noSmallTargets(t, b, ".topic-meta a, .post-meta a, .post-actions a, .post-actions button, .md-toolbar button")

	// Bastien finds it among the unanswered questions.
	logOut(t, b)
	logIn(t, b, "bastien", "/unanswered")
	b.See(t, ".tabs a[aria-current=page]", "Unanswered")
	b.See(t, ".topics", title)
	noSmallTargets(t, b, ".tabs a, .topics a, .list-head .button")
	b.Click(t, ".topics a[href='"+topicPath+"']")
	b.See(t, "h1", title)

	// He likes the question: the button shows it pressed, with the count.
	like := "#post-1 button[name=kind][value$=like]"
	if got := b.Attr(t, like, "aria-pressed"); got != "false" {
		t.Errorf("before liking, the like button has aria-pressed=%q", got)
	}
	b.Click(t, like)
	if got := b.Attr(t, like, "aria-pressed"); got != "true" {
		t.Errorf("after liking, the like button has aria-pressed=%q", got)
	}
	b.See(t, like+" .count", "1")

	// He replies to her post, mentioning her; the preview links the mention.
	b.Click(t, "#post-1 .tools a[href^='?reply_to=1']")
	b.See(t, ".replying-to", "Replying to post #1 by amelie")
	fillArea(t, b, "#f-body", "@amelie Ask a neighbour, or keep it in the fridge: fed once a week, it keeps for a month.")
	waitFor(t, b, "the mention in the preview", `document.querySelector(".preview-body a.mention")?.getAttribute("href") === "/u/amelie"`)
	b.Submit(t, "form[action$='/reply']")
	b.See(t, ".flash", "Your reply is posted.")
	b.See(t, "#post-2 .post-body", "keep it in the fridge")
	if got := b.Attr(t, "#post-2 a.mention", "href"); got != "/u/amelie" {
		t.Errorf("the mention links to %q, want /u/amelie", got)
	}
	b.See(t, "#post-2 .reply-ref", "in reply to amelie")

	// Amélie comes back: the bell says she has news (the reply that
	// mentions her, his like), and the notification leads to his reply,
	// below the "new" line; she cannot like her own post but sees his like.
	testutil.Must(t, env.App.Jobs.Drain(testutil.Ctx()), "background jobs")
	logOut(t, b)
	logIn(t, b, "amelie", "/")
	if !exists(t, b, ".bell .bell-count") {
		t.Error("the bell shows no unread notification")
	}
	b.Click(t, ".bell")
	b.See(t, "main", "bastien")
	b.Click(t, ".notification-group:has(h2 a[href='"+topicPath+"']) a[href^='/notifications/']")
	b.See(t, "h1", title)
	if !exists(t, b, ".new-divider + #post-2") {
		t.Error(`the "new since your last visit" line is not right above the new reply`)
	}
	b.See(t, ".new-divider", "New since your last visit")
	b.See(t, "#post-1 span.reaction", "Like")
	b.See(t, "#post-1 span.reaction .count", "1")
	if n := count(t, b, "#post-1 .reactions button"); n != 0 {
		t.Errorf("the author has %d reaction buttons on her own post", n)
	}

	// She accepts his reply: it is marked in place and shown under the
	// question.
	b.Click(t, "#post-2 form[action$='/accept'] button")
	b.See(t, ".flash", "The answer is marked as accepted.")
	b.See(t, ".topic-head .badge.ok", "Answered")
	b.See(t, "#post-2 .accepted-mark", "Accepted answer")
	if !exists(t, b, "#post-1 + .accepted-summary") {
		t.Error("the accepted answer is not shown right under the question")
	}
	b.See(t, ".accepted-summary h2", "Accepted answer")
	b.See(t, ".accepted-summary", "keep it in the fridge")
	b.See(t, "#post-2 form[action$='/accept'] button", "Unaccept")

	// The lists follow: answered on the latest, gone from the unanswered.
	b.Click(t, ".nav a[href='/']")
	row := ".topic-row:has(a[href='" + topicPath + "'])"
	b.See(t, row+" .badge.ok", "Answered")
	b.See(t, row+" .category", "General")
	b.See(t, row+" .topic-stats", "1") // one reply
	b.Visit(t, "/latest")
	b.See(t, ".tabs a[aria-current=page]", "Latest")
	b.See(t, row+" a.tag[href='/tag/baking']", "#baking")
	b.Click(t, ".tabs a[href='/unanswered']")
	if exists(t, b, row) {
		t.Error("the answered question is still listed as unanswered")
	}
	b.See(t, ".empty", "Every question has an answer")

	// The categories, then the category's own page.
	b.Click(t, ".tabs a[href='/categories']")
	b.See(t, "h1", "Categories")
	b.See(t, ".category-card", "General")
	b.See(t, ".category-card", "2 topics")
	noSmallTargets(t, b, ".category-card a")
	b.Click(t, ".category-card h2 a[href='/c/general']")
	b.See(t, "h1", "General")
	b.See(t, ".list-head .lead", "Questions, ideas and everything else.")
	b.See(t, ".topics", title)
	b.See(t, ".topics", "Sourdough starter smells like nail polish")
	if got := b.Attr(t, ".list-head a.button", "href"); got != "/new?category=general" {
		t.Errorf("the category's New topic button leads to %q", got)
	}

	// Bastien corrects his reply; "edited" leads to the history, where the
	// change shows.
	logOut(t, b)
	logIn(t, b, "bastien", topicPath)
	b.Click(t, "#post-2 .tools a[href$='/edit']")
	b.See(t, "h1", "Edit post")
	b.Fill(t, "#f-body", "@amelie Ask a neighbour, or keep it in the fridge: fed every ten days, it keeps for a month.")
	b.Fill(t, "#f-note", "Ten days is enough")
	b.Submit(t, "form[action$='/edit']")
	b.See(t, ".flash", "Your changes are saved.")
	b.See(t, "#post-2 .post-body", "fed every ten days")
	b.See(t, "#post-2 .accepted-mark", "Accepted answer")
	b.Click(t, "#post-2 a.edited")
	b.See(t, "h1", "Edit history")
	b.See(t, ".version h2", "Version 2 (current)")
	b.See(t, ".version", "Ten days is enough")
	b.See(t, ".version ins", "every ten days")
	b.See(t, ".version del", "once a week")
	if n := count(t, b, ".version"); n != 2 {
		t.Errorf("the history shows %d versions, want 2", n)
	}

	// In French, the composer's new words are French too.
	b.Visit(t, topicPath)
	b.Select(t, "#lang-switch", "fr")
	b.Submit(t, "form.language")
	b.See(t, "#reply-heading", "Votre réponse")
	if got := b.Attr(t, ".md-toolbar button[data-md=bold]", "title"); got != "Gras" {
		t.Errorf("in French the bold button is titled %q", got)
	}
	if got := b.Attr(t, ".draft-status", "data-saved"); got != "Brouillon enregistré" {
		t.Errorf("in French the draft status says %q", got)
	}
}

// logIn logs username in through the login page, which then leads to next.
func logIn(t *testing.T, b *testutil.Browser, username, next string) {
	t.Helper()
	b.Visit(t, "/login?next="+url.QueryEscape(next))
	b.Fill(t, "#f-login", username)
	b.Fill(t, "#f-password", testutil.Password)
	b.Submit(t, "form[action='/login']")
	b.See(t, ".flash", "You are logged in.")
}

func logOut(t *testing.T, b *testutil.Browser) {
	t.Helper()
	b.Submit(t, "form[action='/logout']")
	b.See(t, ".flash", "You are logged out.")
}

// waitFor waits until the JavaScript expression cond holds on the page, for
// what scripts change without loading another page.
func waitFor(t *testing.T, b *testutil.Browser, what, cond string) {
	t.Helper()
	var ok bool
	b.Eval(t, `new Promise(resolve => {
		const end = Date.now() + 10000;
		(function poll() {
			let ok = false;
			try { ok = !!(`+cond+`); } catch (e) {}
			if (ok || Date.now() > end) resolve(JSON.stringify(ok)); else setTimeout(poll, 50);
		})();
	})`, &ok)
	if !ok {
		t.Fatalf("on %s, waited in vain for %s: %s", b.Path(t), what, cond)
	}
}

// fillArea puts value into a textarea as a paste would, with an input
// event for the scripts. Browser.Fill cannot: it clears the text node inside
// the textarea, which an empty one lacks.
func fillArea(t *testing.T, b *testutil.Browser, sel, value string) {
	t.Helper()
	b.Eval(t, `((ta, v) => {
		ta.focus();
		ta.value = v;
		ta.setSelectionRange(v.length, v.length);
		ta.dispatchEvent(new InputEvent("input", {bubbles: true, inputType: "insertFromPaste", data: v}));
		return "null";
	})(document.querySelector(`+jsString(sel)+`), `+jsString(value)+`)`, nil)
}

// fieldValue is what a form field holds now (a textarea's value is no
// attribute).
func fieldValue(t *testing.T, b *testutil.Browser, sel string) string {
	t.Helper()
	var v string
	b.Eval(t, `JSON.stringify(document.querySelector(`+jsString(sel)+`).value)`, &v)
	return v
}

func count(t *testing.T, b *testutil.Browser, sel string) int {
	t.Helper()
	var n int
	b.Eval(t, `JSON.stringify(document.querySelectorAll(`+jsString(sel)+`).length)`, &n)
	return n
}

func exists(t *testing.T, b *testutil.Browser, sel string) bool { return count(t, b, sel) > 0 }

// noSmallTargets loads the page the tab shows into a frame as wide as a phone
// and fails for each control matching sel that is less than 44px high or
// wide: a finger must hit it without zooming.
func noSmallTargets(t *testing.T, b *testutil.Browser, sel string) {
	t.Helper()
	var small []string
	b.Eval(t, `new Promise((resolve, reject) => {
		const f = document.createElement("iframe");
		f.width = "390"; f.height = "844"; f.src = location.href;
		f.onload = () => {
			const out = [];
			for (const el of f.contentDocument.querySelectorAll(`+jsString(sel)+`)) {
				const r = el.getBoundingClientRect();
				if (r.width > 0 && (r.width < 44 || r.height < 44)) {
					out.push(el.tagName.toLowerCase() + " " + JSON.stringify(el.textContent.trim().slice(0, 30)) +
						" (" + Math.round(r.width) + "×" + Math.round(r.height) + ")");
				}
			}
			f.remove();
			resolve(JSON.stringify(out));
		};
		f.onerror = reject;
		document.body.append(f);
	})`, &small)
	for _, s := range small {
		t.Errorf("on %s at 390px, a control is too small to tap: %s", b.Path(t), s)
	}
}

func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

var optionRE = regexp.MustCompile(`<option value="(\d+)"[^>]*>([^<]+)</option>`)

// categoryID is the ID of a category as the new-topic form offers it.
func categoryID(t *testing.T, c *testutil.Client, name string) string {
	t.Helper()
	for _, m := range optionRE.FindAllStringSubmatch(c.Get(t, "/new").Body, -1) {
		if m[2] == name {
			return m[1]
		}
	}
	t.Fatalf("the new-topic form offers no category %q", name)
	return ""
}
