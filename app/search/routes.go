package search

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/auth"
	"causerie/app/errs"
	"causerie/app/web"
)

type handlers struct{ svc *Service }

// Routes registers the search page, the staff's search terms and the API.
// Each line says who may use it; every query is limited to the categories
// the reader may read.
func Routes(s *web.Server, svc *Service) {
	h := &handlers{svc: svc}
	s.PartialInGo("search-topic", writeTopicSearch) // on every topic page
	s.PartialInGo("search-nav", writeNav)
	s.GET("/search", h.show)                      // anyone: what they may read
	s.GET("/search/help", h.help)                 // anyone
	s.GET("/search/terms", h.terms)               // staff with reports.read or posts.see_hidden
	s.GET("/api/v1/search", h.apiSearch)          // anyone: what they may read
	s.GET("/api/v1/search/suggest", h.apiSuggest) // anyone: titles they may read
}

// unavailable turns a missing index into 503 Service Unavailable.
func unavailable(err error) error {
	if errors.Is(err, ErrUnavailable) {
		return echo.NewHTTPError(http.StatusServiceUnavailable)
	}
	return err
}

// mayReadTerms: the searches people make are for staff who read reports
// or moderate.
func mayReadTerms(v *auth.Viewer) bool {
	return v.CanSomewhere(auth.PermReports) || v.CanSomewhere(auth.PermSeeHidden)
}

func forbidden() error { return errs.New(errs.Forbidden, "error.http_403", nil) }
