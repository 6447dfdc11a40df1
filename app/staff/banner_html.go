package staff

import (
	"causerie/app/auth"
	"causerie/app/web"
)

// writeStandingBanner writes the theme's "standing-banner" partial in Go
// (web.Server.PartialInGo), as pages written in Go draw it on every page: a
// member's unread warning and silence. The template of partials/staff.html
// stays the reference and what a theme overrides.
func writeStandingBanner(m web.Markup, data any) error {
	v, err := web.ViewOf("standing-banner", data)
	if err != nil {
		return err
	}
	who := v.Viewer
	if !who.LoggedIn() || !(who.WarningUnread || who.Silenced()) {
		return nil
	}
	m.Raw("<div class=\"alert standing\" role=\"status\">\n  ")
	if who.WarningUnread {
		m.Raw("<p>")
		m.Text(v.T("staff.banner_warning"))
		m.Raw(` <a href="/account/standing">`)
		m.Text(v.T("staff.banner_read"))
		m.Raw("</a></p>")
	}
	m.Raw("\n  ")
	if who.Silenced() {
		m.Raw("<p>")
		if err := v.Partial(m.Buffer, "silence-text", v); err != nil {
			return err
		}
		m.Raw(` <a href="/account/standing">`)
		m.Text(v.T("staff.banner_why"))
		m.Raw("</a></p>")
	}
	m.Raw("\n</div>")
	return nil
}

// writeNav writes the theme's "staff-nav" partial in Go: the header's links
// to the audit log, the roles and the watched words, for those who may
// use them.
func writeNav(m web.Markup, data any) error {
	v, err := web.ViewOf("staff-nav", data)
	if err != nil {
		return err
	}
	if v.Viewer.MaySeeAudit() {
		m.NavItem(v, "/admin/audit", v.T("staff.nav_audit"))
	}
	if v.Viewer.MayManageRoles() {
		m.NavItem(v, "/admin/roles", v.T("staff.nav_roles"))
	}
	if v.Viewer.Can(auth.PermPolicy, 0) {
		m.NavItem(v, "/admin/watched-words", v.T("policy.words.title"))
	}
	return nil
}
