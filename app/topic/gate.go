package topic

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"causerie/app/auth"
	"causerie/app/errs"
	"causerie/app/event"
	"causerie/app/slug"
)

// Gate decides, before a post or an edit is written, whether it is
// published at once or held for a reviewer. The review queue (app/review)
// implements it; without one everything is published. A held post is
// written with the state "pending" and nothing about it is emitted — no
// PostCreated, so no notification, mail, search document, feed item or
// plugin event — until PublishHeld makes it public.
type Gate interface {
	// Check looks at what v is about to post. An error refuses the post
	// (a blocked word, say, as errs.Fields naming the field).
	Check(ctx context.Context, v *auth.Viewer, in GateInput) (Verdict, error)
	// Record runs in the post's transaction when the verdict holds or
	// flags the post: it opens the queue item. edit says the post was
	// edited rather than written.
	Record(ctx context.Context, tx *gorm.DB, v *auth.Viewer, t *Topic, p *Post, vd Verdict, edit bool) error
}

// Requeuer is a Gate that takes back a held post staff restore after it
// was deleted before review (see Service.Restore).
type Requeuer interface {
	Requeue(ctx context.Context, tx *gorm.DB, postID int64) (bool, error)
}

// requeue says whether the deleted post p goes back to the queue rather
// than to the public when restored.
func (s *Service) requeue(ctx context.Context, tx *gorm.DB, postID int64) (bool, error) {
	if r, ok := s.gate.(Requeuer); ok {
		return r.Requeue(ctx, tx, postID)
	}
	return false, nil
}

// GateInput is a post as the gate sees it.
type GateInput struct {
	CategoryID int64
	TopicID    int64 // 0 for a new topic
	PostID     int64 // 0 for a new post
	State      string
	First      bool // the first post of a topic: its Title counts
	Title      string
	Body       string
	Links      int
	Images     int
}

// Verdict is the gate's answer.
type Verdict struct {
	// Hold keeps the post pending until a reviewer approves it.
	Hold bool
	// Reasons say why it is held ("first_post", "links", "category",
	// "watched_word", "spam"), shown to reviewers.
	Reasons []string
	// Flags are reasons to flag the post for review while it stays
	// published (a watched word set to flag).
	Flags []string
	// Title and Body, when not empty, replace what was written
	// (censored or replaced words).
	Title, Body string
	// Score is the spam score, for the queue to sort by.
	Score int
	// Tags are added to a topic being started (watched words set to tag).
	Tags []string
}

func (vd Verdict) state() string {
	if vd.Hold {
		return StatePending
	}
	return StatePublished
}

// SetGate puts the review queue in front of new posts and edits. Call it
// when wiring.
func (s *Service) SetGate(g Gate) { s.gate = g }

// vet asks the gate about a post; with no gate everything is published.
func (s *Service) vet(ctx context.Context, v *auth.Viewer, in GateInput) (Verdict, error) {
	if s.gate == nil {
		return Verdict{}, nil
	}
	return s.gate.Check(ctx, v, in)
}

// created finishes a new post in its transaction: a published post is
// announced; a held one only opens its queue item.
func (s *Service) created(ctx context.Context, tx *gorm.DB, v *auth.Viewer, t *Topic, p *Post, vd Verdict, e event.PostCreated) error {
	if vd.Hold || len(vd.Flags) > 0 {
		if err := s.gate.Record(ctx, tx, v, t, p, vd, false); err != nil {
			return err
		}
	}
	if vd.Hold {
		return nil
	}
	return s.publish(ctx, tx, e)
}

// number takes the number of a reply. A held reply takes its number (its
// address never moves) but leaves the topic's reply count and last post
// alone: readers see nothing of it until it is approved.
func (s *Service) number(ctx context.Context, st *Store, t *Topic, userID int64, at time.Time, vd Verdict) (int, error) {
	if !vd.Hold {
		return st.nextNumber(ctx, t, userID, at)
	}
	var n int
	err := st.db.WithContext(ctx).Raw(`UPDATE topics SET highest_number = highest_number + 1 WHERE id = ? RETURNING highest_number`, t.ID).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("number a held reply of topic %d: %w", t.ID, err)
	}
	if n == 0 {
		return 0, ErrNotFound
	}
	return n, nil
}

// edited finishes an edit in its transaction. An edit of a held post
// updates its queue item and tells nobody else; an edit the gate holds
// takes a published post out of sight until a reviewer approves it.
func (s *Service) edited(ctx context.Context, tx *gorm.DB, v *auth.Viewer, t *Topic, p *Post, vd Verdict, e event.PostEdited) error {
	if s.gate == nil {
		return s.publish(ctx, tx, e)
	}
	switch {
	case p.State == StatePending:
		return s.gate.Record(ctx, tx, v, t, p, vd, true)
	case vd.Hold && p.State == StatePublished:
		if err := s.move(ctx, tx, t, p, StatePublished, StatePending); err != nil {
			return err
		}
		if err := s.gate.Record(ctx, tx, v, t, p, vd, true); err != nil {
			return err
		}
		return s.publish(ctx, tx, event.ContentChanged{TopicID: t.ID, PostIDs: []int64{p.ID}, ActorID: v.ID, Action: "post.hold"})
	case len(vd.Flags) > 0:
		if err := s.gate.Record(ctx, tx, v, t, p, vd, true); err != nil {
			return err
		}
	}
	return s.publish(ctx, tx, e)
}

