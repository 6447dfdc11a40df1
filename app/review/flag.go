package review

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"causerie/app/audit"
	"causerie/app/auth"
	"causerie/app/errs"
	"causerie/app/event"
	"causerie/app/policy"
	"causerie/app/topic"
	"causerie/app/user"
)

// FlagInput is a member's flag (form or API).
type FlagInput struct {
	Reason string `form:"reason" json:"reason"`
	Note   string `form:"note" json:"note"`
}

func (in *FlagInput) validate() error {
	in.Note = strings.TrimSpace(in.Note)
	f := errs.Fields{}
	if !slices.Contains(Reasons, in.Reason) {
		f["reason"] = "review.flag_reason_required"
	}
	if in.Reason == ReasonOther && in.Note == "" {
		f["note"] = "review.flag_note_required"
	}
	if utf8.RuneCountInString(in.Note) > 500 {
		f["note"] = "validation.too_long"
	}
	return f.Err()
}

// mayFlag checks who may flag, and how often: members from trust level 1
// (auth.CanFlag), within their level's flags a day.
func (s *Service) mayFlag(ctx context.Context, v *auth.Viewer) error {
	if !v.LoggedIn() {
		return errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	if !auth.CanFlag(v) {
		return errs.New(errs.Forbidden, "review.flag_trust", nil)
	}
	if v.CanSomewhere(auth.PermReview) {
		return nil
	}
	limit := s.cfg.FlagsPerDay(v.TrustLevel)
	var n int64
	if err := s.db.WithContext(ctx).Model(&Flag{}).Where("by_id = ? AND created_at > ?", v.ID, s.now().Add(-24*time.Hour)).Count(&n).Error; err != nil {
		return fmt.Errorf("count flags of %d: %w", v.ID, err)
	}
	if int(n) >= limit {
		return s.flagLimit(ctx, v, limit)
	}
	return nil
}

// flagLimit is the day's flags used up: the message says when the limit
// frees (when the limit-th newest flag of the day is a day old), and the
// answer carries it as Retry-After.
func (s *Service) flagLimit(ctx context.Context, v *auth.Viewer, limit int) error {
	now := s.now()
	var at []time.Time
	if err := s.db.WithContext(ctx).Model(&Flag{}).Where("by_id = ? AND created_at > ?", v.ID, now.Add(-24*time.Hour)).
		Order("created_at DESC").Offset(max(limit-1, 0)).Limit(1).Pluck("created_at", &at).Error; err != nil {
		return fmt.Errorf("flags of %d: %w", v.ID, err)
	}
	wait := 24 * time.Hour
	if len(at) == 1 {
		wait = at[0].Add(24 * time.Hour).Sub(now)
	}
	wait = max(wait.Round(time.Second), time.Second)
	return &limitMsg{Msg: errs.New(errs.TooMany, "review.flags_per_day", map[string]any{"Count": limit, "Wait": policy.Wait(wait)}), retry: wait}
}

// limitMsg is a limit with its own message that knows when it frees:
// errors.As finds the *errs.Msg for the text and an *errs.Limited for
// Retry-After.
type limitMsg struct {
	*errs.Msg
	retry time.Duration
}

func (e *limitMsg) As(target any) bool {
	switch p := target.(type) {
	case **errs.Msg:
		*p = e.Msg
		return true
	case **errs.Limited:
		*p = &errs.Limited{RetryAfter: e.retry}
		return true
	}
	return false
}

// weight is what v's flag weighs: by trust level, more for the team.
func (s *Service) weight(v *auth.Viewer) int {
	if v.CanSomewhere(auth.PermReview) || v.CanSomewhere(auth.PermPropose) {
		return s.cfg.Weight(-1)
	}
	return s.cfg.Weight(v.TrustLevel)
}

// FlagPost records v's flag on a post they can read. The post's item adds
// the flag's weight to its score; when the score reaches [review]
// hide_score the post is hidden until a reviewer decides, and its author
// is told.
func (s *Service) FlagPost(ctx context.Context, v *auth.Viewer, postID int64, in FlagInput) (*Item, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	p, t, err := s.readablePost(ctx, v, postID)
	if err != nil {
		return nil, err
	}
	if p.UserID == v.ID {
		return nil, errs.New(errs.Forbidden, "review.flag_own", nil)
	}
	if p.State != topic.StatePublished {
		return nil, errs.New(errs.Conflict, "review.flag_not_published", nil)
	}
	if err := s.mayFlag(ctx, v); err != nil {
		return nil, err
	}
	var it *Item
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.now()
		var err error
		if it, err = s.addFlag(ctx, tx, v, t.CategoryID, &t.ID, &p.ID, p.UserID, postKey(p.ID), in, now); err != nil {
			return err
		}
		if s.cfg.HideScore == 0 || it.Score < s.cfg.HideScore || it.payload().AutoHidden {
			return nil
		}
		return s.autoHide(ctx, tx, it, t, p)
	})
	return it, err
}

