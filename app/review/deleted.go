package review

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"causerie/app/event"
	"causerie/app/topic"
)

// StatusDeleted closes a held post's item when the post was deleted
// (by its author or the team) before anyone reviewed it: nothing is left
// to decide, and the queue says why the item went.
const StatusDeleted = "deleted"

// Subscribe closes the items that a change elsewhere settled. Call it when
// wiring.
func (s *Service) Subscribe(b *event.Bus) {
	event.Subscribe(b, "review", func(ctx context.Context, e event.PostDeleted) error { return s.postDeleted(ctx, e) })
}

// Requeue runs in tx when staff restore a post that was deleted while it
// waited for review: its item opens again and Requeue says so, and the
// post goes back to waiting rather than out in public, so nothing about it
// is announced before a reviewer approves it.
func (s *Service) Requeue(ctx context.Context, tx *gorm.DB, postID int64) (bool, error) {
	res := tx.WithContext(ctx).Model(&Item{}).
		Where("post_id = ? AND status = ? AND kind IN ?", postID, StatusDeleted, []string{KindHeldPost, KindHeldEdit}).
		Updates(map[string]any{"status": StatusOpen, "resolved_by_id": nil, "resolved_at": nil, "updated_at": s.now()})
	if res.Error != nil {
		return false, fmt.Errorf("open the item of post %d again: %w", postID, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// postDeleted closes the open held-post and held-edit items of a post that
// is (still) deleted. The deletion itself is in the log where staff did it.
func (s *Service) postDeleted(ctx context.Context, e event.PostDeleted) error {
	now := s.now()
	by := any(nil)
	if e.UserID != 0 {
		by = e.UserID
	}
	err := s.db.WithContext(ctx).Model(&Item{}).
		Where("post_id = ? AND status = ? AND kind IN ?", e.PostID, StatusOpen, []string{KindHeldPost, KindHeldEdit}).
		Where("EXISTS (SELECT 1 FROM posts WHERE posts.id = ? AND posts.state = ?)", e.PostID, topic.StateDeleted).
		Updates(map[string]any{"status": StatusDeleted, "resolved_by_id": by, "resolved_at": now, "updated_at": now}).Error
	if err != nil {
		return fmt.Errorf("close items of deleted post %d: %w", e.PostID, err)
	}
	return nil
}
