package search

import (
	"context"
	"math"
	"slices"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Bleve scores every match of a query in its walk, and a common word is
// in tens of thousands of posts at 1,000,000 (two common words, a
// phrase's words: 100,000 and more), of which the walk keeps the best
// thousand. Most of a query's time was that walk: each match goes up
// through a term searcher per field, a disjunction per word, the
// conjunction of the words and the boolean query, one document match
// each, before the collector looks at it and drops it.
//
// So a query made only of lists of terms (words, the filters, the
// categories, the phrases' words in one field, the accepted answers'
// boost) is first scored here, on the same snapshot: the documents that
// match are one bitmap per segment (the AND of the words' ORs of terms,
// and of the filters), and each is scored with the same formula as
// Bleve's (TF-IDF: the square root of the term's frequency × the field's
// norm × the term's idf² × its boost; each word's sum times the share of
// its fields that matched; the words' sum; the boost of an accepted
// answer) from the terms' postings, read once in order, without a
// searcher's layers. The documents whose score is not below the keep-th
// best (less a margin far wider than the rounding of the sums, whose
// order here is not Bleve's) are the only ones the walk then reads
// (narrowReader): Bleve scores those, and keeps the best as it would
// have among all the matches, in its own order and with its own scores,
// since every document that may be among them is there. The count of
// matches is the bitmap's. A query with a part that is not a list of
// terms (a phrase checked word by word, a word the analyser cuts in
// several terms, dates, exclusions, typos) is walked as before.

// bestMargin: a document is read by the walk when its score here is at
// least the keep-th best's × (1 − bestMargin). The sums here and Bleve's
// differ by the order of their additions: some 1e-16 of the score.
const bestMargin = 1e-9

// bestMin: the scores are worked out here only when more documents than
// bestMin × the hits kept match; fewer, and all of them are walked.
const bestMin = 3

// bestRun is the fewest matches of a segment one goroutine scores: more,
// and they are cut in runs scored at once (as many as the walk's parts).
const bestRun = 4096

// node kinds
const (
	pTerm = iota // a term of a field
	pConj        // all of kids, scored as their sum
	pDisj        // any of kids, scored as the sum of those that match × their share
	pBool        // kids[0] required, kids[1] (if any) adding its score when it matches
	pZero        // required, weighing nothing (unscored): q's documents
)

// pnode is a part of a query, as scored here.
type pnode struct {
	kind  int
	field string
	term  []byte
	boost float64
	leaf  int     // a term's number among the query's terms
	w     float64 // a term's idf² × boost, on the snapshot scored
	count uint64  // how many documents hold the term, on that snapshot
	kids  []*pnode
	total int         // pDisj: how many kids it was asked with (the share's denominator)
	q     query.Query // pZero
}

// compileBest is q as scored here; ok is false when a part of q is not
// made of terms only.
func compileBest(q query.Query, m mapping.IndexMapping) (root *pnode, leaves []*pnode, ok bool) {
	var walk func(q query.Query, top bool) *pnode
	leaf := func(field string, term []byte, boost float64) *pnode {
		if field == "" {
			return nil
		}
		n := &pnode{kind: pTerm, field: field, term: term, boost: boost, leaf: len(leaves)}
		leaves = append(leaves, n)
		return n
	}
	kids := func(qs []query.Query, top bool) []*pnode {
		out := make([]*pnode, 0, len(qs))
		for _, c := range qs {
			k := walk(c, top)
			if k == nil {
				return nil
			}
			out = append(out, k)
		}
		return out
	}
	walk = func(q query.Query, top bool) *pnode {
		switch q := q.(type) {
		case unscored:
			// weighing nothing, only required where nothing else asks
			// whether it matched: among the words and filters ANDed
			if !top || !termsOnly(q) {
				return nil
			}
			return &pnode{kind: pZero, q: q}
		case *query.TermQuery:
			return leaf(q.FieldVal, []byte(q.Term), q.BoostVal.Value())
		case *query.BoolFieldQuery:
			t := "F"
			if q.Bool {
				t = "T"
			}
			return leaf(q.FieldVal, []byte(t), q.BoostVal.Value())
		case *query.MatchQuery:
			// Bleve asks a match query of all its words as the
			// conjunction of their terms, each with the query's boost.
			if q.Operator != query.MatchQueryOperatorAnd || q.Fuzziness != 0 || q.FieldVal == "" {
				return nil
			}
			name := q.Analyzer
			if name == "" {
				name = m.AnalyzerNameForPath(q.FieldVal)
			}
			a := m.AnalyzerNamed(name)
			if a == nil {
				return nil
			}
			tokens := a.Analyze([]byte(q.Match))
			if len(tokens) == 0 {
				return nil
			}
			n := &pnode{kind: pConj}
			for _, t := range tokens {
				n.kids = append(n.kids, leaf(q.FieldVal, slices.Clone(t.Term), q.BoostVal.Value()))
			}
			return n
		case *query.ConjunctionQuery:
			if len(q.Conjuncts) == 0 {
				return nil
			}
			if k := kids(q.Conjuncts, top); k != nil {
				return &pnode{kind: pConj, kids: k}
			}
		case *query.DisjunctionQuery:
			if q.Min > 1 || len(q.Disjuncts) == 0 {
				return nil
			}
			if k := kids(q.Disjuncts, false); k != nil {
				return &pnode{kind: pDisj, kids: k, total: len(k)}
			}
		case *query.BooleanQuery:
			if !top || q.MustNot != nil || q.Filter != nil || q.Must == nil {
				return nil
			}
			must := walk(q.Must, true)
			if must == nil {
				return nil
			}
			n := &pnode{kind: pBool, kids: []*pnode{must}}
			if q.Should != nil {
				sq := q.Should
				if st, ok := sq.(steady); ok {
					sq = st.Query
				}
				should, isDisj := sq.(*query.DisjunctionQuery)
				if !isDisj || should.Min != 0 {
					return nil
				}
				s := walk(should, false)
				if s == nil {
					return nil
				}
				n.kids = append(n.kids, s)
			}
			return n
		}
		return nil
	}
	root = walk(q, true)
	return root, leaves, root != nil
}

// docs is the documents of seg (its deleted ones among them) that n
// requires; nil when it cannot tell.
func (n *pnode) docs(seg segment.Segment) *roaring.Bitmap {
	switch n.kind {
	case pTerm:
		bm, ok := postingsDocs(seg, n.field, string(n.term))
		if !ok {
			return nil
		}
		return bm
	case pZero:
		bm, ok := termDocs(seg, n.q)
		if !ok {
			return nil
		}
		return bm
	case pBool:
		return n.kids[0].docs(seg)
	case pConj, pDisj:
		bms := make([]*roaring.Bitmap, 0, len(n.kids))
		for _, k := range n.kids {
			bm := k.docs(seg)
			if bm == nil {
				return nil
			}
			bms = append(bms, bm)
		}
		if n.kind == pDisj {
			return roaring.FastOr(bms...)
		}
		// the shortest first: each AND is then of fewer
		slices.SortFunc(bms, func(a, b *roaring.Bitmap) int {
			return int(a.GetCardinality()) - int(b.GetCardinality())
		})
		in := bms[0].Clone()
		for _, bm := range bms[1:] {
			in.And(bm)
		}
		return in
	}
	return nil
}

// cursor reads one term's postings in one segment, forward.
type cursor struct {
	it   segment.PostingsIterator
	at   uint64 // the document of the posting read (cursorDone: none left)
	freq uint64
	norm float64
	read bool
}

const cursorDone = math.MaxUint64

// to moves c to doc, or past it; whether the term is in doc.
func (c *cursor) to(doc uint64) (bool, error) {
	if c.read && c.at >= doc {
		return c.at == doc, nil
	}
	p, err := c.it.Advance(doc)
	c.read = true
	if err != nil || p == nil {
		c.at = cursorDone
		return false, err
	}
	c.at, c.freq, c.norm = p.Number(), p.Frequency(), postingNorm(p)
	return c.at == doc, nil
}

// lengthNorms is the norm of a field of each length up to 1023 words, as
// zap works it out (Posting.Norm: 1/√length, rounded to a float32): zap
// keeps the length with each posting, and works the norm out at each
// read, a square root and a division for each of the hundreds of
// thousands of postings the scoring reads in a query (a tenth of the
// server's CPU at 1,000,000 posts, session 9). Read-only once made.
var lengthNorms = func() (t [1024]float64) {
	for n := range t {
		t[n] = float64(float32(1 / math.Sqrt(float64(n))))
	}
	return t
}()

// postingNorm is p.Norm(), from lengthNorms when p says its length.
func postingNorm(p segment.Posting) float64 {
	if l, ok := p.(interface{ NormUint64() uint64 }); ok {
		if n := l.NormUint64(); n < uint64(len(lengthNorms)) {
			return lengthNorms[n]
		}
	}
	return p.Norm()
}

// sqrtFreqs is √frequency for the frequencies most terms have in a post.
var sqrtFreqs = func() (t [64]float64) {
	for n := range t {
		t[n] = math.Sqrt(float64(n))
	}
	return t
}()

func sqrtFreq(f uint64) float64 {
	if f < uint64(len(sqrtFreqs)) {
		return sqrtFreqs[f]
	}
	return math.Sqrt(float64(f))
}

// score is n's score at doc, which every required part matches, with
// the postings read by cur; and whether n matches there.
func (n *pnode) score(doc uint64, cur []cursor) (float64, bool, error) {
	switch n.kind {
	case pTerm:
		c := &cur[n.leaf]
		in, err := c.to(doc)
		if !in || err != nil {
			return 0, false, err
		}
		return sqrtFreq(c.freq) * c.norm * n.w, true, nil
	case pZero:
		return 0, true, nil
	case pBool:
		s, in, err := n.kids[0].score(doc, cur)
		if !in || err != nil || len(n.kids) == 1 {
			return s, in, err
		}
		more, also, err := n.kids[1].score(doc, cur)
		if also {
			s += more
		}
		return s, true, err
	case pConj:
		// every part is read at doc, matched or not: what the terms hold
		// there is kept for the walk (scoreRun)
		var sum float64
		all := true
		for _, k := range n.kids {
			s, in, err := k.score(doc, cur)
			if err != nil {
				return 0, false, err
			}
			sum += s
			all = all && in
		}
		if !all {
			return 0, false, nil
		}
		return sum, true, nil
	case pDisj:
		var sum float64
		matched := 0
		for _, k := range n.kids {
			if k.kind == pTerm {
				// most of a word's terms (each language's fields, the
				// completions) are not in most of its matches: told
				// here, without a call
				if c := &cur[k.leaf]; c.read && c.at > doc {
					continue
				}
			}
			s, in, err := k.score(doc, cur)
			if err != nil {
				return 0, false, err
			}
			if in {
				sum += s
				matched++
			}
		}
		return sum * float64(matched) / float64(n.total), matched > 0, nil
	}
	return 0, false, nil
}

// prune is n without the terms that are in none of the documents scored
// (live[leaf] false: another language's field, a completion never with
// the other words), nil when n then cannot match: the words' parts are
// looked at for each document, and a term's postings are read up to the
// last document scored, whether it holds the term or not.
func (n *pnode) prune(live []bool) *pnode {
	switch n.kind {
	case pTerm:
		if !live[n.leaf] {
			return nil
		}
		return n
	case pConj, pDisj:
		kids := make([]*pnode, 0, len(n.kids))
		for _, k := range n.kids {
			if k = k.prune(live); k != nil {
				kids = append(kids, k)
			} else if n.kind == pConj {
				return nil
			}
		}
		if len(kids) == 0 {
			return nil
		}
		c := *n
		c.kids = kids
		return &c
	case pBool:
		must := n.kids[0].prune(live)
		if must == nil {
			return nil
		}
		c := *n
		c.kids = []*pnode{must}
		if len(n.kids) > 1 {
			if should := n.kids[1].prune(live); should != nil {
				c.kids = append(c.kids, should)
			}
		}
		return &c
	}
	return n
}

// best is a query scored here before the walk (see above).
type best struct {
	root   *pnode
	leaves []*pnode
}

// bestSeg is what is scored of one segment.
type bestSeg struct {
	seg     *scorch.SegmentSnapshot
	base    uint64
	docs    []uint32 // the documents that match, in order
	scores  []float64
	matched *roaring.Bitmap
	// tree: the query without the terms in none of the matches; live:
	// the terms left
	tree *pnode
	live []int
}

// pick returns, per segment of snap, the documents of the matches that
// may be among the best keep by score, and how many documents match;
// ok is false when a segment's postings cannot be read as bitmaps.
// Up to parts goroutines score at once, each run runMin documents or more;
// when no more than least × keep documents match, ok is false: they are
// all walked.
func (b *best) pick(ctx context.Context, snap *scorch.IndexSnapshot, keep, parts, least, runMin int) (*segDocs, int, bool, error) {
	segs := snap.Segments()
	out := &segDocs{bases: make([]uint64, len(segs)), bms: make([]*roaring.Bitmap, len(segs))}
	scored := make([]bestSeg, len(segs))
	total := 0
	var base uint64
	for i, seg := range segs {
		out.bases[i] = base
		scored[i] = bestSeg{seg: seg, base: base}
		base += uint64(seg.FullSize())
		m := b.root.docs(seg.Segment())
		if m == nil {
			return nil, 0, false, nil
		}
		if del := seg.Deleted(); del != nil && !del.IsEmpty() {
			m = roaring.AndNot(m, del)
		}
		if !m.IsEmpty() {
			scored[i].matched = m
			total += int(m.GetCardinality())
		}
	}
	if keep <= 0 || total <= keep || total <= least*keep {
		return nil, 0, false, nil // the walk is short: walked as before
	}
	if err := b.weigh(snap); err != nil {
		return nil, 0, false, err
	}
	// Each segment's matches are scored in parts runs at once, each with
	// its own postings readers; the keep-th best of all is then the bar.
	type run struct {
		s      *bestSeg
		lo, hi int
		top    minHeap
		rec    recorded
		err    error
	}
	var runs []*run
	for i := range scored {
		s := &scored[i]
		if s.matched == nil {
			continue
		}
		on := make([]bool, len(b.leaves))
		for i, l := range b.leaves {
			bm, ok := postingsDocs(s.seg.Segment(), l.field, string(l.term))
			if !ok {
				return nil, 0, false, nil
			}
			if on[i] = bm.Intersects(s.matched); on[i] {
				s.live = append(s.live, i)
			}
		}
		if s.tree = b.root.prune(on); s.tree == nil {
			return nil, 0, false, nil // cannot be: every match matches
		}
		s.docs = s.matched.ToArray()
		s.scores = make([]float64, len(s.docs))
		n := max(1, min(parts, len(s.docs)/max(1, runMin)))
		for p := range n {
			runs = append(runs, &run{s: s, lo: p * len(s.docs) / n, hi: (p + 1) * len(s.docs) / n})
		}
	}
	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.err = b.scoreRun(ctx, r.s, r.lo, r.hi, keep, &r.top, &r.rec)
		}()
	}
	wg.Wait()
	var tops []float64
	for _, r := range runs {
		if r.err != nil {
			return nil, 0, false, r.err
		}
		tops = append(tops, r.top...)
	}
	slices.SortFunc(tops, func(a, b float64) int { return cmpFloat(b, a) })
	bar := tops[keep-1]
	bar -= math.Abs(bar) * bestMargin
	// The documents picked, and each term's postings at them, in order
	// (segments, then runs, are in document order).
	out.read = make(map[string]*readPostings, len(b.leaves))
	byLeaf := make([]*readPostings, len(b.leaves))
	for i, l := range b.leaves {
		k := fieldTerm(l.field, l.term)
		if out.read[k] == nil {
			out.read[k] = &readPostings{count: l.count}
		}
		byLeaf[i] = out.read[k]
	}
	ins := make([][]uint32, len(segs))
	for _, r := range runs {
		seg := slices.Index(segs, r.s.seg)
		for j, k := range r.rec.at {
			if r.s.scores[k] < bar {
				continue
			}
			doc := r.s.docs[k]
			ins[seg] = append(ins[seg], doc)
			from := 0
			if j > 0 {
				from = r.rec.end[j-1]
			}
			for x := from; x < r.rec.end[j]; x++ {
				p := byLeaf[r.rec.leaf[x]]
				if n := len(p.docs); n > 0 && p.docs[n-1] == r.s.base+uint64(doc) {
					continue // the same term twice in the query
				}
				p.docs = append(p.docs, r.s.base+uint64(doc))
				p.freq = append(p.freq, r.rec.freq[x])
				p.norm = append(p.norm, r.rec.norm[x])
			}
		}
	}
	for i, in := range ins {
		if len(in) > 0 {
			out.bms[i] = roaring.BitmapOf(in...)
		}
	}
	return out, total, true, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// weigh sets each term's idf² × boost on snap, as Bleve's term searcher
