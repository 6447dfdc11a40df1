package web

import (
	"fmt"
	"io/fs"
)

// Pages written in Go. The busiest page (a topic, for a logged-in reader)
// spent a third of its time in html/template walking the layout and the
// page's own template, though nothing in them repeats. A page may register
// a PageWriter for its title and content; Render then writes the theme's
// layout ("base") in Go around it, with the same markup. The templates stay
// the reference (tests render pages both ways with TemplatesOnly and
// compare them) and what a theme overrides: a theme folder that has the
// page's own file, or defines the layout, keeps the templates for that
// page. The partials a Go page draws go through View.Partial, so the
// theme's version of each is drawn when it has one.

// PageWriter writes what a page's template defines: its "title" (text,
// escaped by Render) and its "content".
type PageWriter struct {
	Title   func(v *View) string
	Content func(m Markup, v *View) error
}

// PageInGo has w write the page name (a path under templates/pages,
// without .html) unless the operator's theme folder has that page's file or
// defines the layout. Call it when registering routes.
func (s *Server) PageInGo(name string, w PageWriter) {
	if s.themed["base"] || s.themedFile("templates/pages/"+name+".html") {
		return
	}
	s.goPages[name] = w
}

// themedFile says whether the operator's theme folder has the file p.
func (s *Server) themedFile(p string) bool {
	o, ok := s.theme.(Overlay)
	if !ok || len(o) < 2 {
		return false
	}
	_, err := fs.Stat(o[0], p)
	return err == nil
}

// pageInGo is the Go writer of the page name, if it has one and Go writers
// are in use (not TemplatesOnly).
func (s *Server) pageInGo(name string) (PageWriter, bool) {
	if s.noGoPartials.Load() {
		return PageWriter{}, false
	}
	w, ok := s.goPages[name]
	return w, ok
}

