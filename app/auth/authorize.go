package auth

import (
	"slices"
	"time"
)

// This file is the one authorizer: every "may this person do this to
// that?" is answered here, and pages, the API, lists, feeds and
// notifications all ask it. Answers come from the viewer's permissions
// (their role's set), the category's scope (a moderator may be scoped to
// some categories) and the category's grants (who may read, start and
// reply there); never from the role's name, administrators aside.

// Pseudo-roles a category can grant to: everyone (visitors too) and every
// logged-in member.
const (
	RoleEveryone Role = "everyone"
	RoleMembers  Role = "members"
)

// Action is something a category allows per role.
type Action string

const (
	Read  Action = "read"  // see the category and its topics
	Start Action = "start" // start a topic
	Reply Action = "reply" // reply to a topic
)

// Actions lists the category actions.
var Actions = []Action{Read, Start, Reply}

// Grants is who may do what in one category, and which category it is (so
// that a moderator scoped to some categories is asked about the right one).
type Grants struct {
	CategoryID int64
	Allow      map[Action]map[Role]bool
}

// NewGrants makes empty grants of category id.
func NewGrants(id int64) Grants { return Grants{CategoryID: id, Allow: map[Action]map[Role]bool{}} }

// Set grants action to role.
func (g *Grants) Set(a Action, r Role) {
	if g.Allow == nil {
		g.Allow = map[Action]map[Role]bool{}
	}
	if g.Allow[a] == nil {
		g.Allow[a] = map[Role]bool{}
	}
	g.Allow[a][r] = true
}

// Allows says whether action is granted to role itself (not through
// everyone or members).
func (g Grants) Allows(a Action, r Role) bool { return g.Allow[a][r] }

