package search

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

// Page is the data of the search page.
type Page struct {
	Input   Input
	Results *Results
	Topic   *TopicRef
	Sorts   []string
}

func (h *handlers) show(c echo.Context) error {
	in := Input{Q: c.QueryParam("q"), Sort: c.QueryParam("sort"), Page: c.QueryParam("page"), Topic: c.QueryParam("topic")}
	res, ref, err := h.svc.Run(c.Request().Context(), web.Viewer(c), in)
	page := &Page{Input: in, Results: res, Topic: ref, Sorts: []string{SortRelevance, SortNewest, SortReactions}}
	if err != nil {
		return web.RenderForm(c, "search/show", in, page, unavailable(err))
	}
	return web.Render(c, http.StatusOK, "search/show", web.Form{Values: in, Extra: page})
}

// link is the search page's address for this search with one value changed.
func (p *Page) link(kv ...string) string {
	vals := []string{"sort", p.Input.Sort, "topic", p.Input.Topic}
	q := p.Input.Q
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "q" {
			q = kv[i+1]
			continue
		}
		for j := 0; j+1 < len(vals); j += 2 {
			if vals[j] == kv[i] {
				vals[j+1] = kv[i+1]
			}
		}
		if kv[i] == "page" {
			vals = append(vals, "page", kv[i+1])
		}
	}
	return Link(q, vals...)
}

// PageURL is the address of page n of these results.
func (p *Page) PageURL(n int) string { return p.link("page", strconv.Itoa(n)) }

// SortURL is the address of these results in another order.
func (p *Page) SortURL(sort string) string { return p.link("sort", sort) }

// QueryURL is the address of another query with the same order and scope.
func (p *Page) QueryURL(q string) string { return p.link("q", q) }

// ActiveSort is the order in use.
func (p *Page) ActiveSort() string {
	if p.Input.Sort == "" {
		return SortRelevance
	}
	return p.Input.Sort
}

// HasFacets says whether there is anything to narrow by.
func (p *Page) HasFacets() bool {
	if p.Results == nil || p.Topic != nil {
		return false
	}
	f := p.Results.Facets
	return len(f.Categories)+len(f.Tags)+len(f.Kinds) > 0
}

// TopicURL is the address of this search inside one topic.
func (p *Page) TopicURL(id int64) string {
	return p.link("topic", strconv.FormatInt(id, 10), "sort", "")
}

// PrevPage and NextPage are the neighbouring page numbers.
func (r *Results) PrevPage() int { return r.Page - 1 }
func (r *Results) NextPage() int { return r.Page + 1 }
