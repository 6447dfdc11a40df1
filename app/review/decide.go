package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"causerie/app/audit"
	"causerie/app/auth"
	"causerie/app/errs"
	"causerie/app/event"
	"causerie/app/topic"
	"causerie/app/user"
)

// Decision is a reviewer's decision on an item (form or API).
type Decision struct {
	Outcome string `form:"outcome" json:"outcome"`
	// Reason is told to the person the item is about; required to reject
	// or hide.
	Reason string `form:"reason" json:"reason"`
}

func (d *Decision) validate() error {
	d.Reason = strings.TrimSpace(d.Reason)
	f := errs.Fields{}
	if !slices.Contains(Outcomes, d.Outcome) {
		f["outcome"] = "review.outcome_required"
	}
	if (d.Outcome == Reject || d.Outcome == Hide) && d.Reason == "" {
		f["reason"] = "review.reason_required"
	}
	if utf8.RuneCountInString(d.Reason) > 1000 {
		f["reason"] = "validation.too_long"
	}
	return f.Err()
}

// Result says what a decision did: decided the item, or (for a junior
// moderator) opened a proposal that waits for a reviewer.
type Result struct {
	Item     *Item
	Proposal *Item
}

// Decide applies v's decision to an item. A junior moderator's decision
// becomes a proposal item instead, which a reviewer approves or rejects.
// Every decision is audited in its transaction and tells the member it is
// about why, in their language.
func (s *Service) Decide(ctx context.Context, v *auth.Viewer, id int64, d Decision) (*Result, error) {
	if !v.LoggedIn() {
		return nil, errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	it, err := s.get(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	if !maySee(v, it) {
		return nil, ErrNotFound
	}
	if !it.Open() {
		return nil, errs.New(errs.Conflict, "review.already_decided", nil)
	}
	if d.Outcome == Hide && it.PostID == nil {
		return nil, errs.Fields{"outcome": "review.outcome_hide_post"}
	}
	if !mayDecide(v, it) {
		if it.Kind == KindProposal || it.Kind == KindRegistration || !v.Can(auth.PermPropose, catOf(it)) {
			return nil, forbidden()
		}
		p, err := s.propose(ctx, v, Proposal{ItemID: it.ID, Outcome: d.Outcome, Reason: d.Reason}, it)
		if err != nil {
			return nil, err
		}
		return &Result{Item: it, Proposal: p}, nil
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.decide(ctx, tx, v, it, d, 0)
	})
	if err != nil {
		return nil, err
	}
	return &Result{Item: it}, nil
}

// decide carries a decision out in tx. proposer is the junior moderator
// whose proposal the reviewer approved (0 if none), for the audit log.
func (s *Service) decide(ctx context.Context, tx *gorm.DB, v *auth.Viewer, it *Item, d Decision, proposer int64) error {
	now := s.now()
	status := StatusApproved
	if d.Outcome == Reject {
		status = StatusRejected
	}
	// Claim the item first: of two reviewers deciding at once, one wins.
	res := tx.Model(&Item{}).Where("id = ? AND status = ?", it.ID, StatusOpen).Updates(map[string]any{
		"status": status, "decision_note": d.Reason, "resolved_by_id": v.ID, "resolved_at": now, "updated_at": now})
	if res.Error != nil {
		return fmt.Errorf("decide item %d: %w", it.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.New(errs.Conflict, "review.already_decided", nil)
	}
	before := map[string]any{"status": it.Status}
	it.Status, it.DecisionNote, it.ResolvedByID, it.ResolvedAt = status, d.Reason, &v.ID, &now
	after := map[string]any{"status": status, "outcome": d.Outcome}
	if proposer != 0 {
		after["proposed_by"] = proposer
	}
	var n *event.MemberNotice
	var err error
	switch it.Kind {
	case KindHeldPost, KindHeldEdit:
		n, err = s.decideHeld(ctx, tx, v, it, d)
	case KindFlag:
		n, err = s.decideFlag(ctx, tx, v, it, d, now)
	case KindAppeal:
		n, err = s.decideAppeal(ctx, tx, v, it, d)
	case KindRegistration:
		err = s.decideRegistration(ctx, tx, it, d)
	case KindProposal:
		n, err = s.decideProposal(ctx, tx, v, it, d)
	}
	if err != nil {
		return err
	}
	if err := audit.Record(tx, audit.Change{Actor: v.ID, Action: "review." + d.Outcome, ObjectType: "review", ObjectID: it.ID,
		Category: catOf(it), Reason: d.Reason, Before: before, After: after}); err != nil {
		return err
	}
	if n != nil {
		n.ActorID = v.ID
		if n.Key == "" {
			n.Key = fmt.Sprintf("review:%d", it.ID)
		}
		if err := s.notice(ctx, tx, *n); err != nil {
			return err
		}
	}
	var subject, post int64
	if it.SubjectID != nil {
		subject = *it.SubjectID
	}
	if it.PostID != nil {
		post = *it.PostID
	}
	if s.events == nil {
		return nil
	}
	return s.events.PublishTx(ctx, tx, event.ReviewDecided{ItemID: it.ID, ActorID: v.ID, SubjectID: subject, PostID: post,
		Kind: it.Kind, Outcome: d.Outcome})
}

// postNotice is a notice about a post to its author.
func (s *Service) postNotice(ctx context.Context, tx *gorm.DB, postID int64, msg, reason string) (*event.MemberNotice, error) {
	st := topic.NewStore(tx)
	p, err := st.Post(ctx, postID)
	if err != nil {
		return nil, err
	}
	t, err := st.Topic(ctx, p.TopicID)
	if err != nil {
		return nil, err
	}
	return &event.MemberNotice{UserID: p.UserID, Message: msg, Reason: reason, Title: t.Title, URL: p.URL()}, nil
}

// decideHeld publishes a held post (approve), deletes it softly (reject)
// or hides it with the reason (hide), where its author may edit it and ask
// for review.
func (s *Service) decideHeld(ctx context.Context, tx *gorm.DB, v *auth.Viewer, it *Item, d Decision) (*event.MemberNotice, error) {
	var err error
	msg := "review.notice_held_approved"
	switch d.Outcome {
	case Approve:
		_, _, err = s.topics.PublishHeld(ctx, tx, *it.PostID, it.Kind == KindHeldEdit)
	case Reject:
		if it.Kind == KindHeldEdit {
			msg = "review.notice_edit_rejected"
			_, _, err = s.topics.RejectHeldEdit(ctx, tx, *it.PostID, v.ID)
			break
		}
		msg = "review.notice_held_rejected"
		_, _, err = s.topics.RejectHeld(ctx, tx, *it.PostID, v.ID)
	case Hide:
		msg = "review.notice_hidden"
		_, _, err = s.topics.SetPostState(ctx, tx, *it.PostID, topic.StatePending, topic.StateHidden, v.ID, "post.hide", d.Reason)
	}
	if err != nil {
		if errors.Is(err, errs.Conflict) {
			return nil, errs.New(errs.Conflict, "review.not_pending", nil)
		}
		return nil, err
	}
	return s.postNotice(ctx, tx, *it.PostID, msg, d.Reason)
}

// decideFlag upholds the flags (approve and hide: the post is hidden with
// the reason, if it is not already) or dismisses them (reject: a post the
// flags hid is shown again).
func (s *Service) decideFlag(ctx context.Context, tx *gorm.DB, v *auth.Viewer, it *Item, d Decision, now any) (*event.MemberNotice, error) {
	flagStatus := FlagUpheld
	if d.Outcome == Reject {
		flagStatus = FlagDismissed
	}
	if err := tx.Model(&Flag{}).Where("review_item_id = ? AND status = ?", it.ID, StatusOpen).
		Updates(map[string]any{"status": flagStatus, "resolved_at": now}).Error; err != nil {
		return nil, fmt.Errorf("resolve flags of item %d: %w", it.ID, err)
	}
	if it.PostID == nil {
		// A profile: the member is told the outcome; the team follows up
		// with a sanction or a note if need be.
		return s.profileNotice(ctx, tx, it, d)
	}
	p, err := topic.NewStore(tx).Post(ctx, *it.PostID)
	if err != nil {
		return nil, err
	}
	// Upholding without a reason (approve) is worded as the flags' outcome;
	// hiding always carries the reviewer's reason.
	hidden := "review.notice_hidden"
	if d.Outcome == Approve {
		hidden = "review.notice_flags_upheld"
	}
	switch {
	case d.Outcome == Reject && p.State == topic.StateHidden && it.payload().AutoHidden:
		if _, _, err := s.topics.SetPostState(ctx, tx, p.ID, topic.StateHidden, topic.StatePublished, v.ID, "post.restore", ""); err != nil {
			return nil, err
		}
		return s.postNotice(ctx, tx, p.ID, "review.notice_flags_dismissed", d.Reason)
	case d.Outcome == Reject:
		// The post never left: its author still learns the flags were looked at.
		return s.postNotice(ctx, tx, p.ID, "review.notice_flags_cleared", d.Reason)
	case p.State == topic.StatePublished:
		if _, _, err := s.topics.SetPostState(ctx, tx, p.ID, topic.StatePublished, topic.StateHidden, v.ID, "post.hide", d.Reason); err != nil {
			return nil, err
		}
		return s.postNotice(ctx, tx, p.ID, hidden, d.Reason)
	case p.State == topic.StateHidden:
		// Hidden by the flags: it stays hidden, now with the reviewer's
		// reason (the flags' wording stays when they give none).
		why := map[string]any{"hidden_by_id": v.ID}
		if d.Reason != "" {
			why["hidden_reason"] = d.Reason
		}
		if err := tx.Model(&topic.Post{}).Where("id = ?", p.ID).Updates(why).Error; err != nil {
			return nil, fmt.Errorf("reason of hidden post %d: %w", p.ID, err)
		}
		return s.postNotice(ctx, tx, p.ID, hidden, d.Reason)
	}
	// Deleted meanwhile: the flags are settled, the author was told then.
	return nil, nil
}

// profileNotice tells a member the outcome of the flags on their profile.
func (s *Service) profileNotice(ctx context.Context, tx *gorm.DB, it *Item, d Decision) (*event.MemberNotice, error) {
	if it.SubjectID == nil {
		return nil, nil
	}
	u, err := user.NewStore(tx).Get(ctx, *it.SubjectID)
	if errors.Is(err, errs.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	msg := "review.notice_profile_upheld"
	if d.Outcome == Reject {
		msg = "review.notice_profile_dismissed"
	}
	return &event.MemberNotice{UserID: u.ID, Message: msg, Reason: d.Reason, URL: u.URL()}, nil
}

// decideAppeal shows a hidden post again (approve) or keeps it hidden.
func (s *Service) decideAppeal(ctx context.Context, tx *gorm.DB, v *auth.Viewer, it *Item, d Decision) (*event.MemberNotice, error) {
	if d.Outcome != Approve {
		return s.postNotice(ctx, tx, *it.PostID, "review.notice_appeal_rejected", d.Reason)
	}
	if _, _, err := s.topics.SetPostState(ctx, tx, *it.PostID, topic.StateHidden, topic.StatePublished, v.ID, "post.restore", ""); err != nil {
		if errors.Is(err, errs.Conflict) {
			return nil, errs.New(errs.Conflict, "review.not_hidden", nil)
		}
		return nil, err
	}
	return s.postNotice(ctx, tx, *it.PostID, "review.notice_appeal_approved", d.Reason)
}

// --- proposals ----------------------------------------------------------------

// ProposeInput is a junior moderator's proposed moderation action on a
// post or topic, made by app/moderation's pages when the junior may only
// propose.
type ProposeInput struct {
	Action  string          `json:"action"`
	PostID  int64           `json:"post_id,omitempty"`
	TopicID int64           `json:"topic_id,omitempty"`
	Reason  string          `json:"reason"`
	Params  json.RawMessage `json:"params,omitempty"` // the serialised action app/moderation applies
}

// Propose opens a proposal item for a moderation action v may propose but
// not take: hide or restore a post, close a topic… A reviewer approves it
// (the action is then carried out) or rejects it; v is told either way.
func (s *Service) Propose(ctx context.Context, v *auth.Viewer, in ProposeInput) (*Item, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	f := errs.Fields{}
	if in.Action == "" {
		f["action"] = "review.outcome_required"
	}
	if in.Reason == "" {
		f["reason"] = "review.reason_required"
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	target := &Item{}
	switch {
	case in.PostID != 0:
		p, t, err := s.readablePost(ctx, v, in.PostID)
		if err != nil {
			return nil, err
		}
		target.CategoryID, target.TopicID, target.PostID, target.SubjectID = &t.CategoryID, &t.ID, &p.ID, &p.UserID
		target.TargetKey = fmt.Sprintf("%s:%s", in.Action, postKey(p.ID))
	case in.TopicID != 0:
		t, err := topic.NewStore(s.db).Topic(ctx, in.TopicID)
		if err != nil {
			return nil, err
		}
		target.CategoryID, target.TopicID, target.SubjectID = &t.CategoryID, &t.ID, &t.UserID
		target.TargetKey = fmt.Sprintf("%s:topic:%d", in.Action, t.ID)
	default:
		return nil, errs.Fields{"post_id": "review.proposal_target"}
	}
	if !v.Can(auth.PermPropose, catOf(target)) {
		return nil, forbidden()
	}
	return s.propose(ctx, v, Proposal{Action: in.Action, PostID: in.PostID, TopicID: in.TopicID, Reason: in.Reason, Params: in.Params}, target)
}

// propose records a proposal about target (an item, or a post or topic).
func (s *Service) propose(ctx context.Context, v *auth.Viewer, pr Proposal, target *Item) (*Item, error) {
	now := s.now()
	key := target.TargetKey
	if pr.ItemID != 0 {
		key = fmt.Sprintf("item:%d", pr.ItemID)
	}
	it := &Item{Kind: KindProposal, Status: StatusOpen, TargetKey: key, Score: target.Score + 2, CategoryID: target.CategoryID,
		TopicID: target.TopicID, PostID: target.PostID, SubjectID: target.SubjectID, CreatedByID: &v.ID,
		Reasons: pr.Outcome + pr.Action, Payload: encode(Payload{Proposal: &pr}), CreatedAt: now, UpdatedAt: now}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Item{}).Where("kind = ? AND target_key = ? AND status = ?", KindProposal, key, StatusOpen).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return errs.New(errs.Conflict, "review.proposal_exists", nil)
		}
		if err := tx.Create(it).Error; err != nil {
			return fmt.Errorf("propose: %w", err)
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "review.propose", ObjectType: "review", ObjectID: it.ID,
			Category: catOf(it), Reason: pr.Reason, After: pr})
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

// decideProposal carries out an approved proposal as the reviewer, and
// tells the junior moderator the outcome with the reviewer's reason.
func (s *Service) decideProposal(ctx context.Context, tx *gorm.DB, v *auth.Viewer, it *Item, d Decision) (*event.MemberNotice, error) {
	pr := it.payload().Proposal
	if pr == nil {
		return nil, fmt.Errorf("proposal item %d has no proposal", it.ID)
	}
	msg := "review.notice_proposal_rejected"
	if d.Outcome != Reject {
		msg = "review.notice_proposal_approved"
		if err := s.carryOut(ctx, tx, v, it, pr); err != nil {
			return nil, err
		}
	}
	n := &event.MemberNotice{Message: msg, Reason: d.Reason, URL: fmt.Sprintf("/review/%d", it.ID),
		Key: fmt.Sprintf("proposal:%d", it.ID)}
	if it.CreatedByID != nil {
		n.UserID = *it.CreatedByID
	}
	if it.TopicID != nil {
		if t, err := topic.NewStore(tx).Topic(ctx, *it.TopicID); err == nil {
			n.Title = t.Title
		}
	}
	if n.Reason == "" {
		n.Reason = pr.Reason
	}
	return n, nil
}

// carryOut does what a proposal proposed.
func (s *Service) carryOut(ctx context.Context, tx *gorm.DB, v *auth.Viewer, it *Item, pr *Proposal) error {
	if pr.ItemID != 0 {
		target, err := s.get(ctx, tx, pr.ItemID)
		if err != nil {
			return err
		}
		if !target.Open() {
			return errs.New(errs.Conflict, "review.already_decided", nil)
		}
		var proposer int64
		if it.CreatedByID != nil {
			proposer = *it.CreatedByID
		}
		return s.decide(ctx, tx, v, target, Decision{Outcome: pr.Outcome, Reason: pr.Reason}, proposer)
	}
	switch {
	case s.actions != nil && len(pr.Params) > 0:
		return s.actions.ApplyTx(ctx, tx, v, pr.Params)
	case pr.Action == "post.hide" && pr.PostID != 0:
		if _, _, err := s.topics.SetPostState(ctx, tx, pr.PostID, topic.StatePublished, topic.StateHidden, v.ID, "post.hide", pr.Reason); err != nil {
			return err
		}
		n, err := s.postNotice(ctx, tx, pr.PostID, "review.notice_hidden", pr.Reason)
		if err != nil {
			return err
		}
		n.ActorID, n.Key = v.ID, fmt.Sprintf("proposal-hide:%d", it.ID)
		if err := s.notice(ctx, tx, *n); err != nil {
			return err
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "post.hide", ObjectType: "post", ObjectID: pr.PostID,
			Category: catOf(it), Reason: pr.Reason, Before: map[string]any{"state": topic.StatePublished},
			After: map[string]any{"state": topic.StateHidden, "proposal": it.ID}})
	case pr.Action == "post.restore" && pr.PostID != 0:
		if _, _, err := s.topics.SetPostState(ctx, tx, pr.PostID, topic.StateHidden, topic.StatePublished, v.ID, "post.restore", ""); err != nil {
			return err
		}
		n, err := s.postNotice(ctx, tx, pr.PostID, "review.notice_restored", pr.Reason)
		if err != nil {
			return err
		}
		n.ActorID, n.Key = v.ID, fmt.Sprintf("proposal-restore:%d", it.ID)
		if err := s.notice(ctx, tx, *n); err != nil {
			return err
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "post.restore", ObjectType: "post", ObjectID: pr.PostID,
			Category: catOf(it), Reason: pr.Reason, Before: map[string]any{"state": topic.StateHidden},
			After: map[string]any{"state": topic.StatePublished, "proposal": it.ID}})
	}
	return errs.New(errs.Conflict, "review.proposal_unknown", nil)
}

