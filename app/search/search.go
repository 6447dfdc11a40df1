package search

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"causerie/app/auth"
	"causerie/app/category"
)

// minFuzzy is the length from which a word forgives one typo.
const minFuzzy = 5

// hasLongWord says whether a word is long enough to forgive a typo in.
func (q *Query) hasLongWord() bool {
	for _, w := range q.Words {
		if utf8.RuneCountInString(w) >= minFuzzy && !isCJK(w) {
			return true
		}
	}
	return false
}

// PerPage is how many topics a page of results shows.
const PerPage = 20

// maxPages bounds how deep results go: past it, refining the query helps
// more than paging.
const maxPages = 25

// Results is one page of a search, grouped per topic, best first.
type Results struct {
	Query  *Query
	Groups []*Group
	// Posts is how many posts matched, everywhere the reader may look;
	// PostsApprox says it is an estimate (a phrase of common words, checked
	// on the best candidates only: docs/search.md).
	Posts       int
	PostsApprox bool
	Page        int
	HasNext     bool
	Facets      Facets
	// CatchingUp: the index is being rebuilt; results may be missing.
	CatchingUp bool
	Took       time.Duration
}

// Group is a topic with its best matching post.
type Group struct {
	TopicID  int64
	Title    template.HTML // escaped, with the matched words marked
	URL      string
	Category *category.Category
	Best     *Hit
	// Others is how many more of its posts matched (among those looked at).
	Others int
}

// Hit is one matching post.
type Hit struct {
	PostID   int64
	Number   int
	URL      string
	Author   string
	Created  time.Time
	Fragment template.HTML // escaped, with the matched words marked
	Accepted bool
}

// Facets count the matching posts per category, tag and kind, among what
// the reader may read.
type Facets struct {
	Categories []Facet
	Tags       []Facet
	Kinds      []Facet
	// Approx: counted on the best matches only and scaled to all of them.
	Approx bool
}

// Facet is one value with its count and the query that narrows to it.
type Facet struct {
	Value, Label string
	Count        int
	Query        string
	Active       bool
}

// Search runs q for v: page n (from 1) of the topics that match, and the
// facets. Only categories v may read are searched; everything counted
// comes from that filtered search.
func (s *Service) Search(ctx context.Context, v *auth.Viewer, q *Query, page int) (*Results, error) {
	start := time.Now()
	catching, _, _ := s.CatchingUp()
	res := &Results{Query: q, Page: max(1, min(page, maxPages)), CatchingUp: catching}
	if q.Empty() {
		return res, nil
	}
	idx, err := s.index()
	if err != nil {
		return nil, err
	}
	sc, ok, err := s.filter(ctx, v, q)
	if err != nil || !ok {
		res.Took = time.Since(start)
		return res, err
	}
	readable, err := s.cats.ReadableIDs(ctx, v)
	if err != nil {
		return nil, err
	}
	key, gen := cacheKey(q, res.Page, readable), s.gen.Load()
	if !catching && s.cache != nil {
		if kept := s.cache.get(key, gen, start); kept != nil {
			res := *kept
			res.Query, res.Took = q, time.Since(start)
			return &res, nil
		}
	}
	if err := s.searchOnce(ctx, idx, q, sc, nil, res); err != nil {
		return nil, err
	}
	// Typos are forgiven only when the words as typed find nothing, and
	// only in the words found in no post the reader may read: fuzzy
	// matching is the costliest part of a query, and a word that exists
	// is no typo (typed with a category, say, that lacks it).
	if res.Posts == 0 && q.hasLongWord() {
		typos, err := s.typos(ctx, idx, q, sc)
		if err != nil {
			return nil, err
		}
		if len(typos) > 0 {
			if err := s.searchOnce(ctx, idx, q, sc, typos, res); err != nil {
				return nil, err
			}
		}
	}
	res.Took = time.Since(start)
	if !catching && s.cache != nil {
		s.cache.put(key, gen, start, res)
	}
	return res, nil
}

