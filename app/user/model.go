// Package user owns accounts: registration with e-mail confirmation, log in
// and out, password reset, e-mail and password changes, language, the
// first-run administrator, and API tokens. It turns sessions and tokens into
// the auth.Viewer every other domain reads.
package user

import (
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"causerie/app/auth"
)

// User is a member account.
type User struct {
	ID               int64
	Username         string
	Email            string
	PasswordHash     string
	Role             auth.Role
	Language         string
	EmailConfirmedAt *time.Time
	LastSeenAt       *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time

	// Profile, shown on the public profile page.
	DisplayName string
	Bio         string // Markdown
	BioHTML     string `gorm:"column:bio_html"`
	Location    string
	Website     string
	// Theme is the colour scheme: "" follows the system, or light, dark.
	Theme string
	// AvatarUploadID is the member's uploaded picture (app/upload); nil
	// shows the generated one.
	AvatarUploadID *int64

	// Standing in the community, kept up to date as things happen.
	TrustLevel        int
	TrustLocked       bool
	Reputation        int
	TopicsCount       int
	PostsCount        int
	ReactionsReceived int
	ReactionsGiven    int
	AcceptedAnswers   int

	// E-mail about notifications: immediate (batched), daily, weekly or
	// never, and when the last batch and digest went out (app/notify).
	EmailFrequency string `gorm:"default:immediate"`
	LastMailedAt   *time.Time
	LastDigestAt   *time.Time

	// Sanctions in force (app/staff keeps their history): until when the
	// member is silenced or suspended (nil: not; auth.Forever: for good),
	// and whether a warning waits to be read.
	SilencedUntil  *time.Time
	SuspendedUntil *time.Time
	WarningUnread  bool
}

// Name is how the member is shown: their display name, else their username.
func (u *User) Name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// URL is the member's public profile.
func (u *User) URL() string { return "/u/" + u.Username }

// Confirmed says whether the member has confirmed their e-mail address.
func (u *User) Confirmed() bool { return u.EmailConfirmedAt != nil }

// Viewer is the user as the rest of the application sees them. Requests
// get theirs from the Service, which adds the role's permissions and the
// member's scope; this one carries the built-in role's.
func (u *User) Viewer() *auth.Viewer {
	v := &auth.Viewer{ID: u.ID, Username: u.Username, Email: u.Email, Role: u.Role, Language: u.Language, Theme: u.Theme,
		TrustLevel: u.TrustLevel, WarningUnread: u.WarningUnread}
	if u.SilencedUntil != nil {
		v.SilencedUntil = *u.SilencedUntil
	}
	return v
}

// Token purposes: each one-time link is good for one of these only.
const (
	PurposeConfirm     = "confirm"
	PurposeReset       = "reset"
	PurposeEmailChange = "email"
)

// Token is a one-time link sent by e-mail. Only a hash of it is stored.
type Token struct {
	ID        int64
	UserID    int64
	Purpose   string
	TokenHash string
	Email     string // the new address, for an e-mail change
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (Token) TableName() string { return "user_tokens" }

// APIToken lets a program act as a member with "Authorization: Bearer".
// Only a hash of it is stored; the token is shown once, when made.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// Setting is one key of the settings table.
type Setting struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	UpdatedAt time.Time
}

// AvatarURL is the address of the member's uploaded picture, or "" when
// they have none (the generated avatar stands in). Served by app/upload;
// the address changes with the picture, so it may be cached for good.
func (u *User) AvatarURL() string {
	if u.AvatarUploadID == nil {
		return ""
	}
	return "/uploads/avatars/" + strconv.FormatInt(*u.AvatarUploadID, 10)
}

// Initial is the letter of the generated avatar.
func (u *User) Initial() string {
	for _, r := range strings.ToUpper(u.Name()) {
		return string(r)
	}
	return "?"
}

// avatarColors are dark enough for white text (AA contrast).
var avatarColors = []string{"#1f4fb5", "#8a3ffc", "#b42318", "#0f7b6c", "#9a3412", "#4338ca", "#0e7490", "#7c2d12"}

// AvatarColor is the background of the generated avatar, fixed per member.
func (u *User) AvatarColor() string {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(u.Username)))
	return avatarColors[h.Sum32()%uint32(len(avatarColors))]
}

// IsStaff says whether the member is on the forum's team (any role but
// member's), for the badge beside their name. Permissions are asked of the
// authorizer, never of this.
func (u *User) IsStaff() bool { return u.Role != "" && u.Role != auth.RoleMember }
