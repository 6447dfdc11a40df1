package event

// The events of discussions. Each carries IDs; a subscriber loads what it
// needs, so it sees the state of things when it runs.

// PostCreated: a post was published (Number 1 starts a topic).
type PostCreated struct {
	PostID, TopicID, UserID int64
	Number                  int
	// ReplyToUserID is the author of the post answered, if any.
	ReplyToUserID int64
	Mentions      []string // usernames, lowercased
	Quotes        []int64  // IDs of quoted posts
}

func (PostCreated) EventName() string { return "post.created" }

// PostEdited: a post's text changed (a revision was kept).
type PostEdited struct{ PostID, TopicID, UserID int64 }

func (PostEdited) EventName() string { return "post.edited" }

// PostDeleted: a post was deleted (softly) by UserID.
type PostDeleted struct{ PostID, TopicID, UserID int64 }

func (PostDeleted) EventName() string { return "post.deleted" }

// PostRestored: a deleted post came back.
type PostRestored struct{ PostID, TopicID, UserID int64 }

func (PostRestored) EventName() string { return "post.restored" }

// ReactionAdded: UserID reacted to AuthorID's post.
type ReactionAdded struct {
	PostID, TopicID, UserID, AuthorID int64
	Kind                              string
}

func (ReactionAdded) EventName() string { return "reaction.added" }

// ReactionRemoved: UserID took a reaction back.
type ReactionRemoved struct {
	PostID, TopicID, UserID, AuthorID int64
	Kind                              string
}

func (ReactionRemoved) EventName() string { return "reaction.removed" }

// AnswerAccepted: UserID marked AuthorID's post as the accepted answer.
type AnswerAccepted struct{ PostID, TopicID, UserID, AuthorID int64 }

func (AnswerAccepted) EventName() string { return "answer.accepted" }

// AnswerUnaccepted: the accepted-answer mark left PostID (taken away, or
// moved to another reply).
type AnswerUnaccepted struct{ PostID, TopicID, UserID int64 }

func (AnswerUnaccepted) EventName() string { return "answer.unaccepted" }