// --- appeals --------------------------------------------------------------------

// RequestReview is the author of a hidden post asking the team to look at
// it again (after editing it, say): an appeal item in the queue.
func (s *Service) RequestReview(ctx context.Context, v *auth.Viewer, postID int64, note string) (*Item, error) {
	if !v.LoggedIn() {
		return nil, errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 1000 {
		return nil, errs.Fields{"note": "validation.too_long"}
	}
	st := topic.NewStore(s.db)
	p, err := st.Post(ctx, postID)
	if err != nil {
		return nil, err
	}
	if p.UserID != v.ID {
		return nil, forbidden()
	}
	if p.State != topic.StateHidden {
		return nil, errs.New(errs.Conflict, "review.not_hidden", nil)
	}
	t, err := st.Topic(ctx, p.TopicID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	it := &Item{Kind: KindAppeal, Status: StatusOpen, TargetKey: postKey(p.ID), Score: 1, CategoryID: &t.CategoryID, TopicID: &t.ID,
		PostID: &p.ID, SubjectID: &p.UserID, CreatedByID: &v.ID, Payload: encode(Payload{Note: note}), CreatedAt: now, UpdatedAt: now}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Item{}).Where("kind = ? AND target_key = ? AND status = ?", KindAppeal, it.TargetKey, StatusOpen).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return errs.New(errs.Conflict, "review.appeal_exists", nil)
		}
		return tx.Create(it).Error
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}
