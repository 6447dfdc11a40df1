package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Overlay is a read-only file system that looks in each layer in turn: the
// operator's theme folder, then the embedded themes. Directory listings are
// the union of the layers.
type Overlay []fs.FS

// NewOverlay layers the folder dir (when not empty) over the embedded theme.
func NewOverlay(dir string, embedded fs.FS) Overlay {
	if dir == "" {
		return Overlay{embedded}
	}
	return Overlay{os.DirFS(dir), embedded}
}

func (o Overlay) Open(name string) (fs.File, error) {
	var firstErr error
	for _, layer := range o {
		f, err := layer.Open(name)
		if err == nil {
			return f, nil
		}
		if firstErr == nil || !errors.Is(err, fs.ErrNotExist) {
			firstErr = err
		}
	}
	return nil, firstErr
}

func (o Overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	seen := map[string]fs.DirEntry{}
	found := false
	for i := len(o) - 1; i >= 0; i-- {
		entries, err := fs.ReadDir(o[i], name)
		if err != nil {
			continue
		}
		found = true
		for _, e := range entries {
			seen[e.Name()] = e
		}
	}
	if !found {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	out := make([]fs.DirEntry, 0, len(seen))
	for _, e := range seen {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// pageSet holds the theme's page templates. Every page is parsed at boot,
// so a broken template stops the start instead of failing a request; but a
// page stays parsed only once it is first shown. Each page holds its own
// copy of the layouts and partials (html/template escapes them for the
// page), some 300 KB, and most of the forty-odd pages (staff, moderation,
// settings) are seldom shown: keeping all of them cost 13–16 MB of every
// server's memory. The sources are read at boot, so a page parsed later is
// the one that was checked, whatever happens to the theme's folder since.
type pageSet struct {
	shared []source          // layouts and partials, in the order parsed
	pages  map[string]source // page name ("topic/show") → its file
	mu     sync.Mutex        // one parse of a page at a time
	parsed sync.Map          // page name → *template.Template
}

type source struct{ path, text string }

// parsePages reads every page, layout and partial of the theme and parses
// each page with them once, to check it.
func parsePages(theme fs.FS) (*pageSet, error) {
	set := &pageSet{pages: map[string]source{}}
	for _, dir := range []string{"templates/layouts", "templates/partials"} {
		names, err := fs.Glob(theme, dir+"/*.html")
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			b, err := fs.ReadFile(theme, n)
			if err != nil {
				return nil, fmt.Errorf("theme: %w", err)
			}
			set.shared = append(set.shared, source{n, string(b)})
		}
	}
	if len(set.shared) == 0 {
		return nil, fmt.Errorf("theme: no layouts found under templates/layouts")
	}
	err := fs.WalkDir(theme, "templates/pages", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/pages/"), ".html")
		b, err := fs.ReadFile(theme, p)
		if err != nil {
			return fmt.Errorf("theme: page %s: %w", name, err)
		}
		set.pages[name] = source{p, string(b)}
		_, err = set.parse(name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return set, nil
}

// parse makes page name's template from the sources, as
// template.ParseFS would from the files: each file a template named after
// its base name, later definitions replacing earlier ones.
func (ps *pageSet) parse(name string) (*template.Template, error) {
	page, ok := ps.pages[name]
	if !ok {
		return nil, fmt.Errorf("render: no page template %q", name)
	}
	t := template.New(name)
	for _, src := range append(ps.shared[:len(ps.shared):len(ps.shared)], page) {
		if _, err := t.New(path.Base(src.path)).Parse(src.text); err != nil {
			return nil, fmt.Errorf("theme: page %s: %w", name, err)
		}
	}
	if t.Lookup("base") == nil {
		return nil, fmt.Errorf("theme: page %s: no \"base\" layout", name)
	}
	return t, nil
}

// get is page name's template, parsed the first time it is asked for.
func (ps *pageSet) get(name string) (*template.Template, error) {
	if t, ok := ps.parsed.Load(name); ok {
		return t.(*template.Template), nil
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if t, ok := ps.parsed.Load(name); ok {
		return t.(*template.Template), nil
	}
	t, err := ps.parse(name)
	if err != nil {
		return nil, err
	}
	ps.parsed.Store(name, t)
	return t, nil
}

// Assets serves the theme's static files under URLs that carry a hash of
// their content, so browsers may keep them for a year.
type Assets struct {
	fsys   fs.FS
	hashes map[string]string // path under static/ → short content hash
}

func loadAssets(theme fs.FS) (*Assets, error) {
	a := &Assets{hashes: map[string]string{}}
	sub, err := fs.Sub(theme, "static")
	if err != nil {
		return nil, err
	}
	a.fsys = sub
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hashes[p] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	return a, err
}

// URL is the cache-busting address of a static file.
func (a *Assets) URL(p string) string {
	p = strings.TrimPrefix(p, "/")
	if h, ok := a.hashes[p]; ok {
		return "/static/" + h + "/" + p
	}
	return "/static/-/" + p
}

// Read returns a static file's bytes (the browser tests inject scripts this
// way; pages link them by URL).
func (a *Assets) Read(p string) ([]byte, error) { return fs.ReadFile(a.fsys, p) }

// serve answers /static/<hash>/<path>: immutable when the hash is the current
// one, briefly cached otherwise (an old page asking for a changed file).
func (a *Assets) serve(c echo.Context) error {
	hash := c.Param("hash")
	p := path.Clean(c.Param("*"))
	f, err := a.fsys.Open(p)
	if err != nil {
		return echo.ErrNotFound
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return echo.ErrNotFound
	}
	if a.hashes[p] == hash {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "public, max-age=60")
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		return echo.ErrNotFound
	}
	http.ServeContent(c.Response(), c.Request(), p, time.Time{}, rs)
	return nil
}