// searchOnce searches, forgiving typos in the words typos holds (none
// when nil), and fills res.
func (s *Service) searchOnce(ctx context.Context, idx bleve.Index, q *Query, sc scope, typos map[string]bool, res *Results) error {
	text := s.textQuery(idx, q, q.InTitle, typos, false)
	// With words, the categories are required with them, unscored (see
	// narrowing); without, they filter what the query's filters find. So
	// do they with typos forgiven: a word's fuzzy matches are dozens of
	// terms, and stepping all of them to each post of the categories
	// cost more than filtering their matches (1.4–1.9 s against 0.4–0.7 for a word
	// found nowhere in one category, at 1,000,000 posts).
	inWords := text != nil && len(typos) == 0
	filter := sc.filter()
	if inWords {
		filter = sc.dates
	}
	// required lists what a post must match: the words and phrases, and
	// the query's own filters, in one flat conjunction (the boolean
	// query's must), which Bleve walks led by the shortest list.
	required := func(text query.Query) []query.Query {
		var parts []query.Query
		if c, ok := text.(*query.ConjunctionQuery); ok {
			parts = append(parts, c.Conjuncts...)
		} else if text != nil {
			parts = append(parts, text)
		}
		parts = append(parts, narrowing(q, text != nil)...)
		if inWords && sc.cats != nil {
			parts = append(parts, sc.cats)
		}
		if len(parts) == 0 {
			return []query.Query{bleve.NewMatchAllQuery()}
		}
		return parts
	}
	must := text // what the fragments mark, and what a phrase candidate must match
	if must == nil {
		must = bleve.NewMatchAllQuery()
	}
	whole := func(text query.Query) query.Query {
		bq := bleve.NewBooleanQuery()
		must := required(text)
		bq.AddMust(must...)
		if filter != nil {
			bq.AddFilter(filter)
		}
		if q.HasText() {
			// Accepted answers are few: boosting them costs little. (Titles
			// weigh more through their fields' boost in textQuery.)
			acc := bleve.NewBoolFieldQuery(true)
			acc.SetField(fAccepted)
			acc.SetBoost(1.5)
			bq.AddShould(acc)
			// which a split walk's Advance must not skip (steady.go)
			bq.Should = steady{bq.Should}
		}
		for _, w := range q.Excluded {
			if ex := s.anyField(idx, w); ex != nil {
				bq.AddMustNot(ex)
			}
		}
		if text != nil && len(typos) == 0 && !s.noNarrowing {
			// (The typo pass's fuzzy terms are looked up in the reader
			// the walk is given: it stays Bleve's own.)
			return &narrowed{BooleanQuery: bq, must: must}
		}
		return bq
	}
	f := fetcher{idx: idx, exact: whole(text), must: must, sort: sortOrder(q), cands: s.phraseCandidates,
		parts: s.walkParts, minDocs: s.parallelMin, facetRun: s.facetRun, docValues: s.facetDocValues,
		walkAll: s.walkAll, bestMin: s.bestMin, bestRun: s.bestRun}
	if len(q.Phrases) > 0 {
		// Phrases are checked on candidates only: see fetcher.
		if words := s.textQuery(idx, q, q.InTitle, typos, true); words != nil {
			f.loose = whole(words)
		}
	}
	want := res.Page*PerPage + 1 // one more group tells whether a next page exists
	size := want * 2
	if q.TopicID != 0 {
		size = want
	}
	// Facets are counted on first pages, over the best facetSample hits:
	// the query asks for that many, without their fields (what grouping
	// reads is loaded for the hits it looks at, below).
	withFacets := q.TopicID == 0 && res.Page == 1
	var groups []*Group
	var best []string
	var hits search.DocumentMatchCollection
	var fs search.FacetResults
	var total, fetched, sample int
	var estimated bool
	for {
		if size > fetched && fetched < 2000 && (fetched == 0 || fetched < len(hits) || len(hits) < total) {
			// The facets' sample is kept without IDs past what grouping may
			// look at (named): fetched is how many hits have their ID.
			keep, named := size, size
			if withFacets {
				keep, named = max(size, s.facetSample), min(max(size, s.facetSample), size*namedGrowth)
			}
			var err error
			var counted search.FacetResults
			if hits, total, estimated, counted, err = f.fetch(ctx, keep, size, named, withFacets && fs == nil); err != nil {
				return err
			}
			if fs == nil && counted != nil {
				fs, sample = counted, len(hits)
			}
			fetched = len(hits)
			for i, h := range hits {
				if h.ID == "" {
					fetched = i
					break
				}
			}
			if sortOrder(q)[0] == "-_score" {
				byScore(hits[:fetched])
			}
		}
		looked := hits[:min(fetched, size)]
		if err := loadFields(ctx, idx, looked); err != nil {
			return err
		}
		if sortOrder(q)[0] == "-_score" {
			byActivity(looked)
		}
		groups, best = group(looked, q.TopicID != 0)
		if len(groups) >= want || len(looked) >= total || size >= 2000 {
			break
		}
		size = min(2000, size*3)
	}
	if withFacets && fs != nil {
		scaleFacets(fs, sample, total)
		res.Facets = s.facets(ctx, q, fs)
		res.Facets.Approx = sample < total || estimated
	}
	res.Posts, res.PostsApprox = total, estimated
	from := (res.Page - 1) * PerPage
	res.HasNext = len(groups) > res.Page*PerPage
	if from < len(groups) {
		groups, best = groups[from:min(len(groups), from+PerPage)], best[from:min(len(best), from+PerPage)]
	} else {
		groups, best = nil, nil
	}
	var err error
	if res.Groups, err = s.fill(ctx, idx, must, groups, best); err != nil {
		return err
	}
	return nil
}

