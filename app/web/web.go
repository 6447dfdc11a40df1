// Package web is Causerie's HTTP layer without any domain in it: the Echo
// server and its middleware (request ID, recovery, access log, gzip,
// security headers with a CSP nonce, sessions, CSRF, locale, metrics), page
// rendering through the theme, and the one error handler. Domains register
// their routes on it and call Render; it never imports them.
package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"causerie/app/auth"
	"causerie/app/config"
	"causerie/app/i18n"
)

// Accounts turns a session's user ID or an API token into the Viewer behind
// a request. The user domain implements it; web only asks.
type Accounts interface {
	ViewerByID(ctx context.Context, id int64) (*auth.Viewer, error)
	ViewerByToken(ctx context.Context, token string) (*auth.Viewer, error)
}

// SessionViewers is an Accounts that reads a session's row and its
// member's in one statement (user.Service does): a member's request then
// asks one query, not two, before its handler. hash is the session ID's
// hash (the sessions table's key); errs.NotFound when the session is gone,
// expired or no member's; errs.Forbidden when the member may not act.
type SessionViewers interface {
	ViewerBySession(ctx context.Context, hash string, now time.Time) (data []byte, v *auth.Viewer, err error)
}

// Notices is what the header and the watch forms ask of the notifications
// domain, for logged-in viewers only: the unread count (one cheap indexed
// query) and the watch level of a topic or category (topicID 0).
type Notices interface {
	Unread(ctx context.Context, v *auth.Viewer) (int, error)
	WatchLevel(ctx context.Context, v *auth.Viewer, topicID, categoryID int64) (string, error)
}

// Deps is what the server needs from the rest of the application.
type Deps struct {
	Config   config.Config
	Log      *slog.Logger
	Bundle   *i18n.Bundle
	Theme    fs.FS
	Sessions *SessionStore
	Accounts Accounts
	Registry *prometheus.Registry
	// Notices may be nil: pages then show no unread count.
	Notices Notices
	// Secret signs cookies (the flash message); sessions use it too.
	Secret []byte
}

// Server is the Echo instance and what its middleware and Render share.
type Server struct {
	*echo.Echo
	cfg      config.Config
	log      *slog.Logger
	bundle   *i18n.Bundle
	pages    *pageSet
	Assets   *Assets
	sessions *SessionStore
	accounts Accounts
	notices  Notices
	noCSRF   map[string]bool
	cookies  *securecookie.SecureCookie
	metrics  *httpMetrics
	// goPartials are the partials Go code writes (PartialInGo); themed,
	// those the operator's theme folder defines, which stay templates.
	goPartials   map[string]PartialFunc
	themed       map[string]bool
	goPages      map[string]PageWriter // PageInGo
	theme        fs.FS
	noGoPartials templatesOnly
	once         sync.Map // View.Once
	// Cache keeps the pages visitors see; routes opt in with Cache.Cached.
	Cache *PageCache
}

const ctxServer = "causerie.server"

func server(c echo.Context) *Server { return c.Get(ctxServer).(*Server) }

// New builds the server: the theme is parsed here, so a broken template
// stops the start.
func New(d Deps) (*Server, error) {
	pages, err := parsePages(d.Theme)
	if err != nil {
		return nil, err
	}
	assets, err := loadAssets(d.Theme)
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	if !d.Config.Server.TrustProxy {
		e.IPExtractor = echo.ExtractIPDirect()
	} else {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	s := &Server{
		Echo: e, cfg: d.Config, log: d.Log, bundle: d.Bundle, pages: pages, Assets: assets,
		sessions: d.Sessions, accounts: d.Accounts, notices: d.Notices, noCSRF: map[string]bool{},
		cookies:    securecookie.New(d.Secret, nil).MaxAge(300),
		metrics:    newHTTPMetrics(d.Registry),
		goPartials: map[string]PartialFunc{}, themed: themedPartials(d.Theme),
		goPages: map[string]PageWriter{}, theme: d.Theme,
		Cache: NewPageCache(1<<16, int64(d.Config.Server.PageCacheMB)<<20, d.Config.Server.PageCacheTTL.Duration),
	}
	if d.Config.Server.PageCacheStore == "file" && d.Config.Server.PageCacheMB > 0 {
		if err := s.Cache.KeepInFile(d.Config.Data.Dir, d.Log); err != nil {
			return nil, err
		}
	}
	s.PartialInGo("header", writeHeader) // on every page
	s.PartialInGo("language", writeLanguage)
	// What Go pages (PageInGo) draw of the layout and of partials/form.html.
	s.PartialInGo("flash", writeFlash)
	s.PartialInGo("footer", writeFooter)
	s.PartialInGo("csrf", writeCSRF)
	s.PartialInGo("swatch", writeSwatch)
	s.PartialInGo("form-error", writeFormError)
	s.PartialInGo("field", writeField)
	e.HTTPErrorHandler = s.handleError
	e.Use(
		func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error { c.Set(ctxServer, s); return next(c) }
		},
		middleware.RequestID(),
		s.accessLog(),
		s.metrics.middleware, // handles the error, so the log above sees its status
		middleware.Recover(),
		s.securityHeaders,
		s.bodyLimit(),
		compress(func(c echo.Context) bool {
			// uploads are compressed already, and a range of one must not be gzipped
			return c.Path() == "/metrics" || strings.HasPrefix(c.Path(), "/uploads/")
		}),
		s.authenticate,
		s.locale,
		s.csrf(),
		s.Cache.watchWrites,
	)
	e.GET("/static/:hash/*", assets.serve)
	return s, nil
}

