package staff

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/user"
	"causerie/app/web"
)

// MemberPage is the team's page about a member: their role and scope,
// sanctions and notes, each part shown to those who may use it.
type MemberPage struct {
	User        *user.User
	Target      *auth.Viewer
	Scope       []int64
	SetRole     bool
	Sanction    bool
	SeeHistory  bool
	SeeNotes    bool
	Roles       []*user.RoleInfo
	Categories  []*category.Category
	Sanctions   []*Sanction
	Notes       []*Note
	Kinds       []string
	Durations   []string
	LiftFailure int64 // the sanction whose lift form has the error
}

// Builtin says whether role is built in (its name is translated).
func (p *MemberPage) Builtin(role auth.Role) bool { _, ok := auth.ParseRole(string(role)); return ok }

// InScope says whether the member's moderation covers category id.
func (p *MemberPage) InScope(id int64) bool {
	for _, c := range p.Scope {
		if c == id {
			return true
		}
	}
	return false
}

// MemberForm holds the fields of the page's forms, so that a form that
// comes back with an error keeps what was typed.
type MemberForm struct {
	Kind       string `form:"sanction_kind"`
	Duration   string `form:"sanction_duration"`
	Reason     string `form:"sanction_reason"`
	Note       string `form:"note_body"`
	LiftReason string `form:"lift_reason"`
}

func (h *handlers) memberPage(c echo.Context) (*MemberPage, error) {
	ctx, v := c.Request().Context(), web.Viewer(c)
	u, tv, err := h.svc.member(ctx, c.Param("username"))
	if err != nil {
		return nil, err
	}
	p := &MemberPage{User: u, Target: tv, SetRole: auth.CanSetRole(v, tv), Sanction: auth.CanSanction(v, tv),
		SeeHistory: auth.CanSeeSanctions(v), SeeNotes: auth.CanSeeNotes(v), Kinds: Kinds, Durations: Durations}
	if !p.SetRole && !p.SeeHistory && !p.SeeNotes {
		return nil, web.ErrForbidden
	}
	if p.SetRole {
		if p.Roles, err = h.users.Roles(ctx); err != nil {
			return nil, err
		}
		if p.Categories, err = h.svc.cats.Store().All(ctx); err != nil {
			return nil, err
		}
		if p.Scope, err = h.users.Scope(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	if p.SeeHistory {
		if p.Sanctions, err = h.svc.sanctionsOf(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	if p.SeeNotes {
		if p.Notes, err = h.svc.notesOf(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (h *handlers) memberShow(c echo.Context) error {
	p, err := h.memberPage(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "staff/member", web.Form{Values: MemberForm{Kind: KindWarning, Duration: "7"}, Extra: p})
}

func (h *handlers) memberRole(c echo.Context) error {
	var in Assignment
	if err := c.Bind(&in); err != nil {
		return err
	}
	name := c.Param("username")
	if err := h.svc.SetRole(c.Request().Context(), web.Viewer(c), name, in); err != nil {
		p, perr := h.memberPage(c)
		if perr != nil {
			return perr
		}
		return web.RenderForm(c, "staff/member", MemberForm{Kind: KindWarning, Duration: "7"}, p, err)
	}
	return web.Redirect(c, "/u/"+name+"/staff", "flash.staff_role_given")
}

func (h *handlers) sanctionCreate(c echo.Context) error {
	var in MemberForm
	if err := c.Bind(&in); err != nil {
		return err
	}
	name := c.Param("username")
	_, err := h.svc.Sanction(c.Request().Context(), web.Viewer(c), name,
		SanctionInput{Kind: in.Kind, Reason: in.Reason, Duration: in.Duration})
	if err != nil {
		p, perr := h.memberPage(c)
		if perr != nil {
			return perr
		}
		return web.RenderForm(c, "staff/member", in, p, formFields(err, map[string]string{
			"kind": "sanction_kind", "reason": "sanction_reason", "duration": "sanction_duration"}))
	}
	return web.Redirect(c, "/u/"+name+"/staff", sanctionFlash[in.Kind])
}

var sanctionFlash = map[string]string{KindWarning: "flash.staff_warned", KindSilence: "flash.staff_silenced", KindSuspension: "flash.staff_suspended"}

func (h *handlers) sanctionLift(c echo.Context) error {
	var in MemberForm
	if err := c.Bind(&in); err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return ErrNotFound
	}
	name := c.Param("username")
	if _, err := h.svc.Lift(c.Request().Context(), web.Viewer(c), name, id, in.LiftReason); err != nil {
		p, perr := h.memberPage(c)
		if perr != nil {
			return perr
		}
		p.LiftFailure = id
		return web.RenderForm(c, "staff/member", in, p, formFields(err, map[string]string{"reason": "lift_reason"}))
	}
	return web.Redirect(c, "/u/"+name+"/staff", "flash.staff_sanction_lifted")
}

func (h *handlers) noteCreate(c echo.Context) error {
	var in MemberForm
	if err := c.Bind(&in); err != nil {
		return err
	}
	name := c.Param("username")
	if _, err := h.svc.AddNote(c.Request().Context(), web.Viewer(c), name, in.Note); err != nil {
		p, perr := h.memberPage(c)
		if perr != nil {
			return perr
		}
		return web.RenderForm(c, "staff/member", in, p, formFields(err, map[string]string{"body": "note_body"}))
	}
	return web.Redirect(c, "/u/"+name+"/staff", "flash.staff_note_added")
}
