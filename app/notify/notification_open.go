package notify

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

// open marks a notification read and follows it.
func (h *handlers) open(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	it, err := h.svc.Open(c.Request().Context(), web.Viewer(c), id)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, it.URL())
}
