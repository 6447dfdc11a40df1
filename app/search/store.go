package search

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// row is a post with what its document needs from its topic and author.
type row struct {
	PostID         int64
	TopicID        int64
	Number         int
	HTML           string
	PostState      string
	Reactions      int
	CreatedAt      time.Time
	Title          string
	Slug           string
	CategoryID     int64
	Kind           string
	TopicState     string
	Closed         bool
	AcceptedPostID *int64
	LastPostAt     time.Time
	Username       string
	Language       string
}

const rowSelect = `SELECT p.id AS post_id, p.topic_id, p.number, p.html, p.state AS post_state,
	p.reactions_count AS reactions, p.created_at, t.title, t.slug, t.category_id, t.kind,
	t.state AS topic_state, t.closed, t.accepted_post_id, t.last_post_at, u.username, u.language
	FROM posts p JOIN topics t ON t.id = p.topic_id JOIN users u ON u.id = p.user_id `

// visible says whether the post belongs in the index: published, in a
// published topic. Readers' rights on its category are checked at query
// time, so a change of rights needs no reindexing.
func (r *row) visible() bool { return r.PostState == "published" && r.TopicState == "published" }

// store reads what the index is built from, and keeps the search terms.
type store struct{ db *gorm.DB }

func (s *store) rows(ctx context.Context, where string, args ...any) ([]*row, error) {
	var rs []*row
	if err := s.db.WithContext(ctx).Raw(rowSelect+where, args...).Scan(&rs).Error; err != nil {
		return nil, fmt.Errorf("search: load posts: %w", err)
	}
	return rs, nil
}

func (s *store) postRows(ctx context.Context, ids []int64) ([]*row, error) {
	return s.rows(ctx, "WHERE p.id IN ?", ids)
}

func (s *store) topicRows(ctx context.Context, topicID int64) ([]*row, error) {
	return s.rows(ctx, "WHERE p.topic_id = ? ORDER BY p.number", topicID)
}

// page is the visible posts among the n published posts after post ID
// after, for rebuilding, and the last post ID it looked at (0 at the end).
// The IDs come from the posts' primary key alone: joined with topics, both
// databases' planners would rather walk the topics and sort every post
// again for each page.
func (s *store) page(ctx context.Context, after int64, n int) ([]*row, int64, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Raw("SELECT id FROM posts WHERE id > ? AND state = 'published' ORDER BY id LIMIT ?", after, n).
		Scan(&ids).Error; err != nil {
		return nil, 0, fmt.Errorf("search: next posts: %w", err)
	}
	if len(ids) == 0 {
		return nil, 0, nil
	}
	rs, err := s.rows(ctx, "WHERE p.id IN ? AND t.state = 'published' ORDER BY p.id", ids)
	return rs, ids[len(ids)-1], err
}

// visibleCount is how many posts the index should hold.
func (s *store) visibleCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM posts p JOIN topics t ON t.id = p.topic_id
		WHERE p.state = 'published' AND t.state = 'published'`).Scan(&n).Error
	return n, err
}

// tags returns the tag names of each topic.
func (s *store) tags(ctx context.Context, topicIDs []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(topicIDs) == 0 {
		return out, nil
	}
	var rs []struct {
		TopicID int64
		Name    string
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT tt.topic_id, tg.name FROM topic_tags tt JOIN tags tg ON tg.id = tt.tag_id
		WHERE tt.topic_id IN ? ORDER BY tg.name`, topicIDs).Scan(&rs).Error; err != nil {
		return nil, fmt.Errorf("search: load tags: %w", err)
	}
	for _, r := range rs {
		out[r.TopicID] = append(out[r.TopicID], r.Name)
	}
	return out, nil
}

// Term is one normalised query on one day: how often it was searched and
// how often it found nothing. Nobody's identity is kept.
type Term struct {
	Term     string `gorm:"primaryKey"`
	Day      string `gorm:"primaryKey"`
	Searches int64
	Empty    int64
	Results  int64
}

func (Term) TableName() string { return "search_terms" }

// record counts one search of term that found results.
func (s *store) record(ctx context.Context, term string, results int, day time.Time) error {
	empty := int64(0)
	if results == 0 {
		empty = 1
	}
	t := Term{Term: term, Day: day.UTC().Format(time.DateOnly), Searches: 1, Empty: empty, Results: int64(results)}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "term"}, {Name: "day"}},
		DoUpdates: clause.Assignments(map[string]any{
			"searches": gorm.Expr("search_terms.searches + 1"),
			"empty":    gorm.Expr("search_terms.empty + ?", empty),
			"results":  results,
		}),
	}).Create(&t).Error
}

// TermCount is a term's searches over a period.
type TermCount struct {
	Term     string
	Searches int64
	Results  int64
}

// top lists the most searched terms since day; with emptyOnly, those whose
// searches all found nothing.
func (s *store) top(ctx context.Context, since time.Time, emptyOnly bool, n int) ([]TermCount, error) {
	q := s.db.WithContext(ctx).Model(&Term{}).Select("term, SUM(searches) AS searches, MIN(results) AS results").
		Where("day >= ?", since.UTC().Format(time.DateOnly)).Group("term")
	if emptyOnly {
		q = q.Having("SUM(empty) = SUM(searches)")
	}
	var out []TermCount
	if err := q.Order("searches DESC, term").Limit(n).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("search: top terms: %w", err)
	}
	return out, nil
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

// normalizeTerm is how a query is recorded: lower-cased, spaces squeezed,
// at most 200 characters.
func normalizeTerm(q string) string {
	q = strings.Join(strings.Fields(strings.ToLower(q)), " ")
	if r := []rune(q); len(r) > 200 {
		q = string(r[:200])
	}
	return q
}
