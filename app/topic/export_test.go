package topic

// PostColumns are the columns a page reads of a post, for the test that
// holds them to the Post type.
const PostColumns = postColumns

// TopicColumns are the columns Store.Topic reads, for the test that holds
// them to the Topic type.
const TopicColumns = topicColumns
