package review

import (
	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

func (h *handlers) assignCreate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := h.svc.Assign(c.Request().Context(), web.Viewer(c), id, c.FormValue("assignee")); err != nil {
		return err
	}
	return web.Redirect(c, web.SafeNext(c.FormValue("next"), "/review"), "flash.review_assigned")
}
