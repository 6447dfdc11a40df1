package upload

import (
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

type handlers struct {
	svc *Service
}

// multipartSlack is what a multipart body may carry beyond its file: the
// boundaries, part headers and the CSRF field.
const multipartSlack = 64 << 10

// Routes registers the upload routes. Each line says who may use it.
func Routes(s *web.Server, svc *Service, member echo.MiddlewareFunc) {
	h := &handlers{svc: svc}
	s.PartialInGo("upload-form", writeUploadForm) // in a topic page's reply box
	files := limitBody(max(svc.cfg.MaxImageMB, svc.cfg.MaxFileMB))
	images := limitBody(svc.cfg.MaxImageMB)
	s.POST("/uploads", h.create, member, files)               // members the authorizer lets upload (auth.CanUpload)
	s.POST("/api/v1/uploads", h.apiCreate, member, files)     // the same, for programs and the composer's script
	s.GET("/uploads/avatars/:id", h.avatarShow)               // anyone: a member's current avatar
	s.GET("/uploads/:name", h.show)                           // anyone who has the address (it holds the SHA-256)
	s.POST("/account/avatar", h.avatarUpdate, member, images) // members, their own
	s.POST("/account/avatar/delete", h.avatarDelete, member)  // members, their own
}

// limitBody holds a request to a file of mb megabytes and its form: a body
// that says it is longer is refused before anything reads it, and one that
// grows longer on the way stops being read there.
func limitBody(mb int) echo.MiddlewareFunc {
	n := int64(mb)<<20 + multipartSlack
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > n {
				return errTooLarge(mb)
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, n)
			err := next(c)
			if mbe := new(http.MaxBytesError); errors.As(err, &mbe) {
				return errTooLarge(mb)
			}
			return err
		}
	}
}

// filePart finds the "file" field of a multipart form. It streams it when
// nothing read the form yet, so the service can refuse a file too large
// without reading it whole; when the CSRF check had to read the form (a
// browser that sent the token as a field only), the parsed file is used.
func filePart(c echo.Context) (Input, func(), error) {
	r := c.Request()
	if r.MultipartForm != nil {
		fhs := r.MultipartForm.File["file"]
		if len(fhs) == 0 {
			return Input{}, nil, errNoFile
		}
		f, err := fhs[0].Open()
		if err != nil {
			return Input{}, nil, err
		}
		return Input{Name: fhs[0].Filename, Body: f}, func() { f.Close() }, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return Input{}, nil, errNoFile
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return Input{}, nil, errNoFile
		}
		if mbe := new(http.MaxBytesError); errors.As(err, &mbe) {
			return Input{}, nil, err
		}
		if err != nil {
			return Input{}, nil, errNoFile // not a multipart body
		}
		if p.FormName() == "file" && p.FileName() != "" {
			return Input{Name: p.FileName(), Body: p}, func() { p.Close() }, nil
		}
		p.Close()
	}
}
