package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/errs"
)

// StatusClientClosed is the status recorded for a request whose client
// went away before the answer (nginx's 499).
const StatusClientClosed = 499

// ErrForbidden refuses an action to someone who may not do it.
var ErrForbidden = errs.New(errs.Forbidden, "error.http_403", nil)

// APIError is the body of every error the JSON API returns.
type APIError struct {
	Error APIErrorBody `json:"error"`
}

// APIErrorBody says what went wrong: a stable code for programs, a message
// in the reader's language, and the fields at fault with their messages.
type APIErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func statusOf(kind error) int {
	switch {
	case errors.Is(kind, errs.NotFound):
		return http.StatusNotFound
	case errors.Is(kind, errs.Forbidden):
		return http.StatusForbidden
	case errors.Is(kind, errs.Unauthorized):
		return http.StatusUnauthorized
	case errors.Is(kind, errs.Invalid):
		return http.StatusUnprocessableEntity
	case errors.Is(kind, errs.Conflict):
		return http.StatusConflict
	case errors.Is(kind, errs.TooMany):
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

var codes = map[int]string{
	http.StatusBadRequest: "bad_request", http.StatusUnauthorized: "unauthorized", http.StatusForbidden: "forbidden",
	http.StatusNotFound: "not_found", http.StatusMethodNotAllowed: "method_not_allowed", http.StatusConflict: "conflict",
	http.StatusRequestEntityTooLarge: "too_large", http.StatusUnsupportedMediaType: "unsupported_media_type",
	http.StatusUnprocessableEntity: "invalid",
	http.StatusTooManyRequests:     "too_many_requests", http.StatusInternalServerError: "internal",
	http.StatusServiceUnavailable: "unavailable",
}

// handleError is the one place an error becomes a response: a status, a
// message in the reader's language, as a themed page or as JSON under
// /api/. The cause of a 5xx goes to the log, never to the reader.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if r := c.Request(); r.Context().Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		// The client went away (a closed tab, a load tester stopping): not
		// a failure of ours. Nobody reads the answer; 499 is for the metrics.
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "client went away",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
		c.Response().WriteHeader(StatusClientClosed)
		return
	}
	if _, ok := c.Get(ctxLang).(string); !ok {
		s.setLang(c) // refused before the locale middleware ran (a bad API token)
	}
	status := http.StatusInternalServerError
	id, data := "error.internal", map[string]any(nil)
	var fields errs.Fields
	var msg *errs.Msg
	var lim *errs.Limited
	var he *echo.HTTPError
	switch {
	case errors.As(err, &fields):
		status, id = http.StatusUnprocessableEntity, "error.invalid"
		if errors.Is(err, errs.TooMany) {
			status = http.StatusTooManyRequests // a limit shown on the field it is about
			if errors.As(err, &lim) {           // that knows when it frees
				c.Response().Header().Set("Retry-After", fmt.Sprint(int(lim.RetryAfter.Seconds())+1))
			}
		}
	case errors.As(err, &msg): // its own words, and when it frees if it is a limit that knows
		status, id, data = statusOf(msg.Kind), msg.ID, msg.Data
		if errors.As(err, &lim) {
			c.Response().Header().Set("Retry-After", fmt.Sprint(int(lim.RetryAfter.Seconds())+1))
		}
	case errors.As(err, &lim):
		status = http.StatusTooManyRequests
		id, data = retryMessage(lim)
		c.Response().Header().Set("Retry-After", fmt.Sprint(int(lim.RetryAfter.Seconds())+1))
	case errors.As(err, &he):
		status = he.Code
		id = fmt.Sprintf("error.http_%d", status)
		if !s.bundle.Has(id) {
			id = "error.request"
		}
	default:
		if st := statusOf(err); st != http.StatusInternalServerError {
			status = st
			id = fmt.Sprintf("error.http_%d", status)
		}
	}
	if status >= 500 {
		s.log.LogAttrs(c.Request().Context(), slog.LevelError, "request failed",
			slog.String("method", c.Request().Method), slog.String("path", c.Request().URL.Path),
			slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)), slog.Any("error", err))
	}
	tr := Tr(c)
	text := tr.T(id, data)
	if IsAPI(c) || c.Request().Method == http.MethodHead {
		body := APIError{Error: APIErrorBody{Code: codes[status], Message: text}}
		if body.Error.Code == "" {
			body.Error.Code = "error"
		}
		if len(fields) > 0 {
			body.Error.Fields = map[string]string{}
			data := errs.DataOf(err)
			for f, m := range fields {
				body.Error.Fields[f] = tr.T(m, data[f])
			}
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, body)
		return
	}
	titleID := fmt.Sprintf("error.title_%d", status)
	if !s.bundle.Has(titleID) {
		titleID = "error.title"
	}
	page := ErrorPage{Status: status, Title: tr.T(titleID, nil), Message: text}
	if rerr := Render(c, status, "error", page); rerr != nil {
		s.log.Error("render error page", "error", rerr)
		_ = c.String(status, text)
	}
}

// ErrorPage is the data of the themed error page.
type ErrorPage struct {
	Status         int
	Title, Message string
}
