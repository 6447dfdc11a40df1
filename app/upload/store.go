package upload

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Store reads and writes the uploads table.
type Store struct {
	db *gorm.DB
}

// NewStore returns the store on g (a transaction too).
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

func (s *Store) first(ctx context.Context, what string, q *gorm.DB) (*Upload, error) {
	var u Upload
	switch err := q.WithContext(ctx).Order("id").Take(&u).Error; {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return nil, ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("get upload by %s: %w", what, err)
	}
	return &u, nil
}

// Add records u, or returns the row that already records the same bytes
// from the same member.
func (s *Store) Add(ctx context.Context, u *Upload) (*Upload, error) {
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "user_id"}, {Name: "key"}}, DoNothing: true,
	}).Create(u).Error
	if err != nil {
		return nil, fmt.Errorf("add upload: %w", err)
	}
	return s.first(ctx, "member and key", s.db.Where("user_id = ? AND key = ?", u.UserID, u.Key))
}

// ByKey returns the first upload of the bytes under key (they all share
// one type, read from those bytes).
func (s *Store) ByKey(ctx context.Context, key string) (*Upload, error) {
	return s.first(ctx, "key", s.db.Where("key = ?", key))
}

// Avatar returns upload id if it is some member's avatar now.
func (s *Store) Avatar(ctx context.Context, id int64) (*Upload, error) {
	return s.first(ctx, "avatar", s.db.Where("id = ? AND kind = ? AND EXISTS (SELECT 1 FROM users WHERE users.avatar_upload_id = uploads.id)", id, KindImage))
}
