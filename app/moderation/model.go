// Package moderation owns what staff do to posts and topics: hide with a
// reason, restore, soft-delete, edit with a note, close and open, pin,
// move, merge, split, change owner, feature, mark a reply as the brand's
// official response, and purge for good; and the canned responses (saved
// replies and hide reasons, per language) they insert in one click.
//
// Every action is an Action, a plain serialisable struct: the pages, the
// API and the review queue (which keeps a junior moderator's proposal as
// JSON and applies it later in the approver's name) all go through
// Service.Apply. Each action asks the authorizer with the category of the
// post or topic, records itself in the audit log and publishes its events
// in its own transaction, and tells the author why.
package moderation

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"causerie/app/errs"
)

// Kinds of action. Each is also the suffix of its audit action: "post.hide",
// "topic.merge"…
const (
	Hide       = "hide"       // hide a post with a reason; its author sees why
	Restore    = "restore"    // show a hidden or deleted post again
	Delete     = "delete"     // soft-delete a post (restorable)
	Edit       = "edit"       // change a post's text, with a note; the old text is kept as a revision
	Official   = "official"   // mark a reply as the brand's official response
	Unofficial = "unofficial" // take the mark away
	Purge      = "purge"      // delete a post for good (administrators, confirmed, audited)
	Close      = "close"      // close a topic to replies
	Open       = "open"       // open it again
	Pin        = "pin"        // pin a topic in its category or globally (Scope)
	Unpin      = "unpin"
	Feature    = "feature" // feature a topic: the highlight plugins mirror (topic.featured)
	Unfeature  = "unfeature"
	Move       = "move"  // move a topic to another category
	Merge      = "merge" // move every post of a topic to the end of another; the old address redirects
	Split      = "split" // move some replies of a topic into a new topic
	Owner      = "owner" // give a topic (and its first post) to another member
	// PurgeTopic deletes a topic and all its posts for good
	// (administrators, confirmed, audited): "topic.purge" in the log.
	PurgeTopic = "purge_topic"
)

// Kinds lists every action kind.
var Kinds = []string{Hide, Restore, Delete, Edit, Official, Unofficial, Purge, Close, Open, Pin, Unpin,
	Feature, Unfeature, Move, Merge, Split, Owner, PurgeTopic}

// postKinds act on a post (PostID); the others on a topic (TopicID).
var postKinds = []string{Hide, Restore, Delete, Edit, Official, Unofficial, Purge}

// Pin scopes.
const (
	ScopeCategory = "category"
	ScopeGlobal   = "global"
)

// MaxReason is the longest reason or note, in characters.
const MaxReason = 1000

// Action is one staff action, as a page, the API or the review queue asks
// for it. It travels as JSON: a junior moderator's proposal is stored as an
// Action and applied as is once approved.
type Action struct {
	Kind    string `json:"kind"`
	PostID  int64  `json:"post_id,omitempty"`  // hide, restore, delete, edit, official, unofficial, purge
	TopicID int64  `json:"topic_id,omitempty"` // close, open, pin, unpin, feature, unfeature, move, merge, split, owner
	// Reason says why (hide needs one, or CannedID); the author reads it.
	Reason string `json:"reason,omitempty"`
	// CannedID picks a canned hide reason when Reason is empty.
	CannedID int64 `json:"canned_id,omitempty"`
	// Body is the new text of an edit; Reason is its note (required).
	Body string `json:"body,omitempty"`
	// Scope of a pin: "category" (default) or "global".
	Scope string `json:"scope,omitempty"`
	// CategoryID is where move sends a topic, and where split puts the new
	// one (default: the topic's own category).
	CategoryID int64 `json:"category_id,omitempty"`
	// IntoTopicID is the topic merge moves the posts into.
	IntoTopicID int64 `json:"into_topic_id,omitempty"`
	// PostIDs are the replies split moves; Title is the new topic's title.
	PostIDs []int64 `json:"post_ids,omitempty"`
	Title   string  `json:"title,omitempty"`
	// Username is the new owner of a topic.
	Username string `json:"username,omitempty"`
	// Confirm must be true for a purge.
	Confirm bool `json:"confirm,omitempty"`
}

// OnPost says whether the action is about a post (PostID) rather than a
// topic (TopicID).
func (a Action) OnPost() bool { return slices.Contains(postKinds, a.Kind) }

// AuditAction is the action's name in the audit log and its events:
// "post.hide", "topic.merge"…
func (a Action) AuditAction() string {
	switch {
	case a.OnPost():
		return "post." + a.Kind
	case a.Kind == PurgeTopic:
		return "topic.purge" // not a message: the audit action
	}
	return "topic." + a.Kind
}

// Check validates what can be validated without the database: a known
// kind, the IDs it needs, the lengths of the texts. Apply calls it; the
// review queue may call it when a proposal is made.
func (a Action) Check() error {
	f := errs.Fields{}
	if !slices.Contains(Kinds, a.Kind) {
		f["kind"] = "mod.kind_unknown"
		return f
	}
	if a.OnPost() && a.PostID <= 0 {
		f["post_id"] = "mod.post_missing"
	}
	if !a.OnPost() && a.TopicID <= 0 {
		f["topic_id"] = "mod.topic_missing"
	}
	if utf8.RuneCountInString(a.Reason) > MaxReason {
		f["reason"] = "mod.reason_long"
	}
	switch a.Kind {
	case Hide:
		if strings.TrimSpace(a.Reason) == "" && a.CannedID == 0 {
			f["reason"] = "mod.reason_required"
		}
	case Edit:
		if strings.TrimSpace(a.Reason) == "" {
			f["reason"] = "mod.note_required"
		}
	case Pin:
		if a.Scope != "" && a.Scope != ScopeCategory && a.Scope != ScopeGlobal {
			f["scope"] = "mod.scope_invalid"
		}
	case Move:
		if a.CategoryID <= 0 {
			f["category_id"] = "mod.category_missing"
		}
	case Merge:
		if a.IntoTopicID <= 0 {
			f["into_topic_id"] = "mod.into_missing"
		} else if a.IntoTopicID == a.TopicID {
			f["into_topic_id"] = "mod.into_self"
		}
	case Split:
		if len(a.PostIDs) == 0 {
			f["post_ids"] = "mod.split_none"
		}
	case Owner:
		if strings.TrimSpace(a.Username) == "" {
			f["username"] = "mod.username_missing"
		}
	case Purge, PurgeTopic:
		if !a.Confirm {
			f["confirm"] = "mod.purge_confirm"
		}
	}
	return f.Err()
}

// Encode is the action as JSON, for storing a proposal.
func (a Action) Encode() string {
	b, _ := json.Marshal(a) // plain fields: cannot fail
	return string(b)
}

// Decode reads an action stored with Encode.
func Decode(s string) (Action, error) {
	var a Action
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		return Action{}, fmt.Errorf("decode moderation action: %w", err)
	}
	return a, nil
}

// Canned response kinds.
const (
	CannedReply = "reply" // a saved reply for the composer
	CannedHide  = "hide"  // a reason for hiding a post
)

// CannedResponse is a saved reply or hide reason in one language.
type CannedResponse struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	Language    string    `json:"language"`
	Title       string    `json:"title"`
	Body        string    `json:"body"`
	CreatedByID *int64    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ErrCannedNotFound is returned for a canned response that does not exist.
var ErrCannedNotFound = fmt.Errorf("canned response: %w", errs.NotFound)
