// Package search owns full-text search: a Bleve index in the data folder
// with one document per visible post (published, in a published topic),
// kept in step with the database by durable events, and the queries that
// read it: all words by default, "phrases", -exclusions, prefixes as you
// type, typo tolerance, filters (@author #tag category: in:title is:
// before: after: status:), facets, sorts, fragments with the words marked,
// suggestions and similar topics. Every query is limited to the categories
// the reader may read before anything is counted, so no result, count or
// fragment ever shows what the reader may not see. It also records what
// people search for, without who.
package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"gorm.io/gorm"

	"causerie/app/category"
	"causerie/app/event"
)

// ErrUnavailable: the index could not be opened on this node (another
// process holds it, or it could not be made). Pages answer 503.
var ErrUnavailable = errors.New("search: the index is not available on this node")

// Service is the search index and the queries on it.
type Service struct {
	store *store
	cats  *category.Service
	log   *slog.Logger
	dir   string

	mu      sync.RWMutex
	idx     bleve.Index
	openErr error
	stale   bool // the index must be (re)built from the database

	catchingUp atomic.Bool
	total      atomic.Int64
	done       atomic.Int64
	dirtyMu    sync.Mutex
	dirty      map[int64]bool // topics changed while catching up
	bg         sync.WaitGroup
	now        func() time.Time

	gen   atomic.Uint64 // moves on at every write to the index: cached answers are stale
	cache *resultCache

	phraseCandidates int // see fetcher; tests make it small
	// A search by score on an index of parallelMin documents or more is
	// walked in walkParts slices at once (parallel.go); tests split small
	// indexes.
	walkParts, parallelMin, facetRun int
	// facetDocValues: the facets' values are read from the doc values
	// rather than from their terms' postings (collector.facetValues).
	facetDocValues bool
	// noNarrowing: the text's terms are read at every document, not only
	// where the query's other required lists meet (narrow.go), to compare.
	noNarrowing bool
	// walkAll: a search by score walks every match, not only those that
	// may be among the best it keeps (best.go), to compare.
	walkAll bool
	// bestMin, bestRun: see best.go; facetSample: how many of the best hits the
	// facets are counted on (the constant; tests make it small).
	bestMin, bestRun, facetSample int
}

// IndexDir is where the index lives in the data folder.
func IndexDir(dataDir string) string { return filepath.Join(dataDir, "search.bleve") } // a folder, not a message

// NewService opens the index in dir (making it when missing). An index that
// another process holds (a server, while a command runs) leaves this
// service without one: it answers ErrUnavailable. An unreadable index is
// moved aside and made anew; Start then rebuilds it in the background.
func NewService(ctx context.Context, g *gorm.DB, cats *category.Service, dir string, log *slog.Logger) *Service {
	s := &Service{store: &store{db: g}, cats: cats, log: log, dir: dir, dirty: map[int64]bool{}, now: time.Now,
		phraseCandidates: facetSample, walkParts: walkParts(), parallelMin: parallelMin, facetRun: facetRun,
		bestMin: bestMin, bestRun: bestRun, facetSample: facetSample}
	// CAUSERIE_SEARCH_PARALLEL=off walks every search on one core, to
	// compare (docs/benchmarks.md, "Search, session 6").
	if os.Getenv("CAUSERIE_SEARCH_PARALLEL") == "off" {
		s.walkParts = 1
	}
	// CAUSERIE_SEARCH_FACETS=docvalues reads the facets' values from the
	// doc values, as before session 7, to compare.
	s.facetDocValues = os.Getenv("CAUSERIE_SEARCH_FACETS") == "docvalues"
	// CAUSERIE_SEARCH_NARROW=off reads the text's terms at every document
	// (narrow.go), as before session 8, to compare.
	s.noNarrowing = os.Getenv("CAUSERIE_SEARCH_NARROW") == "off"
	// CAUSERIE_SEARCH_BEST=off walks every match of a search by score
	// (best.go), as before session 9, to compare.
	s.walkAll = os.Getenv("CAUSERIE_SEARCH_BEST") == "off"
	// CAUSERIE_SEARCH_CACHE=off measures every query as if it were new
	// (docs/bench/search.sh runs both ways).
	if os.Getenv("CAUSERIE_SEARCH_CACHE") != "off" {
		s.cache = newResultCache()
	}
	idx, fresh, err := openIndex(dir)
	switch {
	case errors.Is(err, ErrLocked):
		s.openErr = err
		return s
	case err != nil:
		log.Error("search index unreadable: making a new one, rebuilt in the background", "dir", dir, "error", err)
		if rmErr := os.RemoveAll(dir); rmErr != nil {
			s.openErr = fmt.Errorf("%w (and removing it: %v)", err, rmErr)
			return s
		}
		idx, err = createIndex(dir)
		if err != nil {
			s.openErr = err
			return s
		}
		s.stale = true
	case fresh:
		s.stale = true
	case !complete(idx):
		s.stale = true
	default:
		// A complete index that holds nothing while the database has
		// posts was made before content arrived by another way (seeding).
		if n, _ := idx.DocCount(); n == 0 {
			if c, err := s.store.visibleCount(ctx); err == nil && c > 0 {
				s.stale = true
			}
		}
	}
	s.idx = idx
	if s.stale {
		// Nothing to catch up with on an empty forum: mark it complete now.
		if c, err := s.store.visibleCount(ctx); err == nil && c == 0 {
			_ = idx.SetInternal([]byte(completeKey), []byte("1"))
			s.stale = false
		}
	}
	return s
}

