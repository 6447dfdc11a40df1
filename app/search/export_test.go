package search

import (
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// SetCatchingUp lets tests show the pages of a rebuild in progress.
func SetCatchingUp(s *Service, on bool) { s.catchingUp.Store(on) }

// SetPhraseCandidates sets how many posts with a phrase's words are
// checked for it, so that a small forum has more than that.
func SetPhraseCandidates(s *Service, n int) { s.phraseCandidates = n }

// SetWalkParts makes searches walk the index in parts slices at once
// from minDocs documents (parallel.go), and read the facets' values in
// runs of at least facetRun hits; 1 walks it whole.
func SetWalkParts(s *Service, parts, minDocs, facetRun int) {
	s.walkParts, s.parallelMin, s.facetRun = parts, minDocs, facetRun
}

// NoCache computes every search (the answer cache would answer a repeat).
func NoCache(s *Service) { s.cache = nil }

// SetFacetDocValues makes searches read the facets' values from the doc
// values (on) or from their terms' postings (off, the default).
func SetFacetDocValues(s *Service, on bool) { s.facetDocValues = on }

// SetNarrowing makes searches read the text's terms only where the
// query's required lists meet (on, the default) or at every document.
func SetNarrowing(s *Service, on bool) { s.noNarrowing = !on }

// SetWalkBest makes searches by score walk only the matches that may be
// among the best they keep (on, the default: best.go) or all of them;
// the scores are worked out first when more than least times the hits
// kept match (0: whenever more match), in runs of run matches or more
// at once.
func SetWalkBest(s *Service, on bool, least, run int) {
	s.walkAll, s.bestMin, s.bestRun = !on, least, run
}

// SetFacetSample sets how many of the best hits the facets are counted
// on, so that a small forum has more matches than that.
func SetFacetSample(s *Service, n int) { s.facetSample = n }

// Layout describes the segments of the index's current snapshot (their
// documents, live and in all): two searches see documents numbered alike
// when it is the same before and after them.
func Layout(s *Service) string {
	idx, err := s.index()
	if err != nil {
		return err.Error()
	}
	adv, err := idx.Advanced()
	if err != nil {
		return err.Error()
	}
	r, err := adv.Reader()
	if err != nil {
		return err.Error()
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return "not scorch"
	}
	var b strings.Builder
	for _, seg := range snap.Segments() {
		fmt.Fprintf(&b, "%d/%d ", seg.LiveSize(), seg.FullSize())
	}
	return b.String()
}
