package review

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

func (h *handlers) flagPostShow(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ff, err := h.svc.PostToFlag(c.Request().Context(), web.Viewer(c), id)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "review/flag", web.Form{Values: FlagInput{}, Extra: ff})
}

func (h *handlers) flagPostCreate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in FlagInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	ctx, v := c.Request().Context(), web.Viewer(c)
	ff, err := h.svc.PostToFlag(ctx, v, id)
	if err != nil {
		return err
	}
	if _, err := h.svc.FlagPost(ctx, v, id, in); err != nil {
		return web.RenderForm(c, "review/flag", in, ff, err)
	}
	return web.Redirect(c, fmt.Sprintf("%s#post-%d", ff.Topic.PostURL(ff.Post.Number), ff.Post.Number), "flash.review_flagged")
}

func (h *handlers) flagUserShow(c echo.Context) error {
	ff, err := h.svc.UserToFlag(c.Request().Context(), c.Param("username"))
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "review/flag", web.Form{Values: FlagInput{}, Extra: ff})
}

func (h *handlers) flagUserCreate(c echo.Context) error {
	var in FlagInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	ctx, v := c.Request().Context(), web.Viewer(c)
	if _, err := h.svc.FlagUser(ctx, v, c.Param("username"), in); err != nil {
		ff, ferr := h.svc.UserToFlag(ctx, c.Param("username"))
		if ferr != nil {
			return ferr
		}
		return web.RenderForm(c, "review/flag", in, ff, err)
	}
	return web.Redirect(c, "/u/"+c.Param("username"), "flash.review_flagged")
}
