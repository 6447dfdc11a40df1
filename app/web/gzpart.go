package web

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"html/template"
	"strconv"
	"sync"
	"time"

	kflate "github.com/klauspost/compress/flate"
	"github.com/labstack/echo/v4"
)

// Kept parts of pages for logged-in readers.
//
// A member's topic page is mostly its posts, and the posts' markup is the
// same for every member with the same rights who has not reacted to them
// or bookmarked them, until the topic changes. Compressing the whole page
// for every request was a quarter of a member's page. A part drawn with
// View.Kept is kept compressed in the page cache under a key its page
// computes from everything the part shows (app/topic: the posts, the
// reader's rights on each, what is theirs), with holes for the CSRF token
// and the script nonce; the page around it is compressed for each request
// at the fastest level. The response is one gzip member: the fresh runs and
// the kept runs joined on byte boundaries (sync flushes), as gzpage.go does
// for the visitors' pages.
//
// Unlike a visitor's page, whose runs between holes are deflated each on
// its own, a part is deflated as one stream, so its posts compress against
// each other: the compressor is given, where each hole goes, a filler of
// the hole's length made of a byte the part never holds (0x01), and the
// filler's compressed bytes are left out. Back references then count the
// same distances whatever the hole holds, and none can reach into a hole,
// since no byte after it equals the filler's. A value of another length
// than the filler's cannot go in: the part is drawn again.

// fillByte is the byte fillers are made of; a part holding it is deflated
// run by run instead (newGzPage).
const fillByte = 0x01

// gzPart is a kept part: a gzPage whose runs are one deflate stream, and
// the length each hole's value must have.
type gzPart struct {
	*gzPage
	holeLen map[byte]int
}

// fits says whether the token and nonce go into p's holes.
func (p *gzPart) fits(token, nonce string) bool {
	for k, n := range p.holeLen {
		if len(p.value(k, token, nonce)) != n {
			return false
		}
	}
	return true
}

// freshWriters compress the rest of a page with kept parts, per request,
// at the level of gzip.go's.
var freshWriters = sync.Pool{New: func() any {
	w, _ := kflate.NewWriter(nil, kflate.BestSpeed)
	return w
}}

// newGzPart deflates part as one stream, cut at every token and nonce.
func newGzPart(part []byte, token, nonce string) *gzPart {
	if bytes.IndexByte(part, fillByte) >= 0 {
		return &gzPart{gzPage: newGzPage(part, token, nonce)} // runs on their own: served, not kept
	}
	p := &gzPart{gzPage: &gzPage{}, holeLen: map[byte]int{}}
	var out bytes.Buffer
	out.Grow(len(part) / 5)
	compressing <- struct{}{}
	defer func() { <-compressing }()
	// The standard library's writer, as for the visitors' pages: the fast
	// levels (klauspost's 1 to 6, the standard library's 1) start afresh
	// after flushing less than 128 bytes, which every filler is.
	w := flateWriters.Get().(*flate.Writer)
	defer flateWriters.Put(w)
	w.Reset(&out)
	g := p.gzPage
	var kept []byte // the runs' compressed bytes, without the fillers'
	rest := part
	for {
		i, kind, n := nextHole(rest, token, nonce)
		run := rest
		if i >= 0 {
			run = rest[:i]
		}
		_, _ = w.Write(run)
		_ = w.Flush()
		kept = append(kept, out.Bytes()...)
		out.Reset()
		g.runs = append(g.runs, newGzRun(len(kept), run))
		g.size += len(run)
		if i < 0 {
			break
		}
		g.holes = append(g.holes, kind)
		p.holeLen[kind] = n
		_, _ = w.Write(bytes.Repeat([]byte{fillByte}, n))
		_ = w.Flush()
		out.Reset() // the filler's bytes: the value goes there as a stored block
		rest = rest[i+n:]
	}
	g.data = kept
	return p
}

// gzStream assembles one gzip member from runs deflated now, runs kept
// deflated, and stored values, keeping its CRC-32 and length.
type gzStream struct {
	buf  *bytes.Buffer
	crc  uint32
	size int64
}

func (z *gzStream) start() { z.buf.Write(gzHeader) }

// fresh deflates b now, on its own (its back references stay inside it).
func (z *gzStream) fresh(b []byte) {
	if len(b) == 0 {
		return
	}
	w := freshWriters.Get().(*kflate.Writer)
	w.Reset(z.buf)
	_, _ = w.Write(b)
	_ = w.Flush()
	freshWriters.Put(w)
	z.crc = crc32.Update(z.crc, crc32.IEEETable, b)
	z.size += int64(len(b))
}

// stored writes v as a stored block, not final.
func (z *gzStream) stored(v string) {
	n := uint16(len(v))
	z.buf.Write([]byte{0, byte(n), byte(n >> 8), ^byte(n), ^byte(n >> 8)})
	z.buf.WriteString(v)
	z.crc = crc32.Update(z.crc, crc32.IEEETable, []byte(v))
	z.size += int64(len(v))
}

