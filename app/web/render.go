package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"causerie/app/auth"
	"causerie/app/errs"
	"causerie/app/i18n"
)

// View is what every page template receives: the page's own data in .Data,
// and what the layout needs (who is reading, in which language, the CSRF
// token and the script nonce). Templates translate with {{.T "id"}}, or
// {{$.T "id"}} inside a range.
type View struct {
	Data    any
	Viewer  *auth.Viewer
	Lang    string
	Langs   []string
	CSRF    string
	Nonce   string
	Flash   string
	Site    string
	Path    string
	Status  int
	tr      *i18n.Tr
	assets  *Assets
	started time.Time
	ctx     context.Context
	notices Notices
	log     *slog.Logger
	unread  int // -1 until asked
	page    *template.Template
	// goPartials write some partials in Go (Server.PartialInGo).
	goPartials map[string]PartialFunc
	// once keeps the partials that depend on the language alone (Once).
	once *sync.Map
	// holes are the parts Go code writes after the template (Later).
	holes *[]hole
}

// hole is markup written into the page where its marker stands, once the
// page's template has run (View.Later).
type hole struct {
	marker string
	write  func(*bytes.Buffer) error
}

// holeToken makes the markers of this process: no text of a member can
// hold one (a marker left in a page is an HTML comment).
var holeToken = randomToken(12)

// Later puts a marker in the page where write's markup is to go, and has
// Render write it straight into the response once the template has run:
// for a big part of a page written by Go code (a topic page's posts), which
// a template.HTML would copy into a string, then again into the page.
// Outside Render (no page under way) it writes at once.
func (v *View) Later(write func(*bytes.Buffer) error) (template.HTML, error) {
	if v.holes == nil {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			return "", err
		}
		return template.HTML(b.String()), nil
	}
	marker := "<!--later:" + holeToken + ":" + strconv.Itoa(len(*v.holes)) + "-->"
	*v.holes = append(*v.holes, hole{marker: marker, write: write})
	return template.HTML(marker), nil
}

// holeBuffers keep the buffers holes are written into between pages.
var holeBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// sendWithHoles writes the page (its template's output) with each hole's
// markup in place of its marker. The holes are written first, so an error
// still gets the error page.
func sendWithHoles(c echo.Context, status int, page []byte, holes []hole) error {
	filled := make([]*bytes.Buffer, len(holes))
	defer func() {
		for _, b := range filled {
			if b != nil {
				holeBuffers.Put(b)
			}
		}
	}()
	for i, h := range holes {
		b := holeBuffers.Get().(*bytes.Buffer)
		b.Reset()
		filled[i] = b
		if err := h.write(b); err != nil {
			return err
		}
	}
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	res.WriteHeader(status)
	for i, h := range holes {
		at := bytes.Index(page, []byte(h.marker))
		if at < 0 {
			continue // the template did not draw it
		}
		if _, err := res.Write(page[:at]); err != nil {
			return err
		}
		if _, err := res.Write(filled[i].Bytes()); err != nil {
			return err
		}
		page = page[at+len(h.marker):]
	}
	_, err := res.Write(page)
	return err
}

// T translates a message ID; extra arguments are "Key", value pairs.
func (v *View) T(id string, kv ...any) string { return v.tr.T(id, i18n.Pairs(kv...)) }

// N translates a message ID in the plural form for n.
func (v *View) N(id string, n int, kv ...any) string { return v.tr.N(id, n, i18n.Pairs(kv...)) }

// Asset is the content-hashed URL of a static file of the theme.
func (v *View) Asset(p string) string { return v.assets.URL(p) }

// Ago says how long ago t was, in the reader's language ("3 hours ago").
func (v *View) Ago(t time.Time) string {
	d := v.started.Sub(t)
	switch {
	case d < time.Minute:
		return v.tr.T("time.now", nil)
	case d < time.Hour:
		return v.tr.N("time.minutes_ago", int(d/time.Minute), nil)
	case d < 24*time.Hour:
		return v.tr.N("time.hours_ago", int(d/time.Hour), nil)
	case d < 30*24*time.Hour:
		return v.tr.N("time.days_ago", int(d/(24*time.Hour)), nil)
	}
	return t.Format("2006-01-02")
}

