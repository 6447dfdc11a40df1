package notify

import (
	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

// The watch forms of the topic and category pages.

type watchForm struct {
	Level string `form:"level"`
}

func (h *handlers) watchTopic(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in watchForm
	if err := c.Bind(&in); err != nil {
		return err
	}
	t, err := h.svc.WatchTopic(c.Request().Context(), web.Viewer(c), id, in.Level)
	if err != nil {
		return err
	}
	return web.Redirect(c, t.URL(), "flash.watch_saved")
}

func (h *handlers) watchCategory(c echo.Context) error {
	var in watchForm
	if err := c.Bind(&in); err != nil {
		return err
	}
	cat, err := h.svc.WatchCategory(c.Request().Context(), web.Viewer(c), c.Param("slug"), in.Level)
	if err != nil {
		return err
	}
	return web.Redirect(c, cat.URL(), "flash.watch_saved")
}
