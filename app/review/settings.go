package review

import (
	"context"
	"fmt"
	"sync"
	"time"

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
	defer s.rules.invalidate() // after the commit: a reading begun before it is not kept
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

// rulesCache keeps in memory the categories whose new posts wait for a
// reviewer: the gate asks on every new post, and they change rarely. A
// change made on this node is seen by the next post; one made on another
// node within rulesTTL, as roles are (app/user).
type rulesCache struct {
	mu     sync.Mutex
	held   map[int64]bool
	loaded time.Time
	gen    uint64 // counts invalidations, so a reading begun before one is not kept
}

const rulesTTL = 3 * time.Second

func (c *rulesCache) invalidate() {
	c.mu.Lock()
	c.held, c.gen = nil, c.gen+1
	c.mu.Unlock()
}

// requiresApproval says whether every new post of the category is held.
func (s *Service) requiresApproval(ctx context.Context, categoryID int64) (bool, error) {
	c := &s.rules
	c.mu.Lock()
	held, gen := c.held, c.gen
	fresh := held != nil && time.Since(c.loaded) < rulesTTL
	c.mu.Unlock()
	if fresh {
		return held[categoryID], nil
	}
	var ids []int64
	if err := s.db.WithContext(ctx).Model(&CategorySetting{}).Where("require_approval = ?", true).Pluck("category_id", &ids).Error; err != nil {
		return false, fmt.Errorf("review rules of categories (category %d): %w", categoryID, err)
	}
	held = make(map[int64]bool, len(ids))
	for _, id := range ids {
		held[id] = true
	}
	c.mu.Lock()
	if c.gen == gen {
		c.held, c.loaded = held, time.Now()
	}
	c.mu.Unlock()
	return held[categoryID], nil
}
