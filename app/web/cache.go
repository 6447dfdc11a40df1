package web

import (
	"bytes"
	"hash/maphash"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// PageCache keeps the pages visitors who are not logged in see, so the
// busiest pages of a forum (topics and lists read by passers-by) are
// rendered once, not once per visitor.
//
// Correctness first. Every page is kept with tags naming what it shows
// (CacheTags: "topic:12", "lists"). A state-changing request that succeeds
// on this node drops the pages of the tags its handler names with Changed,
// or every page when it names none, so no visitor is shown a page from
// before a change made here; subscribers of background events call
// Invalidate the same way. A page whose rendering began before a drop of
// one of its tags is never served. Entries also expire after ttl, which
// bounds how stale a page can be after a change made by another node or by
// a background job that announces nothing; the scale-out work adds a
// cross-node signal.
//
// Pages are kept gzipped, cut where the CSRF token and the script nonce go:
// each response gets its own token and nonce, written in as stored deflate
// blocks, so a client that accepts gzip gets the kept bytes with no
// compression work (see gzpage.go). Kept gzipped, about ten times as many
// pages fit in the budget.
//
// Where the kept bytes go is [server] page_cache_store: a file of the data
// folder by default (pagefile.go), read back on each hit, so the pages
// weigh on the system's file cache instead of the server's memory; or the
// Go heap. Either way a page's bytes begin with everything that decides
// whether it may be served (its key, tags, seq and time: keptpage.go), and
// the index in memory holds only a hash of each key and where its bytes
// are: some 100 bytes a page with the map's slack, where keeping keys,
// tags and an LRU's links took 480 and, for tens of thousands of pages,
// made the index a third of the heap live under load (docs/benchmarks.md,
// "Memory, session 13").
type PageCache struct {
	ttl        time.Duration
	start      time.Time // kept pages' times are counted from it
	seed       maphash.Seed
	hits, miss atomic.Uint64
	// bytes is what the kept pages weigh; past budget the oldest go, so the
	// cache never grows the server's memory past it.
	bytes  atomic.Int64
	budget int64
	size   int // pages kept at most

	mu  sync.RWMutex
	seq uint64
	// dropped is, per tag, the seq at which its pages were last dropped
	// and when; the tag "" stands for every page.
	dropped map[string]drop
	// pruneAt is the size of dropped past which Invalidate forgets the
	// drops older than ttl: twice what the last pruning left (at least
	// keptDrops), so that a busy forum, whose drops of the last ttl are
	// many (every reply drops its topic), walks the map now and then
	// rather than on every change.
	pruneAt int

	// index is the kept pages by their key's hash; order is where they
	// were written, oldest first, for making room (order[:first] are
	// gone, and an entry whose page was replaced since is skipped). Both
	// are guarded by indexMu, which a write holds until its page is in
	// the index, so order follows the file.
	indexMu sync.Mutex
	index   map[uint64]place
	order   []placed
	first   int
	next    int64 // the next place in memory, when there is no file

	flightMu sync.Mutex
	flight   map[string]*flight

	file *pageFile // nil: the pages' bytes are kept in memory
	// memory holds the pages' bytes by place when there is no file.
	memory map[int64][]byte
	log    *slog.Logger
	// fileFailed keeps a failing file (a full disk) from filling the log:
	// pages are then rendered for every visitor, which the hit rate shows.
	fileFailed atomic.Bool
}

// place is where a kept page's bytes are: logically in the file (bytes
// ever written, see pageFile), or its key in memory.
type place struct {
	off int64
	n   int32
}

// placed is a page in the order written.
type placed struct {
	hash uint64
	off  int64
}

// keptDrops is the size of dropped below which nothing is pruned.
const keptDrops = 4096

type drop struct {
	seq uint64
	at  time.Time
}

// flight is a miss being rendered: requests for the same page wait for
// it rather than render it again (a busy topic just changed).
type flight struct {
	done chan struct{}
	page *cachedPage
}

// cachedPage is a page as rendered, or as read back from its kept bytes.
type cachedPage struct {
	gz          gzPage
	contentType string
	tags        []string // nil when read back: its bytes hold them
	seq         uint64   // the cache's seq when rendering began
	at          time.Time
	status      int
}

const (
	ctxCacheTags = "causerie.cache_tags"
	ctxChanged   = "causerie.changed"
	// TagLists is the tag of pages that list topics (home, latest,
	// categories, tags): nearly any change to a topic shows there.
	TagLists = "lists"
)

// NewPageCache keeps up to size pages, weighing at most budget bytes in
// all, for ttl.
func NewPageCache(size int, budget int64, ttl time.Duration) *PageCache {
	return &PageCache{ttl: ttl, start: time.Now(), seed: maphash.MakeSeed(), budget: budget, size: size,
		dropped: map[string]drop{}, pruneAt: keptDrops, flight: map[string]*flight{},
		index: map[uint64]place{}, memory: map[int64][]byte{}}
}

// KeepInFile keeps the pages' bytes in a file made in dir, of the cache's
// budget, instead of the heap; log hears once of a failing file. Close
// releases it.
func (pc *PageCache) KeepInFile(dir string, log *slog.Logger) error {
	f, err := openPageFile(dir, pc.budget)
	if err != nil {
		return err
	}
	pc.file, pc.log, pc.memory = f, log, nil
	return nil
}

// Close releases the file of the pages, when they are kept in one.
func (pc *PageCache) Close() error {
	if pc.file == nil {
		return nil
	}
	return pc.file.close()
}

// TopicTag is the tag of the pages that show topic id.
func TopicTag(id int64) string { return "topic:" + strconv.FormatInt(id, 10) }

// Invalidate drops the pages of the given tags, or every page when given
// none.
func (pc *PageCache) Invalidate(tags ...string) {
	if len(tags) == 0 {
		tags = []string{""}
	}
	now := time.Now()
	pc.mu.Lock()
	pc.seq++
	for _, t := range tags {
		pc.dropped[t] = drop{seq: pc.seq, at: now}
	}
	if len(pc.dropped) > pc.pruneAt {
		// A drop older than ttl can only concern expired pages.
		for t, d := range pc.dropped {
			if t != "" && now.Sub(d.at) > pc.ttl {
				delete(pc.dropped, t)
			}
		}
		pc.pruneAt = max(keptDrops, 2*len(pc.dropped))
	}
	pc.mu.Unlock()
}

// current is the seq a rendering starting now is kept with.
func (pc *PageCache) current() uint64 {
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	return pc.seq
}

// fresh says whether e, as rendered, may be served: not expired, and none
// of its tags dropped since its rendering began.
func (pc *PageCache) fresh(e *cachedPage) bool { return pc.Fresh(e.seq, e.at, e.tags...) }

// Mark is where the cache's changes stand now. Data read after it, about
// the given tags, may be kept beside the pages by the same rule: see Fresh.
func (pc *PageCache) Mark() uint64 { return pc.current() }

// Fresh says whether data whose reading began at mark, at time at, and
// which shows what tags name, may still be used: none of its tags (nor
// everything) dropped since, and younger than the pages' ttl. Other caches
// of what pages show (the topic page's posts) follow the pages' signal so.
func (pc *PageCache) Fresh(mark uint64, at time.Time, tags ...string) bool {
	if time.Since(at) >= pc.ttl {
		return false
	}
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	if d, ok := pc.dropped[""]; ok && d.seq > mark {
		return false
	}
	for _, t := range tags {
		if d, ok := pc.dropped[t]; ok && d.seq > mark {
			return false
		}
	}
	return true
}

// KeepData keeps bytes that are not a page beside the pages: what a
// topic's page shows every member alike, say (app/topic/shared.go). They
// go where the pages' bytes go, under the same budget, and Data gives
// them back by the pages' rule: while fresh (see Fresh) for mark, at and
// tags. The cache keeps data, which the caller must not change after.
func (pc *PageCache) KeepData(key string, mark uint64, at time.Time, tags []string, data []byte) {
	pc.keep(dataKey(key), &cachedPage{gz: gzPage{data: data}, tags: tags, seq: mark, at: at})
}

// Data appends the bytes kept under key to dst, if they may still be used.
func (pc *PageCache) Data(key string, dst []byte) ([]byte, bool) {
	e, done, ok := pc.lookup(dataKey(key))
	if !ok {
		return dst, false
	}
	defer done()
	return append(dst, e.gz.data...), true
}

// dataKey sets data's keys apart from the pages', which start with a
// language.
func dataKey(key string) string { return "\x00" + key }

// Stats says how many requests were served from the cache and how many not.
func (pc *PageCache) Stats() (hits, misses uint64) { return pc.hits.Load(), pc.miss.Load() }

// Bytes is what the kept pages weigh now.
func (pc *PageCache) Bytes() int64 { return pc.bytes.Load() }

// Len is how many pages are kept (some may be stale, waiting to be
// replaced or evicted).
func (pc *PageCache) Len() int {
	pc.indexMu.Lock()
	defer pc.indexMu.Unlock()
	return len(pc.index)
}

// CacheTags names what the page being rendered shows, so that a change to
// any of them drops it. A page with no tags is dropped by every change.
func CacheTags(c echo.Context, tags ...string) {
	old, _ := c.Get(ctxCacheTags).([]string)
	c.Set(ctxCacheTags, append(old, tags...))
}

// Changed names what a state-changing request changed, so that only the
// visitors' pages showing it are dropped. A request that names nothing
// drops every page.
func Changed(c echo.Context, tags ...string) {
	old, _ := c.Get(ctxChanged).([]string)
	c.Set(ctxChanged, append(old, tags...))
}

// unchanging are the state-changing paths that change nothing a visitor
// sees, so they leave the cache alone.
var unchanging = map[string]bool{"/login": true, "/logout": true, "/language": true, "/preview": true, "/drafts": true,
	"/register": true, "/password/forgot": true, "/confirm": true, "/uploads": true, "/api/v1/uploads": true}

// watchWrites drops the visitors' pages a state-changing request that
// succeeded has changed: those of the tags its handler named, or all.
func (pc *PageCache) watchWrites(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return err
		}
		if err == nil && c.Response().Status < 400 && !unchanging[c.Request().URL.Path] {
			tags, _ := c.Get(ctxChanged).([]string)
			if len(tags) == 0 {
				pc.Invalidate()
			} else {
				pc.Invalidate(tags...)
			}
		}
		return err
	}
}

