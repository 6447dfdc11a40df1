package notify

import (
	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

type frequencyForm struct {
	Frequency string `form:"email_frequency"`
}

// frequencyUpdate is the e-mail form of the account page.
func (h *handlers) frequencyUpdate(c echo.Context) error {
	var in frequencyForm
	if err := c.Bind(&in); err != nil {
		return err
	}
	if err := h.svc.SetFrequency(c.Request().Context(), web.Viewer(c), in.Frequency); err != nil {
		return err
	}
	return web.Redirect(c, "/account", "flash.email_frequency_saved")
}
