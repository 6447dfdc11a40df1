// Package upload owns what members upload: images and attachments for their
// posts, and their avatars. A file's type is read from its bytes; images
// are decoded and encoded anew (which drops their metadata), shrunk to the
// configured size, and attachments are kept as sent but only ever served
// as downloads. The bytes sit in a Storage under their SHA-256, so the same
// file is stored once; the uploads table says who sent what.
package upload

import (
	"mime"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// Kinds of upload.
const (
	KindImage = "image" // decoded, re-encoded, shown inline
	KindFile  = "file"  // kept as sent, served as a download
)

// Upload is one file a member sent. Several rows may share a Key (the same
// bytes sent by several members); one member's same file is one row.
type Upload struct {
	ID           int64
	UserID       int64
	Key          string
	Kind         string
	Mime         string
	Size         int64
	Width        int
	Height       int
	OriginalName string
	CreatedAt    time.Time
}

// URL is where the upload is served. The extension is for people and
// programs that go by names; the server goes by the stored type.
func (u *Upload) URL() string { return "/uploads/" + u.Key + extension(u.Mime) }

// IsImage says whether the upload is shown inline.
func (u *Upload) IsImage() bool { return u.Kind == KindImage }

// Markdown is what the composer inserts: an image, or a link to the file.
func (u *Upload) Markdown() string {
	if u.IsImage() {
		name := strings.TrimSuffix(u.OriginalName, path.Ext(u.OriginalName))
		return "![" + mdText(name) + "](" + u.URL() + ")"
	}
	return "[" + mdText(u.OriginalName) + "](" + u.URL() + ")"
}

// mdText escapes the characters that would end or change a Markdown link
// text.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\[]()<>*_`~|!", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

var extensions = map[string]string{
	"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf",
	"text/plain": ".txt", "application/zip": ".zip",
}

// extension is the usual file extension of a MIME type, or "".
func extension(mimeType string) string {
	base, _, _ := strings.Cut(mimeType, ";")
	base = strings.TrimSpace(base)
	if e, ok := extensions[base]; ok {
		return e
	}
	if exts, err := mime.ExtensionsByType(base); err == nil && len(exts) > 0 {
		return exts[0]
	}
	return ""
}

// cleanName keeps the last element of a sent file name, without control
// characters, at most 200 bytes long.
func cleanName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, strings.TrimSpace(name))
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	return name
}
