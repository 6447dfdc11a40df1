package staff

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

// StandingPage is what a member sees of their own sanctions.
type StandingPage struct {
	Sanctions []*Sanction
	Unread    bool
}

func (h *handlers) standingShow(c echo.Context) error {
	v := web.Viewer(c)
	list, err := h.svc.MyStanding(c.Request().Context(), v)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "staff/standing", &StandingPage{Sanctions: list, Unread: v.WarningUnread})
}

func (h *handlers) standingRead(c echo.Context) error {
	if err := h.svc.ReadWarnings(c.Request().Context(), web.Viewer(c)); err != nil {
		return err
	}
	return web.Redirect(c, "/account/standing", "flash.staff_warnings_read")
}

// APISanction is a sanction in the API. Author and lifter are given to the
// team only.
type APISanction struct {
	ID         int64   `json:"id"`
	Kind       string  `json:"kind"`
	Reason     string  `json:"reason"`
	CreatedAt  string  `json:"created_at"`
	EndsAt     *string `json:"ends_at"`
	Permanent  bool    `json:"permanent"`
	InForce    bool    `json:"in_force"`
	Seen       bool    `json:"seen"`
	By         string  `json:"by,omitempty"`
	LiftedAt   *string `json:"lifted_at"`
	LiftedBy   string  `json:"lifted_by,omitempty"`
	LiftReason string  `json:"lift_reason,omitempty"`
}

const isoTime = "2006-01-02T15:04:05Z07:00"

func toAPISanction(s *Sanction, team bool) APISanction {
	a := APISanction{ID: s.ID, Kind: s.Kind, Reason: s.Reason, CreatedAt: s.CreatedAt.UTC().Format(isoTime),
		Permanent: s.Permanent(), InForce: s.Active(), Seen: s.SeenAt != nil, LiftReason: s.LiftReason}
	if s.EndsAt != nil {
		e := s.EndsAt.UTC().Format(isoTime)
		a.EndsAt = &e
	}
	if s.LiftedAt != nil {
		l := s.LiftedAt.UTC().Format(isoTime)
		a.LiftedAt = &l
	}
	if team {
		a.By, a.LiftedBy = s.Author, s.Lifter
	}
	return a
}

func (h *handlers) apiStanding(c echo.Context) error {
	list, err := h.svc.MyStanding(c.Request().Context(), web.Viewer(c))
	if err != nil {
		return err
	}
	out := make([]APISanction, 0, len(list))
	for _, s := range list {
		out = append(out, toAPISanction(s, false))
	}
	return c.JSON(http.StatusOK, map[string]any{"sanctions": out})
}
