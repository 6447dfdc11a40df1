package review

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/errs"
	"causerie/app/topic"
	"causerie/app/user"
)

// Query filters and sorts the queue (page form and API query).
type Query struct {
	Kind       string `query:"kind" json:"kind"`
	CategoryID int64  `query:"category" json:"category"`
	Status     string `query:"status" json:"status"`
	// Assignee is "me", "none", "any" ("") or a username.
	Assignee string `query:"assignee" json:"assignee"`
	// Age keeps items older than this ("1h", "4h", "24h", "7d"); "" any.
	Age string `query:"age" json:"age"`
	// Sort is "score" (highest first) or "age" (oldest first, the default).
	Sort   string `query:"sort" json:"sort"`
	Cursor string `query:"cursor" json:"cursor"`
	Limit  int    `query:"limit" json:"limit"`
}

// Ages lists the age filters.
var Ages = []string{"1h", "4h", "24h", "7d"}

func parseAge(a string) (time.Duration, bool) {
	switch a {
	case "":
		return 0, true
	case "7d":
		return 7 * 24 * time.Hour, true
	}
	if !slices.Contains(Ages, a) {
		return 0, false
	}
	d, err := time.ParseDuration(a)
	return d, err == nil
}

func (q *Query) validate() error {
	f := errs.Fields{}
	if q.Kind != "" && !slices.Contains(Kinds, q.Kind) {
		f["kind"] = "review.filter_invalid"
	}
	if q.Status == "" {
		q.Status = StatusOpen
	}
	if q.Status != StatusOpen && q.Status != StatusApproved && q.Status != StatusRejected && q.Status != StatusDeleted && q.Status != "all" {
		f["status"] = "review.filter_invalid"
	}
	if _, ok := parseAge(q.Age); !ok {
		f["age"] = "review.filter_invalid"
	}
	if q.Sort == "" {
		q.Sort = "age"
	}
	if q.Sort != "age" && q.Sort != "score" {
		f["sort"] = "review.filter_invalid"
	}
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 50
	}
	return f.Err()
}

// Entry is an item as the queue shows it: the content in context, the
// author's history, every flag.
type Entry struct {
	*Item
	Category *category.Category
	Topic    *topic.Topic
	Post     *topic.Post
	// Previous is the post before, for context.
	Previous   *topic.Post
	PrevAuthor *user.User
	Subject    *user.User
	History    *History
	Flags      []FlagView
	Assignee   *user.User
	Proposer   *user.User
	Proposal   *Proposal
	Note       string
	Edits      int
	AutoHidden bool
	// Waited is how long the item has waited (until its decision); Late
	// says it waited longer than [review] target.
	Waited time.Duration
	Late   bool
	// CanDecide: the viewer decides; otherwise (a junior moderator) they
	// propose.
	CanDecide bool
	CanAssign bool
	target    time.Duration
}

// FlagView is one flag with who raised it.
type FlagView struct {
	*Flag
	By *user.User
}

// History is what the team knows of a member.
type History struct {
	JoinedAt     time.Time
	TrustLevel   int
	PostsCount   int
	FlagsUpheld  int
	FlagsTotal   int
	HeldRejected int
	// Sanctions and Notes come from the staff domain's tables when they
	// exist (-1: not available).
	Sanctions int
	Notes     []string
}

// Page is a page of the queue.
type Page struct {
	Entries []*Entry
	Next    string
	Query   Query
	Target  time.Duration
	// Open counts the open items the viewer may see, by kind.
	Open       map[string]int
	Categories []*category.Category
	Team       []*user.User
}

// scope narrows q to what v may see: the categories of a scoped
// moderator, registrations for those who approve them, proposals for
// reviewers and their proposer.
func (s *Service) scope(ctx context.Context, v *auth.Viewer, q *gorm.DB) (*gorm.DB, error) {
	if !MayUse(v) {
		return nil, forbidden()
	}
	var conds []string
	var args []any
	if v.Can(auth.PermRegistrants, 0) {
		conds = append(conds, "review_items.kind = 'registration'")
	}
	content := v.CanSomewhere(auth.PermReview) || v.CanSomewhere(auth.PermPropose) || v.CanSomewhere(auth.PermApprove)
	if content {
		cats := "1 = 1"
		if len(v.Scope) > 0 && !v.IsAdmin() {
			cats = "review_items.category_id IN ?"
			args = append(args, v.Scope)
		} else if !(v.Can(auth.PermReview, 0) || v.Can(auth.PermPropose, 0)) {
			cats = "review_items.category_id IS NOT NULL"
		}
		conds = append(conds, "(review_items.kind <> 'registration' AND "+cats+")")
	}
	if len(conds) == 0 {
		return nil, forbidden()
	}
	if len(conds) == 2 && len(args) == 0 && strings.Contains(conds[1], "1 = 1") {
		conds = nil // everything: no condition, so the indexes serve the sort
	}
	if len(conds) > 0 {
		q = q.Where("("+strings.Join(conds, " OR ")+")", args...)
	}
	if !v.CanSomewhere(auth.PermApprove) && !v.CanSomewhere(auth.PermReview) {
		q = q.Where("(review_items.kind <> 'proposal' OR review_items.created_by_id = ?)", v.ID)
	}
	return q, nil
}

