package category

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"causerie/app/auth"
	"causerie/app/db"
	"causerie/app/errs"
)

// ErrNotFound is returned for a category or tag that does not exist.
var ErrNotFound = fmt.Errorf("category: %w", errs.NotFound)

// Store reads and writes categories and tags.
type Store struct{ db *gorm.DB }

// NewStore wraps a database handle or transaction.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// All loads every category with its grants, ordered for display.
func (s *Store) All(ctx context.Context) ([]*Category, error) {
	var cats []*Category
	if err := s.db.WithContext(ctx).Order("position, name, id").Find(&cats).Error; err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	var perms []Permission
	if err := s.db.WithContext(ctx).Find(&perms).Error; err != nil {
		return nil, fmt.Errorf("list category permissions: %w", err)
	}
	byID := map[int64]*Category{}
	for _, c := range cats {
		c.Grants = auth.NewGrants(c.ID)
		byID[c.ID] = c
	}
	for _, p := range perms {
		if c := byID[p.CategoryID]; c != nil {
			c.Grants.Set(auth.Action(p.Action), auth.Role(p.Role))
		}
	}
	return cats, nil
}

// Create inserts a category and its grants.
func (s *Store) Create(ctx context.Context, c *Category) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(c).Error; err != nil {
			if db.IsUniqueViolation(err) {
				return errs.Fields{"slug": "validation.slug_taken"}
			}
			return fmt.Errorf("create category %s: %w", c.Slug, err)
		}
		c.Grants.CategoryID = c.ID
		if err := NewStore(tx).setGrants(ctx, c.ID, c.Grants); err != nil {
			return err
		}
		return NewStore(tx).SetAllowedTags(ctx, c.ID, c.AllowedTags)
	})
}

// Update writes a category's fields and grants.
func (s *Store) Update(ctx context.Context, c *Category) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c.UpdatedAt = time.Now().UTC()
		err := tx.Model(c).Select("parent_id", "name", "slug", "description", "color", "position", "updated_at").Updates(c).Error
		if db.IsUniqueViolation(err) {
			return errs.Fields{"slug": "validation.slug_taken"}
		}
		if err != nil {
			return fmt.Errorf("update category %d: %w", c.ID, err)
		}
		if err := tx.Where("category_id = ?", c.ID).Delete(&Permission{}).Error; err != nil {
			return err
		}
		if err := NewStore(tx).setGrants(ctx, c.ID, c.Grants); err != nil {
			return err
		}
		return NewStore(tx).SetAllowedTags(ctx, c.ID, c.AllowedTags)
	})
}

func (s *Store) setGrants(ctx context.Context, id int64, g auth.Grants) error {
	var rows []Permission
	for a, roles := range g.Allow {
		for r, ok := range roles {
			if ok {
				rows = append(rows, Permission{CategoryID: id, Role: string(r), Action: string(a)})
			}
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Role+rows[i].Action < rows[j].Role+rows[j].Action })
	if len(rows) == 0 {
		return nil
	}
	if err := s.db.WithContext(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("set grants of category %d: %w", id, err)
	}
	return nil
}

// TagsByName returns the tags with these names, creating the missing ones.
func (s *Store) TagsByName(ctx context.Context, names []string) ([]Tag, error) {
	if len(names) == 0 {
		return nil, nil
	}
	var tags []Tag
	if err := s.db.WithContext(ctx).Where("name IN ?", names).Find(&tags).Error; err != nil {
		return nil, fmt.Errorf("find tags: %w", err)
	}
	have := map[string]bool{}
	for _, t := range tags {
		have[t.Name] = true
	}
	for _, n := range names {
		if have[n] {
			continue
		}
		// Another topic may make the same tag at the same moment: insert if
		// absent, then read, so neither transaction fails.
		if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
			Create(&Tag{Name: n, CreatedAt: time.Now().UTC()}).Error; err != nil {
			return nil, fmt.Errorf("create tag %s: %w", n, err)
		}
		var t Tag
		if err := s.db.WithContext(ctx).Where("name = ?", n).Take(&t).Error; err != nil {
			return nil, fmt.Errorf("read tag %s: %w", n, err)
		}
		tags = append(tags, t)
	}
	return tags, nil
}

// AllowedTags returns the tag names a category restricts itself to (none:
// any tag).
func (s *Store) AllowedTags(ctx context.Context, categoryID int64) ([]string, error) {
	var names []string
	err := s.db.WithContext(ctx).Table("category_tags").Joins("JOIN tags ON tags.id = category_tags.tag_id").
		Where("category_tags.category_id = ?", categoryID).Order("tags.name").Pluck("tags.name", &names).Error
	if err != nil {
		return nil, fmt.Errorf("allowed tags of category %d: %w", categoryID, err)
	}
	return names, nil
}

// SetAllowedTags restricts a category to these tags (none: any tag).
func (s *Store) SetAllowedTags(ctx context.Context, categoryID int64, names []string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("category_id = ?", categoryID).Delete(&CategoryTag{}).Error; err != nil {
			return err
		}
		tags, err := NewStore(tx).TagsByName(ctx, names)
		if err != nil {
			return err
		}
		for _, t := range tags {
			if err := tx.Create(&CategoryTag{CategoryID: categoryID, TagID: t.ID}).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// Tag returns the tag named name.
func (s *Store) Tag(ctx context.Context, name string) (*Tag, error) {
	var t Tag
	err := s.db.WithContext(ctx).Where("name = ?", strings.ToLower(name)).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get tag %s: %w", name, err)
	}
	return &t, nil
}
