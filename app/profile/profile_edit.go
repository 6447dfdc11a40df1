package profile

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

func (h *handlers) editShow(c echo.Context) error {
	u, err := h.svc.users.Get(c.Request().Context(), web.Viewer(c).ID)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "profile/edit", web.Form{Values: Form(u), Extra: u})
}

func (h *handlers) editUpdate(c echo.Context) error {
	var in Input
	if err := c.Bind(&in); err != nil {
		return err
	}
	u, err := h.svc.Update(c.Request().Context(), web.Viewer(c), in)
	if err != nil {
		me, gerr := h.svc.users.Get(c.Request().Context(), web.Viewer(c).ID)
		if gerr != nil {
			return gerr
		}
		return web.RenderForm(c, "profile/edit", in, me, err)
	}
	return web.Redirect(c, u.URL(), "flash.profile_saved")
}
