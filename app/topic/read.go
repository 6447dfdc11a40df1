package topic

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/errs"
	"causerie/app/user"
)

func onConflictNothing() clause.Expression { return clause.OnConflict{DoNothing: true} }

// markRead records that userID has read topicID up to post number n (it
// never goes back).
func (s *Store) markRead(ctx context.Context, userID, topicID int64, n int) error {
	err := s.exec(ctx, `INSERT INTO topic_reads (user_id, topic_id, last_number, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, topic_id) DO UPDATE SET last_number = CASE WHEN topic_reads.last_number < excluded.last_number
		THEN excluded.last_number ELSE topic_reads.last_number END, updated_at = excluded.updated_at`,
		userID, topicID, n, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("mark topic %d read: %w", topicID, err)
	}
	return nil
}

// readMarks holds how far members read topics on this node's pages until
// FlushReadMarks writes them, about every second (app.App.Run), many in
// one transaction. A member reading topics new to them marks one on nearly
// every page, and every commit on SQLite empties the page cache of every
// connection: the statements of the pages after it read their pages
// again. Pages and lists read here see the marks not written yet; another
// node sees them a second later, and a crash loses at most that second's
// marks (the pages show those posts as new once more). Replying marks the
// topic in the reply's own transaction.
type readMarks struct {
	mu sync.Mutex
	n  map[readKey]int
}

type readKey struct{ user, topic int64 }

func newReadMarks() *readMarks { return &readMarks{n: map[readKey]int{}} }

// add records that user read topic up to post number n (it never goes
// back).
func (m *readMarks) add(user, topic int64, n int) {
	k := readKey{user, topic}
	m.mu.Lock()
	if n > m.n[k] {
		m.n[k] = n
	}
	m.mu.Unlock()
}

// raise is n, or the mark of user's for topic not written yet when it is
// further.
func (m *readMarks) raise(user, topic int64, n int) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return max(n, m.n[readKey{user, topic}])
}

// readMarksPerTx is how many marks one transaction of FlushReadMarks
// writes.
const readMarksPerTx = 500

