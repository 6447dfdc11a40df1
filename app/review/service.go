package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/config"
	"causerie/app/errs"
	"causerie/app/event"
	"causerie/app/jobs"
	"causerie/app/topic"
	"causerie/app/user"
)

// ErrNotFound is an item that does not exist or that the reader may not see.
var ErrNotFound = fmt.Errorf("review: %w", errs.NotFound)

// Events publishes inside the transaction of a decision.
type Events interface {
	PublishTx(ctx context.Context, tx *gorm.DB, e event.Event) error
}

// Mailer sends one of the theme's e-mails.
type Mailer interface {
	Send(ctx context.Context, name, lang, to string, data map[string]any) error
}

// Policy is the watched words and spam rules (app/policy), asked before a
// post is written: its verdict may refuse the post, rewrite it, hold it or
// flag it.
type Policy interface {
	Check(ctx context.Context, v *auth.Viewer, in topic.GateInput) (topic.Verdict, error)
}

// Actions carries out a moderation action a junior moderator proposed,
// once a reviewer approves it, in the approval's transaction
// (app/moderation's ApplyTx). action is the serialised action of the
// proposal.
type Actions interface {
	ApplyTx(ctx context.Context, tx *gorm.DB, v *auth.Viewer, action json.RawMessage) error
}

// ActionsFunc is a function that is Actions.
type ActionsFunc func(ctx context.Context, tx *gorm.DB, v *auth.Viewer, action json.RawMessage) error

func (f ActionsFunc) ApplyTx(ctx context.Context, tx *gorm.DB, v *auth.Viewer, action json.RawMessage) error {
	return f(ctx, tx, v, action)
}

// Service holds the rules of the review queue.
type Service struct {
	db      *gorm.DB
	cfg     config.Review
	lang    string
	cats    *category.Service
	topics  *topic.Service
	events  Events
	jobs    *jobs.Queue
	mailer  Mailer
	policy  Policy
	actions Actions
	log     *slog.Logger
	now     func() time.Time
	rules   rulesCache
}

// JobMail mails a registrant the decision on their account.
const JobMail = "review:mail"

