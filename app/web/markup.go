package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"strconv"
	"strings"
	"sync/atomic"
)

// Markup is a buffer that Go code writes the repeated parts of a page into
// (the posts of a topic page, what other domains add to each post), escaping
// as html/template escapes in each place, so the page reads the same byte
// for byte as when a template wrote it. html/template looks up every field
// and calls every escaper by reflection; for parts drawn twenty times a page
// that was most of the page's cost (docs/architecture.md, "The topic page's
// posts").
type Markup struct{ *bytes.Buffer }

// Raw writes s as it is: markup, or HTML sanitised when it was written.
func (m Markup) Raw(s string) { m.WriteString(s) }

// Int writes n in decimal.
func (m Markup) Int(n int64) { m.Write(strconv.AppendInt(m.AvailableBuffer(), n, 10)) }

// Text writes s escaped for HTML text or a quoted attribute value.
func (m Markup) Text(s string) { EscapeText(m.Buffer, s) }

// URL writes a path of this site in an href or action, see EscapeURL.
func (m Markup) URL(s string) { EscapeURL(m.Buffer, s) }

// Query writes a value in the query of an href, see EscapeQuery.
func (m Markup) Query(s string) { EscapeQuery(m.Buffer, s) }

// CSRF writes the hidden field of the reader's CSRF token, as the theme's
// "csrf" partial does, for a form.
func (m Markup) CSRF(token string) {
	m.Raw(`<input type="hidden" name="_csrf" value="`)
	m.Text(token)
	m.Raw(`">`)
}

// EscapeText writes s as html/template escapes text and quoted attribute
// values (the same entities, so pages read the same byte for byte).
func EscapeText(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case 0:
			rep = "\uFFFD"
		case '"':
			rep = "&#34;"
		case '&':
			rep = "&amp;"
		case '\'':
			rep = "&#39;"
		case '+':
			rep = "&#43;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// EscapeURL writes a path of this site (a profile, a topic) in an href as
// html/template does: bytes not allowed in a URL percent-encoded (valid
// escapes kept), then the HTML entities. Only paths built by the
// application come here.
func EscapeURL(b *bytes.Buffer, s string) { escapeURL(b, s, true) }

// EscapeQuery writes a value placed in the query of a URL in an href, as
// html/template does there: every byte but letters, digits and -._~
// percent-encoded.
func EscapeQuery(b *bytes.Buffer, s string) { escapeURL(b, s, false) }

// escapeURL is html/template's URL escaper (norm false) or normaliser (norm
// true), followed by its attribute escaper.
func escapeURL(b *bytes.Buffer, s string, norm bool) {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
			continue
		case norm && c == '&':
			b.WriteString("&amp;")
			continue
		case norm && c == '+':
			b.WriteString("&#43;")
			continue
		case norm && (c == '!' || c == '#' || c == '$' || c == '*' || c == ',' || c == '/' || c == ':' ||
			c == ';' || c == '=' || c == '?' || c == '@' || c == '[' || c == ']'):
			b.WriteByte(c)
			continue
		case norm && c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// PartialFunc writes a partial of the theme from Go code. data is what the
// template would have been given: for the per-post partials, the page's
// View with the post in its Data (View.With).
type PartialFunc func(m Markup, data any) error

// ViewOf is the page's View that a partial's Go writer is given as data,
// or an error naming the partial when it was given something else.
func ViewOf(partial string, data any) (*View, error) {
	v, ok := data.(*View)
	if !ok {
		return nil, fmt.Errorf("%s: data is %T, not the page's view", partial, data)
	}
	return v, nil
}

// PartialInGo lets f write the theme's partial name in place of its
// template, for a partial drawn many times a page. The template stays the
// reference f must match (a test holds the two equal for the default
// theme), and what a theme overrides: when the operator's theme folder
// defines name itself, its template is executed and f is not used. A nil f
// takes the Go writer back. Call it when registering routes.
func (s *Server) PartialInGo(name string, f PartialFunc) {
	if s.themed[name] {
		return
	}
	if f == nil {
		delete(s.goPartials, name)
		return
	}
	s.goPartials[name] = f
}

// templatesOnly, when set, has every partial written by its template
// (TemplatesOnly).
type templatesOnly = atomic.Bool

// TemplatesOnly has every partial written by the theme's template (true)
// or by the Go writers registered for some (false, the default): for the
// tests that hold the two equal, page by page.
func (s *Server) TemplatesOnly(on bool) { s.noGoPartials.Store(on) }

// Once is the theme's partial name as the reader's language words it,
// executed the first time a page of this server asks for it in that
// language and kept: for partials that depend on the language alone (the
// composer's toolbar: thirty translations and five icons), which every
// topic page drew again. A partial that shows anything of the reader, the
// page, the CSRF token or the nonce must not come this way.
func (v *View) Once(name string) (template.HTML, error) {
	if v.once == nil {
		return v.executeHTML(name)
	}
	key := onceKey{name, v.Lang}
	if h, ok := v.once.Load(key); ok {
		return h.(template.HTML), nil
	}
	h, err := v.executeHTML(name)
	if err != nil {
		return "", err
	}
	v.once.Store(key, h)
	return h, nil
}

// onceKey names a partial kept by View.Once.
type onceKey struct{ name, lang string }

func (v *View) executeHTML(name string) (template.HTML, error) {
	var b bytes.Buffer
	if err := v.TemplatePartial(&b, name, v); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

// themedPartials are the names of the templates the operator's theme
// folder defines (the top layer of an Overlay), which Go writers must not
// replace. A file that does not parse defines nothing here: parsePages
// reports it.
func themedPartials(theme fs.FS) map[string]bool {
	names := map[string]bool{}
	o, ok := theme.(Overlay)
	if !ok || len(o) < 2 {
		return names
	}
	_ = fs.WalkDir(o[0], "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return nil
		}
		src, err := fs.ReadFile(o[0], p)
		if err != nil {
			return nil
		}
		t, err := template.New(p).Parse(string(src))
		if err != nil {
			return nil
		}
		for _, d := range t.Templates() {
			names[d.Name()] = true
		}
		return nil
	})
	return names
}

// partialsInGo are the Go writers a page uses, none when TemplatesOnly.
func (s *Server) partialsInGo() map[string]PartialFunc {
	if s.noGoPartials.Load() {
		return nil
	}
	return s.goPartials
}
