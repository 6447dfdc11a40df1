package reputation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"causerie/app/topic"
)

// reason names a row of reputation_events for one post.
type reason struct {
	kind  string
	actor int64
}

// ReconcilePost makes the reputation events of a post match what is true
// now: one per member who reacts to it (whatever the number of kinds; not
// the author), one if it is its question's accepted answer (not when askers
// accept their own), one if it starts a featured topic. A post that is not
// published (deleted, hidden, pending) earns nothing. The author's
// reputation moves by what was added and taken away, in one transaction.
// It is idempotent: running it twice changes nothing the second time.
func (s *Service) ReconcilePost(ctx context.Context, postID int64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		want, p, err := s.wanted(ctx, tx, postID)
		if err != nil {
			return err
		}
		var have []Event
		if err := tx.Where("post_id = ?", postID).Find(&have).Error; err != nil {
			return fmt.Errorf("reputation events of post %d: %w", postID, err)
		}
		for _, e := range have {
			k := reason{e.Kind, e.ActorID}
			if _, ok := want[k]; ok && e.UserID == p.UserID {
				delete(want, k)
				continue
			}
			res := tx.Where("id = ?", e.ID).Delete(&Event{})
			if res.Error != nil {
				return fmt.Errorf("take back reputation event %d: %w", e.ID, res.Error)
			}
			if res.RowsAffected == 1 {
				if err := bumpReputation(ctx, tx, e.UserID, -e.Points); err != nil {
					return err
				}
			}
		}
		for _, e := range want {
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(e)
			if res.Error != nil {
				return fmt.Errorf("record reputation event: %w", res.Error)
			}
			if res.RowsAffected == 1 {
				if err := bumpReputation(ctx, tx, e.UserID, e.Points); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// wanted lists the reputation events a post should have now.
func (s *Service) wanted(ctx context.Context, tx *gorm.DB, postID int64) (map[reason]*Event, *topic.Post, error) {
	want := map[reason]*Event{}
	var p topic.Post
	err := tx.WithContext(ctx).Take(&p, postID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return want, &p, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("post %d: %w", postID, err)
	}
	var t topic.Topic
	if err := tx.WithContext(ctx).Take(&t, p.TopicID).Error; err != nil {
		return nil, nil, fmt.Errorf("topic %d: %w", p.TopicID, err)
	}
	if p.State != topic.StatePublished || t.State != topic.StatePublished {
		return want, &p, nil
	}
	rules := s.Rules()
	add := func(kind string, actor int64, at time.Time) {
		if pts := rules[kind]; pts > 0 {
			want[reason{kind, actor}] = &Event{UserID: p.UserID, Kind: kind, Points: pts, PostID: p.ID,
				TopicID: t.ID, ActorID: actor, CreatedAt: at.UTC()}
		}
	}
	if rules[KindReaction] > 0 {
		var rs []topic.Reaction
		if err := tx.WithContext(ctx).Where("post_id = ? AND user_id <> ?", p.ID, p.UserID).Order("created_at").
			Find(&rs).Error; err != nil {
			return nil, nil, fmt.Errorf("reactions to post %d: %w", p.ID, err)
		}
		for _, r := range rs {
			if _, ok := want[reason{KindReaction, r.UserID}]; !ok {
				add(KindReaction, r.UserID, r.CreatedAt) // the first reaction dates the points
			}
		}
	}
	if t.AcceptedPostID != nil && *t.AcceptedPostID == p.ID && p.UserID != t.UserID {
		add(KindAccepted, t.UserID, s.now())
	}
	if t.FeaturedAt != nil && p.Number == 1 {
		add(KindFeatured, 0, *t.FeaturedAt)
	}
	return want, &p, nil
}

// ReconcileTopic reconciles the posts of a topic that may hold its
// accepted answer's or its featuring's points: the accepted answer, the
// first post, and any post that had them.
func (s *Service) ReconcileTopic(ctx context.Context, topicID int64) error {
	var ids []int64
	err := s.db.WithContext(ctx).Model(&Event{}).Distinct("post_id").
		Where("topic_id = ? AND kind IN ?", topicID, []string{KindAccepted, KindFeatured}).Pluck("post_id", &ids).Error
	if err != nil {
		return fmt.Errorf("reputation events of topic %d: %w", topicID, err)
	}
	var t topic.Topic
	err = s.db.WithContext(ctx).Take(&t, topicID).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
	case err != nil:
		return fmt.Errorf("topic %d: %w", topicID, err)
	default:
		if t.AcceptedPostID != nil {
			ids = append(ids, *t.AcceptedPostID)
		}
		if t.FeaturedAt != nil {
			var first int64
			if err := s.db.WithContext(ctx).Model(&topic.Post{}).Where("topic_id = ? AND number = 1", t.ID).
				Pluck("id", &first).Error; err != nil {
				return fmt.Errorf("first post of topic %d: %w", t.ID, err)
			}
			if first != 0 {
				ids = append(ids, first)
			}
		}
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if err := s.ReconcilePost(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// driftBatch bounds how many topics one periodic check reconciles; the
// rest wait for the next run.
const driftBatch = 1000

// reconcileDrift finds the topics whose accepted-answer and featuring
// points no longer match the topic (an answer's mark taken away or moved,
// a topic featured or no longer featured, a post deleted) and reconciles
// them.
func (s *Service) reconcileDrift(ctx context.Context) error {
	g := s.db.WithContext(ctx)
	var ids []int64
	// Points for an answer that is no longer the accepted one, or for a
	// topic no longer featured.
	var stale []int64
	if err := g.Raw(`SELECT DISTINCT e.topic_id FROM reputation_events e WHERE
		(e.kind = ? AND NOT EXISTS (SELECT 1 FROM topics t WHERE t.id = e.topic_id AND t.accepted_post_id = e.post_id))
		OR (e.kind = ? AND NOT EXISTS (SELECT 1 FROM topics t WHERE t.id = e.topic_id AND t.featured_at IS NOT NULL))
		LIMIT ?`, KindAccepted, KindFeatured, driftBatch).Scan(&stale).Error; err != nil {
		return fmt.Errorf("stale accepted answers: %w", err)
	}
	ids = append(ids, stale...)
	if s.rep.AnswerAccepted > 0 {
		var missing []int64
		if err := g.Raw(`SELECT t.id FROM topics t JOIN posts p ON p.id = t.accepted_post_id
			WHERE t.state = ? AND p.state = ? AND p.user_id <> t.user_id
			AND NOT EXISTS (SELECT 1 FROM reputation_events e WHERE e.kind = ? AND e.post_id = p.id)
			LIMIT ?`, topic.StatePublished, topic.StatePublished, KindAccepted, driftBatch).Scan(&missing).Error; err != nil {
			return fmt.Errorf("accepted answers without points: %w", err)
		}
		ids = append(ids, missing...)
	}
	if s.rep.PostFeatured > 0 {
		var missing []int64
		if err := g.Raw(`SELECT t.id FROM topics t JOIN posts p ON p.topic_id = t.id AND p.number = 1
			WHERE t.featured_at IS NOT NULL AND t.state = ? AND p.state = ?
			AND NOT EXISTS (SELECT 1 FROM reputation_events e WHERE e.kind = ? AND e.post_id = p.id)
			LIMIT ?`, topic.StatePublished, topic.StatePublished, KindFeatured, driftBatch).Scan(&missing).Error; err != nil {
			return fmt.Errorf("featured topics without points: %w", err)
		}
		ids = append(ids, missing...)
	}
	for _, id := range ids {
		if err := s.ReconcileTopic(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// reconcilable selects the posts that have or may earn points.
const reconcilable = `FROM posts WHERE id > ? AND (reactions_count > 0
	OR id IN (SELECT accepted_post_id FROM topics WHERE accepted_post_id IS NOT NULL)
	OR id IN (SELECT post_id FROM reputation_events)
	OR (number = 1 AND topic_id IN (SELECT id FROM topics WHERE featured_at IS NOT NULL)))`

// ReconcileAll reconciles every post that has or may earn points: for a
// forum whose content came before reputation did (an import), or after a
// change of rules meant to apply to the past. It goes through posts in
// batches and can be run again at any time.
func (s *Service) ReconcileAll(ctx context.Context) error { return s.ReconcileAllWith(ctx, nil) }

// ReconcileAllWith is ReconcileAll telling progress how many posts it has
// done after each batch.
func (s *Service) ReconcileAllWith(ctx context.Context, progress func(done int)) error {
	var after int64
	done := 0
	for {
		var ids []int64
		if err := s.db.WithContext(ctx).Raw(`SELECT id `+reconcilable+` ORDER BY id LIMIT 500`, after).Scan(&ids).Error; err != nil {
			return fmt.Errorf("posts to reconcile: %w", err)
		}
		for _, id := range ids {
			if err := s.ReconcilePost(ctx, id); err != nil {
				return err
			}
		}
		done += len(ids)
		if progress != nil {
			progress(done)
		}
		if len(ids) < 500 {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

// Reconcilable counts the posts ReconcileAll goes through.
func (s *Service) Reconcilable(ctx context.Context) (int, error) {
	var n int
	if err := s.db.WithContext(ctx).Raw(`SELECT COUNT(*) `+reconcilable, 0).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("count posts to reconcile: %w", err)
	}
	return n, nil
}

// Recompute sets a member's reputation to the sum of their reputation
// events.
func (s *Service) Recompute(ctx context.Context, userID int64) error {
	err := s.db.WithContext(ctx).Exec(`UPDATE users SET reputation =
		(SELECT COALESCE(SUM(points), 0) FROM reputation_events WHERE reputation_events.user_id = users.id) WHERE id = ?`, userID).Error
	if err != nil {
		return fmt.Errorf("recompute reputation of user %d: %w", userID, err)
	}
	return nil
}

// RecomputeAll sets every member's reputation to the sum of their
// reputation events.
func (s *Service) RecomputeAll(ctx context.Context) error {
	err := s.db.WithContext(ctx).Exec(`UPDATE users SET reputation =
		(SELECT COALESCE(SUM(points), 0) FROM reputation_events WHERE reputation_events.user_id = users.id)`).Error
	if err != nil {
		return fmt.Errorf("recompute reputation: %w", err)
	}
	return nil
}

// Points is a member's total from their reputation events (what Recompute
// would set).
func (s *Service) Points(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.WithContext(ctx).Model(&Event{}).Select("COALESCE(SUM(points), 0)").Where("user_id = ?", userID).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("points of user %d: %w", userID, err)
	}
	return n, nil
}