// NewService wires the review rules. Call Wire before the queue starts.
func NewService(g *gorm.DB, cfg config.Config, cats *category.Service, topics *topic.Service, events Events,
	q *jobs.Queue, mailer Mailer, log *slog.Logger) *Service {
	s := &Service{db: g, cfg: cfg.Review, lang: cfg.Accounts.DefaultLanguage, cats: cats, topics: topics, events: events,
		jobs: q, mailer: mailer, log: log, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
	q.Register(JobMail, s.sendMail)
	return s
}

// UsePolicy puts the watched words and spam rules in front of posts.
func (s *Service) UsePolicy(p Policy) { s.policy = p }

// UseActions lets approved proposals of moderation actions be carried out.
func (s *Service) UseActions(a Actions) { s.actions = a }

// Config is the queue's settings.
func (s *Service) Config() config.Review { return s.cfg }

func forbidden() error { return errs.New(errs.Forbidden, "error.http_403", nil) }

func postKey(id int64) string { return "post:" + strconv.FormatInt(id, 10) }
func userKey(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

func ptr[T any](v T) *T { return &v }

func addReason(list, r string) string {
	if r == "" {
		return list
	}
	parts := strings.Split(list, ",")
	if list == "" {
		parts = nil
	}
	if slices.Contains(parts, r) {
		return list
	}
	return strings.Join(append(parts, r), ",")
}

// --- the gate in front of app/topic ---------------------------------------

// Check decides whether a post is held: the policy's verdict (watched
// words, the spam score), and the queue's own rules — a new member's first
// posts, links from a new member, categories that require approval.
// Members who bypass limits (staff) are held by nothing but the policy's
// watched words.
func (s *Service) Check(ctx context.Context, v *auth.Viewer, in topic.GateInput) (topic.Verdict, error) {
	var vd topic.Verdict
	if s.policy != nil {
		pv, err := s.policy.Check(ctx, v, in)
		if err != nil {
			return vd, err
		}
		vd = pv
	}
	if v.Can(auth.PermBypassLimit, in.CategoryID) {
		return vd, nil
	}
	hold := func(r string) {
		vd.Hold = true
		if !slices.Contains(vd.Reasons, r) {
			vd.Reasons = append(vd.Reasons, r)
		}
	}
	if in.PostID == 0 {
		held, err := s.requiresApproval(ctx, in.CategoryID)
		if err != nil {
			return vd, err
		}
		if held {
			hold("category")
		}
		if v.TrustLevel == auth.TrustNew && s.cfg.HoldFirstPosts > 0 {
			var n int64
			if err := s.db.WithContext(ctx).Table("posts").Where("user_id = ? AND state IN ?", v.ID,
				[]string{topic.StatePublished, topic.StateHidden}).Count(&n).Error; err != nil {
				return vd, fmt.Errorf("count posts of %d: %w", v.ID, err)
			}
			if int(n) < s.cfg.HoldFirstPosts {
				hold("first_post")
			}
		}
	}
	if v.TrustLevel == auth.TrustNew && s.cfg.HoldNewLinks && in.Links > 0 {
		hold("links")
	}
	return vd, nil
}

// Record opens or updates the queue item of a post the gate held or
// flagged, in the post's transaction.
func (s *Service) Record(ctx context.Context, tx *gorm.DB, v *auth.Viewer, t *topic.Topic, p *topic.Post, vd topic.Verdict, edit bool) error {
	now := s.now()
	if p.State == topic.StatePending {
		kind := KindHeldPost
		if edit {
			kind = KindHeldEdit
		}
		var open Item
		err := tx.WithContext(ctx).Where("target_key = ? AND status = ? AND kind IN ?", postKey(p.ID), StatusOpen,
			[]string{KindHeldPost, KindHeldEdit}).Limit(1).Find(&open).Error
		if err != nil {
			return fmt.Errorf("held item of post %d: %w", p.ID, err)
		}
		if open.ID != 0 { // the author (or a reviewer) changed a held post: the item shows the new text
			pl := open.payload()
			if v.ID == p.UserID {
				pl.Edits++
			}
			reasons := open.Reasons
			for _, r := range vd.Reasons {
				reasons = addReason(reasons, r)
			}
			return tx.Model(&Item{}).Where("id = ?", open.ID).Updates(map[string]any{"payload": encode(pl), "reasons": reasons,
				"score": max(open.Score, 1+vd.Score), "updated_at": now}).Error
		}
		it := &Item{Kind: kind, Status: StatusOpen, TargetKey: postKey(p.ID), Score: 1 + vd.Score, CategoryID: &t.CategoryID,
			TopicID: &t.ID, PostID: &p.ID, SubjectID: &p.UserID, Reasons: strings.Join(vd.Reasons, ","), Payload: encode(Payload{}),
			CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(it).Error; err != nil {
			return fmt.Errorf("hold post %d: %w", p.ID, err)
		}
		return nil
	}
	if len(vd.Flags) == 0 {
		return nil
	}
	it, err := s.flagItem(ctx, tx, t.CategoryID, &t.ID, &p.ID, p.UserID, postKey(p.ID), now)
	if err != nil {
		return err
	}
	reasons := it.Reasons
	for _, r := range vd.Flags {
		reasons = addReason(reasons, r)
	}
	return tx.Model(&Item{}).Where("id = ?", it.ID).Updates(map[string]any{"reasons": reasons,
		"score": gorm.Expr("score + ?", 1), "updated_at": now}).Error
}

// flagItem returns the open flag item of a target, made if there is none.
// Two flags at once both land on one item: the insert does nothing on the
// unique (kind, target) of open items, and the row is read again.
func (s *Service) flagItem(ctx context.Context, tx *gorm.DB, cat int64, topicID, postID *int64, subject int64, key string, now time.Time) (*Item, error) {
	it := &Item{Kind: KindFlag, Status: StatusOpen, TargetKey: key, TopicID: topicID, PostID: postID, SubjectID: &subject,
		Payload: encode(Payload{}), CreatedAt: now, UpdatedAt: now}
	if cat != 0 {
		it.CategoryID = &cat
	}
	err := tx.WithContext(ctx).Exec(`INSERT INTO review_items (kind, status, target_key, score, category_id, topic_id, post_id,
		subject_id, reasons, payload, decision_note, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?, ?, ?, '', ?, '', ?, ?)
		ON CONFLICT (kind, target_key) WHERE status = 'open' DO NOTHING`,
		it.Kind, it.Status, it.TargetKey, it.CategoryID, it.TopicID, it.PostID, it.SubjectID, it.Payload, now, now).Error
	if err != nil {
		return nil, fmt.Errorf("flag item of %s: %w", key, err)
	}
	var got Item
	if err := tx.WithContext(ctx).Where("kind = ? AND target_key = ? AND status = ?", KindFlag, key, StatusOpen).Take(&got).Error; err != nil {
		return nil, fmt.Errorf("flag item of %s: %w", key, err)
	}
	return &got, nil
}

// --- shared helpers ---------------------------------------------------------

// get loads an item.
func (s *Service) get(ctx context.Context, g *gorm.DB, id int64) (*Item, error) {
	var it Item
	switch err := g.WithContext(ctx).Where("id = ?", id).Take(&it).Error; {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return nil, ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("review item %d: %w", id, err)
	}
	return &it, nil
}

func catOf(it *Item) int64 {
	if it.CategoryID == nil {
		return 0
	}
	return *it.CategoryID
}

// mayDecide says whether v may decide an item outright.
func mayDecide(v *auth.Viewer, it *Item) bool {
	switch it.Kind {
	case KindRegistration:
		return v.Can(auth.PermRegistrants, 0)
	case KindProposal:
		return v.Can(auth.PermApprove, catOf(it)) || v.Can(auth.PermReview, catOf(it))
	}
	return v.Can(auth.PermReview, catOf(it))
}

// maySee says whether v may see an item in the queue.
func maySee(v *auth.Viewer, it *Item) bool {
	if mayDecide(v, it) {
		return true
	}
	switch it.Kind {
	case KindRegistration:
		return false
	case KindProposal:
		return it.CreatedByID != nil && *it.CreatedByID == v.ID
	}
	return v.Can(auth.PermPropose, catOf(it))
}

// MayUse says whether v has any business in the queue.
func MayUse(v *auth.Viewer) bool { return v.MayUseQueue() }

// notice tells a member about a decision, through notify's durable path.
func (s *Service) notice(ctx context.Context, tx *gorm.DB, n event.MemberNotice) error {
	if n.UserID == 0 || s.events == nil {
		return nil
	}
	return s.events.PublishTx(ctx, tx, n)
}

// users loads members by ID.
func (s *Service) users(ctx context.Context, ids []int64) (map[int64]*user.User, error) {
	out := map[int64]*user.User{}
	if len(ids) == 0 {
		return out, nil
	}
	var us []*user.User
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&us).Error; err != nil {
		return nil, fmt.Errorf("load members: %w", err)
	}
	for _, u := range us {
		out[u.ID] = u
	}
	return out, nil
}
