package search

import (
	"context"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// narrowed is a query whose text is read only where all its required
// parts that are lists of terms meet: each word's terms, the filters
// (is:, @, #, ...), the categories.
//
// Bleve walks a conjunction by stepping each part to the next document
// of the others: with two words, or a word and a filter such as
// is:unsolved or a category, each word's terms (one per language and
// field, and the completions of the last word) are advanced, decoded and
// scored again and again at documents the other parts then leave out
// (a third of a query's CPU at 1,000,000 posts, session 8). Their
// postings are bitmaps, so the documents where every such part matches
// are one AND per segment of the index, computed before the walk; the
// text's terms are then read at those documents only. It is only a
// shortcut: every part is still required by the query as before, so
// the same documents match, with the same scores (a term's statistics
// are its whole list's), and nothing the reader may not read can match.
//
// The filters and categories that went into those documents are then
// implied: the text yields no other document, so they are left out of
// the walk (each was a list stepped to every match of the words). The
// text's terms being read through the narrowed reader is what keeps
// every match among the reader's categories.
type narrowed struct {
	*query.BooleanQuery               // the whole query
	must                []query.Query // its required parts

	// the documents, for the snapshot they were computed on: the slices
	// of a split walk share them
	mu      sync.Mutex
	snap    *scorch.IndexSnapshot
	docs    *segDocs
	implied *query.BooleanQuery // the query without the parts docs implies

	// keep: the walk keeps the best keep hits by score, and reads only
	// the matches that may be among them, scored before (best.go); 0:
	// it reads all (another order, or a query best cannot score).
	keep, parts, min, run int
	best                  *best
	bestTried             bool
	picked                *segDocs // what was picked for keep on pickedSnap
	pickedSnap            *scorch.IndexSnapshot
	matched               int // how many documents match, on pickedSnap
}

// walkBest makes the next search of n walk only the matches that may be
// among the best keep by score (0: all of them), scored when more than
// min × keep match, in up to parts runs of run documents or more at once.
func (n *narrowed) walkBest(keep, parts, min, run int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.keep, n.parts, n.min, n.run, n.picked, n.pickedSnap = keep, max(1, parts), min, run, nil, nil
}

// total is how many documents matched in the search since walkBest,
// when it walked only the best (the walk itself then counts only those).
func (n *narrowed) total() (int, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.matched, n.picked != nil
}

// pickedOf is what the walk of snap reads when it keeps the best only:
// the matches that may be among them.
func (n *narrowed) pickedOf(ctx context.Context, snap *scorch.IndexSnapshot, m mapping.IndexMapping) (*segDocs, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.keep <= 0 {
		return nil, nil
	}
	if n.pickedSnap == snap {
		return n.picked, nil
	}
	if !n.bestTried {
		n.bestTried = true
		if root, leaves, ok := compileBest(n.BooleanQuery, m); ok {
			n.best = &best{root: root, leaves: leaves}
		}
	}
	if n.best == nil {
		return nil, nil
	}
	docs, total, ok, err := n.best.pick(ctx, snap, n.keep, n.parts, n.min, n.run)
	if err != nil || !ok {
		return nil, err
	}
	n.picked, n.pickedSnap, n.matched = docs, snap, total
	return docs, nil
}

func (n *narrowed) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	if snap, ok := r.(*scorch.IndexSnapshot); ok {
		docs, err := n.pickedOf(ctx, snap, m)
		if err != nil {
			return nil, err
		}
		if docs == nil {
			docs = n.docsOf(snap)
		}
		if docs != nil {
			return n.withoutImplied().Searcher(ctx, &narrowReader{IndexSnapshot: snap, docs: docs}, m, o)
		}
	}
	return n.BooleanQuery.Searcher(ctx, r, m, o)
}

// withoutImplied is the query without its unscored required parts made
// of terms only: the filters and categories, all in the documents the
// text is read at. The words, which read only those documents, stay.
func (n *narrowed) withoutImplied() *query.BooleanQuery {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.implied != nil {
		return n.implied
	}
	var kept []query.Query
	text := false
	for _, q := range n.must {
		if _, ok := q.(unscored); ok && termsOnly(q) {
			continue
		}
		text = text || !isUnscored(q)
		kept = append(kept, q)
	}
	if !text {
		n.implied = n.BooleanQuery // nothing reads only those documents
		return n.implied
	}
	bq := query.NewBooleanQuery(kept, nil, nil)
	bq.Should, bq.MustNot, bq.Filter = n.BooleanQuery.Should, n.BooleanQuery.MustNot, n.BooleanQuery.Filter
	n.implied = bq
	return bq
}

func isUnscored(q query.Query) bool { _, ok := q.(unscored); return ok }

