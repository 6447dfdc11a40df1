package search

import (
	"bytes"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/facet"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// collector keeps the best hits of one search itself, in place of
// Bleve's, so that what it reads of them is read on the search's own
// index snapshot, by document number, before the snapshot is closed:
//
//   - the facets of the best hits, from their doc values;
//   - the IDs of the first few hits only (named), which grouping and the
//     fragments need. Bleve looks up the ID of every hit it returns (the
//     stored document's header), and the facets then turned the IDs back
//     into document numbers in each segment: for the 1,000 hits the
//     facets are counted on, most of their cost (docs/benchmarks.md,
//     "Search, session 5").
//
// The order, ties included, is Bleve's own (the same comparison).
type collector struct {
	keep   int  // how many of the best hits to keep
	named  int  // how many of them, from the best, get their ID
	facets bool // count the facets of the hits kept
	// read the facets' values in up to parts runs of facetRun hits or
	// more at once
	parts, facetRun int
	// postings: read the facets' values from their terms' postings
	// (postingsFacetValues) rather than the doc values.
	postings bool

	// check, when set, is what the hits kept must also match (phrases:
	// see fetcher); of those that do (passed), the best limit are kept.
	// checked is how many were checked.
	check           query.Query
	mapping         mapping.IndexMapping
	limit           int
	checked, passed int
	ctx             context.Context

	cmp  func(a, b *search.DocumentMatch) int
	hits worstFirst

	// filled when the search ends
	fr  search.FacetResults
	err error
}

func newCollector(order search.SortOrder, keep, named int, facets bool) *collector {
	c := &collector{keep: keep, named: named, facets: facets}
	if len(order) == 1 && order[0].RequiresScoring() && order.CacheDescending()[0] {
		c.cmp = search.CompareScoreDescending
	} else {
		scoring, desc := order.CacheIsScore(), order.CacheDescending()
		c.cmp = func(a, b *search.DocumentMatch) int { return order.Compare(scoring, desc, a, b) }
	}
	c.hits.cmp = c.cmp
	return c
}

// handler is Bleve's search.MakeDocumentMatchHandler for the context of
// the search: it is handed every match, then nil once the walk ends.
func (c *collector) handler(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
	return func(d *search.DocumentMatch) error {
		if d == nil {
			return c.finish(sctx.IndexReader)
		}
		c.hits.offer(d, c.keep, sctx.DocumentMatchPool)
		return nil
	}, false, nil
}

// finish puts the hits best first, names the first ones and counts the
// facets, while the snapshot they were found in is open.
func (c *collector) finish(r index.IndexReader) error {
	hits := c.hits.l
	slices.SortFunc(hits, c.cmp)
	if c.check != nil {
		c.checked = len(hits)
		var err error
		if hits, err = c.keepMatching(r, hits); err != nil {
			c.err = err
			return err
		}
		c.passed = len(hits)
		hits = hits[:min(len(hits), c.limit)]
	}
	c.hits.l = hits
	named := min(c.named, len(hits))
	// Equal scores are put newest post first afterwards (byScore), by ID:
	// every hit tied with the last named one is named too, or which of
	// them are named would depend on the order of the index's segments.
	for named > 0 && named < len(hits) && hits[named].Score == hits[named-1].Score {
		named++
	}
	for _, h := range hits[:named] {
		id, err := r.ExternalID(h.IndexInternalID)
		if err != nil {
			c.err = err
			return err
		}
		h.ID = id
	}
	if !c.facets || len(hits) == 0 {
		return nil
	}
	builders := map[string]*facet.TermsFacetBuilder{
		fCategory: facet.NewTermsFacetBuilder(fCategory, 50),
		fTags:     facet.NewTermsFacetBuilder(fTags, 12),
		fKind:     facet.NewTermsFacetBuilder(fKind, 3),
	}
	// In document order: what each hit holds is read segment by segment
	// (or in the doc values' compressed chunks of neighbouring documents).
	byNum := slices.Clone(hits)
	slices.SortFunc(byNum, func(a, b *search.DocumentMatch) int { return bytes.Compare(a.IndexInternalID, b.IndexInternalID) })
	values, err := c.facetValues(r, byNum)
	if err != nil {
		c.err = err
		return err
	}
	for _, doc := range values {
		for _, b := range builders {
			b.StartDoc()
		}
		for _, v := range doc {
			builders[v.field].UpdateVisitor(v.term)
		}
		for _, b := range builders {
			b.EndDoc()
		}
	}
	c.fr = search.FacetResults{}
	for name, b := range builders {
		c.fr[name] = b.Result()
	}
	return nil
}

// facetValues reads the category, tags and kind of each hit (in
// document order): from the postings of those fields' terms on a scorch
// snapshot, else from the doc values.
func (c *collector) facetValues(r index.IndexReader, byNum []*search.DocumentMatch) ([][]dvTerm, error) {
	if snap, ok := r.(*scorch.IndexSnapshot); ok && c.postings {
		return postingsFacetValues(snap, byNum)
	}
	// Reading the doc values is the costly part: with parts, neighbouring
	// runs of hits are read at once, each by a reader of its own, and
	// what each hit holds is then counted in order, as one reader would.
	parts := 1
	if c.parts > 1 && c.facetRun > 0 {
		parts = max(1, min(c.parts, len(byNum)/c.facetRun))
	}
	read := make([][][]dvTerm, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run := byNum[p*len(byNum)/parts : (p+1)*len(byNum)/parts]
			read[p], errs[p] = readFacetValues(r, run)
		}()
	}
	wg.Wait()
	var out [][]dvTerm
	for p := range parts {
		if errs[p] != nil {
			return nil, errs[p]
		}
		out = append(out, read[p]...)
	}
	return out, nil
}

