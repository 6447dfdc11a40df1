package upload

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

// avatarUpdate takes the picture of the form on /account. A refused file
// comes back on a page of its own, with the reason next to the field.
func (h *handlers) avatarUpdate(c echo.Context) error {
	in, done, err := filePart(c)
	if err == nil {
		defer done()
		_, err = h.svc.SetAvatar(c.Request().Context(), web.Viewer(c), in)
	}
	err = tooLarge(err, h.svc.cfg.MaxImageMB)
	if m, ok := fieldError(err); ok {
		return web.Render(c, http.StatusUnprocessableEntity, "upload/avatar", &Page{Error: m.ID, ErrorData: m.Data, Limits: h.svc.cfg})
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, "/account", "flash.avatar_saved")
}

// avatarDelete brings back the generated avatar.
func (h *handlers) avatarDelete(c echo.Context) error {
	if err := h.svc.RemoveAvatar(c.Request().Context(), web.Viewer(c)); err != nil {
		return err
	}
	return web.Redirect(c, "/account", "flash.avatar_removed")
}
