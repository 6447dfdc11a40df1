package web

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// pageFile keeps the bytes of the visitors' kept pages in a file of the
// data folder rather than in the Go heap ([server] page_cache_store =
// "file"). Pages are read back with pread, so what a hit reads sits in the
// system's file cache, which the kernel shares and may drop under
// pressure, not in the server's own memory; only a small index (key,
// place, tags, freshness: see PageCache) stays in the heap.
//
// The file is a ring of size bytes written in order: a page goes after the
// last one, or at the start when it would not fit before the end, over the
// oldest pages, which leave the index as their bytes are reused (the
// cache's order of places). Places are logical (bytes ever written, never
// wrapped), so whether a page's bytes are still its own is one comparison
// with head.
//
// The file is removed from the folder as soon as it is open: its pages
// mean nothing without the index (nor after a restart, which forgets which
// changes came since), and an unnamed file goes with the process, however
// it ends.
type pageFile struct {
	f    *os.File
	size int64

	mu sync.Mutex // one writer at a time: a late write could land on a newer page
	// head is where the next page goes, logically; read without mu by
	// readers checking that what they read was not overwritten meanwhile.
	head atomic.Int64
}

// pageFilePattern names the file while it is being opened; a name left
// over from a server killed in that instant is removed at the next start.
const pageFilePattern = "page-cache-*.tmp"

// openPageFile makes an empty ring of size bytes in dir.
func openPageFile(dir string, size int64) (*pageFile, error) {
	stale, _ := filepath.Glob(filepath.Join(dir, pageFilePattern))
	for _, p := range stale {
		_ = os.Remove(p)
	}
	f, err := os.CreateTemp(dir, pageFilePattern)
	if err != nil {
		return nil, fmt.Errorf("page cache: make its file in the data folder (check [data] dir, or set [server] page_cache_store = \"memory\"): %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("page cache: unlink %s: %w", f.Name(), err)
	}
	return &pageFile{f: f, size: size}, nil
}

// write keeps b and returns its logical place; the pages before
// off+len(b)-size are gone (see intact).
func (pf *pageFile) write(b []byte) (off int64, err error) {
	n := int64(len(b))
	if n > pf.size {
		return 0, fmt.Errorf("page cache: a page of %d bytes in a file of %d", n, pf.size)
	}
	pf.mu.Lock()
	defer pf.mu.Unlock()
	off = pf.head.Load()
	if off%pf.size+n > pf.size { // not before the end: start the next lap
		off += pf.size - off%pf.size
	}
	// Readers compare with head after reading: it moves before the bytes do.
	pf.head.Store(off + n)
	if _, err := pf.f.WriteAt(b, off%pf.size); err != nil {
		return 0, fmt.Errorf("page cache: write its file: %w", err)
	}
	return off, nil
}

// read fills b with the n = len(b) bytes kept at off, and says whether
// they are still that page's: a ring that wrapped past them meanwhile
// makes them another page's.
func (pf *pageFile) read(b []byte, off int64) (bool, error) {
	if !pf.intact(off) {
		return false, nil
	}
	if _, err := pf.f.ReadAt(b, off%pf.size); err != nil {
		return false, fmt.Errorf("page cache: read its file: %w", err)
	}
	return pf.intact(off), nil
}

// intact says whether no write has reached the bytes at off since they
// were written: the first write that could is size bytes further on.
func (pf *pageFile) intact(off int64) bool {
	return pf.head.Load() <= off+pf.size
}

func (pf *pageFile) close() error { return pf.f.Close() }