// Start rebuilds a stale index in the background, while the forum serves
// and searches say they are catching up. Jobs that arrive meanwhile are
// applied at once and their topics applied again once the build is done,
// so the build never puts back an older version of a post.
func (s *Service) Start(ctx context.Context) {
	s.mu.RLock()
	stale, idx := s.stale, s.idx
	s.mu.RUnlock()
	if !stale || idx == nil {
		return
	}
	s.catchingUp.Store(true)
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		defer s.catchingUp.Store(false)
		start := time.Now()
		_ = idx.DeleteInternal([]byte(completeKey))
		n, err := s.build(ctx, idx, backgroundBatch, nil)
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				s.log.Error("search index rebuild failed; restart or run causerie reindex", "error", err)
			}
			return
		}
		s.mu.Lock()
		s.stale = false
		s.mu.Unlock()
		s.dirtyMu.Lock()
		dirty := s.dirty
		s.dirty = map[int64]bool{}
		s.dirtyMu.Unlock()
		for id := range dirty {
			if err := s.IndexTopic(ctx, id); err != nil {
				s.log.Error("search: reindex topic changed during rebuild", "topic", id, "error", err)
			}
		}
		s.log.Info("search index rebuilt", "posts", n, "took", time.Since(start).Round(time.Millisecond))
	}()
}

// CatchingUp says whether a background build is running, and how far it is.
func (s *Service) CatchingUp() (bool, int64, int64) {
	return s.catchingUp.Load(), s.done.Load(), s.total.Load()
}

// Close waits for a background build to stop (cancel its context first)
// and closes the index.
func (s *Service) Close() error {
	s.bg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idx == nil {
		return nil
	}
	err := s.idx.Close()
	s.idx = nil
	return err
}

func (s *Service) index() (bleve.Index, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.idx == nil {
		return nil, ErrUnavailable
	}
	return s.idx, nil
}

func (s *Service) touch(topicID int64) {
	if s.catchingUp.Load() {
		s.dirtyMu.Lock()
		s.dirty[topicID] = true
		s.dirtyMu.Unlock()
	}
}

// IndexPosts brings the documents of posts up to date with the database:
// a post that is no longer visible (or no longer exists) leaves the index.
// A topic's first post carries the topic's title, so changing it
// refreshes the whole topic.
func (s *Service) IndexPosts(ctx context.Context, topicID int64, ids ...int64) error {
	return s.indexPosts(ctx, topicID, true, ids)
}

// indexPosts is IndexPosts; whole says whether a first post among ids
// refreshes its topic (an edit may change the title; a reaction does not).
func (s *Service) indexPosts(ctx context.Context, topicID int64, whole bool, ids []int64) error {
	idx, err := s.index()
	if err != nil {
		return err
	}
	s.touch(topicID)
	rs, err := s.store.postRows(ctx, ids)
	if err != nil {
		return err
	}
	found := map[int64]bool{}
	for _, r := range rs {
		found[r.PostID] = true
		if r.Number == 1 && whole {
			return s.IndexTopic(ctx, r.TopicID)
		}
	}
	var gone []string
	for _, id := range ids {
		if !found[id] {
			gone = append(gone, idString(id))
		}
	}
	return s.apply(ctx, idx, rs, gone)
}

// IndexTopic brings every document of a topic up to date: its posts as
// they are now, and none left behind for posts moved elsewhere or purged.
func (s *Service) IndexTopic(ctx context.Context, topicID int64) error {
	idx, err := s.index()
	if err != nil {
		return err
	}
	s.touch(topicID)
	rs, err := s.store.topicRows(ctx, topicID)
	if err != nil {
		return err
	}
	have, err := topicDocIDs(idx, topicID)
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, r := range rs {
		keep[idString(r.PostID)] = true
	}
	var gone []string
	for _, id := range have {
		if !keep[id] {
			gone = append(gone, id)
		}
	}
	return s.apply(ctx, idx, rs, gone)
}

