package topic

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"causerie/app/db"
	"causerie/app/errs"
	"causerie/app/user"
)

// ErrNotFound is returned for a topic or post that does not exist, or that
// the reader may not see.
var ErrNotFound = fmt.Errorf("topic: %w", errs.NotFound)

func first[T any](q *gorm.DB, what string) (*T, error) { return db.One[T](q, ErrNotFound, what) }

// Store reads and writes topics and posts.
type Store struct{ db *gorm.DB }

// NewStore wraps a database handle or transaction.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// Topic returns a topic by ID. Every reply and topic page reads one:
// scanned by hand (topicColumns), not by GORM's reflection.
func (s *Store) Topic(ctx context.Context, id int64) (*Topic, error) {
	t := new(Topic)
	err := s.db.WithContext(ctx).Raw("SELECT "+topicColumns+" FROM topics WHERE id = ?", id).Row().Scan(t.columns()...)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("get topic %d: %w", id, err)
	}
	return t, nil
}

// topicColumns are the columns of a Topic, in the order of its columns
// method. TestScanTopicReadsEveryField holds this list to the Topic type.
const topicColumns = "id, category_id, user_id, kind, title, slug, state, pinned, closed, archived, featured_at, " +
	"accepted_post_id, merged_into_id, replies_count, reactions_count, views_count, highest_number, last_post_at, " +
	"last_user_id, created_at, updated_at"

// columns are where the values of topicColumns go, in their order.
func (t *Topic) columns() []any {
	return []any{&t.ID, &t.CategoryID, &t.UserID, &t.Kind, &t.Title, &t.Slug, &t.State, &t.Pinned, &t.Closed, &t.Archived,
		&t.FeaturedAt, &t.AcceptedPostID, &t.MergedIntoID, &t.RepliesCount, &t.ReactionsCount, &t.ViewsCount,
		&t.HighestNumber, &t.LastPostAt, &t.LastUserID, &t.CreatedAt, &t.UpdatedAt}
}

// Post returns a post by ID.
func (s *Store) Post(ctx context.Context, id int64) (*Post, error) {
	return first[Post](s.db.WithContext(ctx).Where("id = ?", id), fmt.Sprintf("post %d", id))
}

// PostByNumber returns post number n of a topic.
func (s *Store) PostByNumber(ctx context.Context, topicID int64, n int) (*Post, error) {
	return first[Post](s.db.WithContext(ctx).Where("topic_id = ? AND number = ?", topicID, n), fmt.Sprintf("post %d of topic %d", n, topicID))
}

// Posts returns up to limit posts of a topic from number from on.
func (s *Store) Posts(ctx context.Context, topicID int64, from, limit int) ([]*Post, error) {
	rows, err := s.db.WithContext(ctx).Raw("SELECT "+postColumns+" FROM posts WHERE topic_id = ? AND number >= ? ORDER BY number LIMIT ?",
		topicID, from, limit).Rows()
	if err != nil {
		return nil, fmt.Errorf("posts of topic %d: %w", topicID, err)
	}
	ps, err := scanPosts(rows)
	if err != nil {
		return nil, fmt.Errorf("posts of topic %d: %w", topicID, err)
	}
	return ps, nil
}

