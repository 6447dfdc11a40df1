package category

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"causerie/app/auth"
	"causerie/app/errs"
	"causerie/app/web"
)

// editing loads the category :id with its allowed tags, for administrators.
func (h *handlers) editing(c echo.Context) (*Category, *newPage, error) {
	p, err := h.newPage(c)
	if err != nil {
		return nil, nil, err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, nil, ErrNotFound
	}
	cat, err := h.svc.Edited(c.Request().Context(), id)
	if err != nil {
		return nil, nil, err
	}
	p.Self, p.Slug = cat.ID, cat.Slug
	return cat, p, nil
}

func (h *handlers) editShow(c echo.Context) error {
	cat, p, err := h.editing(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "category/edit", web.Form{Values: InputOf(cat), Extra: p})
}

func (h *handlers) update(c echo.Context) error {
	cat, p, err := h.editing(c)
	if err != nil {
		return err
	}
	var in Input
	if err := c.Bind(&in); err != nil {
		return err
	}
	for _, roles := range []*[]string{&in.Read, &in.Start, &in.Reply} {
		if *roles == nil {
			*roles = []string{}
		}
	}
	updated, err := h.svc.Update(c.Request().Context(), web.Viewer(c), cat.ID, in)
	if err != nil {
		return web.RenderForm(c, "category/edit", in, p, formFields(err))
	}
	return web.Redirect(c, updated.URL(), "flash.category_saved")
}

// apiUpdate changes the fields the request names and keeps the others.
func (h *handlers) apiUpdate(c echo.Context) error {
	if !auth.CanManageCategories(web.Viewer(c)) {
		return web.ErrForbidden
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return ErrNotFound
	}
	cat, err := h.svc.Edited(c.Request().Context(), id)
	if err != nil {
		return err
	}
	in := InputOf(cat)
	in.Tags, in.TagList = cat.AllowedTags, ""
	if err := c.Bind(&in); err != nil {
		return err
	}
	updated, err := h.svc.Update(c.Request().Context(), web.Viewer(c), cat.ID, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ToAPI(updated))
}

func (h *handlers) apiShow(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return ErrNotFound
	}
	if _, err := h.svc.ReadableByID(c.Request().Context(), web.Viewer(c), id); err != nil {
		return err
	}
	cat, err := h.svc.Edited(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ToAPI(cat))
}

// formFields names the form's fields in a validation error where they
// differ from the API's.
func formFields(err error) error {
	var f errs.Fields
	if !errors.As(err, &f) {
		return err
	}
	out := errs.Fields{}
	for k, v := range f {
		switch k {
		case "description":
			k = "about"
		case "tags":
			k = "allowed_tags"
		}
		out[k] = v
	}
	return out
}
