package moderation

import (
	"fmt"

	"causerie/app/auth"
	"causerie/app/topic"
	"causerie/app/web"
)

// writePostTools writes the theme's "moderation-post" partial in Go
// (web.Server.PartialInGo): under every post of a topic page, the reason a
// hidden post was hidden with the author's "Ask for review" form, and the
// staff's tools. It is the template of partials/moderation.html, which
// stays the reference (TestPostPartialsInGo holds them equal) and what a
// theme overrides.
func writePostTools(m web.Markup, data any) error {
	v, pv, c, err := topic.PartData("moderation-post", data)
	if err != nil {
		return err
	}
	if c == nil {
		return fmt.Errorf("moderation-post: no category for post %d", pv.ID)
	}
	viewer := v.Viewer
	if pv.State == topic.StateHidden && pv.Visible {
		m.Raw(`<div class="mod-hidden" role="note"><p><strong>`)
		switch {
		case pv.HiddenReason != "":
			m.Text(v.T("mod.hidden_reason"))
			m.Raw(`</strong> `)
			m.Text(pv.HiddenReason)
		case pv.HiddenByID != nil:
			m.Text(v.T("mod.hidden_no_reason"))
			m.Raw(`</strong>`)
		default:
			m.Text(v.T("mod.hidden_by_flags"))
			m.Raw(`</strong>`)
		}
		m.Raw(`</p>`)
		if viewer.ID == pv.UserID {
			m.Raw(`<p>`)
			m.Text(v.T("mod.hidden_help"))
			m.Raw(`</p><form method="post" action="/mod/posts/`)
			m.Int(pv.ID)
			m.Raw(`/review" class="mod-review">`)
			m.CSRF(v.CSRF)
			m.Raw(`<label for="review-note-`)
			m.Int(pv.ID)
			m.Raw(`">`)
			m.Text(v.T("mod.review_note"))
			m.Raw(`</label> <input id="review-note-`)
			m.Int(pv.ID)
			m.Raw(`" name="note" type="text" maxlength="1000" autocomplete="off"> <button type="submit" class="small">`)
			m.Text(v.T("mod.ask_review"))
			m.Raw(`</button></form>`)
		}
		m.Raw("</div>\n")
	}
	hide := viewer.Can(auth.PermHide, c.ID) || viewer.Can(auth.PermPropose, c.ID)
	edit := viewer.Can(auth.PermEditPosts, c.ID) || viewer.Can(auth.PermPropose, c.ID)
	official, purge := viewer.Can(auth.PermOfficial, c.ID), viewer.Can(auth.PermPurge, 0)
	if !hide && !edit && !official && !purge {
		return nil
	}
	m.Raw(`<details class="mod-tools"><summary>`)
	m.Text(v.T("mod.tools"))
	m.Raw(`</summary><ul class="mod-actions">`)
	if hide {
		if pv.State == topic.StatePublished {
			link(m, pv.ID, "hide", "", v.T("mod.hide"))
		}
		if pv.State == topic.StateHidden || pv.State == topic.StateDeleted {
			button(m, v, pv.ID, "restore", v.T("mod.restore"))
		}
		if pv.State != topic.StateDeleted {
			link(m, pv.ID, "delete", "", v.T("mod.delete"))
		}
	}
	if edit {
		link(m, pv.ID, "edit", "", v.T("mod.edit"))
	}
	if official && pv.Number > 1 {
		if pv.Official {
			button(m, v, pv.ID, "unofficial", v.T("mod.unofficial"))
		} else if pv.State == topic.StatePublished {
			button(m, v, pv.ID, "official", v.T("mod.official"))
		}
	}
	if purge && pv.Number > 1 {
		link(m, pv.ID, "purge", ` class="danger"`, v.T("mod.purge"))
	}
	m.Raw("</ul></details>\n")
	return nil
}

// link is an item of the staff's tools that opens a page (a form with a
// reason) for the post.
func link(m web.Markup, postID int64, action, attrs, text string) {
	m.Raw(`<li><a href="/mod/posts/`)
	m.Int(postID)
	m.Raw("/" + action + `"` + attrs + ">")
	m.Text(text)
	m.Raw("</a></li>")
}

// button is an item of the staff's tools that acts at once (a form of one
// button).
func button(m web.Markup, v *web.View, postID int64, action, text string) {
	m.Raw(`<li><form method="post" action="/mod/posts/`)
	m.Int(postID)
	m.Raw("/" + action + `" class="inline">`)
	m.CSRF(v.CSRF)
	m.Raw(`<button type="submit" class="link">`)
	m.Text(text)
	m.Raw("</button></form></li>")
}

// writeTopicTools writes the theme's "moderation-topic" partial in Go: the
// topic's featured and pinned badges, and the team's links to the topic's
// tools and to a canned reply, under a topic page's title.
func writeTopicTools(m web.Markup, data any) error {
	v, err := web.ViewOf("moderation-topic", data)
	if err != nil {
		return err
	}
	tp, err := topic.PageOf(v)
	if err != nil {
		return fmt.Errorf("moderation-topic: %w", err)
	}
	t, c, viewer := tp.Topic, tp.Category, v.Viewer
	m.Raw("\n<p class=\"mod-topic\">")
	if t.FeaturedAt != nil {
		m.Raw(`<span class="badge featured">`)
		m.Text(v.T("mod.featured_badge"))
		m.Raw(`</span> `)
	}
	if t.Pinned > 0 {
		m.Raw(`<span class="badge">`)
		m.Text(v.T("mod.pinned_badge"))
		m.Raw(`</span> `)
	}
	m.Raw("\n")
	if viewer.LoggedIn() {
		if viewer.Can(auth.PermManage, c.ID) || viewer.Can(auth.PermPin, c.ID) || viewer.Can(auth.PermFeature, c.ID) || viewer.Can(auth.PermPropose, c.ID) {
			m.Raw(`<a href="/mod/t/`)
			m.Int(t.ID)
			m.Raw(`">`)
			m.Text(v.T("mod.topic_tools"))
			m.Raw(`</a>`)
		}
		m.Raw("\n")
		if viewer.CanSomewhere(auth.PermCanned) || viewer.Can(auth.PermPolicy, 0) {
			m.Raw(` <a href="/mod/t/`)
			m.Int(t.ID)
			m.Raw(`/reply">`)
			m.Text(v.T("mod.canned_reply"))
			m.Raw(`</a>`)
		}
	}
	m.Raw("\n</p>")
	return nil
}
