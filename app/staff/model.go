// Package staff owns what the team does to members and to itself: roles
// and their permissions, giving a role to a member and scoping their
// moderation to categories, sanctions (warning, silence, suspension) and
// their lifting, moderator notes on members, and the audit log's page,
// API and CSV export. Every change here is recorded in the audit log in
// its own transaction.
package staff

import (
	"time"

	"causerie/app/auth"
)

// Kinds of sanction.
const (
	KindWarning    = "warning"    // a message from the team, recorded
	KindSilence    = "silence"    // may read, not write
	KindSuspension = "suspension" // may not log in
)

// Kinds lists the kinds of sanction, mildest first.
var Kinds = []string{KindWarning, KindSilence, KindSuspension}

// Sanction is one sanction of a member, in force or not: lifted ones and
// ended ones stay on record.
type Sanction struct {
	ID         int64
	UserID     int64
	Kind       string
	Reason     string
	CreatedBy  *int64
	CreatedAt  time.Time
	EndsAt     *time.Time // nil: permanent (warnings have no end)
	SeenAt     *time.Time // when the member read a warning
	LiftedAt   *time.Time
	LiftedBy   *int64
	LiftReason string

	// Author and Lifter are the usernames of who gave and who lifted it
	// (filled for the team's pages).
	Author string `gorm:"-"`
	Lifter string `gorm:"-"`
}

// InForce says whether the sanction applies at now: not lifted, not ended.
// A warning is in force until lifted.
func (s *Sanction) InForce(now time.Time) bool {
	return s.LiftedAt == nil && (s.EndsAt == nil || s.EndsAt.After(now))
}

// Active is InForce now, for templates.
func (s *Sanction) Active() bool { return s.InForce(time.Now()) }

// Permanent says whether a silence or suspension has no end.
func (s *Sanction) Permanent() bool { return s.Kind != KindWarning && s.EndsAt == nil }

// Note is something the team writes about a member, which the member
// never sees.
type Note struct {
	ID        int64
	UserID    int64
	AuthorID  *int64
	Body      string
	CreatedAt time.Time

	Author string `gorm:"-"` // the author's username
}

func (Note) TableName() string { return "member_notes" }

// Rank bounds for roles administrators define: above members (0), below
// administrators (100).
const (
	minRank = 1
	maxRank = 99
)

// PermGroups groups the permissions as the role form shows them.
var PermGroups = []struct {
	Name  string
	Perms []auth.Permission
}{
	{"content", []auth.Permission{auth.PermSeeHidden, auth.PermHide, auth.PermEditPosts, auth.PermManage, auth.PermPin,
		auth.PermFeature, auth.PermAnnounce, auth.PermOfficial, auth.PermCanned, auth.PermBypassLimit, auth.PermEditOwnOld, auth.PermLockTopics}},
	{"review", []auth.Permission{auth.PermReview, auth.PermPropose, auth.PermAssign, auth.PermApprove}},
	{"members", []auth.Permission{auth.PermSanction, auth.PermNotes, auth.PermRegistrants, auth.PermTrust, auth.PermSeeProfiles}},
	{"site", []auth.Permission{auth.PermPolicy, auth.PermAudit, auth.PermReports, auth.PermCategories, auth.PermRoles,
		auth.PermPurge, auth.PermSettings}},
}
