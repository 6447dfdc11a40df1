package notify

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/event"
	"causerie/app/topic"
	"causerie/app/user"
)

// The subscribers below run as jobs, after the change committed, and may
// run more than once for one event: each notification has a dedup key
// unique per member, and is inserted with ON CONFLICT DO NOTHING, in one
// transaction with the rest of the job's writes.

// about loads a post, its topic and category when the post is published in
// a published topic: nothing is said about anything else (pending, hidden
// or deleted since the event), so it returns nil without an error.
func (s *Service) about(ctx context.Context, postID int64) (*topic.Post, *topic.Topic, *category.Category, error) {
	st := s.topics.Store()
	p, err := st.Post(ctx, postID)
	if isNotFound(err) {
		return nil, nil, nil, nil
	}
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := st.Topic(ctx, p.TopicID)
	if isNotFound(err) {
		return nil, nil, nil, nil
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return s.published(ctx, p, t)
}

// aboutLoaded is about for a post already loaded (nil when missing), with
// its topic among topics.
func (s *Service) aboutLoaded(ctx context.Context, p *topic.Post, topics map[int64]*topic.Topic) (*topic.Post, *topic.Topic, *category.Category, error) {
	if p == nil {
		return nil, nil, nil, nil
	}
	t := topics[p.TopicID]
	if t == nil {
		return nil, nil, nil, nil
	}
	return s.published(ctx, p, t)
}

// published returns p, t and t's category when both are published, and
// nils otherwise (or when the category is gone).
func (s *Service) published(ctx context.Context, p *topic.Post, t *topic.Topic) (*topic.Post, *topic.Topic, *category.Category, error) {
	if p.State != topic.StatePublished || t.State != topic.StatePublished {
		return nil, nil, nil, nil
	}
	c, err := s.cats.Get(ctx, t.CategoryID)
	if isNotFound(err) {
		return nil, nil, nil, nil
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return p, t, c, nil
}

// readers keeps the members of ids who can read the category now.
func (s *Service) readers(ctx context.Context, ids []int64, c *category.Category) (map[int64]*user.User, error) {
	out := map[int64]*user.User{}
	if len(ids) == 0 {
		return out, nil
	}
	var us []*user.User
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&us).Error; err != nil {
		return nil, fmt.Errorf("load members to notify: %w", err)
	}
	for _, u := range us {
		if auth.CanRead(u.Viewer(), c.Grants) {
			out[u.ID] = u
		}
	}
	return out, nil
}

// priority: one notification per member and post, the most personal kind.
var priority = map[string]int{KindPost: 1, KindTopic: 1, KindQuote: 2, KindReply: 3, KindMention: 4}

// postsCreated notifies of the posts a worker took together: what each
// post's readers are told is worked out first, then written in one
// transaction. A poster starts watching the topic (watchByDefault): a later
// post of the batch in that topic counts that watch as if it were written.
// However many posts, it reads the posts, their topics, the watches of
// those topics and the members to tell in four queries, and writes the
// notifications and the posters' watches in a statement each (per
// notifyChunk rows).
func (s *Service) postsCreated(ctx context.Context, es []event.PostCreated) error {
	b := &postBatch{watches: map[int64]map[int64]Watch{}, posts: map[int64]*topic.Post{}, topics: map[int64]*topic.Topic{}}
	if len(es) > 1 {
		// The batch's posts and topics in two queries, not two per post.
		ids := make([]int64, len(es))
		for i, e := range es {
			ids[i] = e.PostID
		}
		var ps []*topic.Post
		if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&ps).Error; err != nil {
			return fmt.Errorf("load new posts: %w", err)
		}
		tids := make([]int64, len(ps)) // where the posts are now
		for i, p := range ps {
			tids[i] = p.TopicID
		}
		var ts []*topic.Topic
		if err := s.db.WithContext(ctx).Where("id IN ?", tids).Find(&ts).Error; err != nil {
			return fmt.Errorf("load topics of new posts: %w", err)
		}
		for _, p := range ps {
			b.posts[p.ID] = p
		}
		for _, t := range ts {
			b.topics[t.ID] = t
		}
		b.loaded = true
		if err := s.batchWatches(ctx, b); err != nil {
			return err
		}
	}
	for _, e := range es {
		if err := s.planPost(ctx, b, e); err != nil {
			return err
		}
	}
	return s.writePlans(ctx, b)
}

