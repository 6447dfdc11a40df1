package notify

import (
	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

func (h *handlers) readAll(c echo.Context) error {
	if err := h.svc.MarkAllRead(c.Request().Context(), web.Viewer(c)); err != nil {
		return err
	}
	return web.Redirect(c, "/notifications", "flash.notifications_read")
}
