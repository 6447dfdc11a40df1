package review

import (
	"errors"
	"strconv"

	"github.com/labstack/echo/v4"

	"causerie/app/errs"
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
	ctx, v := c.Request().Context(), web.Viewer(c)
	res, err := h.svc.Bulk(ctx, v, ids, d)
	var f errs.Fields
	if errors.As(err, &f) { // nothing selected, no reason: the queue again, with the message
		q, qerr := h.query(c)
		if qerr != nil {
			return qerr
		}
		pg, lerr := h.svc.List(ctx, v, q)
		if lerr != nil {
			return lerr
		}
		if pg.Categories, lerr = h.svc.cats.Store().All(ctx); lerr != nil {
			return lerr
		}
		for _, id := range f {
			return web.RenderForm(c, "review/queue", d, pg, errs.New(errs.Invalid, id, nil))
		}
	}
	if err != nil {
		return err
	}
	flash := "flash.review_bulk_done"
	if len(res.Failed) > 0 {
		flash = "flash.review_bulk_partly"
	}
	return web.Redirect(c, web.SafeNext(form.Get("next"), "/review"), flash)
}