// autoHide hides a post whose flags reached the threshold, as the system,
// and tells its author.
func (s *Service) autoHide(ctx context.Context, tx *gorm.DB, it *Item, t *topic.Topic, p *topic.Post) error {
	if _, _, err := s.topics.SetPostState(ctx, tx, p.ID, topic.StatePublished, topic.StateHidden, 0, "post.hide", ""); err != nil {
		if errors.Is(err, errs.Conflict) {
			return nil // hidden meanwhile
		}
		return err
	}
	pl := it.payload()
	pl.AutoHidden = true
	if err := tx.Model(&Item{}).Where("id = ?", it.ID).Update("payload", encode(pl)).Error; err != nil {
		return err
	}
	if err := audit.Record(tx, audit.Change{Action: "post.hide", ObjectType: "post", ObjectID: p.ID, Category: t.CategoryID,
		Reason: "flags", Before: map[string]any{"state": topic.StatePublished},
		After: map[string]any{"state": topic.StateHidden, "score": it.Score, "item": it.ID}}); err != nil {
		return err
	}
	return s.notice(ctx, tx, event.MemberNotice{UserID: p.UserID, Message: "review.notice_flag_hidden", Title: t.Title,
		URL: p.URL(), Key: fmt.Sprintf("flag-hidden:%d", it.ID)})
}

// FlagUser records v's flag on a member's profile.
func (s *Service) FlagUser(ctx context.Context, v *auth.Viewer, username string, in FlagInput) (*Item, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	u, err := user.NewStore(s.db).ByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	if u.ID == v.ID {
		return nil, errs.New(errs.Forbidden, "review.flag_own", nil)
	}
	if err := s.mayFlag(ctx, v); err != nil {
		return nil, err
	}
	var it *Item
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		it, err = s.addFlag(ctx, tx, v, 0, nil, nil, u.ID, userKey(u.ID), in, s.now())
		return err
	})
	return it, err
}

// addFlag adds one flag to its target's open item.
func (s *Service) addFlag(ctx context.Context, tx *gorm.DB, v *auth.Viewer, cat int64, topicID, postID *int64, subject int64,
	key string, in FlagInput, now time.Time) (*Item, error) {
	it, err := s.flagItem(ctx, tx, cat, topicID, postID, subject, key, now)
	if err != nil {
		return nil, err
	}
	w := s.weight(v)
	res := tx.Exec(`INSERT INTO flags (target_key, post_id, user_id, by_id, reason, note, weight, status, review_item_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		key, postID, subject, v.ID, in.Reason, in.Note, w, StatusOpen, it.ID, now)
	if res.Error != nil {
		return nil, fmt.Errorf("flag %s: %w", key, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, errs.New(errs.Conflict, "review.flag_twice", nil)
	}
	if err := tx.Model(&Item{}).Where("id = ?", it.ID).Updates(map[string]any{"score": gorm.Expr("score + ?", w),
		"reasons": addReason(it.Reasons, in.Reason), "updated_at": now}).Error; err != nil {
		return nil, fmt.Errorf("score item %d: %w", it.ID, err)
	}
	it.Score += w
	it.Reasons = addReason(it.Reasons, in.Reason)
	return it, nil
}

// readablePost loads a post v may read, with its topic.
func (s *Service) readablePost(ctx context.Context, v *auth.Viewer, postID int64) (*topic.Post, *topic.Topic, error) {
	st := topic.NewStore(s.db)
	p, err := st.Post(ctx, postID)
	if err != nil {
		return nil, nil, err
	}
	t, err := st.Topic(ctx, p.TopicID)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.cats.ReadableByID(ctx, v, t.CategoryID)
	if err != nil {
		return nil, nil, topic.ErrNotFound
	}
	if !auth.CanSeePost(v, c.Grants, auth.PostState{AuthorID: p.UserID, State: p.State}) {
		return nil, nil, topic.ErrNotFound
	}
	return p, t, nil
}

// FlagForm is what the flag page shows: the post or the member flagged.
type FlagForm struct {
	Post    *topic.Post
	Topic   *topic.Topic
	User    *user.User
	Reasons []string
}

// PostToFlag loads what the flag page of a post shows.
func (s *Service) PostToFlag(ctx context.Context, v *auth.Viewer, postID int64) (*FlagForm, error) {
	p, t, err := s.readablePost(ctx, v, postID)
	if err != nil {
		return nil, err
	}
	u, err := user.NewStore(s.db).Get(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	return &FlagForm{Post: p, Topic: t, User: u, Reasons: Reasons}, nil
}

// UserToFlag loads what the flag page of a profile shows.
func (s *Service) UserToFlag(ctx context.Context, username string) (*FlagForm, error) {
	u, err := user.NewStore(s.db).ByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	return &FlagForm{User: u, Reasons: Reasons}, nil
}
