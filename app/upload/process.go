package upload

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"causerie/app/errs"
)

// MaxSourcePixels bounds the images decoded. A small file can claim a huge
// canvas (a decompression bomb), and decoding takes about four bytes per
// pixel: the size is read from the header first, and a larger image is
// refused before it is decoded. 50 million covers photos from phones and
// cameras (8000×6000 is 48 million).
const MaxSourcePixels = 50_000_000

// jpegQuality keeps photos sharp at about a tenth of their raw size.
const jpegQuality = 85

var (
	errNotAllowed    = errs.New(errs.Invalid, "upload.not_allowed", nil)
	errUnreadable    = errs.New(errs.Invalid, "upload.unreadable", nil)
	errEmpty         = errs.New(errs.Invalid, "upload.empty", nil)
	errNoFile        = errs.New(errs.Invalid, "upload.missing", nil)
	errTooManyPixels = errs.New(errs.Invalid, "upload.too_many_pixels", map[string]any{"Max": MaxSourcePixels / 1_000_000})
)

func errTooLarge(mb int) error {
	return errs.New(errs.Invalid, "upload.too_large", map[string]any{"Max": mb})
}

// imageTypes are the images decoded and re-encoded. Any other image type
// (SVG above all, which can carry scripts) is not an image here.
var imageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// sniff names the type of a file from its first bytes, as browsers do
// (the WHATWG algorithm of http.DetectContentType), never from its name.
func sniff(head []byte) (full, base string) {
	full = http.DetectContentType(head)
	base, _, _ = strings.Cut(full, ";")
	return full, strings.TrimSpace(base)
}

// markup says whether text is HTML, SVG or XML: a browser could run the
// scripts in any of them. DetectContentType calls an SVG without an XML
// declaration text/plain, so any text whose first character (after a byte
// order mark and white space) opens a tag counts as markup too.
func markup(head []byte, base string) bool {
	switch base {
	case "text/html", "text/xml", "application/xml", "image/svg+xml", "application/xhtml+xml":
		return true
	}
	if !strings.HasPrefix(base, "text/") {
		return false
	}
	for _, bom := range [][]byte{{0xEF, 0xBB, 0xBF}, {0xFE, 0xFF}, {0xFF, 0xFE}} {
		head = bytes.TrimPrefix(head, bom)
	}
	head = bytes.TrimLeft(head, " \t\r\n\f\x00")
	return len(head) > 0 && head[0] == '<'
}

// decodeImage decodes data of an image type after checking its size, and
// turns a JPEG upright as its EXIF orientation says (the EXIF block itself
// is not carried over).
func decodeImage(data []byte, base string) (image.Image, error) {
	var cfg image.Config
	var err error
	switch base {
	case "image/jpeg":
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case "image/png":
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	case "image/gif":
		cfg, err = gif.DecodeConfig(bytes.NewReader(data))
	case "image/webp":
		cfg, err = webp.DecodeConfig(bytes.NewReader(data))
	default:
		return nil, errNotAllowed
	}
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, errUnreadable
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxSourcePixels {
		return nil, errTooManyPixels
	}
	var img image.Image
	switch base {
	case "image/jpeg":
		img, err = jpeg.Decode(bytes.NewReader(data))
	case "image/png":
		img, err = png.Decode(bytes.NewReader(data))
	case "image/gif":
		img, err = gif.Decode(bytes.NewReader(data)) // the first frame
	case "image/webp":
		img, err = webp.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, errUnreadable
	}
	if base == "image/jpeg" {
		img = orient(img, exifOrientation(data))
	}
	return img, nil
}

// opaque says whether every pixel of img is fully opaque.
func opaque(img image.Image) bool {
	o, ok := img.(interface{ Opaque() bool })
	return ok && o.Opaque()
}

// fit shrinks img to at most maxPx on its longer side, keeping its shape.
func fit(img image.Image, maxPx int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= maxPx && h <= maxPx {
		return img
	}
	if w >= h {
		w, h = maxPx, max(1, h*maxPx/w)
	} else {
		w, h = max(1, w*maxPx/h), maxPx
	}
	return scale(img, b, w, h)
}

// square crops the middle square of img and shrinks it to px (a smaller
// square stays its size).
func square(img image.Image, px int) image.Image {
	b := img.Bounds()
	side := min(b.Dx(), b.Dy())
	x0, y0 := b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2
	crop := image.Rect(x0, y0, x0+side, y0+side)
	out := min(side, px)
	return scale(img, crop, out, out)
}

// scale draws the part src of img into a new w×h image with Catmull-Rom
// resampling: RGBA for an opaque image (the JPEG encoder's fast path),
// NRGBA otherwise (no precision lost to premultiplied alpha).
func scale(img image.Image, src image.Rectangle, w, h int) image.Image {
	var dst draw.Image
	if opaque(img) {
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	} else {
		dst = image.NewNRGBA(image.Rect(0, 0, w, h))
	}
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, src, draw.Src, nil)
	return dst
}

// encode writes img as JPEG (quality 85) or as PNG. Either way only the
// pixels are written: no EXIF, GPS position, comment or colour profile.
func encode(img image.Image, asJPEG bool) ([]byte, string, error) {
	var buf bytes.Buffer
	if asJPEG {
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality}); err != nil {
			return nil, "", fmt.Errorf("encode jpeg: %w", err)
		}
		return buf.Bytes(), "image/jpeg", nil
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, "", fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), "image/png", nil
}
