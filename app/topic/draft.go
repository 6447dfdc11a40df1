package topic

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm/clause"

	"causerie/app/auth"
	"causerie/app/errs"
)

// DraftInput is what the composer saves as it is typed.
type DraftInput struct {
	Key   string `form:"key" json:"key"`
	Title string `form:"title" json:"title"`
	Body  string `form:"body" json:"body"`
}

func validDraftKey(k string) bool {
	if k == "new" {
		return true
	}
	rest, ok := strings.CutPrefix(k, "topic:")
	if !ok || rest == "" {
		return false
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// SaveDraft keeps v's unsent text on the server ("new" for a new topic,
// "topic:<id>" for a reply); an empty text removes the draft.
func (s *Service) SaveDraft(ctx context.Context, v *auth.Viewer, in DraftInput) error {
	if !v.LoggedIn() {
		return errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	if !validDraftKey(in.Key) {
		return errs.Fields{"key": "validation.draft_key"}
	}
	if utf8.RuneCountInString(in.Body) > s.cfg.MaxPostLength || utf8.RuneCountInString(in.Title) > s.cfg.MaxTitleLength {
		return errs.Fields{"body": "validation.body_long"}
	}
	if strings.TrimSpace(in.Body) == "" && strings.TrimSpace(in.Title) == "" {
		return s.db.WithContext(ctx).Where("user_id = ? AND key = ?", v.ID, in.Key).Delete(&Draft{}).Error
	}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"title", "body", "updated_at"}),
	}).Create(&Draft{UserID: v.ID, Key: in.Key, Title: in.Title, Body: in.Body, UpdatedAt: time.Now().UTC()}).Error
	if err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	return nil
}

// Draft returns v's draft under key, or an empty one.
func (s *Service) Draft(ctx context.Context, v *auth.Viewer, key string) (Draft, error) {
	var d Draft
	if !v.LoggedIn() || !validDraftKey(key) {
		return d, nil
	}
	err := s.db.WithContext(ctx).Where("user_id = ? AND key = ?", v.ID, key).Limit(1).Find(&d).Error
	return d, err
}