// postBatch is what postsCreated gathers: each topic's watches, read once,
// with the watches its posters take on; what to write for each post.
type postBatch struct {
	loaded  bool // posts and topics hold the batch's, or are empty
	posts   map[int64]*topic.Post
	topics  map[int64]*topic.Topic
	watches map[int64]map[int64]Watch
	plans   []postPlan
}

// postPlan is who is told of a post, and how, before the check that each
// may read its category (done for the whole batch at once).
type postPlan struct {
	p     *topic.Post
	t     *topic.Topic
	c     *category.Category
	ids   []int64 // in order
	kinds map[int64]string
}

// batchWatches reads the watches of every published topic of a loaded
// batch in one query, and keeps each topic's as watchesOf would give them.
func (s *Service) batchWatches(ctx context.Context, b *postBatch) error {
	cats := map[int64]*category.Category{}
	var tids, cids []int64
	for _, t := range b.topics {
		if t.State != topic.StatePublished {
			continue
		}
		c, err := s.cats.Get(ctx, t.CategoryID)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		cats[t.ID] = c
		tids = append(tids, t.ID)
		for _, id := range watchedCategories(c) {
			if !slices.Contains(cids, id) {
				cids = append(cids, id)
			}
		}
	}
	if len(tids) == 0 {
		return nil
	}
	var ws []Watch
	if err := s.db.WithContext(ctx).Where("topic_id IN ? OR category_id IN ?", tids, cids).Find(&ws).Error; err != nil {
		return fmt.Errorf("watches of %d topics: %w", len(tids), err)
	}
	byTopic := map[int64][]Watch{}
	byCategory := map[int64][]Watch{}
	for _, w := range ws {
		switch {
		case w.TopicID != nil:
			byTopic[*w.TopicID] = append(byTopic[*w.TopicID], w)
		case w.CategoryID != nil:
			byCategory[*w.CategoryID] = append(byCategory[*w.CategoryID], w)
		}
	}
	for _, id := range tids {
		c := cats[id]
		of := byTopic[id]
		for _, cid := range watchedCategories(c) {
			of = append(of, byCategory[cid]...)
		}
		b.watches[id] = bestWatches(of, c)
	}
	return nil
}

func (s *Service) planPost(ctx context.Context, b *postBatch, e event.PostCreated) error {
	var p *topic.Post
	var t *topic.Topic
	var c *category.Category
	var err error
	if b.loaded {
		p, t, c, err = s.aboutLoaded(ctx, b.posts[e.PostID], b.topics)
	} else {
		p, t, c, err = s.about(ctx, e.PostID)
	}
	if err != nil || p == nil {
		return err
	}
	watches := b.watches[t.ID]
	if watches == nil {
		if watches, err = s.watchesOf(ctx, s.db, t.ID, c); err != nil {
			return err
		}
		b.watches[t.ID] = watches
	}
	kinds := map[int64]string{}
	give := func(userID int64, kind string) {
		if userID != 0 && userID != p.UserID && priority[kind] > priority[kinds[userID]] {
			kinds[userID] = kind
		}
	}
	watched := KindPost
	if p.Number == 1 {
		watched = KindTopic // only a category watch can watch a topic that just started
	}
	for uid, w := range watches {
		// A watch set after the post was written (the job runs again, or
		// late) is not about this post.
		if w.Level == LevelWatching && !w.UpdatedAt.After(p.CreatedAt) {
			give(uid, watched)
		}
	}
	if p.Number > 1 {
		to := e.ReplyToUserID
		if to == 0 {
			to = t.UserID // a reply to the topic answers its author
		}
		give(to, KindReply)
	}
	if len(e.Quotes) > 0 {
		var authors []int64
		if err := s.db.WithContext(ctx).Model(&topic.Post{}).Where("id IN ?", e.Quotes).Distinct().Pluck("user_id", &authors).Error; err != nil {
			return fmt.Errorf("authors quoted in post %d: %w", p.ID, err)
		}
		for _, a := range authors {
			give(a, KindQuote)
		}
	}
	if len(e.Mentions) > 0 {
		var mentioned []int64
		if err := s.db.WithContext(ctx).Model(&user.User{}).Where("lower(username) IN ?", e.Mentions).Pluck("id", &mentioned).Error; err != nil {
			return fmt.Errorf("members mentioned in post %d: %w", p.ID, err)
		}
		for _, m := range mentioned {
			give(m, KindMention)
		}
	}
	ids := make([]int64, 0, len(kinds))
	for uid := range kinds {
		if watches[uid].Level != LevelMuted {
			ids = append(ids, uid)
		}
	}
	slices.Sort(ids)
	if w, ok := watches[p.UserID]; !ok || w.TopicID == nil {
		// What watchByDefault writes, unless a watch of the topic is there.
		watches[p.UserID] = Watch{UserID: p.UserID, TopicID: &t.ID, Level: LevelWatching, UpdatedAt: p.CreatedAt}
	}
	b.plans = append(b.plans, postPlan{p: p, t: t, c: c, ids: ids, kinds: kinds})
	return nil
}

