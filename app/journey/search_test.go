package journey_test

import (
	"strings"
	"testing"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/testutil"
	"causerie/app/topic"
)

// TestSearchJourney: a member searches from the header, narrows the
// results to one category with its facet, opens a result and lands on the
// post, highlighted in its topic; then searches inside that topic. A
// private category's topic never shows, not even in the facet counts.
func TestSearchJourney(t *testing.T) {
	env := testutil.New(t)
	ctx := testutil.Ctx()
	admin := env.UserWithRole(t, "root_admin", "admin")
	ana, boris := env.Member(t, "ana"), env.Member(t, "boris")
	env.Member(t, "cleo")
	env.UserWithRole(t, "maud", "moderator")
	garden, err := env.App.Categories.Create(ctx, admin.Viewer(), category.Input{Name: "Gardening"})
	testutil.Must(t, err, "category")
	kitchen, err := env.App.Categories.Create(ctx, admin.Viewer(), category.Input{Name: "Kitchen"})
	testutil.Must(t, err, "category")
	team, err := env.App.Categories.Create(ctx, admin.Viewer(), category.Input{Name: "Team room", Read: []string{"moderator"}, Start: []string{"moderator"}, Reply: []string{"moderator"}})
	testutil.Must(t, err, "category")
	start := func(by *auth.Viewer, c *category.Category, title, body string) *topic.Topic {
		tp, _, err := env.App.Topics.Create(ctx, by, topic.NewTopic{CategoryID: c.ID, Title: title, Body: body, Kind: topic.KindDiscussion})
		testutil.Must(t, err, "start %q", title)
		return tp
	}
	heap := start(ana.Viewer(), garden, "Starting a heap in the garden", "Where should the heap go: sun or shade?")
	_, _, err = env.App.Topics.Reply(ctx, boris.Viewer(), heap.ID, topic.ReplyInput{Body: "Half shade. Turn the compost every two weeks and keep it as damp as a wrung sponge."})
	testutil.Must(t, err, "reply")
	start(boris.Viewer(), kitchen, "Kitchen scraps", "Peelings go to the compost bin, never meat.")
	start(admin.Viewer(), team, "Compost budget", "The team compost budget for next year.")
	testutil.Must(t, env.App.Jobs.Drain(ctx), "index jobs")

	b := env.Browser(t)
	logIn(t, b, "cleo", "/")
	b.Click(t, ".nav a[href='/search']")
	b.See(t, "h1", "Search")
	b.Fill(t, "#search-q", "composting")
	b.Submit(t, "form.search-form")
	b.See(t, ".search-summary", "2 posts match.")
	if n := count(t, b, ".result"); n != 2 {
		t.Errorf("%d results for compost, want 2 (the team's topic is private)", n)
	}
	if strings.Contains(b.Text(t, "main"), "budget") || strings.Contains(b.Text(t, ".facets"), "Team room") {
		t.Errorf("the private topic or its category shows on the results page")
	}
	b.See(t, ".result mark", "compost")

	// Narrow to Gardening with its facet.
	b.Click(t, ".facets a[href*='category%3A"+garden.Slug+"']")
	b.See(t, ".search-summary", "1 post matches.")
	if got := fieldValue(t, b, "#search-q"); got != "composting category:"+garden.Slug {
		t.Errorf("after the facet the query reads %q", got)
	}
	b.See(t, ".facets a[aria-current]", "Gardening")
	b.See(t, ".result-title", "Starting a heap in the garden")

	// The result leads to the post, highlighted in its topic.
	b.Click(t, ".result-title a")
	b.See(t, "#topic-title", "Starting a heap in the garden")
	var target string
	b.Eval(t, `JSON.stringify((document.querySelector(":target") || {}).id || "")`, &target)
	if target != "post-2" {
		t.Errorf("the result opened with %q as the target, want the matching reply post-2", target)
	}

	// Search inside this topic from its page.
	b.Fill(t, "#search-topic-q", "sponge")
	b.Submit(t, "form.search-topic")
	b.See(t, "h1", "Starting a heap in the garden")
	b.See(t, ".result mark", "sponge")
	if n := count(t, b, ".result"); n != 1 {
		t.Errorf("%d results inside the topic, want 1", n)
	}

	// In French, the help explains the syntax.
	b.Select(t, "#lang-switch", "fr")
	b.Submit(t, "form.language")
	b.Visit(t, "/search/help")
	b.See(t, "h1", "Comment chercher")

	// Staff see what people searched for, without who.
	b.Visit(t, "/search/terms")
	if b.Status() != 403 {
		t.Errorf("a member opened /search/terms: %d", b.Status())
	}
	b.Submit(t, "form[action='/logout']")
	b.Visit(t, "/login?next=/search/terms")
	b.Fill(t, "#f-login", "maud")
	b.Fill(t, "#f-password", testutil.Password)
	b.Submit(t, "form[action='/login']")
	b.See(t, "h1", "Ce que les gens cherchent")
	b.See(t, ".search-terms table", "composting")
}
