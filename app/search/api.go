package search

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

// APIResults is a page of search results in the API.
type APIResults struct {
	Query      string `json:"query"`
	Posts      int    `json:"posts"`
	Page       int    `json:"page"`
	HasNext    bool   `json:"has_next"`
	CatchingUp bool   `json:"catching_up"`
	// PostsApprox: Posts is an estimate (Results.PostsApprox).
	PostsApprox bool `json:"posts_approximate"`
	// FacetsApprox: the facet counts are estimates (Facets.Approx).
	FacetsApprox bool           `json:"facets_approximate"`
	Results      []APIResult    `json:"results"`
	Facets       map[string]any `json:"facets"`
}

// APIResult is a topic and its best matching post; the *_html fields are
// escaped text with the matched words in <mark>, nothing else.
type APIResult struct {
	TopicID      int64   `json:"topic_id"`
	Title        string  `json:"title_html"`
	URL          string  `json:"url"`
	Category     *APICat `json:"category"`
	Post         APIHit  `json:"post"`
	OtherMatches int     `json:"other_matches"`
}

// APICat names a result's category.
type APICat struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// APIHit is the matching post.
type APIHit struct {
	ID        int64     `json:"id"`
	Number    int       `json:"number"`
	URL       string    `json:"url"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
	Fragment  string    `json:"fragment_html"`
	Accepted  bool      `json:"accepted"`
}

// APIFacet is one facet value.
type APIFacet struct {
	Value string `json:"value"`
	Count int    `json:"count"`
	Query string `json:"query"`
}

func apiFacets(fs []Facet) []APIFacet {
	out := make([]APIFacet, 0, len(fs))
	for _, f := range fs {
		out = append(out, APIFacet{Value: f.Value, Count: f.Count, Query: f.Query})
	}
	return out
}

func (h *handlers) apiSearch(c echo.Context) error {
	in := Input{Q: c.QueryParam("q"), Sort: c.QueryParam("sort"), Page: c.QueryParam("page"), Topic: c.QueryParam("topic")}
	res, _, err := h.svc.Run(c.Request().Context(), web.Viewer(c), in)
	if err != nil {
		return unavailable(err)
	}
	out := APIResults{Query: in.Q, Posts: res.Posts, Page: res.Page, HasNext: res.HasNext, CatchingUp: res.CatchingUp, FacetsApprox: res.Facets.Approx, PostsApprox: res.PostsApprox,
		Results: []APIResult{}, Facets: map[string]any{
			"categories": apiFacets(res.Facets.Categories), "tags": apiFacets(res.Facets.Tags), "kinds": apiFacets(res.Facets.Kinds)}}
	for _, g := range res.Groups {
		r := APIResult{TopicID: g.TopicID, Title: string(g.Title), URL: g.URL, OtherMatches: g.Others,
			Post: APIHit{ID: g.Best.PostID, Number: g.Best.Number, URL: g.Best.URL, Author: g.Best.Author,
				CreatedAt: g.Best.Created, Fragment: string(g.Best.Fragment), Accepted: g.Best.Accepted}}
		if g.Category != nil {
			r.Category = &APICat{ID: g.Category.ID, Slug: g.Category.Slug, Name: g.Category.Name}
		}
		out.Results = append(out.Results, r)
	}
	return c.JSON(http.StatusOK, out)
}

// APISuggestion is a topic offered while typing.
type APISuggestion struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

func (h *handlers) apiSuggest(c echo.Context) error {
	ss, err := h.svc.Suggest(c.Request().Context(), web.Viewer(c), c.QueryParam("q"), 8)
	if err != nil {
		return unavailable(err)
	}
	out := make([]APISuggestion, 0, len(ss))
	for _, s := range ss {
		out = append(out, APISuggestion{ID: s.TopicID, Title: s.Title, URL: s.URL})
	}
	return c.JSON(http.StatusOK, map[string]any{"topics": out})
}
