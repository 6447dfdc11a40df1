// Package seed fills a database with realistic demo content — members,
// categories, questions and discussions in English and French, replies,
// reactions and accepted answers — fast enough for a million posts. It
// writes rows in batches directly (counts included) instead of going
// through the services one post at a time.
package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"gorm.io/gorm"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/markup"
	"causerie/app/slug"
	"causerie/app/topic"
	"causerie/app/user"
)

// Options size the demo content.
type Options struct {
	Users, Topics, Posts int
	// PasswordHash is the hash every demo member gets (one password for all).
	PasswordHash string
	// Progress receives the progress bars (nil: none).
	Progress io.Writer
	// Rand makes runs repeatable; nil seeds from the clock.
	Rand *rand.Rand
}

// Stats says what was made.
type Stats struct {
	Users, Topics, Posts, Reactions, Accepted int
	Took                                      time.Duration
}

// ErrNotEmpty refuses to seed a forum that already has topics.
var ErrNotEmpty = errors.New("seed: this forum already has topics; seed an empty database")

const batch = 500

// Run makes the content.
func Run(ctx context.Context, g *gorm.DB, render *markup.Renderer, o Options) (Stats, error) {
	start := time.Now()
	var st Stats
	if o.Users < 2 || o.Topics < 1 || o.Posts < o.Topics {
		return st, fmt.Errorf("seed: want at least 2 users, 1 topic, and as many posts as topics (each topic has a first post)")
	}
	var n int64
	if err := g.WithContext(ctx).Model(&topic.Topic{}).Count(&n).Error; err != nil {
		return st, err
	}
	if n > 0 {
		return st, ErrNotEmpty
	}
	r := o.Rand
	if r == nil {
		r = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 42))
	}
	s := &seeder{g: g, r: r, render: render, o: o, now: time.Now().UTC()}
	steps := []func(context.Context) error{s.users, s.categories, s.tags, s.content, s.counts}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return st, err
		}
	}
	st = Stats{Users: len(s.userIDs), Topics: s.topics, Posts: s.posts, Reactions: s.reactions, Accepted: s.accepted, Took: time.Since(start)}
	return st, nil
}

type seeder struct {
	g      *gorm.DB
	r      *rand.Rand
	render *markup.Renderer
	o      Options
	now    time.Time

	userIDs []int64
	userFR  map[int64]bool
	cats    []int64
	catFR   map[int64]bool
	tagIDs  []int64

	topics, posts, reactions, accepted int
	userPosts, userTopics              map[int64]int
	userReactRecv, userReactGiven      map[int64]int
	userAccepted                       map[int64]int
	catTopics, catPosts                map[int64]int
	tagTopics                          map[int64]int
}

func (s *seeder) bar(max int, what string) *progressbar.ProgressBar {
	if s.o.Progress == nil {
		return progressbar.DefaultSilent(int64(max))
	}
	return progressbar.NewOptions(max, progressbar.OptionSetWriter(s.o.Progress), progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString(what),
		progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionSetPredictTime(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(s.o.Progress) }), progressbar.OptionFullWidth())
}

// when spreads creation times over the last two years, in order.
func (s *seeder) when(i, n int) time.Time {
	span := 2 * 365 * 24 * time.Hour
	return s.now.Add(-span + time.Duration(float64(span)*float64(i)/float64(n+1)))
}

func (s *seeder) users(ctx context.Context) error {
	bar := s.bar(s.o.Users, "members")
	s.userFR = map[int64]bool{}
	for i := 0; i < s.o.Users; i += batch {
		var us []*user.User
		for j := i; j < min(i+batch, s.o.Users); j++ {
			name := fmt.Sprintf("%s%d", firstNames[j%len(firstNames)], j)
			lang := "en"
			if j%2 == 1 {
				lang = "fr"
			}
			at := s.when(j, s.o.Users*2)
			us = append(us, &user.User{Username: name, Email: name + "@demo.example", PasswordHash: s.o.PasswordHash,
				Role: auth.RoleMember, Language: lang, EmailConfirmedAt: &at, LastSeenAt: &s.now, CreatedAt: at, UpdatedAt: at,
				TrustLevel: 1 + j%3})
		}
		if err := s.g.WithContext(ctx).CreateInBatches(us, batch).Error; err != nil {
			return fmt.Errorf("seed members: %w", err)
		}
		for _, u := range us {
			s.userIDs = append(s.userIDs, u.ID)
			s.userFR[u.ID] = u.Language == "fr"
		}
		_ = bar.Add(len(us))
	}
	return nil
}

func (s *seeder) categories(ctx context.Context) error {
	s.catFR = map[int64]bool{}
	var existing []category.Category
	if err := s.g.WithContext(ctx).Find(&existing).Error; err != nil {
		return err
	}
	for _, c := range existing {
		s.cats = append(s.cats, c.ID)
	}
	for i, c := range categoriesSeed {
		cat := &category.Category{Name: c.Name, Slug: c.Slug, Description: c.Description, Color: c.Color, Position: i + 1,
			Grants: category.DefaultGrants(), CreatedAt: s.now, UpdatedAt: s.now}
		if err := category.NewStore(s.g).Create(ctx, cat); err != nil {
			return fmt.Errorf("seed category %s: %w", c.Slug, err)
		}
		s.cats = append(s.cats, cat.ID)
		s.catFR[cat.ID] = c.Slug == "entraide"
	}
	return nil
}