// move changes a post's state from one to another with a conditional
// update, and its counts with it: a post counts while it is published. The
// first post takes its topic along.
func (s *Service) move(ctx context.Context, tx *gorm.DB, t *Topic, p *Post, from, to string) error {
	now := s.now()
	res := tx.Model(&Post{}).Where("id = ? AND state = ?", p.ID, from).Updates(map[string]any{"state": to, "updated_at": now})
	if res.Error != nil {
		return fmt.Errorf("post %d from %s to %s: %w", p.ID, from, to, res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.New(errs.Conflict, "topic.edit_conflict", nil)
	}
	p.State = to
	delta := 0
	switch {
	case from == StatePublished && to != StatePublished:
		delta = -1
	case from != StatePublished && to == StatePublished:
		delta = 1
	}
	st := NewStore(tx)
	if p.Number == 1 && delta != 0 {
		if err := tx.Model(&Topic{}).Where("id = ?", t.ID).Updates(map[string]any{"state": to, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("topic %d to %s: %w", t.ID, to, err)
		}
		t.State = to
		if err := st.bump(ctx, "categories", "topics_count", t.CategoryID, delta); err != nil {
			return err
		}
		if err := st.bump(ctx, "users", "topics_count", t.UserID, delta); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE tags SET topics_count = topics_count + ? WHERE id IN (SELECT tag_id FROM topic_tags WHERE topic_id = ?)`, delta, t.ID).Error; err != nil {
			return fmt.Errorf("count tags of topic %d: %w", t.ID, err)
		}
	}
	return s.count(ctx, tx, p, t, delta)
}

// PublishHeld makes a held post public, in tx (the reviewer's
// transaction): it counts from now on, becomes the topic's latest post,
// and PostCreated goes out at last, so notifications, mail, search and
// plugins learn of it now and not before. A held edit (edit true) of a
// post that was published before comes back without a new PostCreated:
// ContentChanged tells search and caches.
func (s *Service) PublishHeld(ctx context.Context, tx *gorm.DB, postID int64, edit bool) (*Topic, *Post, error) {
	st := NewStore(tx)
	t, p, err := held(ctx, st, postID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.move(ctx, tx, t, p, StatePending, StatePublished); err != nil {
		return nil, nil, err
	}
	if edit {
		return t, p, s.publish(ctx, tx, event.ContentChanged{TopicID: t.ID, PostIDs: []int64{p.ID}, Action: "post.approve"})
	}
	now := s.now()
	if err := tx.Model(&Topic{}).Where("id = ? AND last_post_at < ?", t.ID, now).
		Updates(map[string]any{"last_post_at": now, "last_user_id": p.UserID}).Error; err != nil {
		return nil, nil, fmt.Errorf("latest post of topic %d: %w", t.ID, err)
	}
	r := s.render.Render(p.Body)
	e := event.PostCreated{PostID: p.ID, TopicID: t.ID, UserID: p.UserID, Number: p.Number, Mentions: r.Mentions, Quotes: r.Quotes}
	if p.ReplyToID != nil {
		if to, err := st.Post(ctx, *p.ReplyToID); err == nil {
			e.ReplyToUserID = to.UserID
		}
	}
	if err := s.publish(ctx, tx, e); err != nil {
		return nil, nil, err
	}
	return t, p, nil
}

// held loads a post waiting for review, and its topic; a post that no
// longer waits is a conflict (someone decided first).
func held(ctx context.Context, st *Store, postID int64) (*Topic, *Post, error) {
	p, err := st.Post(ctx, postID)
	if err != nil {
		return nil, nil, err
	}
	t, err := st.Topic(ctx, p.TopicID)
	if err != nil {
		return nil, nil, err
	}
	if p.State != StatePending {
		return nil, nil, errs.New(errs.Conflict, "review.not_pending", nil)
	}
	return t, p, nil
}

// RejectHeld deletes a held post softly (kept for staff, restorable), in
// tx. Nothing was ever announced about it, so nothing is announced now.
func (s *Service) RejectHeld(ctx context.Context, tx *gorm.DB, postID, by int64) (*Topic, *Post, error) {
	st := NewStore(tx)
	t, p, err := held(ctx, st, postID)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	res := tx.Model(&Post{}).Where("id = ? AND state = ?", p.ID, StatePending).Updates(map[string]any{
		"state": StateDeleted, "deleted_by_id": by, "deleted_at": now, "updated_at": now})
	if res.Error != nil {
		return nil, nil, fmt.Errorf("reject post %d: %w", p.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil, errs.New(errs.Conflict, "review.not_pending", nil)
	}
	p.State = StateDeleted
	if p.Number == 1 {
		if err := tx.Model(&Topic{}).Where("id = ?", t.ID).Updates(map[string]any{"state": StateDeleted, "updated_at": now}).Error; err != nil {
			return nil, nil, fmt.Errorf("reject topic %d: %w", t.ID, err)
		}
		t.State = StateDeleted
	}
	return t, p, nil
}

// RejectHeldEdit turns down a held edit of a post that was published
// before, in tx: the version the edit replaced comes back and is published
// again, and the rejected text is kept as a revision that staff read in
// the history. ContentChanged tells search and caches; nothing else is
// announced, as nothing was about the edit. A post with no earlier version
// is rejected as a held post.
func (s *Service) RejectHeldEdit(ctx context.Context, tx *gorm.DB, postID, by int64) (*Topic, *Post, error) {
	st := NewStore(tx)
	t, p, err := held(ctx, st, postID)
	if err != nil {
		return nil, nil, err
	}
	var before Revision
	err = tx.Where("post_id = ? AND number = ?", p.ID, p.RevisionsCount).Take(&before).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return s.RejectHeld(ctx, tx, postID, by)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("version before the edit of post %d: %w", p.ID, err)
	}
	if err := s.move(ctx, tx, t, p, StatePending, StatePublished); err != nil {
		return nil, nil, err
	}
	now := s.now()
	rejected := Revision{PostID: p.ID, UserID: by, Number: p.RevisionsCount + 1, Body: p.Body, CreatedAt: now}
	if p.Number == 1 {
		rejected.Title = t.Title
	}
	r := s.render.Render(before.Body)
	res := tx.Model(&Post{}).Where("id = ? AND revisions_count = ?", p.ID, p.RevisionsCount).Updates(map[string]any{
		"body": before.Body, "html": r.HTML, "edited_at": now, "updated_at": now, "revisions_count": p.RevisionsCount + 1})
	if res.Error != nil {
		return nil, nil, fmt.Errorf("put back post %d: %w", p.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil, errs.New(errs.Conflict, "topic.edit_conflict", nil)
	}
	if err := tx.Create(&rejected).Error; err != nil {
		return nil, nil, fmt.Errorf("keep the rejected edit of post %d: %w", p.ID, err)
	}
	if p.Number == 1 && before.Title != "" && before.Title != t.Title {
		if err := tx.Model(&Topic{}).Where("id = ?", t.ID).Updates(map[string]any{
			"title": before.Title, "slug": slug.Make(before.Title, 60, "topic"), "updated_at": now}).Error; err != nil {
			return nil, nil, fmt.Errorf("put back the title of topic %d: %w", t.ID, err)
		}
		t.Title = before.Title
	}
	p.Body, p.HTML, p.EditedAt, p.RevisionsCount = before.Body, r.HTML, &now, p.RevisionsCount+1
	return t, p, s.publish(ctx, tx, event.ContentChanged{TopicID: t.ID, PostIDs: []int64{p.ID}, ActorID: by, Action: "post.edit_rejected"})
}

// SetPostState hides a published post or shows a hidden one again, in tx,
// for the review queue (flags that reach their threshold, decisions on
// them). A hidden post keeps why and by whom (reason, actorID; 0 for the
// system), which its author reads on the topic page. Counts follow, and
// ContentChanged tells search and caches.
func (s *Service) SetPostState(ctx context.Context, tx *gorm.DB, postID int64, from, to string, actorID int64, action, reason string) (*Topic, *Post, error) {
	st := NewStore(tx)
	p, err := st.Post(ctx, postID)
	if err != nil {
		return nil, nil, err
	}
	t, err := st.Topic(ctx, p.TopicID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.move(ctx, tx, t, p, from, to); err != nil {
		return nil, nil, err
	}
	if to == StateHidden || from == StateHidden {
		why := map[string]any{"hidden_reason": "", "hidden_by_id": nil, "hidden_at": nil}
		if to == StateHidden {
			now := s.now()
			why = map[string]any{"hidden_reason": reason, "hidden_by_id": nil, "hidden_at": now}
			if actorID != 0 {
				why["hidden_by_id"] = actorID
			}
		}
		if err := tx.Model(&Post{}).Where("id = ?", p.ID).Updates(why).Error; err != nil {
			return nil, nil, fmt.Errorf("why post %d is hidden: %w", p.ID, err)
		}
	}
	return t, p, s.publish(ctx, tx, event.ContentChanged{TopicID: t.ID, PostIDs: []int64{p.ID}, ActorID: actorID, Action: action})
}

// visibleTo drops the held posts a reader may not see: to everyone but
// their author and reviewers, a held post does not exist.
func visibleTo(v *auth.Viewer, catID int64, posts []*PostView) []*PostView {
	out := posts[:0]
	for _, pv := range posts {
		if pv.State == StatePending && !(v.LoggedIn() && (v.ID == pv.UserID || v.Can(auth.PermSeeHidden, catID))) {
			continue
		}
		out = append(out, pv)
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
