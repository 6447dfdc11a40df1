package moderation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"causerie/app/audit"
	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/config"
	"causerie/app/errs"
	"causerie/app/event"
	"causerie/app/markup"
	"causerie/app/topic"
)

// Events publishes what happened inside the transaction of the change.
type Events interface {
	PublishTx(ctx context.Context, tx *gorm.DB, e event.Event) error
}

// ReviewRequester puts a hidden post in front of the team again when its
// author asks (after editing it, say), with a note. The review domain
// implements it (an appeal in the queue); app.New wires it with
// UseReviews. ReviewFunc adapts a function.
type ReviewRequester interface {
	RequestReview(ctx context.Context, v *auth.Viewer, postID int64, note string) error
}

// ReviewFunc is a function that is a ReviewRequester.
type ReviewFunc func(ctx context.Context, v *auth.Viewer, postID int64, note string) error

func (f ReviewFunc) RequestReview(ctx context.Context, v *auth.Viewer, postID int64, note string) error {
	return f(ctx, v, postID, note)
}

// Proposer files a junior moderator's action as a proposal in the review
// queue, where a reviewer approves it (the queue then applies it with
// ApplyTx in the approver's name) or rejects it. app.New wires it with
// UseProposals. ProposeFunc adapts a function.
type Proposer interface {
	Propose(ctx context.Context, v *auth.Viewer, a Action) error
}

// ProposeFunc is a function that is a Proposer.
type ProposeFunc func(ctx context.Context, v *auth.Viewer, a Action) error

func (f ProposeFunc) Propose(ctx context.Context, v *auth.Viewer, a Action) error {
	return f(ctx, v, a)
}

// Service carries out staff actions on posts and topics.
type Service struct {
	db      *gorm.DB
	cats    *category.Service
	render  *markup.Renderer
	cfg     config.Posting
	events  Events
	reviews ReviewRequester
	propose Proposer
	requeue Requeue
	langs   []string
}

// NewService wires the moderation actions.
func NewService(g *gorm.DB, cats *category.Service, render *markup.Renderer, cfg config.Config, events Events) *Service {
	return &Service{db: g, cats: cats, render: render, cfg: cfg.Posting, events: events, langs: []string{cfg.Accounts.DefaultLanguage}}
}

// Requeue says, in tx, whether a deleted post was waiting for review when
// it was deleted, and if so opens its queue item again.
type Requeue func(ctx context.Context, tx *gorm.DB, postID int64) (bool, error)

// UseRequeue lets restoring a post deleted before review send it back to
// the queue instead of publishing it.
func (s *Service) UseRequeue(r Requeue) { s.requeue = r }

// UseReviews lets authors of hidden posts ask for review. Until it is
// called, asking says the queue is not available.
func (s *Service) UseReviews(r ReviewRequester) { s.reviews = r }

// UseProposals lets junior moderators propose actions they may not take.
func (s *Service) UseProposals(p Proposer) { s.propose = p }

// Result is what an action did.
type Result struct {
	Action Action
	// Post is the post acted on, as it is now (nil for a topic action and
	// after a purge).
	Post *topic.Post
	// Topic is the topic acted on, or the topic a merge went into, or the
	// topic a split made.
	Topic *topic.Topic
	// Changed is false when things already were as asked (hiding a hidden
	// post): nothing was recorded.
	Changed bool
}

// Permission is what an action of kind needs, in the category of the post
// or topic (purge: site-wide).
func Permission(kind string) auth.Permission {
	switch kind {
	case Hide, Restore, Delete:
		return auth.PermHide
	case Edit:
		return auth.PermEditPosts
	case Official, Unofficial:
		return auth.PermOfficial
	case Purge, PurgeTopic:
		return auth.PermPurge
	case Pin, Unpin:
		return auth.PermPin
	case Feature, Unfeature:
		return auth.PermFeature
	}
	return auth.PermManage
}

