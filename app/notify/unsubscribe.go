package notify

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

// unsubscribe answers the link of every notification mail: opened in a
// browser (GET) or posted by a mail program's unsubscribe button (POST,
// RFC 8058). No login: the signed link is enough.
func (h *handlers) unsubscribe(c echo.Context) error {
	id, _ := strconv.ParseInt(c.QueryParam("u"), 10, 64)
	if err := h.svc.Unsubscribe(c.Request().Context(), id, c.QueryParam("t")); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "notify/unsubscribed", nil)
}
