package staff

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

func (h *handlers) apiMemberRole(c echo.Context) error {
	var in Assignment
	if err := c.Bind(&in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := h.svc.SetRole(ctx, web.Viewer(c), c.Param("username"), in); err != nil {
		return err
	}
	u, err := h.users.Store().ByUsername(ctx, c.Param("username"))
	if err != nil {
		return err
	}
	scope, err := h.users.Scope(ctx, u.ID)
	if err != nil {
		return err
	}
	if scope == nil {
		scope = []int64{}
	}
	return c.JSON(http.StatusOK, map[string]any{"username": u.Username, "role": u.Role, "categories": scope})
}

func (h *handlers) apiSanctions(c echo.Context) error {
	list, err := h.svc.Sanctions(c.Request().Context(), web.Viewer(c), c.Param("username"))
	if err != nil {
		return err
	}
	out := make([]APISanction, 0, len(list))
	for _, s := range list {
		out = append(out, toAPISanction(s, true))
	}
	return c.JSON(http.StatusOK, map[string]any{"sanctions": out})
}

func (h *handlers) apiSanctionCreate(c echo.Context) error {
	var in SanctionInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	v := web.Viewer(c)
	s, err := h.svc.Sanction(c.Request().Context(), v, c.Param("username"), in)
	if err != nil {
		return err
	}
	s.Author = v.Username
	return c.JSON(http.StatusCreated, toAPISanction(s, true))
}

type liftInput struct {
	Reason string `json:"reason"`
}

func (h *handlers) apiSanctionLift(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return ErrNotFound
	}
	var in liftInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	s, err := h.svc.Lift(c.Request().Context(), web.Viewer(c), c.Param("username"), id, in.Reason)
	if err != nil {
		return err
	}
	s.Lifter = web.Viewer(c).Username
	return c.JSON(http.StatusOK, toAPISanction(s, true))
}

// APINote is a moderator note in the API.
type APINote struct {
	ID        int64  `json:"id"`
	Body      string `json:"body"`
	Author    string `json:"author"`
	CreatedAt string `json:"created_at"`
}

func toAPINote(n *Note) APINote {
	return APINote{ID: n.ID, Body: n.Body, Author: n.Author, CreatedAt: n.CreatedAt.UTC().Format(isoTime)}
}

func (h *handlers) apiNotes(c echo.Context) error {
	list, err := h.svc.Notes(c.Request().Context(), web.Viewer(c), c.Param("username"))
	if err != nil {
		return err
	}
	out := make([]APINote, 0, len(list))
	for _, n := range list {
		out = append(out, toAPINote(n))
	}
	return c.JSON(http.StatusOK, map[string]any{"notes": out})
}

type noteInput struct {
	Body string `json:"body"`
}

func (h *handlers) apiNoteCreate(c echo.Context) error {
	var in noteInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	n, err := h.svc.AddNote(c.Request().Context(), web.Viewer(c), c.Param("username"), in.Body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toAPINote(n))
}
