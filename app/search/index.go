package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
)

// ErrLocked: another process (a running server) holds the index.
var ErrLocked = errors.New("the search index is in use by another causerie process (a running server?)")

const completeKey = "complete" // internal key: set once a full build finished

// openIndex opens the index at dir, or makes an empty one when there is
// none. fresh says it was made now; a readable index that never finished a
// build reports incomplete.
func openIndex(dir string) (idx bleve.Index, fresh bool, err error) {
	register()
	if _, statErr := os.Stat(dir); errors.Is(statErr, os.ErrNotExist) {
		idx, err = createIndex(dir)
		return idx, true, err
	}
	idx, err = bleve.OpenUsing(dir, map[string]interface{}{"bolt_timeout": "250ms"})
	if err != nil {
		if errors.Is(err, bleve.ErrorIndexMetaMissing) || !isTimeout(err) {
			return nil, false, fmt.Errorf("open search index %s: %w", dir, err)
		}
		return nil, false, ErrLocked
	}
	return idx, false, keepPrivate(dir)
}

// keepPrivate takes the group and others' bits off everything under dir:
// Bleve writes some files (index_meta.json) with the process umask, and
// the data folder is the server user's alone.
func keepPrivate(dir string) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if mode := info.Mode().Perm(); mode&0o077 != 0 {
			return os.Chmod(p, mode&0o700)
		}
		return nil
	})
}

func isTimeout(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == "timeout" {
			return true
		}
	}
	return false
}

// createIndex makes an empty index. Every batch waits until it is on
// disk: a job that indexed a post is deleted once it returns, so what it
// wrote must have been persisted. (Bleve's "unsafe_batch" would be faster
// for a build, but it loses batches still in memory when the index is
// closed.)
func createIndex(dir string) (bleve.Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return nil, err
	}
	idx, err := bleve.NewUsing(dir, m, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, nil)
	if err != nil {
		return nil, fmt.Errorf("create search index %s: %w", dir, err)
	}
	if err := keepPrivate(dir); err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("search index %s: %w", dir, err)
	}
	return idx, nil
}

func complete(idx bleve.Index) bool {
	v, err := idx.GetInternal([]byte(completeKey))
	return err == nil && string(v) == "1"
}

// document is what one post becomes in the index.
func document(r *row, tags []string) map[string]any {
	text := PlainText(r.HTML)
	lang := Detect(r.Title+"\n"+text, r.Language)
	status := "open"
	if r.Closed {
		status = "closed"
	}
	if tags == nil {
		tags = []string{}
	}
	doc := map[string]any{
		bodyField(lang): text,
		fTitleRaw:       r.Title,
		fBodyRaw:        text,
		fSlug:           r.Slug,
		fByName:         r.Username,
		fTopic:          idString(r.TopicID),
		fCategory:       idString(r.CategoryID),
		fAuthor:         lower(r.Username),
		fTags:           tags,
		fKind:           r.Kind,
		fStatus:         status,
		fSolved:         r.AcceptedPostID != nil,
		fAccepted:       r.AcceptedPostID != nil && *r.AcceptedPostID == r.PostID,
		fFirst:          r.Number == 1,
		fNumber:         float64(r.Number),
		fReactions:      float64(r.Reactions),
		fCreated:        r.CreatedAt.UTC(),
		fActivity:       r.LastPostAt.UTC(),
		fLang:           lang,
	}
	// The title is matched on the first post only: a title word would
	// otherwise match every reply of the topic, which costs at query time
	// and says nothing about the reply. Every document stores it, to show.
	if r.Number == 1 {
		doc[titleField(lang)] = r.Title
	}
	return doc
}

// apply writes rows into idx: visible ones indexed, the others removed.
func (s *Service) apply(ctx context.Context, idx bleve.Index, rs []*row, remove []string) error {
	var topics []int64
	seen := map[int64]bool{}
	for _, r := range rs {
		if !seen[r.TopicID] {
			seen[r.TopicID] = true
			topics = append(topics, r.TopicID)
		}
	}
	tags, err := s.store.tags(ctx, topics)
	if err != nil {
		return err
	}
	b := idx.NewBatch()
	for _, r := range rs {
		id := idString(r.PostID)
		if !r.visible() {
			b.Delete(id)
			continue
		}
		if err := b.Index(id, document(r, tags[r.TopicID])); err != nil {
			return fmt.Errorf("search: index post %d: %w", r.PostID, err)
		}
	}
	for _, id := range remove {
		b.Delete(id)
	}
	if b.Size() == 0 {
		return nil
	}
	err = idx.Batch(b)
	s.gen.Add(1)
	if err != nil {
		return fmt.Errorf("search: write index: %w", err)
	}
	return nil
}

// topicDocIDs lists the documents the index holds for a topic.
func topicDocIDs(idx bleve.Index, topicID int64) ([]string, error) {
	q := bleve.NewTermQuery(idString(topicID))
	q.SetField(fTopic)
	var out []string
	for from := 0; ; from += 1000 {
		req := bleve.NewSearchRequestOptions(q, 1000, from, false)
		req.SortBy([]string{"_id"})
		res, err := idx.Search(req)
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		if len(res.Hits) < 1000 {
			return out, nil
		}
	}
}