// page writes g's runs with token and nonce in its holes. A part has a
// hole in every form of every post: each value's CRC is worked out once.
func (z *gzStream) page(g *gzPage, token, nonce string) {
	var vals [2]struct {
		v          string
		crc, shift uint32
	}
	for i, v := range []string{token, nonce} {
		vals[i].v, vals[i].crc, vals[i].shift = v, crc32.ChecksumIEEE([]byte(v)), x2nModP(int64(len(v)), 3)
	}
	start := 0
	for i, r := range g.runs {
		z.buf.Write(g.data[start:r.end])
		start = r.end
		z.crc = multModP(r.shift, z.crc) ^ r.crc
		z.size += r.n
		if i < len(g.holes) {
			h := &vals[0]
			if g.holes[i] == holeNonce {
				h = &vals[1]
			}
			n := uint16(len(h.v))
			z.buf.Write([]byte{0, byte(n), byte(n >> 8), ^byte(n), ^byte(n >> 8)})
			z.buf.WriteString(h.v)
			z.crc = multModP(h.shift, z.crc) ^ h.crc
			z.size += int64(len(h.v))
		}
	}
}

func (z *gzStream) end() {
	z.buf.Write(lastBlock)
	var tail [8]byte
	binary.LittleEndian.PutUint32(tail[:4], z.crc)
	binary.LittleEndian.PutUint32(tail[4:], uint32(z.size))
	z.buf.Write(tail[:])
}

// kept is where a part drawn with View.Kept is kept, and what makes it
// fresh: the page cache's signal for tags since mark, as for the data the
// part was drawn from.
type kept struct {
	key  string
	mark uint64
	at   time.Time
	tags []string
}

// Kept draws a part of the page that many readers see alike: write draws
// it, key must name everything it shows (two parts under one key must be
// byte for byte the same but for the CSRF token and the nonce), and mark,
// at and tags say what it was drawn from, as PageCache.Fresh takes them.
// For a client that accepts gzip the part is kept compressed and served
// from the cache while fresh; otherwise it is written as Later writes.
func (v *View) Kept(key string, mark uint64, at time.Time, tags []string, write func(*bytes.Buffer) error) (template.HTML, error) {
	if v.holes == nil || v.parts == nil {
		return v.Later(write)
	}
	marker := "<!--later:" + holeToken + ":" + strconv.Itoa(len(*v.holes)) + "-->"
	*v.holes = append(*v.holes, hole{marker: marker, write: write, kept: &kept{key: partKey(key), mark: mark, at: at, tags: tags}})
	return template.HTML(marker), nil
}

// partKey sets parts' keys apart from pages' and data's.
func partKey(key string) string { return "\x01" + key }

// sendGzipped writes a page with kept parts as one gzip member: the page's
// own runs deflated now, the parts from the cache (drawn and kept first
// when missing or stale), the other holes drawn now. It is all assembled
// before the status goes out, so an error still gets the error page.
func (v *View) sendGzipped(c echo.Context, status int, page []byte, holes []hole) error {
	out := pagePool.Get().(*bytes.Buffer)
	defer pagePool.Put(out)
	out.Reset()
	z := &gzStream{buf: out}
	z.start()
	for _, h := range holes {
		at := bytes.Index(page, []byte(h.marker))
		if at < 0 {
			continue // the template did not draw it
		}
		z.fresh(page[:at])
		page = page[at+len(h.marker):]
		if h.kept != nil {
			if err := v.sendPart(z, h); err != nil {
				return err
			}
			continue
		}
		b := holeBuffers.Get().(*bytes.Buffer)
		b.Reset()
		err := h.write(b)
		if err == nil {
			z.fresh(b.Bytes())
		}
		holeBuffers.Put(b)
		if err != nil {
			return err
		}
	}
	z.fresh(page)
	z.end()
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	res.Header().Set(echo.HeaderContentEncoding, "gzip")
	res.Header().Set(echo.HeaderContentLength, strconv.Itoa(out.Len()))
	res.WriteHeader(status)
	_, err := res.Write(out.Bytes())
	return err
}

// sendPart writes a kept part: from the cache when fresh, else drawn now
// and kept.
func (v *View) sendPart(z *gzStream, h hole) error {
	pc, k := v.parts, h.kept
	if e, done, ok := pc.lookup(k.key); ok {
		defer done()
		if p := (&gzPart{gzPage: e.gz, holeLen: e.holeLen}); p.fits(v.CSRF, v.Nonce) {
			pc.partHits.Add(1)
			z.page(e.gz, v.CSRF, v.Nonce)
			return nil
		}
	}
	pc.partMisses.Add(1)
	b := holeBuffers.Get().(*bytes.Buffer)
	defer holeBuffers.Put(b)
	b.Reset()
	if err := h.write(b); err != nil {
		return err
	}
	p := newGzPart(b.Bytes(), v.CSRF, v.Nonce)
	if p.holeLen != nil {
		pc.keep(k.key, &cachedPage{status: 200, gz: p.gzPage, holeLen: p.holeLen, tags: k.tags, seq: k.mark, at: k.at})
	}
	z.page(p.gzPage, v.CSRF, v.Nonce)
	return nil
}
