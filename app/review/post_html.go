package review

import (
	"causerie/app/topic"
	"causerie/app/web"
)

// writePostFlag writes the theme's "review-post" partial in Go
// (web.Server.PartialInGo): under every post of a topic page, "awaiting
// review" on a held post, and a link to the flag form (GET
// /posts/:id/flag) for members who may flag it. The form itself was under
// every post until session 9: a fifth of a member's topic page, read and
// compressed on every view for the rare member who flags.
// It is the template of partials/review.html, which stays the reference
// (TestPostPartialsInGo holds them equal) and what a theme overrides.
func writePostFlag(m web.Markup, data any) error {
	v, p, _, err := topic.PartData("review-post", data)
	if err != nil {
		return err
	}
	if !v.Viewer.LoggedIn() {
		return nil
	}
	if p.State == topic.StatePending {
		m.Raw(`<span class="badge review-pending">`)
		m.Text(v.T("review.awaiting"))
		m.Raw("</span>\n")
	}
	if p.State != topic.StatePublished || p.UserID == v.Viewer.ID || v.Viewer.TrustLevel < 1 {
		return nil
	}
	m.Raw(`<a class="review-flag" href="/posts/`)
	m.Int(p.ID)
	m.Raw(`/flag">`)
	m.Text(v.T("review.flag"))
	m.Raw("</a>\n")
	return nil
}

// writeNav writes the theme's "review-nav" partial in Go: the header's
// link to the review queue, for those who may use it.
func writeNav(m web.Markup, data any) error {
	v, err := web.ViewOf("review-nav", data)
	if err != nil {
		return err
	}
	if v.Viewer.MayUseQueue() {
		m.NavItem(v, "/review", v.T("review.nav"))
	}
	return nil
}
