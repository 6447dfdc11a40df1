// Package profile owns members' public profiles: the profile page (who
// they are, their standing, badges and recent activity, filtered by what
// the reader may see), the member's own profile form, the staff form that
// sets a trust level, and GET /api/v1/users/{username}. The numbers come
// from app/user's counters and app/reputation; it changes nothing but the
// profile fields of the member's own row.
package profile

import (
	"context"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/errs"
	"causerie/app/markup"
	"causerie/app/reputation"
	"causerie/app/topic"
	"causerie/app/user"
)

// Service assembles profiles and saves profile edits.
type Service struct {
	db     *gorm.DB
	users  *user.Store
	cats   *category.Service
	rep    *reputation.Service
	render *markup.Renderer
}

// NewService wires profiles.
func NewService(g *gorm.DB, cats *category.Service, rep *reputation.Service, render *markup.Renderer) *Service {
	return &Service{db: g, users: user.NewStore(g), cats: cats, rep: rep, render: render}
}

// recentCount is how many topics and replies a profile shows.
const recentCount = 5

// Profile is a member's public profile as one reader sees it.
type Profile struct {
	User   *user.User
	Badges []reputation.Held
	Stats  reputation.Stats
	// Topics and Replies are the member's latest, among those the reader
	// may read.
	Topics  []*topic.Topic
	Replies []Reply
	// Self is the member looking at their own profile.
	Self bool
	// CanSetTrust shows the staff form that sets the trust level.
	CanSetTrust bool
	Levels      []int
}

// Reply is a recent reply with its topic.
type Reply struct {
	Post    *topic.Post
	Topic   *topic.Topic
	Excerpt string
}

// TrustName is the message ID naming the member's trust level.
func (p *Profile) TrustName() string { return auth.TrustName(p.User.TrustLevel) }

// LevelName is the message ID naming a trust level, for the staff form.
func (p *Profile) LevelName(level int) string { return auth.TrustName(level) }

// Bio is the member's bio, sanitised by app/markup when it was saved.
func (p *Profile) Bio() template.HTML { return template.HTML(p.User.BioHTML) }

// WebsiteLabel is the member's website without its scheme, to show.
func (p *Profile) WebsiteLabel() string {
	s := strings.TrimPrefix(strings.TrimPrefix(p.User.Website, "https://"), "http://")
	return strings.TrimSuffix(s, "/")
}

// User returns a member by username.
func (s *Service) User(ctx context.Context, username string) (*user.User, error) {
	return s.users.ByUsername(ctx, username)
}

// Profile returns the profile of username as v sees it.
func (s *Service) Profile(ctx context.Context, v *auth.Viewer, username string) (*Profile, error) {
	u, err := s.users.ByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	p := &Profile{User: u, Self: v.LoggedIn() && v.ID == u.ID, CanSetTrust: auth.CanSetTrust(v), Levels: auth.TrustLevels}
	if p.Badges, err = s.rep.UserBadges(ctx, u.ID); err != nil {
		return nil, err
	}
	if p.Stats, err = s.rep.Stats(ctx, u.ID); err != nil {
		return nil, err
	}
	readable, err := s.cats.ReadableIDs(ctx, v)
	if err != nil || len(readable) == 0 {
		return p, err
	}
	if p.Topics, err = s.recentTopics(ctx, u.ID, readable); err != nil {
		return nil, err
	}
	if p.Replies, err = s.recentReplies(ctx, u.ID, readable); err != nil {
		return nil, err
	}
	return p, nil
}

// recentTopics are the latest topics a member started in the readable
// categories.
func (s *Service) recentTopics(ctx context.Context, userID int64, readable []int64) ([]*topic.Topic, error) {
	var ts []*topic.Topic
	err := s.db.WithContext(ctx).Where("user_id = ? AND state = ? AND category_id IN ?", userID, topic.StatePublished, readable).
		Order("created_at DESC, id DESC").Limit(recentCount).Find(&ts).Error
	if err != nil {
		return nil, fmt.Errorf("recent topics of user %d: %w", userID, err)
	}
	return ts, nil
}

