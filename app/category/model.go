// Package category owns categories: their tree (one level of nesting),
// order, colour and description, and who may read, start topics and reply
// in each. Lists elsewhere ask it which categories a reader may see.
package category

import (
	"time"

	"causerie/app/auth"
)

// Category groups topics.
type Category struct {
	ID          int64
	ParentID    *int64
	Name        string
	Slug        string
	Description string
	Color       string
	Position    int
	TopicsCount int
	PostsCount  int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Grants is who may do what here (loaded with the category).
	Grants auth.Grants `gorm:"-"`
	// AllowedTags restricts the category's topics to these tags (none: any
	// tag); filled by Get.
	AllowedTags []string `gorm:"-"`
	// Children are the sub-categories (filled by Tree).
	Children []*Category `gorm:"-"`
}

// URL is the category's page.
func (c *Category) URL() string { return "/c/" + c.Slug }

// Permission is one row of category_permissions.
type Permission struct {
	CategoryID int64  `gorm:"primaryKey"`
	Role       string `gorm:"primaryKey"`
	Action     string `gorm:"primaryKey"`
}

func (Permission) TableName() string { return "category_permissions" }

// Tag labels topics across categories.
type Tag struct {
	ID          int64
	Name        string
	TopicsCount int
	CreatedAt   time.Time
}

// URL is the tag's page.
func (t *Tag) URL() string { return "/tag/" + t.Name }

// CategoryTag is a tag a category allows.
type CategoryTag struct {
	CategoryID int64 `gorm:"primaryKey"`
	TagID      int64 `gorm:"primaryKey"`
}

// DefaultGrants is what a new category allows: everyone reads, members
// start topics and reply.
func DefaultGrants() auth.Grants {
	return auth.Grants{Allow: map[auth.Action]map[auth.Role]bool{
		auth.Read:  {auth.RoleEveryone: true},
		auth.Start: {auth.RoleMembers: true},
		auth.Reply: {auth.RoleMembers: true},
	}}
}