// postingsFacetValues reads the facets' values of hits (in document
// order) from the postings of the facets' terms, segment by segment: a
// few dozen bitmaps a segment (the categories, tags and kinds), each
// asked whether it holds each hit. The doc values hold the same terms,
// but are read in compressed chunks of neighbouring documents: when the
// best hits are spread over a large index, about one chunk a hit and a
// field to decompress.
func postingsFacetValues(snap *scorch.IndexSnapshot, hits []*search.DocumentMatch) ([][]dvTerm, error) {
	out := make([][]dvTerm, len(hits))
	var base uint64 // the segment's first document number
	i := 0          // the first hit not in an earlier segment
	for _, seg := range snap.Segments() {
		end := base + uint64(seg.FullSize())
		j := i
		for j < len(hits) && hits[j].IndexInternalID.Value() < end {
			j++
		}
		if j > i {
			if err := segmentFacetValues(seg.Segment(), hits[i:j], out[i:j], base); err != nil {
				return nil, err
			}
		}
		i, base = j, end
	}
	return out, nil
}

// segmentFacetValues adds to out the facets' values of hits, all in seg,
// whose first document number is base.
func segmentFacetValues(seg segment.Segment, hits []*search.DocumentMatch, out [][]dvTerm, base uint64) error {
	nums := make([]uint32, len(hits))
	for k, h := range hits {
		nums[k] = uint32(h.IndexInternalID.Value() - base)
	}
	var pl segment.PostingsList
	var pi segment.PostingsIterator
	for _, field := range []string{fCategory, fTags, fKind} {
		dict, err := seg.Dictionary(field)
		if err != nil {
			return fmt.Errorf("facets: %w", err)
		}
		terms := dict.AutomatonIterator(nil, nil, nil)
		for {
			e, err := terms.Next()
			if err != nil {
				return fmt.Errorf("facets: %w", err)
			}
			if e == nil {
				break
			}
			term := []byte(e.Term)
			if pl, err = dict.PostingsList(term, nil, pl); err != nil {
				return fmt.Errorf("facets: %w", err)
			}
			pi = pl.Iterator(false, false, false, pi)
			o, ok := pi.(segment.OptimizablePostingsIterator)
			if !ok {
				return fmt.Errorf("facets: postings of %s without a bitmap", field)
			}
			bm := o.ActualBitmap()
			one, isOne := o.DocNum1Hit()
			for k, n := range nums {
				if bm != nil && bm.Contains(n) || bm == nil && isOne && one == uint64(n) {
					out[k] = append(out[k], dvTerm{field, term})
				}
			}
		}
	}
	return nil
}

