package search

import (
	"context"
	"slices"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// Bleve's boolean searcher (v2.6.3) keeps its optional part (the
// accepted answers' boost, the query's "should") one match ahead of the
// required part: the should searcher's current match is read when the
// searcher starts, or when the required part passes it. Asked to
// Advance to a document, the boolean searcher advances the should
// searcher too, whatever its position (it checks the "must not" part's
// position first, not the should's), and a disjunction asked to advance
// to a document at or before the match it last returned moves on to its
// next one. So the match it held was lost: that document matched the
// required part without its boost.
//
// A split walk (parallel.go) starts each slice with Advance, on a new
// searcher whose should part has read its first match: a slice lost the
// boost of the first accepted answer of the walk when it was in that
// slice, not the first. Over the whole index that is the first accepted
// answer of all, most often in the first slice; over the matches that
// may be among the best (best.go) it is the first among those, in any
// slice: TestBestFindsTheSame then saw an accepted answer ranked 4th
// walked whole fall out of the first page walked in slices.

// steady is a query whose searcher, asked to advance to a document at or
// before the match it last returned, returns that match again.
type steady struct{ query.Query }

func (q steady) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	s, err := q.Query.Searcher(ctx, r, m, o)
	if err != nil {
		return nil, err
	}
	if _, none := s.(*searcher.MatchNoneSearcher); none {
		return s, nil // the boolean searcher leaves a part that matches nothing out
	}
	return &steadySearcher{Searcher: s}, nil
}

// steadySearcher is a searcher that keeps a copy of the match it last
// returned (the caller gives the match itself back to its pool).
type steadySearcher struct {
	search.Searcher
	last *search.DocumentMatch // nil: none yet, or none left
}

func (s *steadySearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	d, err := s.Searcher.Next(ctx)
	s.keep(d)
	return d, err
}

func (s *steadySearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	if s.last != nil && s.last.IndexInternalID.Compare(id) >= 0 {
		// No match lies between id and the last one: it is the first
		// at or after id.
		d := ctx.DocumentMatchPool.Get()
		copyMatch(d, s.last)
		return d, nil
	}
	d, err := s.Searcher.Advance(ctx, id)
	s.keep(d)
	return d, err
}

func (s *steadySearcher) DocumentMatchPoolSize() int { return s.Searcher.DocumentMatchPoolSize() + 1 }

func (s *steadySearcher) keep(d *search.DocumentMatch) {
	if d == nil {
		s.last = nil
		return
	}
	if s.last == nil {
		s.last = &search.DocumentMatch{}
	}
	copyMatch(s.last.Reset(), d)
}

// copyMatch copies what a searcher sets on a match into dst (reset).
func copyMatch(dst, src *search.DocumentMatch) {
	dst.IndexInternalID = append(dst.IndexInternalID[:0], src.IndexInternalID...)
	dst.Score, dst.Expl = src.Score, src.Expl
	dst.FieldTermLocations = append(dst.FieldTermLocations[:0], src.FieldTermLocations...)
	for i := range dst.FieldTermLocations {
		l := &dst.FieldTermLocations[i].Location
		l.ArrayPositions = slices.Clone(l.ArrayPositions)
	}
	if src.ScoreBreakdown != nil {
		if dst.ScoreBreakdown == nil {
			dst.ScoreBreakdown = make(map[int]float64, len(src.ScoreBreakdown))
		}
		for k, v := range src.ScoreBreakdown {
			dst.ScoreBreakdown[k] = v
		}
	}
}
