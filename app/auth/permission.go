package auth

import "slices"

// Permission is one thing a role allows. Roles are sets of permissions:
// the built-in ones below, and any an administrator defines (kept in the
// roles table, loaded by the user domain).
type Permission string

const (
	// Moderation, which a moderator may be scoped to some categories for.
	PermSeeHidden   Permission = "posts.see_hidden"    // read hidden, held and deleted posts
	PermReview      Permission = "review.decide"       // see the review queue and decide its items
	PermPropose     Permission = "review.propose"      // see the queue and propose decisions a reviewer approves
	PermAssign      Permission = "review.assign"       // assign queue items to someone else
	PermApprove     Permission = "review.approve"      // approve or reject junior moderators' proposals
	PermHide        Permission = "posts.hide"          // hide, restore and soft-delete anyone's post
	PermEditPosts   Permission = "posts.edit"          // edit anyone's post (with a note)
	PermManage      Permission = "topics.manage"       // close, open, move, merge, split, change owner
	PermPin         Permission = "topics.pin"          // pin and unpin
	PermFeature     Permission = "topics.feature"      // feature a topic (the highlight plugins mirror)
	PermAnnounce    Permission = "topics.announce"     // start announcements
	PermOfficial    Permission = "posts.official"      // mark a reply as the brand's official response
	PermCanned      Permission = "moderation.canned"   // use canned responses
	PermSanction    Permission = "users.sanction"      // warn, silence, suspend, lift
	PermNotes       Permission = "users.notes"         // read and write moderator notes on members
	PermRegistrants Permission = "users.approve"       // approve registrations
	PermPolicy      Permission = "moderation.policy"   // watched words, thresholds, canned responses
	PermAudit       Permission = "audit.read"          // read and export the audit log
	PermReports     Permission = "reports.read"        // read moderation reports and analytics
	PermCategories  Permission = "categories.manage"   // create and change categories
	PermRoles       Permission = "roles.manage"        // define roles and give them to members
	PermPurge       Permission = "posts.purge"         // delete for good (audited)
	PermSettings    Permission = "site.settings"       // site-wide settings
	PermTrust       Permission = "users.trust"         // set and lock a member's trust level
	PermSeeProfiles Permission = "users.see_private"   // see a member's e-mail, IP history and sanctions
	PermBypassLimit Permission = "posts.bypass_limits" // post without rate, link and approval limits
	PermEditOwnOld  Permission = "posts.edit_archived" // edit in archived topics
	PermLockTopics  Permission = "topics.reply_closed" // reply to closed topics
)

// Permissions lists every permission, in the order the roles page shows them.
var Permissions = []Permission{
	PermSeeHidden, PermReview, PermPropose, PermAssign, PermApprove, PermHide, PermEditPosts,
	PermManage, PermPin, PermFeature, PermAnnounce, PermOfficial, PermCanned,
	PermSanction, PermNotes, PermRegistrants, PermTrust, PermSeeProfiles, PermBypassLimit, PermEditOwnOld, PermLockTopics,
	PermPolicy, PermAudit, PermReports, PermCategories, PermRoles, PermPurge, PermSettings,
}

// Scoped says whether a permission is about content in a category, so that
// a moderator scoped to some categories holds it there only. The others are
// site-wide: a scoped moderator never holds them.
func Scoped(p Permission) bool {
	switch p {
	case PermSeeHidden, PermReview, PermPropose, PermAssign, PermApprove, PermHide, PermEditPosts,
		PermManage, PermPin, PermFeature, PermAnnounce, PermOfficial, PermCanned, PermBypassLimit,
		PermEditOwnOld, PermLockTopics:
		return true
	}
	return false
}

// Built-in roles beyond admin, moderator and member.
const (
	RoleLead    Role = "lead"
	RoleJunior  Role = "junior_moderator"
	RoleEditor  Role = "editor"
	RoleAnalyst Role = "analyst"
)

// Builtin is the permissions of each built-in role. Administrators hold
// every permission whatever this says.
var Builtin = map[Role][]Permission{
	RoleAdmin: Permissions,
	RoleLead: {PermSeeHidden, PermReview, PermAssign, PermApprove, PermHide, PermEditPosts, PermManage, PermPin,
		PermFeature, PermAnnounce, PermOfficial, PermCanned, PermSanction, PermNotes, PermRegistrants, PermTrust,
		PermSeeProfiles, PermBypassLimit, PermEditOwnOld, PermLockTopics, PermPolicy, PermAudit, PermReports},
	RoleModerator: {PermSeeHidden, PermReview, PermHide, PermEditPosts, PermManage, PermPin, PermOfficial,
		PermCanned, PermSanction, PermNotes, PermRegistrants, PermTrust, PermSeeProfiles, PermBypassLimit,
		PermEditOwnOld, PermLockTopics},
	RoleJunior:  {PermSeeHidden, PermPropose, PermCanned, PermNotes, PermBypassLimit},
	RoleEditor:  {PermAnnounce, PermPin, PermFeature, PermOfficial, PermCanned, PermBypassLimit, PermLockTopics},
	RoleAnalyst: {PermReports, PermAudit},
	RoleMember:  nil,
}

// BuiltinRank is the rank of each built-in role: a sanction goes only
// down the ranks.
var BuiltinRank = map[Role]int{RoleAdmin: 100, RoleLead: 80, RoleModerator: 60, RoleJunior: 40, RoleEditor: 30, RoleAnalyst: 20, RoleMember: 0}

// rank is v's rank: what authentication filled in, or the built-in role's.
func (v *Viewer) rank() int {
	if v.Perms != nil {
		return v.Rank
	}
	return BuiltinRank[v.Role]
}

// PermSet is the permissions a viewer holds.
type PermSet map[Permission]bool

// NewPermSet makes a set of ps.
func NewPermSet(ps ...Permission) PermSet {
	s := make(PermSet, len(ps))
	for _, p := range ps {
		s[p] = true
	}
	return s
}

// perms is what v holds: what the request's authentication filled in, or
// else the built-in role's permissions.
func (v *Viewer) perms() PermSet {
	if v.Perms != nil {
		return v.Perms
	}
	return builtinSets[v.Role]
}

var builtinSets = func() map[Role]PermSet {
	m := map[Role]PermSet{}
	for r, ps := range Builtin {
		m[r] = NewPermSet(ps...)
	}
	return m
}()

// Can says whether v holds permission p for content in category cat (0 for
// something that is in no category). Administrators hold everything; a
// viewer scoped to some categories holds scoped permissions there only and
// site-wide ones not at all.
func (v *Viewer) Can(p Permission, cat int64) bool {
	if !v.LoggedIn() {
		return false
	}
	if v.Role == RoleAdmin {
		return true
	}
	if !v.perms()[p] {
		return false
	}
	if len(v.Scope) == 0 {
		return true
	}
	return Scoped(p) && cat != 0 && slices.Contains(v.Scope, cat)
}

// CanSomewhere says whether v holds p in at least one category: whether to
// show the review queue's link, say.
func (v *Viewer) CanSomewhere(p Permission) bool {
	if !v.LoggedIn() {
		return false
	}
	if v.Role == RoleAdmin {
		return true
	}
	return v.perms()[p] && (len(v.Scope) == 0 || Scoped(p))
}
