package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
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
// Where the gzipped bytes go is [server] page_cache_store: a file of the
// data folder by default (pagefile.go), read back on each hit, so the
// pages weigh on the system's file cache instead of the server's memory;
// or the Go heap. Either way the index above (key, tags, seq, time) is in
// memory and decides alone whether a page may be served.
type PageCache struct {
	entries    *lru.Cache[string, *cachedPage]
	ttl        time.Duration
	hits, miss atomic.Uint64
	// bytes is what the kept pages weigh; past budget the least recently
	// used go, so the cache never grows the server's memory past it.
	bytes  atomic.Int64
	budget int64

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

	flightMu sync.Mutex
	flight   map[string]*flight

	file *pageFile // nil: the pages' bytes are kept in memory
	log  *slog.Logger
	// fileFailed keeps a failing file (a full disk) from filling the log:
	// pages are then rendered for every visitor, which the hit rate shows.
	fileFailed atomic.Bool
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

type cachedPage struct {
	gz          gzPage // without its data when inFile
	contentType string
	tags        []string
	seq         uint64 // the cache's seq when rendering began
	at          time.Time
	off         int64
	stored      int32
	status      int16
	// inFile: gz's data is the stored bytes at off in the cache's file.
	inFile bool
}

// weight is what a page takes of the budget: in memory, its bytes and
// their index; in the file, its bytes there. The file is the budget's
// size, so its ring alone makes room (its index, in the heap, is bounded
// by the number of pages the file holds); counting the index too against
// the file's size made the least recently used pages leave early, and
// then the ring took the next ones as well: two pages out for one in.
func (e *cachedPage) weight() int64 {
	if e.inFile {
		return int64(e.stored)
	}
	return int64(e.gz.weight()) + 128
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
	pc := &PageCache{ttl: ttl, budget: budget, dropped: map[string]drop{}, pruneAt: keptDrops, flight: map[string]*flight{}}
	pc.entries, _ = lru.NewWithEvict[string, *cachedPage](size, func(_ string, e *cachedPage) {
		pc.bytes.Add(-e.weight())
	})
	return pc
}

// KeepInFile keeps the pages' bytes in a file made in dir, of the cache's
// budget, instead of the heap; log hears once of a failing file. Close
// releases it.
func (pc *PageCache) KeepInFile(dir string, log *slog.Logger) error {
	f, err := openPageFile(dir, pc.budget)
	if err != nil {
		return err
	}
	pc.file, pc.log = f, log
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

// fresh says whether e may be served: not expired, and none of its tags
// dropped since its rendering began.
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
func (pc *PageCache) Len() int { return pc.entries.Len() }

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
	e := &cachedPage{status: int16(res.Status), contentType: h.Get(echo.HeaderContentType),
		gz: newGzPage(rec.buf.Bytes(), token, nonce), tags: tags, seq: seq, at: time.Now()}
	pc.keep(key, e)
	if f != nil {
		f.page = e // the waiters take it from memory, whatever the file does
	}
	return pc.serve(c, e, token, nonce)
}

// keep adds a rendered page, its bytes in the file when there is one.
func (pc *PageCache) keep(key string, e *cachedPage) {
	if int64(e.gz.weight())+128 > pc.budget/16 { // one page may not crowd out the others
		return
	}
	if pc.file != nil {
		off, gone, err := pc.file.write(key, e.gz.data)
		for _, p := range gone {
			if old, ok := pc.entries.Peek(p.key); ok && old.inFile && old.off == p.off {
				pc.entries.Remove(p.key)
			}
		}
		if err != nil {
			if !pc.fileFailed.Swap(true) && pc.log != nil {
				pc.log.Warn("page cache: pages are no longer kept", "error", err)
			}
			return
		}
		kept := *e
		kept.gz.data = nil
		kept.inFile, kept.off, kept.stored = true, off, int32(len(e.gz.data))
		e = &kept
	}
	pc.entries.Remove(key) // a replaced page leaves the weight through the eviction callback
	pc.bytes.Add(e.weight())
	pc.entries.Add(key, e)
	for pc.bytes.Load() > pc.budget && pc.entries.Len() > 1 {
		pc.entries.RemoveOldest()
	}
}

// lookup finds key's page when it may be served, with its bytes: its own,
// or read from the file into a pooled buffer that done gives back. A page
// whose bytes the file reused meanwhile is dropped: a miss.
func (pc *PageCache) lookup(key string) (page *cachedPage, done func(), ok bool) {
	e, ok := pc.entries.Get(key)
	if !ok || !pc.fresh(e) {
		return nil, nil, false
	}
	if !e.inFile {
		return e, func() {}, true
	}
	raw := pagePool.Get().(*bytes.Buffer)
	raw.Reset()
	raw.Grow(int(e.stored))
	b := raw.Bytes()[:e.stored]
	intact, err := pc.file.read(b, e.off)
	if err != nil && !pc.fileFailed.Swap(true) && pc.log != nil {
		pc.log.Warn("page cache: pages are no longer read", "error", err)
	}
	if !intact || err != nil {
		pagePool.Put(raw)
		if old, ok := pc.entries.Peek(key); ok && old == e {
			pc.entries.Remove(key)
		}
		return nil, nil, false
	}
	read := *e
	read.gz.data = b
	return &read, func() { pagePool.Put(raw) }, true
}

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
