// Package notify owns notifications: what members are told about (replies,
// mentions, quotes, reactions, accepted answers, new posts in what they
// watch, badges, trust levels), the watch level of each topic and category,
// the unread count in the header, the list page and API, and the e-mails
// that follow (batched immediate mails and digests, each with a one-click
// unsubscribe link). It reacts to the events of other domains through the
// job queue and is imported by none of them.
package notify

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Kinds of notification.
const (
	KindReply    = "reply"    // someone answered your post or topic
	KindMention  = "mention"  // someone wrote @you
	KindQuote    = "quote"    // someone quoted you
	KindPost     = "post"     // a new post in a topic you watch
	KindTopic    = "topic"    // a new topic in a category you watch
	KindReaction = "reaction" // someone reacted to your post
	KindAccepted = "accepted" // your answer was accepted
	KindBadge    = "badge"    // you earned a badge
	KindTrust    = "trust"    // your trust level changed
)

// mailKinds are mailed at once (batched) to members who chose immediate
// e-mail: someone wrote something for them. The others wait for a digest.
var mailKinds = []string{KindReply, KindMention, KindQuote, KindPost, KindTopic, KindNotice}

// Watch levels, from loudest to quietest.
const (
	LevelWatching = "watching" // a notification for every post
	LevelTracking = "tracking" // unread counts in the lists, no notification per post
	LevelNormal   = "normal"   // replies, mentions and quotes only
	LevelMuted    = "muted"    // nothing at all
)

// Levels lists the watch levels for the forms.
var Levels = []string{LevelWatching, LevelTracking, LevelNormal, LevelMuted}

// ValidLevel says whether l is a watch level.
func ValidLevel(l string) bool { return slices.Contains(Levels, l) }

// E-mail frequencies a member can choose.
const (
	FreqImmediate = "immediate"
	FreqDaily     = "daily"
	FreqWeekly    = "weekly"
	FreqNever     = "never"
)

// Frequencies lists the e-mail frequencies for the form.
var Frequencies = []string{FreqImmediate, FreqDaily, FreqWeekly, FreqNever}

// Notification is one thing a member is told about.
type Notification struct {
	ID      int64
	UserID  int64
	Kind    string
	TopicID *int64
	PostID  *int64
	ActorID *int64
	// DedupKey names what the notification is about, once per member.
	DedupKey  string
	Data      string // JSON of Data
	ReadAt    *time.Time
	MailedAt  *time.Time
	CreatedAt time.Time
}

// Data is what a notification carries beyond its columns.
type Data struct {
	// Actors are everyone behind a collapsed notification (reactions),
	// the latest last.
	Actors []int64 `json:"actors,omitempty"`
	// Given records each "actor:reaction" counted, so a job that runs
	// twice counts once.
	Given []string `json:"given,omitempty"`
	Badge string   `json:"badge,omitempty"`
	Level int      `json:"level,omitempty"`
	// A notice's message ID, reason, topic title and link (notice.go).
	Message string `json:"message,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Title   string `json:"title,omitempty"`
	Link    string `json:"link,omitempty"`
}

func (n *Notification) data() Data {
	var d Data
	_ = json.Unmarshal([]byte(n.Data), &d) // written by us; an empty object at worst
	return d
}

func encode(d Data) string {
	b, _ := json.Marshal(d)
	return string(b)
}

// Read says whether the member has seen the notification.
func (n *Notification) Read() bool { return n.ReadAt != nil }

// Watch is a member's watch level of one topic or one category.
type Watch struct {
	UserID     int64
	TopicID    *int64
	CategoryID *int64
	Level      string
	UpdatedAt  time.Time
}

func postKey(postID int64) string     { return fmt.Sprintf("post:%d", postID) }
func acceptedKey(postID int64) string { return fmt.Sprintf("accepted:%d", postID) }
