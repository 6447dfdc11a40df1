package review

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

func (h *handlers) query(c echo.Context) (Query, error) {
	var q Query
	err := (&echo.DefaultBinder{}).BindQueryParams(c, &q)
	return q, err
}

func (h *handlers) queueShow(c echo.Context) error {
	q, err := h.query(c)
	if err != nil {
		return err
	}
	pg, err := h.svc.List(c.Request().Context(), web.Viewer(c), q)
	if err != nil {
		return err
	}
	if pg.Categories, err = h.svc.cats.Store().All(c.Request().Context()); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "review/queue", web.Form{Values: Decision{}, Extra: pg})
}

func (h *handlers) itemShow(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	e, err := h.svc.Get(c.Request().Context(), web.Viewer(c), id)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "review/item", web.Form{Values: Decision{}, Extra: e})
}