// fetcher runs the query for the best n hits, in the order asked.
//
// A phrase is checked word position by word position in every post that
// has all its words: with common words, tens of thousands of posts, most
// of a phrase query's time. So when the query has phrases (loose is set),
// the best candidates are found first with the phrases' words required
// anywhere in a field (no positions), and only those are checked for the
// phrases. The hits kept are in the candidates' order: a post outside the
// candidates comes after all of them in that order, so the hits are the
// best phrase matches by the words' score (or by date, or reactions),
// whatever is outside. When the candidates were all the posts with the
// words, nothing is estimated; past that, the total is the share of
// candidates that have the phrases, applied to all posts with the words.
// When too few candidates have the phrases (a rare phrase of common
// words), the exact query runs instead.
type fetcher struct {
	idx   bleve.Index
	exact query.Query
	loose query.Query // nil: no phrases, the exact query is cheap enough
	must  query.Query // the text part of exact: what a candidate must match
	sort  []string
	// cands is how many posts with the phrases' words are checked for
	// them, at least (Service.phraseCandidates).
	cands int
	// parts: a search by score on an index of minDocs documents or more
	// is walked in that many slices at once (parallel.go).
	// facetRun: the facets' values are read in runs of at least that
	// many hits at once.
	parts, minDocs, facetRun int
	// docValues: read the facets' values from the doc values, not from
	// their terms' postings (to compare: collector.facetValues).
	docValues bool
	// walkAll: a search by score walks every match, not only those
	// that may be among the best (best.go), to compare; the scores are
	// worked out before the walk only when more than bestMin times the
	// hits kept match, in runs of bestRun matches or more at once.
	walkAll          bool
	bestMin, bestRun int
}

// fetch returns the best n hits (fewer if fewer match), how many posts
// match, whether that is an estimate, and with facets their counts on the
// hits (unscaled); need is how many hits the caller cannot do with fewer
// of, when more match. The first named hits have their ID (and those tied
// with the last of them).
func (f *fetcher) fetch(ctx context.Context, n, need, named int, facets bool) (search.DocumentMatchCollection, int, bool, search.FacetResults, error) {
	if f.loose == nil {
		hits, total, fs, err := f.search(ctx, f.exact, f.collector(n, named, facets))
		return hits, total, false, fs, err
	}
	// The candidates are checked for the phrases on the snapshot they
	// were found in, by document number (collector.check).
	c := f.collector(max(need, f.cands), named, facets)
	c.check, c.limit, c.mapping = f.must, n, f.idx.Mapping()
	hits, looseTotal, fs, err := f.search(ctx, f.loose, c)
	if err != nil || c.checked == 0 {
		return nil, 0, false, nil, err
	}
	if looseTotal <= c.checked {
		return hits, c.passed, false, fs, nil // every post with the words was checked
	}
	if c.passed < min(need, n) {
		hits, total, fs, err := f.search(ctx, f.exact, f.collector(n, named, facets))
		return hits, total, false, fs, err
	}
	total := max(c.passed, int(math.Round(float64(c.passed)*float64(looseTotal)/float64(c.checked))))
	return hits, total, true, fs, nil
}

func (f *fetcher) order() search.SortOrder { return search.ParseSortOrderStrings(f.sort) }

// collector keeps the best n hits of a search (see collector).
func (f *fetcher) collector(n, named int, facets bool) *collector {
	c := newCollector(f.order(), n, named, facets)
	c.postings = !f.docValues
	return c
}

// search runs q, keeping its hits with c: the best ones, the first
// named of them with their ID, and the facets when c counts them.
func (f *fetcher) search(ctx context.Context, q query.Query, c *collector) (search.DocumentMatchCollection, int, search.FacetResults, error) {
	byScore := len(f.sort) == 1 && f.sort[0] == "-_score"
	if n, ok := q.(*narrowed); ok {
		// Only the matches that may be among the best c.keep are walked
		// (best.go); the count is then that of all the matches.
		keep := 0
		if byScore && !f.walkAll {
			keep = c.keep
		}
		n.walkBest(keep, f.parts, f.bestMin, f.bestRun)
		hits, total, fs, err := f.walk(ctx, q, c, byScore)
		if all, ok := n.total(); ok {
			total = all
		}
		return hits, total, fs, err
	}
	return f.walk(ctx, q, c, byScore)
}