// Unread is how many unread notifications the logged-in viewer has (0 for
// visitors). It asks once per page; a failure is logged, and the page shows
// no count rather than an error.
func (v *View) Unread() int {
	if v.unread >= 0 {
		return v.unread
	}
	v.unread = 0
	if v.notices == nil || !v.Viewer.LoggedIn() {
		return 0
	}
	n, err := v.notices.Unread(v.ctx, v.Viewer)
	if err != nil {
		v.log.Log(v.ctx, v.level(), "unread notifications", "user_id", v.Viewer.ID, "error", err)
		return 0
	}
	v.unread = n
	return n
}

// SetUnread gives the page being prepared the viewer's unread
// notifications' count, when its handler read it with its own statement:
// the header then asks nothing (View.Unread).
func SetUnread(c echo.Context, n int) { c.Set(ctxUnread, n) }

const ctxUnread = "causerie.unread"

// unreadOf is the count SetUnread gave, or -1.
func unreadOf(c echo.Context) int {
	if n, ok := c.Get(ctxUnread).(int); ok {
		return n
	}
	return -1
}

// Partial writes the theme's partial name, with data, to w. It is for Go
// code that writes the repeated part of a page itself (the posts of a topic
// page, see docs/architecture.md): the partials other domains own are
// written by their Go writer when they registered one (Server.PartialInGo)
// and w is a *bytes.Buffer, else by the theme's template.
func (v *View) Partial(w io.Writer, name string, data any) error {
	if f := v.goPartials[name]; f != nil {
		if b, ok := w.(*bytes.Buffer); ok {
			return f(Markup{b}, data)
		}
	}
	return v.TemplatePartial(w, name, data)
}

// TemplatePartial writes the theme's template name, executed with data, to
// w, even when Go code writes that partial: for the tests that hold the two
// equal.
func (v *View) TemplatePartial(w io.Writer, name string, data any) error {
	if v.page == nil {
		return fmt.Errorf("partial %s: not inside a page", name)
	}
	return v.page.ExecuteTemplate(w, name, data)
}

// WatchLevel is the viewer's watch level of a topic (or of a category, with
// topicID 0) for the watch forms: watching, tracking, normal or muted.
func (v *View) WatchLevel(topicID, categoryID int64) string {
	if v.notices == nil || !v.Viewer.LoggedIn() {
		return "normal"
	}
	l, err := v.notices.WatchLevel(v.ctx, v.Viewer, topicID, categoryID)
	if err != nil {
		v.log.Log(v.ctx, v.level(), "watch level", "user_id", v.Viewer.ID, "error", err)
		return "normal"
	}
	return l
}

// WatchLevel is the viewer's watch level of a topic (or of a category,
// with topicID 0), for a handler to put in its page's data: watching,
// tracking, normal or muted ("normal" for visitors, or when it cannot be
// read: the failure is logged).
func WatchLevel(c echo.Context, topicID, categoryID int64) string {
	s := server(c)
	v := &View{Viewer: Viewer(c), ctx: c.Request().Context(), notices: s.notices, log: s.log}
	return v.WatchLevel(topicID, categoryID)
}

// Clock says when things happened for a page being prepared, as the
// template's Ago and Exact would: handlers of long pages word each date
// once in Go rather than through a template call per item.
func Clock(c echo.Context) (ago func(time.Time) string, exact func(time.Time) string) {
	v := &View{tr: Tr(c), started: time.Now()}
	return v.Ago, v.Exact
}

