package topic

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"gorm.io/gorm"

	"causerie/app/user"
	"causerie/app/web"
)

// sharedPages keeps, per page of a topic, what every reader of it is shown
// alike: the topic, its posts, their authors, the posts they answer, the
// reaction counts and the tags. A logged-in page then asks the database
// only for what is the reader's own (their reactions and bookmarks, how far
// they had read, their draft and watch level).
//
// Correctness first: a kept page follows the visitors' page cache's signal
// (web.PageCache.Fresh). It is used only while nothing named "topic:<id>"
// (or everything) has changed since its reading began, and for no longer
// than the pages' ttl. Every change made through a request or announced by
// an event drops it, as it drops the visitors' pages.
type sharedPages struct {
	signal *web.PageCache
	pages  *lru.Cache[pageKey, *sharedPage]
}

type pageKey struct {
	topicID int64
	start   int
}

// sharedPage is a page of a topic as it is for everyone. Nothing in it is
// changed once kept: what differs per reader is built beside it.
type sharedPage struct {
	mark  uint64
	at    time.Time
	topic *Topic
	posts []*Post
	// accepted is the accepted answer, on the first page only.
	accepted *Post
	posted   *postsData
	tags     []string
}

// postsData is what posts show every reader besides themselves.
type postsData struct {
	users map[int64]*user.User
	// refs are the posts replied to, by ID.
	refs map[int64]*Post
	// counts are the reactions of each post, by kind.
	counts map[int64]map[string]int
}

func newSharedPages(signal *web.PageCache, size int) *sharedPages {
	pages, _ := lru.New[pageKey, *sharedPage](size)
	return &sharedPages{signal: signal, pages: pages}
}

// page is the kept page of the topic from post number start, if still
// fresh: from memory, else from the bytes kept beside the visitors' pages.
func (sp *sharedPages) page(topicID int64, start int) *sharedPage {
	if sp == nil {
		return nil
	}
	key := pageKey{topicID, start}
	if p, ok := sp.pages.Get(key); ok && sp.signal.Fresh(p.mark, p.at, web.TopicTag(topicID)) {
		return p
	}
	buf := sharedBufs.Get().(*[]byte)
	defer sharedBufs.Put(buf)
	data, ok := sp.signal.Data(key.String(), (*buf)[:0])
	*buf = data
	if !ok {
		return nil
	}
	p, err := decodeShared(data)
	if err != nil || p.topic.ID != topicID || !sp.signal.Fresh(p.mark, p.at, web.TopicTag(topicID)) {
		return nil
	}
	sp.pages.Add(key, p)
	return p
}

// keep keeps a page just read, in memory and as bytes.
func (sp *sharedPages) keep(topicID int64, start int, p *sharedPage) {
	key := pageKey{topicID, start}
	sp.pages.Add(key, p)
	if data, err := p.encode(); err == nil {
		sp.signal.KeepData(key.String(), p.mark, p.at, []string{web.TopicTag(topicID)}, data)
	}
}

// String is the key's name among the page cache's data.
func (k pageKey) String() string {
	return "topic-page " + strconv.FormatInt(k.topicID, 10) + " " + strconv.Itoa(k.start)
}

var sharedBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// sharedPage reads the page of the topic from post number start, or takes
// it from sp when kept there (sp may be nil: read it every time).
func (s *Service) sharedPage(ctx context.Context, sp *sharedPages, topicID int64, start int) (*sharedPage, error) {
	if p := sp.page(topicID, start); p != nil {
		return p, nil
	}
	p := &sharedPage{at: time.Now()}
	if sp != nil {
		p.mark = sp.signal.Mark() // before reading: a change while we read drops it
	}
	st := NewStore(s.db)
	t, err := st.Topic(ctx, topicID)
	if err != nil {
		return nil, err
	}
	p.topic = t
	if t.MergedIntoID != nil || start > t.HighestNumber {
		return p, nil // nothing to show: not kept
	}
	var authors map[int64]*user.User
	if p.posts, authors, err = st.PostsWithAuthors(ctx, t.ID, start, s.cfg.PostsPerPage); err != nil {
		return nil, err
	}
	all := p.posts
	if t.AcceptedPostID != nil && start == 1 {
		for _, q := range p.posts { // often on the first page already
			if q.ID == *t.AcceptedPostID {
				p.accepted = q
			}
		}
		if p.accepted == nil {
			if p.accepted, err = st.Post(ctx, *t.AcceptedPostID); err != nil {
				p.accepted = nil
			} else {
				all = append(append([]*Post{}, p.posts...), p.accepted)
			}
		}
	}
	if p.posted, p.tags, err = s.readPosted(ctx, all, t.UserID, authors, t.ID); err != nil {
		return nil, err
	}
	if sp != nil {
		sp.keep(topicID, start, p)
	}
	return p, nil
}