// notifyChunk is the most rows one INSERT writes: 10 columns each, well
// within either database's limit on a statement's parameters.
const notifyChunk = 500

// writePlans tells the members of the batch's plans who can read each
// post's category now (their accounts read in one query), and makes each
// poster watch the topic, in one transaction.
func (s *Service) writePlans(ctx context.Context, b *postBatch) error {
	if len(b.plans) == 0 {
		return nil
	}
	var all []int64
	seen := map[int64]bool{}
	for _, pl := range b.plans {
		for _, uid := range pl.ids {
			if !seen[uid] {
				seen[uid] = true
				all = append(all, uid)
			}
		}
	}
	members := map[int64]*user.User{}
	for part := range slices.Chunk(all, notifyChunk) {
		var us []*user.User
		if err := s.db.WithContext(ctx).Where("id IN ?", part).Find(&us).Error; err != nil {
			return fmt.Errorf("load members to notify: %w", err)
		}
		for _, u := range us {
			members[u.ID] = u
		}
	}
	now := s.now()
	var ns []*Notification
	type watchKey struct{ user, topic int64 }
	watched := map[watchKey]bool{}
	var ws []Watch
	for _, pl := range b.plans {
		for _, uid := range pl.ids {
			if u := members[uid]; u == nil || !auth.CanRead(u.Viewer(), pl.c.Grants) {
				continue
			}
			ns = append(ns, &Notification{UserID: uid, Kind: pl.kinds[uid], TopicID: &pl.t.ID, PostID: &pl.p.ID, ActorID: &pl.p.UserID,
				DedupKey: postKey(pl.p.ID), Data: "{}", CreatedAt: now})
		}
		// The first post of a poster in a topic sets the watch's time, as
		// one insert after the other would.
		if k := (watchKey{pl.p.UserID, pl.t.ID}); !watched[k] {
			watched[k] = true
			ws = append(ws, Watch{UserID: pl.p.UserID, TopicID: &pl.t.ID, Level: LevelWatching, UpdatedAt: pl.p.CreatedAt})
		}
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for part := range slices.Chunk(ns, notifyChunk) {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(part).Error; err != nil {
				return fmt.Errorf("notify of %d posts: %w", len(b.plans), err)
			}
		}
		for part := range slices.Chunk(ws, notifyChunk) {
			if err := watchByDefault(ctx, tx, part); err != nil {
				return err
			}
		}
		return nil
	})
}

func insert(ctx context.Context, tx *gorm.DB, n *Notification) error {
	if err := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(n).Error; err != nil {
		return fmt.Errorf("notify %d of %s: %w", n.UserID, n.DedupKey, err)
	}
	return nil
}