// recentReplies are the latest published replies of a member in topics of
// the readable categories, with their topics, in two queries.
func (s *Service) recentReplies(ctx context.Context, userID int64, readable []int64) ([]Reply, error) {
	var ps []*topic.Post
	err := s.db.WithContext(ctx).Select("posts.*").Joins("JOIN topics ON topics.id = posts.topic_id").
		Where("posts.user_id = ? AND posts.number > 1 AND posts.state = ? AND topics.state = ? AND topics.category_id IN ?",
			userID, topic.StatePublished, topic.StatePublished, readable).
		Order("posts.created_at DESC, posts.id DESC").Limit(recentCount).Find(&ps).Error
	if err != nil {
		return nil, fmt.Errorf("recent replies of user %d: %w", userID, err)
	}
	if len(ps) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.TopicID
	}
	var ts []*topic.Topic
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("topics of recent replies: %w", err)
	}
	byID := map[int64]*topic.Topic{}
	for _, t := range ts {
		byID[t.ID] = t
	}
	out := make([]Reply, 0, len(ps))
	for _, p := range ps {
		if t := byID[p.TopicID]; t != nil {
			out = append(out, Reply{Post: p, Topic: t, Excerpt: markup.Excerpt(s.render.Render(p.Body).Text, 200)})
		}
	}
	return out, nil
}

// Limits of the profile fields, in characters.
const (
	MaxDisplayName = 50
	MaxBio         = 3000
	MaxLocation    = 100
	MaxWebsite     = 200
)

// Input is what a member may change on their profile.
type Input struct {
	DisplayName string `form:"display_name" json:"display_name"`
	Bio         string `form:"bio" json:"bio"`
	Location    string `form:"location" json:"location"`
	Website     string `form:"website" json:"website"`
}

// Validate trims the fields and says which are at fault.
func (in *Input) Validate() error {
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	in.Bio = strings.TrimSpace(strings.ReplaceAll(in.Bio, "\r\n", "\n"))
	in.Location = strings.TrimSpace(in.Location)
	in.Website = strings.TrimSpace(in.Website)
	f := errs.Fields{}
	switch {
	case utf8.RuneCountInString(in.DisplayName) > MaxDisplayName:
		f["display_name"] = "validation.display_name_long"
	case strings.IndexFunc(in.DisplayName, unicode.IsControl) >= 0:
		f["display_name"] = "validation.display_name_format"
	}
	if utf8.RuneCountInString(in.Bio) > MaxBio {
		f["bio"] = "validation.bio_long"
	}
	switch {
	case utf8.RuneCountInString(in.Location) > MaxLocation:
		f["location"] = "validation.location_long"
	case strings.IndexFunc(in.Location, unicode.IsControl) >= 0:
		f["location"] = "validation.location_format"
	}
	if in.Website != "" && !validWebsite(in.Website) {
		f["website"] = "validation.website_format"
	}
	return f.Err()
}

// validWebsite accepts an absolute http:// or https:// address.
func validWebsite(s string) bool {
	if len(s) > MaxWebsite || strings.ContainsAny(s, " \t\n\"'<>") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

// Form is the profile form filled with a member's current values.
func Form(u *user.User) Input {
	return Input{DisplayName: u.DisplayName, Bio: u.Bio, Location: u.Location, Website: u.Website}
}

// Update saves v's own profile; the bio's Markdown is rendered and
// sanitised once, here, and kept beside its source.
func (s *Service) Update(ctx context.Context, v *auth.Viewer, in Input) (*user.User, error) {
	if !v.LoggedIn() {
		return nil, errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	u, err := s.users.Get(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	u.DisplayName, u.Bio, u.Location, u.Website = in.DisplayName, in.Bio, in.Location, in.Website
	u.BioHTML = ""
	if in.Bio != "" {
		u.BioHTML = s.render.Render(in.Bio).HTML
	}
	u.UpdatedAt = time.Now().UTC()
	if err := s.users.Update(ctx, u, "display_name", "bio", "bio_html", "location", "website"); err != nil {
		return nil, err
	}
	return u, nil
}
