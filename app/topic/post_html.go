package topic

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"

	"causerie/app/category"
	"causerie/app/user"
	"causerie/app/web"
)

// The posts of a topic page are written here in Go rather than by the
// template: html/template looks up every field and calls every escaper by
// reflection, some sixty actions per post, and that was most of the cost of
// a logged-in topic page (docs/architecture.md, "The topic page's posts").
// The markup is the one topic/show.html had; the page template calls
// {{$tp.PostsHTML $}} where it looped over the posts. What other domains
// add to a post (moderation-post, review-post) and the avatar stay
// templates of the theme, executed through the page's View, so themes still
// override them; a theme may also override topic/show.html and loop over
// .Posts itself, as it did before.

// PostsHTML is the markup of the page's posts, and of the accepted answer's
// summary under the first post, for the page's View v. It is written into
// the response once the page's template has run (web.View.Later): some
// tens of KB a page not copied twice.
func (tp *TopicPage) PostsHTML(v *web.View) (template.HTML, error) {
	return v.Later(func(b *bytes.Buffer) error { return tp.writePosts(web.Markup{Buffer: b}, v) })
}

// writePosts writes the page's posts, and the accepted answer's summary
// under the first.
func (tp *TopicPage) writePosts(m web.Markup, v *web.View) error {
	w := &postWriter{b: m.Buffer, tp: tp, v: v, avatars: make(map[int64]string, len(tp.Posts)),
		part: v.With("Post", nil, "Category", tp.Category)}
	for _, pv := range tp.Posts {
		if err := w.post(pv); err != nil {
			return err
		}
		if pv.Number == 1 && tp.Accepted != nil {
			w.acceptedSummary(tp.Accepted)
		}
	}
	return nil
}

// PartData reads what a Go writer of a per-post partial is given: the
// page's View with the post (and, for moderation-post, its category) in
// Data, as the post writer passes it.
func PartData(name string, data any) (*web.View, *PostPart, *category.Category, error) {
	v, err := web.ViewOf(name, data)
	if err != nil {
		return nil, nil, nil, err
	}
	d, _ := v.Data.(map[string]any)
	p, _ := d["Post"].(*PostPart)
	if p == nil {
		return nil, nil, nil, fmt.Errorf("%s: no post in %v", name, d)
	}
	c, _ := d["Category"].(*category.Category)
	return v, p, c, nil
}

// PostPart is a post as the partials of other domains get it (for a
// logged-in reader), under "Post" in their data: the PostView, with the
// fields they read copied up. html/template finds a field of the embedded
// Post by searching the embedded structs on every action, which was a good
// part of their cost; these it finds at once. Everything else of the
// PostView is still there. Their Go writers (web.Server.PartialInGo) read
// the same fields.
type PostPart struct {
	*PostView
	ID, UserID   int64
	Number       int
	State        string
	HiddenReason string
	Official     bool
}

// postWriter writes posts, escaping as html/template would in each place.
type postWriter struct {
	b  *bytes.Buffer
	tp *TopicPage
	v  *web.View
	// avatars holds each author's avatar as the theme's partial drew it: it
	// depends on the member only, so it is executed once per author.
	avatars map[int64]string
	// part is what the per-post partials get: the page's View with the
	// post at hand (and the category) in its Data, one for the page, its
	// "Post" set for each post in turn (they keep nothing).
	part *web.View
}

func (w *postWriter) str(s string) { w.b.WriteString(s) }

func (w *postWriter) int(n int64) { w.b.Write(strconv.AppendInt(w.b.AvailableBuffer(), n, 10)) }

// text writes s escaped for HTML text or a quoted attribute value.
func (w *postWriter) text(s string) { web.EscapeText(w.b, s) }

// word writes a word of the page's language (TopicPage.L).
func (w *postWriter) word(key string) { w.text(w.tp.L[key]) }

// csrf is the hidden field of the reader's CSRF token, in every form.
func (w *postWriter) csrf() {
	w.str(`<input type="hidden" name="_csrf" value="`)
	w.text(w.v.CSRF)
	w.str(`">`)
}

func (w *postWriter) post(pv *PostView) error {
	p := pv.Post
	if pv.FirstNew {
		w.str(`<div class="new-divider" role="separator" aria-label="`)
		w.word("new_since")
		w.str(`"><span>`)
		w.word("new_since")
		w.str("</span></div>\n")
	}
	w.str(`  <article class="post`)
	if p.Official {
		w.str(" official")
	}
	if pv.Accepted {
		w.str(" accepted")
	}
	if p.State != StatePublished {
		w.str(" ")
		w.text(p.State)
	}
	w.str(`" id="post-`)
	w.int(int64(p.Number))
	w.str(`" aria-labelledby="post-`)
	w.int(int64(p.Number))
	w.str("-by\">\n")
	if err := w.head(pv); err != nil {
		return err
	}
	w.content(pv)
	var pp *PostPart
	if w.v.Viewer.LoggedIn() {
		pp = &PostPart{PostView: pv, ID: p.ID, UserID: p.UserID, Number: p.Number, State: p.State,
			HiddenReason: p.HiddenReason, Official: p.Official}
		w.part.Data.(map[string]any)["Post"] = pp
		if err := w.v.Partial(w.b, "moderation-post", w.part); err != nil {
			return err
		}
	}
	if err := w.actions(pv, pp); err != nil {
		return err
	}
	w.str("  </article>\n")
	return nil
}