// FlushReadMarks writes the read marks taken since the last flush. Marks a
// failed transaction held are kept for the next flush.
func (s *Service) FlushReadMarks(ctx context.Context) error {
	s.marks.mu.Lock()
	n := s.marks.n
	if len(n) == 0 {
		s.marks.mu.Unlock()
		return nil
	}
	s.marks.n = map[readKey]int{}
	s.marks.mu.Unlock()
	keys := slices.SortedFunc(maps.Keys(n), func(a, b readKey) int { // in the table's order
		return cmp.Or(cmp.Compare(a.user, b.user), cmp.Compare(a.topic, b.topic))
	})
	for len(keys) > 0 {
		batch := keys[:min(len(keys), readMarksPerTx)]
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			st := NewStore(tx)
			for _, k := range batch {
				if err := st.markRead(ctx, k.user, k.topic, n[k]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			for _, k := range keys {
				s.marks.add(k.user, k.topic, n[k])
			}
			return fmt.Errorf("write %d read marks: %w", len(keys), err)
		}
		keys = keys[len(batch):]
	}
	return nil
}

// PostView is a post as a page shows it to one reader.
type PostView struct {
	*Post
	Author *user.User
	// Visible says whether the reader may read the content; otherwise the
	// page shows why it is not there (deleted by its author, hidden).
	Visible    bool
	Accepted   bool
	Bookmarked bool
	// Reactions counts each kind (shared with the page's other readers:
	// read-only; nil when none); Mine is what the reader gave (nil: none).
	Reactions map[string]int
	Mine      map[string]bool
	// Buttons are the reactions as the page shows them, in the configured
	// order, worked out here so the template does little per post.
	Buttons   []Button
	ReplyTo   *PostRef
	CanEdit   bool
	CanDelete bool
	CanReact  bool
	CanAccept bool
	// CanRestore is for staff, on a deleted post.
	CanRestore bool
	// FirstNew: the "new since your last visit" divider goes above it.
	FirstNew bool
	// Ago and Exact say when it was written, in the reader's language
	// ("3 hours ago") and as a date: the page handler sets them.
	Ago, Exact string
}

// Button is one reaction under a post.
type Button struct {
	Kind, Label string // Label is the message ID of the reaction's name
	Count       int
	Mine        bool
	// Value is what pressing it sends: the kind, or "-kind" to take it back.
	Value string
	// Text is Label translated, set by the page handler.
	Text string
}

// PostRef is the post a reply answers.
type PostRef struct {
	Number   int
	Username string
}

// Page is one page of a topic for one reader.
type Page struct {
	Topic    *Topic
	Category *category.Category
	Author   *user.User
	Tags     []string
	Posts    []*PostView
	// Accepted is the accepted answer, shown under the question on the
	// first page.
	Accepted *PostView
	From     int
	// Prev and Next are the first post numbers of the pages around (0: none).
	Prev, Next int
	// LastRead is the number of the last post the reader had read before
	// this visit: later posts are new to them (0: everything is new).
	LastRead int
	// Draft is the reader's unsent reply to the topic, for the reply box
	// (members who may reply).
	Draft     string
	CanReply  bool
	Moderator bool
	Reactions []string
	Pages     int
	Per       int
	// watch is the reader's watch level of the topic, when read with the
	// page (watchRead: see UseWatchBranches).
	watch     string
	watchRead bool
	// Unread is the reader's unread notifications' count for the header,
	// read with the page (UseUnreadBranch); -1 or 0 for a visitor: not read.
	Unread int
}

// PageNumber is the number of this page among the topic's pages.
func (p *Page) PageNumber() int { return (p.From-1)/p.Per + 1 }

// DeletedByAuthor says whether a deleted post was deleted by its author.
func (pv *PostView) DeletedByAuthor() bool {
	return pv.DeletedByID != nil && *pv.DeletedByID == pv.UserID
}

// FirstNew says whether post number n is the first the reader has not
// read: the "new since your last visit" divider goes above it.
func (p *Page) FirstNew(n int) bool { return p.LastRead > 0 && n == p.LastRead+1 }

// Page returns the page of a topic that holds post number from.
func (s *Service) Page(ctx context.Context, v *auth.Viewer, topicID int64, from int) (*Page, error) {
	return s.page(ctx, v, topicID, from, nil)
}

// page is Page, taking what every reader sees alike from sp when it is
// kept there (sp nil: from the database).
func (s *Service) page(ctx context.Context, v *auth.Viewer, topicID int64, from int, sp *sharedPages) (*Page, error) {
	per := s.cfg.PostsPerPage
	if from < 1 {
		from = 1
	}
	start := ((from-1)/per)*per + 1 // pages start at fixed numbers: stable URLs
	sh, err := s.sharedPage(ctx, sp, topicID, start)
	if err != nil {
		return nil, err
	}
	t := sh.topic
	c, err := s.mayRead(ctx, v, t)
	if err != nil {
		return nil, err
	}
	if from > t.HighestNumber || len(sh.posts) == 0 {
		return nil, ErrNotFound
	}
	posts := sh.posts
	pg := &Page{Topic: t, Category: c, From: start, CanReply: auth.CanReply(v, c.Grants, t.state()),
		Moderator: auth.CanSeeUnpublished(v, c.Grants), Reactions: s.cfg.Reactions, Pages: (t.HighestNumber + per - 1) / per, Per: per,
		Tags: sh.tags, Author: sh.posted.users[t.UserID]}
	if start > 1 {
		pg.Prev = start - per
	}
	if start+per <= t.HighestNumber {
		pg.Next = start + per
	}
	all := posts
	if sh.accepted != nil {
		all = append(append(make([]*Post, 0, len(posts)+1), posts...), sh.accepted)
	}
	draft := ""
	if pg.CanReply {
		draft = draftKey(t.ID)
	}
	mine, err := s.readOwnOnPage(ctx, v, t, c, draft, posts, sh.accepted)
	if err != nil {
		return nil, err
	}
	pg.Draft = mine.draft
	pg.watch, pg.watchRead, pg.Unread = mine.watch, mine.watchRead, mine.unread
	views := s.viewsOf(v, t, c, sh.posted, mine, all)
	pg.Posts = visibleTo(v, c.ID, views[:len(posts)])
	if sh.accepted != nil {
		pg.Accepted = views[len(views)-1]
	}
	if v.LoggedIn() {
		pg.LastRead = mine.lastRead
		if last := posts[len(posts)-1].Number; last > mine.lastRead {
			s.marks.add(v.ID, t.ID, last)
		}
	}
	for _, pv := range pg.Posts {
		pv.FirstNew = pg.FirstNew(pv.Number)
	}
	return pg, nil
}

// mayRead checks that v may read topic t, already loaded (readable loads
// it first), and returns its category.
func (s *Service) mayRead(ctx context.Context, v *auth.Viewer, t *Topic) (*category.Category, error) {
	if t.MergedIntoID != nil {
		return nil, &MergedError{Into: *t.MergedIntoID}
	}
	c, err := s.cats.ReadableByID(ctx, v, t.CategoryID)
	if err != nil {
		return nil, ErrNotFound
	}
	if t.State != StatePublished && !(auth.CanSeeUnpublished(v, c.Grants) || (v.LoggedIn() && v.ID == t.UserID && t.State != StateDeleted)) {
		return nil, ErrNotFound
	}
	return c, nil
}

// own is what is the reader's own on a page of a topic.
type own struct {
	reacted    map[int64][]string // the kinds of their reactions, by post
	bookmarked map[int64]bool
	// lastRead is the number of the last post they had read (0: none).
	lastRead int
	// draft is their unsent text under the draft key asked for.
	draft string
	// watch is their watch level of the topic, when asked (watchRead).
	watch     string
	watchRead bool
	watchRank int
	// unread is their unread notifications' count, for the header, when
	// asked (-1: not asked).
	unread int
}

// readOwn reads the reader's reactions to posts and bookmarks of them in
// one query. Visitors have none: no query.
func (s *Service) readOwn(ctx context.Context, v *auth.Viewer, posts []*Post) (own, error) {
	if !v.LoggedIn() {
		return own{}, nil
	}
	ids := make([]int64, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	// Bookmarks come as kind "".
	q := "SELECT post_id, kind, 0 AS n FROM reactions WHERE user_id = ? AND post_id IN ?" +
		" UNION ALL SELECT post_id, '' AS kind, 0 AS n FROM bookmarks WHERE user_id = ? AND post_id IN ?"
	return s.scanOwn(ctx, q, v.ID, ids, v.ID, ids)
}

// readOwnOnPage is readOwn for a page of topic t: the posts, a run of
// numbers, and accepted (nil: none) are found through the topic's posts
// rather than as a list of IDs, which SQLite first copies into a temporary
// table of its own (with a page cache, allocated and freed each time: a
// tenth of a member's page). With them come how far the reader had read
// the topic, (draft not "") their draft under that key and, with
// UseWatchBranches, their watch level of the topic in category c.
func (s *Service) readOwnOnPage(ctx context.Context, v *auth.Viewer, t *Topic, c *category.Category, draft string, posts []*Post, accepted *Post) (own, error) {
	if !v.LoggedIn() || len(posts) == 0 {
		return own{unread: -1}, nil
	}
	lo, hi := posts[0].Number, posts[len(posts)-1].Number
	// The read mark comes as post 0 (post IDs start at 1) with the number
	// read, the draft as post -1 with its text.
	q := "SELECT r.post_id, r.kind, 0 AS n FROM posts p JOIN reactions r ON r.post_id = p.id AND r.user_id = ?" +
		" WHERE p.topic_id = ? AND p.number BETWEEN ? AND ?" +
		" UNION ALL SELECT b.post_id, '' AS kind, 0 AS n FROM posts p JOIN bookmarks b ON b.user_id = ? AND b.post_id = p.id" +
		" WHERE p.topic_id = ? AND p.number BETWEEN ? AND ?" +
		" UNION ALL SELECT 0 AS post_id, '' AS kind, last_number AS n FROM topic_reads WHERE user_id = ? AND topic_id = ?"
	args := []any{v.ID, t.ID, lo, hi, v.ID, t.ID, lo, hi, v.ID, t.ID}
	if accepted != nil && (accepted.Number < lo || accepted.Number > hi) {
		q += " UNION ALL SELECT post_id, kind, 0 AS n FROM reactions WHERE post_id = ? AND user_id = ?" +
			" UNION ALL SELECT post_id, '' AS kind, 0 AS n FROM bookmarks WHERE user_id = ? AND post_id = ?"
		args = append(args, accepted.ID, v.ID, v.ID, accepted.ID)
	}
	if draft != "" {
		q += " UNION ALL SELECT -1 AS post_id, body AS kind, 0 AS n FROM drafts WHERE user_id = ? AND key = ?"
		args = append(args, v.ID, draft)
	}
	if s.watchBranches != nil {
		wq, wargs := s.watchBranches(v.ID, t.ID, c.ID, c.ParentID)
		q += " UNION ALL " + wq
		args = append(args, wargs...)
	}
	unread := false
	if s.unreadBranch != nil {
		uq, uargs, err := s.unreadBranch(ctx, v)
		if err != nil {
			return own{}, err
		}
		q += " UNION ALL " + uq
		args = append(args, uargs...)
		unread = true
	}
	o, err := s.scanOwn(ctx, q, args...)
	o.lastRead = s.marks.raise(v.ID, t.ID, o.lastRead)
	if s.watchBranches != nil && err == nil {
		o.watchRead = true
		if o.watch == "" {
			o.watch = "normal"
		}
	}
	if !unread {
		o.unread = -1
	}
	return o, err
}

// scanOwn runs a query of readOwn's and sorts its rows out.
func (s *Service) scanOwn(ctx context.Context, q string, args ...any) (own, error) {
	var o own
	rows, err := kindCounts(ctx, s.db, q, args...)
	if err != nil {
		return o, fmt.Errorf("the reader's reactions, bookmarks, read mark and draft: %w", err)
	}
	o.reacted, o.bookmarked = map[int64][]string{}, map[int64]bool{}
	for _, r := range rows {
		switch {
		case r.PostID == 0:
			o.lastRead = r.N
		case r.PostID == -1:
			o.draft = r.Kind
		case r.PostID == -3: // the unread notifications (UseUnreadBranch)
			o.unread = r.N
		case r.PostID == -2: // a watch, ranked (WatchBranches)
			if r.N > o.watchRank {
				o.watch, o.watchRank = r.Kind, r.N
			}
		case r.Kind == "":
			o.bookmarked[r.PostID] = true
		default:
			o.reacted[r.PostID] = append(o.reacted[r.PostID], r.Kind)
		}
	}
	return o, nil
}

// postViews turns posts into what the reader sees of them, with their authors,
// reactions, bookmarks and rights, in a fixed number of queries.
func (s *Service) postViews(ctx context.Context, v *auth.Viewer, t *Topic, c *category.Category, posts []*Post) ([]*PostView, error) {
	d, _, err := s.readPosted(ctx, posts, 0, nil, 0)
	if err != nil {
		return nil, err
	}
	mine, err := s.readOwn(ctx, v, posts)
	if err != nil {
		return nil, err
	}
	return s.viewsOf(v, t, c, d, mine, posts), nil
}

// viewsOf builds what the reader sees of posts from what everyone sees (d)
// and what is theirs (mine), asking nothing more.
func (s *Service) viewsOf(v *auth.Viewer, t *Topic, c *category.Category, d *postsData, mine own, posts []*Post) []*PostView {
	out := make([]*PostView, len(posts))
	labels := make([]string, len(s.cfg.Reactions))
	for i, k := range s.cfg.Reactions {
		labels[i] = "reaction_kind." + k
	}
	for i, p := range posts {
		// Reactions is the counts everyone sees, shared by every reader of
		// the page: read-only. Mine is nil when the reader gave none.
		pv := &PostView{Post: p, Author: d.users[p.UserID], Reactions: d.counts[p.ID],
			Bookmarked: mine.bookmarked[p.ID], Accepted: t.AcceptedPostID != nil && *t.AcceptedPostID == p.ID}
		if ks := mine.reacted[p.ID]; len(ks) > 0 {
			pv.Mine = make(map[string]bool, len(ks))
			for _, k := range ks {
				pv.Mine[k] = true
			}
		}
		pv.Visible = auth.CanSeePost(v, c.Grants, p.state())
		pv.CanEdit = auth.CanEditPost(v, c.Grants, t.state(), p.state())
		pv.CanDelete = auth.CanDeletePost(v, c.Grants, t.state(), p.state(), p.Number == 1)
		pv.CanReact = auth.CanReact(v, c.Grants, t.state(), p.state())
		pv.CanAccept = t.Kind == KindQuestion && p.Number > 1 && p.State == StatePublished && auth.CanAccept(v, c.Grants, t.state())
		pv.CanRestore = p.State == StateDeleted && auth.CanRestorePost(v, c.Grants)
		if p.ReplyToID != nil {
			if r := d.refs[*p.ReplyToID]; r != nil {
				ref := &PostRef{Number: r.Number}
				if u := d.users[r.UserID]; u != nil {
					ref.Username = u.Username
				}
				pv.ReplyTo = ref
			}
		}
		if !pv.Visible {
			pv.Post = redacted(p)
		}
		pv.Buttons = make([]Button, 0, len(s.cfg.Reactions))
		for j, k := range s.cfg.Reactions {
			b := Button{Kind: k, Label: labels[j], Count: pv.Reactions[k], Mine: pv.Mine[k], Value: k}
			if b.Mine {
				b.Value = "-" + k
			}
			if b.Count > 0 || pv.CanReact {
				pv.Buttons = append(pv.Buttons, b)
			}
		}
		out[i] = pv
	}
	return out
}

// redacted is a post without its content, for a reader who may not see it.
func redacted(p *Post) *Post {
	cp := *p
	cp.Body, cp.HTML, cp.HiddenReason = "", "", ""
	return &cp
}

// loadUsers loads the members with these IDs in one query.
func loadUsers(ctx context.Context, db *gorm.DB, ids []int64) (map[int64]*user.User, error) {
	out := map[int64]*user.User{}
	if len(ids) == 0 {
		return out, nil
	}
	var us []*user.User
	if err := db.WithContext(ctx).Where("id IN ?", unique(ids)).Find(&us).Error; err != nil {
		return nil, fmt.Errorf("load authors: %w", err)
	}
	for _, u := range us {
		out[u.ID] = u
	}
	return out, nil
}

// authorColumns are what a post shows of its author, to the page and to a
// theme that draws posts itself: name, picture, role and standing. Not the
// e-mail, password hash, biography or settings: a page of twenty posts
// read them all for nothing (a third of reading the page), and a theme
// cannot print what is not there.
// They are read column by column (GORM's scanning by reflection cost more
// than the query).
const authorColumns = "id, username, display_name, role, avatar_upload_id, trust_level, reputation, topics_count, posts_count, " +
	"reactions_received, accepted_answers, created_at, last_seen_at"

// authorFields are where the values of authorColumns go, in their order.
func authorFields(u *user.User) []any {
	return []any{&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.AvatarUploadID, &u.TrustLevel, &u.Reputation,
		&u.TopicsCount, &u.PostsCount, &u.ReactionsReceived, &u.AcceptedAnswers, &u.CreatedAt, &u.LastSeenAt}
}

// authorColumnsAs is authorColumns, each qualified by a table's alias.
func authorColumnsAs(alias string) string { return qualified(authorColumns, alias) }

// loadAuthors loads the authors with these IDs, their authorColumns only,
// in one query.
func loadAuthors(ctx context.Context, db *gorm.DB, ids []int64) (map[int64]*user.User, error) {
	out := make(map[int64]*user.User, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.WithContext(ctx).Raw("SELECT "+authorColumns+" FROM users WHERE id IN ?", unique(ids)).Rows()
	if err != nil {
		return nil, fmt.Errorf("load authors: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		u := new(user.User)
		if err := rows.Scan(authorFields(u)...); err != nil {
			return nil, fmt.Errorf("load authors: %w", err)
		}
		out[u.ID] = u
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load authors: %w", err)
	}
	return out, nil
}

func unique(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Locate finds the topic and number of a post, for the stable /p/<id> link.
func (s *Service) Locate(ctx context.Context, v *auth.Viewer, postID int64) (*Topic, int, error) {
	p, t, _, err := s.postInTopic(ctx, v, postID)
	if err != nil {
		return nil, 0, err
	}
	return t, p.Number, nil
}

// List filters.
const (
	ListLatest     = "latest"
	ListTop        = "top"
	ListUnanswered = "unanswered"
)

// ListQuery picks a list of topics.
type ListQuery struct {
	Filter     string // latest (default), top, unanswered
	Period     string // top: day, week, month, year, all
	CategoryID int64
	Tag        string
	UserID     int64
	Cursor     string
}

// Item is a topic in a list.
type Item struct {
	*Topic
	Category *category.Category
	Author   *user.User
	LastUser *user.User
	Tags     []string
	// Unread is how many posts the reader has not read (-1: never opened).
	Unread int
}

// List is one page of a list of topics.
type List struct {
	Pinned []*Item
	Items  []*Item
	// Next is the cursor of the following page ("" at the end).
	Next string
}

var periods = map[string]time.Duration{"day": 24 * time.Hour, "week": 7 * 24 * time.Hour, "month": 30 * 24 * time.Hour, "year": 365 * 24 * time.Hour}

// List returns topics v may see, newest activity first (or best, or
// unanswered), one page at a time. Pages are cut with a keyset cursor, not
// an offset, so a page deep in a million posts costs what the first does.
func (s *Service) List(ctx context.Context, v *auth.Viewer, q ListQuery) (*List, error) {
	readable, err := s.cats.ReadableIDs(ctx, v)
	if err != nil {
		return nil, err
	}
	out := &List{}
	if len(readable) == 0 {
		return out, nil
	}
	if q.CategoryID != 0 {
		if !containsID(readable, q.CategoryID) {
			return nil, category.ErrNotFound
		}
		readable = []int64{q.CategoryID}
	}
	base := s.db.WithContext(ctx).Model(&Topic{}).Where("topics.state = ? AND topics.category_id IN ?", StatePublished, readable)
	if q.Tag != "" {
		base = base.Where("topics.id IN (?)", s.db.Table("topic_tags").Select("topic_id").
			Joins("JOIN tags ON tags.id = topic_tags.tag_id").Where("tags.name = ?", q.Tag))
	}
	if q.UserID != 0 {
		base = base.Where("topics.user_id = ?", q.UserID)
	}
	per := s.cfg.TopicsPerPage
	list := base.Session(&gorm.Session{})
	switch q.Filter {
	case ListTop:
		if d, ok := periods[q.Period]; ok {
			list = list.Where("topics.created_at >= ?", time.Now().UTC().Add(-d))
		}
		score := "(topics.reactions_count + 2 * topics.replies_count)"
		if q.Cursor != "" {
			n, id, err := decodeCursor(q.Cursor)
			if err != nil {
				return nil, err
			}
			list = list.Where("("+score+" < ? OR ("+score+" = ? AND topics.id < ?))", n, n, id)
		}
		list = list.Order(score + " DESC, topics.id DESC")
	case ListUnanswered:
		list = list.Where("topics.kind = ? AND topics.accepted_post_id IS NULL", KindQuestion)
		list, err = keyset(list, "topics.created_at", q.Cursor)
		if err != nil {
			return nil, err
		}
	default:
		pin := PinGlobal
		if q.CategoryID != 0 {
			pin = PinCategory
		}
		if q.Cursor == "" && q.UserID == 0 && q.Tag == "" {
			var pinned []*Topic
			if err := base.Session(&gorm.Session{}).Where("topics.pinned >= ?", pin).Order("topics.last_post_at DESC").Limit(per).Find(&pinned).Error; err != nil {
				return nil, err
			}
			if out.Pinned, err = s.items(ctx, v, pinned); err != nil {
				return nil, err
			}
		}
		if q.UserID == 0 && q.Tag == "" {
			list = list.Where("topics.pinned < ?", pin)
		}
		list, err = keyset(list, "topics.last_post_at", q.Cursor)
		if err != nil {
			return nil, err
		}
	}
	var topics []*Topic
	if err := list.Limit(per + 1).Find(&topics).Error; err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	if len(topics) > per {
		topics = topics[:per]
		last := topics[per-1]
		switch q.Filter {
		case ListTop:
			out.Next = encodeCursor(int64(last.ReactionsCount+2*last.RepliesCount), last.ID)
		case ListUnanswered:
			out.Next = encodeCursor(last.CreatedAt.UnixMicro(), last.ID)
		default:
			out.Next = encodeCursor(last.LastPostAt.UnixMicro(), last.ID)
		}
	}
	out.Items, err = s.items(ctx, v, topics)
	return out, err
}

// keyset orders by column (a time) then id, both descending, after the
// cursor's position.
func keyset(q *gorm.DB, column, cursor string) (*gorm.DB, error) {
	if cursor != "" {
		us, id, err := decodeCursor(cursor)
		if err != nil {
			return nil, err
		}
		at := time.UnixMicro(us).UTC()
		q = q.Where("("+column+" < ? OR ("+column+" = ? AND topics.id < ?))", at, at, id)
	}
	return q.Order(column + " DESC, topics.id DESC"), nil
}

func encodeCursor(n, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(n, 10) + "." + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (int64, int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	bad := errs.Fields{"cursor": "validation.cursor"}
	if err != nil {
		return 0, 0, bad
	}
	a, b, ok := strings.Cut(string(raw), ".")
	n, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, bad
	}
	return n, id, nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// items decorates topics for a list: categories, authors, tags and unread
// counts, in a fixed number of queries.
func (s *Service) items(ctx context.Context, v *auth.Viewer, topics []*Topic) ([]*Item, error) {
	if len(topics) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(topics))
	var userIDs []int64
	for i, t := range topics {
		ids[i] = t.ID
		userIDs = append(userIDs, t.UserID)
		if t.LastUserID != nil {
			userIDs = append(userIDs, *t.LastUserID)
		}
	}
	users, err := loadAuthors(ctx, s.db, userIDs)
	if err != nil {
		return nil, err
	}
	type tagRow struct {
		TopicID int64
		Name    string
	}
	var tags []tagRow
	if err := s.db.WithContext(ctx).Table("topic_tags").Select("topic_tags.topic_id, tags.name").
		Joins("JOIN tags ON tags.id = topic_tags.tag_id").Where("topic_tags.topic_id IN ?", ids).Order("tags.name").Scan(&tags).Error; err != nil {
		return nil, err
	}
	read := map[int64]int{}
	if v.LoggedIn() {
		var rs []TopicRead
		if err := s.db.WithContext(ctx).Where("user_id = ? AND topic_id IN ?", v.ID, ids).Find(&rs).Error; err != nil {
			return nil, err
		}
		for _, r := range rs {
			read[r.TopicID] = r.LastNumber
		}
		for _, t := range topics {
			if n := s.marks.raise(v.ID, t.ID, read[t.ID]); n > 0 {
				read[t.ID] = n
			}
		}
	}
	out := make([]*Item, len(topics))
	byID := map[int64]*Item{}
	for i, t := range topics {
		it := &Item{Topic: t, Author: users[t.UserID], Unread: -1}
		if t.LastUserID != nil {
			it.LastUser = users[*t.LastUserID]
		}
		it.Category, _ = s.cats.Get(ctx, t.CategoryID)
		if n, ok := read[t.ID]; ok {
			it.Unread = t.HighestNumber - n
		}
		out[i] = it
		byID[t.ID] = it
	}
	for _, r := range tags {
		byID[r.TopicID].Tags = append(byID[r.TopicID].Tags, r.Name)
	}
	return out, nil
}

// SimilarFinder finds the IDs of topics like a new one (title and the start
// of its text), best first, among those v may read: app/search implements
// it with its index.
type SimilarFinder interface {
	SimilarTopics(ctx context.Context, v *auth.Viewer, title, body string, n int) ([]int64, error)
}

// UseWatchBranches has a member's topic page read their watch level of the
// topic in its statement of what is theirs: f gives that statement's
// branches, rows of (-2, level, rank), the best rank winning
// (notify.WatchBranches, wired in app.New). Without it the page asks the
// notifications domain (web.WatchLevel).
func (s *Service) UseWatchBranches(f func(userID, topicID, categoryID int64, parentID *int64) (string, []any)) {
	s.watchBranches = f
}

// UseUnreadBranch has a member's topic page count their unread
// notifications for the header in its statement of what is theirs: f gives
// that statement's branch, a row of (-3, ”, count) (notify.Service's
// UnreadBranch, wired in app.New). Without it the header asks on its own.
func (s *Service) UseUnreadBranch(f func(ctx context.Context, v *auth.Viewer) (string, []any, error)) {
	s.unreadBranch = f
}

// UseSimilar makes Similar ask f (wired in app.New).
func (s *Service) UseSimilar(f SimilarFinder) { s.similar = f }

// Similar finds topics like title among those v may read: shown while a
// new topic is written, to stop duplicate questions. It asks the
// SimilarFinder when there is one (the search index), and matches the
// longer words of titles in the database when there is none, it fails or
// it finds nothing.
func (s *Service) Similar(ctx context.Context, v *auth.Viewer, title string) ([]*Topic, error) {
	if s.similar != nil {
		// Nothing from the index may mean it lags (a topic posted a moment
		// ago, a rebuild in progress): the title match below still runs.
		if ids, err := s.similar.SimilarTopics(ctx, v, title, "", 5); err == nil && len(ids) > 0 {
			return s.similarByID(ctx, v, ids)
		}
	}
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(title), func(r rune) bool { return r == ' ' || strings.ContainsRune(",.;:!?'\"()[]", r) }) {
		if len([]rune(w)) >= 4 {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return nil, nil
	}
	readable, err := s.cats.ReadableIDs(ctx, v)
	if err != nil || len(readable) == 0 {
		return nil, err
	}
	q := s.db.WithContext(ctx).Where("state = ? AND category_id IN ?", StatePublished, readable)
	cond := s.db.Where("1 = 0")
	for _, w := range words[:min(len(words), 4)] {
		cond = cond.Or("lower(title) LIKE ?", "%"+strings.NewReplacer("%", "", "_", "").Replace(w)+"%")
	}
	var ts []*Topic
	if err := q.Where(cond).Order("replies_count DESC, id DESC").Limit(5).Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("similar topics: %w", err)
	}
	return ts, nil
}

// similarByID loads the topics ids in their order, checking again that v
// may read them.
func (s *Service) similarByID(ctx context.Context, v *auth.Viewer, ids []int64) ([]*Topic, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	readable, err := s.cats.ReadableIDs(ctx, v)
	if err != nil || len(readable) == 0 {
		return nil, err
	}
	var ts []*Topic
	if err := s.db.WithContext(ctx).Where("id IN ? AND state = ? AND category_id IN ?", ids, StatePublished, readable).Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("similar topics: %w", err)
	}
	pos := map[int64]int{}
	for i, id := range ids {
		pos[id] = i
	}
	slices.SortFunc(ts, func(a, b *Topic) int { return pos[a.ID] - pos[b.ID] })
	return ts, nil
}

// viewCounter adds up page views in memory and writes them now and then:
// a view must not cost a database write.
type viewCounter struct {
	mu sync.Mutex
	n  map[int64]int
}

func newViewCounter() *viewCounter { return &viewCounter{n: map[int64]int{}} }

func (c *viewCounter) add(id int64) {
	c.mu.Lock()
	c.n[id]++
	c.mu.Unlock()
}

// viewsPerTx is how many topics' views one transaction of FlushViews
// writes: a busy forum's every topic gets views between two flushes, and
// a commit each (10,000 a flush on the benchmark forum) cost more than the
// writes; a few hundred holds SQLite's write lock a few milliseconds.
const viewsPerTx = 500

// FlushViews writes the views counted since the last flush, many topics
// in one transaction. Views a failed transaction held are counted again,
// for the next flush: none is lost.
func (s *Service) FlushViews(ctx context.Context) error { return s.flushViews(ctx, viewsPerTx) }

func (s *Service) flushViews(ctx context.Context, per int) error {
	s.views.mu.Lock()
	n := s.views.n
	s.views.n = map[int64]int{}
	s.views.mu.Unlock()
	ids := slices.Sorted(maps.Keys(n)) // in the index's order
	for len(ids) > 0 {
		batch := ids[:min(len(ids), per)]
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			st := NewStore(tx)
			for _, id := range batch {
				if err := st.bump(ctx, "topics", "views_count", id, n[id]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			s.views.restore(ids, n)
			return fmt.Errorf("write the views of %d topics: %w", len(ids), err)
		}
		ids = ids[len(batch):]
	}
	return nil
}

// restore counts again the views of these topics that a flush could not
// write.
func (c *viewCounter) restore(ids []int64, n map[int64]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		c.n[id] += n[id]
	}
}

// All is the pinned topics then the others.
func (l *List) All() []*Item { return append(append([]*Item{}, l.Pinned...), l.Items...) }

// UnreadURL is the address of the first post the reader has not read.
func (it *Item) UnreadURL() string {
	return it.PostURL(it.HighestNumber - it.Unread + 1)
}
