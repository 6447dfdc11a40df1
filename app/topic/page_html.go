package topic

import (
	"fmt"
	"strconv"

	"causerie/app/web"
)

// The topic page, written in Go (web.Server.PageInGo): the markup of
// pages/topic/show.html, which stays the reference (tests render the page
// both ways for every kind of reader and compare them) and what a theme
// overrides. Through html/template the page's own template and the layout
// were a third of a logged-in reader's page, though nothing in them repeats.
var topicPage = web.PageWriter{Title: topicTitle, Content: writeTopicPage}

// PageOf is the TopicPage of a topic page's View (in the Form Render was
// given), for the Go writers of the partials the page draws.
func PageOf(v *web.View) (*TopicPage, error) {
	f, _ := v.Data.(web.Form)
	tp, ok := f.Extra.(*TopicPage)
	if !ok {
		return nil, fmt.Errorf("topic page: data is %T, not a topic page's form", v.Data)
	}
	return tp, nil
}

func topicTitle(v *web.View) string {
	tp, err := PageOf(v)
	if err != nil {
		return v.Site
	}
	return tp.Topic.Title
}

// watchLevels are the options of the watch form, in order, with their words.
var watchLevels = []struct{ value, label string }{
	{"watching", "notify.level_watching"}, {"tracking", "notify.level_tracking"},
	{"normal", "notify.level_normal"}, {"muted", "notify.level_muted"},
}

func writeTopicPage(m web.Markup, v *web.View) error {
	tp, err := PageOf(v)
	if err != nil {
		return err
	}
	p, t := tp.Page, tp.Topic
	id := strconv.FormatInt(t.ID, 10)
	m.Raw("<article class=\"topic\" aria-labelledby=\"topic-title\">\n<header class=\"topic-head\">\n  <h1 id=\"topic-title\">")
	m.Text(t.Title)
	m.Raw("</h1>\n  <p class=\"topic-meta\">\n    ")
	if t.Kind == KindQuestion {
		if t.Answered() {
			badge(m, "badge ok", v.T("topic.answered"))
		} else {
			badge(m, "badge", v.T("topic.unanswered"))
		}
	}
	m.Raw("\n    ")
	if t.Kind == KindAnnouncement {
		badge(m, "badge", v.T("topic.announcement"))
	}
	m.Raw("\n    ")
	if t.Closed {
		badge(m, "badge", v.T("topic.closed"))
	}
	m.Raw("\n    <a class=\"category\" href=\"")
	m.URL(p.Category.URL())
	m.Raw(`">`)
	if err := v.Partial(m.Buffer, "swatch", p.Category.Color); err != nil {
		return err
	}
	m.Text(p.Category.Name)
	m.Raw("</a>\n    ")
	for _, tag := range p.Tags {
		m.Raw(`<a class="tag" href="/tag/`)
		m.URL(tag)
		m.Raw(`">#`)
		m.Text(tag)
		m.Raw("</a>")
	}
	m.Raw("\n  </p>\n  ")
	if err := v.Partial(m.Buffer, "moderation-topic", v); err != nil {
		return err
	}
	m.Raw("\n  ")
	if v.Viewer.LoggedIn() {
		if err := writeWatchForm(m, v, id, tp.WatchLevel); err != nil {
			return err
		}
	}
	m.Raw("\n  ")
	if err := v.Partial(m.Buffer, "search-topic", v); err != nil {
		return err
	}
	m.Raw("\n</header>\n\n")
	if p.Pages > 1 {
		m.Raw(`<p class="progress" aria-live="off">`)
		m.Text(v.T("topic.page_of", "Page", p.PageNumber(), "Pages", p.Pages))
		m.Raw("</p>")
	}
	m.Raw("\n\n")
	if err := tp.writePosts(m, v); err != nil {
		return err
	}
	m.Raw("\n\n")
	if p.Prev != 0 || p.Next != 0 {
		m.Raw("<nav class=\"pager\" aria-label=\"")
		m.Text(v.T("topic.pages"))
		m.Raw("\">\n  ")
		if p.Prev != 0 {
			m.Raw(`<a href="`)
			m.URL(t.PostURL(p.Prev))
			m.Raw(`" rel="prev">`)
			m.Text(v.T("topic.prev_page"))
			m.Raw("</a>")
		}
		m.Raw("\n  ")
		if p.Next != 0 {
			m.Raw(`<a href="`)
			m.URL(t.PostURL(p.Next))
			m.Raw(`" rel="next">`)
			m.Text(v.T("topic.next_page"))
			m.Raw("</a>")
		}
		m.Raw("\n</nav>\n")
	}
	m.Raw("\n<section id=\"reply\" class=\"reply-box\" aria-labelledby=\"reply-heading\">\n")
	switch {
	case p.CanReply:
		if err := writeReplyBox(m, v, tp); err != nil {
			return err
		}
	case !v.Viewer.LoggedIn():
		m.Raw("\n  <p><a href=\"/login?next=")
		m.Query(t.URL())
		m.Raw(`">`)
		m.Text(v.T("topic.login_to_reply"))
		m.Raw("</a></p>\n")
	case t.Closed:
		m.Raw("\n  <p class=\"notice\">")
		m.Text(v.T("topic.closed_notice"))
		m.Raw("</p>\n")
	}
	m.Raw("</section>\n</article>\n")
	return nil
}

