package event

// The events of the review queue.

// MemberNotice: staff decided something about a member's content or
// account, and the member is told, with the reason, in their language.
// Message is a locale message ID taking {{.Reason}} (and {{.Title}});
// Key names the decision, so a job that runs twice tells them once.
type MemberNotice struct {
	UserID  int64
	ActorID int64 // 0 for the system (a flag threshold)
	Message string
	Reason  string
	Title   string // the topic's title, when the notice is about a post
	URL     string // where to see it: the post, or the queue item
	Key     string
}

func (MemberNotice) EventName() string { return "member.notice" }

// ReviewDecided: a review queue item was decided. Subscribers that keep
// figures (reports, trust levels) read the outcome from it.
type ReviewDecided struct {
	ItemID, ActorID, SubjectID, PostID int64
	Kind, Outcome                      string
}

func (ReviewDecided) EventName() string { return "review.decided" }