// walk runs q, keeping its hits with c (see search).
func (f *fetcher) walk(ctx context.Context, q query.Query, c *collector, byScore bool) (search.DocumentMatchCollection, int, search.FacetResults, error) {
	if f.parts > 1 && byScore {
		c.ctx = ctx
		total, ok, err := searchParallel(ctx, f.idx, q, c, f.parts, f.minDocs, f.facetRun)
		if err != nil {
			return nil, 0, nil, err
		}
		if ok {
			return c.result(), total, c.fr, nil
		}
	}
	req := bleve.NewSearchRequestOptions(q, c.keep, 0, false)
	req.SortBy(f.sort)
	r, err := f.idx.SearchInContext(c.context(ctx), req)
	if err == nil {
		err = c.err
	}
	if err != nil {
		return nil, 0, nil, fmt.Errorf("search: %w", err)
	}
	return c.result(), int(r.Total), c.fr, nil
}

// namedGrowth: a first page's search names (looks up the IDs of) this
// many times the hits grouping looks at first, so that grouping can look
// at more when the first hits fill too few topics without searching again.
const namedGrowth = 3

// facetSample is how many of the best hits the facets are counted on.
// Counting every match visits every matching post's category, tags and
// kind: most of a query's time when a word is in tens of thousands of
// posts. Past it, the counts are estimates (Facets.Approx).
const facetSample = 1000

// scaleFacets scales counts made on the best n hits to all total.
func scaleFacets(fs search.FacetResults, n, total int) {
	if n >= total {
		return
	}
	for _, f := range fs {
		for _, t := range f.Terms.Terms() {
			t.Count = max(1, int(math.Round(float64(t.Count)*float64(total)/float64(n))))
		}
	}
}

// loadFields reads what grouping needs (topic, activity) for the hits
// that do not have it yet.
func loadFields(ctx context.Context, idx bleve.Index, hits search.DocumentMatchCollection) error {
	var ids []string
	for _, h := range hits {
		if h.Fields == nil {
			ids = append(ids, h.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDocIDQuery(ids), len(ids), 0, false)
	req.Fields = []string{fTopic, fActivity}
	r, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	byID := make(map[string]map[string]any, len(r.Hits))
	for _, h := range r.Hits {
		byID[h.ID] = h.Fields
	}
	for _, h := range hits {
		if h.Fields == nil {
			h.Fields = byID[h.ID]
			if h.Fields == nil {
				h.Fields = map[string]any{}
			}
		}
	}
	return nil
}

// sortOrder is the order of the hits. Relevance sorts by score alone, which
// needs no per-document values; ties are broken by activity afterwards,
// among the hits kept (byActivity).
func sortOrder(q *Query) []string {
	switch {
	case q.Sort == SortNewest || (!q.HasText() && q.Sort != SortReactions):
		return []string{"-" + fCreated}
	case q.Sort == SortReactions:
		return []string{"-" + fReactions, "-_score"}
	}
	return []string{"-_score"}
}

// byActivity puts hits of equal score in order of their topic's last
// activity, most recent first: the tie-break of relevance.
func byActivity(hits search.DocumentMatchCollection) {
	activity := func(h *search.DocumentMatch) string { v, _ := h.Fields[fActivity].(string); return v }
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		if a, b := activity(hits[i]), activity(hits[j]); a != b {
			return a > b
		}
		return newerID(hits[i].ID, hits[j].ID)
	})
}

// byScore orders hits by score, newest post first among equal scores.
// Bleve leaves equal scores in the order of its segments, which merging
// changes between two searches: the pages of one query would then show a
// topic twice and miss another.
func byScore(hits search.DocumentMatchCollection) {
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return newerID(hits[i].ID, hits[j].ID)
	})
}

// newerID says whether post ID a (decimal) is greater than b.
func newerID(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}

// group keeps each topic's first (best) hit, in order; in one topic every
// post is its own group.
func group(hits search.DocumentMatchCollection, perPost bool) ([]*Group, []string) {
	var gs []*Group
	var best []string
	byTopic := map[string]*Group{}
	for _, h := range hits {
		t, _ := h.Fields[fTopic].(string)
		if g := byTopic[t]; g != nil && !perPost {
			g.Others++
			continue
		}
		id, _ := strconv.ParseInt(t, 10, 64)
		g := &Group{TopicID: id}
		byTopic[t] = g
		gs = append(gs, g)
		best = append(best, h.ID)
	}
	return gs, best
}

