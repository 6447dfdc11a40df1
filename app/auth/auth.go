// Package auth holds who is asking (the Viewer) and the roles Causerie knows.
// It is a leaf: web middleware fills a Viewer in, domains read it, and the
// single authorizer grows here as the permission model does.
package auth

import "time"

// Role is a member's role: a name whose permissions are the built-in set
// (permission.go) or, for roles administrators define, the roles table.
type Role string

const (
	RoleAdmin     Role = "admin"
	RoleModerator Role = "moderator"
	RoleMember    Role = "member"
)

// Roles lists the built-in roles, most powerful first.
var Roles = []Role{RoleAdmin, RoleLead, RoleModerator, RoleJunior, RoleEditor, RoleAnalyst, RoleMember}

// ParseRole returns the built-in role named s, or false. Roles that
// administrators define are known to the roles table (app/user).
func ParseRole(s string) (Role, bool) {
	for _, r := range Roles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// Viewer is the person behind a request. The zero value (ID 0) is an
// anonymous visitor.
type Viewer struct {
	ID       int64
	Username string
	Email    string
	Role     Role
	Language string
	// Theme is the member's colour scheme ("" follows the system).
	Theme string
	// TrustLevel is the member's trust level (TrustNew to TrustLeader):
	// what they may do beyond their role (see trust.go).
	TrustLevel int
	// SessionID is set when the request rides on a session cookie, empty
	// when it comes with an API token.
	SessionID string
	// Perms is what the viewer's role allows (see permission.go); nil means
	// the built-in role's set.
	Perms PermSet
	// Scope lists the categories a scoped moderator moderates; empty means
	// everywhere.
	Scope []int64
	// Rank orders roles: nobody sanctions someone of an equal or higher
	// rank. With Perms nil, the built-in role's rank.
	Rank int
	// SilencedUntil is the end of the silence in force (zero: none;
	// Forever: permanent): the member may read, not write.
	SilencedUntil time.Time
	// WarningUnread says a warning from the team waits to be read.
	WarningUnread bool
}

func (v *Viewer) LoggedIn() bool { return v != nil && v.ID != 0 }
func (v *Viewer) IsAdmin() bool  { return v != nil && v.Role == RoleAdmin }

// IsStaff says whether v is on the team (IsTeam).
//
// Deprecated: ask the authorizer (authorize.go) or Can for a permission.
func (v *Viewer) IsStaff() bool { return v.IsTeam() }

// Named says whether r has a translated name (role.<name>): the built-in
// roles and the pseudo-roles everyone and members. Roles administrators
// define are shown by their name.
func (r Role) Named() bool {
	if r == RoleEveryone || r == RoleMembers {
		return true
	}
	_, ok := ParseRole(string(r))
	return ok
}
