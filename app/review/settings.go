package review

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"

	"causerie/app/audit"
	"causerie/app/auth"
	"causerie/app/category"
	"gorm.io/gorm"
)

// CategoryRule is a category with its review rule, for the settings page.
type CategoryRule struct {
	*category.Category
	RequireApproval bool
}

// CategoryRules lists every category with whether it holds new posts.
func (s *Service) CategoryRules(ctx context.Context, v *auth.Viewer) ([]CategoryRule, error) {
	if !v.Can(auth.PermPolicy, 0) {
		return nil, forbidden()
	}
	all, err := s.cats.Store().All(ctx)
	if err != nil {
		return nil, err
	}
	var set []CategorySetting
	if err := s.db.WithContext(ctx).Find(&set).Error; err != nil {
		return nil, fmt.Errorf("review rules: %w", err)
	}
	on := map[int64]bool{}
	for _, cs := range set {
		on[cs.CategoryID] = cs.RequireApproval
	}
	out := make([]CategoryRule, 0, len(all))
	for _, c := range all {
		out = append(out, CategoryRule{Category: c, RequireApproval: on[c.ID]})
	}
	return out, nil
}

// SetRequireApproval says whether every new post of a category waits for
// a reviewer (audited).
func (s *Service) SetRequireApproval(ctx context.Context, v *auth.Viewer, categoryID int64, on bool) error {
	if !v.Can(auth.PermPolicy, 0) {
		return forbidden()
	}
	if _, err := s.cats.Get(ctx, categoryID); err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cs := CategorySetting{CategoryID: categoryID, RequireApproval: on, UpdatedAt: s.now()}
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "category_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"require_approval", "updated_at"})}).Create(&cs).Error; err != nil {
			return fmt.Errorf("review rule of category %d: %w", categoryID, err)
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "category.require_approval", ObjectType: "category",
			ObjectID: categoryID, Category: categoryID, After: map[string]any{"require_approval": on}})
	})
}
