package search

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

// help explains the query syntax (the same page in every language).
func (h *handlers) help(c echo.Context) error {
	return web.Render(c, http.StatusOK, "search/help", nil)
}