// head is the author, when the post was written, and what it answers.
func (w *postWriter) head(pv *PostView) error {
	p := pv.Post
	w.str("    <header class=\"post-head\">\n      ")
	if err := w.avatar(pv.Author); err != nil {
		return err
	}
	w.str("\n      <p class=\"post-meta\">\n        ")
	if a := pv.Author; a != nil {
		w.str(`<a id="post-`)
		w.int(int64(p.Number))
		w.str(`-by" class="author" href="`)
		web.EscapeURL(w.b, a.URL())
		w.str(`">`)
		w.text(a.Name())
		w.str("</a>")
		if a.IsStaff() {
			w.str(` <span class="badge staff">`)
			w.word("staff")
			w.str("</span>")
		}
	}
	w.str("\n        <a class=\"permalink\" href=\"/p/")
	w.int(p.ID)
	w.str(`"><time datetime="`)
	w.b.Write(p.CreatedAt.AppendFormat(w.b.AvailableBuffer(), "2006-01-02T15:04:05Z07:00"))
	w.str(`" title="`)
	w.text(pv.Exact)
	w.str(`">`)
	w.text(pv.Ago)
	w.str("</time></a>\n        ")
	if p.RevisionsCount > 0 {
		w.str(`<a class="edited" href="/posts/`)
		w.int(p.ID)
		w.str(`/history">`)
		w.word("edited")
		w.str("</a>")
	}
	w.str("\n        ")
	if r := pv.ReplyTo; r != nil {
		w.str(`<a class="reply-ref" href="`)
		web.EscapeURL(w.b, w.tp.Topic.PostURL(r.Number))
		w.str("#post-")
		w.int(int64(r.Number))
		w.str(`">`)
		w.text(w.v.T("topic.in_reply_to", "Name", r.Username))
		w.str("</a>")
	}
	w.str("\n      </p>\n    </header>\n")
	return nil
}

// avatar is the theme's "avatar" partial for a member, drawn once per page.
func (w *postWriter) avatar(u *user.User) error {
	if u == nil {
		return w.v.Partial(w.b, "avatar", u)
	}
	if s, ok := w.avatars[u.ID]; ok {
		w.str(s)
		return nil
	}
	start := w.b.Len()
	if err := w.v.Partial(w.b, "avatar", u); err != nil {
		return err
	}
	w.avatars[u.ID] = string(w.b.Bytes()[start:])
	return nil
}

// content is the post's text, or why the reader does not see it.
func (w *postWriter) content(pv *PostView) {
	p := pv.Post
	if p.Official {
		w.str(`    <p class="official-mark">`)
		w.word("official")
		w.str("</p>\n")
	}
	if pv.Accepted {
		w.str(`    <p class="accepted-mark">`)
		w.word("accepted_mark")
		w.str("</p>\n")
	}
	switch {
	case pv.Visible:
		if p.State == StateHidden {
			w.str(`      <p class="notice">`)
			w.word("hidden_notice")
			w.str("</p>\n")
		}
		w.str(`      <div class="post-body">`)
		w.str(p.HTML) // sanitised when it was written
		w.str("</div>\n")
	case p.State == StateDeleted:
		w.str(`    <p class="post-gone">`)
		if pv.DeletedByAuthor() {
			w.word("deleted_by_author")
		} else {
			w.word("deleted_by_staff")
		}
		w.str("</p>\n")
	default:
		w.str(`    <p class="post-gone">`)
		w.word("hidden")
		w.str("</p>\n")
	}
	if p.State == StateDeleted && pv.Visible {
		w.str(`    <p class="notice">`)
		w.word("deleted_staff_view")
		w.str("</p>\n")
	}
}

// actions are the reactions and the tools under a post.
func (w *postWriter) actions(pv *PostView, pp *PostPart) error {
	w.str("    <footer class=\"post-actions\">\n      <div class=\"reactions\" role=\"group\" aria-label=\"")
	w.word("reactions")
	w.str("\">")
	w.reactions(pv)
	w.str("</div>\n      <div class=\"tools\">\n")
	if err := w.tools(pv, pp); err != nil {
		return err
	}
	w.str("</div>\n    </footer>\n")
	return nil
}

