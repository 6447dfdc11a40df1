package upload

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

// halves is a w×h image whose left half is red and right half blue, so a
// test can tell which way it was turned.
func halves(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: 220, A: 255}
			if x >= w/2 {
				c = color.RGBA{B: 220, A: 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gpsLatitude is the GPS latitude written into the test EXIF block
// (48°51'29.79"), as its TIFF rationals: it must not survive.
var gpsLatitude = []uint32{48, 1, 51, 1, 2979, 100}

// withEXIF puts an EXIF block (APP1) with an Orientation tag and a GPS
// position right after the start of a JPEG, as a phone does.
func withEXIF(jpg []byte, orientation uint16) []byte {
	le := binary.LittleEndian
	t := []byte("II*\x00\x08\x00\x00\x00")
	// IFD0 at 8: Orientation, GPS IFD pointer.
	t = le.AppendUint16(t, 2)
	t = append(t, 0x12, 0x01, 3, 0) // 0x0112 SHORT
	t = le.AppendUint32(t, 1)
	t = le.AppendUint16(t, orientation)
	t = append(t, 0, 0)
	t = append(t, 0x25, 0x88, 4, 0) // 0x8825 LONG
	t = le.AppendUint32(t, 1)
	t = le.AppendUint32(t, 38)
	t = le.AppendUint32(t, 0)
	// GPS IFD at 38: latitude reference, latitude (rationals at 68).
	t = le.AppendUint16(t, 2)
	t = append(t, 1, 0, 2, 0) // GPSLatitudeRef ASCII
	t = le.AppendUint32(t, 2)
	t = append(t, 'N', 0, 0, 0)
	t = append(t, 2, 0, 5, 0) // GPSLatitude RATIONAL
	t = le.AppendUint32(t, 3)
	t = le.AppendUint32(t, 68)
	t = le.AppendUint32(t, 0)
	for _, v := range gpsLatitude {
		t = le.AppendUint32(t, v)
	}
	seg := append([]byte("Exif\x00\x00"), t...)
	app1 := []byte{0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func gpsBytes() []byte {
	var b []byte
	for _, v := range gpsLatitude {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

// hugePNG is a valid 1×1 PNG whose header claims w×h pixels: a few dozen
// bytes that would need gigabytes to decode.
func hugePNG(t testing.TB, w, h uint32) []byte {
	b := encodePNG(t, image.NewGray(image.Rect(0, 0, 1, 1)))
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestEXIFOrientation(t *testing.T) {
	plain := encodeJPEG(t, halves(40, 20))
	if got := exifOrientation(plain); got != 1 {
		t.Errorf("no EXIF: orientation %d, want 1", got)
	}
	for o := uint16(1); o <= 8; o++ {
		if got := exifOrientation(withEXIF(plain, o)); got != int(o) {
			t.Errorf("orientation %d read as %d", o, got)
		}
	}
	for _, junk := range [][]byte{nil, {0xFF, 0xD8}, {0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF}, []byte("not a jpeg")} {
		if got := exifOrientation(junk); got != 1 {
			t.Errorf("%q: orientation %d, want 1", junk, got)
		}
	}
}

// Re-encoding drops the EXIF block, GPS position included, after turning
// the photo the way the block said.
func TestEXIFStripped(t *testing.T) {
	src := withEXIF(encodeJPEG(t, halves(40, 20)), 6)
	if !bytes.Contains(src, []byte("Exif")) || !bytes.Contains(src, gpsBytes()) {
		t.Fatal("the test photo lacks its EXIF block")
	}
	img, err := decodeImage(src, "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	out, mime, err := encode(fit(img, 2048), true)
	if err != nil {
		t.Fatal(err)
	}
	if mime != "image/jpeg" {
		t.Errorf("type %s, want image/jpeg", mime)
	}
	if bytes.Contains(out, []byte("Exif")) || bytes.Contains(out, gpsBytes()) || exifOrientation(out) != 1 {
		t.Error("the EXIF block (GPS position) survived re-encoding")
	}
	for i := 2; i+1 < len(out) && out[i] == 0xFF && out[i+1] != 0xDA; {
		if out[i+1] == 0xE1 {
			t.Error("the output still has an APP1 segment")
		}
		i += 2 + int(binary.BigEndian.Uint16(out[i+2:]))
	}
	back, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	// Orientation 6: turned a quarter clockwise, the left (red) half is on top.
	if b := back.Bounds(); b.Dx() != 20 || b.Dy() != 40 {
		t.Fatalf("size %v, want 20×40 (turned upright)", b.Size())
	}
	if r, _, bl, _ := back.At(10, 5).RGBA(); r < bl {
		t.Error("the top is not red: the photo was not turned clockwise")
	}
	if r, _, bl, _ := back.At(10, 35).RGBA(); bl < r {
		t.Error("the bottom is not blue: the photo was not turned clockwise")
	}
}

func TestOrientations(t *testing.T) {
	src := halves(4, 2) // red at x 0–1, blue at x 2–3
	red := func(img image.Image, x, y int) bool { r, _, b, _ := img.At(x, y).RGBA(); return r > b }
	for _, tc := range []struct {
		o           int
		w, h        int
		redAtOrigin bool
	}{
		{1, 4, 2, true}, {2, 4, 2, false}, {3, 4, 2, false}, {4, 4, 2, true},
		{5, 2, 4, true}, {6, 2, 4, true}, {7, 2, 4, false}, {8, 2, 4, false},
	} {
		got := orient(src, tc.o)
		if b := got.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
			t.Errorf("orientation %d: %v, want %d×%d", tc.o, b.Size(), tc.w, tc.h)
			continue
		}
		if red(got, 0, 0) != tc.redAtOrigin {
			t.Errorf("orientation %d: red at the origin = %v, want %v", tc.o, !tc.redAtOrigin, tc.redAtOrigin)
		}
	}
}

// A file claiming a huge canvas is refused from its header, before any
// pixel is decoded.
func TestDecompressionBomb(t *testing.T) {
	if _, err := decodeImage(hugePNG(t, 100000, 100000), "image/png"); err != errTooManyPixels {
		t.Errorf("100000×100000 PNG: %v, want errTooManyPixels", err)
	}
	if _, err := decodeImage(hugePNG(t, 1, 1), "image/png"); err != nil {
		t.Errorf("the same PNG at 1×1: %v", err)
	}
	if _, err := decodeImage([]byte("\x89PNG\r\n\x1a\nbroken"), "image/png"); err != errUnreadable {
		t.Errorf("a broken PNG: %v, want errUnreadable", err)
	}
}

func TestFitAndSquare(t *testing.T) {
	for _, tc := range []struct{ w, h, max, ww, wh int }{
		{400, 300, 200, 200, 150}, {300, 400, 200, 150, 200}, {800, 600, 2048, 800, 600}, {5000, 10, 100, 100, 1},
	} {
		got := fit(image.NewRGBA(image.Rect(0, 0, tc.w, tc.h)), tc.max).Bounds()
		if got.Dx() != tc.ww || got.Dy() != tc.wh {
			t.Errorf("fit %d×%d in %d: %v, want %d×%d", tc.w, tc.h, tc.max, got.Size(), tc.ww, tc.wh)
		}
	}
	if got := square(halves(600, 300), 256).Bounds(); got.Dx() != 256 || got.Dy() != 256 {
		t.Errorf("avatar of 600×300: %v, want 256×256", got.Size())
	}
	if got := square(halves(100, 300), 256).Bounds(); got.Dx() != 100 || got.Dy() != 100 {
		t.Errorf("avatar of 100×300: %v, want 100×100 (not enlarged)", got.Size())
	}
	// The middle square of a red|blue 600×300 image is half red, half blue.
	sq := square(halves(600, 300), 256)
	if r, _, b, _ := sq.At(10, 128).RGBA(); r < b {
		t.Error("the crop is not the middle square")
	}
}

func TestSniff(t *testing.T) {
	gifBytes := func() []byte {
		var buf bytes.Buffer
		gif.Encode(&buf, halves(2, 2), nil)
		return buf.Bytes()
	}()
	for _, tc := range []struct {
		name   string
		data   []byte
		base   string
		markup bool
	}{
		{"png", encodePNG(t, halves(2, 2)), "image/png", false},
		{"jpeg", encodeJPEG(t, halves(2, 2)), "image/jpeg", false},
		{"gif", gifBytes, "image/gif", false},
		{"pdf", []byte("%PDF-1.7\n..."), "application/pdf", false},
		{"text", []byte("Meeting notes\n- bring cables\n"), "text/plain", false},
		{"html", []byte("<!DOCTYPE html><html><script>alert(1)</script>"), "text/html", true},
		{"html fragment", []byte("  <script>alert(1)</script>"), "text/html", true},
		{"svg with xml", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "text/xml", true},
		{"svg alone", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "text/plain", true},
		{"svg after a BOM", append([]byte{0xEF, 0xBB, 0xBF}, []byte("\n<svg onload=alert(1)>")...), "text/plain", true},
	} {
		_, base := sniff(tc.data)
		if base != tc.base {
			t.Errorf("%s: sniffed %s, want %s", tc.name, base, tc.base)
		}
		if got := markup(tc.data, base); got != tc.markup {
			t.Errorf("%s: markup = %v, want %v", tc.name, got, tc.markup)
		}
	}
}

func TestMarkdownAndNames(t *testing.T) {
	key := "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	img := &Upload{Key: key, Kind: KindImage, Mime: "image/png", OriginalName: "shot [1].png"}
	if got, want := img.Markdown(), `![shot \[1\]](/uploads/`+key+`.png)`; got != want {
		t.Errorf("image markdown %q, want %q", got, want)
	}
	file := &Upload{Key: key, Kind: KindFile, Mime: "text/plain; charset=utf-8", OriginalName: "notes_v2.txt"}
	if got, want := file.Markdown(), `[notes\_v2.txt](/uploads/`+key+`.txt)`; got != want {
		t.Errorf("file markdown %q, want %q", got, want)
	}
	for in, want := range map[string]string{
		`C:\Users\ana\photo.jpg`: "photo.jpg", "../../etc/passwd": "passwd", "a\x00b\"c.txt": "abc.txt", "": "file", "..": "file",
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
}