// level is the level of a failure while preparing the page: a warning,
// or debug when the client has gone away (which cancels the queries).
func (v *View) level() slog.Level {
	if v.ctx.Err() != nil {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}

// Exact is t as an ISO date and time, for the title of a relative date.
func (v *View) Exact(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// LangName is the name of a language in that language.
func (v *View) LangName(lang string) string { return v.tr.T("language."+lang, nil) }

// Form is the data of a page with a form: what was typed, kept when the
// form comes back with errors, and the message ID at fault per field.
type Form struct {
	Values any
	Errors map[string]string
	// ErrorsData is the template data of some fields' messages.
	ErrorsData map[string]map[string]any
	// Error is a message for the whole form (wrong password, too many tries).
	Error     string
	ErrorData map[string]any
	// Extra is page data that is not part of the form.
	Extra any
}

// Render writes the page template name with data, inside the theme's layout.
func Render(c echo.Context, status int, name string, data any) error {
	s := server(c)
	t, err := s.pages.get(name)
	if err != nil {
		return err
	}
	v := s.view(c, data)
	v.Status, v.page = status, t
	v.Unread() // asked here, so the header's template queries nothing
	// Pages weigh tens of KB: a pooled buffer saves growing one for each.
	buf := pagePool.Get().(*bytes.Buffer)
	defer pagePool.Put(buf)
	buf.Reset()
	var holes []hole
	v.holes = &holes
	if w, ok := s.pageInGo(name); ok {
		if err := writeLayout(Markup{buf}, v, w); err != nil {
			return fmt.Errorf("render %s: %w", name, err)
		}
	} else if err := t.ExecuteTemplate(buf, "base", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	if len(holes) > 0 {
		return sendWithHoles(c, status, buf.Bytes(), holes)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// RenderForm shows a form again after err, with the fields at fault and
// what was typed, when err is something the person can fix; any other error
// goes back to the error handler.
func RenderForm(c echo.Context, name string, values any, extra any, err error) error {
	f := Form{Values: values, Extra: extra}
	status := http.StatusUnprocessableEntity
	var fields errs.Fields
	var msg *errs.Msg
	var lim *errs.Limited
	switch {
	case errors.As(err, &fields):
		f.Errors, f.ErrorsData = fields, errs.DataOf(err)
		if errors.Is(err, errs.TooMany) {
			status = http.StatusTooManyRequests
			if errors.As(err, &lim) { // a limit that knows when it frees
				c.Response().Header().Set("Retry-After", fmt.Sprint(int(lim.RetryAfter.Seconds())+1))
			}
		}
	case errors.As(err, &msg): // its own words, and when it frees if it is a limit that knows
		status = statusOf(msg.Kind)
		f.Error, f.ErrorData = msg.ID, msg.Data
		if errors.As(err, &lim) {
			c.Response().Header().Set("Retry-After", fmt.Sprint(int(lim.RetryAfter.Seconds())+1))
		}
	case errors.As(err, &lim):
		status = http.StatusTooManyRequests
		f.Error, f.ErrorData = retryMessage(lim)
		c.Response().Header().Set("Retry-After", fmt.Sprint(int(lim.RetryAfter.Seconds())+1))
	default:
		return err
	}
	return Render(c, status, name, f)
}

// retryMessage words a rate limit: "try again in N minutes".
func retryMessage(l *errs.Limited) (string, map[string]any) {
	mins := int((l.RetryAfter + time.Minute - 1) / time.Minute)
	if mins < 1 {
		mins = 1
	}
	return "error.too_many", map[string]any{"Count": mins}
}

// Redirect sends the browser to path after a form, with a message ID to
// show once on the next page.
func Redirect(c echo.Context, path, flash string) error {
	if flash != "" {
		server(c).setFlash(c, flash)
	}
	return c.Redirect(http.StatusSeeOther, path)
}

// SafeNext returns next when it is a path on this site, else fallback: a
// login link must not send people elsewhere.
func SafeNext(next, fallback string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.IsAbs() || u.Host != "" || len(next) < 1 || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return fallback
	}
	return next
}
