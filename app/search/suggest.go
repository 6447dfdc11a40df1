package search

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"causerie/app/auth"
	"causerie/app/markup"
)

// Suggestion is a topic offered while someone types.
type Suggestion struct {
	TopicID int64
	Title   string
	URL     string
}

// Suggest offers up to n topics whose titles match what v is typing, the
// last word as a prefix, among what v may read.
func (s *Service) Suggest(ctx context.Context, v *auth.Viewer, raw string, n int) ([]Suggestion, error) {
	q, err := Parse(raw)
	if err != nil || !q.HasText() {
		return []Suggestion{}, nil
	}
	idx, err := s.index()
	if err != nil {
		return nil, err
	}
	sc, ok, err := s.filter(ctx, v, q)
	if err != nil || !ok {
		return []Suggestion{}, err
	}
	must := s.textQuery(idx, q, true, nil, false)
	if must == nil {
		return []Suggestion{}, nil
	}
	first := bleve.NewBoolFieldQuery(true)
	first.SetField(fFirst)
	bq := bleve.NewBooleanQuery()
	bq.AddMust(must)
	parts := append(narrowing(q, false), first)
	if filter := sc.filter(); filter != nil {
		parts = append(parts, filter)
	}
	bq.AddFilter(bleve.NewConjunctionQuery(parts...))
	return s.topics(ctx, idx, bq, n)
}

// SimilarTopics finds up to n topics like a new one being written: its
// title and the start of its text, any word counting (more like this),
// titles weighing most, among first posts v may read. It stands in for
// the composer's own title match.
func (s *Service) SimilarTopics(ctx context.Context, v *auth.Viewer, title, body string, n int) ([]int64, error) {
	idx, err := s.index()
	if err != nil {
		return nil, err
	}
	readable, err := s.cats.ReadableIDs(ctx, v)
	if err != nil || len(readable) == 0 {
		return nil, err
	}
	text := strings.TrimSpace(title + " " + markup.Excerpt(body, 200))
	words := strings.Fields(text)
	if len(words) == 0 || utf8.RuneCountInString(strings.TrimSpace(title)) < 4 {
		return nil, nil
	}
	var ors []query.Query
	for _, l := range langs {
		for _, f := range []string{titleField(l), bodyField(l)} {
			src := title
			boost := 2.0
			if strings.HasPrefix(f, "body_") {
				src, boost = text, 0.5
			}
			if !analyzes(idx, f, src) {
				continue
			}
			m := bleve.NewMatchQuery(src)
			m.SetField(f)
			m.SetBoost(boost)
			ors = append(ors, m)
		}
	}
	if len(ors) == 0 {
		return nil, nil
	}
	cats := make([]query.Query, 0, len(readable))
	for _, id := range readable {
		cats = append(cats, term(fCategory, idString(id)))
	}
	first := bleve.NewBoolFieldQuery(true)
	first.SetField(fFirst)
	bq := bleve.NewBooleanQuery()
	bq.AddMust(bleve.NewDisjunctionQuery(ors...))
	bq.AddFilter(bleve.NewConjunctionQuery(bleve.NewDisjunctionQuery(cats...), first))
	req := bleve.NewSearchRequestOptions(bq, n, 0, false)
	req.Fields = []string{fTopic}
	r, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: similar: %w", err)
	}
	var ids []int64
	for _, h := range r.Hits {
		// A weak match on one common word is noise, not a duplicate.
		if r.MaxScore > 0 && h.Score < r.MaxScore*0.2 {
			continue
		}
		t, _ := h.Fields[fTopic].(string)
		id, _ := strconv.ParseInt(t, 10, 64)
		ids = append(ids, id)
	}
	return ids, nil
}

func (s *Service) topics(ctx context.Context, idx bleve.Index, q query.Query, n int) ([]Suggestion, error) {
	req := bleve.NewSearchRequestOptions(q, n, 0, false)
	req.Fields = []string{fTopic, fTitleRaw, fSlug}
	req.SortBy([]string{"-_score", "-" + fActivity})
	r, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: suggest: %w", err)
	}
	out := make([]Suggestion, 0, len(r.Hits))
	for _, h := range r.Hits {
		t, _ := h.Fields[fTopic].(string)
		id, _ := strconv.ParseInt(t, 10, 64)
		title, _ := h.Fields[fTitleRaw].(string)
		slug, _ := h.Fields[fSlug].(string)
		out = append(out, Suggestion{TopicID: id, Title: title, URL: fmt.Sprintf("/t/%s/%d", slug, id)})
	}
	return out, nil
}

// Record counts a search (page 1 of the search page or the API), with the
// number of posts it found. Who searched is not kept.
func (s *Service) Record(ctx context.Context, raw string, results int) error {
	term := normalizeTerm(raw)
	if term == "" {
		return nil
	}
	return s.store.record(ctx, term, results, s.now())
}

// TopTerms lists the most searched terms of the last days, and those that
// found nothing.
func (s *Service) TopTerms(ctx context.Context, days, n int) (top, empty []TermCount, err error) {
	since := s.now().AddDate(0, 0, -days)
	if top, err = s.store.top(ctx, since, false, n); err != nil {
		return nil, nil, err
	}
	if empty, err = s.store.top(ctx, since, true, n); err != nil {
		return nil, nil, err
	}
	return top, empty, nil
}