// fill loads what the page shows of each group's best post, with the
// places the query matched for the fragments.
func (s *Service) fill(ctx context.Context, idx bleve.Index, must query.Query, groups []*Group, ids []string) ([]*Group, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q := bleve.NewConjunctionQuery(bleve.NewDocIDQuery(ids), must)
	req := bleve.NewSearchRequestOptions(q, len(ids), 0, false)
	req.Fields = []string{fTitleRaw, fBodyRaw, fSlug, fByName, fCategory, fNumber, fCreated, fAccepted}
	req.IncludeLocations = true
	r, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: fragments: %w", err)
	}
	byID := map[string]*search.DocumentMatch{}
	for _, h := range r.Hits {
		byID[h.ID] = h
	}
	for i, g := range groups {
		h := byID[ids[i]]
		if h == nil {
			continue
		}
		str := func(f string) string { v, _ := h.Fields[f].(string); return v }
		title, body := str(fTitleRaw), str(fBodyRaw)
		var titles, bodies []string
		for _, l := range langs {
			titles, bodies = append(titles, titleField(l)), append(bodies, bodyField(l))
		}
		g.Title = marked(title, spans(h.Locations, titles...), 0, len(title))
		n, _ := h.Fields[fNumber].(float64)
		created, _ := time.Parse(time.RFC3339, str(fCreated))
		catID, _ := strconv.ParseInt(str(fCategory), 10, 64)
		g.Category, _ = s.cats.Get(ctx, catID)
		g.URL = fmt.Sprintf("/t/%s/%d", str(fSlug), g.TopicID)
		postID, _ := strconv.ParseInt(h.ID, 10, 64)
		hit := &Hit{PostID: postID, Number: int(n), Author: str(fByName), Created: created,
			Fragment: fragment(body, spans(h.Locations, bodies...), 240)}
		hit.Accepted, _ = h.Fields[fAccepted].(bool)
		hit.URL = fmt.Sprintf("/t/%s/%d/%d#post-%d", str(fSlug), g.TopicID, hit.Number, hit.Number)
		if hit.Number <= 1 {
			hit.URL = g.URL
		}
		g.Best = hit
	}
	kept := groups[:0]
	for _, g := range groups {
		if g.Best != nil {
			kept = append(kept, g)
		}
	}
	return kept, nil
}

// scope is what every query of a reader is limited to: the categories
// they may read (and the one asked for, if they may read it), and the
// dates of the query. A part is nil when it leaves nothing out.
type scope struct {
	cats, dates query.Query
	// readable is the categories the reader may read, whatever the
	// query asks (nil when they may read them all): where a word is
	// looked for before it is taken for a typo (Service.typos).
	readable query.Query
}

// filter is the whole scope as one query, nil when nothing needs
// filtering out.
func (sc scope) filter() query.Query {
	var parts []query.Query
	for _, p := range []query.Query{sc.cats, sc.dates} {
		if p != nil {
			parts = append(parts, p)
		}
	}
	return all(parts)
}

// filter is what every query of v is limited to: the categories v may
// read (and the one asked for, if v may read it) and the dates of the
// query. ok is false when nothing can match.
func (s *Service) filter(ctx context.Context, v *auth.Viewer, q *Query) (scope, bool, error) {
	var sc scope
	readable, err := s.cats.ReadableIDs(ctx, v)
	if err != nil {
		return sc, false, err
	}
	everything, err := s.cats.ReadableIDs(ctx, &auth.Viewer{Role: auth.RoleAdmin})
	if err != nil {
		return sc, false, err
	}
	if len(readable) < len(everything) {
		sc.readable = anyCategory(readable)
	}
	if q.Category != "" {
		c, err := s.cats.Readable(ctx, v, q.Category)
		if err != nil {
			return sc, false, nil // unknown or unreadable: the same empty answer
		}
		readable = []int64{c.ID}
		for _, k := range c.Children {
			if auth.CanRead(v, k.Grants) {
				readable = append(readable, k.ID)
			}
		}
	}
	if len(readable) == 0 {
		return sc, false, nil
	}
	// A reader who may read every category needs no category filter: the
	// index holds nothing else. Anyone else's search is limited to the
	// categories they may read, named: searched without scores, the
	// categories' lists are merged into one per segment of the index
	// before the walk (see unscored), which then costs one step a match.
	if q.Category != "" || len(readable) < len(everything) {
		sc.cats = anyCategory(readable)
	}
	if !q.Before.IsZero() || !q.After.IsZero() {
		r := bleve.NewDateRangeQuery(q.After, q.Before)
		r.SetField(fCreated)
		sc.dates = r
	}
	return sc, true, nil
}

