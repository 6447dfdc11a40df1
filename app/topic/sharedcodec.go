package topic

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
	"time"

	"github.com/klauspost/compress/s2"

	"causerie/app/user"
)

// A kept page (sharedPage) is also written as bytes beside the visitors'
// pages (web.PageCache.KeepData): in their file, under their budget and
// their tags, so many more pages are kept than the heap could hold, and a
// member reading a page no one read lately is spared its three or four
// queries. The bytes are the values of the fields the queries read, in the
// order of their column lists (Topic.columns, Post.columns, authorFields),
// compressed with S2; reading them back costs a few tens of microseconds.
// TestSharedPageBytes holds the round trip to every field.

// sharedVersion starts the bytes: a server that changes the layout
// ignores (and so drops) what an older one kept, though the file starts
// empty at each start anyway.
const sharedVersion = 1

// encode writes the page as bytes, S2-compressed.
func (p *sharedPage) encode() ([]byte, error) {
	b := []byte{sharedVersion}
	b = binary.AppendUvarint(b, p.mark)
	b = appendTime(b, p.at)
	var err error
	put := func(fields []any) {
		if err == nil {
			b, err = appendFields(b, fields)
		}
	}
	put(p.topic.columns())
	b = binary.AppendUvarint(b, uint64(len(p.posts)))
	for _, q := range p.posts {
		put(q.columns())
	}
	b = appendBool(b, p.accepted != nil)
	if p.accepted != nil {
		put(p.accepted.columns())
	}
	b = binary.AppendUvarint(b, uint64(len(p.posted.users)))
	for _, u := range p.posted.users {
		put(authorFields(u))
	}
	b = binary.AppendUvarint(b, uint64(len(p.posted.refs)))
	for id, q := range p.posted.refs {
		b = binary.AppendVarint(b, id)
		put(q.columns())
	}
	b = binary.AppendUvarint(b, uint64(len(p.posted.counts)))
	for id, kinds := range p.posted.counts {
		b = binary.AppendVarint(b, id)
		b = binary.AppendUvarint(b, uint64(len(kinds)))
		for k, n := range kinds {
			b = appendString(b, k)
			b = binary.AppendVarint(b, int64(n))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(p.tags)))
	for _, tag := range p.tags {
		b = appendString(b, tag)
	}
	if err != nil {
		return nil, err
	}
	return s2.Encode(nil, b), nil
}

// decodeBuffers hold the decompressed bytes of a kept page while it is
// read.
var decodeBuffers = sync.Pool{New: func() any { return new([]byte) }}

// decodeShared reads a page written by encode.
func decodeShared(data []byte) (*sharedPage, error) {
	buf := decodeBuffers.Get().(*[]byte)
	defer decodeBuffers.Put(buf)
	raw, err := s2.Decode((*buf)[:cap(*buf)], data)
	if err != nil {
		return nil, fmt.Errorf("kept page: %w", err)
	}
	*buf = raw[:0]
	r := newFieldReader(raw) // copies raw: the buffer goes back to the pool
	if r.byte() != sharedVersion {
		return nil, errors.New("kept page: written by another version")
	}
	p := &sharedPage{mark: r.uvarint(), topic: new(Topic)}
	p.at = r.time()
	r.fields(p.topic.columns())
	p.posts = make([]*Post, r.count())
	for i := range p.posts {
		p.posts[i] = new(Post)
		r.fields(p.posts[i].columns())
	}
	if r.bool() {
		p.accepted = new(Post)
		r.fields(p.accepted.columns())
		for _, q := range p.posts { // the same post, as read
			if q.ID == p.accepted.ID {
				p.accepted = q
			}
		}
	}
	n := r.count()
	p.posted = &postsData{users: make(map[int64]*user.User, n), refs: map[int64]*Post{}}
	for range n {
		u := new(user.User)
		r.fields(authorFields(u))
		p.posted.users[u.ID] = u
	}
	for range r.count() {
		id, q := r.varint(), new(Post)
		r.fields(q.columns())
		p.posted.refs[id] = q
	}
	n = r.count()
	p.posted.counts = make(map[int64]map[string]int, n)
	for range n {
		id, kinds := r.varint(), r.count()
		m := make(map[string]int, kinds)
		for range kinds {
			k := r.string()
			m[k] = int(r.varint())
		}
		p.posted.counts[id] = m
	}
	if n := r.count(); n > 0 {
		p.tags = make([]string, n)
		for i := range p.tags {
			p.tags[i] = r.string()
		}
	}
	if r.err == nil && len(r.b) > 0 {
		r.err = errors.New("bytes left over")
	}
	if r.err != nil {
		return nil, fmt.Errorf("kept page: %w", r.err)
	}
	return p, nil
}

