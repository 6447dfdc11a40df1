package auth_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"causerie/app/auth"
)

// The role matrix: each role (and scope) × each action × a category in the
// moderator's scope (A) and one out of it (B). Every cell is asked of the
// authorizer; the expected cells are written as the set of actions allowed.
func TestRoleMatrix(t *testing.T) {
	const catA, catB = 1, 2
	grants := func(id int64) auth.Grants {
		g := auth.NewGrants(id)
		g.Set(auth.Read, auth.RoleEveryone)
		g.Set(auth.Start, auth.RoleMembers)
		g.Set(auth.Reply, auth.RoleMembers)
		return g
	}
	const other = 500 // another member, author of the posts and topics acted on
	target := &auth.Viewer{ID: other, Role: auth.RoleMember, TrustLevel: 1}
	published := auth.PostState{AuthorID: other, State: "published"}
	hidden := auth.PostState{AuthorID: other, State: "hidden"}
	open := auth.TopicState{AuthorID: other}
	actions := map[string]func(v *auth.Viewer, g auth.Grants) bool{
		"read":     func(v *auth.Viewer, g auth.Grants) bool { return auth.CanRead(v, g) },
		"start":    func(v *auth.Viewer, g auth.Grants) bool { return auth.CanStart(v, g, "discussion") },
		"announce": func(v *auth.Viewer, g auth.Grants) bool { return auth.CanStart(v, g, "announcement") },
		"reply":    func(v *auth.Viewer, g auth.Grants) bool { return auth.CanReply(v, g, open) },
		"reply_closed": func(v *auth.Viewer, g auth.Grants) bool {
			return auth.CanReply(v, g, auth.TopicState{AuthorID: other, Closed: true})
		},
		"see_hidden": func(v *auth.Viewer, g auth.Grants) bool { return auth.CanSeePost(v, g, hidden) },
		"edit_own": func(v *auth.Viewer, g auth.Grants) bool {
			return auth.CanEditPost(v, g, open, auth.PostState{AuthorID: v.ID, State: "published"})
		},
		"edit_other":   func(v *auth.Viewer, g auth.Grants) bool { return auth.CanEditPost(v, g, open, published) },
		"delete_other": func(v *auth.Viewer, g auth.Grants) bool { return auth.CanDeletePost(v, g, open, published, false) },
		"restore":      func(v *auth.Viewer, g auth.Grants) bool { return auth.CanRestorePost(v, g) },
		"hide":         func(v *auth.Viewer, g auth.Grants) bool { return auth.CanHide(v, g, published) },
		"react":        func(v *auth.Viewer, g auth.Grants) bool { return auth.CanReact(v, g, open, published) },
		"accept_other": func(v *auth.Viewer, g auth.Grants) bool { return auth.CanAccept(v, g, open) },
		"manage":       func(v *auth.Viewer, g auth.Grants) bool { return auth.CanManageTopic(v, g) },
		"move":         func(v *auth.Viewer, g auth.Grants) bool { return auth.CanMoveTopic(v, g, g) },
		"pin":          func(v *auth.Viewer, g auth.Grants) bool { return auth.CanPin(v, g) },
		"feature":      func(v *auth.Viewer, g auth.Grants) bool { return auth.CanFeature(v, g) },
		"official":     func(v *auth.Viewer, g auth.Grants) bool { return auth.CanMarkOfficial(v, g) },
		"review":       func(v *auth.Viewer, g auth.Grants) bool { return auth.CanReview(v, g) },
		"propose":      func(v *auth.Viewer, g auth.Grants) bool { return auth.CanPropose(v, g) },
		"approve":      func(v *auth.Viewer, g auth.Grants) bool { return auth.CanApproveProposal(v, g) },
		"assign":       func(v *auth.Viewer, g auth.Grants) bool { return auth.CanAssign(v, g) },
		"queue_item":   func(v *auth.Viewer, g auth.Grants) bool { return auth.CanSeeQueueItem(v, g.CategoryID) },
		// Site-wide: the category does not matter.
		"queue":         func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanSeeQueue(v) },
		"flag":          func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanFlag(v) },
		"upload":        func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanUpload(v) },
		"retag":         func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanRetag(v) },
		"canned":        func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanUseCanned(v) },
		"sanction":      func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanSanction(v, target) },
		"notes":         func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanSeeNotes(v) },
		"sanctions":     func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanSeeSanctions(v) },
		"trust":         func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanSetTrust(v) },
		"registrations": func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanApproveRegistrations(v) },
		"policy":        func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanSetPolicy(v) },
		"audit":         func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanSeeAudit(v) },
		"reports":       func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanSeeReports(v) },
		"roles":         func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanManageRoles(v) },
		"categories":    func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanManageCategories(v) },
		"purge":         func(v *auth.Viewer, _ auth.Grants) bool { return auth.CanPurge(v) },
	}
	const (
		member  = "read start reply react edit_own"
		content = "see_hidden edit_other delete_other restore hide accept_other manage move"
	)
	everything := []string{}
	for a := range actions {
		everything = append(everything, a)
	}
	staff := func(id int64, role auth.Role) *auth.Viewer { return &auth.Viewer{ID: id, Role: role} } // trust level 0: the role alone counts
	silenced := &auth.Viewer{ID: 12, Role: auth.RoleMember, TrustLevel: 1, SilencedUntil: time.Now().Add(time.Hour)}
	cases := []struct {
		name    string
		v       *auth.Viewer
		in, out string // allowed in category A, in category B ("=" : as in A)
	}{
		{"admin", staff(1, auth.RoleAdmin), strings.Join(everything, " "), "="},
		{"lead", staff(2, auth.RoleLead), member + " " + content + " announce reply_closed pin feature official review approve assign queue_item" +
			" queue flag upload retag canned sanction notes sanctions trust registrations policy audit reports", "="},
		{"moderator", staff(3, auth.RoleModerator), member + " " + content + " reply_closed pin official review queue_item" +
			" queue flag upload retag canned sanction notes sanctions trust registrations", "="},
		{"moderator of A", &auth.Viewer{ID: 4, Role: auth.RoleModerator, Scope: []int64{catA}},
			member + " " + content + " reply_closed pin official review queue_item queue flag upload retag canned",
			member + " queue flag upload retag canned"},
		{"junior", staff(5, auth.RoleJunior), member + " see_hidden propose queue_item queue flag upload retag canned notes sanctions", "="},
		{"editor", staff(6, auth.RoleEditor), member + " announce reply_closed pin feature official flag upload retag canned", "="},
		{"analyst", staff(7, auth.RoleAnalyst), member + " audit reports", "="},
		{"member TL0", &auth.Viewer{ID: 8, Role: auth.RoleMember}, member, "="},
		{"member TL1", &auth.Viewer{ID: 9, Role: auth.RoleMember, TrustLevel: 1}, member + " flag upload", "="},
		{"member TL3", &auth.Viewer{ID: 10, Role: auth.RoleMember, TrustLevel: 3}, member + " flag upload retag", "="},
		{"custom helper", &auth.Viewer{ID: 11, Role: "helper", Perms: auth.NewPermSet(auth.PermPin, auth.PermCanned)}, member + " pin canned", "="},
		{"silenced member", silenced, "read", "="},
		{"visitor", &auth.Viewer{}, "read", "="},
	}
	for _, tc := range cases {
		out := tc.out
		if out == "=" {
			out = tc.in
		}
		for _, place := range []struct {
			name  string
			g     auth.Grants
			allow string
		}{{"in scope", grants(catA), tc.in}, {"out of scope", grants(catB), out}} {
			want := map[string]bool{}
			for _, a := range strings.Fields(place.allow) {
				if actions[a] == nil {
					t.Fatalf("%s: unknown action %q in the table", tc.name, a)
				}
				want[a] = true
			}
			var wrong []string
			for a, can := range actions {
				if got := can(tc.v, place.g); got != want[a] {
					wrong = append(wrong, a+"="+map[bool]string{true: "yes", false: "no"}[got])
				}
			}
			sort.Strings(wrong)
			if len(wrong) > 0 {
				t.Errorf("%s, %s: the authorizer says %s", tc.name, place.name, strings.Join(wrong, ", "))
			}
		}
	}
}