// Cached serves a route from the cache to visitors who are not logged in.
func (pc *PageCache) Cached(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodGet || Viewer(c).LoggedIn() || hasCookie(r, "flash") {
			return next(c)
		}
		token, nonce := CSRFToken(c), Nonce(c)
		if token == "" || nonce == "" {
			return next(c)
		}
		key := Language(c) + " " + r.URL.RequestURI()
		if e, done, ok := pc.lookup(key); ok {
			defer done()
			pc.hits.Add(1)
			c.Response().Header().Set("X-Cache", "hit")
			return pc.serve(c, e, token, nonce)
		}
		pc.miss.Add(1)
		// Another request is rendering this page: wait for it, and take its
		// page if no change came in the meantime.
		pc.flightMu.Lock()
		if f, ok := pc.flight[key]; ok {
			pc.flightMu.Unlock()
			select {
			case <-f.done:
			case <-r.Context().Done():
				return r.Context().Err()
			}
			if f.page != nil && pc.fresh(f.page) {
				return pc.serve(c, f.page, token, nonce)
			}
			return pc.render(c, next, key, token, nonce, nil)
		}
		f := &flight{done: make(chan struct{})}
		pc.flight[key] = f
		pc.flightMu.Unlock()
		defer func() {
			pc.flightMu.Lock()
			delete(pc.flight, key)
			pc.flightMu.Unlock()
			close(f.done)
		}()
		return pc.render(c, next, key, token, nonce, f)
	}
}