// RemoveTopic takes a topic's documents out (merged away, or purged).
func (s *Service) RemoveTopic(ctx context.Context, topicID int64) error {
	return s.IndexTopic(ctx, topicID) // its posts are gone or moved: nothing of it stays
}

// Subscribe makes the index follow the events of discussions and
// moderation. Each handler reads the database as it is when it runs, so
// running one twice, or late, does no harm.
func (s *Service) Subscribe(b *event.Bus) {
	post := func(topicID, postID int64) func(ctx context.Context) error {
		return func(ctx context.Context) error { return s.IndexPosts(ctx, topicID, postID) }
	}
	// New posts and reactions come in numbers: the posts a worker took
	// together go into the index in one write.
	event.SubscribeBatch(b, "search", func(ctx context.Context, es []event.PostCreated) error {
		refs := make([]postRef, len(es))
		for i, e := range es {
			refs[i] = postRef{e.TopicID, e.PostID}
		}
		return s.indexMany(ctx, refs, true)
	})
	event.Subscribe(b, "search", func(ctx context.Context, e event.PostEdited) error { return post(e.TopicID, e.PostID)(ctx) })
	event.Subscribe(b, "search", func(ctx context.Context, e event.PostDeleted) error { return post(e.TopicID, e.PostID)(ctx) })
	event.Subscribe(b, "search", func(ctx context.Context, e event.PostRestored) error { return post(e.TopicID, e.PostID)(ctx) })
	event.Subscribe(b, "search", func(ctx context.Context, e event.PostPurged) error { return post(e.TopicID, e.PostID)(ctx) })
	// A reaction changes that post's count only.
	event.SubscribeBatch(b, "search", func(ctx context.Context, es []event.ReactionAdded) error {
		refs := make([]postRef, len(es))
		for i, e := range es {
			refs[i] = postRef{e.TopicID, e.PostID}
		}
		return s.indexMany(ctx, refs, false)
	})
	event.SubscribeBatch(b, "search", func(ctx context.Context, es []event.ReactionRemoved) error {
		refs := make([]postRef, len(es))
		for i, e := range es {
			refs[i] = postRef{e.TopicID, e.PostID}
		}
		return s.indexMany(ctx, refs, false)
	})
	// Solved or not is on every document of the topic.
	event.Subscribe(b, "search", func(ctx context.Context, e event.AnswerAccepted) error { return s.IndexTopic(ctx, e.TopicID) })
	event.Subscribe(b, "search", func(ctx context.Context, e event.AnswerUnaccepted) error { return s.IndexTopic(ctx, e.TopicID) })
	event.Subscribe(b, "search", func(ctx context.Context, e event.ContentChanged) error {
		if len(e.PostIDs) == 0 {
			return s.IndexTopic(ctx, e.TopicID)
		}
		return s.IndexPosts(ctx, e.TopicID, e.PostIDs...)
	})
	event.Subscribe(b, "search", func(ctx context.Context, e event.TopicRemoved) error {
		if err := s.RemoveTopic(ctx, e.TopicID); err != nil {
			return err
		}
		if e.IntoTopicID != 0 {
			return s.IndexTopic(ctx, e.IntoTopicID)
		}
		return nil
	})
}

// postRef is a post and its topic, as an event names them.
type postRef struct{ topicID, postID int64 }

// indexMany is indexPosts for posts of many topics, written to the index
// in one batch (one write to disk rather than one per post). A first post
// among them refreshes its whole topic when whole is set, as in indexPosts.
func (s *Service) indexMany(ctx context.Context, refs []postRef, whole bool) error {
	idx, err := s.index()
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(refs))
	seen := map[int64]bool{}
	for _, r := range refs {
		s.touch(r.topicID)
		if !seen[r.postID] {
			seen[r.postID] = true
			ids = append(ids, r.postID)
		}
	}
	rs, err := s.store.postRows(ctx, ids)
	if err != nil {
		return err
	}
	found := map[int64]bool{}
	keep := rs[:0]
	var topics []int64
	for _, r := range rs {
		found[r.PostID] = true
		if r.Number == 1 && whole {
			if !slices.Contains(topics, r.TopicID) {
				topics = append(topics, r.TopicID)
			}
			continue
		}
		keep = append(keep, r)
	}
	var gone []string
	for _, id := range ids {
		if !found[id] {
			gone = append(gone, idString(id))
		}
	}
	if err := s.apply(ctx, idx, keep, gone); err != nil {
		return err
	}
	for _, id := range topics {
		if err := s.IndexTopic(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func lower(s string) string { return strings.ToLower(s) }

func isCJK(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			return true
		}
	}
	return false
}