// works out its idf: from the live documents of the index and those
// holding the term.
func (b *best) weigh(snap *scorch.IndexSnapshot) error {
	docTotal, err := snap.DocCount()
	if err != nil {
		return err
	}
	for _, l := range b.leaves {
		var docTerm uint64
		for _, seg := range snap.Segments() {
			dict, err := seg.Segment().Dictionary(l.field)
			if err != nil {
				return err
			}
			pl, err := dict.PostingsList(l.term, seg.Deleted(), nil)
			if err != nil {
				return err
			}
			if pl != nil {
				docTerm += pl.Count()
			}
		}
		idf := 1.0 + math.Log(float64(docTotal)/float64(docTerm+1))
		l.w, l.count = idf*idf*l.boost, docTerm
	}
	return nil
}

// scoreRun scores s.docs[lo:hi] into s.scores, keeping the best keep
// scores in top.
func (b *best) scoreRun(ctx context.Context, s *bestSeg, lo, hi, keep int, top *minHeap, rec *recorded) error {
	seg := s.seg.Segment()
	cur := make([]cursor, len(b.leaves))
	for _, i := range s.live {
		l := b.leaves[i]
		dict, err := seg.Dictionary(l.field)
		if err != nil {
			return err
		}
		pl, err := dict.PostingsList(l.term, s.seg.Deleted(), nil)
		if err != nil {
			return err
		}
		cur[i].it = pl.Iterator(true, true, false, nil)
	}
	for k := lo; k < hi; k++ {
		if (k-lo)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		v, _, err := s.tree.score(uint64(s.docs[k]), cur)
		if err != nil {
			return err
		}
		s.scores[k] = v
		// What the terms hold at a document that may be among the best
		// is kept for the walk: one whose score is not below the
		// lowest of the best so far (less the margin) when it is seen,
		// which the bar, the keep-th best of all, is not below either.
		if len(*top) < keep || v >= (*top)[0]-math.Abs((*top)[0])*bestMargin {
			rec.at = append(rec.at, k)
			for _, i := range s.live {
				if c := &cur[i]; c.read && c.at == uint64(s.docs[k]) {
					rec.leaf = append(rec.leaf, int32(i))
					rec.freq = append(rec.freq, c.freq)
					rec.norm = append(rec.norm, c.norm)
				}
			}
			rec.end = append(rec.end, len(rec.leaf))
		}
		top.offer(v, keep)
	}
	return nil
}

