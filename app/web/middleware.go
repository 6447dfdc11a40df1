package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"causerie/app/auth"
	"causerie/app/errs"
)

const (
	ctxViewer = "causerie.viewer"
	ctxLang   = "causerie.lang"
	ctxNonce  = "causerie.nonce"
	ctxBearer = "causerie.bearer"
)

// plain says whether a path needs neither a viewer nor a language: static
// files, uploaded files (served to whoever has the address) and the probes
// stay cheap.
func plain(path string) bool {
	return strings.HasPrefix(path, "/static/") || strings.HasPrefix(path, "/uploads/") ||
		path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// bodyLimit bounds every request body by the largest upload and its form
// before anything reads it: the CSRF check may parse a multipart form, and
// unbounded, that would spool any amount to temporary files. The upload
// routes hold their bodies to their own, tighter limits.
func (s *Server) bodyLimit() echo.MiddlewareFunc {
	return middleware.BodyLimit(strconv.FormatInt(s.cfg.Uploads.MaxBytes()>>10+1024, 10) + "K")
}

func (s *Server) accessLog() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURI: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogRemoteIP: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("method", v.Method), slog.String("uri", v.URI), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID), slog.String("ip", v.RemoteIP))
			return nil
		},
	})
}

// securityHeaders sets a strict Content-Security-Policy whose script nonce
// changes with every response, and the other headers a forum should send.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if s.cfg.Server.Secure() {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if plain(c.Request().URL.Path) {
			return next(c) // files and probes: no page, no script to allow
		}
		nonce := randomToken(18)
		c.Set(ctxNonce, nonce)
		h.Set("Content-Security-Policy", fmt.Sprintf(
			"default-src 'self'; script-src 'self' 'nonce-%s'; style-src 'self'; img-src 'self' data:; "+
				"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors %s",
			nonce, s.cfg.Server.FrameAncestors))
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		return next(c)
	}
}

// authenticate finds the Viewer: from a bearer API token when the request
// carries one (a program, no cookie or CSRF involved), else from the session
// cookie. A wrong token is refused outright rather than treated as anonymous,
// so a script notices.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if plain(r.URL.Path) {
			return next(c)
		}
		if h := r.Header.Get(echo.HeaderAuthorization); h != "" {
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				return errs.New(errs.Unauthorized, "error.bad_token", nil)
			}
			v, err := s.accounts.ViewerByToken(r.Context(), strings.TrimSpace(token))
			if err != nil {
				if errors.Is(err, errs.NotFound) || errors.Is(err, errs.Unauthorized) {
					return errs.New(errs.Unauthorized, "error.bad_token", nil)
				}
				return err
			}
			c.Set(ctxViewer, v)
			c.Set(ctxBearer, true)
			return next(c)
		}
		ck, err := r.Cookie(SessionCookie)
		if err != nil {
			return next(c)
		}
		if v, ok, err := s.sessionViewer(c, ck.Value); err != nil {
			return err
		} else if ok {
			if v != nil {
				c.Set(ctxViewer, v)
			}
			return next(c)
		}
		sess, err := s.sessions.Get(c.Request(), SessionCookie)
		if err != nil {
			return next(c) // a stale or forged cookie: carry on as a visitor
		}
		if uid, ok := sess.Values[sessionUserKey].(int64); ok && uid != 0 {
			v, err := s.accounts.ViewerByID(r.Context(), uid)
			switch {
			case err == nil:
				v.SessionID = sess.ID
				c.Set(ctxViewer, v)
			case errors.Is(err, errs.NotFound), errors.Is(err, errs.Forbidden):
			default:
				return err
			}
		}
		return next(c)
	}
}

// sessionViewer reads the session of the cookie value and its member in
// one statement, when the accounts can (SessionViewers), and leaves the
// session's data for the store, which then asks nothing. ok false: the
// usual way must be taken (no such reader, a forged cookie, or a session
// this statement does not find: expired, revoked or no member's, which the
// store sorts out); ok with a nil viewer: the member may not act now
// (suspended), a visitor.
func (s *Server) sessionViewer(c echo.Context, cookie string) (*auth.Viewer, bool, error) {
	sv, ok := s.accounts.(SessionViewers)
	if !ok {
		return nil, false, nil
	}
	id, ok := s.sessions.idOf(SessionCookie, cookie)
	if !ok {
		return nil, false, nil
	}
	r := c.Request()
	data, v, err := sv.ViewerBySession(r.Context(), hashID(id), time.Now().UTC())
	switch {
	case errors.Is(err, errs.NotFound):
		return nil, false, nil
	case err != nil && !errors.Is(err, errs.Forbidden):
		return nil, false, err
	}
	r = r.WithContext(context.WithValue(r.Context(), preloadKey{}, &preloaded{cookie: cookie, id: id, data: data}))
	c.SetRequest(r)
	sess, err := s.sessions.Get(r, SessionCookie)
	if err != nil {
		return nil, false, nil
	}
	// The member the row joined is the one the session's data names.
	if uid, _ := sess.Values[sessionUserKey].(int64); v == nil || uid != v.ID {
		return nil, true, nil
	}
	v.SessionID = sess.ID
	return v, true, nil
}

// locale picks the language: the member's own choice, then the lang cookie a
// visitor set with the language switch, then Accept-Language, then the
// configured default.
func (s *Server) locale(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if plain(c.Request().URL.Path) {
			return next(c)
		}
		s.setLang(c)
		return next(c)
	}
}

func (s *Server) setLang(c echo.Context) {
	r := c.Request()
	lang := ""
	if v := Viewer(c); v.LoggedIn() && s.bundle.Supported(v.Language) {
		lang = v.Language
	} else if ck, err := r.Cookie("lang"); err == nil && s.bundle.Supported(ck.Value) {
		lang = ck.Value
	} else if al := r.Header.Get("Accept-Language"); al != "" {
		lang = s.bundle.Match(al)
	} else {
		lang = s.cfg.Accounts.DefaultLanguage
	}
	c.Set(ctxLang, lang)
	h := c.Response().Header()
	h.Set("Content-Language", lang)
	h.Add(echo.HeaderVary, "Accept-Language")
}

// csrf checks a token on every state-changing request that rides on a
// cookie. Programs with a bearer token carry no cookie and need none.
func (s *Server) csrf() echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		Skipper: func(c echo.Context) bool {
			bearer, _ := c.Get(ctxBearer).(bool)
			// An API call that carries no session cookie has no ambient
			// credential to forge: it is refused as unauthenticated instead.
			noSession := IsAPI(c) && !hasCookie(c.Request(), SessionCookie)
			return bearer || noSession || plain(c.Request().URL.Path) || s.noCSRF[c.Request().URL.Path]
		},
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		CookieName:     "_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   s.cfg.Server.Secure(),
		CookieSameSite: http.SameSiteLaxMode,
		CookieMaxAge:   int(s.cfg.Accounts.SessionLifetime.Seconds()),
		ErrorHandler: func(err error, c echo.Context) error {
			return errs.New(errs.Forbidden, "error.csrf", nil)
		},
	})
}