// anyCategory requires a post in one of the categories ids, unscored.
func anyCategory(ids []int64) query.Query {
	cats := make([]query.Query, 0, len(ids))
	for _, id := range ids {
		cats = append(cats, term(fCategory, idString(id)))
	}
	return unscored{bleve.NewDisjunctionQuery(cats...)}
}

// typos lists the words of q to forgive typos in, once q found nothing:
// the long words that no post the reader may read holds (in any field,
// whatever the query's filters), as the exact pass asks for them. A word
// that exists is not corrected: "settings category:x" finds nothing in
// x because x lacks the word, and words near it elsewhere in x are not
// what was asked for (looking them up cost a fuzzy walk of the whole
// index: 200–250 ms at 1,000,000 posts). Only what the reader may read
// is looked in: a word found only where they may not read is a typo to
// them, as if it were nowhere, so whether typos are forgiven says
// nothing of the posts they cannot see.
func (s *Service) typos(ctx context.Context, idx bleve.Index, q *Query, sc scope) (map[string]bool, error) {
	var out map[string]bool
	for i, w := range q.Words {
		if utf8.RuneCountInString(w) < minFuzzy || isCJK(w) || out[w] {
			continue
		}
		ors, common := wordQueries(idx, w, false, false, i == len(q.Words)-1 && q.Prefix)
		if len(ors) == 0 || common {
			continue // not asked for by the exact pass either
		}
		known, err := matchesAny(ctx, idx, bleve.NewDisjunctionQuery(ors...), sc.readable)
		if err != nil {
			return nil, err
		}
		if !known {
			if out == nil {
				out = map[string]bool{}
			}
			out[w] = true
		}
	}
	return out, nil
}

// matchesAny says whether any post matches q (and within, when set):
// the first match ends the walk, which is unscored.
func matchesAny(ctx context.Context, idx bleve.Index, q, within query.Query) (bool, error) {
	if within != nil {
		q = bleve.NewConjunctionQuery(q, within)
	}
	adv, err := idx.Advanced()
	if err != nil {
		return false, fmt.Errorf("search: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return false, fmt.Errorf("search: %w", err)
	}
	defer r.Close()
	srch, err := q.Searcher(ctx, r, idx.Mapping(), search.SearcherOptions{Score: "none"})
	if err != nil {
		return false, fmt.Errorf("search: %w", err)
	}
	defer srch.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(srch.DocumentMatchPoolSize()+1, 0), IndexReader: r}
	d, err := srch.Next(sctx)
	if err != nil {
		return false, fmt.Errorf("search: %w", err)
	}
	return d != nil, nil
}

// narrowing is what the query's own filters (@author, #tag, is:, kind:,
// status:, in:title, the topic searched in) require, as queries that
// weigh nothing in the score. They are required with the words, not
// filtered after: Bleve scores every match of a must clause before its
// filter clause looks at it, where a conjunction steps through the
// shortest list (an author's few hundred posts) and scores only what is
// in all of them. Weighing nothing, they change no score and no order.
// With words, they are one unscored conjunction (see unscored): one
// bitmap per segment, however many filters. (The readable categories
// are required the same way, by Search; dates stay in the filter
// clause: a range of many terms.) Without words to score (weightless
// false), they weigh as usual: a query of weightless parts alone would
// divide by a weight of zero.
func narrowing(q *Query, weightless bool) []query.Query {
	var parts []query.Query
	kw := func(field, value string) { parts = append(parts, term(field, value)) }
	flag := func(field string, v bool) {
		b := bleve.NewBoolFieldQuery(v)
		b.SetField(field)
		parts = append(parts, b)
	}
	if q.TopicID != 0 {
		kw(fTopic, idString(q.TopicID))
	}
	if q.Author != "" {
		kw(fAuthor, q.Author)
	}
	for _, t := range q.Tags {
		kw(fTags, t)
	}
	if q.Question || q.Unsolved {
		kw(fKind, "question")
	}
	if q.Kind != "" {
		kw(fKind, q.Kind)
	}
	if q.Solved || q.Unsolved {
		flag(fSolved, q.Solved)
	}
	if q.Status != "" {
		kw(fStatus, q.Status)
	}
	if q.InTitle {
		flag(fFirst, true)
	}
	if weightless && len(parts) > 0 {
		return []query.Query{unscored{all(parts)}}
	}
	return parts
}