// Nobody sanctions themselves, an administrator, or someone of an equal or
// higher rank; a custom role's rank places it in the hierarchy.
func TestSanctionHierarchy(t *testing.T) {
	v := func(id int64, r auth.Role) *auth.Viewer { return &auth.Viewer{ID: id, Role: r} }
	admin, admin2 := v(1, auth.RoleAdmin), v(2, auth.RoleAdmin)
	lead, mod, mod2 := v(3, auth.RoleLead), v(4, auth.RoleModerator), v(5, auth.RoleModerator)
	junior, editor, member := v(6, auth.RoleJunior), v(7, auth.RoleEditor), v(8, auth.RoleMember)
	helper := &auth.Viewer{ID: 9, Role: "helper", Rank: 50, Perms: auth.NewPermSet(auth.PermSanction)}
	for _, tc := range []struct {
		by, target *auth.Viewer
		want       bool
	}{
		{admin, lead, true}, {admin, member, true}, {admin, admin2, false}, {admin, admin, false},
		{lead, mod, true}, {lead, admin, false}, {lead, lead, false},
		{mod, member, true}, {mod, junior, true}, {mod, editor, true}, {mod, mod2, false}, {mod, lead, false}, {mod, admin, false},
		{helper, member, true}, {helper, junior, true}, {helper, mod, false},
		{junior, member, false}, {editor, member, false}, {member, member, false}, {&auth.Viewer{}, member, false},
		{mod, &auth.Viewer{}, false},
	} {
		if got := auth.CanSanction(tc.by, tc.target); got != tc.want {
			t.Errorf("%s (%d) sanctions %s (%d) = %v, want %v", tc.by.Role, tc.by.ID, tc.target.Role, tc.target.ID, got, tc.want)
		}
	}
	ended := &auth.Viewer{ID: 10, Role: auth.RoleMember, TrustLevel: 1, SilencedUntil: time.Now().Add(-time.Minute)}
	if ended.Silenced() || !auth.CanFlag(ended) {
		t.Error("a silence that has ended must stop applying by itself")
	}
	forever := &auth.Viewer{ID: 11, Role: auth.RoleMember, SilencedUntil: auth.Forever}
	if !forever.Silenced() || !forever.SilencedForever() {
		t.Error("a permanent silence applies")
	}
}
