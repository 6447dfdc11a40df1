package search

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// unscored requires what its query matches without scoring it: a part
// of a conjunction that says which posts may match (is:unsolved, @author,
// #tag) and weighs nothing.
//
// A term of boost zero weighs nothing too, but its searcher still reads
// each match's frequency and norm and scores it, and a conjunction of
// several such terms steps each long list (solved:false is in most
// posts) at every match of the words. Built without scoring, the terms'
// searchers read document numbers only, and Bleve's scorch index ANDs a
// conjunction of unscored terms into one bitmap per segment once, before
// the walk ("conjunction:unadorned"): the words' matches are then stepped
// against that one list.
type unscored struct{ query.Query }

func (u unscored) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, _ search.SearcherOptions) (search.Searcher, error) {
	s, err := u.Query.Searcher(ctx, r, m, search.SearcherOptions{Score: "none"})
	if err != nil {
		return nil, err
	}
	return weightless{s}, nil
}

// weightless is a searcher whose matches score zero and which takes no
// part in the query's norm, as a term of boost zero.
type weightless struct{ search.Searcher }

func (weightless) Weight() float64      { return 0 }
func (weightless) SetQueryNorm(float64) {}
