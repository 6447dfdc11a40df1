package reputation

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"causerie/app/errs"
	"causerie/app/event"
	"causerie/app/user"
)

// The built-in badges.
const (
	BadgeFirstPost     = "first_post"
	BadgeFirstReaction = "first_reaction"
	BadgeWelcome       = "welcome"
	BadgeFirstAccepted = "first_accepted_answer"
	BadgeTenReactions  = "ten_reactions"
	BadgeHelpful       = "helpful"
	BadgeAnniversary   = "anniversary"
)

// ErrNoBadge is returned for a badge that does not exist.
var ErrNoBadge = fmt.Errorf("badge: %w", errs.NotFound)

// Badge is a built-in badge: its name, and the condition over a member's
// row in users that earns it. Its title and description are the messages
// badges.<name> and badges.<name>_about.
type Badge struct {
	Name  string
	where string                    // SQL over users
	args  func(now time.Time) []any // the values of where's placeholders
}

// Title is the message ID of the badge's name.
func (b Badge) Title() string { return "badges." + b.Name }

// About is the message ID of what earns the badge.
func (b Badge) About() string { return "badges." + b.Name + "_about" }

// URL is the badge's page, which lists its holders.
func (b Badge) URL() string { return "/badges/" + b.Name }

func noArgs(time.Time) []any { return nil }

// Badges lists the built-in badges, easiest first. Each is earned once and
// kept, even if what earned it is later undone.
func Badges() []Badge {
	return []Badge{
		{BadgeFirstPost, "users.posts_count >= 1", noArgs},
		{BadgeFirstReaction, "users.reactions_given >= 1", noArgs},
		{BadgeWelcome, "users.reactions_received >= 1", noArgs},
		{BadgeFirstAccepted, "users.accepted_answers >= 1", noArgs},
		{BadgeTenReactions, "users.reactions_received >= 10", noArgs},
		{BadgeHelpful, "users.accepted_answers >= 5", noArgs},
		// A year a member, and one who took part.
		{BadgeAnniversary, "users.created_at <= ? AND users.posts_count >= 1", func(now time.Time) []any {
			return []any{now.AddDate(-1, 0, 0)}
		}},
	}
}

// BadgeNamed returns the built-in badge called name.
func BadgeNamed(name string) (Badge, error) {
	for _, b := range Badges() {
		if b.Name == name {
			return b, nil
		}
	}
	return Badge{}, ErrNoBadge
}

// CheckBadges grants the member those of the named badges they have earned
// and do not hold yet; postID (0 for none) is the post that earned them.
func (s *Service) CheckBadges(ctx context.Context, userID, postID int64, names ...string) error {
	if userID == 0 {
		return nil
	}
	now := s.now()
	for _, name := range names {
		b, err := BadgeNamed(name)
		if err != nil {
			return err
		}
		var n int64
		if err := s.lacking(ctx, b, now).Where("users.id = ?", userID).Count(&n).Error; err != nil {
			return fmt.Errorf("check badge %s for user %d: %w", name, userID, err)
		}
		if n == 0 {
			continue
		}
		if err := s.grant(ctx, userID, name, postID); err != nil {
			return err
		}
	}
	return nil
}

// lacking selects the members who have earned b and do not hold it.
func (s *Service) lacking(ctx context.Context, b Badge, now time.Time) *gorm.DB {
	return s.db.WithContext(ctx).Model(&user.User{}).Where(b.where, b.args(now)...).
		Where("NOT EXISTS (SELECT 1 FROM user_badges ub WHERE ub.user_id = users.id AND ub.badge = ?)", b.Name)
}