// render runs the handler, keeps its page when it may be kept, and
// answers this request.
func (pc *PageCache) render(c echo.Context, next echo.HandlerFunc, key, token, nonce string, f *flight) error {
	seq := pc.current()
	res := c.Response()
	rec := &recorder{ResponseWriter: res.Writer}
	res.Writer = rec
	err := next(c)
	res.Writer = rec.ResponseWriter
	h := res.Header()
	if err != nil || res.Status != http.StatusOK || !strings.HasPrefix(h.Get(echo.HeaderContentType), echo.MIMETextHTML) ||
		h.Get("Set-Cookie") != "" && hasSessionCookie(h) || h.Get(echo.HeaderContentEncoding) != "" {
		return rec.flush(err)
	}
	tags, _ := c.Get(ctxCacheTags).([]string)
	e := &cachedPage{status: res.Status, contentType: h.Get(echo.HeaderContentType),
		gz: newGzPage(rec.buf.Bytes(), token, nonce), tags: tags, seq: seq, at: time.Now()}
	pc.keep(key, e)
	if f != nil {
		f.page = e // the waiters take it from memory, whatever the file does
	}
	return pc.serve(c, e, token, nonce)
}

// keep adds a rendered page, its bytes in the file when there is one,
// and makes room for it: in the file, the pages whose bytes it overwrote
// leave; in memory, the oldest leave while the cache weighs more than its
// budget. Either way the oldest leave past size pages.
func (pc *PageCache) keep(key string, e *cachedPage) {
	r := readPool.Get().(*readPage)
	defer readPool.Put(r)
	r.buf = encodeKept(r.buf[:0], key, e, pc.start)
	b := r.buf
	if int64(len(b))+128 > pc.budget/16 { // one page may not crowd out the others
		return
	}
	h := maphash.String(pc.seed, key)
	pc.indexMu.Lock()
	defer pc.indexMu.Unlock()
	var off int64
	if pc.file != nil {
		var err error
		if off, err = pc.file.write(b); err != nil {
			if !pc.fileFailed.Swap(true) && pc.log != nil {
				pc.log.Warn("page cache: pages are no longer kept", "error", err)
			}
			return
		}
	} else {
		off = pc.next
		pc.next += int64(len(b))
		pc.memory[off] = bytes.Clone(b)
	}
	if old, ok := pc.index[h]; ok {
		pc.forget(h, old)
	}
	pc.index[h] = place{off: off, n: int32(len(b))}
	pc.bytes.Add(int64(len(b)))
	pc.order = append(pc.order, placed{hash: h, off: off})
	for pc.first < len(pc.order) {
		p := pc.order[pc.first]
		if cur, ok := pc.index[p.hash]; ok && cur.off == p.off {
			overwritten := pc.file != nil && !pc.file.intact(p.off)
			over := len(pc.index) > pc.size || pc.file == nil && pc.bytes.Load() > pc.budget
			if !overwritten && !over || p.off == off { // the newest page stays, even alone
				break
			}
			pc.forget(p.hash, cur)
		}
		pc.order[pc.first] = placed{}
		pc.first++
	}
	// Replaced pages leave entries behind in order: past twice the pages
	// kept, what is left of it is copied without them.
	if pc.first > 1024 && pc.first*2 > len(pc.order) || len(pc.order)-pc.first > 2*len(pc.index)+1024 {
		live := pc.order[:0]
		for _, p := range pc.order[pc.first:] {
			if cur, ok := pc.index[p.hash]; ok && cur.off == p.off {
				live = append(live, p)
			}
		}
		clear(pc.order[len(live):])
		pc.order, pc.first = live, 0
	}
}

