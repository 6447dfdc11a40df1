package topic

import (
	"encoding/binary"
	"encoding/hex"
	"hash/maphash"
	"strconv"
	"time"

	"causerie/app/auth"
	"causerie/app/web"
)

// A member's page keeps its posts' markup compressed (web.View.Kept) under
// a key naming everything writePosts draws from: the kept page of posts
// (its mark and time), and for this reader, each post's rights and what is
// theirs, the words of their language and when each post was written as
// they see it. Members with the same rights who neither reacted to nor
// bookmarked the page's posts share one; a reader's own reaction makes
// theirs another. The markup of the partials drawn under each post
// (moderation-post, review-post) depends on the reader's permissions in
// the category and site-wide, their trust level and whether the post is
// theirs: all in the key. When the theme draws those partials with its own
// templates, which may show anything, the posts are not kept.

// keptPartials are the partials drawn under each post; the posts are kept
// only while Go writes them.
var keptPartials = []string{"moderation-post", "review-post"}

var postsSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// postsKey is the key of the page's posts' markup for v, or "" when they
// are not to be kept (no kept page of posts behind them, or a theme's own
// partials).
func (tp *TopicPage) postsKey(v *web.View) string {
	if !tp.kept.ok || !v.Viewer.LoggedIn() {
		return ""
	}
	for _, name := range keptPartials {
		if !v.PartialInGo(name) {
			return ""
		}
	}
	b := make([]byte, 0, 256+len(tp.Posts)*96)
	b = tp.appendKey(b, v)
	// Two hashes of 64 bits with their own seeds: two shapes of a page
	// never meet under one key in practice (the seeds are this process's).
	var sum [16]byte
	binary.LittleEndian.PutUint64(sum[:8], maphash.Bytes(postsSeeds[0], b))
	binary.LittleEndian.PutUint64(sum[8:], maphash.Bytes(postsSeeds[1], b))
	return "posts " + strconv.FormatInt(tp.Topic.ID, 10) + " " + strconv.Itoa(tp.From) + " " + hex.EncodeToString(sum[:])
}

// appendKey appends to b, field by field with separators, what the posts'
// markup shows for v.
func (tp *TopicPage) appendKey(b []byte, v *web.View) []byte {
	str := func(s string) { b = append(strconv.AppendInt(b, int64(len(s)), 10), ':'); b = append(b, s...) }
	num := func(n int64) { b = append(strconv.AppendInt(b, n, 10), ',') }
	flag := func(on bool) {
		if on {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
	}
	t, viewer := tp.Topic, v.Viewer
	num(t.ID)
	num(int64(tp.kept.mark))
	num(tp.kept.at.UnixNano())
	str(t.Slug)
	str(t.Kind)
	num(int64(tp.From))
	num(tp.Category.ID)
	flag(tp.CanReply)
	str(v.Lang)
	num(int64(viewer.TrustLevel))
	str(string(viewer.Role))
	for _, p := range auth.Permissions {
		flag(viewer.Can(p, tp.Category.ID))
		flag(viewer.Can(p, 0))
	}
	for _, pv := range tp.Posts {
		b = tp.appendPost(b, pv, viewer)
	}
	if a := tp.Accepted; a != nil {
		b = append(b, 'A')
		b = tp.appendPost(b, a, viewer)
	}
	return b
}

// appendPost appends what a post's markup shows for the reader.
func (tp *TopicPage) appendPost(b []byte, pv *PostView, viewer *auth.Viewer) []byte {
	b = append(b, '|')
	b = strconv.AppendInt(b, pv.ID, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(pv.Number), 10)
	b = append(b, ',')
	for _, on := range []bool{pv.Visible, pv.Accepted, pv.Bookmarked, pv.CanEdit, pv.CanDelete, pv.CanReact,
		pv.CanAccept, pv.CanRestore, pv.FirstNew, pv.UserID == viewer.ID} {
		if on {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
	}
	b = append(b, pv.Ago...)
	b = append(b, 0)
	b = append(b, pv.Exact...)
	b = append(b, 0)
	for _, btn := range pv.Buttons {
		b = append(b, btn.Value...)
		b = append(b, '=')
		b = strconv.AppendInt(b, int64(btn.Count), 10)
		b = append(b, ' ')
		b = append(b, btn.Text...)
		b = append(b, 0)
	}
	return b
}

// keptPosts is what the posts of a page were read from, for postsKey: the
// kept page of posts' mark and time (ok: there is one).
type keptPosts struct {
	mark uint64
	at   time.Time
	ok   bool
}
