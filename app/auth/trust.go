package auth

import "causerie/app/config"

// Trust levels. Members climb them by taking part (app/reputation promotes
// them); each level unlocks what the one below may not do yet. Staff may do
// all of it whatever their level.
const (
	TrustNew     = 0 // just joined: few links and images, few posts a day
	TrustBasic   = 1 // may upload and flag
	TrustMember  = 2
	TrustRegular = 3 // may also move topics to another category and retag them
	TrustLeader  = 4 // given by staff only
)

// TrustLevels lists the levels, lowest first.
var TrustLevels = []int{TrustNew, TrustBasic, TrustMember, TrustRegular, TrustLeader}

// TrustName is the message ID naming a trust level ("trust.level_2").
func TrustName(level int) string {
	switch level {
	case TrustNew:
		return "trust.level_0"
	case TrustBasic:
		return "trust.level_1"
	case TrustMember:
		return "trust.level_2"
	case TrustRegular:
		return "trust.level_3"
	}
	return "trust.level_4"
}

// trusted says whether v is a member of at least level, or on a team that
// bypasses the limits of newcomers (PermBypassLimit).
func trusted(v *Viewer, level int) bool {
	return v.LoggedIn() && (v.CanSomewhere(PermBypassLimit) || v.TrustLevel >= level)
}

// CanUpload says whether v may upload images and files (level 1 and up).
// A silenced member uploads nothing.
func CanUpload(v *Viewer) bool { return trusted(v, TrustBasic) && !v.Silenced() }

// CanFlag says whether v may flag posts for the team (level 1 and up).
// A silenced member flags nothing.
func CanFlag(v *Viewer) bool { return trusted(v, TrustBasic) && !v.Silenced() }

// CanRetag says whether v may move anyone's topic to another category and
// change its tags (level 3 and up): regulars help keep the forum tidy. The
// category must still let v read the topic and start topics there.
func CanRetag(v *Viewer) bool { return trusted(v, TrustRegular) && !v.Silenced() }

// CanSetTrust says whether v may set and lock a member's trust level
// (PermTrust).
func CanSetTrust(v *Viewer) bool { return v.Can(PermTrust, 0) }

// Limits bound what a new member may post. When Limited is false there is
// no limit; when true each number is the most allowed (0: none).
type Limits struct {
	Limited       bool
	LinksPerPost  int
	ImagesPerPost int
	PostsPerDay   int
}

// PostLimits are the limits on what v may post: new members (level 0) get
// [trust] new_max_links, new_max_images and new_posts_per_day, so a spammer
// who signs up cannot flood the forum with links; everyone else, none.
func PostLimits(v *Viewer, cfg config.Trust) Limits {
	if trusted(v, TrustBasic) {
		return Limits{}
	}
	return Limits{Limited: true, LinksPerPost: cfg.NewMaxLinks, ImagesPerPost: cfg.NewMaxImages, PostsPerDay: cfg.NewPostsPerDay}
}