// dvTerm is one value of one of the facets' fields.
type dvTerm struct {
	field string
	term  []byte
}

// readFacetValues reads the category, tags and kind of each hit (in
// document order), with a doc value reader of its own.
func readFacetValues(r index.IndexReader, hits []*search.DocumentMatch) ([][]dvTerm, error) {
	dvr, err := r.DocValueReader([]string{fCategory, fTags, fKind})
	if err != nil {
		return nil, err
	}
	out := make([][]dvTerm, len(hits))
	seen := map[string][]byte{} // the values are few: each kept once
	for i, h := range hits {
		err := dvr.VisitDocValues(h.IndexInternalID, func(field string, term []byte) {
			if field != fCategory && field != fTags && field != fKind {
				return
			}
			t, ok := seen[string(term)]
			if !ok {
				t = slices.Clone(term)
				seen[string(t)] = t
			}
			out[i] = append(out[i], dvTerm{field, t})
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// keepMatching keeps the hits that match c.check, in their order, asking
// the check's searcher for each hit's document number in increasing order.
func (c *collector) keepMatching(r index.IndexReader, hits []*search.DocumentMatch) ([]*search.DocumentMatch, error) {
	if len(hits) == 0 {
		return hits, nil
	}
	s, err := c.check.Searcher(c.ctx, r, c.mapping, search.SearcherOptions{Score: "none"})
	if err != nil {
		return nil, fmt.Errorf("phrases: %w", err)
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: r}
	byNum := slices.Clone(hits)
	slices.SortFunc(byNum, func(a, b *search.DocumentMatch) int { return bytes.Compare(a.IndexInternalID, b.IndexInternalID) })
	ok := make(map[*search.DocumentMatch]bool, len(hits))
	var at *search.DocumentMatch // where the searcher is
	for _, h := range byNum {
		if at == nil || bytes.Compare(at.IndexInternalID, h.IndexInternalID) < 0 {
			if at != nil {
				sctx.DocumentMatchPool.Put(at)
			}
			if at, err = s.Advance(sctx, h.IndexInternalID); err != nil {
				return nil, fmt.Errorf("phrases: %w", err)
			}
			if at == nil {
				break // nothing further matches
			}
		}
		ok[h] = bytes.Equal(at.IndexInternalID, h.IndexInternalID)
	}
	kept := hits[:0:0]
	for _, h := range hits {
		if ok[h] {
			kept = append(kept, h)
		}
	}
	return kept, nil
}

// result is the hits kept, best first; only the first named have an ID.
func (c *collector) result() search.DocumentMatchCollection { return c.hits.l }

// context hands the collector to Bleve's for one search.
func (c *collector) context(ctx context.Context) context.Context {
	c.ctx = ctx
	return context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(c.handler))
}

// worstFirst is a heap of hits with the worst on top, the one a better
// hit replaces.
type worstFirst struct {
	l   []*search.DocumentMatch
	cmp func(a, b *search.DocumentMatch) int
}

// offer keeps d if it is among the best keep seen, giving back to pool
// what is not kept.
func (h *worstFirst) offer(d *search.DocumentMatch, keep int, pool *search.DocumentMatchPool) {
	if len(h.l) < keep {
		heap.Push(h, d)
		return
	}
	if keep == 0 || h.cmp(d, h.l[0]) >= 0 {
		pool.Put(d) // no better than the worst kept
		return
	}
	worst := h.l[0]
	h.l[0] = d
	heap.Fix(h, 0)
	pool.Put(worst)
}

func (h *worstFirst) Len() int           { return len(h.l) }
func (h *worstFirst) Less(i, j int) bool { return h.cmp(h.l[i], h.l[j]) > 0 }
func (h *worstFirst) Swap(i, j int)      { h.l[i], h.l[j] = h.l[j], h.l[i] }
func (h *worstFirst) Push(x any)         { h.l = append(h.l, x.(*search.DocumentMatch)) }
func (h *worstFirst) Pop() any {
	x := h.l[len(h.l)-1]
	h.l = h.l[:len(h.l)-1]
	return x
}
