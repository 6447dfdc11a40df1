package staff

import (
	"github.com/labstack/echo/v4"

	"causerie/app/user"
	"causerie/app/web"
)

type handlers struct {
	svc   *Service
	users *user.Service
}

// Routes registers the team's pages and API. Each line says who may use
// it; the service asks the authorizer again. Nothing here changes or
// removes an audit entry: the log has GET routes only.
func Routes(s *web.Server, svc *Service, users *user.Service, member echo.MiddlewareFunc) {
	h := &handlers{svc: svc, users: users}
	s.PartialInGo("standing-banner", writeStandingBanner) // on every page written in Go
	s.PartialInGo("staff-nav", writeNav)

	s.GET("/admin/roles", h.rolesShow, member)                                      // PermRoles
	s.POST("/admin/roles", h.roleCreate, member)                                    // PermRoles
	s.GET("/admin/roles/:name", h.roleShow, member)                                 // PermRoles
	s.POST("/admin/roles/:name", h.roleUpdate, member)                              // PermRoles; not admin's
	s.POST("/admin/roles/:name/delete", h.roleDelete, member)                       // PermRoles; roles nobody holds
	s.GET("/u/:username/staff", h.memberShow, member)                               // the team: sanctions, notes or roles
	s.POST("/u/:username/role", h.memberRole, member)                               // PermRoles, above the member
	s.POST("/u/:username/sanctions", h.sanctionCreate, member)                      // PermSanction, above the member
	s.POST("/u/:username/sanctions/:id/lift", h.sanctionLift, member)               // PermSanction, above the member
	s.POST("/u/:username/notes", h.noteCreate, member)                              // PermNotes
	s.GET("/account/standing", h.standingShow, member)                              // the member: their own sanctions
	s.POST("/account/standing/read", h.standingRead, member)                        // the member: warnings read
	s.GET("/admin/audit", h.auditShow, member)                                      // PermAudit
	s.GET("/admin/audit.csv", h.auditCSV, member)                                   // PermAudit
	s.GET("/api/v1/roles", h.apiRoles, member)                                      // PermRoles
	s.POST("/api/v1/roles", h.apiRoleCreate, member)                                // PermRoles
	s.PATCH("/api/v1/roles/:name", h.apiRoleUpdate, member)                         // PermRoles; not admin's
	s.DELETE("/api/v1/roles/:name", h.apiRoleDelete, member)                        // PermRoles; roles nobody holds
	s.PUT("/api/v1/users/:username/role", h.apiMemberRole, member)                  // PermRoles, above the member
	s.GET("/api/v1/users/:username/sanctions", h.apiSanctions, member)              // the team (CanSeeSanctions)
	s.POST("/api/v1/users/:username/sanctions", h.apiSanctionCreate, member)        // PermSanction, above the member
	s.POST("/api/v1/users/:username/sanctions/:id/lift", h.apiSanctionLift, member) // PermSanction, above the member
	s.GET("/api/v1/users/:username/notes", h.apiNotes, member)                      // PermNotes
	s.POST("/api/v1/users/:username/notes", h.apiNoteCreate, member)                // PermNotes
	s.GET("/api/v1/me/standing", h.apiStanding, member)                             // the member
	s.GET("/api/v1/audit", h.apiAudit, member)                                      // PermAudit; ?format=csv
}
