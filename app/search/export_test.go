package search

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