func (s *seeder) tags(ctx context.Context) error {
	tags, err := category.NewStore(s.g).TagsByName(ctx, tagsSeed)
	for _, t := range tags {
		s.tagIDs = append(s.tagIDs, t.ID)
	}
	return err
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func (s *seeder) title(fr, question bool) string {
	t := s.rawTitle(fr, question)
	for i, r := range t {
		return strings.ToUpper(string(r)) + t[i+len(string(r)):]
	}
	return t
}

func (s *seeder) rawTitle(fr, question bool) string {
	if fr {
		p := pick(s.r, productsFR)
		if question {
			return fmt.Sprintf(pick(s.r, questionsFR), p)
		}
		return fmt.Sprintf(pick(s.r, discussionsFR), p)
	}
	p := pick(s.r, productsEN)
	if question {
		return fmt.Sprintf(pick(s.r, questionsEN), p)
	}
	return fmt.Sprintf(pick(s.r, discussionsEN), p)
}

// body writes one to four paragraphs, now and then with a list, a code
// block or a mention.
func (s *seeder) body(fr bool) string {
	sent := sentencesEN
	if fr {
		sent = sentencesFR
	}
	var b strings.Builder
	paras := 1 + s.r.IntN(4)
	for p := 0; p < paras; p++ {
		if p > 0 {
			b.WriteString("\n\n")
		}
		k := 1 + s.r.IntN(4)
		for i := 0; i < k; i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(pick(s.r, sent))
		}
	}
	switch s.r.IntN(12) {
	case 0:
		b.WriteString("\n\n- " + pick(s.r, sent) + "\n- " + pick(s.r, sent))
	case 1:
		b.WriteString("\n\n```\nstatus: connected\nsignal: -61 dBm\n```")
	case 2:
		b.WriteString("\n\n@" + fmt.Sprintf("%s%d", firstNames[0], 0) + " " + pick(s.r, sent))
	}
	return b.String()
}

