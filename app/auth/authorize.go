package auth

// This file is the one authorizer: every "may this person do this to
// that?" is answered here, and pages, the API, lists, feeds and
// notifications all ask it.

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

// Grants is who may do what in one category.
type Grants map[Action]map[Role]bool

// has says whether the viewer holds a role the grants allow for action.
// Administrators may do everything everywhere.
func (g Grants) has(v *Viewer, a Action) bool {
	if v.IsAdmin() {
		return true
	}
	roles := g[a]
	if roles[RoleEveryone] {
		return true
	}
	if !v.LoggedIn() {
		return false
	}
	return roles[RoleMembers] || roles[v.Role]
}

// CanRead says whether v may see a category, its topics and posts.
func CanRead(v *Viewer, g Grants) bool { return g.has(v, Read) }

// CanStart says whether v may start a topic of kind in a category.
// Announcements are for staff.
func CanStart(v *Viewer, g Grants, kind string) bool {
	if !v.LoggedIn() || !g.has(v, Read) || !g.has(v, Start) {
		return false
	}
	return kind != "announcement" || v.IsStaff()
}

// TopicState is what the authorizer needs to know of a topic.
type TopicState struct {
	AuthorID         int64
	Closed, Archived bool
}

// CanReply says whether v may reply to a topic. Closed topics take replies
// from staff only; archived ones from nobody.
func CanReply(v *Viewer, g Grants, t TopicState) bool {
	if !v.LoggedIn() || t.Archived || !g.has(v, Read) || !g.has(v, Reply) {
		return false
	}
	return !t.Closed || v.IsStaff()
}

// PostState is what the authorizer needs to know of a post.
type PostState struct {
	AuthorID int64
	State    string // published, pending, hidden, deleted
}

// CanSeePost says whether v may read a post's content: published posts for
// everyone who can read the category; hidden, pending and deleted ones for
// staff, and for their author (who must see why a post was hidden).
func CanSeePost(v *Viewer, g Grants, p PostState) bool {
	if !g.has(v, Read) {
		return false
	}
	if p.State == "published" {
		return true
	}
	return v.IsStaff() || (v.LoggedIn() && v.ID == p.AuthorID && p.State != "deleted")
}

// CanEditPost says whether v may edit a post: its author while the topic is
// not archived and the post not deleted, and staff always.
func CanEditPost(v *Viewer, g Grants, t TopicState, p PostState) bool {
	if !v.LoggedIn() || !g.has(v, Read) {
		return false
	}
	if v.IsStaff() {
		return true
	}
	return v.ID == p.AuthorID && !t.Archived && p.State != "deleted"
}

// CanDeletePost says whether v may delete a post (softly: staff can restore
// it). Authors may delete their own replies; the first post of a topic goes
// with its topic, which staff handle.
func CanDeletePost(v *Viewer, g Grants, t TopicState, p PostState, first bool) bool {
	if !v.LoggedIn() || !g.has(v, Read) {
		return false
	}
	if v.IsStaff() {
		return true
	}
	return v.ID == p.AuthorID && !first && !t.Archived && p.State != "deleted"
}

// CanRestorePost says whether v may bring back a deleted post: staff only.
func CanRestorePost(v *Viewer, g Grants) bool { return v.IsStaff() && g.has(v, Read) }

// CanReact says whether v may react to a post: members who can read it,
// not on their own post.
func CanReact(v *Viewer, g Grants, t TopicState, p PostState) bool {
	return v.LoggedIn() && g.has(v, Read) && !t.Archived && p.State == "published" && v.ID != p.AuthorID
}

// CanAccept says whether v may mark a reply as a question's accepted
// answer: the asker, or staff.
func CanAccept(v *Viewer, g Grants, t TopicState) bool {
	return v.LoggedIn() && g.has(v, Read) && !t.Archived && (v.ID == t.AuthorID || v.IsStaff())
}

// CanManageCategories says whether v may create and change categories.
func CanManageCategories(v *Viewer) bool { return v.IsAdmin() }

// CanModerate says whether v may pin, close, move and see every post.
func CanModerate(v *Viewer) bool { return v.IsStaff() }

// MayUpload is CanUpload for templates: the composer shows its upload
// control to those who may use it.
func (v *Viewer) MayUpload() bool { return CanUpload(v) }
