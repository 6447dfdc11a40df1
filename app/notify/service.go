package notify

import (
	"context"
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
	"causerie/app/i18n"
	"causerie/app/jobs"
	"causerie/app/mail"
	"causerie/app/topic"
	"causerie/app/user"
)

// Service holds the rules of notifications, watches and their e-mails.
type Service struct {
	db     *gorm.DB
	cfg    config.Config
	cats   *category.Service
	topics *topic.Service
	mailer *mail.Mailer
	bundle *i18n.Bundle
	secret []byte
	log    *slog.Logger
	now    func() time.Time
}

// NewService wires the notification rules. secret signs the unsubscribe
// links.
func NewService(g *gorm.DB, cfg config.Config, cats *category.Service, topics *topic.Service, mailer *mail.Mailer,
	bundle *i18n.Bundle, secret []byte, log *slog.Logger) *Service {
	return &Service{db: g, cfg: cfg, cats: cats, topics: topics, mailer: mailer, bundle: bundle, secret: secret, log: log,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// The periodic jobs.
const (
	JobMail   = "notify:mail"   // batched immediate mails, every minute
	JobDigest = "notify:digest" // daily and weekly digests, every hour
)

// Wire subscribes to the events notifications follow from and registers
// the mail jobs. Call it once, when wiring, before the queue starts.
func (s *Service) Wire(bus *event.Bus, q *jobs.Queue) {
	event.SubscribeBatch(bus, "notify", s.postsCreated)
	event.Subscribe(bus, "notify", s.reactionAdded)
	event.Subscribe(bus, "notify", s.answerAccepted)
	event.Subscribe(bus, "notify", s.badgeGranted)
	event.Subscribe(bus, "notify", s.trustLevelChanged)
	event.Subscribe(bus, "notify", s.memberNotice)
	q.Register(JobMail, func(ctx context.Context, _ []byte) error { return s.mailBatches(ctx) })
	q.Every(JobMail, time.Minute)
	q.Register(JobDigest, func(ctx context.Context, _ []byte) error { return s.mailDigests(ctx) })
	q.Every(JobDigest, time.Hour)
}

// visible is the member's notifications that they may still see: about a
// published post, in a topic of a category they can read now. Access can be
// lost after a notification was made, so every read filters again.
func (s *Service) visible(ctx context.Context, v *auth.Viewer) (*gorm.DB, error) {
	where, args, err := s.visibleWhere(ctx, v)
	if err != nil {
		return nil, err
	}
	return s.db.WithContext(ctx).Table("notifications AS n").Joins(visibleJoins).Where(where, args...), nil
}

// visibleJoins and visibleWhere are the SQL of visible: the notifications
// of v about nothing, or about a published post or topic in a category v
// reads.
const visibleJoins = "LEFT JOIN topics t ON t.id = n.topic_id LEFT JOIN posts p ON p.id = n.post_id"

func (s *Service) visibleWhere(ctx context.Context, v *auth.Viewer) (string, []any, error) {
	readable, err := s.cats.ReadableIDs(ctx, v)
	if err != nil {
		return "", nil, err
	}
	if len(readable) == 0 {
		readable = []int64{0}
	}
	return "n.user_id = ? AND (n.topic_id IS NULL OR (t.state = ? AND t.category_id IN ?)) AND (n.post_id IS NULL OR p.state = ?)",
		[]any{v.ID, topic.StatePublished, readable, topic.StatePublished}, nil
}

// unreadCount is the statement that counts v's unread notifications up
// to limit (0: all), its count's column preceded by columns (such as
// "-3, ”, "). Written out rather than built by GORM as a subquery: on the
// header of every page, the building cost more than the query.
func (s *Service) unreadCount(ctx context.Context, v *auth.Viewer, columns string, limit int) (string, []any, error) {
	where, args, err := s.visibleWhere(ctx, v)
	if err != nil {
		return "", nil, err
	}
	q := "SELECT " + columns + "count(*) FROM (SELECT n.id FROM notifications AS n " + visibleJoins + " WHERE " + where + " AND n.read_at IS NULL"
	if limit > 0 {
		// Written into the statement, not bound: SQLite ran the count with
		// a bound limit on its subquery three times as long (24 µs against
		// 8 for a member with none unread).
		q += " LIMIT " + strconv.Itoa(limit)
	}
	return q + ") AS u", args, nil
}

// UnreadBranch is the header's unread count (Unread) as a row of (-3, ”,
// count), the shape of the topic page's statement of what is the reader's,
// which runs it as a branch of its own (topic.Service.UseUnreadBranch):
// one statement a member's page fewer.
func (s *Service) UnreadBranch(ctx context.Context, v *auth.Viewer) (string, []any, error) {
	return s.unreadCount(ctx, v, "-3, '', ", unreadCap)
}

// unreadCap bounds the count in the header: "99+" is all a reader needs,
// and the query stays cheap whatever piles up.
const unreadCap = 100

// Unread counts v's unread notifications, up to 100: one indexed query,
// made for the header of every page.
func (s *Service) Unread(ctx context.Context, v *auth.Viewer) (int, error) {
	return s.countUnread(ctx, v, unreadCap)
}

func (s *Service) countUnread(ctx context.Context, v *auth.Viewer, limit int) (int, error) {
	if !v.LoggedIn() {
		return 0, nil
	}
	q, args, err := s.unreadCount(ctx, v, "", limit)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := s.db.WithContext(ctx).Raw(q, args...).Row().Scan(&n); err != nil {
		return 0, fmt.Errorf("count unread notifications of %d: %w", v.ID, err)
	}
	return int(n), nil
}

// Item is a notification as a list shows it.
type Item struct {
	*Notification
	Actor *user.User
	// Others is how many more members are behind it (reactions).
	Others int
	Topic  *topic.Topic
	Badge  string
	Level  int
	// Text says what happened, in the reader's language (set by Describe).
	Text string
}

// URL is where the notification leads: the post, the topic, the badge's
// page, or the member's account for trust levels.
func (it *Item) URL() string {
	switch {
	case it.Kind == KindNotice:
		return it.data().Link
	case it.PostID != nil:
		return fmt.Sprintf("/p/%d", *it.PostID)
	case it.Topic != nil:
		return it.Topic.URL()
	case it.Badge != "":
		return "/badges/" + it.Badge
	}
	return "/account"
}

// Describe words the notification for a reader.
func (it *Item) Describe(tr *i18n.Tr) string {
	actor := "?"
	if it.Actor != nil {
		actor = it.Actor.Name()
	}
	switch it.Kind {
	case KindReaction:
		if it.Others > 0 {
			return tr.N("notify.reaction_others", it.Others, map[string]any{"Actor": actor})
		}
	case KindBadge:
		return tr.T("notify.badge", map[string]any{"Badge": it.Badge})
	case KindTrust:
		return tr.T("notify.trust", map[string]any{"Level": it.Level})
	case KindNotice:
		d := it.data()
		return tr.T(d.Message, map[string]any{"Reason": d.Reason, "Title": d.Title})
	}
	return tr.T(kindMessages[it.Kind], map[string]any{"Actor": actor})
}

// kindMessages words each kind of notification.
var kindMessages = map[string]string{
	KindReply: "notify.kind_reply", KindMention: "notify.kind_mention", KindQuote: "notify.kind_quote",
	KindPost: "notify.kind_post", KindTopic: "notify.kind_topic", KindReaction: "notify.kind_reaction",
	KindAccepted: "notify.kind_accepted",
}

// ListQuery picks a page of notifications.
type ListQuery struct {
	UnreadOnly bool
	// Before is the cursor: only notifications older than this ID.
	Before int64
	Limit  int
	// kinds and since narrow the list for the mail jobs.
	kinds    []string
	since    time.Time
	unmailed bool
}

// List returns v's notifications, newest first, and the cursor of the next
// page (0 at the end).
func (s *Service) List(ctx context.Context, v *auth.Viewer, lq ListQuery) ([]*Item, int64, error) {
	if !v.LoggedIn() {
		return nil, 0, errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	if lq.Limit <= 0 || lq.Limit > 100 {
		lq.Limit = 50
	}
	q, err := s.visible(ctx, v)
	if err != nil {
		return nil, 0, err
	}
	if lq.UnreadOnly {
		q = q.Where("n.read_at IS NULL")
	}
	if lq.Before > 0 {
		q = q.Where("n.id < ?", lq.Before)
	}
	if lq.unmailed {
		q = q.Where("n.mailed_at IS NULL")
	}
	if len(lq.kinds) > 0 {
		q = q.Where("n.kind IN ?", lq.kinds)
	}
	if !lq.since.IsZero() {
		q = q.Where("n.created_at >= ?", lq.since)
	}
	var rows []*Notification
	if err := q.Select("n.*").Order("n.id DESC").Limit(lq.Limit + 1).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("list notifications of %d: %w", v.ID, err)
	}
	var next int64
	if len(rows) > lq.Limit {
		rows = rows[:lq.Limit]
		next = rows[len(rows)-1].ID
	}
	items, err := s.items(ctx, rows)
	return items, next, err
}

// items loads the actors and topics of notifications, one query each.
func (s *Service) items(ctx context.Context, rows []*Notification) ([]*Item, error) {
	var actorIDs, topicIDs []int64
	items := make([]*Item, len(rows))
	for i, n := range rows {
		d := n.data()
		it := &Item{Notification: n, Badge: d.Badge, Level: d.Level}
		if len(d.Actors) > 1 {
			it.Others = len(d.Actors) - 1
		}
		if n.ActorID != nil {
			actorIDs = append(actorIDs, *n.ActorID)
		}
		if n.TopicID != nil {
			topicIDs = append(topicIDs, *n.TopicID)
		}
		items[i] = it
	}
	actors := map[int64]*user.User{}
	if len(actorIDs) > 0 {
		var us []*user.User
		if err := s.db.WithContext(ctx).Where("id IN ?", actorIDs).Find(&us).Error; err != nil {
			return nil, fmt.Errorf("load notification actors: %w", err)
		}
		for _, u := range us {
			actors[u.ID] = u
		}
	}
	topics := map[int64]*topic.Topic{}
	if len(topicIDs) > 0 {
		var ts []*topic.Topic
		if err := s.db.WithContext(ctx).Where("id IN ?", topicIDs).Find(&ts).Error; err != nil {
			return nil, fmt.Errorf("load notification topics: %w", err)
		}
		for _, t := range ts {
			topics[t.ID] = t
		}
	}
	for _, it := range items {
		if it.ActorID != nil {
			it.Actor = actors[*it.ActorID]
		}
		if it.TopicID != nil {
			it.Topic = topics[*it.TopicID]
		}
	}
	return items, nil
}

// Open marks one of v's notifications read and returns it, to follow its
// link. Someone else's notification, or one v may no longer see, is not
// found.
func (s *Service) Open(ctx context.Context, v *auth.Viewer, id int64) (*Item, error) {
	q, err := s.visible(ctx, v)
	if err != nil {
		return nil, err
	}
	var rows []*Notification
	if err := q.Select("n.*").Where("n.id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("open notification %d: %w", id, err)
	}
	if len(rows) == 0 {
		return nil, errs.New(errs.NotFound, "error.http_404", nil)
	}
	if rows[0].ReadAt == nil {
		now := s.now()
		if err := s.db.WithContext(ctx).Model(&Notification{}).Where("id = ? AND read_at IS NULL", id).
			Update("read_at", now).Error; err != nil {
			return nil, fmt.Errorf("mark notification %d read: %w", id, err)
		}
		rows[0].ReadAt = &now
	}
	items, err := s.items(ctx, rows)
	if err != nil {
		return nil, err
	}
	return items[0], nil
}

// MarkAllRead marks every notification of v read.
func (s *Service) MarkAllRead(ctx context.Context, v *auth.Viewer) error {
	if !v.LoggedIn() {
		return errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	err := s.db.WithContext(ctx).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", v.ID).
		Update("read_at", s.now()).Error
	if err != nil {
		return fmt.Errorf("mark notifications of %d read: %w", v.ID, err)
	}
	return nil
}

// SetFrequency records how often v wants e-mail. Choosing a digest starts
// its period now, so the first one sums up a whole day or week.
func (s *Service) SetFrequency(ctx context.Context, v *auth.Viewer, freq string) error {
	if !v.LoggedIn() {
		return errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	if !validFrequency(freq) {
		return errs.Fields{"email_frequency": "notify.invalid_frequency"}
	}
	set := map[string]any{"email_frequency": freq}
	if freq == FreqDaily || freq == FreqWeekly {
		set["last_digest_at"] = s.now()
	}
	err := s.db.WithContext(ctx).Model(&user.User{}).Where("id = ? AND email_frequency <> ?", v.ID, freq).UpdateColumns(set).Error
	if err != nil {
		return fmt.Errorf("set e-mail frequency of %d: %w", v.ID, err)
	}
	return nil
}

func validFrequency(f string) bool { return slices.Contains(Frequencies, f) }

// lang is the language of a member's mail.
func (s *Service) lang(u *user.User) string {
	if u.Language != "" && s.bundle.Supported(u.Language) {
		return u.Language
	}
	return s.cfg.Accounts.DefaultLanguage
}

func (s *Service) absolute(path string) string {
	return strings.TrimRight(s.cfg.Server.BaseURL, "/") + path
}

func isNotFound(err error) bool { return errors.Is(err, errs.NotFound) }
