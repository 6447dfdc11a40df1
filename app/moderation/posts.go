package moderation

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"causerie/app/audit"
	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/errs"
	"causerie/app/event"
	"causerie/app/topic"
)

// postState is what the audit log keeps of a post before and after.
type postState struct {
	State        string `json:"state"`
	HiddenReason string `json:"hidden_reason,omitempty"`
	Official     bool   `json:"official,omitempty"`
	Body         string `json:"body,omitempty"`
}

func stateOf(p *topic.Post) postState {
	return postState{State: p.State, HiddenReason: p.HiddenReason, Official: p.Official}
}

func (s *Service) applyPost(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action) (*Result, error) {
	p, t, c, err := s.target(ctx, tx, a.PostID)
	if err != nil {
		return nil, err
	}
	if err := authorize(v, a.Kind, c); err != nil {
		return nil, err
	}
	a.Reason = strings.TrimSpace(a.Reason)
	res := &Result{Action: a, Post: p, Topic: t}
	switch a.Kind {
	case Hide:
		err = s.hide(ctx, tx, v, a, p, t, c, res)
	case Restore:
		err = s.restore(ctx, tx, v, a, p, t, c, res)
	case Delete:
		err = s.deletePost(ctx, tx, v, a, p, t, c, res)
	case Edit:
		err = s.edit(ctx, tx, v, a, p, t, c, res)
	case Official, Unofficial:
		err = s.official(ctx, tx, v, a, p, t, c, res)
	case Purge:
		err = s.purge(ctx, tx, v, a, p, t, c, res)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

func change(a Action, p *topic.Post, c *category.Category, before, after any) audit.Change {
	return audit.Change{Action: a.AuditAction(), ObjectType: "post", ObjectID: p.ID, Category: c.ID, Reason: a.Reason,
		Before: before, After: after}
}

func (s *Service) contentChanged(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, topicID int64, postIDs ...int64) error {
	return s.publish(ctx, tx, event.ContentChanged{TopicID: topicID, PostIDs: postIDs, ActorID: v.ID, Action: a.AuditAction()})
}

func tellAuthor(p *topic.Post, t *topic.Topic) *event.MemberNotice {
	return &event.MemberNotice{UserID: p.UserID, Title: t.Title, URL: p.URL()}
}

// claimed checks that a conditional update of a post's state found the
// post in the state it was read in: of two decisions at once, one wins and
// the other is told, and the counts move once.
func claimed(q *gorm.DB, what string, id int64) error {
	if q.Error != nil {
		return fmt.Errorf("%s post %d: %w", what, id, q.Error)
	}
	if q.RowsAffected == 0 {
		return errs.New(errs.Conflict, "mod.state_conflict", nil)
	}
	return nil
}

func (s *Service) hide(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, p *topic.Post, t *topic.Topic, c *category.Category, res *Result) error {
	switch p.State {
	case topic.StateHidden:
		return nil
	case topic.StatePublished:
	default:
		return errs.New(errs.Conflict, "mod.not_published", nil)
	}
	if a.Reason == "" {
		cr, err := s.cannedIn(ctx, tx, a.CannedID, CannedHide)
		if err != nil {
			return errs.Fields{"canned_id": "mod.canned_unknown"}
		}
		a.Reason = strings.TrimSpace(cr.Body)
		res.Action.Reason = a.Reason
	}
	before := stateOf(p)
	at := now()
	q := tx.Model(&topic.Post{}).Where("id = ? AND state = ?", p.ID, topic.StatePublished).Updates(map[string]any{
		"state": topic.StateHidden, "hidden_reason": a.Reason, "hidden_by_id": v.ID, "hidden_at": at, "updated_at": at})
	if err := claimed(q, "hide", p.ID); err != nil {
		return err
	}
	if err := countPost(ctx, tx, p, t, -1); err != nil {
		return err
	}
	p.State, p.HiddenReason, p.HiddenByID, p.HiddenAt = topic.StateHidden, a.Reason, &v.ID, &at
	res.Changed = true
	if err := s.record(ctx, tx, v, change(a, p, c, before, stateOf(p)), tellAuthor(p, t)); err != nil {
		return err
	}
	return s.contentChanged(ctx, tx, v, a, t.ID, p.ID)
}

func (s *Service) restore(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, p *topic.Post, t *topic.Topic, c *category.Category, res *Result) error {
	if p.State != topic.StateHidden && p.State != topic.StateDeleted {
		return nil
	}
	before := stateOf(p)
	at := now()
	if p.State == topic.StateDeleted && s.requeue != nil {
		held, err := s.requeue(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		if held {
			return s.restoreHeld(ctx, tx, v, a, p, t, c, res, before)
		}
	}
	q := tx.Model(&topic.Post{}).Where("id = ? AND state = ?", p.ID, p.State).Updates(map[string]any{
		"state": topic.StatePublished, "hidden_reason": "", "hidden_by_id": nil, "hidden_at": nil,
		"deleted_by_id": nil, "deleted_at": nil, "updated_at": at})
	if err := claimed(q, "restore", p.ID); err != nil {
		return err
	}
	if err := countPost(ctx, tx, p, t, 1); err != nil {
		return err
	}
	p.State, p.HiddenReason, p.HiddenByID, p.HiddenAt, p.DeletedByID, p.DeletedAt = topic.StatePublished, "", nil, nil, nil, nil
	res.Changed = true
	if err := s.record(ctx, tx, v, change(a, p, c, before, stateOf(p)), tellAuthor(p, t)); err != nil {
		return err
	}
	if err := s.publish(ctx, tx, event.PostRestored{PostID: p.ID, TopicID: t.ID, UserID: v.ID}); err != nil {
		return err
	}
	return s.contentChanged(ctx, tx, v, a, t.ID, p.ID)
}

// restoreHeld brings back a post deleted while it waited for review: it
// waits again (its item is open once more), counted by nothing and
// announced to nobody until a reviewer approves it.
func (s *Service) restoreHeld(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, p *topic.Post, t *topic.Topic, c *category.Category, res *Result, before postState) error {
	q := tx.Model(&topic.Post{}).Where("id = ? AND state = ?", p.ID, topic.StateDeleted).Updates(map[string]any{
		"state": topic.StatePending, "deleted_by_id": nil, "deleted_at": nil, "updated_at": now()})
	if err := claimed(q, "restore", p.ID); err != nil {
		return err
	}
	if p.Number == 1 {
		if err := tx.Model(&topic.Topic{}).Where("id = ?", t.ID).Update("state", topic.StatePending).Error; err != nil {
			return fmt.Errorf("restore topic %d: %w", t.ID, err)
		}
	}
	p.State, p.DeletedByID, p.DeletedAt = topic.StatePending, nil, nil
	res.Changed = true
	return s.record(ctx, tx, v, change(a, p, c, before, stateOf(p)), nil)
}

func (s *Service) deletePost(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, p *topic.Post, t *topic.Topic, c *category.Category, res *Result) error {
	if p.State == topic.StateDeleted {
		return nil
	}
	before := stateOf(p)
	at := now()
	q := tx.Model(&topic.Post{}).Where("id = ? AND state = ?", p.ID, p.State).Updates(map[string]any{
		"state": topic.StateDeleted, "deleted_by_id": v.ID, "deleted_at": at, "updated_at": at})
	if err := claimed(q, "delete", p.ID); err != nil {
		return err
	}
	if p.State == topic.StatePublished {
		if err := countPost(ctx, tx, p, t, -1); err != nil {
			return err
		}
	}
	if err := clearAccepted(ctx, tx, t, p); err != nil {
		return err
	}
	p.State, p.DeletedByID, p.DeletedAt = topic.StateDeleted, &v.ID, &at
	res.Changed = true
	if err := s.record(ctx, tx, v, change(a, p, c, before, stateOf(p)), tellAuthor(p, t)); err != nil {
		return err
	}
	if err := s.publish(ctx, tx, event.PostDeleted{PostID: p.ID, TopicID: t.ID, UserID: v.ID}); err != nil {
		return err
	}
	return s.contentChanged(ctx, tx, v, a, t.ID, p.ID)
}

func (s *Service) edit(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, p *topic.Post, t *topic.Topic, c *category.Category, res *Result) error {
	switch n := utf8.RuneCountInString(strings.TrimSpace(a.Body)); {
	case n < s.cfg.MinPostLength:
		return errs.Fields{"body": "validation.body_short"}
	case n > s.cfg.MaxPostLength:
		return errs.Fields{"body": "validation.body_long"}
	}
	if a.Body == p.Body {
		return nil
	}
	r := s.render.Render(a.Body)
	at := now()
	// Claim the edit first: of two edits at once, one wins and the other is
	// told, rather than failing on the revision's number.
	q := tx.Model(&topic.Post{}).Where("id = ? AND revisions_count = ?", p.ID, p.RevisionsCount).Updates(map[string]any{
		"body": a.Body, "html": r.HTML, "edited_at": at, "updated_at": at, "revisions_count": p.RevisionsCount + 1})
	if q.Error != nil {
		return fmt.Errorf("edit post %d: %w", p.ID, q.Error)
	}
	if q.RowsAffected == 0 {
		return errs.New(errs.Conflict, "topic.edit_conflict", nil)
	}
	rev := topic.Revision{PostID: p.ID, UserID: v.ID, Number: p.RevisionsCount + 1, Body: p.Body, Note: a.Reason, CreatedAt: at}
	if p.Number == 1 {
		rev.Title = t.Title
	}
	if err := tx.Create(&rev).Error; err != nil {
		return fmt.Errorf("keep revision of post %d: %w", p.ID, err)
	}
	before := postState{State: p.State, Body: p.Body}
	p.Body, p.HTML, p.EditedAt, p.RevisionsCount = a.Body, r.HTML, &at, p.RevisionsCount+1
	res.Changed = true
	if err := s.record(ctx, tx, v, change(a, p, c, before, postState{State: p.State, Body: p.Body}), tellAuthor(p, t)); err != nil {
		return err
	}
	// A held post is edited in silence (audited, its revision kept):
	// nothing about it is announced until it is approved.
	if p.State != topic.StatePending {
		if err := s.publish(ctx, tx, event.PostEdited{PostID: p.ID, TopicID: t.ID, UserID: v.ID}); err != nil {
			return err
		}
	}
	return s.contentChanged(ctx, tx, v, a, t.ID, p.ID)
}

func (s *Service) official(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, p *topic.Post, t *topic.Topic, c *category.Category, res *Result) error {
	on := a.Kind == Official
	if p.Official == on {
		return nil
	}
	if on && (p.Number == 1 || p.State != topic.StatePublished) {
		return errs.New(errs.Conflict, "mod.official_reply", nil)
	}
	before := stateOf(p)
	if err := tx.Model(&topic.Post{}).Where("id = ?", p.ID).Updates(map[string]any{"official": on, "updated_at": now()}).Error; err != nil {
		return fmt.Errorf("mark post %d official: %w", p.ID, err)
	}
	p.Official = on
	res.Changed = true
	if err := s.record(ctx, tx, v, change(a, p, c, before, stateOf(p)), tellAuthor(p, t)); err != nil {
		return err
	}
	return s.contentChanged(ctx, tx, v, a, t.ID, p.ID)
}

// purgeSummary is what the audit log keeps of a purged post: enough to
// say what it was, not the whole of it.
type purgeSummary struct {
	PostID    int64  `json:"post_id"`
	TopicID   int64  `json:"topic_id"`
	Topic     string `json:"topic"`
	Number    int    `json:"number"`
	AuthorID  int64  `json:"author_id"`
	State     string `json:"state"`
	Excerpt   string `json:"excerpt"`
	Length    int    `json:"length"`
	Revisions int    `json:"revisions"`
	CreatedAt string `json:"created_at"`
}

// referencesToPosts are nullable columns of other domains that point at a
// post: a purge lets go of them first (the tables may not exist yet).
var referencesToPosts = [][2]string{{"review_items", "post_id"}, {"flags", "post_id"}}

func (s *Service) purge(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, p *topic.Post, t *topic.Topic, c *category.Category, res *Result) error {
	if p.Number == 1 {
		return errs.New(errs.Conflict, "mod.purge_first", nil)
	}
	excerpt := []rune(p.Body)
	sum := purgeSummary{PostID: p.ID, TopicID: t.ID, Topic: t.Title, Number: p.Number, AuthorID: p.UserID, State: p.State,
		Excerpt: string(excerpt[:min(len(excerpt), 280)]), Length: len(excerpt), Revisions: p.RevisionsCount,
		CreatedAt: p.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
	if p.State == topic.StatePublished {
		if err := countPost(ctx, tx, p, t, -1); err != nil {
			return err
		}
	}
	if err := clearAccepted(ctx, tx, t, p); err != nil {
		return err
	}
	// Reactions go with the post: the counts they fed go down.
	if p.ReactionsCount > 0 {
		if err := bump(ctx, tx, "topics", "reactions_count", t.ID, -p.ReactionsCount); err != nil {
			return err
		}
		if err := bump(ctx, tx, "users", "reactions_received", p.UserID, -p.ReactionsCount); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE users SET reactions_given = reactions_given -
			(SELECT count(*) FROM reactions r WHERE r.post_id = ? AND r.user_id = users.id)
			WHERE id IN (SELECT user_id FROM reactions WHERE post_id = ?)`, p.ID, p.ID).Error; err != nil {
			return fmt.Errorf("count reactions given to post %d: %w", p.ID, err)
		}
	}
	if err := tx.Model(&topic.Post{}).Where("reply_to_id = ?", p.ID).UpdateColumn("reply_to_id", nil).Error; err != nil {
		return fmt.Errorf("let replies of post %d go: %w", p.ID, err)
	}
	for _, ref := range referencesToPosts {
		if !tx.Migrator().HasTable(ref[0]) {
			continue
		}
		if err := tx.Table(ref[0]).Where(ref[1]+" = ?", p.ID).UpdateColumn(ref[1], nil).Error; err != nil {
			return fmt.Errorf("let %s of post %d go: %w", ref[0], p.ID, err)
		}
	}
	// Revisions, reactions, bookmarks and notifications of the post go
	// with it (ON DELETE CASCADE).
	if err := tx.Where("id = ?", p.ID).Delete(&topic.Post{}).Error; err != nil {
		return fmt.Errorf("purge post %d: %w", p.ID, err)
	}
	if err := refreshTopic(ctx, tx, t.ID); err != nil {
		return err
	}
	res.Post, res.Changed = nil, true
	tell := tellAuthor(p, t)
	tell.URL = t.URL()
	if err := s.record(ctx, tx, v, change(a, p, c, sum, nil), tell); err != nil {
		return err
	}
	return s.publish(ctx, tx, event.PostPurged{PostID: p.ID, TopicID: t.ID, ActorID: v.ID})
}

// RequestReview puts v's hidden post in front of the team again, with a
// note: v must be its author. The review domain files it (see
// ReviewRequester); until it is wired, asking says so.
func (s *Service) RequestReview(ctx context.Context, v *auth.Viewer, postID int64, note string) error {
	if !v.LoggedIn() {
		return errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	p, _, c, err := s.target(ctx, s.db, postID)
	if err != nil {
		return err
	}
	if p.UserID != v.ID || !auth.CanRead(v, c.Grants) {
		return topic.ErrNotFound
	}
	if p.State != topic.StateHidden {
		return errs.New(errs.Conflict, "mod.review_not_hidden", nil)
	}
	if utf8.RuneCountInString(note) > MaxReason {
		return errs.Fields{"note": "mod.reason_long"}
	}
	if s.reviews == nil {
		return errs.New(errs.Conflict, "mod.review_unavailable", nil)
	}
	return s.reviews.RequestReview(ctx, v, p.ID, strings.TrimSpace(note))
}

// HidePost hides a post with a reason (or the canned hide reason cannedID).
func (s *Service) HidePost(ctx context.Context, v *auth.Viewer, postID int64, reason string, cannedID int64) (*Result, error) {
	return s.Apply(ctx, v, Action{Kind: Hide, PostID: postID, Reason: reason, CannedID: cannedID})
}

// RestorePost shows a hidden or deleted post again.
func (s *Service) RestorePost(ctx context.Context, v *auth.Viewer, postID int64, reason string) (*Result, error) {
	return s.Apply(ctx, v, Action{Kind: Restore, PostID: postID, Reason: reason})
}

// DeletePost soft-deletes a post: it stays, for staff to see and restore.
func (s *Service) DeletePost(ctx context.Context, v *auth.Viewer, postID int64, reason string) (*Result, error) {
	return s.Apply(ctx, v, Action{Kind: Delete, PostID: postID, Reason: reason})
}

// EditPost changes a post's text with a note; the old text stays as a
// revision.
func (s *Service) EditPost(ctx context.Context, v *auth.Viewer, postID int64, body, note string) (*Result, error) {
	return s.Apply(ctx, v, Action{Kind: Edit, PostID: postID, Body: body, Reason: note})
}

// SetOfficial marks a reply as the brand's official response, or takes
// the mark away.
func (s *Service) SetOfficial(ctx context.Context, v *auth.Viewer, postID int64, on bool) (*Result, error) {
	kind := Unofficial
	if on {
		kind = Official
	}
	return s.Apply(ctx, v, Action{Kind: kind, PostID: postID})
}

// PurgePost deletes a reply for good; confirm must be true.
func (s *Service) PurgePost(ctx context.Context, v *auth.Viewer, postID int64, confirm bool, reason string) (*Result, error) {
	return s.Apply(ctx, v, Action{Kind: Purge, PostID: postID, Confirm: confirm, Reason: reason})
}
