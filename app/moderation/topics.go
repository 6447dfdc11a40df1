package moderation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"causerie/app/audit"
	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/errs"
	"causerie/app/event"
	"causerie/app/slug"
	"causerie/app/topic"
	"causerie/app/user"
)

// topicState is what the audit log keeps of a topic before and after.
type topicState struct {
	CategoryID int64   `json:"category_id,omitempty"`
	Closed     bool    `json:"closed"`
	Pinned     string  `json:"pinned,omitempty"`
	Featured   bool    `json:"featured,omitempty"`
	OwnerID    int64   `json:"owner_id,omitempty"`
	Title      string  `json:"title,omitempty"` // a merge: the source's, for a split that reverses it
	IntoID     int64   `json:"into_topic_id,omitempty"`
	NewTopicID int64   `json:"new_topic_id,omitempty"`
	PostIDs    []int64 `json:"post_ids,omitempty"`
	// Numbers are a merge's posts' numbers before it, in PostIDs' order.
	Numbers []int `json:"numbers,omitempty"`
}

// PinScope names a topic's pin: "", "category" or "global".
func PinScope(pinned int) string {
	switch pinned {
	case topic.PinCategory:
		return ScopeCategory
	case topic.PinGlobal:
		return ScopeGlobal
	}
	return ""
}

func topicStateOf(t *topic.Topic) topicState {
	return topicState{CategoryID: t.CategoryID, Closed: t.Closed, Pinned: PinScope(t.Pinned), Featured: t.FeaturedAt != nil, OwnerID: t.UserID}
}

func topicChange(a Action, t *topic.Topic, c *category.Category, before, after any) audit.Change {
	return audit.Change{Action: a.AuditAction(), ObjectType: "topic", ObjectID: t.ID, Category: c.ID, Reason: a.Reason,
		Before: before, After: after}
}

func tellOwner(t *topic.Topic) *event.MemberNotice {
	return &event.MemberNotice{UserID: t.UserID, Title: t.Title, URL: t.URL()}
}

