package profile

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

func (h *handlers) show(c echo.Context) error {
	p, err := h.svc.Profile(c.Request().Context(), web.Viewer(c), c.Param("username"))
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "profile/show", p)
}