// readPosted reads the authors of posts (and of the topic, authorID), the
// posts they answer and their reaction counts; and the tags of topic
// tagsOf, unless 0. Authors already read (known, which it keeps) are not
// asked for again. Two queries, three or four: the reaction counts and the
// tags come in one.
func (s *Service) readPosted(ctx context.Context, posts []*Post, authorID int64, known map[int64]*user.User, tagsOf int64) (*postsData, []string, error) {
	d := &postsData{users: known, refs: map[int64]*Post{}, counts: make(map[int64]map[string]int, len(posts))}
	if d.users == nil {
		d.users = map[int64]*user.User{}
	}
	ids := make([]int64, 0, len(posts))
	userIDs := make([]int64, 0, len(posts)+1)
	if authorID != 0 {
		userIDs = append(userIDs, authorID)
	}
	for _, p := range posts {
		ids = append(ids, p.ID)
		userIDs = append(userIDs, p.UserID)
		d.refs[p.ID] = p
	}
	// The posts replied to are mostly on the page already; ask for the others.
	var missing []int64
	for _, p := range posts {
		if p.ReplyToID != nil && d.refs[*p.ReplyToID] == nil {
			missing = append(missing, *p.ReplyToID)
		}
	}
	if len(missing) > 0 {
		var rs []*Post
		if err := s.db.WithContext(ctx).Select("id, number, user_id").Where("id IN ?", missing).Find(&rs).Error; err != nil {
			return nil, nil, err
		}
		for _, r := range rs {
			d.refs[r.ID] = r
			userIDs = append(userIDs, r.UserID)
		}
	}
	userIDs = slices.DeleteFunc(userIDs, func(id int64) bool { return d.users[id] != nil })
	if len(userIDs) > 0 {
		more, err := loadAuthors(ctx, s.db, userIDs)
		if err != nil {
			return nil, nil, err
		}
		maps.Copy(d.users, more)
	}
	if len(ids) == 0 && tagsOf == 0 {
		return d, nil, nil
	}
	// Post IDs start at 1: the tags come as post 0, their names as kinds.
	var q []string
	var args []any
	if len(ids) > 0 {
		q, args = append(q, "SELECT post_id, kind, count(*) AS n FROM reactions WHERE post_id IN ? GROUP BY post_id, kind"), append(args, ids)
	}
	if tagsOf != 0 {
		q = append(q, "SELECT 0 AS post_id, tags.name AS kind, 0 AS n FROM topic_tags JOIN tags ON tags.id = topic_tags.tag_id WHERE topic_tags.topic_id = ?")
		args = append(args, tagsOf)
	}
	counts, err := kindCounts(ctx, s.db, strings.Join(q, " UNION ALL ")+" ORDER BY post_id, kind", args...)
	if err != nil {
		return nil, nil, fmt.Errorf("reactions and tags: %w", err)
	}
	var tags []string
	for _, c := range counts {
		if c.PostID == 0 {
			tags = append(tags, c.Kind)
			continue
		}
		if d.counts[c.PostID] == nil {
			d.counts[c.PostID] = map[string]int{}
		}
		d.counts[c.PostID][c.Kind] = c.N
	}
	return d, tags, nil
}

// kindCount is a row of (post_id, kind, n).
type kindCount struct {
	PostID int64
	Kind   string
	N      int
}

// kindCounts runs a query whose rows are (post_id, kind, n). It reads them
// itself: GORM's Scan writes out every statement with its values for its
// log, wanted or not (the IDs of a page's posts, twice a topic page).
func kindCounts(ctx context.Context, db *gorm.DB, query string, args ...any) ([]kindCount, error) {
	rows, err := db.WithContext(ctx).Raw(query, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []kindCount
	for rows.Next() {
		var c kindCount
		if err := rows.Scan(&c.PostID, &c.Kind, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
