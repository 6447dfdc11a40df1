// Package reputation owns members' standing in the community: reputation
// points and the record of why each was earned, trust levels and what
// promotes members through them, badges, the days members visit, and the
// leaderboard. It follows discussions through the events app/topic
// publishes (it changes no topic or post) and publishes its own
// (BadgeGranted, TrustLevelChanged) for notifications.
//
// Points are kept as state, not as a tally of happenings: for a post, the
// rows of reputation_events are made to match what is true now (who reacts
// to it, whether it is the accepted answer, whether its topic is
// featured). So a job that runs twice, or late, or after the reaction was
// taken back, leaves the same rows, and users.reputation moves by exactly
// what was inserted or deleted, in the same transaction.
package reputation

import (
	"time"
)

// Kinds of reputation event: the rules table (Rules) gives each its
// points.
const (
	KindReaction = "reaction_received" // someone reacted to the member's post
	KindAccepted = "answer_accepted"   // the member's reply is a question's accepted answer
	KindFeatured = "post_featured"     // the topic the member started is featured
)

// Event is one reason a member has points.
type Event struct {
	ID        int64
	UserID    int64
	Kind      string
	Points    int
	PostID    int64
	TopicID   int64
	ActorID   int64
	CreatedAt time.Time
}

func (Event) TableName() string { return "reputation_events" }

// Award is a badge a member holds.
type Award struct {
	UserID    int64  `gorm:"primaryKey"`
	Badge     string `gorm:"primaryKey"`
	PostID    *int64
	GrantedAt time.Time
}

func (Award) TableName() string { return "user_badges" }

// Visit is a day (UTC, at midnight) on which a member came by.
type Visit struct {
	UserID int64     `gorm:"primaryKey"`
	Day    time.Time `gorm:"primaryKey"`
}

func (Visit) TableName() string { return "user_visits" }