func (s *Service) applyTopic(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action) (*Result, error) {
	t, c, err := s.topicOf(ctx, tx, a.TopicID)
	if err != nil {
		return nil, err
	}
	if err := authorize(v, a.Kind, c); err != nil {
		return nil, err
	}
	a.Reason = strings.TrimSpace(a.Reason)
	res := &Result{Action: a, Topic: t}
	switch a.Kind {
	case Close, Open:
		err = s.setClosed(ctx, tx, v, a, t, c, res)
	case Pin, Unpin:
		err = s.setPinned(ctx, tx, v, a, t, c, res)
	case Feature, Unfeature:
		err = s.setFeatured(ctx, tx, v, a, t, c, res)
	case Move:
		err = s.move(ctx, tx, v, a, t, c, res)
	case Merge:
		err = s.merge(ctx, tx, v, a, t, c, res)
	case Split:
		err = s.split(ctx, tx, v, a, t, c, res)
	case Owner:
		err = s.owner(ctx, tx, v, a, t, c, res)
	case PurgeTopic:
		err = s.purgeTopic(ctx, tx, v, a, t, c, res)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Service) setClosed(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, t *topic.Topic, c *category.Category, res *Result) error {
	closed := a.Kind == Close
	if t.Closed == closed {
		return nil
	}
	before := topicStateOf(t)
	if err := tx.Model(&topic.Topic{}).Where("id = ?", t.ID).Updates(map[string]any{"closed": closed, "updated_at": now()}).Error; err != nil {
		return fmt.Errorf("close topic %d: %w", t.ID, err)
	}
	t.Closed, res.Changed = closed, true
	if err := s.record(ctx, tx, v, topicChange(a, t, c, before, topicStateOf(t)), tellOwner(t)); err != nil {
		return err
	}
	return s.contentChanged(ctx, tx, v, a, t.ID)
}

func (s *Service) setPinned(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, t *topic.Topic, c *category.Category, res *Result) error {
	pin := topic.PinNone
	if a.Kind == Pin {
		pin = topic.PinCategory
		if a.Scope == ScopeGlobal {
			pin = topic.PinGlobal
		}
	}
	if t.Pinned == pin {
		return nil
	}
	before := topicStateOf(t)
	if err := tx.Model(&topic.Topic{}).Where("id = ?", t.ID).Updates(map[string]any{"pinned": pin, "updated_at": now()}).Error; err != nil {
		return fmt.Errorf("pin topic %d: %w", t.ID, err)
	}
	t.Pinned, res.Changed = pin, true
	return s.record(ctx, tx, v, topicChange(a, t, c, before, topicStateOf(t)), nil)
}

func (s *Service) setFeatured(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, t *topic.Topic, c *category.Category, res *Result) error {
	on := a.Kind == Feature
	if (t.FeaturedAt != nil) == on {
		return nil
	}
	if on && t.State != topic.StatePublished {
		return errs.New(errs.Conflict, "mod.feature_unpublished", nil)
	}
	before := topicStateOf(t)
	at := now()
	set := map[string]any{"featured_at": nil, "updated_at": at}
	if on {
		set["featured_at"] = at
		t.FeaturedAt = &at
	} else {
		t.FeaturedAt = nil
	}
	if err := tx.Model(&topic.Topic{}).Where("id = ?", t.ID).Updates(set).Error; err != nil {
		return fmt.Errorf("feature topic %d: %w", t.ID, err)
	}
	res.Changed = true
	if err := s.record(ctx, tx, v, topicChange(a, t, c, before, topicStateOf(t)), nil); err != nil {
		return err
	}
	if !on {
		return nil
	}
	first, err := topic.NewStore(tx).PostByNumber(ctx, t.ID, 1)
	if err != nil && !isNotFound(err) {
		return err
	}
	e := event.TopicFeatured{TopicID: t.ID, ActorID: v.ID}
	if first != nil {
		e.PostID = first.ID
	}
	return s.publish(ctx, tx, e)
}

// publishedCount is how many published posts a topic has: what its
// category's post count holds of it.
func publishedCount(ctx context.Context, tx *gorm.DB, topicID int64) (int, error) {
	var n int64
	err := tx.WithContext(ctx).Model(&topic.Post{}).Where("topic_id = ? AND state = ?", topicID, topic.StatePublished).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count posts of topic %d: %w", topicID, err)
	}
	return int(n), nil
}

// destination loads the category a topic goes to, which v must manage too.
func (s *Service) destination(ctx context.Context, v *auth.Viewer, id int64) (*category.Category, error) {
	c, err := s.cats.Get(ctx, id)
	if err != nil || !auth.CanRead(v, c.Grants) {
		return nil, errs.Fields{"category_id": "validation.category"}
	}
	if !May(v, Move, c) {
		return nil, errs.Fields{"category_id": "mod.category_forbidden"}
	}
	return c, nil
}

