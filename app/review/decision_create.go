package review

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

func (h *handlers) decisionCreate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var d Decision
	if err := c.Bind(&d); err != nil {
		return err
	}
	ctx, v := c.Request().Context(), web.Viewer(c)
	res, err := h.svc.Decide(ctx, v, id, d)
	if err != nil {
		e, gerr := h.svc.Get(ctx, v, id)
		if gerr != nil {
			return err
		}
		return web.RenderForm(c, "review/item", d, e, err)
	}
	flash := "flash.review_decided"
	if res.Proposal != nil {
		flash = "flash.review_proposed"
	}
	next := web.SafeNext(c.FormValue("next"), "/review")
	if next == fmt.Sprintf("/review/%d", id) && res.Proposal == nil {
		next = "/review"
	}
	return web.Redirect(c, next, flash)
}