func term(field, value string) *query.TermQuery {
	t := bleve.NewTermQuery(value)
	t.SetField(field)
	return t
}

// analyzes says whether the analyser of field keeps anything of text (a
// stop word, alone, leaves nothing: asking for it would match nothing).
func analyzes(idx bleve.Index, field, text string) bool {
	a := idx.Mapping().AnalyzerNamed(idx.Mapping().AnalyzerNameForPath(field))
	if a == nil {
		return false
	}
	return len(analysis.TokenStream(a.Analyze([]byte(text)))) > 0
}

// maxPrefixTerms bounds what the last word completes to: the most
// common words that start with it, among the first prefixScan of them in
// the dictionary. A short prefix ("co") would otherwise ask for thousands
// of words at once.
const (
	maxPrefixTerms = 12
	prefixScan     = 2000
)

// prefixTerms lists the words of field that start with prefix, the most
// common first, leaving out those the word itself is already asked as
// (have): completing "router" to "router" again would only cost.
func prefixTerms(idx bleve.Index, field, prefix string, have map[string]bool) []string {
	d, err := idx.FieldDictPrefix(field, []byte(prefix))
	if err != nil {
		return nil
	}
	defer d.Close()
	type entry struct {
		term  string
		count uint64
	}
	var found []entry
	for range prefixScan {
		e, err := d.Next()
		if err != nil || e == nil {
			break
		}
		if !have[e.Term] {
			found = append(found, entry{e.Term, e.Count})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].count > found[j].count })
	out := make([]string, 0, min(len(found), maxPrefixTerms))
	for _, e := range found[:min(len(found), maxPrefixTerms)] {
		out = append(out, e.term)
	}
	return out
}

// analyzed is what field's analyser makes of text: the terms a match
// query on it asks for.
func analyzed(idx bleve.Index, field, text string) map[string]bool {
	out := map[string]bool{}
	a := idx.Mapping().AnalyzerNamed(idx.Mapping().AnalyzerNameForPath(field))
	if a == nil {
		return out
	}
	for _, t := range a.Analyze([]byte(text)) {
		out[string(t.Term)] = true
	}
	return out
}

// textQuery asks for every word and phrase of q: each word in any
// language's title or body (titles weigh more), with typos forgiven in
// the words typos holds and the last word completed as a prefix while
// typing. A word that some language drops as too common is not required.
// With phraseWords, a phrase asks only for all its words in one field,
// in any order and place: the candidates of fetcher.
func (s *Service) textQuery(idx bleve.Index, q *Query, titleOnly bool, typos map[string]bool, phraseWords bool) query.Query {
	var parts []query.Query
	for i, w := range q.Words {
		last := i == len(q.Words)-1 && q.Prefix
		ors, common := wordQueries(idx, w, titleOnly, typos[w], last)
		if len(ors) == 0 || common {
			continue
		}
		parts = append(parts, bleve.NewDisjunctionQuery(ors...))
	}
	for _, ph := range q.Phrases {
		var ors []query.Query
		for _, l := range langs {
			fields := []string{titleField(l), bodyField(l)}
			if titleOnly {
				fields = fields[:1]
			}
			for _, f := range fields {
				if !analyzes(idx, f, ph) {
					continue
				}
				if phraseWords {
					// The same terms, with the same weights, as the phrase:
					// a post has the same score either way when the phrase
					// is where its words are.
					m := bleve.NewMatchQuery(ph)
					m.SetField(f)
					m.SetOperator(query.MatchQueryOperatorAnd)
					ors = append(ors, m)
					continue
				}
				m := bleve.NewMatchPhraseQuery(ph)
				m.SetField(f)
				ors = append(ors, m)
			}
		}
		if len(ors) > 0 {
			parts = append(parts, bleve.NewDisjunctionQuery(ors...))
		}
	}
	return all(parts)
}

