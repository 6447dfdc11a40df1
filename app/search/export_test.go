package search

// SetCatchingUp lets tests show the pages of a rebuild in progress.
func SetCatchingUp(s *Service, on bool) { s.catchingUp.Store(on) }
