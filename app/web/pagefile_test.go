package web

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"hash/maphash"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const testToken, testNonce = "TOKEN0123456789abcdefghijklmnopq", "NONCEnonce0123456789abcd"

// fileCache is a page cache of budget bytes kept in a file of a fresh
// folder.
func fileCache(t *testing.T, budget int64, ttl time.Duration) (*PageCache, string) {
	t.Helper()
	dir := t.TempDir()
	pc := NewPageCache(1<<16, budget, ttl)
	if err := pc.KeepInFile(dir, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	return pc, dir
}

// cacheIn is a page cache of 1 MiB whose pages' bytes go to store: "file"
// (a fresh folder's) or "memory".
func cacheIn(t *testing.T, store string, ttl time.Duration) *PageCache {
	t.Helper()
	if store == "file" {
		pc, _ := fileCache(t, 1<<20, ttl)
		return pc
	}
	return NewPageCache(1<<16, 1<<20, ttl)
}

// body is key's page: text that does not compress much (hashes), so pages
// weigh about n bytes gzipped, with a token and a nonce to cut out.
func body(key string, n int) string {
	var b strings.Builder
	b.WriteString("<html nonce=\"" + testNonce + "\">" + key + "\n")
	for i := 0; b.Len() < n*2; i++ {
		fmt.Fprintf(&b, "%x\n", sha256.Sum256([]byte(fmt.Sprint(key, i))))
	}
	b.WriteString("<input value=\"" + testToken + "\"></html>")
	return b.String()
}

// placeOf is where key's page is kept, if it is.
func (pc *PageCache) placeOf(key string) (place, bool) {
	pc.indexMu.Lock()
	defer pc.indexMu.Unlock()
	p, ok := pc.index[maphash.String(pc.seed, key)]
	return p, ok
}

func keepPage(pc *PageCache, key, page string, seq uint64, tags ...string) {
	pc.keep(key, &cachedPage{status: 200, contentType: "text/html", gz: newGzPage([]byte(page), testToken, testNonce),
		tags: tags, seq: seq, at: time.Now()})
}

// served is key's page as a visitor would get it ("" when not served),
// with the token and nonce given back.
func served(t *testing.T, pc *PageCache, key string) string {
	t.Helper()
	e, done, ok := pc.lookup(key)
	if !ok {
		return ""
	}
	defer done()
	var buf bytes.Buffer
	if err := e.gz.plain(&buf, testToken, testNonce); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return buf.String()
}

// The pages' bytes go to the file, not the heap, and come back whole.
func TestPageFileKeepsPagesOutOfTheHeap(t *testing.T) {
	pc, _ := fileCache(t, 1<<20, time.Minute)
	page := body("/t/a/1", 4000)
	keepPage(pc, "en /t/a/1", page, pc.Mark(), TopicTag(1))
	p, ok := pc.placeOf("en /t/a/1")
	if !ok || len(pc.memory) != 0 || p.n < 3000 || pc.file.head.Load() != int64(p.n) {
		t.Fatalf("kept page: found %v, %d pages' bytes in memory, %d bytes in the file (its head at %d)", ok, len(pc.memory), p.n, pc.file.head.Load())
	}
	if got := served(t, pc, "en /t/a/1"); got != page {
		t.Errorf("the page read back from the file differs (%d bytes, want %d)", len(got), len(page))
	}
}

// A page kept in the file is dropped exactly as one kept in memory: by a
// change to one of its tags or to everything, when a change came while it
// was rendered, and after the ttl; a change to another tag leaves it.
func TestPageFileInvalidation(t *testing.T) {
	for _, store := range []string{"file", "memory"} {
		pc := cacheIn(t, store, time.Minute)
		page := body("p", 500)
		keepPage(pc, "a", page, pc.Mark(), TopicTag(1), TagLists)
		keepPage(pc, "b", page, pc.Mark(), TopicTag(2))
		pc.Invalidate(TopicTag(3))
		if served(t, pc, "a") != page || served(t, pc, "b") != page {
			t.Errorf("%s: a change to another topic dropped a page", store)
		}
		pc.Invalidate(TagLists)
		if served(t, pc, "a") != "" || served(t, pc, "b") != page {
			t.Errorf("%s: a change to the lists must drop the page tagged lists and only it", store)
		}
		// Rendering began before a change to its topic: never served.
		mark := pc.Mark()
		pc.Invalidate(TopicTag(1))
		keepPage(pc, "a", page, mark, TopicTag(1))
		if served(t, pc, "a") != "" {
			t.Errorf("%s: a page rendered across a change was served", store)
		}
		keepPage(pc, "a", page, pc.Mark(), TopicTag(1))
		pc.Invalidate()
		if served(t, pc, "a") != "" || served(t, pc, "b") != "" {
			t.Errorf("%s: a change naming nothing must drop every page", store)
		}
		short := cacheIn(t, store, 20*time.Millisecond)
		keepPage(short, "a", page, short.Mark())
		if served(t, short, "a") != page {
			t.Errorf("%s: a fresh page was not served", store)
		}
		time.Sleep(30 * time.Millisecond)
		if served(t, short, "a") != "" {
			t.Errorf("%s: a page older than the ttl was served", store)
		}
	}
}

// The file is a ring: once it wraps, the oldest pages leave the index as
// their bytes are reused, the newest stay whole, and the cache never
// weighs more than its budget.
func TestPageFileWrapsAround(t *testing.T) {
	const budget = 64 << 10
	pc, _ := fileCache(t, budget, time.Minute)
	pages := map[string]string{}
	for i := 0; i < 60; i++ { // about 3.5 KB each: some 18 fit
		key := fmt.Sprintf("en /t/x/%d", i)
		pages[key] = body(key, 3500)
		keepPage(pc, key, pages[key], pc.Mark(), TopicTag(int64(i)))
		if pc.Bytes() > budget {
			t.Fatalf("after %d pages the cache weighs %d bytes, over its budget of %d", i+1, pc.Bytes(), budget)
		}
	}
	if n := pc.Len(); n < 10 || n >= 20 {
		t.Errorf("%d pages kept of 60 in a ring of %d bytes, want 10 to 19", n, budget)
	}
	for i := 0; i < 60; i++ {
		key := fmt.Sprintf("en /t/x/%d", i)
		got := served(t, pc, key)
		switch {
		case i < 40 && got != "":
			t.Errorf("page %d of 60 was served after the ring wrapped over it", i)
		case i >= 55 && got != pages[key]:
			t.Errorf("page %d of 60, one of the newest, was not served whole", i)
		case got != "" && got != pages[key]:
			t.Errorf("page %d of 60 came back as another page's bytes", i)
		}
	}
	// A page replaced by a newer rendering is served as the newer one.
	key := "en /t/x/59"
	newer := body(key+" again", 3500)
	keepPage(pc, key, newer, pc.Mark())
	if served(t, pc, key) != newer {
		t.Errorf("a replaced page was not served as its newer rendering")
	}
}

// A restart starts with an empty cache: nothing of the file a previous
// server left is read, a leftover of one is removed, and the file in use
// has no name in the folder.
func TestPageFileRestartWithStaleFile(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "page-cache-123.tmp")
	if err := os.WriteFile(stale, bytes.Repeat([]byte("stale page "), 10000), 0o600); err != nil {
		t.Fatal(err)
	}
	pc := NewPageCache(1<<16, 1<<20, time.Minute)
	if err := pc.KeepInFile(dir, nil); err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if pc.Len() != 0 || served(t, pc, "en /t/a/1") != "" {
		t.Errorf("a new cache served a page it did not keep")
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 0 {
		t.Errorf("files left in the data folder: %v, want none", left)
	}
	page := body("fresh", 2000)
	keepPage(pc, "en /t/a/1", page, pc.Mark())
	if served(t, pc, "en /t/a/1") != page {
		t.Errorf("the new cache did not serve its own page")
	}
	// A folder the file cannot be made in fails the start, naming what to check.
	err := NewPageCache(16, 1<<20, time.Minute).KeepInFile(filepath.Join(dir, "missing"), nil)
	if err == nil || !strings.Contains(err.Error(), "[data] dir") || !strings.Contains(err.Error(), "page_cache_store") {
		t.Errorf("no folder: got %v, want an error naming [data] dir and page_cache_store", err)
	}
}

// Readers and writers at once on a ring that wraps all the time: a reader
// gets its key's page whole or a miss, never another page's bytes (run
// with -race).
func TestPageFileConcurrent(t *testing.T) {
	pc, _ := fileCache(t, 32<<10, time.Minute)
	const keys = 40
	pages := make([]string, keys)
	for i := range pages {
		pages[i] = body(fmt.Sprint("page ", i), 1000+50*i)
	}
	// The readers read for as long as the writers write (and 600 times at
	// least), so the two overlap however the goroutines are scheduled.
	var writers, readers sync.WaitGroup
	written := make(chan struct{})
	var mu sync.Mutex
	hits := 0
	for w := 0; w < 4; w++ {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := 0; i < 300; i++ {
				k := (i*7 + w) % keys
				keepPage(pc, fmt.Sprint(k), pages[k], pc.Mark(), TopicTag(int64(k)))
				if i%50 == 0 {
					pc.Invalidate(TopicTag(int64(k)))
				}
			}
		}()
		readers.Add(1)
		go func() {
			defer readers.Done()
			for i := 0; ; i++ {
				select {
				case <-written:
					if i >= 600 {
						return
					}
				default:
				}
				k := (i*13 + w) % keys
				got := served(t, pc, fmt.Sprint(k))
				if got != "" && got != pages[k] {
					t.Errorf("key %d served %d bytes that are not its page", k, len(got))
					return
				}
				if got != "" {
					mu.Lock()
					hits++
					mu.Unlock()
				}
			}
		}()
	}
	writers.Wait()
	close(written)
	readers.Wait()
	if hits == 0 {
		t.Errorf("no reader got a page: the test shows nothing")
	}
}