// content makes the topics and their posts, a batch of topics at a time,
// each batch in one transaction.
func (s *seeder) content(ctx context.Context) error {
	s.userPosts, s.userTopics = map[int64]int{}, map[int64]int{}
	s.userReactRecv, s.userReactGiven, s.userAccepted = map[int64]int{}, map[int64]int{}, map[int64]int{}
	s.catTopics, s.catPosts, s.tagTopics = map[int64]int{}, map[int64]int{}, map[int64]int{}
	// How many posts each topic gets: one each, the rest spread unevenly
	// (a few long conversations, many short ones).
	per := make([]int, s.o.Topics)
	for i := range per {
		per[i] = 1
	}
	for extra := s.o.Posts - s.o.Topics; extra > 0; extra-- {
		i := int(float64(s.o.Topics) * s.r.Float64() * s.r.Float64())
		per[i]++
	}
	bar := s.bar(s.o.Posts, "posts")
	for i := 0; i < s.o.Topics; i += 200 {
		end := min(i+200, s.o.Topics)
		err := s.g.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return s.topicBatch(ctx, tx, i, end, per, bar) })
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) topicBatch(ctx context.Context, tx *gorm.DB, from, to int, per []int, bar *progressbar.ProgressBar) error {
	topics := make([]*topic.Topic, 0, to-from)
	for i := from; i < to; i++ {
		cat := pick(s.r, s.cats)
		author := pick(s.r, s.userIDs)
		fr := s.catFR[cat] || s.userFR[author]
		question := s.r.IntN(10) < 4
		kind := topic.KindDiscussion
		if question {
			kind = topic.KindQuestion
		}
		created := s.when(i, s.o.Topics)
		title := s.title(fr, question)
		t := &topic.Topic{CategoryID: cat, UserID: author, Kind: kind, Title: title, Slug: slug.Make(title, 60, "topic"),
			State: topic.StatePublished, HighestNumber: per[i], RepliesCount: per[i] - 1, LastPostAt: created,
			CreatedAt: created, UpdatedAt: created, ViewsCount: per[i] * (3 + s.r.IntN(20))}
		topics = append(topics, t)
	}
	if err := tx.CreateInBatches(topics, batch).Error; err != nil {
		return fmt.Errorf("seed topics: %w", err)
	}
	var posts []*topic.Post
	var links []topic.TopicTag
	flush := func() error {
		if len(posts) == 0 {
			return nil
		}
		if err := tx.CreateInBatches(posts, batch).Error; err != nil {
			return fmt.Errorf("seed posts: %w", err)
		}
		if err := s.react(tx, posts); err != nil {
			return err
		}
		_ = bar.Add(len(posts))
		posts = posts[:0]
		return nil
	}
	for k, t := range topics {
		i := from + k
		s.topics++
		s.userTopics[t.UserID]++
		s.catTopics[t.CategoryID]++
		fr := s.catFR[t.CategoryID] || s.userFR[t.UserID]
		at := t.CreatedAt
		// Later topics' conversations end before now: spread replies over
		// the gap to the next topic, or a few days.
		step := time.Duration(s.r.IntN(3600)+60) * time.Second
		var last *topic.Post
		for n := 1; n <= per[i]; n++ {
			by := t.UserID
			if n > 1 {
				by = pick(s.r, s.userIDs)
				if at = at.Add(step); at.After(s.now) {
					at = s.now
				}
			}
			body := s.body(fr)
			p := &topic.Post{TopicID: t.ID, UserID: by, Number: n, Body: body, HTML: s.render.Render(body).HTML,
				State: topic.StatePublished, CreatedAt: at, UpdatedAt: at}
			posts = append(posts, p)
			last = p
			s.posts++
			s.userPosts[by]++
			s.catPosts[t.CategoryID]++
		}
		t.LastPostAt, t.LastUserID = last.CreatedAt, &last.UserID
		if s.r.IntN(3) == 0 {
			tag := pick(s.r, s.tagIDs)
			links = append(links, topic.TopicTag{TopicID: t.ID, TagID: tag})
			s.tagTopics[tag]++
		}
		if len(posts) >= batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if len(links) > 0 {
		if err := tx.CreateInBatches(links, batch).Error; err != nil {
			return err
		}
	}
	// Now the posts have IDs: last activity, and accepted answers for most
	// questions that have replies.
	for _, t := range topics {
		upd := map[string]any{"last_post_at": t.LastPostAt, "last_user_id": t.LastUserID}
		if t.Kind == topic.KindQuestion && t.HighestNumber > 1 && s.r.IntN(10) < 6 {
			var ans topic.Post
			n := 2 + s.r.IntN(t.HighestNumber-1)
			if err := tx.Select("id, user_id").Where("topic_id = ? AND number = ?", t.ID, n).Take(&ans).Error; err != nil {
				return err
			}
			upd["accepted_post_id"] = ans.ID
			s.userAccepted[ans.UserID]++
			s.accepted++
		}
		if err := tx.Model(&topic.Topic{}).Where("id = ?", t.ID).Updates(upd).Error; err != nil {
			return err
		}
	}
	return nil
}

// react gives some posts a few reactions from other members.
func (s *seeder) react(tx *gorm.DB, posts []*topic.Post) error {
	var rs []topic.Reaction
	perTopic := map[int64]int{}
	for _, p := range posts {
		k := 0
		switch x := s.r.IntN(10); {
		case x < 5:
		case x < 8:
			k = 1
		default:
			k = 2 + s.r.IntN(4)
		}
		seen := map[int64]bool{p.UserID: true}
		for j := 0; j < k; j++ {
			by := pick(s.r, s.userIDs)
			if seen[by] {
				continue
			}
			seen[by] = true
			kind := "like"
			if s.r.IntN(4) == 0 {
				kind = pick(s.r, []string{"heart", "thanks", "insightful", "laugh"})
			}
			rs = append(rs, topic.Reaction{PostID: p.ID, UserID: by, Kind: kind, CreatedAt: p.CreatedAt})
			p.ReactionsCount++
			perTopic[p.TopicID]++
			s.userReactRecv[p.UserID]++
			s.userReactGiven[by]++
			s.reactions++
		}
	}
	if len(rs) == 0 {
		return nil
	}
	if err := tx.CreateInBatches(rs, batch).Error; err != nil {
		return fmt.Errorf("seed reactions: %w", err)
	}
	for _, p := range posts {
		if p.ReactionsCount > 0 {
			if err := tx.Model(&topic.Post{}).Where("id = ?", p.ID).Update("reactions_count", p.ReactionsCount).Error; err != nil {
				return err
			}
		}
	}
	for id, n := range perTopic {
		if err := tx.Model(&topic.Topic{}).Where("id = ?", id).UpdateColumn("reactions_count", gorm.Expr("reactions_count + ?", n)).Error; err != nil {
			return err
		}
	}
	return nil
}

// counts writes the per-member, per-category and per-tag counts.
func (s *seeder) counts(ctx context.Context) error {
	return s.g.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, id := range s.userIDs {
			if err := tx.Model(&user.User{}).Where("id = ?", id).Updates(map[string]any{
				"posts_count": s.userPosts[id], "topics_count": s.userTopics[id], "reactions_received": s.userReactRecv[id],
				"reactions_given": s.userReactGiven[id], "accepted_answers": s.userAccepted[id]}).Error; err != nil {
				return err
			}
		}
		for id, n := range s.catTopics {
			if err := tx.Model(&category.Category{}).Where("id = ?", id).Updates(map[string]any{"topics_count": n, "posts_count": s.catPosts[id]}).Error; err != nil {
				return err
			}
		}
		for id, n := range s.tagTopics {
			if err := tx.Model(&category.Tag{}).Where("id = ?", id).Update("topics_count", n).Error; err != nil {
				return err
			}
		}
		return nil
	})
}