// reactions are one form whose buttons add or take back a reaction, or the
// counts alone for a reader who may not react.
func (w *postWriter) reactions(pv *PostView) {
	if pv.CanReact {
		w.str(`<form method="post" action="/posts/`)
		w.int(pv.ID)
		w.str(`/react" class="inline">`)
		w.csrf()
	}
	// A button in a form submits it; the theme styles them as
	// ".reactions button" and the pressed one by its aria-pressed: some
	// 200 bytes a post fewer than a type and classes on each.
	for _, b := range pv.Buttons {
		if pv.CanReact {
			w.str(`<button name="kind" value="`)
			w.text(b.Value)
			if b.Mine {
				w.str(`" aria-pressed="true">`)
			} else {
				w.str(`" aria-pressed="false">`)
			}
			w.text(b.Text)
			if b.Count != 0 {
				w.str(` <span class="count">`)
				w.int(int64(b.Count))
				w.str("</span>")
			}
			w.str("</button>")
		} else {
			w.str(`<span class="reaction">`)
			w.text(b.Text)
			w.str(` <span class="count">`)
			w.int(int64(b.Count))
			w.str("</span></span>")
		}
	}
	if pv.CanReact {
		w.str("</form>")
	}
}

// tools are reply, quote, link, bookmark, edit, flag, accept, delete and
// restore, each as the reader may use them.
func (w *postWriter) tools(pv *PostView, pp *PostPart) error {
	p, loggedIn := pv.Post, w.v.Viewer.LoggedIn()
	if w.tp.CanReply {
		w.str(`<a href="?reply_to=`)
		w.int(int64(p.Number))
		w.str(`#reply">`)
		w.word("reply")
		w.str("</a>\n")
		if pv.Visible {
			w.str(`<a href="?quote=`)
			w.int(int64(p.Number))
			w.str(`#reply">`)
			w.word("quote")
			w.str("</a>\n")
		}
	}
	w.str("<a href=\"/p/")
	w.int(p.ID)
	w.str(`" class="share">`)
	w.word("link")
	w.str("</a>\n")
	if loggedIn {
		w.postForm(p.ID, "bookmark", "")
		if pv.Bookmarked {
			w.str(`<input type="hidden" name="undo" value="1"><button class="link" aria-pressed="true">`)
			w.word("unbookmark")
		} else {
			w.str(`<button class="link" aria-pressed="false">`)
			w.word("bookmark")
		}
		w.str("</button></form>\n")
	}
	if pv.CanEdit {
		w.str(`<a href="/posts/`)
		w.int(p.ID)
		w.str(`/edit">`)
		w.word("edit")
		w.str("</a>\n")
	}
	if loggedIn {
		if err := w.v.Partial(w.b, "review-post", w.part); err != nil {
			return err
		}
	}
	if pv.CanAccept {
		w.str(`<form method="post" action="/t/`)
		w.int(w.tp.Topic.ID)
		w.str(`/accept" class="inline">`)
		w.csrf()
		w.str(`<input type="hidden" name="post_id" value="`)
		if pv.Accepted {
			w.str(`0"><button type="submit" class="link">`)
			w.word("unaccept")
		} else {
			w.int(p.ID)
			w.str(`"><button type="submit" class="link">`)
			w.word("accept")
		}
		w.str("</button></form>\n")
	}
	if pv.CanDelete && p.State != StateDeleted {
		w.postForm(p.ID, "delete", " danger")
		w.word("delete")
		w.str("</button></form>\n")
	}
	if pv.CanRestore {
		w.postForm(p.ID, "restore", "")
		w.word("restore")
		w.str("</button></form>\n")
	}
	return nil
}

// postForm opens the no-JS form of an action on a post; for all but the
// bookmark, the form's button too (class "link" and more).
func (w *postWriter) postForm(id int64, action, class string) {
	w.str(`<form method="post" action="/posts/`)
	w.int(id)
	w.str("/")
	w.str(action)
	w.str(`" class="inline">`)
	w.csrf()
	if action != "bookmark" {
		w.str(`<button type="submit" class="link`)
		w.str(class)
		w.str(`">`)
	}
}

// acceptedSummary is the accepted answer, shown under the question.
func (w *postWriter) acceptedSummary(a *PostView) {
	w.str("  <aside class=\"accepted-summary\" aria-labelledby=\"accepted-heading\">\n    <h2 id=\"accepted-heading\">")
	w.text(w.v.T("topic.accepted_answer"))
	w.str("</h2>\n    <p class=\"post-meta\">")
	if a.Author != nil {
		w.text(a.Author.Name())
	}
	w.str("</p>\n    ")
	if a.Visible {
		w.str(`<div class="post-body">`)
		w.str(a.HTML)
		w.str("</div>")
	}
	w.str("\n    <p><a href=\"")
	web.EscapeURL(w.b, w.tp.Topic.PostURL(a.Number))
	w.str("#post-")
	w.int(int64(a.Number))
	w.str(`">`)
	w.text(w.v.T("topic.go_to_answer"))
	w.str("</a></p>\n  </aside>\n")
}
