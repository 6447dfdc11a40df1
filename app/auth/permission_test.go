package auth

import "testing"

// Each built-in role holds what its name promises, and a scoped moderator
// holds content permissions in their categories only and site-wide ones
// nowhere.
func TestBuiltinRolesAndScopes(t *testing.T) {
	cases := []struct {
		role Role
		perm Permission
		want bool
	}{
		{RoleAdmin, PermPurge, true},
		{RoleLead, PermApprove, true},
		{RoleLead, PermPolicy, true},
		{RoleLead, PermPurge, false},
		{RoleModerator, PermHide, true},
		{RoleModerator, PermApprove, false},
		{RoleModerator, PermPolicy, false},
		{RoleJunior, PermPropose, true},
		{RoleJunior, PermHide, false},
		{RoleJunior, PermReview, false},
		{RoleEditor, PermFeature, true},
		{RoleEditor, PermSanction, false},
		{RoleEditor, PermHide, false},
		{RoleAnalyst, PermReports, true},
		{RoleAnalyst, PermHide, false},
		{RoleMember, PermSeeHidden, false},
	}
	for _, c := range cases {
		v := &Viewer{ID: 1, Role: c.role}
		if got := v.Can(c.perm, 7); got != c.want {
			t.Errorf("%s can %s = %v, want %v", c.role, c.perm, got, c.want)
		}
	}
	scoped := &Viewer{ID: 2, Role: RoleModerator, Scope: []int64{7}}
	if !scoped.Can(PermHide, 7) || scoped.Can(PermHide, 8) || scoped.Can(PermHide, 0) {
		t.Error("a moderator scoped to category 7 must hide there and nowhere else")
	}
	if scoped.Can(PermSanction, 7) || scoped.CanSomewhere(PermSanction) {
		t.Error("a scoped moderator must not hold a site-wide permission")
	}
	if !scoped.CanSomewhere(PermReview) {
		t.Error("a scoped moderator reviews somewhere")
	}
	if (&Viewer{}).Can(PermHide, 7) || (&Viewer{Role: RoleAdmin}).Can(PermHide, 7) {
		t.Error("a visitor holds nothing")
	}
	custom := &Viewer{ID: 3, Role: "community_helper", Perms: NewPermSet(PermCanned)}
	if !custom.Can(PermCanned, 1) || custom.Can(PermHide, 1) {
		t.Error("a custom role holds its own set")
	}
}
