package reputation

import "causerie/app/web"

type handlers struct{ svc *Service }

// Routes registers the badge pages and the leaderboard. Reputation and
// badges are public: everyone may see them.
func Routes(s *web.Server, svc *Service) {
	h := &handlers{svc: svc}
	s.GET("/badges", h.badges)           // anyone
	s.GET("/badges/:name", h.badge)      // anyone
	s.GET("/leaderboard", h.leaderboard) // anyone; ?period=week|month|all
}
