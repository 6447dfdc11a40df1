package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
	"testing"
)

// postsMarkup is markup like a member's posts: a form with the token under
// every post.
func postsMarkup(n int, tok string) string {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, `<article class="post" id="post-%d"><header><a href="/u/member%d">Member %d</a></header>`+
			`<div class="post-body"><p>Reply number %d: the hub paired at once after the firmware update.</p></div>`+
			`<form method="post" action="/posts/%d/react"><input type="hidden" name="_csrf" value="%s">`+
			`<button name="kind" value="like" aria-pressed="false">Like</button></form></article>`+"\n", i, i*7%50, i*7%50, i, i+100, tok)
	}
	return sb.String()
}

// gunzip reads a whole gzip member, its checksum and length checked.
func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gzip header: %v", err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return string(got)
}

// A page with a kept part comes out as one valid gzip member holding the
// page around it and the part with this response's token and nonce in
// every hole; the part's posts compress against each other (a third of
// what they weigh cut run by run, as the visitors' pages are).
func TestGzPart(t *testing.T) {
	const tok, nonce = "TOKEN0123456789abcdefghijklmnopq", "NONCEnonce0123456789abcd"
	part := postsMarkup(40, tok) + `<script nonce="` + nonce + `"></script>`
	p := newGzPart([]byte(part), tok, nonce)
	if p.holeLen == nil || strings.Contains(string(p.data), tok) {
		t.Fatalf("part not kept as one stream, or it holds the token")
	}
	if alone := newGzPage([]byte(part), tok, nonce); len(p.data)*3 > len(alone.data) {
		t.Errorf("part: %d bytes compressed as one stream, %d run by run: its posts did not compress against each other", len(p.data), len(alone.data))
	}
	const other, otherNonce = "TOKENzyxwvutsrqponmlkjihgfedcba9", "NONCEother987654321zyxwv"
	if !p.fits(other, otherNonce) || p.fits("short", otherNonce) || p.fits(other, "") {
		t.Errorf("fits: values of the fillers' lengths must fit, others not")
	}
	for _, around := range [][2]string{{"<html><body>", "</body></html>"}, {"", ""}, {strings.Repeat("<nav>menu</nav>", 300), "<footer>x</footer>"}} {
		var buf bytes.Buffer
		z := &gzStream{buf: &buf}
		z.start()
		z.fresh([]byte(around[0]))
		z.page(p.gzPage, other, otherNonce)
		z.fresh([]byte(around[1]))
		z.end()
		want := around[0] + strings.NewReplacer(tok, other, nonce, otherNonce).Replace(part) + around[1]
		if got := gunzip(t, buf.Bytes()); got != want {
			t.Errorf("page with a kept part: got %d bytes, want %d", len(got), len(want))
		}
	}
}

// Markup that holds the fillers' byte is cut run by run: served right,
// not kept.
func TestGzPartWithFillerByte(t *testing.T) {
	const tok = "TOKEN0123456789abcdefghijklmnopq"
	part := postsMarkup(5, tok) + "<p>odd \x01 byte</p>"
	p := newGzPart([]byte(part), tok, "")
	if p.holeLen != nil {
		t.Errorf("a part holding the filler's byte was deflated as one stream")
	}
	var buf bytes.Buffer
	z := &gzStream{buf: &buf}
	z.start()
	z.page(p.gzPage, "another-token-of-another-length", "")
	z.end()
	if got, want := gunzip(t, buf.Bytes()), strings.ReplaceAll(part, tok, "another-token-of-another-length"); got != want {
		t.Errorf("got %q..., want %q...", got[:80], want[:80])
	}
}
