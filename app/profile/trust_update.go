package profile

import (
	"github.com/labstack/echo/v4"

	"causerie/app/errs"
	"causerie/app/web"
)

type trustForm struct {
	Level  int  `form:"level"`
	Locked bool `form:"locked"`
}

func (h *handlers) trustUpdate(c echo.Context) error {
	var in trustForm
	if err := c.Bind(&in); err != nil {
		return errs.Fields{"level": "validation.trust_level"}
	}
	u, err := h.svc.User(c.Request().Context(), c.Param("username"))
	if err != nil {
		return err
	}
	if err := h.rep.SetTrust(c.Request().Context(), web.Viewer(c), u.ID, in.Level, in.Locked); err != nil {
		return err
	}
	return web.Redirect(c, u.URL(), "flash.trust_saved")
}
