package upload

import (
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// show serves /uploads/<key>.<ext>. The address names the content, so
// it may be cached for good.
func (h *handlers) show(c echo.Context) error {
	key, _, _ := strings.Cut(c.Param("name"), ".")
	u, f, mod, err := h.svc.Open(c.Request().Context(), key)
	if err != nil {
		return err
	}
	defer f.Close()
	return serve(c, u, f, mod)
}

// avatarShow serves a member's current avatar by its upload ID (members'
// pages know the ID, not the key). A new avatar is a new upload, so this
// address too never changes what it shows.
func (h *handlers) avatarShow(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return ErrNotFound
	}
	u, f, mod, err := h.svc.OpenAvatar(c.Request().Context(), id)
	if err != nil {
		return err
	}
	defer f.Close()
	return serve(c, u, f, mod)
}

// serve writes an upload with the type read from its bytes, and headers
// that keep a browser from taking it for anything else: no sniffing, no
// script or style of its own, and files other than images downloaded, not
// shown.
func serve(c echo.Context, u *Upload, f io.ReadSeeker, mod time.Time) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, u.Mime)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+u.Key+`"`)
	disposition, name := "attachment", u.OriginalName
	if u.IsImage() {
		disposition = "inline"
		name = strings.TrimSuffix(name, path.Ext(name)) + extension(u.Mime)
	}
	if v := mime.FormatMediaType(disposition, map[string]string{"filename": name}); v != "" {
		h.Set("Content-Disposition", v)
	} else {
		h.Set("Content-Disposition", disposition)
	}
	http.ServeContent(c.Response(), c.Request(), "", mod, f)
	return nil
}
