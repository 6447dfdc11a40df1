package web

import (
	"encoding/binary"
	"time"

	"github.com/labstack/echo/v4"
)

// A kept page's bytes, in the page file or in memory, are its header then
// its gzipped runs (gzPage.data). The header holds what the index in
// memory does not: the page's key, to tell it from another key of the
// same hash; its seq, time and tags, which decide whether it may still be
// served; its status and content type; and its runs' places, lengths and
// CRCs. Integers are varints; the time is nanoseconds since the cache
// began, which keeps the clock's monotonic reading.
//
//	key, seq, at, status, content type, tags (count, each), size,
//	runs (count, each: end, n, crc, hole), data
//
// Strings are a length then bytes.

// encodeKept appends e's kept bytes, under key, to dst.
func encodeKept(dst []byte, key string, e *cachedPage, start time.Time) []byte {
	dst = appendString(dst, key)
	dst = binary.AppendUvarint(dst, e.seq)
	dst = binary.AppendVarint(dst, int64(e.at.Sub(start)))
	dst = binary.AppendUvarint(dst, uint64(e.status))
	dst = appendString(dst, e.contentType)
	dst = binary.AppendUvarint(dst, uint64(len(e.tags)))
	for _, t := range e.tags {
		dst = appendString(dst, t)
	}
	dst = binary.AppendUvarint(dst, uint64(e.gz.size))
	dst = binary.AppendUvarint(dst, uint64(len(e.gz.runs)))
	for _, r := range e.gz.runs {
		dst = binary.AppendUvarint(dst, uint64(r.end))
		dst = binary.AppendUvarint(dst, uint64(r.n))
		dst = binary.LittleEndian.AppendUint32(dst, r.crc)
		dst = append(dst, r.hole)
	}
	return append(dst, e.gz.data...)
}

func appendString(dst []byte, s string) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(s))), s...)
}

// What decodeKept found.
const (
	keptOK    = iota
	keptOther // the bytes are another key's
	keptStale // expired, or one of its tags dropped since it was rendered
	keptBad   // not a kept page's bytes
)

// decodeKept reads key's page from b into e, whose runs it appends to
// e.gz.runs, and says whether it may be served. e's data and tags point
// into b; its tags are left out (nil), having been checked here.
func decodeKept(b []byte, key string, e *cachedPage, pc *PageCache) int {
	d := keptReader{b: b}
	if string(d.bytes()) != key {
		if d.bad {
			return keptBad
		}
		return keptOther
	}
	e.seq = d.uint()
	e.at = pc.start.Add(time.Duration(d.int()))
	if time.Since(e.at) >= pc.ttl {
		return keptStale
	}
	e.status = int(d.uint())
	if ct := d.bytes(); string(ct) == echo.MIMETextHTMLCharsetUTF8 {
		e.contentType = echo.MIMETextHTMLCharsetUTF8 // the usual one, without a copy
	} else {
		e.contentType = string(ct)
	}
	e.tags = nil
	fresh := func(tag []byte) bool {
		dr, ok := pc.dropped[string(tag)]
		return !ok || dr.seq <= e.seq
	}
	pc.mu.RLock()
	ok := fresh(nil)
	for n := d.uint(); n > 0 && !d.bad; n-- {
		ok = fresh(d.bytes()) && ok
	}
	pc.mu.RUnlock()
	if !ok {
		return keptStale
	}
	e.gz.size = int(d.uint())
	for n := d.uint(); n > 0 && !d.bad; n-- {
		r := gzRun{end: uint32(d.uint()), n: uint32(d.uint())}
		if b := d.next(5); len(b) == 5 {
			r.crc, r.hole = binary.LittleEndian.Uint32(b), b[4]
		}
		e.gz.runs = append(e.gz.runs, r)
	}
	e.gz.data = d.b
	if d.bad || len(e.gz.runs) > 0 && int(e.gz.runs[len(e.gz.runs)-1].end) != len(e.gz.data) {
		return keptBad
	}
	return keptOK
}

// keptReader reads a kept page's header; bad says it ran short.
type keptReader struct {
	b   []byte
	bad bool
}

func (d *keptReader) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad, d.b = true, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *keptReader) int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad, d.b = true, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *keptReader) next(n int) []byte {
	if n < 0 || n > len(d.b) {
		d.bad, d.b = true, nil
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *keptReader) bytes() []byte { return d.next(int(d.uint())) }
