package search

// SetCatchingUp lets tests show the pages of a rebuild in progress.
func SetCatchingUp(s *Service, on bool) { s.catchingUp.Store(on) }

// SetPhraseCandidates sets how many posts with a phrase's words are
// checked for it, so that a small forum has more than that.
func SetPhraseCandidates(s *Service, n int) { s.phraseCandidates = n }
