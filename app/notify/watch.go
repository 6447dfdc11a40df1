package notify

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/errs"
	"causerie/app/topic"
)

// watchesOf is the watch that applies to everyone who set one for a topic
// or its category (or the category's parent): the topic's own wins, then
// the category's, then the parent's. Members missing from the map are at
// the normal level.
func (s *Service) watchesOf(ctx context.Context, g *gorm.DB, topicID int64, cat *category.Category, only ...int64) (map[int64]Watch, error) {
	cats := watchedCategories(cat)
	q := g.WithContext(ctx).Model(&Watch{})
	if topicID != 0 {
		q = q.Where("topic_id = ? OR category_id IN ?", topicID, cats)
	} else {
		q = q.Where("category_id IN ?", cats)
	}
	if len(only) > 0 {
		q = q.Where("user_id IN ?", only)
	}
	var ws []Watch
	if err := q.Find(&ws).Error; err != nil {
		return nil, fmt.Errorf("watches of topic %d: %w", topicID, err)
	}
	return bestWatches(ws, cat), nil
}

// watchedCategories are the categories whose watches cover a topic of
// cat: cat and its parent.
func watchedCategories(cat *category.Category) []int64 {
	cats := []int64{cat.ID}
	if cat.ParentID != nil {
		cats = append(cats, *cat.ParentID)
	}
	return cats
}

// bestWatches keeps each member's most precise watch of a topic of cat
// among ws (the topic's own and its categories'): the topic's, then its
// category's, then the parent's.
func bestWatches(ws []Watch, cat *category.Category) map[int64]Watch {
	rank := func(w Watch) int {
		switch {
		case w.TopicID != nil:
			return 3
		case *w.CategoryID == cat.ID:
			return 2
		}
		return 1
	}
	best := map[int64]Watch{}
	for _, w := range ws {
		if b, ok := best[w.UserID]; !ok || rank(w) > rank(b) {
			best[w.UserID] = w
		}
	}
	return best
}

// WatchBranches is the statement that finds a member's watches of a topic
// (0: none), of its category and of the category's parent (nil: none),
// each in a unique index: rows of (-2, level, rank), ranked as bestWatches
// ranks them (the topic's 3, the category's 2, the parent's 1), the best
// rank's level winning; no row, "normal". Its rows have the shape of the
// topic page's own statement of what is the reader's, which runs it as
// branches of its own (topic.Service.UseWatchBranches): one statement a
// member's page fewer.
func WatchBranches(userID, topicID, categoryID int64, parentID *int64) (string, []any) {
	q := "SELECT -2, level, 2 FROM watches WHERE user_id = ? AND category_id = ?"
	args := []any{userID, categoryID}
	if topicID != 0 {
		q = "SELECT -2, level, 3 FROM watches WHERE user_id = ? AND topic_id = ? UNION ALL " + q
		args = append([]any{userID, topicID}, args...)
	}
	if parentID != nil {
		q += " UNION ALL SELECT -2, level, 1 FROM watches WHERE user_id = ? AND category_id = ?"
		args = append(args, userID, *parentID)
	}
	return q, args
}

// WatchLevel is v's level for a topic (or, with topicID 0, a category):
// what the watch forms show.
func (s *Service) WatchLevel(ctx context.Context, v *auth.Viewer, topicID, categoryID int64) (string, error) {
	if !v.LoggedIn() {
		return LevelNormal, nil
	}
	cat, err := s.cats.Get(ctx, categoryID)
	if err != nil {
		return LevelNormal, nil
	}
	q, args := WatchBranches(v.ID, topicID, cat.ID, cat.ParentID)
	rows, err := s.db.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return "", fmt.Errorf("watch level of topic %d: %w", topicID, err)
	}
	defer rows.Close()
	best, level := 0, LevelNormal
	for rows.Next() {
		var tag, rank int
		var l string
		if err := rows.Scan(&tag, &l, &rank); err != nil {
			return "", fmt.Errorf("watch level of topic %d: %w", topicID, err)
		}
		if rank > best {
			best, level = rank, l
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("watch level of topic %d: %w", topicID, err)
	}
	return level, nil
}

func checkLevel(level string) error {
	if !ValidLevel(level) {
		return errs.Fields{"level": "notify.invalid_level"}
	}
	return nil
}

// WatchTopic sets v's level for a topic v can read.
func (s *Service) WatchTopic(ctx context.Context, v *auth.Viewer, topicID int64, level string) (*topic.Topic, error) {
	if !v.LoggedIn() {
		return nil, errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	t, err := s.topics.Store().Topic(ctx, topicID)
	if err != nil {
		return nil, err
	}
	c, err := s.cats.ReadableByID(ctx, v, t.CategoryID)
	if err != nil {
		return nil, topic.ErrNotFound
	}
	if t.State != topic.StatePublished && !auth.CanSeeUnpublished(v, c.Grants) && (t.UserID != v.ID || t.State == topic.StateDeleted) {
		return nil, topic.ErrNotFound
	}
	if err := checkLevel(level); err != nil {
		return nil, err
	}
	err = s.db.WithContext(ctx).Exec(`INSERT INTO watches (user_id, topic_id, level, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, topic_id) DO UPDATE SET level = excluded.level, updated_at = excluded.updated_at`,
		v.ID, t.ID, level, s.now()).Error
	if err != nil {
		return nil, fmt.Errorf("watch topic %d: %w", t.ID, err)
	}
	return t, nil
}

// WatchCategory sets v's level for a category v can read: it applies to
// each of its topics (and sub-categories) where v set none of their own.
func (s *Service) WatchCategory(ctx context.Context, v *auth.Viewer, slug, level string) (*category.Category, error) {
	if !v.LoggedIn() {
		return nil, errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	c, err := s.cats.Readable(ctx, v, slug)
	if err != nil {
		return nil, err
	}
	if err := checkLevel(level); err != nil {
		return nil, err
	}
	err = s.db.WithContext(ctx).Exec(`INSERT INTO watches (user_id, category_id, level, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, category_id) DO UPDATE SET level = excluded.level, updated_at = excluded.updated_at`,
		v.ID, c.ID, level, s.now()).Error
	if err != nil {
		return nil, fmt.Errorf("watch category %d: %w", c.ID, err)
	}
	return c, nil
}

// watchByDefault makes members who posted in topics watch them from the
// time of their post (ws: member, topic and that time), unless they chose
// a level for it already; in one statement. ws holds no (member, topic)
// twice.
func watchByDefault(ctx context.Context, tx *gorm.DB, ws []Watch) error {
	if len(ws) == 0 {
		return nil
	}
	var sb strings.Builder
	sb.WriteString("INSERT INTO watches (user_id, topic_id, level, updated_at) VALUES ")
	args := make([]any, 0, 4*len(ws))
	for i, w := range ws {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?)")
		args = append(args, w.UserID, *w.TopicID, w.Level, w.UpdatedAt)
	}
	sb.WriteString(" ON CONFLICT (user_id, topic_id) DO NOTHING")
	if err := tx.WithContext(ctx).Exec(sb.String(), args...).Error; err != nil {
		return fmt.Errorf("watch %d topics for their posters: %w", len(ws), err)
	}
	return nil
}