// authorToNotify says whether to tell a post's author that someone did something to it
// (reacted, accepted it), when they can read it and have not muted it.
func (s *Service) authorToNotify(ctx context.Context, postID, actorID int64) (*topic.Post, *topic.Topic, bool, error) {
	p, t, c, err := s.about(ctx, postID)
	if err != nil || p == nil || p.UserID == actorID {
		return nil, nil, false, err
	}
	watches, err := s.watchesOf(ctx, s.db, t.ID, c, p.UserID)
	if err != nil || watches[p.UserID].Level == LevelMuted {
		return nil, nil, false, err
	}
	to, err := s.readers(ctx, []int64{p.UserID}, c)
	if err != nil || to[p.UserID] == nil {
		return nil, nil, false, err
	}
	return p, t, true, nil
}

// reactionAdded collapses the reactions to one post into one unread
// notification: a new one starts only once the last was read.
func (s *Service) reactionAdded(ctx context.Context, e event.ReactionAdded) error {
	p, t, ok, err := s.authorToNotify(ctx, e.PostID, e.UserID)
	if err != nil || !ok {
		return err
	}
	given := fmt.Sprintf("%d:%s", e.UserID, e.Kind)
	now := s.now()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []*Notification
		if err := tx.Where("user_id = ? AND kind = ? AND post_id = ?", p.UserID, KindReaction, p.ID).Order("id").Find(&rows).Error; err != nil {
			return fmt.Errorf("reaction notifications of post %d: %w", p.ID, err)
		}
		var unread *Notification
		for _, n := range rows {
			if slices.Contains(n.data().Given, given) {
				return nil // counted already
			}
			if n.ReadAt == nil {
				unread = n
			}
		}
		if unread == nil {
			d := Data{Actors: []int64{e.UserID}, Given: []string{given}}
			return insert(ctx, tx, &Notification{UserID: p.UserID, Kind: KindReaction, TopicID: &t.ID, PostID: &p.ID,
				ActorID: &e.UserID, DedupKey: fmt.Sprintf("reaction:%d:%d", p.ID, len(rows)+1), Data: encode(d), CreatedAt: now})
		}
		d := unread.data()
		d.Given = append(d.Given, given)
		d.Actors = append(slices.DeleteFunc(d.Actors, func(a int64) bool { return a == e.UserID }), e.UserID)
		return tx.Model(&Notification{}).Where("id = ?", unread.ID).
			Updates(map[string]any{"data": encode(d), "actor_id": e.UserID, "created_at": now}).Error
	})
}

func (s *Service) answerAccepted(ctx context.Context, e event.AnswerAccepted) error {
	p, t, ok, err := s.authorToNotify(ctx, e.PostID, e.UserID)
	if err != nil || !ok {
		return err
	}
	return insert(ctx, s.db, &Notification{UserID: p.UserID, Kind: KindAccepted, TopicID: &t.ID, PostID: &p.ID,
		ActorID: &e.UserID, DedupKey: acceptedKey(p.ID), Data: "{}", CreatedAt: s.now()})
}

func (s *Service) badgeGranted(ctx context.Context, e event.BadgeGranted) error {
	return s.personal(ctx, e.UserID, KindBadge, "badge:"+e.Badge, Data{Badge: e.Badge})
}

func (s *Service) trustLevelChanged(ctx context.Context, e event.TrustLevelChanged) error {
	return s.personal(ctx, e.UserID, KindTrust, fmt.Sprintf("trust:%d", e.Level), Data{Level: e.Level})
}

// personal notifies a member about their own standing; a member who is
// gone is not told.
func (s *Service) personal(ctx context.Context, userID int64, kind, key string, d Data) error {
	if _, err := user.NewStore(s.db).Get(ctx, userID); err != nil {
		if isNotFound(err) {
			return nil
		}
		return err
	}
	return insert(ctx, s.db, &Notification{UserID: userID, Kind: kind, DedupKey: key, Data: encode(d), CreatedAt: s.now()})
}