// recorded is what the terms hold at the documents a run saw that may
// be among the best: at[i] is the document's place in the segment's
// docs, and its terms are leaf[end[i-1]:end[i]], with their frequency
// and norm.
type recorded struct {
	at, end []int
	leaf    []int32
	freq    []uint64
	norm    []float64
}

// readPostings is a term's postings at the documents the walk reads,
// as read before it, and how many documents hold the term in all.
type readPostings struct {
	docs  []uint64 // in order
	freq  []uint64
	norm  []float64
	count uint64
}

func fieldTerm(field string, term []byte) string { return field + "\x00" + string(term) }

// readTFR reads a term's postings at the documents the walk reads
// (readPostings): the walk then reads them from memory, where reading
// the index moved through all of the term's postings before each one.
type readTFR struct {
	p *readPostings
	i int // the next posting
}

func (t *readTFR) Next(pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	if t.i >= len(t.p.docs) {
		return nil, nil
	}
	if pre == nil {
		pre = &index.TermFieldDoc{}
	}
	pre.ID = index.NewIndexInternalID(pre.ID, t.p.docs[t.i])
	pre.Freq, pre.Norm, pre.Vectors = t.p.freq[t.i], t.p.norm[t.i], nil
	t.i++
	return pre, nil
}

func (t *readTFR) Advance(id index.IndexInternalID, pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	n := id.Value()
	t.i, _ = slices.BinarySearch(t.p.docs, n)
	return t.Next(pre)
}

func (t *readTFR) Count() uint64 { return t.p.count }
func (t *readTFR) Close() error  { return nil }
func (t *readTFR) Size() int     { return 64 }

// minHeap holds the best scores seen, the lowest first.
type minHeap []float64

func (h *minHeap) offer(v float64, keep int) {
	l := *h
	if len(l) < keep {
		l = append(l, v)
		for i := len(l) - 1; i > 0; {
			p := (i - 1) / 2
			if l[p] <= l[i] {
				break
			}
			l[p], l[i] = l[i], l[p]
			i = p
		}
		*h = l
		return
	}
	if v <= l[0] {
		return
	}
	l[0] = v
	for i := 0; ; {
		c := 2*i + 1
		if c >= len(l) {
			break
		}
		if c+1 < len(l) && l[c+1] < l[c] {
			c++
		}
		if l[i] <= l[c] {
			break
		}
		l[i], l[c] = l[c], l[i]
		i = c
	}
}