// List returns a page of the queue for v.
func (s *Service) List(ctx context.Context, v *auth.Viewer, q Query) (*Page, error) {
	if !v.LoggedIn() {
		return nil, errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	if err := q.validate(); err != nil {
		return nil, err
	}
	base, err := s.scope(ctx, v, s.db.WithContext(ctx).Model(&Item{}))
	if err != nil {
		return nil, err
	}
	pg := &Page{Query: q, Target: s.cfg.Target.Duration, Open: map[string]int{}}
	var counts []struct {
		Kind string
		N    int
	}
	if err := base.Session(&gorm.Session{}).Where("status = ?", StatusOpen).Select("kind, count(*) AS n").Group("kind").Scan(&counts).Error; err != nil {
		return nil, fmt.Errorf("count queue: %w", err)
	}
	for _, c := range counts {
		pg.Open[c.Kind] = c.N
	}
	lq := base.Session(&gorm.Session{})
	if q.Status != "all" {
		lq = lq.Where("status = ?", q.Status)
	}
	if q.Kind != "" {
		lq = lq.Where("kind = ?", q.Kind)
	}
	if q.CategoryID != 0 {
		lq = lq.Where("category_id = ?", q.CategoryID)
	}
	switch q.Assignee {
	case "", "any":
	case "me":
		lq = lq.Where("assignee_id = ?", v.ID)
	case "none":
		lq = lq.Where("assignee_id IS NULL")
	default:
		u, err := user.NewStore(s.db).ByUsername(ctx, q.Assignee)
		if err != nil {
			return nil, errs.Fields{"assignee": "review.filter_invalid"}
		}
		lq = lq.Where("assignee_id = ?", u.ID)
	}
	if age, _ := parseAge(q.Age); age > 0 {
		lq = lq.Where("created_at <= ?", s.now().Add(-age))
	}
	if q.Cursor != "" {
		a, b, ok := strings.Cut(q.Cursor, "_")
		n, err1 := strconv.ParseInt(a, 10, 64)
		id, err2 := strconv.ParseInt(b, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, errs.Fields{"cursor": "review.filter_invalid"}
		}
		if q.Sort == "score" {
			lq = lq.Where("(score < ? OR (score = ? AND id > ?))", n, n, id)
		} else {
			at := time.UnixMicro(n).UTC()
			lq = lq.Where("(created_at > ? OR (created_at = ? AND id > ?))", at, at, id)
		}
	}
	if q.Sort == "score" {
		lq = lq.Order("score DESC, id")
	} else {
		lq = lq.Order("created_at, id")
	}
	var items []*Item
	if err := lq.Limit(q.Limit + 1).Find(&items).Error; err != nil {
		return nil, fmt.Errorf("list queue: %w", err)
	}
	if len(items) > q.Limit {
		items = items[:q.Limit]
		last := items[len(items)-1]
		if q.Sort == "score" {
			pg.Next = fmt.Sprintf("%d_%d", last.Score, last.ID)
		} else {
			pg.Next = fmt.Sprintf("%d_%d", last.CreatedAt.UnixMicro(), last.ID)
		}
	}
	if pg.Entries, err = s.entries(ctx, v, items); err != nil {
		return nil, err
	}
	return pg, nil
}

// Get returns one item in context, for v.
func (s *Service) Get(ctx context.Context, v *auth.Viewer, id int64) (*Entry, error) {
	it, err := s.get(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	if !maySee(v, it) {
		return nil, ErrNotFound
	}
	es, err := s.entries(ctx, v, []*Item{it})
	if err != nil {
		return nil, err
	}
	return es[0], nil
}

// entries loads the context of items in a fixed number of queries.
func (s *Service) entries(ctx context.Context, v *auth.Viewer, items []*Item) ([]*Entry, error) {
	out := make([]*Entry, len(items))
	if len(items) == 0 {
		return out, nil
	}
	var postIDs, topicIDs, userIDs, itemIDs []int64
	for _, it := range items {
		itemIDs = append(itemIDs, it.ID)
		for _, p := range []*int64{it.SubjectID, it.AssigneeID, it.CreatedByID} {
			if p != nil {
				userIDs = append(userIDs, *p)
			}
		}
		if it.PostID != nil {
			postIDs = append(postIDs, *it.PostID)
		}
		if it.TopicID != nil {
			topicIDs = append(topicIDs, *it.TopicID)
		}
	}
	db := s.db.WithContext(ctx)
	posts := map[int64]*topic.Post{}
	if len(postIDs) > 0 {
		var ps []*topic.Post
		if err := db.Where("id IN ?", postIDs).Find(&ps).Error; err != nil {
			return nil, fmt.Errorf("queue posts: %w", err)
		}
		for _, p := range ps {
			posts[p.ID] = p
		}
	}
	topics := map[int64]*topic.Topic{}
	if len(topicIDs) > 0 {
		var ts []*topic.Topic
		if err := db.Where("id IN ?", topicIDs).Find(&ts).Error; err != nil {
			return nil, fmt.Errorf("queue topics: %w", err)
		}
		for _, t := range ts {
			topics[t.ID] = t
		}
	}
	// The post before each one, for context: one query for them all.
	type at struct {
		topic  int64
		number int
	}
	prev := map[at]*topic.Post{}
	var conds []string
	var args []any
	for _, p := range posts {
		if p.Number > 1 {
			conds = append(conds, "(topic_id = ? AND number = ?)")
			args = append(args, p.TopicID, p.Number-1)
		}
	}
	if len(conds) > 0 {
		var ps []*topic.Post
		if err := db.Where(strings.Join(conds, " OR "), args...).Find(&ps).Error; err != nil {
			return nil, fmt.Errorf("previous posts: %w", err)
		}
		for _, p := range ps {
			prev[at{p.TopicID, p.Number}] = p
			userIDs = append(userIDs, p.UserID)
		}
	}
	var flags []*Flag
	if err := db.Where("review_item_id IN ?", itemIDs).Order("id").Find(&flags).Error; err != nil {
		return nil, fmt.Errorf("queue flags: %w", err)
	}
	for _, f := range flags {
		userIDs = append(userIDs, f.ByID)
	}
	users, err := s.users(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	var subjects []int64
	for _, it := range items {
		if it.SubjectID != nil {
			subjects = append(subjects, *it.SubjectID)
		}
	}
	hist, err := s.histories(ctx, v, subjects, users)
	if err != nil {
		return nil, err
	}
	cats, err := s.categories(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	byItem := map[int64]*Entry{}
	for i, it := range items {
		pl := it.payload()
		e := &Entry{Item: it, Proposal: pl.Proposal, Note: pl.Note, Edits: pl.Edits, AutoHidden: pl.AutoHidden,
			CanDecide: mayDecide(v, it), CanAssign: v.Can(auth.PermAssign, catOf(it))}
		if it.CategoryID != nil {
			e.Category = cats[*it.CategoryID]
		}
		if it.PostID != nil {
			e.Post = posts[*it.PostID]
			if e.Post != nil && e.Post.Number > 1 {
				e.Previous = prev[at{e.Post.TopicID, e.Post.Number - 1}]
				if e.Previous != nil {
					e.PrevAuthor = users[e.Previous.UserID]
				}
			}
		}
		if it.TopicID != nil {
			e.Topic = topics[*it.TopicID]
		}
		if it.SubjectID != nil {
			e.Subject, e.History = users[*it.SubjectID], hist[*it.SubjectID]
		}
		if it.AssigneeID != nil {
			e.Assignee = users[*it.AssigneeID]
		}
		if it.CreatedByID != nil {
			e.Proposer = users[*it.CreatedByID]
		}
		end := now
		if it.ResolvedAt != nil {
			end = *it.ResolvedAt
		}
		e.Waited = end.Sub(it.CreatedAt)
		e.Late = e.Waited > s.cfg.Target.Duration
		e.target = s.cfg.Target.Duration
		out[i] = e
		byItem[it.ID] = e
	}
	for _, f := range flags {
		if e := byItem[*f.ReviewItemID]; e != nil {
			e.Flags = append(e.Flags, FlagView{Flag: f, By: users[f.ByID]})
		}
	}
	return out, nil
}

// categories is every category by ID (names for the queue).
func (s *Service) categories(ctx context.Context) (map[int64]*category.Category, error) {
	all, err := s.cats.Store().All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*category.Category, len(all))
	for _, c := range all {
		out[c.ID] = c
	}
	return out, nil
}

// histories is what the team knows of each member: their standing, the
// flags against them and how they ended, held posts refused, and the
// staff domain's sanctions and notes when those tables exist.
func (s *Service) histories(ctx context.Context, v *auth.Viewer, ids []int64, users map[int64]*user.User) (map[int64]*History, error) {
	out := map[int64]*History{}
	if len(ids) == 0 {
		return out, nil
	}
	for _, id := range ids {
		if u := users[id]; u != nil {
			out[id] = &History{JoinedAt: u.CreatedAt, TrustLevel: u.TrustLevel, PostsCount: u.PostsCount, Sanctions: -1}
		}
	}
	db := s.db.WithContext(ctx)
	var fs []struct {
		UserID int64
		Status string
		N      int
	}
	if err := db.Model(&Flag{}).Select("user_id, status, count(*) AS n").Where("user_id IN ?", ids).Group("user_id, status").Scan(&fs).Error; err != nil {
		return nil, fmt.Errorf("flags against members: %w", err)
	}
	for _, f := range fs {
		if h := out[f.UserID]; h != nil {
			h.FlagsTotal += f.N
			if f.Status == FlagUpheld {
				h.FlagsUpheld += f.N
			}
		}
	}
	var rs []struct {
		SubjectID int64
		N         int
	}
	if err := db.Model(&Item{}).Select("subject_id, count(*) AS n").Where("subject_id IN ? AND kind IN ? AND status = ?", ids,
		[]string{KindHeldPost, KindHeldEdit}, StatusRejected).Group("subject_id").Scan(&rs).Error; err != nil {
		return nil, fmt.Errorf("refused posts of members: %w", err)
	}
	for _, r := range rs {
		if h := out[r.SubjectID]; h != nil {
			h.HeldRejected = r.N
		}
	}
	// Sanctions and notes are the staff domain's (migration 00009); if its
	// tables are not there, the queue shows what it knows without them.
	var ss []struct {
		UserID int64
		N      int
	}
	if err := db.Table("sanctions").Select("user_id, count(*) AS n").Where("user_id IN ?", ids).Group("user_id").Scan(&ss).Error; err == nil {
		for _, h := range out {
			h.Sanctions = 0
		}
		for _, x := range ss {
			if h := out[x.UserID]; h != nil {
				h.Sanctions = x.N
			}
		}
	}
	if v.CanSomewhere(auth.PermNotes) {
		var ns []struct {
			UserID int64
			Body   string
		}
		if err := db.Table("member_notes").Select("user_id, body").Where("user_id IN ?", ids).Order("id DESC").Limit(100).Scan(&ns).Error; err == nil {
			for _, n := range ns {
				if h := out[n.UserID]; h != nil && len(h.Notes) < 3 {
					h.Notes = append(h.Notes, n.Body)
				}
			}
		}
	}
	return out, nil
}

// Kinds, Statuses and Ages list the filters' choices.
func (pg *Page) Kinds() []string { return Kinds }
func (pg *Page) Statuses() []string {
	return []string{StatusOpen, StatusApproved, StatusRejected, StatusDeleted, "all"}
}
func (pg *Page) Ages() []string { return Ages }

// TargetText is the target wait, short ("4h", "30m").
func (pg *Page) TargetText() string { return short(pg.Target) }

// Self is the page's own address with its filters, where decisions come
// back to.
func (pg *Page) Self() string { return "/review?" + pg.Query.values("").Encode() }

// NextURL is the next page's address.
func (pg *Page) NextURL() string { return "/review?" + pg.Query.values(pg.Next).Encode() }

func (q Query) values(cursor string) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"kind": q.Kind, "status": q.Status, "assignee": q.Assignee, "age": q.Age, "sort": q.Sort, "cursor": cursor} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.CategoryID != 0 {
		v.Set("category", strconv.FormatInt(q.CategoryID, 10))
	}
	return v
}

func short(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(s, "0m")
}

// TargetText is the queue's target wait, short.
func (e *Entry) TargetText() string { return short(e.target) }

// ProposerName is the proposer's username ("?" if gone).
func (e *Entry) ProposerName() string {
	if e.Proposer == nil {
		return "?"
	}
	return e.Proposer.Username
}

// PrevAuthorName is the username of the previous post's author.
func (e *Entry) PrevAuthorName() string {
	if e.PrevAuthor == nil {
		return "?"
	}
	return e.PrevAuthor.Username
}