// forget drops the page at p from the index (under indexMu).
func (pc *PageCache) forget(h uint64, p place) {
	delete(pc.index, h)
	delete(pc.memory, p.off)
	pc.bytes.Add(-int64(p.n))
}

// unindex forgets the page at p unless another took its key meanwhile.
func (pc *PageCache) unindex(h uint64, p place) {
	pc.indexMu.Lock()
	defer pc.indexMu.Unlock()
	if cur, ok := pc.index[h]; ok && cur == p {
		pc.forget(h, p)
	}
}

// lookup finds key's page when it may be served, read from its kept
// bytes: in memory, or from the file into a pooled buffer that done gives
// back. A page whose bytes the file reused meanwhile, or which may no
// longer be served, leaves the index: a miss.
func (pc *PageCache) lookup(key string) (page *cachedPage, done func(), ok bool) {
	h := maphash.String(pc.seed, key)
	pc.indexMu.Lock()
	p, ok := pc.index[h]
	b := pc.memory[p.off]
	pc.indexMu.Unlock()
	if !ok {
		return nil, nil, false
	}
	r := readPool.Get().(*readPage)
	done = func() { readPool.Put(r) }
	if pc.file != nil {
		r.buf = slices.Grow(r.buf[:0], int(p.n))[:p.n]
		intact, err := pc.file.read(r.buf, p.off)
		if err != nil && !pc.fileFailed.Swap(true) && pc.log != nil {
			pc.log.Warn("page cache: pages are no longer read", "error", err)
		}
		if !intact || err != nil {
			done()
			pc.unindex(h, p)
			return nil, nil, false
		}
		b = r.buf
	}
	switch r.page.gz.runs = r.runs[:0]; decodeKept(b, key, &r.page, pc) {
	case keptOther: // another key of the same hash
		done()
		return nil, nil, false
	case keptStale, keptBad:
		done()
		pc.unindex(h, p)
		return nil, nil, false
	}
	return &r.page, done, true
}

