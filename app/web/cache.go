package web

import (
	"bytes"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/labstack/echo/v4"
)

// PageCache keeps the pages visitors who are not logged in see, so the
// busiest pages of a forum (topics and lists read by passers-by) are
// rendered once, not once per visitor.
//
// Correctness first: every state-changing request that succeeds on this
// node moves the cache to a new generation, so no visitor is shown a page
// from before a change made here. Entries also expire after ttl, which
// bounds how stale a page can be after a change made by another node or by
// a background job; the scale-out work adds a cross-node signal.
//
// Each response carries its own CSRF token and script nonce: they are cut
// out of the stored page and put back per request.
type PageCache struct {
	entries    *lru.Cache[string, *cachedPage]
	generation atomic.Uint64
	ttl        time.Duration
	hits, miss atomic.Uint64
	// bytes is what the kept pages weigh; past budget the least recently
	// used go, so the cache never grows the server's memory past it.
	bytes  atomic.Int64
	budget int64
}

type cachedPage struct {
	status      int
	contentType string
	body        []byte
	generation  uint64
	at          time.Time
}

const (
	csrfHole  = "\x00causerie-csrf\x00"
	nonceHole = "\x00causerie-nonce\x00"
)

// NewPageCache keeps up to size pages, weighing at most budget bytes in
// all, for ttl.
func NewPageCache(size int, budget int64, ttl time.Duration) *PageCache {
	pc := &PageCache{ttl: ttl, budget: budget}
	pc.entries, _ = lru.NewWithEvict[string, *cachedPage](size, func(_ string, e *cachedPage) {
		pc.bytes.Add(-int64(len(e.body)))
	})
	return pc
}

// Invalidate drops every cached page.
func (pc *PageCache) Invalidate() { pc.generation.Add(1) }

// Stats says how many requests were served from the cache and how many not.
func (pc *PageCache) Stats() (hits, misses uint64) { return pc.hits.Load(), pc.miss.Load() }

// unchanging are the state-changing paths that change nothing a visitor
// sees, so they leave the cache alone.
var unchanging = map[string]bool{"/login": true, "/logout": true, "/language": true, "/preview": true, "/drafts": true,
	"/register": true, "/password/forgot": true, "/confirm": true, "/uploads": true, "/api/v1/uploads": true}

// watchWrites moves the cache to a new generation after any state-changing
// request that succeeded.
func (pc *PageCache) watchWrites(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return err
		}
		if err == nil && c.Response().Status < 400 && !unchanging[c.Request().URL.Path] {
			pc.Invalidate()
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
		key := Language(c) + " " + r.URL.RequestURI()
		gen := pc.generation.Load()
		token, nonce := CSRFToken(c), Nonce(c)
		if e, ok := pc.entries.Get(key); ok && e.generation == gen && time.Since(e.at) < pc.ttl {
			pc.hits.Add(1)
			body := bytes.ReplaceAll(e.body, []byte(csrfHole), []byte(token))
			body = bytes.ReplaceAll(body, []byte(nonceHole), []byte(nonce))
			c.Response().Header().Set("X-Cache", "hit")
			return c.Blob(e.status, e.contentType, body)
		}
		pc.miss.Add(1)
		rec := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		err := next(c)
		c.Response().Writer = rec.ResponseWriter
		status := c.Response().Status
		if err != nil || status != http.StatusOK || token == "" || nonce == "" ||
			!strings.HasPrefix(c.Response().Header().Get(echo.HeaderContentType), echo.MIMETextHTML) ||
			c.Response().Header().Get("Set-Cookie") != "" && hasSessionCookie(c.Response().Header()) {
			return err
		}
		body := bytes.ReplaceAll(rec.buf.Bytes(), []byte(token), []byte(csrfHole))
		body = bytes.ReplaceAll(body, []byte(nonce), []byte(nonceHole))
		if int64(len(body)) > pc.budget/16 {
			return nil // one page may not crowd out the others
		}
		pc.entries.Remove(key) // a replaced page leaves the weight through the eviction callback
		pc.bytes.Add(int64(len(body)))
		pc.entries.Add(key, &cachedPage{status: status, contentType: c.Response().Header().Get(echo.HeaderContentType),
			body: body, generation: gen, at: time.Now()})
		for pc.bytes.Load() > pc.budget && pc.entries.Len() > 1 {
			pc.entries.RemoveOldest()
		}
		return nil
	}
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

// recorder copies what a handler writes, so the page can be kept.
type recorder struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}

// Bytes is what the kept pages weigh now.
func (pc *PageCache) Bytes() int64 { return pc.bytes.Load() }