// How many posts a build writes at a time: larger batches make fewer,
// larger segments for Bleve to merge, and hold more in memory. `causerie
// reindex` has the machine to itself; the rebuild at start-up shares it
// with a serving forum, so it writes smaller batches.
const (
	buildBatch      = 2000
	backgroundBatch = 500
)

// Progress reports a build: done out of total posts, and the rate.
type Progress func(done, total int64)

// build fills idx with every visible post, in batches; stop ends it early.
func (s *Service) build(ctx context.Context, idx bleve.Index, batch int, progress Progress) (int64, error) {
	total, err := s.store.visibleCount(ctx)
	if err != nil {
		return 0, fmt.Errorf("search: count posts: %w", err)
	}
	s.total.Store(total)
	var done int64
	var after int64
	for {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		rs, last, err := s.store.page(ctx, after, batch)
		if err != nil {
			return done, err
		}
		if last == 0 {
			break
		}
		if err := s.apply(ctx, idx, rs, nil); err != nil {
			return done, err
		}
		after = last
		done += int64(len(rs))
		s.done.Store(done)
		if progress != nil {
			progress(done, total)
		}
	}
	if err := idx.SetInternal([]byte(completeKey), []byte("1")); err != nil {
		return done, err
	}
	return done, nil
}

// Rebuild makes a new index from the database beside the current one and
// puts it in its place: `causerie reindex`. It needs the index to itself:
// it fails with ErrLocked while a server runs on the same data folder.
func (s *Service) Rebuild(ctx context.Context, progress Progress) (int64, time.Duration, error) {
	return s.rebuild(ctx, buildBatch, progress)
}

func (s *Service) rebuild(ctx context.Context, batch int, progress Progress) (int64, time.Duration, error) {
	start := time.Now()
	s.mu.Lock()
	if s.idx == nil && errors.Is(s.openErr, ErrLocked) {
		s.mu.Unlock()
		return 0, 0, ErrLocked
	}
	s.mu.Unlock()
	tmp := s.dir + ".new"
	if err := os.RemoveAll(tmp); err != nil {
		return 0, 0, err
	}
	idx, err := createIndex(tmp)
	if err != nil {
		return 0, 0, err
	}
	n, err := s.build(ctx, idx, batch, progress)
	if err == nil {
		err = compact(ctx, idx, tmp)
	}
	if err != nil {
		idx.Close()
		os.RemoveAll(tmp)
		return n, time.Since(start), err
	}
	if err := idx.Close(); err != nil {
		return n, time.Since(start), err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idx != nil {
		s.idx.Close()
		s.idx = nil
	}
	if err := os.RemoveAll(s.dir); err != nil {
		return n, time.Since(start), err
	}
	if err := os.Rename(tmp, s.dir); err != nil {
		return n, time.Since(start), err
	}
	s.idx, _, s.openErr = openIndex(s.dir)
	s.gen.Add(1)
	return n, time.Since(start), s.openErr
}

// compact merges a finished build into one segment before the server
// opens it. A build leaves some twenty segments (the last of them small,
// not yet merged); the server's first new posts then put the index over
// Bleve's merge budget, and its first minutes went into merging that tail
// again, reading every segment of it through its mapping (some 35 MiB of
// the server's RSS at its peak). One segment is also the fewest a search
// reads. Merges leave a segment of this size alone until the index has
// grown several times over (Bleve merges segments of like sizes).
func compact(ctx context.Context, idx bleve.Index, dir string) error {
	adv, err := idx.Advanced()
	if err != nil {
		return fmt.Errorf("search: compact the index: %w", err)
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	// One forced merge takes up to SegmentsPerMergeTask segments at a
	// time: a few rounds bring any build down to one.
	for range 8 {
		n, err := segmentCount(sc)
		if err != nil {
			return err
		}
		if n <= 1 {
			break
		}
		plan := mergeplan.SingleSegmentMergePlanOptions
		if err := sc.ForceMerge(ctx, &plan); err != nil {
			return fmt.Errorf("search: compact the index: %w", err)
		}
	}
	// Closing does not save the merged snapshot, a write does: it returns
	// once the index is on disk, as every batch here (see createIndex).
	if err := idx.SetInternal([]byte(completeKey), []byte("1")); err != nil {
		return err
	}
	// Bleve deletes the merged segments' files soon after, in the
	// background: wait a little for it, so the index's size said at the
	// end counts the index alone (the next open deletes what is left).
	for range 50 {
		files, _ := filepath.Glob(filepath.Join(dir, "store", "*.zap"))
		if n, err := segmentCount(sc); err != nil || len(files) <= n {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// segmentCount is how many segments the index's current snapshot holds.
func segmentCount(sc *scorch.Scorch) (int, error) {
	r, err := sc.Reader()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return 0, nil
	}
	return len(snap.Segments()), nil
}

// Size is the index's size on disk, in bytes.
func (s *Service) Size() int64 {
	var n int64
	_ = filepath.Walk(s.dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
