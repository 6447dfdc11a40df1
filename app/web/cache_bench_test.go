package web

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkPageCacheIndex keeps 20,000 topic pages in the page file, as a
// forum's visitors leave them, and reports what their index weighs in the
// Go heap a page (index-B/page): the heap live after a collection, less
// the heap before.
func BenchmarkPageCacheIndex(b *testing.B) {
	const pages = 20000
	page := []byte(body("a topic", 3500))
	for range b.N {
		pc := NewPageCache(1<<16, 128<<20, time.Minute)
		if err := pc.KeepInFile(b.TempDir(), nil); err != nil {
			b.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := range pages {
			gz := newGzPage(page, testToken, testNonce)
			pc.keep(fmt.Sprintf("en /t/a-topic-about-product-%d/%d/%d", i, 100000+i, 1+i%3),
				&cachedPage{status: 200, contentType: "text/html; charset=UTF-8", gz: gz,
					tags: []string{TopicTag(int64(100000 + i)), "category:3"}, seq: pc.Mark(), at: time.Now()})
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if pc.Len() != pages {
			b.Fatalf("%d pages kept, want %d", pc.Len(), pages)
		}
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/pages, "index-B/page")
		runtime.KeepAlive(pc)
		_ = pc.Close()
	}
}
