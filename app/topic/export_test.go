package topic

import "context"

// PostColumns are the columns a page reads of a post, for the test that
// holds them to the Post type.
const PostColumns = postColumns

// FlushViewsPer is FlushViews writing per topics a transaction.
func (s *Service) FlushViewsPer(ctx context.Context, per int) error { return s.flushViews(ctx, per) }

// CountView counts a view of a topic, as showing its page does.
func (s *Service) CountView(id int64) { s.views.add(id) }

// KeepSharedInMemory sets how many pages' shared part the apps built
// afterwards keep decoded in memory, until the test ends.
func KeepSharedInMemory(t interface{ Cleanup(func()) }, n int) {
	was := sharedInMemory
	sharedInMemory = n
	t.Cleanup(func() { sharedInMemory = was })
}

// TopicColumns are the columns Store.Topic reads, for the test that holds
// them to the Topic type.
const TopicColumns = topicColumns
