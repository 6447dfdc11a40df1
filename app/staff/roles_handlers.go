package staff

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"causerie/app/auth"
	"causerie/app/user"
	"causerie/app/web"
)

// RolesPage is the data of the roles page: every role, and the form of a
// new one.
type RolesPage struct {
	Roles  []*user.RoleInfo
	Groups any
}

func (h *handlers) rolesPage(c echo.Context) (*RolesPage, error) {
	if !auth.CanManageRoles(web.Viewer(c)) {
		return nil, web.ErrForbidden
	}
	roles, err := h.users.Roles(c.Request().Context())
	return &RolesPage{Roles: roles, Groups: PermGroups}, err
}

func (h *handlers) rolesShow(c echo.Context) error {
	p, err := h.rolesPage(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "staff/roles", web.Form{Values: RoleInput{Rank: 10}, Extra: p})
}

func (h *handlers) roleCreate(c echo.Context) error {
	p, err := h.rolesPage(c)
	if err != nil {
		return err
	}
	var in RoleInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	r, err := h.svc.CreateRole(c.Request().Context(), web.Viewer(c), in)
	if err != nil {
		return web.RenderForm(c, "staff/roles", in, p, formFields(err, roleFields))
	}
	return web.Redirect(c, "/admin/roles/"+string(r.Name), "flash.staff_role_created")
}

// roleFields names the role form's fields after the service's.
var roleFields = map[string]string{"name": "role_name", "rank": "role_rank"}

// RolePage is the data of one role's page.
type RolePage struct {
	Role   *user.RoleInfo
	Groups any
}

func (h *handlers) rolePage(c echo.Context) (*RolePage, error) {
	if !auth.CanManageRoles(web.Viewer(c)) {
		return nil, web.ErrForbidden
	}
	r, err := h.users.Role(c.Request().Context(), c.Param("name"))
	if err != nil {
		return nil, err
	}
	return &RolePage{Role: r, Groups: PermGroups}, nil
}

func inputOf(r *user.RoleInfo) RoleInput {
	perms := permNames(r.Perms)
	if r.Name == auth.RoleAdmin {
		perms = nil
		for _, p := range auth.Permissions {
			perms = append(perms, string(p))
		}
	}
	return RoleInput{Name: string(r.Name), Rank: r.Rank, Perms: perms}
}

func (h *handlers) roleShow(c echo.Context) error {
	p, err := h.rolePage(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "staff/role", web.Form{Values: inputOf(p.Role), Extra: p})
}

func (h *handlers) roleUpdate(c echo.Context) error {
	p, err := h.rolePage(c)
	if err != nil {
		return err
	}
	var in RoleInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	in.Name = string(p.Role.Name)
	if in.Perms == nil {
		in.Perms = []string{} // no box ticked: no permission
	}
	if _, err := h.svc.UpdateRole(c.Request().Context(), web.Viewer(c), in.Name, in); err != nil {
		return web.RenderForm(c, "staff/role", in, p, formFields(err, roleFields))
	}
	return web.Redirect(c, "/admin/roles/"+in.Name, "flash.staff_role_saved")
}

func (h *handlers) roleDelete(c echo.Context) error {
	if err := h.svc.DeleteRole(c.Request().Context(), web.Viewer(c), c.Param("name")); err != nil {
		return err
	}
	return web.Redirect(c, "/admin/roles", "flash.staff_role_deleted")
}

// APIRole is a role in the API.
type APIRole struct {
	Name        string   `json:"name"`
	Rank        int      `json:"rank"`
	Builtin     bool     `json:"builtin"`
	Permissions []string `json:"permissions"`
}

func toAPIRole(r *user.RoleInfo) APIRole {
	in := inputOf(r)
	if in.Perms == nil {
		in.Perms = []string{}
	}
	slices.Sort(in.Perms)
	return APIRole{Name: in.Name, Rank: in.Rank, Builtin: r.Builtin, Permissions: in.Perms}
}

func (h *handlers) apiRoles(c echo.Context) error {
	if !auth.CanManageRoles(web.Viewer(c)) {
		return web.ErrForbidden
	}
	roles, err := h.users.Roles(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]APIRole, 0, len(roles))
	for _, r := range roles {
		out = append(out, toAPIRole(r))
	}
	return c.JSON(http.StatusOK, map[string]any{"roles": out})
}

func (h *handlers) apiRoleCreate(c echo.Context) error {
	var in RoleInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	r, err := h.svc.CreateRole(c.Request().Context(), web.Viewer(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toAPIRole(r))
}

func (h *handlers) apiRoleUpdate(c echo.Context) error {
	var in RoleInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	r, err := h.svc.UpdateRole(c.Request().Context(), web.Viewer(c), c.Param("name"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAPIRole(r))
}

func (h *handlers) apiRoleDelete(c echo.Context) error {
	if err := h.svc.DeleteRole(c.Request().Context(), web.Viewer(c), c.Param("name")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
