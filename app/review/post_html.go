package review

import (
	"causerie/app/topic"
	"causerie/app/web"
)

// flagReasons are the reasons a member may give for a flag, in the order
// the flag form lists them, with their words.
var flagReasons = []struct{ value, label string }{
	{"spam", "review.reason.r_spam"}, {"off_topic", "review.reason.r_off_topic"}, {"inappropriate", "review.reason.r_inappropriate"},
	{"legal", "review.reason.r_legal"}, {"other", "review.reason.r_other"},
}

// writePostFlag writes the theme's "review-post" partial in Go
// (web.Server.PartialInGo): under every post of a topic page, "awaiting
// review" on a held post, and the flag form for members who may flag it.
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
	m.Raw(`<details class="review-flag"><summary>`)
	m.Text(v.T("review.flag"))
	m.Raw(`</summary><form method="post" action="/posts/`)
	m.Int(p.ID)
	m.Raw(`/flag">`)
	m.CSRF(v.CSRF)
	m.Raw(`<label for="flag-reason-`)
	m.Int(p.ID)
	m.Raw(`">`)
	m.Text(v.T("review.flag_reason"))
	m.Raw(`</label><select id="flag-reason-`)
	m.Int(p.ID)
	m.Raw(`" name="reason" required><option value="">`)
	m.Text(v.T("review.flag_choose"))
	m.Raw("</option>")
	for _, r := range flagReasons {
		m.Raw(`<option value="` + r.value + `">`)
		m.Text(v.T(r.label))
		m.Raw("</option>")
	}
	m.Raw(`</select><label for="flag-note-`)
	m.Int(p.ID)
	m.Raw(`">`)
	m.Text(v.T("review.flag_note"))
	m.Raw(`</label><input id="flag-note-`)
	m.Int(p.ID)
	m.Raw(`" name="note" maxlength="500"><button type="submit" class="small">`)
	m.Text(v.T("review.flag_submit"))
	m.Raw("</button></form></details>\n")
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