// grant gives a member a badge, once: a second grant does nothing and
// publishes nothing.
func (s *Service) grant(ctx context.Context, userID int64, badge string, postID int64) error {
	a := &Award{UserID: userID, Badge: badge, GrantedAt: s.now().Truncate(time.Microsecond)}
	if postID != 0 {
		a.PostID = &postID
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(a)
		if res.Error != nil {
			return fmt.Errorf("grant badge %s to user %d: %w", badge, userID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		return s.events.PublishTx(ctx, tx, event.BadgeGranted{UserID: userID, Badge: badge})
	})
}

// sweepBatch is how many members one query of SweepBadges reads.
const sweepBatch = 500

// SweepBadges grants every badge to every member who has earned it and
// does not hold it: the anniversary, which no event announces, and any
// badge an event missed.
func (s *Service) SweepBadges(ctx context.Context) error {
	now := s.now()
	for _, b := range Badges() {
		for {
			var ids []int64
			if err := s.lacking(ctx, b, now).Order("users.id").Limit(sweepBatch).Pluck("users.id", &ids).Error; err != nil {
				return fmt.Errorf("members who earned %s: %w", b.Name, err)
			}
			for _, id := range ids {
				if err := s.grant(ctx, id, b.Name, 0); err != nil {
					return err
				}
			}
			if len(ids) < sweepBatch {
				break
			}
		}
	}
	return nil
}

// Held is a badge a member holds.
type Held struct {
	Badge
	GrantedAt time.Time
	PostID    *int64
}

// UserBadges lists the badges a member holds, in the order they came.
func (s *Service) UserBadges(ctx context.Context, userID int64) ([]Held, error) {
	var as []Award
	if err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("granted_at, badge").Find(&as).Error; err != nil {
		return nil, fmt.Errorf("badges of user %d: %w", userID, err)
	}
	out := make([]Held, 0, len(as))
	for _, a := range as {
		if b, err := BadgeNamed(a.Badge); err == nil { // a badge retired from the code is not shown
			out = append(out, Held{Badge: b, GrantedAt: a.GrantedAt, PostID: a.PostID})
		}
	}
	return out, nil
}

// BadgeCount is a badge and how many members hold it.
type BadgeCount struct {
	Badge
	Holders int
}

// BadgeCounts lists every built-in badge with its number of holders.
func (s *Service) BadgeCounts(ctx context.Context) ([]BadgeCount, error) {
	var rows []struct {
		Badge string
		N     int
	}
	if err := s.db.WithContext(ctx).Model(&Award{}).Select("badge, COUNT(*) AS n").Group("badge").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("count badges: %w", err)
	}
	n := map[string]int{}
	for _, r := range rows {
		n[r.Badge] = r.N
	}
	var out []BadgeCount
	for _, b := range Badges() {
		out = append(out, BadgeCount{Badge: b, Holders: n[b.Name]})
	}
	return out, nil
}

// Holder is a member holding a badge.
type Holder struct {
	User      *user.User
	GrantedAt time.Time
}

// HolderPage is one page of a badge's holders, newest first.
type HolderPage struct {
	Badge   Badge
	Count   int
	Holders []Holder
	// Next is the cursor of the following page ("" at the end).
	Next string
}

// HoldersPerPage is the length of a page of holders.
const HoldersPerPage = 50

// Holders returns a page of a badge's holders, newest first, cut with a
// keyset cursor.
func (s *Service) Holders(ctx context.Context, name, cursor string) (*HolderPage, error) {
	b, err := BadgeNamed(name)
	if err != nil {
		return nil, err
	}
	page := &HolderPage{Badge: b}
	var count int64
	if err := s.db.WithContext(ctx).Model(&Award{}).Where("badge = ?", name).Count(&count).Error; err != nil {
		return nil, fmt.Errorf("count holders of %s: %w", name, err)
	}
	page.Count = int(count)
	q := s.db.WithContext(ctx).Where("badge = ?", name)
	if cursor != "" {
		at, id, err := decodeCursor(cursor)
		if err != nil {
			return nil, err
		}
		q = q.Where("(granted_at < ? OR (granted_at = ? AND user_id < ?))", at, at, id)
	}
	var as []Award
	if err := q.Order("granted_at DESC, user_id DESC").Limit(HoldersPerPage + 1).Find(&as).Error; err != nil {
		return nil, fmt.Errorf("holders of %s: %w", name, err)
	}
	if len(as) > HoldersPerPage {
		as = as[:HoldersPerPage]
		last := as[len(as)-1]
		page.Next = encodeCursor(last.GrantedAt, last.UserID)
	}
	ids := make([]int64, len(as))
	for i, a := range as {
		ids[i] = a.UserID
	}
	users, err := loadUsers(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if u := users[a.UserID]; u != nil {
			page.Holders = append(page.Holders, Holder{User: u, GrantedAt: a.GrantedAt})
		}
	}
	return page, nil
}

// loadUsers reads members by ID in one query.
func loadUsers(ctx context.Context, g *gorm.DB, ids []int64) (map[int64]*user.User, error) {
	out := map[int64]*user.User{}
	if len(ids) == 0 {
		return out, nil
	}
	var us []*user.User
	if err := g.WithContext(ctx).Where("id IN ?", ids).Find(&us).Error; err != nil {
		return nil, fmt.Errorf("load users: %w", err)
	}
	for _, u := range us {
		out[u.ID] = u
	}
	return out, nil
}

func encodeCursor(at time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + "." + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (time.Time, int64, error) {
	bad := errs.Fields{"cursor": "validation.cursor"}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, 0, bad
	}
	a, b, ok := strings.Cut(string(raw), ".")
	us, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return time.Time{}, 0, bad
	}
	return time.UnixMicro(us).UTC(), id, nil
}
