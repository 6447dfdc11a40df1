package web

import (
	"strconv"
	"testing"
	"time"
)

// Many drops within ttl (a busy forum: every reply drops its topic) are
// all remembered, each still keeps its topic's older data out, and the
// drops past ttl are forgotten, so the map stays within twice what the
// last ttl dropped.
func TestInvalidateManyTopics(t *testing.T) {
	pc := NewPageCache(16, 1<<20, time.Hour)
	mark, at := pc.Mark(), time.Now()
	const n = 3 * keptDrops
	for i := range n {
		pc.Invalidate(TopicTag(int64(i)))
	}
	for i := range n {
		if pc.Fresh(mark, at, TopicTag(int64(i))) {
			t.Fatalf("topic %d: data read before its drop is still fresh", i)
		}
	}
	if pc.Fresh(mark, at, TopicTag(n)) != true {
		t.Error("a topic never dropped is no longer fresh")
	}
	if got := len(pc.dropped); got != n {
		t.Errorf("%d drops remembered within ttl, want %d", got, n)
	}

	// With drops that expire at once, the map never outgrows its floor
	// by more than what one pruning leaves.
	short := NewPageCache(16, 1<<20, time.Nanosecond)
	for i := range n {
		short.Invalidate("topic:" + strconv.Itoa(i))
		if len(short.dropped) > keptDrops+1 {
			t.Fatalf("after %d drops: %d remembered, want at most %d", i+1, len(short.dropped), keptDrops+1)
		}
	}
}