func (n *narrowed) docsOf(snap *scorch.IndexSnapshot) *segDocs {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.snap != snap {
		n.snap, n.docs = snap, requiredDocs(snap, n.must)
	}
	return n.docs
}

// segDocs is a set of documents, one bitmap per segment (nil: none).
type segDocs struct {
	bases []uint64 // each segment's first document number
	bms   []*roaring.Bitmap
	// read: the postings of the text's terms at these documents, as
	// read before the walk (best.go), by field and term; nil: none
	read map[string]*readPostings
}

// requiredDocs is, per segment, the documents where every one of must
// that is a list of terms matches; nil when fewer than two are, which
// leaves nothing to narrow.
func requiredDocs(snap *scorch.IndexSnapshot, must []query.Query) *segDocs {
	segs := snap.Segments()
	d := &segDocs{bases: make([]uint64, len(segs)), bms: make([]*roaring.Bitmap, len(segs))}
	var base uint64
	for i, seg := range segs {
		d.bases[i] = base
		base += uint64(seg.FullSize())
		var in *roaring.Bitmap
		used := 0
		for _, q := range must {
			if !termsOnly(q) {
				continue
			}
			bm, ok := termDocs(seg.Segment(), q)
			if !ok {
				return nil // the parts left out of the walk must be in docs
			}
			used++
			if in == nil {
				in = bm
			} else {
				in = roaring.And(in, bm)
			}
		}
		if used < 2 {
			return nil
		}
		if !in.IsEmpty() {
			d.bms[i] = in
		}
	}
	return d
}

// termsOnly says whether termDocs can tell the documents q matches.
func termsOnly(q query.Query) bool {
	switch q := q.(type) {
	case unscored:
		return termsOnly(q.Query)
	case *query.TermQuery:
		return q.FieldVal != ""
	case *query.BoolFieldQuery:
		return q.FieldVal != ""
	case *query.DisjunctionQuery:
		if q.Min > 1 || len(q.Disjuncts) == 0 {
			return false
		}
		for _, c := range q.Disjuncts {
			if !termsOnly(c) {
				return false
			}
		}
		return true
	case *query.ConjunctionQuery:
		for _, c := range q.Conjuncts {
			if !termsOnly(c) {
				return false
			}
		}
		return len(q.Conjuncts) > 0
	}
	return false
}

// termDocs is the documents of seg that q matches, when q is made of
// terms only (ok false otherwise). The bitmap returned may be a
// postings list's own: it is never changed.
func termDocs(seg segment.Segment, q query.Query) (*roaring.Bitmap, bool) {
	switch q := q.(type) {
	case unscored:
		return termDocs(seg, q.Query)
	case *query.TermQuery:
		return postingsDocs(seg, q.FieldVal, q.Term)
	case *query.BoolFieldQuery:
		t := "F"
		if q.Bool {
			t = "T"
		}
		return postingsDocs(seg, q.FieldVal, t)
	case *query.DisjunctionQuery:
		if q.Min > 1 || len(q.Disjuncts) == 0 {
			return nil, false
		}
		bms := make([]*roaring.Bitmap, 0, len(q.Disjuncts))
		for _, c := range q.Disjuncts {
			bm, ok := termDocs(seg, c)
			if !ok {
				return nil, false
			}
			bms = append(bms, bm)
		}
		return roaring.FastOr(bms...), true
	case *query.ConjunctionQuery:
		var in *roaring.Bitmap
		for _, c := range q.Conjuncts {
			bm, ok := termDocs(seg, c)
			if !ok {
				return nil, false
			}
			if in == nil {
				in = bm
			} else {
				in = roaring.And(in, bm)
			}
		}
		return in, in != nil
	}
	return nil, false
}

// postingsDocs is the documents of seg whose field holds term.
func postingsDocs(seg segment.Segment, field, term string) (*roaring.Bitmap, bool) {
	if field == "" {
		return nil, false
	}
	dict, err := seg.Dictionary(field)
	if err != nil {
		return nil, false
	}
	pl, err := dict.PostingsList([]byte(term), nil, nil)
	if err != nil {
		return nil, false
	}
	if pl == nil {
		return roaring.New(), true
	}
	o, ok := pl.Iterator(false, false, false, nil).(segment.OptimizablePostingsIterator)
	if !ok {
		return nil, false
	}
	if bm := o.ActualBitmap(); bm != nil {
		return bm, true
	}
	if one, isOne := o.DocNum1Hit(); isOne {
		return roaring.BitmapOf(uint32(one)), true
	}
	return roaring.New(), true
}

// narrowReader reads the text fields' terms at docs only.
type narrowReader struct {
	*scorch.IndexSnapshot
	docs *segDocs
}

