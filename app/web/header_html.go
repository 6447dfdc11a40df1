package web

import (
	"bytes"
	"html/template"
)

// The site's header and its language form, written in Go (PartialInGo):
// every page draws them, and through html/template they were an eighth of
// a logged-in page's work. They are the templates of
// partials/header.html, which stay the reference (TestHeaderInGo holds
// them equal) and what a theme overrides; the nav items other domains add
// (search-nav, staff-nav, review-nav) are drawn through View.Partial.

// bellIcon is the notification bell's picture.
const bellIcon = `<svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" ` +
	`d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6v-5a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"/></svg>`

func writeHeader(m Markup, data any) error {
	v, err := ViewOf("header", data)
	if err != nil {
		return err
	}
	m.Raw(`<header class="site-header"><div class="container bar"><a class="brand" href="/"><img src="`)
	m.URL(v.Asset("img/logo.svg"))
	m.Raw(`" alt="" width="28" height="28"><span>`)
	m.Text(v.Site)
	m.Raw(`</span></a><nav aria-label="`)
	m.Text(v.T("nav.label"))
	m.Raw(`"><ul class="nav"><li><a href="/"`)
	current(m, v, "/")
	m.Raw(">")
	m.Text(v.T("nav.home"))
	m.Raw("</a></li>\n")
	if err := v.Partial(m.Buffer, "search-nav", v); err != nil {
		return err
	}
	if v.Viewer.LoggedIn() {
		n := v.Unread()
		m.Raw(`<li><a class="bell" href="/notifications"`)
		current(m, v, "/notifications")
		m.Raw(">" + bellIcon + `<span class="visually-hidden">`)
		switch {
		case n >= 100:
			m.Text(v.T("notify.bell_many"))
		case n > 0:
			m.Text(v.N("notify.bell_unread", n))
		default:
			m.Text(v.T("notify.bell"))
		}
		m.Raw("</span>")
		if n > 0 {
			m.Raw(`<span class="bell-count" aria-hidden="true">`)
			if n >= 100 {
				m.Raw("99+")
			} else {
				m.Int(int64(n))
			}
			m.Raw("</span>")
		}
		m.Raw("</a></li>\n")
		for _, nav := range []string{"staff-nav", "review-nav"} {
			if err := v.Partial(m.Buffer, nav, v); err != nil {
				return err
			}
		}
		m.Raw(`<li><a href="/account"`)
		current(m, v, "/account")
		m.Raw(">")
		m.Text(v.T("nav.account", "Name", v.Viewer.Username))
		m.Raw(`</a></li><li><form method="post" action="/logout" class="inline">`)
		m.CSRF(v.CSRF)
		m.Raw(`<button type="submit" class="link">`)
		m.Text(v.T("nav.logout"))
		m.Raw("</button></form></li>\n")
	} else {
		m.Raw(`<li><a href="/login"`)
		current(m, v, "/login")
		m.Raw(">")
		m.Text(v.T("nav.login"))
		m.Raw(`</a></li><li><a class="button small" href="/register">`)
		m.Text(v.T("nav.register"))
		m.Raw("</a></li>\n")
	}
	m.Raw("</ul></nav>\n")
	if err := v.Partial(m.Buffer, "language", v); err != nil {
		return err
	}
	m.Raw("</div></header>")
	return nil
}

// NavItem writes an item of the site's nav, a link to path marked as the
// current page when it is the one being read, as the nav partials other
// domains add (search-nav, staff-nav, review-nav) write theirs.
func (m Markup) NavItem(v *View, path, label string) {
	m.Raw(`<li><a href="`)
	m.URL(path)
	m.Raw(`"`)
	current(m, v, path)
	m.Raw(">")
	m.Text(label)
	m.Raw("</a></li>")
}

// current marks the nav link to the page being read.
func current(m Markup, v *View, path string) {
	if v.Path == path {
		m.Raw(` aria-current="page"`)
	}
}

func writeLanguage(m Markup, data any) error {
	v, err := ViewOf("language", data)
	if err != nil {
		return err
	}
	m.Raw(`<form method="post" action="/language" class="language">`)
	m.CSRF(v.CSRF)
	m.Raw(`<input type="hidden" name="next" value="`)
	m.Text(v.Path)
	m.Raw(`"><label for="lang-switch">`)
	m.Text(v.T("nav.language"))
	m.Raw(`</label><select id="lang-switch" name="lang">`)
	for _, l := range v.Langs {
		m.Raw(`<option value="`)
		m.Text(l)
		m.Raw(`"`)
		if l == v.Lang {
			m.Raw(" selected")
		}
		m.Raw(` lang="`)
		m.Text(l)
		m.Raw(`">`)
		m.Text(v.LangName(l))
		m.Raw("</option>")
	}
	m.Raw(`</select><button type="submit" class="small">`)
	m.Text(v.T("nav.language_apply"))
	m.Raw("</button></form>")
	return nil
}

// Draw is the theme's partial name as Go code or the template writes it
// (see PartialInGo), for a template: {{.Draw "header"}}.
func (v *View) Draw(name string) (template.HTML, error) {
	b := holeBuffers.Get().(*bytes.Buffer)
	defer holeBuffers.Put(b)
	b.Reset()
	if err := v.Partial(b, name, v); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}
