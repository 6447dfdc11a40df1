package search

import (
	"container/list"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The same few hundred queries make most of a forum's searches. A page of
// results is kept for a little while, for the readers who may read the
// same categories, and dropped as soon as anything is written to the
// index (gen moves on) or after cacheTTL (category names, shown in the
// results, may change without the index knowing).
const (
	cacheSize = 512
	cacheTTL  = time.Minute
)

type cacheEntry struct {
	key string
	gen uint64
	at  time.Time
	res *Results
}

// resultCache is a small LRU of pages of results.
type resultCache struct {
	mu    sync.Mutex
	order *list.List // front: most recently used
	byKey map[string]*list.Element
}

func newResultCache() *resultCache {
	return &resultCache{order: list.New(), byKey: map[string]*list.Element{}}
}

// cacheKey names a search: what was asked, the page, and the categories
// the reader may read (readers with the same rights share answers).
func cacheKey(q *Query, page int, readable []int64) string {
	var b strings.Builder
	b.WriteString(q.Sort)
	b.WriteByte('|')
	b.WriteString(strconv.Itoa(page))
	b.WriteByte('|')
	b.WriteString(strconv.FormatInt(q.TopicID, 10))
	b.WriteByte('|')
	for _, id := range readable {
		b.WriteString(strconv.FormatInt(id, 10))
		b.WriteByte(',')
	}
	b.WriteByte('|')
	b.WriteString(q.Raw)
	return b.String()
}

// get returns the kept answer for key if the index has not changed since
// (gen) and it is recent enough.
func (c *resultCache) get(key string, gen uint64, now time.Time) *Results {
	c.mu.Lock()
	defer c.mu.Unlock()
	el := c.byKey[key]
	if el == nil {
		return nil
	}
	e := el.Value.(*cacheEntry)
	if e.gen != gen || now.Sub(e.at) > cacheTTL {
		c.order.Remove(el)
		delete(c.byKey, key)
		return nil
	}
	c.order.MoveToFront(el)
	return e.res
}

func (c *resultCache) put(key string, gen uint64, now time.Time, res *Results) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el := c.byKey[key]; el != nil {
		el.Value = &cacheEntry{key: key, gen: gen, at: now, res: res}
		c.order.MoveToFront(el)
		return
	}
	c.byKey[key] = c.order.PushFront(&cacheEntry{key: key, gen: gen, at: now, res: res})
	for c.order.Len() > cacheSize {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*cacheEntry).key)
	}
}
