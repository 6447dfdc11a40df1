package web

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"slices"
	"sync"
)

// gzPage is a page kept compressed, with holes for the values that change
// with every response (the CSRF token and the script nonce).
//
// Each run of bytes between two holes is deflated on its own and ended
// with a sync flush, which leaves it on a byte boundary: runs can be put one
// after the other in a deflate stream, with a stored (uncompressed) block
// for each hole's value between them. Every response is then a gzip member
// made of the kept runs, a few bytes per hole and the gzip trailer, whose
// CRC-32 is combined from each run's CRC without reading the run again.
type gzPage struct {
	data []byte  // the deflated runs, one after the other
	runs []gzRun // in order, each followed by its hole but the last
	size int     // the page's uncompressed length, without the holes
}

// gzRun is a deflated run of the page. A page's index stays in memory for
// as long as the page is kept, tens of thousands of them, so it is small:
// a page is under budget/16, far under 4 GiB.
type gzRun struct {
	end  uint32 // where the run ends in data
	n    uint32 // its uncompressed length
	crc  uint32 // CRC-32 of its uncompressed bytes
	hole byte   // what goes after it: holeCSRF, holeNonce, or 0 (the last)
}

const (
	holeCSRF  = 'c'
	holeNonce = 'n'
)

var (
	gzHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}
	// lastBlock is an empty stored block marked final: the end of the
	// deflate stream.
	lastBlock = []byte{1, 0, 0, 0xff, 0xff}
)

// compressing bounds how many pages are compressed at once: a deflate
// writer weighs about 1 MB, and compressing is CPU work anyway, so more
// at once than there are CPUs would only hold more of them in memory
// (when many pages are missed together, as after a restart).
var compressing = make(chan struct{}, runtime.GOMAXPROCS(0))

var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.DefaultCompression)
	return w
}}

var flateReaders = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}

// newGzPage cuts page at every occurrence of token and nonce and deflates
// the runs between them.
func newGzPage(page []byte, token, nonce string) gzPage {
	var g gzPage
	var runs [16]gzRun
	g.runs = runs[:0]
	var out bytes.Buffer
	out.Grow(len(page) / 6)
	compressing <- struct{}{}
	defer func() { <-compressing }()
	w := flateWriters.Get().(*flate.Writer)
	defer flateWriters.Put(w)
	rest := page
	for {
		i, kind, n := nextHole(rest, token, nonce)
		run := rest
		if i >= 0 {
			run = rest[:i]
		}
		w.Reset(&out)
		_, _ = w.Write(run)
		_ = w.Flush()
		g.runs = append(g.runs, gzRun{end: uint32(out.Len()), n: uint32(len(run)), crc: crc32.ChecksumIEEE(run)})
		g.size += len(run)
		if i < 0 {
			break
		}
		g.runs[len(g.runs)-1].hole = kind
		rest = rest[i+n:]
	}
	g.runs = slices.Clone(g.runs) // off the stack, at its length
	g.data = bytes.Clone(out.Bytes())
	return g
}

// nextHole finds the first token or nonce in b: its index (-1 when none),
// kind and length.
func nextHole(b []byte, token, nonce string) (int, byte, int) {
	i := bytes.Index(b, []byte(token))
	j := bytes.Index(b, []byte(nonce))
	switch {
	case i < 0 && j < 0:
		return -1, 0, 0
	case j < 0 || i >= 0 && i < j:
		return i, holeCSRF, len(token)
	}
	return j, holeNonce, len(nonce)
}

func (g *gzPage) weight() int { return len(g.data) + 16*len(g.runs) + 48 }

func (g *gzPage) value(k byte, token, nonce string) string {
	if k == holeCSRF {
		return token
	}
	return nonce
}

// gzip writes the page as one gzip member, with token and nonce in the
// holes.
func (g *gzPage) gzip(buf *bytes.Buffer, token, nonce string) {
	buf.Write(gzHeader)
	var crc uint32
	size := int64(0)
	start := 0
	for _, r := range g.runs {
		buf.Write(g.data[start:r.end])
		start = int(r.end)
		crc = crc32Combine(crc, r.crc, int64(r.n))
		size += int64(r.n)
		if r.hole != 0 {
			v := g.value(r.hole, token, nonce)
			// A stored block, not final: BFINAL 0, BTYPE 00 on a byte
			// boundary, then LEN and its complement.
			n := uint16(len(v))
			buf.Write([]byte{0, byte(n), byte(n >> 8), ^byte(n), ^byte(n >> 8)})
			buf.WriteString(v)
			crc = crc32.Update(crc, crc32.IEEETable, []byte(v))
			size += int64(len(v))
		}
	}
	buf.Write(lastBlock)
	var tail [8]byte
	binary.LittleEndian.PutUint32(tail[:4], crc)
	binary.LittleEndian.PutUint32(tail[4:], uint32(size))
	buf.Write(tail[:])
}

// plain writes the page uncompressed, with token and nonce in the holes,
// for the rare client that does not accept gzip.
func (g *gzPage) plain(buf *bytes.Buffer, token, nonce string) error {
	buf.Grow(g.size + len(g.runs)*len(token))
	r := flateReaders.Get().(io.ReadCloser)
	defer flateReaders.Put(r)
	start := 0
	for _, run := range g.runs {
		src := io.MultiReader(bytes.NewReader(g.data[start:run.end]), bytes.NewReader(lastBlock))
		start = int(run.end)
		if err := r.(flate.Resetter).Reset(src, nil); err != nil {
			return fmt.Errorf("page cache: inflate: %w", err)
		}
		if _, err := buf.ReadFrom(r); err != nil {
			return fmt.Errorf("page cache: inflate: %w", err)
		}
		if run.hole != 0 {
			buf.WriteString(g.value(run.hole, token, nonce))
		}
	}
	return nil
}

// crc32Combine is the CRC-32 (IEEE) of A followed by B, from crcA, crcB
// and B's length, as zlib's crc32_combine computes it: multiplying crcA by
// x^(8·lenB) modulo the CRC polynomial shifts it past B.
func crc32Combine(crcA, crcB uint32, lenB int64) uint32 {
	return multModP(x2nModP(lenB, 3), crcA) ^ crcB
}

// multModP is a·b modulo the (reflected) CRC-32 polynomial.
func multModP(a, b uint32) uint32 {
	m := uint32(1) << 31
	var p uint32
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ crc32.IEEE
		} else {
			b >>= 1
		}
	}
	return p
}

// x2nModP is x^(n·2^k) modulo the CRC-32 polynomial.
func x2nModP(n int64, k uint) uint32 {
	p := uint32(1) << 31 // x^0
	for n != 0 {
		if n&1 != 0 {
			p = multModP(x2nTable[k&31], p)
		}
		n >>= 1
		k++
	}
	return p
}

// x2nTable holds x^(2^k) modulo the CRC-32 polynomial, k = 0..31.
var x2nTable = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	t[0] = p
	for k := 1; k < 32; k++ {
		p = multModP(p, p)
		t[k] = p
	}
	return t
}()