func (s *Service) move(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, t *topic.Topic, c *category.Category, res *Result) error {
	if a.CategoryID == t.CategoryID {
		return nil
	}
	to, err := s.destination(ctx, v, a.CategoryID)
	if err != nil {
		return err
	}
	n, err := publishedCount(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	before := topicStateOf(t)
	if err := tx.Model(&topic.Topic{}).Where("id = ?", t.ID).Updates(map[string]any{"category_id": to.ID, "updated_at": now()}).Error; err != nil {
		return fmt.Errorf("move topic %d: %w", t.ID, err)
	}
	for _, b := range []struct {
		id    int64
		delta int
	}{{c.ID, -1}, {to.ID, 1}} {
		if err := bump(ctx, tx, "categories", "topics_count", b.id, b.delta); err != nil {
			return err
		}
		if err := bump(ctx, tx, "categories", "posts_count", b.id, b.delta*n); err != nil {
			return err
		}
	}
	t.CategoryID, res.Changed = to.ID, true
	if err := s.record(ctx, tx, v, topicChange(a, t, c, before, topicStateOf(t)), tellOwner(t)); err != nil {
		return err
	}
	return s.contentChanged(ctx, tx, v, a, t.ID)
}

// merge moves every post of t to the end of the target topic, in their
// order, numbered after the target's last: numbers stay unique and the
// target's own posts keep their addresses. t stays as a redirect.
func (s *Service) merge(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, t *topic.Topic, c *category.Category, res *Result) error {
	into, intoCat, err := s.topicOf(ctx, tx, a.IntoTopicID)
	if err != nil {
		if isNotFound(err) {
			return errs.Fields{"into_topic_id": "mod.into_missing"}
		}
		return err
	}
	if !May(v, Merge, intoCat) {
		return errs.Fields{"into_topic_id": "mod.into_forbidden"}
	}
	var posts []*topic.Post
	if err := tx.Where("topic_id = ?", t.ID).Order("number").Find(&posts).Error; err != nil {
		return fmt.Errorf("posts of topic %d: %w", t.ID, err)
	}
	// Read the target's highest number in the transaction and move past it.
	var highest int
	if err := tx.Model(&topic.Topic{}).Where("id = ?", into.ID).Select("highest_number").Scan(&highest).Error; err != nil {
		return fmt.Errorf("highest number of topic %d: %w", into.ID, err)
	}
	ids := make([]int64, len(posts))
	published := 0
	for i, p := range posts {
		ids[i] = p.ID
		if p.State == topic.StatePublished {
			published++
		}
		if err := tx.Model(&topic.Post{}).Where("id = ?", p.ID).UpdateColumns(map[string]any{
			"topic_id": into.ID, "number": highest + 1 + i}).Error; err != nil {
			return fmt.Errorf("move post %d into topic %d: %w", p.ID, into.ID, err)
		}
	}
	if err := tx.Model(&topic.Topic{}).Where("id = ?", into.ID).UpdateColumn("highest_number", highest+len(posts)).Error; err != nil {
		return err
	}
	if t.AcceptedPostID != nil {
		for _, p := range posts {
			if p.ID == *t.AcceptedPostID {
				if err := clearAccepted(ctx, tx, t, p); err != nil {
					return err
				}
			}
		}
	}
	// What a split needs to undo it: the title, the posts and their numbers.
	before := topicStateOf(t)
	before.Title, before.PostIDs = t.Title, ids
	for _, p := range posts {
		before.Numbers = append(before.Numbers, p.Number)
	}
	if err := tx.Model(&topic.Topic{}).Where("id = ?", t.ID).Updates(map[string]any{"merged_into_id": into.ID,
		"state": topic.StateDeleted, "replies_count": 0, "pinned": topic.PinNone, "featured_at": nil, "updated_at": now()}).Error; err != nil {
		return fmt.Errorf("merge topic %d: %w", t.ID, err)
	}
	if err := refreshTopic(ctx, tx, into.ID); err != nil {
		return err
	}
	if err := bump(ctx, tx, "categories", "topics_count", c.ID, -1); err != nil {
		return err
	}
	if err := bump(ctx, tx, "users", "topics_count", t.UserID, -1); err != nil {
		return err
	}
	if c.ID != intoCat.ID {
		if err := bump(ctx, tx, "categories", "posts_count", c.ID, -published); err != nil {
			return err
		}
		if err := bump(ctx, tx, "categories", "posts_count", intoCat.ID, published); err != nil {
			return err
		}
	}
	res.Topic, res.Changed = into, true
	after := topicStateOf(t)
	after.IntoID, after.PostIDs = into.ID, ids
	tell := tellOwner(t)
	tell.URL = into.URL()
	if err := s.record(ctx, tx, v, topicChange(a, t, c, before, after), tell); err != nil {
		return err
	}
	if err := s.publish(ctx, tx, event.TopicRemoved{TopicID: t.ID, IntoTopicID: into.ID, ActorID: v.ID}); err != nil {
		return err
	}
	return s.contentChanged(ctx, tx, v, a, into.ID, ids...)
}

// split moves the chosen replies of t, in their order, into a new topic
// they start; the first of them becomes its first post, and its author
// the new topic's.
func (s *Service) split(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, t *topic.Topic, c *category.Category, res *Result) error {
	title := strings.Join(strings.Fields(a.Title), " ")
	switch n := utf8.RuneCountInString(title); {
	case n < s.cfg.MinTitleLength:
		return errs.Fields{"title": "validation.title_short"}
	case n > s.cfg.MaxTitleLength:
		return errs.Fields{"title": "validation.title_long"}
	}
	to := c
	if a.CategoryID != 0 && a.CategoryID != c.ID {
		var err error
		if to, err = s.destination(ctx, v, a.CategoryID); err != nil {
			return err
		}
	}
	var posts []*topic.Post
	if err := tx.Where("topic_id = ? AND id IN ?", t.ID, a.PostIDs).Order("number").Find(&posts).Error; err != nil {
		return fmt.Errorf("posts to split from topic %d: %w", t.ID, err)
	}
	if len(posts) != len(slices.Compact(slices.Sorted(slices.Values(a.PostIDs)))) {
		return errs.Fields{"post_ids": "mod.split_foreign"}
	}
	for _, p := range posts {
		if p.Number == 1 {
			return errs.Fields{"post_ids": "mod.split_first"}
		}
	}
	at := now()
	first := posts[0]
	nt := &topic.Topic{CategoryID: to.ID, UserID: first.UserID, Kind: topic.KindDiscussion, Title: title,
		Slug: slug.Make(title, 60, "topic"), State: topic.StatePublished, HighestNumber: len(posts),
		LastPostAt: first.CreatedAt, LastUserID: &first.UserID, CreatedAt: first.CreatedAt, UpdatedAt: at}
	if err := tx.Create(nt).Error; err != nil {
		return fmt.Errorf("create split topic: %w", err)
	}
	ids := make([]int64, len(posts))
	published := 0
	for i, p := range posts {
		ids[i] = p.ID
		if p.State == topic.StatePublished {
			published++
		}
		if err := tx.Model(&topic.Post{}).Where("id = ?", p.ID).UpdateColumns(map[string]any{"topic_id": nt.ID, "number": i + 1}).Error; err != nil {
			return fmt.Errorf("move post %d to topic %d: %w", p.ID, nt.ID, err)
		}
		if t.AcceptedPostID != nil && *t.AcceptedPostID == p.ID {
			if err := clearAccepted(ctx, tx, t, p); err != nil {
				return err
			}
		}
	}
	for _, id := range []int64{t.ID, nt.ID} {
		if err := refreshTopic(ctx, tx, id); err != nil {
			return err
		}
		if err := detachReplies(ctx, tx, id); err != nil {
			return err
		}
	}
	if err := bump(ctx, tx, "categories", "topics_count", to.ID, 1); err != nil {
		return err
	}
	if err := bump(ctx, tx, "users", "topics_count", nt.UserID, 1); err != nil {
		return err
	}
	if to.ID != c.ID {
		if err := bump(ctx, tx, "categories", "posts_count", c.ID, -published); err != nil {
			return err
		}
		if err := bump(ctx, tx, "categories", "posts_count", to.ID, published); err != nil {
			return err
		}
	}
	res.Topic, res.Changed = nt, true
	after := topicStateOf(t)
	after.NewTopicID, after.PostIDs = nt.ID, ids
	tell := tellOwner(nt)
	if err := s.record(ctx, tx, v, topicChange(a, t, c, topicStateOf(t), after), tell); err != nil {
		return err
	}
	if err := s.contentChanged(ctx, tx, v, a, t.ID, ids...); err != nil {
		return err
	}
	return s.contentChanged(ctx, tx, v, a, nt.ID)
}

// detachReplies lets go of "in reply to" links that now point into another
// topic (after a split): a page would show them as posts of its own.
func detachReplies(ctx context.Context, tx *gorm.DB, topicID int64) error {
	err := tx.WithContext(ctx).Exec(`UPDATE posts SET reply_to_id = NULL WHERE topic_id = ? AND reply_to_id IS NOT NULL
		AND reply_to_id NOT IN (SELECT id FROM posts WHERE topic_id = ?)`, topicID, topicID).Error
	if err != nil {
		return fmt.Errorf("replies across topic %d: %w", topicID, err)
	}
	return nil
}

// owner gives t and its first post to another member; the counts of
// topics and posts follow.
func (s *Service) owner(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, t *topic.Topic, c *category.Category, res *Result) error {
	var u user.User
	err := tx.Where("lower(username) = lower(?)", strings.TrimPrefix(strings.TrimSpace(a.Username), "@")).Limit(1).Find(&u).Error
	if err != nil {
		return fmt.Errorf("find new owner: %w", err)
	}
	if u.ID == 0 {
		return errs.Fields{"username": "mod.username_unknown"}
	}
	if u.ID == t.UserID {
		return nil
	}
	before := topicStateOf(t)
	old := *t
	if err := tx.Model(&topic.Topic{}).Where("id = ?", t.ID).Updates(map[string]any{"user_id": u.ID, "updated_at": now()}).Error; err != nil {
		return fmt.Errorf("change owner of topic %d: %w", t.ID, err)
	}
	if err := bump(ctx, tx, "users", "topics_count", old.UserID, -1); err != nil {
		return err
	}
	if err := bump(ctx, tx, "users", "topics_count", u.ID, 1); err != nil {
		return err
	}
	first, err := topic.NewStore(tx).PostByNumber(ctx, t.ID, 1)
	if err != nil && !isNotFound(err) {
		return err
	}
	if first != nil && first.UserID == old.UserID {
		if err := tx.Model(&topic.Post{}).Where("id = ?", first.ID).UpdateColumn("user_id", u.ID).Error; err != nil {
			return fmt.Errorf("change author of post %d: %w", first.ID, err)
		}
		if first.State == topic.StatePublished {
			if err := bump(ctx, tx, "users", "posts_count", old.UserID, -1); err != nil {
				return err
			}
			if err := bump(ctx, tx, "users", "posts_count", u.ID, 1); err != nil {
				return err
			}
		}
	}
	t.UserID, res.Changed = u.ID, true
	if err := s.record(ctx, tx, v, topicChange(a, t, c, before, topicStateOf(t)), tellOwner(&old)); err != nil {
		return err
	}
	return s.contentChanged(ctx, tx, v, a, t.ID)
}

// topicSummary is what the audit log keeps of a purged topic.
type topicSummary struct {
	TopicID    int64  `json:"topic_id"`
	Title      string `json:"title"`
	AuthorID   int64  `json:"author_id"`
	CategoryID int64  `json:"category_id"`
	Posts      int    `json:"posts"`
	Excerpt    string `json:"excerpt"`
	CreatedAt  string `json:"created_at"`
}

// purgeTopic deletes a topic and every post of it for good, with their
// history, reactions and bookmarks; the counts they fed go down, and links
// to them from elsewhere let go. The audit entry keeps a summary.
func (s *Service) purgeTopic(ctx context.Context, tx *gorm.DB, v *auth.Viewer, a Action, t *topic.Topic, c *category.Category, res *Result) error {
	tx = tx.WithContext(ctx)
	var posts []*topic.Post
	if err := tx.Where("topic_id = ?", t.ID).Order("number").Find(&posts).Error; err != nil {
		return fmt.Errorf("posts of topic %d: %w", t.ID, err)
	}
	sum := topicSummary{TopicID: t.ID, Title: t.Title, AuthorID: t.UserID, CategoryID: c.ID, Posts: len(posts),
		CreatedAt: t.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
	if len(posts) > 0 {
		body := []rune(posts[0].Body)
		sum.Excerpt = string(body[:min(len(body), 280)])
	}
	published := 0
	for _, p := range posts {
		if p.State == topic.StatePublished {
			published++
			if err := bump(ctx, tx, "users", "posts_count", p.UserID, -1); err != nil {
				return err
			}
		}
		if p.ReactionsCount > 0 {
			if err := bump(ctx, tx, "users", "reactions_received", p.UserID, -p.ReactionsCount); err != nil {
				return err
			}
		}
	}
	inTopic := tx.Session(&gorm.Session{NewDB: true}).Table("posts").Select("id").Where("topic_id = ?", t.ID)
	steps := []struct {
		what string
		q    func() error
	}{
		{"reactions given", func() error {
			return tx.Exec(`UPDATE users SET reactions_given = reactions_given -
				(SELECT count(*) FROM reactions r JOIN posts p ON p.id = r.post_id WHERE p.topic_id = ? AND r.user_id = users.id)
				WHERE id IN (SELECT r.user_id FROM reactions r JOIN posts p ON p.id = r.post_id WHERE p.topic_id = ?)`, t.ID, t.ID).Error
		}},
		{"replies from elsewhere", func() error {
			return tx.Model(&topic.Post{}).Where("topic_id <> ? AND reply_to_id IN (?)", t.ID, inTopic).UpdateColumn("reply_to_id", nil).Error
		}},
		{"replies within", func() error {
			return tx.Model(&topic.Post{}).Where("topic_id = ?", t.ID).UpdateColumn("reply_to_id", nil).Error
		}},
		{"topics merged into it", func() error {
			return tx.Model(&topic.Topic{}).Where("merged_into_id = ?", t.ID).UpdateColumn("merged_into_id", nil).Error
		}},
		{"tags", func() error {
			return tx.Exec("UPDATE tags SET topics_count = topics_count - 1 WHERE id IN (SELECT tag_id FROM topic_tags WHERE topic_id = ?)", t.ID).Error
		}},
	}
	for _, st := range steps {
		if err := st.q(); err != nil {
			return fmt.Errorf("purge topic %d: %s: %w", t.ID, st.what, err)
		}
	}
	if t.AcceptedPostID != nil {
		for _, p := range posts {
			if p.ID == *t.AcceptedPostID {
				if err := bump(ctx, tx, "users", "accepted_answers", p.UserID, -1); err != nil {
					return err
				}
			}
		}
		if err := tx.Model(&topic.Topic{}).Where("id = ?", t.ID).UpdateColumn("accepted_post_id", nil).Error; err != nil {
			return err
		}
	}
	for _, ref := range referencesToPosts {
		if !tx.Migrator().HasTable(ref[0]) {
			continue
		}
		if err := tx.Table(ref[0]).Where(ref[1]+" IN (?)", inTopic).UpdateColumn(ref[1], nil).Error; err != nil {
			return fmt.Errorf("let %s of topic %d go: %w", ref[0], t.ID, err)
		}
	}
	for _, ref := range referencesToTopics {
		if !tx.Migrator().HasTable(ref[0]) {
			continue
		}
		if err := tx.Table(ref[0]).Where(ref[1]+" = ?", t.ID).UpdateColumn(ref[1], nil).Error; err != nil {
			return fmt.Errorf("let %s of topic %d go: %w", ref[0], t.ID, err)
		}
	}
	// Revisions, reactions, bookmarks, notifications, reads, watches and
	// tags go with the posts and the topic (ON DELETE CASCADE).
	if err := tx.Where("topic_id = ?", t.ID).Delete(&topic.Post{}).Error; err != nil {
		return fmt.Errorf("purge posts of topic %d: %w", t.ID, err)
	}
	if err := tx.Where("id = ?", t.ID).Delete(&topic.Topic{}).Error; err != nil {
		return fmt.Errorf("purge topic %d: %w", t.ID, err)
	}
	if err := bump(ctx, tx, "categories", "topics_count", c.ID, -1); err != nil {
		return err
	}
	if err := bump(ctx, tx, "categories", "posts_count", c.ID, -published); err != nil {
		return err
	}
	if err := bump(ctx, tx, "users", "topics_count", t.UserID, -1); err != nil {
		return err
	}
	res.Topic, res.Changed = nil, true
	tell := tellOwner(t)
	tell.URL = "/"
	if err := s.record(ctx, tx, v, topicChange(a, t, c, sum, nil), tell); err != nil {
		return err
	}
	for _, p := range posts {
		if err := s.publish(ctx, tx, event.PostPurged{PostID: p.ID, TopicID: t.ID, ActorID: v.ID}); err != nil {
			return err
		}
	}
	return s.publish(ctx, tx, event.TopicRemoved{TopicID: t.ID, ActorID: v.ID})
}

// referencesToTopics are nullable columns of other domains that point at
// a topic: a purge lets go of them first.
var referencesToTopics = [][2]string{{"review_items", "topic_id"}}

// PurgeTopic deletes a topic and all its posts for good; confirm must be
// true.
func (s *Service) PurgeTopic(ctx context.Context, v *auth.Viewer, topicID int64, confirm bool, reason string) (*Result, error) {
	return s.Apply(ctx, v, Action{Kind: PurgeTopic, TopicID: topicID, Confirm: confirm, Reason: reason})
}

// SetClosed closes a topic to replies, or opens it again.
func (s *Service) SetClosed(ctx context.Context, v *auth.Viewer, topicID int64, closed bool, reason string) (*Result, error) {
	kind := Open
	if closed {
		kind = Close
	}
	return s.Apply(ctx, v, Action{Kind: kind, TopicID: topicID, Reason: reason})
}

// SetPinned pins a topic in its category or globally (scope), or unpins it
// (scope "").
func (s *Service) SetPinned(ctx context.Context, v *auth.Viewer, topicID int64, scope string) (*Result, error) {
	if scope == "" {
		return s.Apply(ctx, v, Action{Kind: Unpin, TopicID: topicID})
	}
	return s.Apply(ctx, v, Action{Kind: Pin, TopicID: topicID, Scope: scope})
}

// SetFeatured features a topic (publishing topic.featured) or stops.
func (s *Service) SetFeatured(ctx context.Context, v *auth.Viewer, topicID int64, on bool) (*Result, error) {
	kind := Unfeature
	if on {
		kind = Feature
	}
	return s.Apply(ctx, v, Action{Kind: kind, TopicID: topicID})
}

// MoveTopic moves a topic to another category.
func (s *Service) MoveTopic(ctx context.Context, v *auth.Viewer, topicID, categoryID int64, reason string) (*Result, error) {
	return s.Apply(ctx, v, Action{Kind: Move, TopicID: topicID, CategoryID: categoryID, Reason: reason})
}

// MergeTopic moves every post of a topic into another; Result.Topic is the
// target.
func (s *Service) MergeTopic(ctx context.Context, v *auth.Viewer, topicID, intoID int64, reason string) (*Result, error) {
	return s.Apply(ctx, v, Action{Kind: Merge, TopicID: topicID, IntoTopicID: intoID, Reason: reason})
}

// SplitTopic moves replies of a topic into a new topic titled title, in
// categoryID (0: the same category); Result.Topic is the new topic.
func (s *Service) SplitTopic(ctx context.Context, v *auth.Viewer, topicID int64, postIDs []int64, title string, categoryID int64, reason string) (*Result, error) {
	return s.Apply(ctx, v, Action{Kind: Split, TopicID: topicID, PostIDs: postIDs, Title: title, CategoryID: categoryID, Reason: reason})
}

// ChangeOwner gives a topic to the member username.
func (s *Service) ChangeOwner(ctx context.Context, v *auth.Viewer, topicID int64, username, reason string) (*Result, error) {
	return s.Apply(ctx, v, Action{Kind: Owner, TopicID: topicID, Username: username, Reason: reason})
}
