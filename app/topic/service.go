package topic

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/config"
	"causerie/app/db"
	"causerie/app/errs"
	"causerie/app/event"
	"causerie/app/markup"
	"causerie/app/slug"
)

// Events publishes what happened, inside the transaction of the change, so
// the work it triggers (notifications, search, reputation) is never lost
// and never done for a change that rolled back.
type Events interface {
	PublishTx(ctx context.Context, tx *gorm.DB, e event.Event) error
}

// Service holds the rules of topics and posts.
type Service struct {
	db     *gorm.DB
	cats   *category.Service
	render *markup.Renderer
	cfg    config.Posting
	trust  config.Trust
	events Events
	views  *viewCounter
	marks  *readMarks
	// similar finds look-alike topics for the composer (the search index);
	// nil falls back to matching titles in the database.
	similar SimilarFinder
	// watchBranches reads a member's watch level with their page's own
	// statement (UseWatchBranches); nil: the page asks for it on its own.
	watchBranches func(userID, topicID, categoryID int64, parentID *int64) (string, []any)
	// unreadBranch counts the header's unread notifications with it too
	// (UseUnreadBranch).
	unreadBranch func(ctx context.Context, v *auth.Viewer) (string, []any, error)
	gate         Gate // the review queue's hold (gate.go); nil publishes everything
	// writes commits replies' transactions together on SQLite (db.Group);
	// nil: each in a transaction of its own.
	writes *db.Group
}

// GroupWrites makes replies commit through w, many in one transaction on
// SQLite (see db.Group).
func (s *Service) GroupWrites(w *db.Group) { s.writes = w }

// write runs fn in a transaction: the group writer's when there is one.
func (s *Service) write(ctx context.Context, fn func(ctx context.Context, tx *gorm.DB) error) error {
	if s.writes == nil {
		return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return fn(ctx, tx) })
	}
	return s.writes.Write(ctx, fn)
}

// NewService wires the topic rules.
func NewService(g *gorm.DB, cats *category.Service, render *markup.Renderer, cfg config.Config, events Events) *Service {
	return &Service{db: g, cats: cats, render: render, cfg: cfg.Posting, trust: cfg.Trust, events: events, views: newViewCounter(), marks: newReadMarks()}
}

