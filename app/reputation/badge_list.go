package reputation

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

func (h *handlers) badges(c echo.Context) error {
	counts, err := h.svc.BadgeCounts(c.Request().Context())
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "reputation/badges", counts)
}