// wordQueries is what word w asks for: the word in each language's
// title and body (titles only with titleOnly), with its typos forgiven
// (typo) on a long word, and completed as a prefix when it is the last
// word still being typed (last). common: some language drops the word as
// too common, so it is not required at all.
func wordQueries(idx bleve.Index, w string, titleOnly, typo, last bool) (ors []query.Query, common bool) {
	for _, l := range langs {
		fields := []string{titleField(l), bodyField(l)}
		if titleOnly {
			fields = fields[:1]
		}
		for _, f := range fields {
			if !analyzes(idx, f, w) {
				if l != LangCJK {
					common = true
				}
				continue
			}
			boost := 1.0
			if strings.HasPrefix(f, "title_") {
				boost = 2
			}
			ors = append(ors, wordQuery(idx, f, w, boost))
			if l == LangCJK || isCJK(w) {
				continue
			}
			if typo && utf8.RuneCountInString(w) >= minFuzzy {
				fz := bleve.NewMatchQuery(w)
				fz.SetField(f)
				fz.SetFuzziness(1)
				fz.SetPrefix(1)
				fz.SetOperator(query.MatchQueryOperatorAnd)
				fz.SetBoost(boost * 0.3)
				ors = append(ors, fz)
			}
			if last && utf8.RuneCountInString(w) >= 2 {
				for _, t := range prefixTerms(idx, f, fold(strings.ToLower(w)), analyzed(idx, f, w)) {
					p := term(f, t)
					p.SetBoost(boost * 0.5)
					ors = append(ors, p)
				}
			}
		}
	}
	return ors, common
}

// all is a conjunction of parts, or the one part alone: Bleve walks a
// conjunction of one as a layer of its own around it, on every match,
// for the same score (a conjunction's score is the sum of its parts').
func all(parts []query.Query) query.Query {
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return parts[0]
	}
	return bleve.NewConjunctionQuery(parts...)
}

// wordQuery asks field for all the terms its analyser makes of word: one
// term query when it makes one (the usual case), which Bleve scores the
// same as a match query of it, without the conjunction of one term a
// match query adds around it.
func wordQuery(idx bleve.Index, field, word string, boost float64) query.Query {
	if a := idx.Mapping().AnalyzerNamed(idx.Mapping().AnalyzerNameForPath(field)); a != nil {
		if tokens := a.Analyze([]byte(word)); len(tokens) == 1 {
			q := term(field, string(tokens[0].Term))
			q.SetBoost(boost)
			return q
		}
	}
	m := bleve.NewMatchQuery(word)
	m.SetField(field)
	m.SetOperator(query.MatchQueryOperatorAnd)
	m.SetBoost(boost)
	return m
}

// anyField matches text (a word or phrase) anywhere, for exclusions.
func (s *Service) anyField(idx bleve.Index, text string) query.Query {
	var ors []query.Query
	for _, l := range langs {
		for _, f := range []string{titleField(l), bodyField(l)} {
			if !analyzes(idx, f, text) {
				continue
			}
			m := bleve.NewMatchPhraseQuery(text)
			m.SetField(f)
			ors = append(ors, m)
		}
	}
	if len(ors) == 0 {
		return nil
	}
	return bleve.NewDisjunctionQuery(ors...)
}

// facets turns the counts into links that narrow the query, labelled
// with what the reader may see (only readable categories were searched).
func (s *Service) facets(ctx context.Context, q *Query, fr search.FacetResults) Facets {
	var out Facets
	with := func(op string) string { return strings.TrimSpace(q.Raw + " " + op) }
	if f := fr[fCategory]; f != nil {
		for _, t := range f.Terms.Terms() {
			id, _ := strconv.ParseInt(t.Term, 10, 64)
			c, err := s.cats.Get(ctx, id)
			if err != nil {
				continue
			}
			out.Categories = append(out.Categories, Facet{Value: c.Slug, Label: c.Name, Count: t.Count,
				Query: with("category:" + c.Slug), Active: q.Category == c.Slug})
		}
	}
	if f := fr[fTags]; f != nil {
		for _, t := range f.Terms.Terms() {
			active := false
			for _, have := range q.Tags {
				active = active || have == t.Term
			}
			out.Tags = append(out.Tags, Facet{Value: t.Term, Label: "#" + t.Term, Count: t.Count, Query: with("#" + t.Term), Active: active})
		}
	}
	if f := fr[fKind]; f != nil {
		for _, t := range f.Terms.Terms() {
			label := "search.kind_" + t.Term // not a message itself: search.kind_discussion and the others are
			out.Kinds = append(out.Kinds, Facet{Value: t.Term, Label: label, Count: t.Count,
				Query: with("kind:" + t.Term), Active: q.Kind == t.Term})
		}
	}
	return out
}

// Link is the address of the search page for a query.
func Link(q string, extra ...string) string {
	v := url.Values{"q": {q}}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] != "" {
			v.Set(extra[i], extra[i+1])
		}
	}
	return "/search?" + v.Encode()
}