// readPage is a page being served from its kept bytes, reused from one
// hit to the next.
type readPage struct {
	buf  []byte
	page cachedPage
	runs [16]gzRun
}

var readPool = sync.Pool{New: func() any { return new(readPage) }}

// serve writes a kept page with this response's token and nonce: gzipped
// as kept to clients that accept it, inflated for the others.
func (pc *PageCache) serve(c echo.Context, e *cachedPage, token, nonce string) error {
	res := c.Response()
	h := res.Header()
	h.Set(echo.HeaderContentType, e.contentType)
	buf := pagePool.Get().(*bytes.Buffer)
	defer pagePool.Put(buf)
	buf.Reset()
	var err error
	if acceptsGzip(c.Request()) {
		e.gz.gzip(buf, token, nonce)
		h.Set(echo.HeaderContentEncoding, "gzip")
	} else if err = e.gz.plain(buf, token, nonce); err != nil {
		return err
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	res.WriteHeader(int(e.status))
	_, err = res.Write(buf.Bytes())
	return err
}

var pagePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func acceptsGzip(r *http.Request) bool {
	return strings.Contains(r.Header.Get(echo.HeaderAcceptEncoding), "gzip")
}

func hasCookie(r *http.Request, name string) bool {
	_, err := r.Cookie(name)
	return err == nil
}

func hasSessionCookie(h http.Header) bool {
	for _, v := range h.Values("Set-Cookie") {
		if strings.HasPrefix(v, SessionCookie+"=") {
			return true
		}
	}
	return false
}

// recorder keeps what a handler writes, so the page can be kept and then
// served like any kept page; flush sends it on as written when it may not
// be kept.
type recorder struct {
	http.ResponseWriter
	buf    bytes.Buffer
	status int
}

func (r *recorder) WriteHeader(code int) { r.status = code }

func (r *recorder) Write(b []byte) (int, error) { return r.buf.Write(b) }

func (r *recorder) flush(err error) error {
	if r.status == 0 && r.buf.Len() == 0 {
		return err
	}
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.ResponseWriter.WriteHeader(r.status)
	if _, werr := r.ResponseWriter.Write(r.buf.Bytes()); werr != nil && err == nil {
		err = werr
	}
	return err
}
