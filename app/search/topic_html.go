package search

import (
	"fmt"

	"causerie/app/topic"
	"causerie/app/web"
)

// writeTopicSearch writes the theme's "search-topic" partial in Go
// (web.Server.PartialInGo): the topic page's "search in this topic" form.
// The template of partials/search.html stays the reference and what a
// theme overrides.
func writeTopicSearch(m web.Markup, data any) error {
	v, err := web.ViewOf("search-topic", data)
	if err != nil {
		return err
	}
	tp, err := topic.PageOf(v)
	if err != nil {
		return fmt.Errorf("search-topic: %w", err)
	}
	label := v.T("search.in_topic_label")
	m.Raw(`<form method="get" action="/search" class="search-topic" role="search" aria-label="`)
	m.Text(label)
	m.Raw("\">\n  <input type=\"hidden\" name=\"topic\" value=\"")
	m.Int(tp.Topic.ID)
	m.Raw("\">\n  <label for=\"search-topic-q\">")
	m.Text(label)
	m.Raw("</label>\n  <input id=\"search-topic-q\" name=\"q\" type=\"search\" autocomplete=\"off\">\n  <button type=\"submit\" class=\"small\">")
	m.Text(v.T("search.submit"))
	m.Raw("</button>\n</form>")
	return nil
}

// writeNav writes the theme's "search-nav" partial in Go: the header's
// link to the search page.
func writeNav(m web.Markup, data any) error {
	v, err := web.ViewOf("search-nav", data)
	if err != nil {
		return err
	}
	m.NavItem(v, "/search", v.T("search.nav"))
	return nil
}