// writeWatchForm is the reader's watch level of the topic and the form
// that changes it.
func writeWatchForm(m web.Markup, v *web.View, id, level string) error {
	m.Raw(`<form method="post" action="/t/` + id + `/watch" class="watch">`)
	if err := v.Partial(m.Buffer, "csrf", v); err != nil {
		return err
	}
	m.Raw("\n    <label for=\"watch-level\">")
	m.Text(v.T("notify.watch_label"))
	m.Raw("</label>\n    <select id=\"watch-level\" name=\"level\">\n")
	for _, l := range watchLevels {
		m.Raw(`      <option value="` + l.value + `"`)
		if level == l.value {
			m.Raw(" selected")
		}
		m.Raw(">")
		m.Text(v.T(l.label))
		m.Raw("</option>\n")
	}
	m.Raw("    </select>\n    <button type=\"submit\" class=\"small\">")
	m.Text(v.T("notify.watch_submit"))
	m.Raw("</button>\n  </form>")
	return nil
}

// writeReplyBox is the reply form under the posts.
func writeReplyBox(m web.Markup, v *web.View, tp *TopicPage) error {
	t := tp.Topic
	id := strconv.FormatInt(t.ID, 10)
	m.Raw("  <h2 id=\"reply-heading\">")
	m.Text(v.T("topic.reply_heading"))
	m.Raw("</h2>\n  ")
	if err := v.Partial(m.Buffer, "form-error", v); err != nil {
		return err
	}
	m.Raw("\n  <form method=\"post\" action=\"/t/" + id + "/reply\" class=\"composer\" data-draft=\"topic:" + id + "\" novalidate>\n    ")
	if err := v.Partial(m.Buffer, "csrf", v); err != nil {
		return err
	}
	m.Raw("\n    <input type=\"hidden\" name=\"reply_to\" value=\"")
	m.Int(int64(tp.ReplyTo))
	m.Raw("\">\n    ")
	if r := tp.ReplyToPost; r != nil {
		m.Raw(`<p class="replying-to">`)
		m.Text(v.T("topic.replying_to", "Number", r.Number, "Name", r.Username))
		m.Raw(` <a href="`)
		m.URL(t.URL())
		m.Raw(`#reply">`)
		m.Text(v.T("topic.reply_to_topic"))
		m.Raw("</a></p>")
	}
	m.Raw("\n    ")
	if err := once(m, v, "composer-toolbar"); err != nil {
		return err
	}
	m.Raw("\n    ")
	if err := v.Partial(m.Buffer, "field", v.Field("body", "textarea", "off")); err != nil {
		return err
	}
	m.Raw("\n    ")
	if err := once(m, v, "composer-preview"); err != nil {
		return err
	}
	m.Raw("\n    ")
	if err := once(m, v, "draft-status"); err != nil {
		return err
	}
	m.Raw("\n    <button type=\"submit\">")
	m.Text(v.T("topic.reply_submit"))
	m.Raw("</button>\n  </form>\n  ")
	if v.Viewer.MayUpload() {
		if err := v.Partial(m.Buffer, "upload-form", v); err != nil {
			return err
		}
	}
	m.Raw("\n")
	return nil
}

// once writes a partial that depends on the language alone (web.View.Once).
func once(m web.Markup, v *web.View, name string) error {
	h, err := v.Once(name)
	m.Raw(string(h))
	return err
}

func badge(m web.Markup, class, text string) {
	m.Raw(`<span class="` + class + `">`)
	m.Text(text)
	m.Raw("</span>")
}