func (r *narrowReader) TermFieldReader(ctx context.Context, term []byte, field string, freq, norm, vectors bool) (index.TermFieldReader, error) {
	if p := r.docs.read[fieldTerm(field, term)]; p != nil && !vectors {
		return &readTFR{p: p}, nil
	}
	tfr, err := r.IndexSnapshot.TermFieldReader(ctx, term, field, freq, norm, vectors)
	if err != nil || !textField(field) {
		return tfr, err
	}
	// How the postings are best read depends on how many of them are in
	// docs: all (the word that leads, or one always beside another, as
	// "second account"), and they are read as they are; most, and they
	// are read in turn, the others passed over; few (a word with a
	// filter, a completion of the last word seldom with the others), and
	// each next document of docs is asked for, the postings skipping the
	// rest unread.
	var all, in uint64
	for i, seg := range r.IndexSnapshot.Segments() {
		bm, ok := postingsDocs(seg.Segment(), field, string(term))
		if !ok {
			return &narrowTFR{TermFieldReader: tfr, docs: r.docs, at: -1, seg: -1}, nil
		}
		all += bm.GetCardinality()
		if d := r.docs.bms[i]; d != nil {
			in += bm.AndCardinality(d)
		}
	}
	switch {
	case in == all:
		return tfr, nil
	case 2*in >= all:
		return &narrowTFR{TermFieldReader: tfr, docs: r.docs, at: -1, seg: -1, inTurn: true}, nil
	}
	return &narrowTFR{TermFieldReader: tfr, docs: r.docs, at: -1, seg: -1}, nil
}

// textField says whether field is one of the languages' titles or bodies.
func textField(field string) bool {
	for _, l := range langs {
		if field == titleField(l) || field == bodyField(l) {
			return true
		}
	}
	return false
}

// narrowTFR is a term's postings read at the documents of docs only:
// the next such document is asked of the postings (Advance), which skip
// the others without reading them.
type narrowTFR struct {
	index.TermFieldReader
	docs *segDocs
	at   int64 // the postings' position (-1: not started)
	// inTurn: read every posting, passing over those not in docs
	inTurn bool
	hseg   int // the segment of the last posting has looked at

	// where in docs the last lookup ended
	seg    int
	it     roaring.IntPeekable
	target uint64
}

func (t *narrowTFR) Next(pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	if t.inTurn {
		return t.inDocs(t.TermFieldReader.Next(pre))
	}
	return t.from(uint64(t.at+1), pre)
}

func (t *narrowTFR) Advance(id index.IndexInternalID, pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	if t.inTurn {
		return t.inDocs(t.TermFieldReader.Advance(id, pre))
	}
	return t.from(id.Value(), pre)
}

// inDocs is d, or the first posting after it in docs.
func (t *narrowTFR) inDocs(d *index.TermFieldDoc, err error) (*index.TermFieldDoc, error) {
	for err == nil && d != nil && !t.has(d.ID.Value()) {
		d, err = t.TermFieldReader.Next(d)
	}
	return d, err
}

// from returns the first posting at or after document n that is in docs.
func (t *narrowTFR) from(n uint64, pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	for {
		c, ok := t.next(n)
		if !ok {
			return nil, nil
		}
		// The postings move forward only: asking them for a document at
		// or before their position starts them again from the beginning.
		d, err := t.TermFieldReader.Advance(index.NewIndexInternalID(nil, c), pre)
		if err != nil || d == nil {
			return d, err
		}
		got := d.ID.Value()
		t.at = int64(got)
		if got == c || t.has(got) {
			return d, nil
		}
		n = got + 1
	}
}

// next is the first document of docs at or after n.
func (t *narrowTFR) next(n uint64) (uint64, bool) {
	d := t.docs
	if t.seg < 0 || n < t.target {
		t.seg, t.it = -1, nil // backwards: look again from the start
	}
	t.target = n
	s := max(t.seg, 0)
	for s+1 < len(d.bases) && d.bases[s+1] <= n {
		s++
	}
	for ; s < len(d.bases); s++ {
		bm := d.bms[s]
		if bm == nil {
			continue
		}
		if s != t.seg || t.it == nil {
			t.seg, t.it = s, bm.Iterator()
		}
		if n > d.bases[s] {
			t.it.AdvanceIfNeeded(uint32(n - d.bases[s]))
		}
		if t.it.HasNext() {
			return d.bases[s] + uint64(t.it.PeekNext()), true
		}
	}
	t.seg = len(d.bases)
	return 0, false
}

// has says whether document n is in docs.
func (t *narrowTFR) has(n uint64) bool {
	d := t.docs
	s := t.hseg // the postings move forward: start where the last one was
	if s >= len(d.bases) || d.bases[s] > n {
		s = 0
	}
	for s+1 < len(d.bases) && d.bases[s+1] <= n {
		s++
	}
	t.hseg = s
	return d.bms[s] != nil && d.bms[s].Contains(uint32(n-d.bases[s]))
}
