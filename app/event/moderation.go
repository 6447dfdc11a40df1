package event

// The events of moderation. A held post publishes nothing: PostCreated is
// published when it is approved, so notifications, mail, search, feeds and
// plugins all learn of it then and not before.

// ContentChanged: moderation changed what readers may see of a topic:
// posts hidden, shown again, approved, moved, merged, split; the topic
// closed, moved to another category, its owner changed. PostIDs lists the
// posts touched; empty means the whole topic (its title, its category or
// every post). Search reindexes them; caches drop them.
type ContentChanged struct {
	TopicID int64
	PostIDs []int64
	ActorID int64
	Action  string // the audit action: "post.hide", "topic.move"…
}

func (ContentChanged) EventName() string { return "content.changed" }

// TopicRemoved: a topic no longer exists as such (merged into another, or
// purged): its documents leave the search index and the caches.
type TopicRemoved struct{ TopicID, IntoTopicID, ActorID int64 }

func (TopicRemoved) EventName() string { return "topic.removed" }

// TopicFeatured: staff featured a topic, the highlight that plugins mirror
// to social networks.
type TopicFeatured struct{ TopicID, PostID, ActorID int64 }

func (TopicFeatured) EventName() string { return "topic.featured" }

// PostPurged: an administrator deleted a post for good.
type PostPurged struct{ PostID, TopicID, ActorID int64 }

func (PostPurged) EventName() string { return "post.purged" }
