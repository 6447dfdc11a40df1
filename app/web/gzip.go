package web

import (
	"bufio"
	"net"
	"net/http"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
)

// gzipWriters compress the pages made for one request. Level 1 (best
// speed) makes pages about a tenth of their size for a quarter of the CPU
// of the default level; the visitors' page cache keeps its own pages
// compressed harder, once. klauspost/compress's gzip takes a quarter of the
// standard library's time at that level (docs/dependencies.md).
var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

// compress gzips responses for clients that accept it, unless the handler
// wrote them compressed already (the page cache sets Content-Encoding) or
// skip says so. It decides when the handler writes the status, so a
// response with no body, or with its own encoding, passes untouched.
func compress(skip func(echo.Context) bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skip(c) {
				return next(c)
			}
			res := c.Response()
			res.Header().Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
			if !acceptsGzip(c.Request()) {
				return next(c)
			}
			w := &gzipWriter{ResponseWriter: res.Writer}
			res.Writer = w
			defer func() {
				res.Writer = w.ResponseWriter
				if w.gz != nil {
					_ = w.gz.Close()
					gzipWriters.Put(w.gz)
				}
			}()
			return next(c)
		}
	}
}

type gzipWriter struct {
	http.ResponseWriter
	gz      *gzip.Writer
	decided bool
}

func (w *gzipWriter) WriteHeader(code int) {
	if !w.decided {
		w.decided = true
		h := w.Header()
		if h.Get(echo.HeaderContentEncoding) == "" && code != http.StatusNoContent && code != http.StatusNotModified &&
			(code < 300 || code >= 400) {
			h.Set(echo.HeaderContentEncoding, "gzip")
			h.Del(echo.HeaderContentLength)
			w.gz = gzipWriters.Get().(*gzip.Writer)
			w.gz.Reset(w.ResponseWriter)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	if !w.decided {
		if w.Header().Get(echo.HeaderContentType) == "" {
			w.Header().Set(echo.HeaderContentType, http.DetectContentType(b))
		}
		w.WriteHeader(http.StatusOK)
	}
	if w.gz != nil {
		return w.gz.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *gzipWriter) Flush() {
	if w.gz != nil {
		_ = w.gz.Flush()
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *gzipWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
