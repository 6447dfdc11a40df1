package search

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

// TermsPage is the staff's view of what people search for.
type TermsPage struct {
	Days       int
	Top, Empty []TermCount
}

func (h *handlers) terms(c echo.Context) error {
	if !mayReadTerms(web.Viewer(c)) {
		return forbidden()
	}
	days := 30
	if c.QueryParam("days") == "7" {
		days = 7
	}
	top, empty, err := h.svc.TopTerms(c.Request().Context(), days, 50)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "search/terms", &TermsPage{Days: days, Top: top, Empty: empty})
}
