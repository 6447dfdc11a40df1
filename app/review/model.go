// Package review owns the one review queue: members' flags on posts and
// profiles, posts held for approval (new members' first posts, newcomers'
// links, categories that require approval, watched words and the spam
// score), registrations waiting for approval, junior moderators'
// proposals and authors' appeals of hidden posts. Reviewers decide items
// one by one or in bulk; every decision is audited and the person it is
// about is told why, in their language. It sits in front of app/topic as
// its Gate, so nothing about a held post is announced until it is approved.
package review

import (
	"encoding/json"
	"strings"
	"time"
)

// Kinds of queue item.
const (
	KindFlag         = "flag"         // members flagged a post or a profile
	KindHeldPost     = "held_post"    // a new post waits for approval
	KindHeldEdit     = "held_edit"    // an edit took a post back to the queue
	KindRegistration = "registration" // a new account waits for approval
	KindProposal     = "proposal"     // a junior moderator proposes a decision
	KindAppeal       = "appeal"       // an author asks for review of a hidden post
)

// Kinds lists the kinds, for the filter.
var Kinds = []string{KindFlag, KindHeldPost, KindHeldEdit, KindRegistration, KindProposal, KindAppeal}

// Statuses of an item (and of a flag: open, upheld, dismissed).
const (
	StatusOpen     = "open"
	StatusApproved = "approved"
	StatusRejected = "rejected"
)

// Outcomes a reviewer chooses.
const (
	Approve = "approve" // publish the held post, uphold the flags, approve the account, the proposal or the appeal
	Reject  = "reject"  // delete the held post (softly), dismiss the flags, refuse the account, the proposal or the appeal
	Hide    = "hide"    // hide the post with a reason: its author sees why, may edit and ask for review
)

// Outcomes lists the outcomes.
var Outcomes = []string{Approve, Reject, Hide}

// Flag reasons.
const (
	ReasonSpam          = "spam"
	ReasonOffTopic      = "off_topic"
	ReasonInappropriate = "inappropriate"
	ReasonLegal         = "legal"
	ReasonOther         = "other" // a note is required
)

// Reasons lists the flag reasons in the order the form shows them.
var Reasons = []string{ReasonSpam, ReasonOffTopic, ReasonInappropriate, ReasonLegal, ReasonOther}

// Item is one entry of the queue.
type Item struct {
	ID     int64
	Kind   string
	Status string
	// TargetKey names what the item is about ("post:12", "user:5"): one
	// open item per kind and target.
	TargetKey  string
	Score      int
	CategoryID *int64
	TopicID    *int64
	PostID     *int64
	// SubjectID is the member the item is about: the author, the flagged
	// member, the registrant.
	SubjectID *int64
	// CreatedByID is the junior moderator who proposed, or the appellant.
	CreatedByID *int64
	AssigneeID  *int64
	// Reasons is a comma-separated list of why the item is here.
	Reasons      string
	Payload      string // JSON of Payload
	DecisionNote string
	ResolvedByID *int64
	ResolvedAt   *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (Item) TableName() string { return "review_items" }

// ReasonList is Reasons as a list.
func (it *Item) ReasonList() []string {
	if it.Reasons == "" {
		return nil
	}
	return strings.Split(it.Reasons, ",")
}

// Open says whether the item waits for a decision.
func (it *Item) Open() bool { return it.Status == StatusOpen }

// Payload is what an item carries beyond its columns.
type Payload struct {
	// AutoHidden: the flags hid the post when they reached the threshold.
	AutoHidden bool `json:"auto_hidden,omitempty"`
	// Edits counts the author's edits while the post was held.
	Edits int `json:"edits,omitempty"`
	// Proposal: what a junior moderator proposes.
	Proposal *Proposal `json:"proposal,omitempty"`
	// Note is the appellant's or proposer's message.
	Note string `json:"note,omitempty"`
}

// Proposal is a junior moderator's proposed decision: on a queue item
// (ItemID), or a moderation action on a post or topic (Action, a
// serialisable action app/moderation applies).
type Proposal struct {
	ItemID  int64           `json:"item_id,omitempty"`
	Outcome string          `json:"outcome,omitempty"`
	Action  string          `json:"action,omitempty"` // "post.hide", "post.restore"…
	PostID  int64           `json:"post_id,omitempty"`
	TopicID int64           `json:"topic_id,omitempty"`
	Reason  string          `json:"reason"`
	Params  json.RawMessage `json:"params,omitempty"`
}

func (it *Item) payload() Payload {
	var p Payload
	_ = json.Unmarshal([]byte(it.Payload), &p) // written by us; empty at worst
	return p
}

func encode(p Payload) string {
	b, _ := json.Marshal(p)
	return string(b)
}

// Flag is one member's flag on a post or a profile.
type Flag struct {
	ID        int64
	TargetKey string
	PostID    *int64
	// UserID is the member flagged: the post's author, or the profile's.
	UserID       int64
	ByID         int64
	Reason       string
	Note         string
	Weight       int
	Status       string // open, upheld, dismissed
	ReviewItemID *int64
	CreatedAt    time.Time
	ResolvedAt   *time.Time
}

// Flag statuses once decided.
const (
	FlagUpheld    = "upheld"
	FlagDismissed = "dismissed"
)

// CategorySetting is a category's review rule.
type CategorySetting struct {
	CategoryID      int64 `gorm:"primaryKey;autoIncrement:false"`
	RequireApproval bool
	UpdatedAt       time.Time
}

func (CategorySetting) TableName() string { return "review_categories" }
