package review

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

func (h *handlers) bulkCreate(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	var ids []int64
	for _, s := range form["ids"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	d := Decision{Outcome: form.Get("bulk_outcome"), Reason: form.Get("bulk_reason")}
	res, err := h.svc.Bulk(c.Request().Context(), web.Viewer(c), ids, d)
	if err != nil {
		return err
	}
	flash := "flash.review_bulk_done"
	if len(res.Failed) > 0 {
		flash = "flash.review_bulk_partly"
	}
	return web.Redirect(c, web.SafeNext(form.Get("next"), "/review"), flash)
}