// Roles lists the roles action is granted to, sorted.
func (g Grants) Roles(a Action) []Role {
	var out []Role
	for r, ok := range g.Allow[a] {
		if ok {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}

// has says whether the viewer holds a role the grants allow for action.
// Administrators may do everything everywhere.
func (g Grants) has(v *Viewer, a Action) bool {
	if v.IsAdmin() {
		return true
	}
	roles := g.Allow[a]
	if roles[RoleEveryone] {
		return true
	}
	if !v.LoggedIn() {
		return false
	}
	return roles[RoleMembers] || roles[v.Role]
}

// can is v.Can(p) in the grants' category, for someone who may read it.
func (g Grants) can(v *Viewer, p Permission) bool { return g.has(v, Read) && v.Can(p, g.CategoryID) }

// Silenced says whether v is silenced now: they may read, not write.
// An expired silence stops applying by itself.
func (v *Viewer) Silenced() bool { return v != nil && v.SilencedUntil.After(time.Now()) }

// Forever is the end of a permanent sanction as kept with the account.
var Forever = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// writer says whether v may write at all: logged in and not silenced.
func writer(v *Viewer) bool { return v.LoggedIn() && !v.Silenced() }

// CanRead says whether v may see a category, its topics and posts.
func CanRead(v *Viewer, g Grants) bool { return g.has(v, Read) }

// CanStart says whether v may start a topic of kind in a category.
// Announcements need PermAnnounce there.
func CanStart(v *Viewer, g Grants, kind string) bool {
	if !writer(v) || !g.has(v, Read) || !g.has(v, Start) {
		return false
	}
	return kind != "announcement" || v.Can(PermAnnounce, g.CategoryID)
}

// CanAnnounceSomewhere says whether v may start announcements in at least
// one category (whether the composer offers the kind).
func CanAnnounceSomewhere(v *Viewer) bool { return writer(v) && v.CanSomewhere(PermAnnounce) }

// TopicState is what the authorizer needs to know of a topic.
type TopicState struct {
	AuthorID         int64
	Closed, Archived bool
}

// CanReply says whether v may reply to a topic. Closed topics take replies
// from those with PermLockTopics there; archived ones from nobody.
func CanReply(v *Viewer, g Grants, t TopicState) bool {
	if !writer(v) || t.Archived || !g.has(v, Read) || !g.has(v, Reply) {
		return false
	}
	return !t.Closed || v.Can(PermLockTopics, g.CategoryID)
}

// PostState is what the authorizer needs to know of a post.
type PostState struct {
	AuthorID int64
	State    string // published, pending, hidden, deleted
}

// CanSeePost says whether v may read a post's content: published posts for
// everyone who can read the category; hidden, pending and deleted ones for
// those with PermSeeHidden there, and for their author (who must see why a
// post was hidden).
func CanSeePost(v *Viewer, g Grants, p PostState) bool {
	if !g.has(v, Read) {
		return false
	}
	if p.State == "published" {
		return true
	}
	return v.Can(PermSeeHidden, g.CategoryID) || (v.LoggedIn() && v.ID == p.AuthorID && p.State != "deleted")
}

// CanSeeUnpublished says whether v may see topics and posts that are not
// published (hidden, held, deleted) in a category: their titles in lists,
// their pages.
func CanSeeUnpublished(v *Viewer, g Grants) bool { return g.can(v, PermSeeHidden) }

// CanEditPost says whether v may edit a post: those with PermEditPosts in
// its category always; its author while not silenced, the post not deleted
// and the topic not archived (unless PermEditOwnOld).
func CanEditPost(v *Viewer, g Grants, t TopicState, p PostState) bool {
	if !v.LoggedIn() || !g.has(v, Read) {
		return false
	}
	if v.Can(PermEditPosts, g.CategoryID) {
		return true
	}
	return writer(v) && v.ID == p.AuthorID && p.State != "deleted" && (!t.Archived || v.Can(PermEditOwnOld, g.CategoryID))
}

// CanDeletePost says whether v may delete a post (softly: it can be
// restored). Those with PermHide there may delete any; authors their own
// replies; the first post of a topic goes with its topic.
func CanDeletePost(v *Viewer, g Grants, t TopicState, p PostState, first bool) bool {
	if !v.LoggedIn() || !g.has(v, Read) {
		return false
	}
	if v.Can(PermHide, g.CategoryID) {
		return true
	}
	return writer(v) && v.ID == p.AuthorID && !first && !t.Archived && p.State != "deleted"
}

// CanRestorePost says whether v may bring back a deleted or hidden post.
func CanRestorePost(v *Viewer, g Grants) bool { return g.can(v, PermHide) }

// CanHide says whether v may hide a post (with a reason), restore it or
// soft-delete it: PermHide in its category. Nobody hides their own post
// this way (they delete it).
func CanHide(v *Viewer, g Grants, p PostState) bool {
	return g.can(v, PermHide) && p.State != "deleted"
}

// CanReact says whether v may react to a post: members who can read it and
// are not silenced, not on their own post.
func CanReact(v *Viewer, g Grants, t TopicState, p PostState) bool {
	return writer(v) && g.has(v, Read) && !t.Archived && p.State == "published" && v.ID != p.AuthorID
}

// CanAccept says whether v may mark a reply as a question's accepted
// answer: the asker, or whoever manages topics in the category.
func CanAccept(v *Viewer, g Grants, t TopicState) bool {
	if !v.LoggedIn() || !g.has(v, Read) || t.Archived {
		return false
	}
	return (writer(v) && v.ID == t.AuthorID) || v.Can(PermManage, g.CategoryID)
}

// CanManageTopic says whether v may close, open, merge, split a topic or
// change its owner: PermManage in its category.
func CanManageTopic(v *Viewer, g Grants) bool { return g.can(v, PermManage) }

// CanMoveTopic says whether v may move a topic from one category to
// another as staff: PermManage in both.
func CanMoveTopic(v *Viewer, from, to Grants) bool {
	return from.can(v, PermManage) && to.can(v, PermManage)
}

// CanPin says whether v may pin and unpin topics in a category.
func CanPin(v *Viewer, g Grants) bool { return g.can(v, PermPin) }

// CanFeature says whether v may feature a topic (the highlight plugins
// mirror) in a category.
func CanFeature(v *Viewer, g Grants) bool { return g.can(v, PermFeature) }

// CanMarkOfficial says whether v may mark a reply as the brand's official
// response in a category.
func CanMarkOfficial(v *Viewer, g Grants) bool { return g.can(v, PermOfficial) }

// CanPurge says whether v may delete a post or topic for good (audited).
func CanPurge(v *Viewer) bool { return v.Can(PermPurge, 0) }

// CanUseCanned says whether v may use canned responses (somewhere).
func CanUseCanned(v *Viewer) bool { return v.CanSomewhere(PermCanned) }

// CanSeeQueue says whether v sees the review queue at all: reviewers and
// junior moderators, for the categories of their scope.
func CanSeeQueue(v *Viewer) bool { return v.CanSomewhere(PermReview) || v.CanSomewhere(PermPropose) }

// CanSeeQueueItem says whether v sees a queue item of a category (0 for
// one in no category, such as a registration).
func CanSeeQueueItem(v *Viewer, cat int64) bool {
	return v.Can(PermReview, cat) || v.Can(PermPropose, cat)
}

// CanReview says whether v may decide queue items of a category at once.
func CanReview(v *Viewer, g Grants) bool { return g.can(v, PermReview) }

// CanPropose says whether v may propose a decision on a queue item of a
// category, which waits for a reviewer's approval. Ask CanReview first:
// whoever may decide need not propose.
func CanPropose(v *Viewer, g Grants) bool { return g.can(v, PermPropose) }

// CanApproveProposal says whether v may approve or reject a junior
// moderator's proposal in a category.
func CanApproveProposal(v *Viewer, g Grants) bool { return g.can(v, PermApprove) }

// CanAssign says whether v may assign queue items of a category to others.
func CanAssign(v *Viewer, g Grants) bool { return g.can(v, PermAssign) }

// CanApproveRegistrations says whether v may approve new registrations.
func CanApproveRegistrations(v *Viewer) bool { return v.Can(PermRegistrants, 0) }

// CanSetPolicy says whether v may change watched words, thresholds and
// canned responses.
func CanSetPolicy(v *Viewer) bool { return v.Can(PermPolicy, 0) }

// CanSeeReports says whether v may read moderation reports and analytics.
func CanSeeReports(v *Viewer) bool { return v.Can(PermReports, 0) }

// CanSeeAudit says whether v may read and export the audit log.
func CanSeeAudit(v *Viewer) bool { return v.Can(PermAudit, 0) }

// CanManageRoles says whether v may define roles, give them to members
// and scope members to categories.
func CanManageRoles(v *Viewer) bool { return v.Can(PermRoles, 0) }

// CanManageCategories says whether v may create and change categories.
func CanManageCategories(v *Viewer) bool { return v.Can(PermCategories, 0) }

// CanManageSettings says whether v may change site-wide settings.
func CanManageSettings(v *Viewer) bool { return v.Can(PermSettings, 0) }

// CanModerate says whether v moderates somewhere: sees hidden posts in at
// least one category. Ask CanSeeUnpublished for a given category.
func CanModerate(v *Viewer) bool { return v.CanSomewhere(PermSeeHidden) }

// Outranks says whether v stands above target in the hierarchy: an
// administrator above everyone but administrators, otherwise a higher rank.
func (v *Viewer) Outranks(target *Viewer) bool {
	if !v.LoggedIn() || target.IsAdmin() {
		return false
	}
	return v.IsAdmin() || v.rank() > target.rank()
}

// CanSanction says whether v may warn, silence or suspend target, or lift
// a sanction of theirs: PermSanction, never on themselves, and only on
// someone they outrank (nobody sanctions an administrator).
func CanSanction(v, target *Viewer) bool {
	return v.Can(PermSanction, 0) && target.LoggedIn() && v.ID != target.ID && v.Outranks(target)
}

// CanSeeSanctions says whether v may see a member's sanctions history.
func CanSeeSanctions(v *Viewer) bool {
	return v.Can(PermSanction, 0) || v.Can(PermSeeProfiles, 0) || v.Can(PermNotes, 0)
}

// CanSeeNotes says whether v may read and write moderator notes on members.
func CanSeeNotes(v *Viewer) bool { return v.Can(PermNotes, 0) }

// CanSetRole says whether v may give target a role (or scope them): those
// with PermRoles, never to themselves (an administrator cannot lock
// themselves out by mistake).
func CanSetRole(v, target *Viewer) bool {
	return CanManageRoles(v) && target.LoggedIn() && v.ID != target.ID
}

// IsTeam says whether v is on the forum's team: their role holds any
// permission. It marks names with a badge; it is never a permission check.
func (v *Viewer) IsTeam() bool {
	return v.LoggedIn() && (v.IsAdmin() || len(v.perms()) > 0)
}

// MayUpload is CanUpload for templates: the composer shows its upload
// control to those who may use it.
func (v *Viewer) MayUpload() bool { return CanUpload(v) }

// MayManageCategories is CanManageCategories for templates.
func (v *Viewer) MayManageCategories() bool { return CanManageCategories(v) }

// MayModerate is CanModerate for templates: the header's links to the
// team's pages.
func (v *Viewer) MayModerate() bool { return CanModerate(v) }

// MaySeeAudit is CanSeeAudit for templates.
func (v *Viewer) MaySeeAudit() bool { return CanSeeAudit(v) }

// MayManageRoles is CanManageRoles for templates.
func (v *Viewer) MayManageRoles() bool { return CanManageRoles(v) }

// SilencedForever says whether v's silence has no end.
func (v *Viewer) SilencedForever() bool { return v.Silenced() && !v.SilencedUntil.Before(Forever) }

// MayModerateMembers says whether v sees the team's page about members
// (sanctions, notes or roles), for the profile's link to it.
func (v *Viewer) MayModerateMembers() bool {
	return CanSeeSanctions(v) || CanSeeNotes(v) || CanManageRoles(v)
}