// writeLayout writes layouts/base.html around the page w writes.
func writeLayout(m Markup, v *View, w PageWriter) error {
	m.Raw("<!doctype html>\n<html lang=\"")
	m.Text(v.Lang)
	m.Raw(`"`)
	if t := v.Viewer.Theme; t != "" {
		m.Raw(` data-theme="`)
		m.Text(t)
		m.Raw(`"`)
	}
	m.Raw(">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" +
		"<meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"csrf-token\" content=\"")
	m.Text(v.CSRF)
	m.Raw("\">\n<title>")
	m.Text(w.Title(v))
	m.Raw(" · ")
	m.Text(v.Site)
	m.Raw("</title>\n<link rel=\"stylesheet\" href=\"")
	m.URL(v.Asset("css/main.css"))
	m.Raw("\">\n<script src=\"")
	m.URL(v.Asset("js/app.js"))
	m.Raw(`" nonce="`)
	m.Text(v.Nonce)
	m.Raw("\" defer></script>\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">")
	m.Text(v.T("nav.skip"))
	m.Raw("</a>\n")
	if err := v.Partial(m.Buffer, "header", v); err != nil {
		return err
	}
	m.Raw("\n<main id=\"main\" class=\"container\" tabindex=\"-1\">\n")
	for _, name := range []string{"flash", "standing-banner"} {
		if err := v.Partial(m.Buffer, name, v); err != nil {
			return err
		}
		m.Raw("\n")
	}
	if err := w.Content(m, v); err != nil {
		return err
	}
	m.Raw("\n</main>\n")
	if err := v.Partial(m.Buffer, "footer", v); err != nil {
		return err
	}
	m.Raw("\n</body>\n</html>")
	return nil
}

// The small partials of partials/form.html and partials/header.html that
// Go pages draw, as their templates write them.

func writeFlash(m Markup, data any) error {
	v, err := ViewOf("flash", data)
	if err != nil {
		return err
	}
	m.Raw(`<div class="flash-region" role="status" aria-live="polite">`)
	if v.Flash != "" {
		m.Raw(`<p class="flash">`)
		m.Text(v.T(v.Flash))
		m.Raw(`</p>`)
	}
	m.Raw(`</div>`)
	return nil
}

func writeFooter(m Markup, data any) error {
	v, err := ViewOf("footer", data)
	if err != nil {
		return err
	}
	m.Raw("<footer class=\"site-footer\">\n  <div class=\"container\">\n    <p>")
	m.Text(v.T("footer.powered"))
	m.Raw("</p>\n  </div>\n</footer>")
	return nil
}

func writeCSRF(m Markup, data any) error {
	v, err := ViewOf("csrf", data)
	if err != nil {
		return err
	}
	m.CSRF(v.CSRF)
	return nil
}

func writeSwatch(m Markup, data any) error {
	color, ok := data.(string)
	if !ok {
		return fmt.Errorf("swatch: data is %T, not a colour", data)
	}
	m.Raw(`<svg class="swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" focusable="false"><rect width="12" height="12" rx="3" fill="`)
	m.Text(color)
	m.Raw(`"/></svg>`)
	return nil
}

// writeFormError is "form-error": the message of the whole form, if any.
func writeFormError(m Markup, data any) error {
	v, err := ViewOf("form-error", data)
	if err != nil {
		return err
	}
	if f, ok := v.Data.(Form); ok && f.Error != "" {
		m.Raw(`<div class="alert" role="alert"><p>`)
		m.Text(v.TD(f.Error, f.ErrorData))
		m.Raw(`</p></div>`)
	}
	return nil
}

// writeField is "field": a Field's label, input, hint and error.
func writeField(m Markup, data any) error {
	f, ok := data.(Field)
	if !ok {
		return fmt.Errorf("field: data is %T, not a Field", data)
	}
	m.Raw(`<div class="field`)
	if f.Error != "" {
		m.Raw(" invalid")
	}
	m.Raw("\">\n  <label for=\"f-")
	m.Text(f.Name)
	m.Raw(`">`)
	m.Text(f.Label)
	m.Raw("</label>\n  ")
	if f.Type == "textarea" {
		m.Raw(`<textarea id="f-`)
		m.Text(f.Name)
		m.Raw(`" name="`)
		m.Text(f.Name)
		m.Raw(`" rows="8"`)
		fieldAttrs(m, f)
		m.Raw(">")
		m.Text(f.Value)
		m.Raw("</textarea>\n  ")
	} else {
		m.Raw(`<input id="f-`)
		m.Text(f.Name)
		m.Raw(`" name="`)
		m.Text(f.Name)
		m.Raw(`" type="`)
		m.Text(f.Type)
		m.Raw(`" value="`)
		m.Text(f.Value)
		m.Raw(`"`)
		if f.Autocomplete != "" {
			m.Raw(` autocomplete="`)
			m.Text(f.Autocomplete)
			m.Raw(`"`)
		}
		fieldAttrs(m, f)
		m.Raw(">")
	}
	m.Raw("\n  ")
	if f.Hint != "" {
		m.Raw(`<p class="hint" id="f-`)
		m.Text(f.Name)
		m.Raw(`-hint">`)
		m.Text(f.Hint)
		m.Raw("</p>")
	}
	m.Raw("\n  ")
	if f.Error != "" {
		m.Raw(`<p class="field-error" id="f-`)
		m.Text(f.Name)
		m.Raw(`-error">`)
		m.Text(f.Error)
		m.Raw("</p>")
	}
	m.Raw("\n</div>")
	return nil
}

// fieldAttrs are a field's required, aria-invalid and aria-describedby.
func fieldAttrs(m Markup, f Field) {
	if f.Required {
		m.Raw(" required")
	}
	if f.Error != "" {
		m.Raw(` aria-invalid="true"`)
	}
	if f.Hint == "" && f.Error == "" {
		return
	}
	m.Raw(` aria-describedby="`)
	if f.Hint != "" {
		m.Raw("f-")
		m.Text(f.Name)
		m.Raw("-hint")
	}
	if f.Error != "" {
		m.Raw(" f-")
		m.Text(f.Name)
		m.Raw("-error")
	}
	m.Raw(`"`)
}
