package policy

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

func (h *handlers) apiList(c echo.Context) error {
	ws, err := h.svc.Words(c.Request().Context(), web.Viewer(c))
	if err != nil {
		return err
	}
	if ws == nil {
		ws = []Word{}
	}
	return c.JSON(http.StatusOK, map[string]any{"watched_words": ws})
}

func (h *handlers) apiShow(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	w, err := h.svc.Word(c.Request().Context(), web.Viewer(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

func (h *handlers) apiCreate(c echo.Context) error {
	var in WordInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	w, err := h.svc.CreateWord(c.Request().Context(), web.Viewer(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, w)
}

func (h *handlers) apiUpdate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in WordInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	w, err := h.svc.UpdateWord(c.Request().Context(), web.Viewer(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

func (h *handlers) apiDelete(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteWord(c.Request().Context(), web.Viewer(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *handlers) apiTry(c echo.Context) error {
	var in struct {
		Text string `json:"text"`
	}
	if err := c.Bind(&in); err != nil {
		return err
	}
	t, err := h.svc.Try(c.Request().Context(), web.Viewer(c), in.Text)
	if err != nil {
		return err
	}
	if t.Tags == nil {
		t.Tags = []string{}
	}
	if t.Words == nil {
		t.Words = []string{}
	}
	return c.JSON(http.StatusOK, t)
}
