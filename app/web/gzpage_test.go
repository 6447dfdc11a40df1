package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"
)

func TestCRC32Combine(t *testing.T) {
	a, b := []byte("the first part of a page, "), []byte(strings.Repeat("and the second, longer ", 300))
	got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b)))
	if want := crc32.ChecksumIEEE(append(append([]byte{}, a...), b...)); got != want {
		t.Errorf("combined CRC %08x, want %08x", got, want)
	}
	if got := crc32Combine(0, crc32.ChecksumIEEE(b), int64(len(b))); got != crc32.ChecksumIEEE(b) {
		t.Errorf("combining with the empty string changed the CRC")
	}
}

// A kept page comes back as the page with this response's token and nonce,
// as valid gzip (checksum and length checked by the reader) and as plain
// bytes, whatever the holes' places: at the start, side by side, at the end.
func TestGzPage(t *testing.T) {
	const tok, nonce = "TOKEN0123456789abcdefghijklmnopq", "NONCEnonce0123456789abcd"
	body := strings.Repeat("<p>Lorem ipsum dolor sit amet, posts and replies.</p>\n", 400)
	for _, tmpl := range []string{
		"<html>" + body + "</html>",
		"@T<meta content=\"@T\"><script nonce=\"@N\"></script>" + body + "<input value=\"@T\">",
		"@T@N" + body + "@N@T",
		"",
	} {
		page := strings.NewReplacer("@T", tok, "@N", nonce).Replace(tmpl)
		g := newGzPage([]byte(page), tok, nonce)
		if strings.Contains(string(g.data), tok) || len(g.data) > len(page)/4+200 {
			t.Errorf("kept page: %d bytes for %d, or it holds the token", len(g.data), len(page))
		}
		for _, v := range [][2]string{{"TOKENzyxwvutsrqponmlkjihgfedcba98", "NONCEother987654321zyxwv"}, {"t", "n"}} {
			want := strings.NewReplacer("@T", v[0], "@N", v[1]).Replace(tmpl)
			var buf bytes.Buffer
			g.gzip(&buf, v[0], v[1])
			zr, err := gzip.NewReader(&buf)
			if err != nil {
				t.Fatalf("gzip header: %v", err)
			}
			got, err := io.ReadAll(zr)
			if err != nil || string(got) != want {
				t.Errorf("gzip: %v; got %d bytes, want %d", err, len(got), len(want))
			}
			buf.Reset()
			if err := g.plain(&buf, v[0], v[1]); err != nil || buf.String() != want {
				t.Errorf("plain: %v; got %d bytes, want %d", err, buf.Len(), len(want))
			}
		}
	}
}

// BenchmarkGzPage: keeping a page of about 31 KB (a topic page's size)
// after a miss, and serving it.
func BenchmarkGzPage(b *testing.B) {
	const tok, nonce = "TOKEN0123456789abcdefghijklmnopq", "NONCEnonce0123456789abcd"
	var sb strings.Builder
	sb.WriteString(`<meta name="csrf-token" content="` + tok + `"><script nonce="` + nonce + `"></script>`)
	for i := 0; sb.Len() < 31000; i++ {
		fmt.Fprintf(&sb, `<article class="post" id="post-%d"><header><a href="/u/member%d">Member %d</a> <time datetime="2026-11-%02dT10:00:00Z">%d days ago</time></header><div class="body"><p>Reply number %d: the hub paired at once after the firmware update.</p></div></article>`, i, i*7%50, i*7%50, i%28+1, i%28+1, i)
	}
	page := []byte(sb.String())
	b.Run("keep", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			newGzPage(page, tok, nonce)
		}
	})
	g := newGzPage(page, tok, nonce)
	b.Logf("%d bytes kept for %d", len(g.data), len(page))
	var buf bytes.Buffer
	b.Run("gzip", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			buf.Reset()
			g.gzip(&buf, tok, nonce)
		}
	})
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			buf.Reset()
			_ = g.plain(&buf, tok, nonce)
		}
	})
}
