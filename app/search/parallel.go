package search

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// Walking and scoring every match is most of a query's time on a large
// index (a common word is in tens of thousands of posts), and Bleve does
// it on one core. A query sorted by score is walked instead in a few
// slices of the index's document numbers at once, each by a searcher of
// its own on the same snapshot, each keeping its own best hits; the best
// of them all are then what a walk of the whole would have kept, in the
// same order (ties go to the lower document number, as in Bleve's own
// walk: the hit's number is its document number). The CPU is the same;
// one search takes about 1/n of the time on an otherwise idle machine.

// parallelMin is how many documents an index holds before a search is
// split: below it, the walk is short and the extra searchers cost more
// than they save.
const parallelMin = 50_000

// facetRun is the fewest hits a reader of the facets' values is given
// when they are read in runs at once (collector.finish).
const facetRun = 100

// walkParts is how many slices a large index's walk is split into.
func walkParts() int { return min(4, runtime.GOMAXPROCS(0)) }

// searchParallel runs q on one snapshot of idx in parts slices and hands
// the merged best hits to c, as f.search does through Bleve's collector.
// ok is false when the index cannot be split (not a scorch index, or too
// small): the caller then searches as usual.
func searchParallel(ctx context.Context, idx bleve.Index, q query.Query, c *collector, parts, minDocs, facetRun int) (total int, ok bool, err error) {
	adv, err := idx.Advanced()
	if err != nil {
		return 0, false, nil
	}
	r, err := adv.Reader()
	if err != nil {
		return 0, false, fmt.Errorf("search: %w", err)
	}
	defer r.Close()
	snap, isSnap := r.(*scorch.IndexSnapshot)
	if !isSnap {
		return 0, false, nil
	}
	bounds := ranges(snap, parts, minDocs)
	if len(bounds) < 2 {
		return 0, false, nil
	}
	ctx = context.WithValue(ctx, search.GetScoringModelCallbackKey,
		search.GetScoringModelCallbackFn(func() string { return index.DefaultScoringModel }))
	ctx = search.ContextWithTermSearchersCounter(ctx)

	type part struct {
		hits  worstFirst
		total int
		err   error
	}
	out := make([]part, len(bounds))
	var wg sync.WaitGroup
	for i := range bounds {
		wg.Add(1)
		go func(p *part, lo, hi uint64) {
			defer wg.Done()
			p.hits.cmp = c.cmp
			p.total, p.err = walk(ctx, r, idx, q, c.keep, &p.hits, lo, hi)
		}(&out[i], bounds[i][0], bounds[i][1])
	}
	wg.Wait()
	var all []*search.DocumentMatch
	for i := range out {
		if out[i].err != nil {
			return 0, true, fmt.Errorf("search: %w", out[i].err)
		}
		total += out[i].total
		all = append(all, out[i].hits.l...)
	}
	slices.SortFunc(all, c.cmp)
	c.hits.l = all[:min(len(all), c.keep)]
	c.parts, c.facetRun = len(bounds), facetRun
	if err := c.finish(r); err != nil {
		return 0, true, fmt.Errorf("search: %w", err)
	}
	return total, true, nil
}

// walk scores the matches of q whose document numbers are in [lo, hi),
// keeping the best keep in hits, and returns how many matched.
func walk(ctx context.Context, r index.IndexReader, idx bleve.Index, q query.Query, keep int, hits *worstFirst, lo, hi uint64) (int, error) {
	s, err := q.Searcher(ctx, r, idx.Mapping(), search.SearcherOptions{})
	if err != nil {
		return 0, err
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(keep+1+s.DocumentMatchPoolSize(), 0), IndexReader: r}
	var d *search.DocumentMatch
	if lo == 0 {
		d, err = s.Next(sctx)
	} else {
		d, err = s.Advance(sctx, index.NewIndexInternalID(nil, lo))
	}
	n := 0
	for err == nil && d != nil {
		num := d.IndexInternalID.Value()
		if num >= hi {
			break
		}
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		n++
		d.HitNumber = num + 1 // ties: the lower document number first, as a single walk
		hits.offer(d, keep, sctx.DocumentMatchPool)
		d, err = s.Next(sctx)
	}
	return n, err
}

// ranges cuts the document numbers of snap into parts slices [lo, hi)
// holding about as many live documents each; none when snap holds fewer
// than minDocs.
func ranges(snap *scorch.IndexSnapshot, parts, minDocs int) [][2]uint64 {
	var live, full int64
	for _, seg := range snap.Segments() {
		live += seg.LiveSize()
		full += seg.FullSize()
	}
	if parts < 2 || live < int64(minDocs) || live < int64(parts) {
		return nil
	}
	var out [][2]uint64
	var lo, base uint64 // the slice's start; the segment's first number
	var seen int64      // live documents before the segment
	next := 1           // the slice being filled
	for _, seg := range snap.Segments() {
		size, l := seg.FullSize(), seg.LiveSize()
		for next < parts && l > 0 && seen+l >= live*int64(next)/int64(parts) {
			// the cut falls in this segment: place it in proportion
			at := base + uint64(size*(live*int64(next)/int64(parts)-seen)/l)
			if at > lo {
				out = append(out, [2]uint64{lo, at})
				lo = at
			}
			next++
		}
		seen += l
		base += uint64(size)
	}
	return append(out, [2]uint64{lo, uint64(full)})
}