// checkLimits holds new members to the links, images and posts a day their
// trust level allows, so a spammer who just signed up cannot flood the
// forum.
func (s *Service) checkLimits(ctx context.Context, v *auth.Viewer, r markup.Result, f errs.Fields) error {
	lim := s.checkMedia(v, r, f)
	if !lim.Limited {
		return nil
	}
	if lim.PostsPerDay > 0 {
		// Counted up to the limit, no further: all the check needs, and a
		// bounded read however much the member posts.
		var n int64
		// (The limit written in, not bound: see policy's history.)
		err := s.db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM (SELECT 1 FROM posts WHERE user_id = ? AND created_at > ? LIMIT `+
			strconv.Itoa(lim.PostsPerDay)+`) p`, v.ID, s.now().Add(-24*time.Hour)).Row().Scan(&n)
		if err != nil {
			return fmt.Errorf("count today's posts: %w", err)
		}
		if int(n) >= lim.PostsPerDay {
			return errs.New(errs.TooMany, "topic.posts_per_day", map[string]any{"Count": lim.PostsPerDay})
		}
	}
	return nil
}

// checkMedia holds new members to the links and images per post their
// trust level allows: in what they post and in what they edit, so that an
// edit cannot add what the post could not hold.
func (s *Service) checkMedia(v *auth.Viewer, r markup.Result, f errs.Fields) auth.Limits {
	lim := auth.PostLimits(v, s.trust)
	if !lim.Limited {
		return lim
	}
	if r.Links > lim.LinksPerPost && f["body"] == "" {
		f["body"] = "validation.too_many_links"
	}
	if r.Images > lim.ImagesPerPost && f["body"] == "" {
		f["body"] = "validation.too_many_images"
	}
	return lim
}

// Store gives read access to topics and posts.
func (s *Service) Store() *Store { return NewStore(s.db) }

// Reactions lists the reactions members can give, "like" first.
func (s *Service) Reactions() []string { return s.cfg.Reactions }

// PostsPerPage is the size of a topic page.
func (s *Service) PostsPerPage() int { return s.cfg.PostsPerPage }

func forbidden() error { return errs.New(errs.Forbidden, "error.http_403", nil) }

// NewTopic is what a member writes to start a topic (form or API).
type NewTopic struct {
	CategoryID int64    `form:"category_id" json:"category_id"`
	Title      string   `form:"title" json:"title"`
	Body       string   `form:"body" json:"body"`
	Kind       string   `form:"kind" json:"kind"`
	Tags       []string `form:"-" json:"tags"`
	// TagList is the form's comma-separated tags.
	TagList string `form:"tags" json:"-"`
}

func (s *Service) checkBody(f errs.Fields, body string) {
	switch n := utf8.RuneCountInString(strings.TrimSpace(body)); {
	case n < s.cfg.MinPostLength:
		f["body"] = "validation.body_short"
	case n > s.cfg.MaxPostLength:
		f["body"] = "validation.body_long"
	}
}

func (s *Service) checkTitle(f errs.Fields, title string) {
	switch n := utf8.RuneCountInString(title); {
	case n < s.cfg.MinTitleLength:
		f["title"] = "validation.title_short"
	case n > s.cfg.MaxTitleLength:
		f["title"] = "validation.title_long"
	}
}

// Create starts a topic with its first post.
func (s *Service) Create(ctx context.Context, v *auth.Viewer, in NewTopic) (*Topic, *Post, error) {
	if !v.LoggedIn() {
		return nil, nil, errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Tags = category.NormalizeTags(in.Tags, in.TagList)
	if in.Kind == "" {
		in.Kind = KindDiscussion
	}
	f := errs.Fields{}
	s.checkTitle(f, in.Title)
	s.checkBody(f, in.Body)
	switch in.Kind {
	case KindDiscussion, KindQuestion, KindAnnouncement:
	default:
		f["kind"] = "validation.kind"
	}
	cat, err := s.cats.ReadableByID(ctx, v, in.CategoryID)
	if err != nil {
		f["category_id"] = "validation.category"
	} else if !auth.CanStart(v, cat.Grants, in.Kind) {
		if in.Kind == KindAnnouncement && auth.CanStart(v, cat.Grants, KindDiscussion) {
			f["kind"] = "validation.kind_staff"
		} else {
			f["category_id"] = "validation.category_closed"
		}
	}
	if len(in.Tags) > s.cfg.MaxTags {
		f["tags"] = "validation.tags_many"
	}
	for _, t := range in.Tags {
		if !category.ValidTag(t) {
			f["tags"] = "validation.tag_format"
		}
	}
	if cat != nil && f["tags"] == "" && len(in.Tags) > 0 {
		allowed, err := s.cats.Store().AllowedTags(ctx, cat.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range in.Tags {
			if len(allowed) > 0 && !slices.Contains(allowed, t) {
				f["tags"] = "validation.tag_not_allowed"
			}
		}
	}
	r := s.render.Render(in.Body)
	if err := s.checkLimits(ctx, v, r, f); err != nil {
		return nil, nil, err
	}
	if err := f.Err(); err != nil {
		return nil, nil, err
	}
	vd, err := s.vet(ctx, v, GateInput{CategoryID: cat.ID, First: true, Title: in.Title, Body: in.Body, Links: r.Links, Images: r.Images})
	if err != nil {
		return nil, nil, err
	}
	if vd.Body != "" {
		in.Body, r = vd.Body, s.render.Render(vd.Body)
	}
	if vd.Title != "" {
		in.Title = vd.Title
	}
	for _, tag := range vd.Tags {
		if !slices.Contains(in.Tags, tag) {
			in.Tags = append(in.Tags, tag)
		}
	}
	now := s.now()
	t := &Topic{CategoryID: cat.ID, UserID: v.ID, Kind: in.Kind, Title: in.Title, Slug: slug.Make(in.Title, 60, "topic"),
		State: vd.state(), HighestNumber: 1, LastPostAt: now, LastUserID: &v.ID, CreatedAt: now, UpdatedAt: now}
	p := &Post{UserID: v.ID, Number: 1, Body: in.Body, HTML: r.HTML, State: vd.state(), CreatedAt: now, UpdatedAt: now}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st := NewStore(tx)
		if err := tx.Create(t).Error; err != nil {
			return fmt.Errorf("create topic: %w", err)
		}
		p.TopicID = t.ID
		if err := tx.Create(p).Error; err != nil {
			return fmt.Errorf("create first post: %w", err)
		}
		tags, err := category.NewStore(tx).TagsByName(ctx, in.Tags)
		if err != nil {
			return err
		}
		for _, tag := range tags {
			if err := tx.Create(&TopicTag{TopicID: t.ID, TagID: tag.ID}).Error; err != nil {
				return err
			}
			if err := st.bump(ctx, "tags", "topics_count", tag.ID, boolInt(!vd.Hold)); err != nil {
				return err
			}
		}
		for _, b := range []struct {
			table, col string
			id         int64
		}{{"categories", "topics_count", cat.ID}, {"categories", "posts_count", cat.ID}, {"users", "topics_count", v.ID}, {"users", "posts_count", v.ID}} {
			if err := st.bump(ctx, b.table, b.col, b.id, boolInt(!vd.Hold)); err != nil {
				return err
			}
		}
		if err := tx.Where("user_id = ? AND key = ?", v.ID, "new").Delete(&Draft{}).Error; err != nil {
			return err
		}
		return s.created(ctx, tx, v, t, p, vd, event.PostCreated{PostID: p.ID, TopicID: t.ID, UserID: v.ID, Number: 1,
			Mentions: r.Mentions, Quotes: r.Quotes})
	})
	if err != nil {
		return nil, nil, err
	}
	return t, p, nil
}

func (s *Service) publish(ctx context.Context, tx *gorm.DB, e event.Event) error {
	if s.events == nil {
		return nil
	}
	return s.events.PublishTx(ctx, tx, e)
}

// readable loads a topic and its category when v may read them; anything
// else is not found, so a private topic's existence does not leak.
func (s *Service) readable(ctx context.Context, v *auth.Viewer, topicID int64) (*Topic, *category.Category, error) {
	t, err := NewStore(s.db).Topic(ctx, topicID)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.mayRead(ctx, v, t)
	if err != nil {
		return nil, nil, err
	}
	return t, c, nil
}

// ReplyInput is a reply as a member writes it.
type ReplyInput struct {
	Body string `form:"body" json:"body"`
	// ReplyTo is the number of the post answered, 0 for the topic.
	ReplyTo int `form:"reply_to" json:"reply_to"`
}

// Reply adds a post to a topic.
func (s *Service) Reply(ctx context.Context, v *auth.Viewer, topicID int64, in ReplyInput) (*Topic, *Post, error) {
	t, c, err := s.readable(ctx, v, topicID)
	if err != nil {
		return nil, nil, err
	}
	if !auth.CanReply(v, c.Grants, t.state()) {
		if !v.LoggedIn() {
			return nil, nil, errs.New(errs.Unauthorized, "error.login_required", nil)
		}
		if t.Closed {
			return nil, nil, errs.New(errs.Forbidden, "topic.closed_notice", nil)
		}
		return nil, nil, forbidden()
	}
	f := errs.Fields{}
	s.checkBody(f, in.Body)
	var replyTo *Post
	if in.ReplyTo > 0 {
		replyTo, err = NewStore(s.db).PostByNumber(ctx, t.ID, in.ReplyTo)
		if err != nil {
			f["reply_to"] = "validation.reply_to"
		}
	}
	r := s.render.Render(in.Body)
	if err := s.checkLimits(ctx, v, r, f); err != nil {
		return nil, nil, err
	}
	if err := f.Err(); err != nil {
		return nil, nil, err
	}
	vd, err := s.vet(ctx, v, GateInput{CategoryID: t.CategoryID, TopicID: t.ID, Body: in.Body, Links: r.Links, Images: r.Images})
	if err != nil {
		return nil, nil, err
	}
	if vd.Body != "" {
		in.Body, r = vd.Body, s.render.Render(vd.Body)
	}
	now := s.now()
	p := &Post{TopicID: t.ID, UserID: v.ID, Body: in.Body, HTML: r.HTML, State: vd.state(), CreatedAt: now, UpdatedAt: now}
	if replyTo != nil {
		p.ReplyToID = &replyTo.ID
	}
	err = s.write(ctx, func(ctx context.Context, tx *gorm.DB) error {
		st := NewStore(tx)
		n, err := s.number(ctx, st, t, v.ID, now, vd)
		if err != nil {
			return err
		}
		p.Number = n
		if err := st.insertPost(ctx, p); err != nil {
			return err
		}
		if err := st.deleteDraft(ctx, v.ID, draftKey(t.ID)); err != nil {
			return err
		}
		if err := st.markRead(ctx, v.ID, t.ID, n); err != nil {
			return err
		}
		e := event.PostCreated{PostID: p.ID, TopicID: t.ID, UserID: v.ID, Number: n, Mentions: r.Mentions, Quotes: r.Quotes}
		if replyTo != nil {
			e.ReplyToUserID = replyTo.UserID
		}
		if err := s.created(ctx, tx, v, t, p, vd, e); err != nil {
			return err
		}
		// The counters last: on PostgreSQL their rows stay locked until
		// the commit, and every other reply in the category (or by the
		// member) waits for that lock in turn. Category first, as count.
		if err := st.bump(ctx, "categories", "posts_count", t.CategoryID, boolInt(!vd.Hold)); err != nil {
			return err
		}
		return st.bump(ctx, "users", "posts_count", v.ID, boolInt(!vd.Hold))
	})
	if err != nil {
		return nil, nil, err
	}
	t.HighestNumber = p.Number
	return t, p, nil
}

// EditInput is a changed post; Title applies to a topic's first post.
type EditInput struct {
	Body  string  `form:"body" json:"body"`
	Title *string `form:"title" json:"title,omitempty"`
	Note  string  `form:"note" json:"note,omitempty"`
}

// postInTopic loads a post with its topic and category for v.
func (s *Service) postInTopic(ctx context.Context, v *auth.Viewer, postID int64) (*Post, *Topic, *category.Category, error) {
	p, err := NewStore(s.db).Post(ctx, postID)
	if err != nil {
		return nil, nil, nil, err
	}
	t, c, err := s.readable(ctx, v, p.TopicID)
	if err != nil {
		return nil, nil, nil, err
	}
	if !auth.CanSeePost(v, c.Grants, p.state()) && p.State != StateDeleted {
		return nil, nil, nil, ErrNotFound
	}
	return p, t, c, nil
}

// Edit changes a post, keeping the version before as a revision.
func (s *Service) Edit(ctx context.Context, v *auth.Viewer, postID int64, in EditInput) (*Post, error) {
	p, t, c, err := s.postInTopic(ctx, v, postID)
	if err != nil {
		return nil, err
	}
	if !auth.CanEditPost(v, c.Grants, t.state(), p.state()) {
		return nil, forbidden()
	}
	f := errs.Fields{}
	s.checkBody(f, in.Body)
	newTitle := t.Title
	if in.Title != nil && p.Number == 1 {
		newTitle = strings.Join(strings.Fields(*in.Title), " ")
		s.checkTitle(f, newTitle)
	}
	if utf8.RuneCountInString(in.Note) > 300 {
		f["note"] = "validation.too_long"
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if in.Body == p.Body && newTitle == t.Title {
		return p, nil
	}
	r := s.render.Render(in.Body)
	if s.checkMedia(v, r, f); len(f) > 0 {
		return nil, f
	}
	vd, err := s.vet(ctx, v, GateInput{CategoryID: t.CategoryID, TopicID: t.ID, PostID: p.ID, State: p.State, First: p.Number == 1, Title: newTitle, Body: in.Body, Links: r.Links, Images: r.Images})
	if err != nil {
		return nil, err
	}
	if vd.Body != "" {
		in.Body, r = vd.Body, s.render.Render(vd.Body)
	}
	now := s.now()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Claim the edit first: of two edits made at once, one wins and the
		// other is told, rather than failing on the revision's number.
		res := tx.Model(&Post{}).Where("id = ? AND revisions_count = ?", p.ID, p.RevisionsCount).Updates(map[string]any{
			"body": in.Body, "html": r.HTML, "edited_at": now, "updated_at": now, "revisions_count": p.RevisionsCount + 1})
		if res.Error != nil {
			return fmt.Errorf("edit post %d: %w", p.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return errs.New(errs.Conflict, "topic.edit_conflict", nil)
		}
		rev := Revision{PostID: p.ID, UserID: v.ID, Number: p.RevisionsCount + 1, Body: p.Body, Note: strings.TrimSpace(in.Note), CreatedAt: now}
		if p.Number == 1 {
			rev.Title = t.Title
		}
		if err := tx.Create(&rev).Error; err != nil {
			return fmt.Errorf("keep revision of post %d: %w", p.ID, err)
		}
		if newTitle != t.Title {
			if err := tx.Model(&Topic{}).Where("id = ?", t.ID).Updates(map[string]any{
				"title": newTitle, "slug": slug.Make(newTitle, 60, "topic"), "updated_at": now}).Error; err != nil {
				return err
			}
		}
		return s.edited(ctx, tx, v, t, p, vd, event.PostEdited{PostID: p.ID, TopicID: t.ID, UserID: v.ID})
	})
	if err != nil {
		return nil, err
	}
	p.Body, p.HTML, p.EditedAt, p.RevisionsCount = in.Body, r.HTML, &now, p.RevisionsCount+1
	return p, nil
}

// Revisions returns a post's earlier versions for v, who must be able to
// read the post.
func (s *Service) Revisions(ctx context.Context, v *auth.Viewer, postID int64) (*Post, *Topic, []Revision, error) {
	p, t, c, err := s.postInTopic(ctx, v, postID)
	if err != nil {
		return nil, nil, nil, err
	}
	if !auth.CanSeePost(v, c.Grants, p.state()) {
		return nil, nil, nil, ErrNotFound
	}
	rs, err := NewStore(s.db).Revisions(ctx, p.ID)
	return p, t, rs, err
}

// Delete removes a post softly: it stays in the database, shown to staff
// and restorable, and counts stop counting it.
func (s *Service) Delete(ctx context.Context, v *auth.Viewer, postID int64) error {
	p, t, c, err := s.postInTopic(ctx, v, postID)
	if err != nil {
		return err
	}
	if p.State == StateDeleted && (v.ID == p.UserID || auth.CanSeeUnpublished(v, c.Grants)) {
		return nil // deleting twice is harmless
	}
	if !auth.CanDeletePost(v, c.Grants, t.state(), p.state(), p.Number == 1) {
		return forbidden()
	}
	now := s.now()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Post{}).Where("id = ?", p.ID).Updates(map[string]any{
			"state": StateDeleted, "deleted_by_id": v.ID, "deleted_at": now, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("delete post %d: %w", p.ID, err)
		}
		if p.State == StatePublished {
			if err := s.count(ctx, tx, p, t, -1); err != nil {
				return err
			}
		}
		if t.AcceptedPostID != nil && *t.AcceptedPostID == p.ID {
			if err := s.setAccepted(ctx, tx, t, nil); err != nil {
				return err
			}
		}
		return s.publish(ctx, tx, event.PostDeleted{PostID: p.ID, TopicID: t.ID, UserID: v.ID})
	})
}

// Restore brings a deleted post back: staff only.
func (s *Service) Restore(ctx context.Context, v *auth.Viewer, postID int64) error {
	p, t, c, err := s.postInTopic(ctx, v, postID)
	if err != nil {
		return err
	}
	if !auth.CanRestorePost(v, c.Grants) {
		return forbidden()
	}
	if p.State != StateDeleted {
		return nil
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		held, err := s.requeue(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		to := StatePublished
		if held {
			to = StatePending // deleted before review: back to the queue, announced by nobody
		}
		if err := tx.Model(&Post{}).Where("id = ?", p.ID).Updates(map[string]any{
			"state": to, "deleted_by_id": nil, "deleted_at": nil, "updated_at": s.now()}).Error; err != nil {
			return fmt.Errorf("restore post %d: %w", p.ID, err)
		}
		if held {
			if p.Number == 1 {
				if err := tx.Model(&Topic{}).Where("id = ?", t.ID).Update("state", StatePending).Error; err != nil {
					return fmt.Errorf("restore topic %d: %w", t.ID, err)
				}
			}
			return nil
		}
		if err := s.count(ctx, tx, p, t, 1); err != nil {
			return err
		}
		return s.publish(ctx, tx, event.PostRestored{PostID: p.ID, TopicID: t.ID, UserID: v.ID})
	})
}

// count adds delta to the counts a visible post takes part in.
func (s *Service) count(ctx context.Context, tx *gorm.DB, p *Post, t *Topic, delta int) error {
	st := NewStore(tx)
	if p.Number > 1 {
		if err := st.bump(ctx, "topics", "replies_count", t.ID, delta); err != nil {
			return err
		}
	}
	if err := st.bump(ctx, "categories", "posts_count", t.CategoryID, delta); err != nil {
		return err
	}
	return st.bump(ctx, "users", "posts_count", p.UserID, delta)
}

// React adds v's reaction of kind to a post. Reacting twice is harmless.
func (s *Service) React(ctx context.Context, v *auth.Viewer, postID int64, kind string) (*Post, error) {
	if kind == "" {
		kind = "like"
	}
	if !slices.Contains(s.cfg.Reactions, kind) {
		return nil, errs.Fields{"kind": "validation.reaction"}
	}
	p, t, c, err := s.postInTopic(ctx, v, postID)
	if err != nil {
		return nil, err
	}
	if !auth.CanReact(v, c.Grants, t.state(), p.state()) {
		if v.LoggedIn() && v.ID == p.UserID {
			return nil, errs.New(errs.Forbidden, "topic.react_own", nil)
		}
		return nil, forbidden()
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st := NewStore(tx)
		added, err := st.addReaction(ctx, &Reaction{PostID: p.ID, UserID: v.ID, Kind: kind, CreatedAt: s.now()})
		if err != nil || !added {
			return err
		}
		if err := s.reactionCounts(ctx, st, p, t, v.ID, 1); err != nil {
			return err
		}
		p.ReactionsCount++
		return s.publish(ctx, tx, event.ReactionAdded{PostID: p.ID, TopicID: t.ID, UserID: v.ID, AuthorID: p.UserID, Kind: kind})
	})
	return p, err
}

// Unreact takes v's reaction of kind back.
func (s *Service) Unreact(ctx context.Context, v *auth.Viewer, postID int64, kind string) (*Post, error) {
	if kind == "" {
		kind = "like"
	}
	p, t, _, err := s.postInTopic(ctx, v, postID)
	if err != nil {
		return nil, err
	}
	if !v.LoggedIn() {
		return nil, errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st := NewStore(tx)
		removed, err := st.removeReaction(ctx, p.ID, v.ID, kind)
		if err != nil || !removed {
			return err
		}
		if err := s.reactionCounts(ctx, st, p, t, v.ID, -1); err != nil {
			return err
		}
		p.ReactionsCount--
		return s.publish(ctx, tx, event.ReactionRemoved{PostID: p.ID, TopicID: t.ID, UserID: v.ID, AuthorID: p.UserID, Kind: kind})
	})
	return p, err
}

func (s *Service) reactionCounts(ctx context.Context, st *Store, p *Post, t *Topic, by int64, delta int) error {
	for _, b := range []struct {
		table, col string
		id         int64
	}{{"posts", "reactions_count", p.ID}, {"topics", "reactions_count", t.ID}, {"users", "reactions_received", p.UserID}, {"users", "reactions_given", by}} {
		if err := st.bump(ctx, b.table, b.col, b.id, delta); err != nil {
			return err
		}
	}
	return nil
}

// Accept marks a reply as the accepted answer of a question (postID 0
// takes the mark away).
func (s *Service) Accept(ctx context.Context, v *auth.Viewer, topicID, postID int64) (*Topic, error) {
	t, c, err := s.readable(ctx, v, topicID)
	if err != nil {
		return nil, err
	}
	if !auth.CanAccept(v, c.Grants, t.state()) {
		return nil, forbidden()
	}
	if t.Kind != KindQuestion {
		return nil, errs.New(errs.Invalid, "topic.accept_not_question", nil)
	}
	var answer *Post
	if postID != 0 {
		answer, err = NewStore(s.db).Post(ctx, postID)
		if err != nil || answer.TopicID != t.ID || answer.Number == 1 || answer.State != StatePublished {
			return nil, errs.Fields{"post_id": "validation.accept_post"}
		}
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		old := t.AcceptedPostID
		if err := s.setAccepted(ctx, tx, t, answer); err != nil {
			return err
		}
		if old != nil && (answer == nil || *old != answer.ID) {
			if err := s.publish(ctx, tx, event.AnswerUnaccepted{PostID: *old, TopicID: t.ID, UserID: v.ID}); err != nil {
				return err
			}
		}
		if answer == nil {
			return nil
		}
		return s.publish(ctx, tx, event.AnswerAccepted{PostID: answer.ID, TopicID: t.ID, UserID: v.ID, AuthorID: answer.UserID})
	})
	return t, err
}

// setAccepted moves the accepted-answer mark and the answer counts of the
// authors concerned. It reads the mark inside the transaction and moves it
// with a conditional update, so accepting twice at once counts once.
func (s *Service) setAccepted(ctx context.Context, tx *gorm.DB, t *Topic, answer *Post) error {
	st := NewStore(tx)
	var cur struct{ AcceptedPostID *int64 }
	if err := tx.Model(&Topic{}).Select("accepted_post_id").Where("id = ?", t.ID).Take(&cur).Error; err != nil {
		return fmt.Errorf("read accepted answer of topic %d: %w", t.ID, err)
	}
	var id *int64
	if answer != nil {
		id = &answer.ID
	}
	if (cur.AcceptedPostID == nil && id == nil) || (cur.AcceptedPostID != nil && id != nil && *cur.AcceptedPostID == *id) {
		t.AcceptedPostID = id
		return nil
	}
	q := tx.Model(&Topic{}).Where("id = ?", t.ID)
	if cur.AcceptedPostID == nil {
		q = q.Where("accepted_post_id IS NULL")
	} else {
		q = q.Where("accepted_post_id = ?", *cur.AcceptedPostID)
	}
	res := q.Updates(map[string]any{"accepted_post_id": id, "updated_at": s.now()})
	if res.Error != nil {
		return fmt.Errorf("accept answer in topic %d: %w", t.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.New(errs.Conflict, "topic.edit_conflict", nil)
	}
	if cur.AcceptedPostID != nil {
		old, err := st.Post(ctx, *cur.AcceptedPostID)
		if err != nil && !errors.Is(err, errs.NotFound) {
			return err
		}
		if old != nil {
			if err := st.bump(ctx, "users", "accepted_answers", old.UserID, -1); err != nil {
				return err
			}
		}
	}
	if answer != nil {
		if err := st.bump(ctx, "users", "accepted_answers", answer.UserID, 1); err != nil {
			return err
		}
	}
	t.AcceptedPostID = id
	return nil
}

// now is the time stamps are written with, to the microsecond both
// databases keep (list cursors carry microseconds).
func (s *Service) now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Bookmark keeps (on true) or forgets a post for v.
func (s *Service) Bookmark(ctx context.Context, v *auth.Viewer, postID int64, on bool) error {
	if !v.LoggedIn() {
		return errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	p, _, _, err := s.postInTopic(ctx, v, postID)
	if err != nil {
		return err
	}
	if !on {
		return s.db.WithContext(ctx).Where("user_id = ? AND post_id = ?", v.ID, p.ID).Delete(&Bookmark{}).Error
	}
	return s.db.WithContext(ctx).Clauses(onConflictNothing()).Create(&Bookmark{UserID: v.ID, PostID: p.ID, CreatedAt: s.now()}).Error
}

func draftKey(topicID int64) string { return fmt.Sprintf("topic:%d", topicID) }
