// Package topic owns topics and their posts: questions, discussions and
// announcements, replies, edits with their full history, soft deletion,
// reactions, accepted answers, bookmarks, read tracking, drafts, and the
// lists that show them (latest, top, unanswered, per category, tag and
// member), all filtered by what the reader may see.
package topic

import (
	"fmt"
	"html/template"
	"time"

	"causerie/app/auth"
)

// Kinds of topic.
const (
	KindDiscussion   = "discussion"
	KindQuestion     = "question"
	KindAnnouncement = "announcement"
)

// States of a topic or post. Nothing is ever removed: a deleted post stays,
// marked, for staff to see and restore.
const (
	StatePublished = "published"
	StatePending   = "pending"
	StateHidden    = "hidden"
	StateDeleted   = "deleted"
)

// Pinning.
const (
	PinNone     = 0
	PinCategory = 1
	PinGlobal   = 2
)

// Topic is a conversation in a category; its first post is number 1.
type Topic struct {
	ID             int64
	CategoryID     int64
	UserID         int64
	Kind           string
	Title          string
	Slug           string
	State          string
	Pinned         int
	Closed         bool
	Archived       bool
	FeaturedAt     *time.Time
	AcceptedPostID *int64
	// MergedIntoID is the topic this one was merged into: its address
	// sends readers there (app/moderation).
	MergedIntoID   *int64
	RepliesCount   int
	ReactionsCount int
	ViewsCount     int
	HighestNumber  int
	LastPostAt     time.Time
	LastUserID     *int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// URL is the topic's canonical address.
func (t *Topic) URL() string { return fmt.Sprintf("/t/%s/%d", t.Slug, t.ID) }

// PostURL is the address of post number n of the topic.
func (t *Topic) PostURL(n int) string {
	if n <= 1 {
		return t.URL()
	}
	return fmt.Sprintf("/t/%s/%d/%d", t.Slug, t.ID, n)
}

// Answered says whether a question has an accepted answer.
func (t *Topic) Answered() bool { return t.AcceptedPostID != nil }

// IsQuestion says whether the topic is a question.
func (t *Topic) IsQuestion() bool { return t.Kind == KindQuestion }

func (t *Topic) state() auth.TopicState {
	return auth.TopicState{AuthorID: t.UserID, Closed: t.Closed, Archived: t.Archived}
}

// Post is one message of a topic: Markdown source and the HTML rendered
// from it when it was written.
type Post struct {
	ID             int64
	TopicID        int64
	UserID         int64
	Number         int
	ReplyToID      *int64
	Body           string
	HTML           string
	State          string
	Official       bool
	ReactionsCount int
	RevisionsCount int
	DeletedByID    *int64
	DeletedAt      *time.Time
	// HiddenReason, HiddenByID and HiddenAt say why, by whom and when staff
	// hid the post (app/moderation); its author reads the reason.
	HiddenReason string
	HiddenByID   *int64
	HiddenAt     *time.Time
	EditedAt     *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (p *Post) state() auth.PostState { return auth.PostState{AuthorID: p.UserID, State: p.State} }

// SafeHTML is the post's HTML for a template. It was sanitised by
// app/markup when the post was written, so it is served as is.
func (p *Post) SafeHTML() template.HTML { return template.HTML(p.HTML) }

// URL is the stable address of a post, whatever page it is on.
func (p *Post) URL() string { return fmt.Sprintf("/p/%d", p.ID) }

// Revision is an earlier version of a post.
type Revision struct {
	ID        int64
	PostID    int64
	UserID    int64
	Number    int
	Title     string
	Body      string
	Note      string
	CreatedAt time.Time
}

func (Revision) TableName() string { return "post_revisions" }

// Reaction is one member's reaction to a post.
type Reaction struct {
	PostID    int64  `gorm:"primaryKey"`
	UserID    int64  `gorm:"primaryKey"`
	Kind      string `gorm:"primaryKey"`
	CreatedAt time.Time
}

// Bookmark is a post a member keeps for later.
type Bookmark struct {
	UserID    int64 `gorm:"primaryKey"`
	PostID    int64 `gorm:"primaryKey"`
	CreatedAt time.Time
}

// TopicRead is how far a member has read a topic.
type TopicRead struct {
	UserID     int64 `gorm:"primaryKey"`
	TopicID    int64 `gorm:"primaryKey"`
	LastNumber int
	UpdatedAt  time.Time
}

// TopicTag links a topic to a tag.
type TopicTag struct {
	TopicID int64 `gorm:"primaryKey"`
	TagID   int64 `gorm:"primaryKey"`
}

// Draft is an unsent composer text, kept on the server.
type Draft struct {
	UserID    int64  `gorm:"primaryKey"`
	Key       string `gorm:"primaryKey"`
	Title     string
	Body      string
	UpdatedAt time.Time
}

// MergedError is what asking for a topic merged into another gets: not
// found, with where its posts went, so its page can send readers there.
type MergedError struct{ Into int64 }

func (e *MergedError) Error() string { return fmt.Sprintf("topic merged into %d", e.Into) }
func (e *MergedError) Unwrap() error { return ErrNotFound }
