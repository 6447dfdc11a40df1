package moderation

import (
	"context"
	"fmt"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/errs"
	"causerie/app/topic"
	"causerie/app/user"
)

// PostContext is a post as a staff form shows it: the post (hidden and
// deleted ones too), where it is, who wrote it, and the canned hide
// reasons, those in its author's language first.
type PostContext struct {
	Kind      string
	Post      *topic.Post
	Topic     *topic.Topic
	Category  *category.Category
	Author    *user.User
	Canned    []CannedResponse
	Proposing bool // v may only propose this: a reviewer decides
}

// PostContext loads what the form of an action of kind on a post shows, for
// v who may take or propose it.
func (s *Service) PostContext(ctx context.Context, v *auth.Viewer, postID int64, kind string) (*PostContext, error) {
	p, t, c, err := s.target(ctx, s.db, postID)
	if err != nil {
		return nil, err
	}
	pc := &PostContext{Kind: kind, Post: p, Topic: t, Category: c, Proposing: s.MayPropose(v, kind, c)}
	if !pc.Proposing {
		if err := authorize(v, kind, c); err != nil {
			return nil, err
		}
	}
	var u user.User
	if err := s.db.WithContext(ctx).Where("id = ?", p.UserID).Limit(1).Find(&u).Error; err != nil {
		return nil, fmt.Errorf("author of post %d: %w", p.ID, err)
	}
	pc.Author = &u
	if kind == Hide && CanUseCanned(v) {
		lang := u.Language
		if lang == "" && len(s.langs) > 0 {
			lang = s.langs[0]
		}
		if pc.Canned, err = s.Canned(ctx, v, CannedHide, lang); err != nil {
			return nil, err
		}
	}
	return pc, nil
}

// TopicContext is a topic as its staff page shows it.
type TopicContext struct {
	Topic    *topic.Topic
	Category *category.Category
	Pin      string // "", "category" or "global"
	// Can says which actions v may take or propose here; Proposing which
	// of them would be proposals.
	Can, Proposing map[string]bool
	// Categories are where v may move the topic or split replies to.
	Categories []*category.Category
	// Posts are the replies offered for a split, from number From on;
	// Next is the number the following ones start at (0: none).
	Posts   []*topic.Post
	Authors map[int64]*user.User
	From    int
	Next    int
	Canned  bool // v may use canned replies
}

// splitPage is how many replies the split form lists at once.
const splitPage = 100

// TopicContext loads a topic's staff page for v, who must be able to take
// or propose at least one action on it.
func (s *Service) TopicContext(ctx context.Context, v *auth.Viewer, topicID int64, from int) (*TopicContext, error) {
	t, c, err := s.topicOf(ctx, s.db, topicID)
	if err != nil {
		return nil, err
	}
	tc := &TopicContext{Topic: t, Category: c, Pin: PinScope(t.Pinned), Can: map[string]bool{}, Proposing: map[string]bool{},
		From: max(from, 2), Authors: map[int64]*user.User{}, Canned: CanUseCanned(v)}
	for _, k := range []string{Close, Open, Pin, Unpin, Feature, Unfeature, Move, Merge, Split, Owner, PurgeTopic} {
		switch {
		case May(v, k, c):
			tc.Can[k] = true
		case s.MayPropose(v, k, c):
			tc.Can[k], tc.Proposing[k] = true, true
		}
	}
	if len(tc.Can) == 0 {
		return nil, authorize(v, Close, c)
	}
	all, err := s.cats.Tree(ctx, v)
	if err != nil {
		return nil, err
	}
	for _, cat := range flatten(all) {
		if May(v, Move, cat) || s.MayPropose(v, Move, cat) {
			tc.Categories = append(tc.Categories, cat)
		}
	}
	if tc.Can[Split] {
		posts, err := topic.NewStore(s.db).Posts(ctx, t.ID, tc.From, splitPage+1)
		if err != nil {
			return nil, err
		}
		if len(posts) > splitPage {
			tc.Next = posts[splitPage].Number
			posts = posts[:splitPage]
		}
		tc.Posts = posts
		ids := make([]int64, 0, len(posts))
		for _, p := range posts {
			ids = append(ids, p.UserID)
		}
		if len(ids) > 0 {
			var us []*user.User
			if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&us).Error; err != nil {
				return nil, fmt.Errorf("authors of topic %d: %w", t.ID, err)
			}
			for _, u := range us {
				tc.Authors[u.ID] = u
			}
		}
	}
	return tc, nil
}

func flatten(cs []*category.Category) []*category.Category {
	var out []*category.Category
	for _, c := range cs {
		out = append(out, c)
		out = append(out, flatten(c.Children)...)
	}
	return out
}

// ReplyContext is the composer of a topic with a canned reply put in.
type ReplyContext struct {
	Topic  *topic.Topic
	Canned []CannedResponse
	Chosen *CannedResponse
}

// ReplyContext loads the canned replies v may insert in a reply to a topic
// v may read, and the one chosen (0: none yet).
func (s *Service) ReplyContext(ctx context.Context, v *auth.Viewer, topicID, cannedID int64, lang string) (*ReplyContext, error) {
	t, c, err := s.topicOf(ctx, s.db, topicID)
	if err != nil {
		return nil, err
	}
	if !auth.CanRead(v, c.Grants) {
		return nil, topic.ErrNotFound
	}
	if !CanUseCanned(v) {
		return nil, errs.New(errs.Forbidden, "error.http_403", nil)
	}
	rc := &ReplyContext{Topic: t}
	if rc.Canned, err = s.Canned(ctx, v, CannedReply, lang); err != nil {
		return nil, err
	}
	if cannedID != 0 {
		cr, err := s.cannedIn(ctx, s.db, cannedID, CannedReply)
		if err != nil {
			return nil, errs.Fields{"canned_id": "mod.canned_unknown"}
		}
		rc.Chosen = cr
	}
	return rc, nil
}
