package reputation

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

func (h *handlers) badge(c echo.Context) error {
	page, err := h.svc.Holders(c.Request().Context(), c.Param("name"), c.QueryParam("cursor"))
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "reputation/badge", page)
}
