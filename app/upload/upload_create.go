package upload

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"causerie/app/auth"
	"causerie/app/config"
	"causerie/app/errs"
	"causerie/app/web"
)

// Page is the data of the upload pages: the upload just made, or the
// message that refused it, shown next to the file field.
type Page struct {
	Upload    *Upload
	Error     string
	ErrorData map[string]any
	Limits    config.Uploads
}

// APIUpload is an upload as the API and the composer's script see it.
type APIUpload struct {
	ID       int64  `json:"id"`
	URL      string `json:"url"`
	Markdown string `json:"markdown"`
	Kind     string `json:"kind"`
	Mime     string `json:"mime"`
	Size     int64  `json:"size"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Name     string `json:"name"`
}

func apiUpload(u *Upload) APIUpload {
	return APIUpload{ID: u.ID, URL: u.URL(), Markdown: u.Markdown(), Kind: u.Kind, Mime: u.Mime, Size: u.Size,
		Width: u.Width, Height: u.Height, Name: u.OriginalName}
}

// create answers the composer's upload form: without JavaScript a page with
// the Markdown to paste (the form opens it in a new tab, so the post being
// written stays), or JSON for a script that asks for it.
func (h *handlers) create(c echo.Context) error {
	u, err := h.save(c)
	if m, ok := fieldError(err); ok {
		return web.Render(c, http.StatusUnprocessableEntity, "upload/new", &Page{Error: m.ID, ErrorData: m.Data, Limits: h.svc.cfg})
	}
	if err != nil {
		return err
	}
	if strings.Contains(c.Request().Header.Get(echo.HeaderAccept), echo.MIMEApplicationJSON) {
		return c.JSON(http.StatusCreated, apiUpload(u))
	}
	return web.Render(c, http.StatusCreated, "upload/new", &Page{Upload: u, Limits: h.svc.cfg})
}

// apiCreate is POST /api/v1/uploads: errors come in the API's shape.
func (h *handlers) apiCreate(c echo.Context) error {
	u, err := h.save(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, apiUpload(u))
}

// save asks the authorizer before reading anything, then hands the file
// field to the service as it arrives.
func (h *handlers) save(c echo.Context) (*Upload, error) {
	v := web.Viewer(c)
	if !auth.CanUpload(v) {
		return nil, errForbidden
	}
	in, done, err := filePart(c)
	if err != nil {
		return nil, tooLarge(err, max(h.svc.cfg.MaxImageMB, h.svc.cfg.MaxFileMB))
	}
	defer done()
	u, err := h.svc.Save(c.Request().Context(), v, in)
	return u, tooLarge(err, max(h.svc.cfg.MaxImageMB, h.svc.cfg.MaxFileMB))
}

// tooLarge words a body cut short by its limit like a file too large.
func tooLarge(err error, mb int) error {
	if mbe := new(http.MaxBytesError); errors.As(err, &mbe) {
		return errTooLarge(mb)
	}
	return err
}

// fieldError is the message a person can act on (another file), shown
// next to the file field.
func fieldError(err error) (*errs.Msg, bool) {
	var m *errs.Msg
	if errors.As(err, &m) && errors.Is(m.Kind, errs.Invalid) {
		return m, true
	}
	return nil, false
}