// appendFields writes the values the pointers point to. The types are
// those of our columns; another is a programming error, which the round
// trip test finds.
func appendFields(b []byte, fields []any) ([]byte, error) {
	for i, f := range fields {
		switch v := f.(type) {
		case *int64:
			b = binary.AppendVarint(b, *v)
		case *int:
			b = binary.AppendVarint(b, int64(*v))
		case *string:
			b = appendString(b, *v)
		case *bool:
			b = appendBool(b, *v)
		case **int64:
			b = appendBool(b, *v != nil)
			if *v != nil {
				b = binary.AppendVarint(b, **v)
			}
		case *time.Time:
			b = appendTime(b, *v)
		case **time.Time:
			b = appendBool(b, *v != nil)
			if *v != nil {
				b = appendTime(b, **v)
			}
		default: // a type of ours over a string or an integer (auth.Role)
			switch v := reflect.ValueOf(f).Elem(); {
			case v.Kind() == reflect.String:
				b = appendString(b, v.String())
			case v.CanInt():
				b = binary.AppendVarint(b, v.Int())
			default:
				return nil, fmt.Errorf("kept page: field %d is a %T", i, f)
			}
		}
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// appendTime keeps the instant and whether it was in UTC (as both
// databases give times back here); another zone comes back as the local
// one, the same instant.
func appendTime(b []byte, t time.Time) []byte {
	b = appendBool(b, t.Location() == time.UTC)
	b = binary.AppendVarint(b, t.Unix()) // seconds: the zero time is outside UnixNano's range
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// fieldReader reads what appendFields wrote; the first error sticks and
// the values after it are zero. Its strings are cut out of s, one copy of
// all the bytes (b is what is left of them to read): a page's hundred-odd
// strings then cost one allocation, not one each.
type fieldReader struct {
	b   []byte
	s   string
	err error
}

func newFieldReader(b []byte) *fieldReader { return &fieldReader{b: b, s: string(b)} }

func (r *fieldReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("truncated at a %s", what)
	}
	r.b = nil
}

func (r *fieldReader) byte() byte {
	if len(r.b) == 0 {
		r.fail("byte")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *fieldReader) bool() bool { return r.byte() == 1 }

func (r *fieldReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *fieldReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count is a length, bounded by the bytes left (each element takes one
// byte at least), so bad bytes cannot make it allocate much.
func (r *fieldReader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) || n > math.MaxInt32 {
		r.fail("length")
		return 0
	}
	return int(n)
}

func (r *fieldReader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail("string")
		return ""
	}
	at := len(r.s) - len(r.b)
	s := r.s[at : at+int(n)]
	r.b = r.b[n:]
	return s
}

func (r *fieldReader) time() time.Time {
	utc := r.bool()
	sec := r.varint()
	t := time.Unix(sec, int64(r.uvarint()))
	if utc {
		return t.UTC()
	}
	return t
}

func (r *fieldReader) fields(fields []any) {
	for _, f := range fields {
		switch v := f.(type) {
		case *int64:
			*v = r.varint()
		case *int:
			*v = int(r.varint())
		case *string:
			*v = r.string()
		case *bool:
			*v = r.bool()
		case **int64:
			if r.bool() {
				n := r.varint()
				*v = &n
			}
		case *time.Time:
			*v = r.time()
		case **time.Time:
			if r.bool() {
				t := r.time()
				*v = &t
			}
		default:
			switch v := reflect.ValueOf(f).Elem(); {
			case v.Kind() == reflect.String:
				v.SetString(r.string())
			case v.CanInt():
				v.SetInt(r.varint())
			default:
				if r.err == nil {
					r.err = fmt.Errorf("field of type %T", f)
				}
			}
		}
	}
}