// Apply carries out a in v's name, in a transaction of its own: the change,
// its audit entry, its events and the author's notification commit
// together or not at all.
func (s *Service) Apply(ctx context.Context, v *auth.Viewer, a Action) (*Result, error) {
	if err := a.Check(); err != nil {
		return nil, err
	}
	var res *Result
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		res, err = s.apply(ctx, tx, v, a)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// ApplyTx is Apply inside the caller's transaction tx (the review queue
// approving a proposal and applying it at once).
func (s *Service) ApplyTx(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action) (*Result, error) {
	if err := a.Check(); err != nil {
		return nil, err
	}
	return s.apply(ctx, tx, v, a)
}

// Submit is what the pages and the API call: v's action is carried out
// when v may take it; when v may only propose it there (a junior
// moderator), it goes to the review queue as a proposal and Submit says
// proposed.
func (s *Service) Submit(ctx context.Context, v *auth.Viewer, a Action) (res *Result, proposed bool, err error) {
	if err := a.Check(); err != nil {
		return nil, false, err
	}
	if s.propose != nil && v.LoggedIn() && a.Kind != Purge && a.Kind != PurgeTopic {
		catID, err := s.Category(ctx, a)
		if err != nil {
			return nil, false, err
		}
		c, err := s.cats.Get(ctx, catID)
		if err != nil {
			return nil, false, err
		}
		if !May(v, a.Kind, c) && auth.CanRead(v, c.Grants) && v.Can(auth.PermPropose, c.ID) {
			if a.Kind == Hide && strings.TrimSpace(a.Reason) == "" {
				cr, err := s.cannedIn(ctx, s.db, a.CannedID, CannedHide)
				if err != nil {
					return nil, false, errs.Fields{"canned_id": "mod.canned_unknown"}
				}
				a.Reason = cr.Body
			}
			if err := s.propose.Propose(ctx, v, a); err != nil {
				return nil, false, err
			}
			return &Result{Action: a}, true, nil
		}
	}
	res, err = s.Apply(ctx, v, a)
	return res, false, err
}

// MayPropose says whether v would propose rather than take actions of kind
// in category cat.
func (s *Service) MayPropose(v *auth.Viewer, kind string, cat *category.Category) bool {
	return s.propose != nil && kind != Purge && kind != PurgeTopic && !May(v, kind, cat) && auth.CanRead(v, cat.Grants) && v.Can(auth.PermPropose, cat.ID)
}

// Category is the category an action is about (the post's or the topic's),
// for the review queue to file a proposal where its reviewers look.
func (s *Service) Category(ctx context.Context, a Action) (int64, error) {
	st := topic.NewStore(s.db)
	topicID := a.TopicID
	if a.OnPost() {
		p, err := st.Post(ctx, a.PostID)
		if err != nil {
			return 0, err
		}
		topicID = p.TopicID
	}
	t, err := st.Topic(ctx, topicID)
	if err != nil {
		return 0, err
	}
	return t.CategoryID, nil
}

// May says whether v may carry out actions of kind in category cat without
// anyone's approval.
func May(v *auth.Viewer, kind string, cat *category.Category) bool {
	p := Permission(kind)
	if p == auth.PermPurge {
		return v.Can(p, 0)
	}
	return auth.CanRead(v, cat.Grants) && v.Can(p, cat.ID)
}

func (s *Service) apply(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action) (*Result, error) {
	if !v.LoggedIn() {
		return nil, errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	if a.OnPost() {
		return s.applyPost(ctx, tx, v, a)
	}
	return s.applyTopic(ctx, tx, v, a)
}

// authorize says whether v may do a's kind in cat: refused (403) to those
// who can read the category, not found to those who cannot, so private
// content does not leak.
func authorize(v *auth.Viewer, kind string, cat *category.Category) error {
	if May(v, kind, cat) {
		return nil
	}
	if auth.CanRead(v, cat.Grants) {
		return errs.New(errs.Forbidden, "error.http_403", nil)
	}
	return topic.ErrNotFound
}

// target loads a post, its topic and category.
func (s *Service) target(ctx context.Context, tx *gorm.DB, postID int64) (*topic.Post, *topic.Topic, *category.Category, error) {
	st := topic.NewStore(tx)
	p, err := st.Post(ctx, postID)
	if err != nil {
		return nil, nil, nil, err
	}
	t, c, err := s.topicOf(ctx, tx, p.TopicID)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, t, c, nil
}

func (s *Service) topicOf(ctx context.Context, tx *gorm.DB, topicID int64) (*topic.Topic, *category.Category, error) {
	t, err := topic.NewStore(tx).Topic(ctx, topicID)
	if err != nil {
		return nil, nil, err
	}
	if t.MergedIntoID != nil {
		return nil, nil, errs.New(errs.Conflict, "mod.topic_merged", nil)
	}
	c, err := s.cats.Get(ctx, t.CategoryID)
	if err != nil {
		return nil, nil, fmt.Errorf("category of topic %d: %w", t.ID, err)
	}
	return t, c, nil
}

// record writes the audit entry of a change and tells whoever it concerns
// (not the actor), inside tx: the notice says what was done, in the
// member's language, with the reason.
func (s *Service) record(ctx context.Context, tx *gorm.DB, v *auth.Viewer, c audit.Change, tell *event.MemberNotice) error {
	c.Actor = v.ID
	if err := audit.Record(tx, c); err != nil {
		return err
	}
	if tell == nil || tell.UserID == 0 || tell.UserID == v.ID {
		return nil
	}
	tell.Key = "moderation:" + newKey()
	tell.ActorID = v.ID
	_, kind, _ := strings.Cut(c.Action, ".")
	tell.Message = notices[kind]
	if tell.Message == "" {
		return nil // nothing the author needs telling (pin, feature)
	}
	if tell.Reason == "" {
		tell.Reason = c.Reason
	}
	return s.publish(ctx, tx, *tell)
}

// notices words each decision for the member it concerns.
var notices = map[string]string{
	Hide: "mod.notice_post_hide", Restore: "mod.notice_post_restore",
	Delete: "mod.notice_post_delete", Edit: "mod.notice_post_edit",
	Official: "mod.notice_post_official", Unofficial: "mod.notice_post_unofficial",
	Purge: "mod.notice_post_purge", Close: "mod.notice_topic_close",
	Open: "mod.notice_topic_open", Move: "mod.notice_topic_move",
	Merge: "mod.notice_topic_merge", Split: "mod.notice_topic_split",
	Owner: "mod.notice_topic_owner", PurgeTopic: "mod.notice_topic_purge",
}

func (s *Service) publish(ctx context.Context, tx *gorm.DB, e event.Event) error {
	if s.events == nil {
		return nil
	}
	return s.events.PublishTx(ctx, tx, e)
}

func newKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// now is the time stamps are written with, to the microsecond both
// databases keep.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// bump adds delta to a counter column of one row.
func bump(ctx context.Context, tx *gorm.DB, table, column string, id int64, delta int) error {
	if id == 0 || delta == 0 {
		return nil
	}
	err := tx.WithContext(ctx).Table(table).Where("id = ?", id).UpdateColumn(column, gorm.Expr(column+" + ?", delta)).Error
	if err != nil {
		return fmt.Errorf("count %s.%s of %d: %w", table, column, id, err)
	}
	return nil
}

// countPost adds delta to the counts a published post takes part in: its
// topic's replies (not for a first post), its category's and its author's
// posts.
func countPost(ctx context.Context, tx *gorm.DB, p *topic.Post, t *topic.Topic, delta int) error {
	if p.Number > 1 {
		if err := bump(ctx, tx, "topics", "replies_count", t.ID, delta); err != nil {
			return err
		}
	}
	if err := bump(ctx, tx, "categories", "posts_count", t.CategoryID, delta); err != nil {
		return err
	}
	return bump(ctx, tx, "users", "posts_count", p.UserID, delta)
}

// refreshTopic works a topic's replies count, last activity and highest
// number out again from its posts, after posts came or went in bulk. The
// highest number never goes down: a number once given stays given, so an
// old address never shows another post.
func refreshTopic(ctx context.Context, tx *gorm.DB, topicID int64) error {
	tx = tx.WithContext(ctx)
	var replies int64
	if err := tx.Model(&topic.Post{}).Where("topic_id = ? AND state = ? AND number > 1", topicID, topic.StatePublished).
		Count(&replies).Error; err != nil {
		return fmt.Errorf("count replies of topic %d: %w", topicID, err)
	}
	var highest int
	if err := tx.Model(&topic.Post{}).Where("topic_id = ?", topicID).Select("COALESCE(MAX(number), 0)").Scan(&highest).Error; err != nil {
		return fmt.Errorf("highest number of topic %d: %w", topicID, err)
	}
	set := map[string]any{"replies_count": replies,
		"highest_number": gorm.Expr("CASE WHEN highest_number > ? THEN highest_number ELSE ? END", highest, highest)}
	var last []topic.Post
	if err := tx.Where("topic_id = ? AND state = ?", topicID, topic.StatePublished).Order("created_at DESC, id DESC").
		Limit(1).Find(&last).Error; err != nil {
		return fmt.Errorf("last post of topic %d: %w", topicID, err)
	}
	if len(last) == 1 {
		set["last_post_at"], set["last_user_id"] = last[0].CreatedAt, last[0].UserID
	}
	if err := tx.Model(&topic.Topic{}).Where("id = ?", topicID).UpdateColumns(set).Error; err != nil {
		return fmt.Errorf("refresh topic %d: %w", topicID, err)
	}
	return nil
}

// clearAccepted takes the accepted-answer mark off post id in topic t, if
// it is there, and the answer from its author's count.
func clearAccepted(ctx context.Context, tx *gorm.DB, t *topic.Topic, p *topic.Post) error {
	if t.AcceptedPostID == nil || *t.AcceptedPostID != p.ID {
		return nil
	}
	if err := tx.WithContext(ctx).Model(&topic.Topic{}).Where("id = ?", t.ID).UpdateColumn("accepted_post_id", nil).Error; err != nil {
		return fmt.Errorf("take accepted answer off topic %d: %w", t.ID, err)
	}
	t.AcceptedPostID = nil
	return bump(ctx, tx, "users", "accepted_answers", p.UserID, -1)
}

func isNotFound(err error) bool { return errors.Is(err, errs.NotFound) }

// ReviewActions is the service as the review queue sees it: the stored
// action of an approved proposal (Action.Encode) carried out in the
// approver's name.
type ReviewActions struct{ s *Service }

// ForReview is the service for the review queue.
func (s *Service) ForReview() ReviewActions { return ReviewActions{s: s} }

// Apply decodes and applies an action in a transaction of its own. Inside
// a transaction that is already open, call ApplyTx: on SQLite a second
// writer waits for the first.
func (r ReviewActions) Apply(ctx context.Context, v *auth.Viewer, raw json.RawMessage) error {
	a, err := Decode(string(raw))
	if err != nil {
		return err
	}
	_, err = r.s.Apply(ctx, v, a)
	return err
}

// ApplyTx decodes and applies an action inside tx.
func (r ReviewActions) ApplyTx(ctx context.Context, tx *gorm.DB, v *auth.Viewer, raw json.RawMessage) error {
	a, err := Decode(string(raw))
	if err != nil {
		return err
	}
	_, err = r.s.ApplyTx(ctx, tx, v, a)
	return err
}
