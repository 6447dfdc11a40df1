package topic

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/user"
)

// Version is one version of a post in its history, with the changes from
// the version before.
type Version struct {
	Number    int
	Author    *user.User
	At        time.Time
	Title     string
	Note      string
	Changes   []Change
	Current   bool
	TitleDiff []Change
}

// Change is a run of text that was kept, added or removed.
type Change struct {
	Op   string // "same", "add", "del"
	Text string
}

func diff(a, b string) []Change {
	dmp := diffmatchpatch.New()
	ds := dmp.DiffCleanupSemantic(dmp.DiffMain(a, b, false))
	out := make([]Change, 0, len(ds))
	for _, d := range ds {
		op := "same"
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = "add"
		case diffmatchpatch.DiffDelete:
			op = "del"
		}
		out = append(out, Change{Op: op, Text: d.Text})
	}
	return out
}

func revisionAuthors(p *Post, revs []Revision) []int64 {
	ids := []int64{p.UserID}
	for _, r := range revs {
		ids = append(ids, r.UserID)
	}
	return ids
}

// versions lists a post's versions newest first. Revision k holds the text
// as it was before edit k, written by the previous editor; the current text
// is the post's own.
func versions(p *Post, t *Topic, revs []Revision, users map[int64]*user.User) []Version {
	type snap struct {
		body, title string
		by          int64
		at          time.Time
		note        string
	}
	snaps := make([]snap, 0, len(revs)+1)
	for i, r := range revs {
		s := snap{body: r.Body, title: r.Title}
		if i == 0 {
			s.by, s.at = p.UserID, p.CreatedAt
		} else {
			s.by, s.at, s.note = revs[i-1].UserID, revs[i-1].CreatedAt, revs[i-1].Note
		}
		snaps = append(snaps, s)
	}
	cur := snap{body: p.Body, by: p.UserID, at: p.CreatedAt}
	if p.Number == 1 {
		cur.title = t.Title
	}
	if n := len(revs); n > 0 {
		cur.by, cur.at, cur.note = revs[n-1].UserID, revs[n-1].CreatedAt, revs[n-1].Note
	}
	snaps = append(snaps, cur)
	out := make([]Version, 0, len(snaps))
	for i := len(snaps) - 1; i >= 0; i-- {
		s := snaps[i]
		prev := ""
		prevTitle := s.title
		if i > 0 {
			prev, prevTitle = snaps[i-1].body, snaps[i-1].title
		}
		v := Version{Number: i + 1, Author: users[s.by], At: s.at, Title: s.title, Note: s.note, Current: i == len(snaps)-1}
		v.Changes = diff(prev, s.body)
		if prevTitle != s.title {
			v.TitleDiff = diff(prevTitle, s.title)
		}
		out = append(out, v)
	}
	return out
}

func canEdit(v *auth.Viewer, c *category.Category, t *Topic, p *Post) bool {
	return auth.CanEditPost(v, c.Grants, t.state(), p.state())
}

// LastPage is the page holding a topic's newest post.
func (s *Service) LastPage(ctx context.Context, v *auth.Viewer, topicID int64) (*Page, error) {
	t, _, err := s.readable(ctx, v, topicID)
	if err != nil {
		return nil, err
	}
	return s.Page(ctx, v, topicID, t.HighestNumber)
}

// Quote is the Markdown that quotes post number n of a topic, with a link
// back to it, for the reply box.
func (s *Service) Quote(ctx context.Context, v *auth.Viewer, topicID int64, n int) (string, error) {
	p, err := NewStore(s.db).PostByNumber(ctx, topicID, n)
	if err != nil {
		return "", err
	}
	p, _, c, err := s.postInTopic(ctx, v, p.ID)
	if err != nil || !auth.CanSeePost(v, c.Grants, p.state()) {
		return "", ErrNotFound
	}
	users, err := loadUsers(ctx, s.db, []int64{p.UserID})
	if err != nil {
		return "", err
	}
	name := "?"
	if u := users[p.UserID]; u != nil {
		name = u.Username
	}
	var b strings.Builder
	fmt.Fprintf(&b, "> [@%s](/p/%d):\n", name, p.ID)
	for _, line := range strings.Split(strings.TrimSpace(p.Body), "\n") {
		b.WriteString("> " + line + "\n")
	}
	b.WriteString("\n")
	return b.String(), nil
}

// Ref names post number n of a topic, for "replying to".
func (s *Service) Ref(ctx context.Context, topicID int64, n int) (*PostRef, error) {
	p, err := NewStore(s.db).PostByNumber(ctx, topicID, n)
	if err != nil {
		return nil, err
	}
	users, err := loadUsers(ctx, s.db, []int64{p.UserID})
	if err != nil {
		return nil, err
	}
	ref := &PostRef{Number: n}
	if u := users[p.UserID]; u != nil {
		ref.Username = u.Username
	}
	return ref, nil
}