// PostsWithAuthors is Posts, with the authors of the posts read in the
// same statement (their authorColumns), by ID: a topic page no one read
// lately asks for both.
func (s *Store) PostsWithAuthors(ctx context.Context, topicID int64, from, limit int) ([]*Post, map[int64]*user.User, error) {
	rows, err := s.db.WithContext(ctx).Raw("SELECT "+postColumnsAs("p")+", "+authorColumnsAs("u")+
		" FROM posts p JOIN users u ON u.id = p.user_id WHERE p.topic_id = ? AND p.number >= ? ORDER BY p.number LIMIT ?",
		topicID, from, limit).Rows()
	if err != nil {
		return nil, nil, fmt.Errorf("posts of topic %d: %w", topicID, err)
	}
	defer rows.Close()
	var posts []*Post
	authors := map[int64]*user.User{}
	for rows.Next() {
		p, u := new(Post), new(user.User)
		if err := rows.Scan(append(p.columns(), authorFields(u)...)...); err != nil {
			return nil, nil, fmt.Errorf("posts of topic %d: %w", topicID, err)
		}
		posts = append(posts, p)
		if authors[u.ID] == nil {
			authors[u.ID] = u
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("posts of topic %d: %w", topicID, err)
	}
	return posts, authors, nil
}

// postColumns are the columns of a Post, in the order scanPosts reads
// them. A page's twenty posts are read on every page no one read lately:
// GORM's scanning by reflection was four times SQLite's own work for
// them. TestScanPostsReadsEveryField holds this list to the Post type.
const postColumns = "id, topic_id, user_id, number, reply_to_id, body, html, state, official, reactions_count, revisions_count, " +
	"deleted_by_id, deleted_at, hidden_reason, hidden_by_id, hidden_at, edited_at, created_at, updated_at"

// scanPosts reads rows of postColumns, and closes them.
func scanPosts(rows *sql.Rows) ([]*Post, error) {
	defer rows.Close()
	var out []*Post
	for rows.Next() {
		p := new(Post)
		if err := rows.Scan(p.columns()...); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// columns are where the values of postColumns go, in their order.
func (p *Post) columns() []any {
	return []any{&p.ID, &p.TopicID, &p.UserID, &p.Number, &p.ReplyToID, &p.Body, &p.HTML, &p.State, &p.Official,
		&p.ReactionsCount, &p.RevisionsCount, &p.DeletedByID, &p.DeletedAt, &p.HiddenReason, &p.HiddenByID, &p.HiddenAt,
		&p.EditedAt, &p.CreatedAt, &p.UpdatedAt}
}

// postColumnsAs is postColumns, each qualified by a table's alias.
func postColumnsAs(alias string) string { return qualified(postColumns, alias) }

// qualified prefixes each of a list of columns with alias and a dot.
func qualified(columns, alias string) string {
	return alias + "." + strings.ReplaceAll(columns, ", ", ", "+alias+".")
}

// Revisions returns every earlier version of a post, oldest first.
func (s *Store) Revisions(ctx context.Context, postID int64) ([]Revision, error) {
	var rs []Revision
	if err := s.db.WithContext(ctx).Where("post_id = ?", postID).Order("number").Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("revisions of post %d: %w", postID, err)
	}
	return rs, nil
}

// bump adds delta to a counter column of one row. table and column are
// the code's own names, never input.
func (s *Store) bump(ctx context.Context, table, column string, id int64, delta int) error {
	if id == 0 || delta == 0 {
		return nil
	}
	if err := s.exec(ctx, "UPDATE "+table+" SET "+column+" = "+column+" + ? WHERE id = ?", delta, id); err != nil {
		return fmt.Errorf("count %s.%s of %d: %w", table, column, id, err)
	}
	return nil
}

// nextNumber takes the next post number of a topic and records the reply
// on the topic, in one statement: two replies at once get two numbers.
func (s *Store) nextNumber(ctx context.Context, t *Topic, userID int64, at time.Time) (int, error) {
	var n int
	err := s.queryRow(ctx, `UPDATE topics SET highest_number = highest_number + 1, replies_count = replies_count + 1,
		 last_post_at = ?, last_user_id = ?, updated_at = ? WHERE id = ? RETURNING highest_number`,
		at, userID, at, t.ID).Scan(&n)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, ErrNotFound
	case err != nil:
		return 0, fmt.Errorf("number a reply of topic %d: %w", t.ID, err)
	}
	return n, nil
}

// insertPost adds a reply and sets its ID: every column, as GORM's Create
// would write them.
func (s *Store) insertPost(ctx context.Context, p *Post) error {
	err := s.queryRow(ctx, `INSERT INTO posts (topic_id, user_id, number, reply_to_id, body, html, state, official,
		reactions_count, revisions_count, deleted_by_id, deleted_at, hidden_reason, hidden_by_id, hidden_at, edited_at,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.TopicID, p.UserID, p.Number, p.ReplyToID, p.Body, p.HTML, p.State, p.Official,
		p.ReactionsCount, p.RevisionsCount, p.DeletedByID, p.DeletedAt, p.HiddenReason, p.HiddenByID, p.HiddenAt, p.EditedAt,
		p.CreatedAt, p.UpdatedAt).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("create reply: %w", err)
	}
	return nil
}

// deleteDraft forgets a member's draft, if any.
func (s *Store) deleteDraft(ctx context.Context, userID int64, key string) error {
	if err := s.exec(ctx, `DELETE FROM drafts WHERE user_id = ? AND key = ?`, userID, key); err != nil {
		return fmt.Errorf("delete draft %s of %d: %w", key, userID, err)
	}
	return nil
}

// The statements of a reply (and of a read mark, and counters) go to the
// connection or transaction as written, without GORM's statement builder,
// callbacks and reflection: a reply runs seven of them in the group
// writer's transaction, and GORM's work around them cost about a third of
// SQLite's own. Placeholders are written "?" and numbered for PostgreSQL.

// exec runs a statement that returns no rows.
func (s *Store) exec(ctx context.Context, query string, args ...any) error {
	_, err := s.db.Statement.ConnPool.ExecContext(ctx, s.bind(query), args...)
	return err
}

// queryRow runs a statement that returns one row.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.db.Statement.ConnPool.QueryRowContext(ctx, s.bind(query), args...)
}

// bind numbers the placeholders of query for PostgreSQL ($1, $2, …); the
// queries here have no "?" anywhere else.
func (s *Store) bind(query string) string {
	if s.db.Dialector.Name() != "postgres" {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] != '?' {
			b.WriteByte(query[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// addReaction records a reaction; it says false when it was already there.
func (s *Store) addReaction(ctx context.Context, r *Reaction) (bool, error) {
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(r)
	if res.Error != nil {
		return false, fmt.Errorf("react to post %d: %w", r.PostID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// removeReaction deletes a reaction; it says false when there was none.
func (s *Store) removeReaction(ctx context.Context, postID, userID int64, kind string) (bool, error) {
	res := s.db.WithContext(ctx).Where("post_id = ? AND user_id = ? AND kind = ?", postID, userID, kind).Delete(&Reaction{})
	if res.Error != nil {
		return false, fmt.Errorf("remove reaction: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}