// WithoutCSRF lets POST requests to path through without a CSRF token.
// Only for a path whose requests carry their own proof, such as a signed
// link (the one-click unsubscribe of RFC 8058, posted by mail clients that
// hold no cookie). Call it when registering routes.
func (s *Server) WithoutCSRF(path string) { s.noCSRF[path] = true }

// Language resolves the language of a request that has been through the
// locale middleware.
func Language(c echo.Context) string {
	if l, ok := c.Get(ctxLang).(string); ok {
		return l
	}
	return "en"
}

// SupportedLanguage says whether lang is one the forum speaks.
func SupportedLanguage(c echo.Context, lang string) bool { return server(c).bundle.Supported(lang) }

// Tr is the translator of the request's language.
func Tr(c echo.Context) *i18n.Tr { return server(c).bundle.For(Language(c)) }

// Viewer is who makes the request; an anonymous visitor has ID 0.
func Viewer(c echo.Context) *auth.Viewer {
	if v, ok := c.Get(ctxViewer).(*auth.Viewer); ok {
		return v
	}
	return &auth.Viewer{}
}

// CSRFToken is the token forms must send back.
func CSRFToken(c echo.Context) string {
	t, _ := c.Get("csrf").(string)
	return t
}

// Nonce is the CSP nonce scripts of this response must carry.
func Nonce(c echo.Context) string {
	n, _ := c.Get(ctxNonce).(string)
	return n
}

// IsAPI says whether the request is for the JSON API (errors answer in JSON).
func IsAPI(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/api/") }

func (s *Server) view(c echo.Context, data any) *View {
	lang := Language(c)
	return &View{
		Data: data, Viewer: Viewer(c), Lang: lang, Langs: s.bundle.Languages(),
		CSRF: CSRFToken(c), Nonce: Nonce(c), Flash: s.takeFlash(c),
		Site: s.cfg.Server.SiteName, Path: c.Request().URL.RequestURI(),
		tr: s.bundle.For(lang), assets: s.Assets, started: time.Now(),
		ctx: c.Request().Context(), notices: s.notices, log: s.log, unread: unreadOf(c),
		goPartials: s.partialsInGo(), once: &s.once,
	}
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// setFlash keeps a message ID in a short-lived signed cookie for the next
// page, so a redirect after a form can say what happened without a session.
func (s *Server) setFlash(c echo.Context, id string) {
	v, err := s.cookies.Encode("flash", id)
	if err != nil {
		return
	}
	c.SetCookie(&http.Cookie{Name: "flash", Value: v, Path: "/", MaxAge: 300, HttpOnly: true,
		Secure: s.cfg.Server.Secure(), SameSite: http.SameSiteLaxMode})
}

func (s *Server) takeFlash(c echo.Context) string {
	ck, err := c.Cookie("flash")
	if err != nil {
		return ""
	}
	var id string
	if err := s.cookies.Decode("flash", ck.Value, &id); err != nil {
		id = ""
	}
	c.SetCookie(&http.Cookie{Name: "flash", Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.Server.Secure(), SameSite: http.SameSiteLaxMode})
	if !strings.HasPrefix(id, "flash.") {
		return ""
	}
	return id
}