// What a reader holds a place for may be reused before it reads: the file
// says so rather than give another page's bytes.
func TestPageFileReadAfterReuse(t *testing.T) {
	pf, err := openPageFile(t.TempDir(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.close()
	a := bytes.Repeat([]byte("a"), 400)
	off, err := pf.write(a)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, len(a))
	if ok, err := pf.read(b, off); !ok || err != nil || !bytes.Equal(b, a) {
		t.Fatalf("read back: %v %v", ok, err)
	}
	// 400 + 400 fit; the third 400 starts the next lap, over "a".
	for _, k := range []string{"b", "c"} {
		if _, err := pf.write(bytes.Repeat([]byte(k), 400)); err != nil {
			t.Fatal(err)
		}
	}
	if ok, _ := pf.read(b, off); ok {
		t.Errorf("a page whose bytes were reused was read as intact: %q...", b[:8])
	}
	if _, err := pf.write(make([]byte, 1001)); err == nil {
		t.Errorf("a page larger than the file was written")
	}
}

// Every page whose bytes the ring still holds whole stays served: the
// ring alone makes room in the file (counting the index's memory against
// the file's size made one page leave early, and the ring then took the
// next one too).
func TestPageFileKeepsWhatItHolds(t *testing.T) {
	const budget = 64 << 10
	pc, _ := fileCache(t, budget, time.Minute)
	offs := map[string]int64{}
	for i := 0; i < 60; i++ {
		key := fmt.Sprintf("en /t/x/%d", i)
		keepPage(pc, key, body(key, 3500), pc.Mark(), TopicTag(int64(i)))
		if p, ok := pc.placeOf(key); ok {
			offs[key] = p.off
		}
	}
	for key, off := range offs {
		if whole := pc.file.intact(off); whole && served(t, pc, key) == "" {
			t.Errorf("%s is whole in the file but was not served", key)
		}
	}
}

// The index holds a hash of each key, not the key: a key whose hash
// finds another key's page gets a miss, never that page, and the page
// stays served for its own key.
func TestPageIndexSameHash(t *testing.T) {
	for _, store := range []string{"file", "memory"} {
		pc := cacheIn(t, store, time.Minute)
		page := body("a", 2000)
		keepPage(pc, "en /t/a/1", page, pc.Mark(), TopicTag(1))
		p, _ := pc.placeOf("en /t/a/1")
		pc.indexMu.Lock()
		pc.index[maphash.String(pc.seed, "en /t/b/2")] = p // as if the two keys hashed alike
		pc.indexMu.Unlock()
		if got := served(t, pc, "en /t/b/2"); got != "" {
			t.Errorf("%s: a key whose hash found another key's page was served it", store)
		}
		if served(t, pc, "en /t/a/1") != page {
			t.Errorf("%s: the page was no longer served for its own key", store)
		}
	}
}

// Bytes cut anywhere, or not a kept page's at all, are a miss, never a
// page nor a panic, and leave the index.
func TestPageIndexBadBytes(t *testing.T) {
	pc := NewPageCache(1<<16, 1<<20, time.Minute)
	keepPage(pc, "a", body("a", 500), pc.Mark(), TopicTag(1), TagLists)
	p, _ := pc.placeOf("a")
	whole := pc.memory[p.off]
	cases := [][]byte{nil, []byte("not a page"), bytes.Repeat([]byte{0xff}, 40)}
	for n := 1; n < len(whole); n += max(1, n/4) {
		cases = append(cases, whole[:n])
	}
	for _, b := range cases {
		pc.indexMu.Lock()
		pc.index[maphash.String(pc.seed, "a")] = place{off: p.off, n: int32(len(b))}
		pc.memory[p.off] = b
		pc.indexMu.Unlock()
		if got := served(t, pc, "a"); got != "" {
			t.Fatalf("%d bytes of %d served as a page", len(b), len(whole))
		}
	}
	if pc.Len() != 0 {
		t.Errorf("%d pages left in the index after bad bytes, want 0", pc.Len())
	}
}
