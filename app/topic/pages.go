package topic

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/errs"
	"causerie/app/web"
)

// ListPage is the data of the list pages (home, latest, top, unanswered,
// category, tag).
type ListPage struct {
	List     *List
	Filter   string
	Period   string
	Category *category.Category
	Tag      string
	// Base is the page's own path, for the tabs and the next-page link.
	Base     string
	CanStart bool
}

func (h *handlers) list(c echo.Context, q ListQuery, page *ListPage) error {
	q.Cursor = c.QueryParam("cursor")
	list, err := h.svc.List(c.Request().Context(), web.Viewer(c), q)
	if err != nil {
		return err
	}
	page.List, page.Filter, page.Period = list, q.Filter, q.Period
	if page.Filter == "" {
		page.Filter = ListLatest
	}
	starts, err := h.cats.Startable(c.Request().Context(), web.Viewer(c), KindDiscussion)
	if err != nil {
		return err
	}
	page.CanStart = len(starts) > 0
	web.CacheTags(c, web.TagLists)
	return web.Render(c, http.StatusOK, "topic/list", page)
}

func (h *handlers) latest(c echo.Context) error {
	return h.list(c, ListQuery{Filter: ListLatest}, &ListPage{Base: "/latest"})
}

func (h *handlers) top(c echo.Context) error {
	period := c.QueryParam("period")
	if _, ok := periods[period]; !ok {
		period = "all"
	}
	return h.list(c, ListQuery{Filter: ListTop, Period: period}, &ListPage{Base: "/top"})
}

func (h *handlers) unanswered(c echo.Context) error {
	return h.list(c, ListQuery{Filter: ListUnanswered}, &ListPage{Base: "/unanswered"})
}

func (h *handlers) categoryShow(c echo.Context) error {
	cat, err := h.cats.Readable(c.Request().Context(), web.Viewer(c), c.Param("slug"))
	if err != nil {
		return err
	}
	filter := c.QueryParam("filter")
	if filter != ListUnanswered && filter != ListTop {
		filter = ListLatest
	}
	return h.list(c, ListQuery{Filter: filter, CategoryID: cat.ID, Period: "all"}, &ListPage{Category: cat, Base: cat.URL()})
}

func (h *handlers) tagShow(c echo.Context) error {
	tag, err := h.cats.Store().Tag(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return h.list(c, ListQuery{Filter: ListLatest, Tag: tag.Name}, &ListPage{Tag: tag.Name, Base: tag.URL()})
}

// TopicPage is the data of a topic page: the page of posts, and the post
// the reply box answers, if any. The reply box's text is the form's value.
type TopicPage struct {
	*Page
	ReplyTo     int
	ReplyToPost *PostRef
	// WatchLevel is the reader's, for the watch form (members only).
	WatchLevel string
	// L holds the words repeated on every post, translated once per page
	// ("topic.reply" → L.reply): the template asks no translation per post.
	L map[string]string
}

// postWords are the messages of each post's header and tools.
var postWords = []string{"topic.new_since", "topic.staff", "topic.edited", "topic.official", "topic.accepted_mark",
	"topic.hidden_notice", "topic.deleted_by_author", "topic.deleted_by_staff", "topic.hidden", "topic.deleted_staff_view",
	"topic.reactions", "topic.reply", "topic.quote", "topic.link", "topic.unbookmark", "topic.bookmark", "topic.edit",
	"topic.unaccept", "topic.accept", "topic.delete", "topic.restore"}

// prepare works out what the template would otherwise ask per post, in
// the reader's language: the repeated words, the reaction names and when
// each post was written; and the reader's watch level.
func (tp *TopicPage) prepare(c echo.Context) {
	switch {
	case !web.Viewer(c).LoggedIn():
	case tp.watchRead:
		tp.WatchLevel = tp.watch
	default:
		tp.WatchLevel = web.WatchLevel(c, tp.Topic.ID, tp.Category.ID)
	}
	tr := web.Tr(c)
	tp.L = make(map[string]string, len(postWords))
	for _, id := range postWords {
		tp.L[strings.TrimPrefix(id, "topic.")] = tr.T(id, nil)
	}
	ago, exact := web.Clock(c)
	for _, pv := range tp.Posts {
		pv.Ago, pv.Exact = ago(pv.CreatedAt), exact(pv.CreatedAt)
		for i := range pv.Buttons {
			pv.Buttons[i].Text = tr.T(pv.Buttons[i].Label, nil)
		}
	}
}

func (h *handlers) topicShow(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	from := 1
	if n := c.Param("number"); n != "" {
		if from, err = strconv.Atoi(n); err != nil || from < 1 {
			return errs.New(errs.NotFound, "error.http_404", nil)
		}
	}
	ctx, v := c.Request().Context(), web.Viewer(c)
	pg, err := h.svc.page(ctx, v, id, from, h.shared)
	if merged := (*MergedError)(nil); errors.As(err, &merged) { // its posts live on in the topic it was merged into
		return c.Redirect(http.StatusMovedPermanently, fmt.Sprintf("/t/-/%d", merged.Into))
	}
	if err != nil {
		return err
	}
	if c.Param("slug") != pg.Topic.Slug { // an old or wrong slug: the canonical address
		return c.Redirect(http.StatusMovedPermanently, pg.Topic.PostURL(from))
	}
	tp, in, err := h.replyBox(c, pg)
	if err != nil {
		return err
	}
	tp.prepare(c)
	if pg.Unread >= 0 && web.Viewer(c).LoggedIn() {
		web.SetUnread(c, pg.Unread) // counted with the page's own statement
	}
	web.CacheTags(c, web.TopicTag(pg.Topic.ID))
	return web.Render(c, http.StatusOK, "topic/show", web.Form{Values: in, Extra: tp})
}

// replyBox prepares the reply box: the draft, or a quote of the post asked
// for (?quote=N), answering the post asked for (?reply_to=N).
func (h *handlers) replyBox(c echo.Context, pg *Page) (*TopicPage, ReplyInput, error) {
	ctx, v := c.Request().Context(), web.Viewer(c)
	tp := &TopicPage{Page: pg}
	var in ReplyInput
	if !pg.CanReply {
		return tp, in, nil
	}
	in.Body = pg.Draft
	n, _ := strconv.Atoi(c.QueryParam("reply_to"))
	if q, _ := strconv.Atoi(c.QueryParam("quote")); q > 0 {
		quote, err := h.svc.Quote(ctx, v, pg.Topic.ID, q)
		if err != nil {
			return nil, in, err
		}
		in.Body, n = quote+in.Body, q
	}
	if n > 0 {
		if ref, err := h.svc.Ref(ctx, pg.Topic.ID, n); err == nil {
			tp.ReplyTo, tp.ReplyToPost, in.ReplyTo = n, ref, n
		}
	}
	return tp, in, nil
}

// countView counts a view of a topic page that was shown, from the cache or
// not.
func (h *handlers) countView(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if id, perr := idParam(c); err == nil && perr == nil && c.Response().Status == http.StatusOK {
			h.svc.views.add(id)
		}
		return err
	}
}

func (h *handlers) postLocate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	t, n, err := h.svc.Locate(c.Request().Context(), web.Viewer(c), id)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, fmt.Sprintf("%s#post-%d", t.PostURL(n), n))
}

// ComposerPage is the data of the new-topic form.
type ComposerPage struct {
	Categories []*category.Category
	Kinds      []string
	Similar    []*Topic
}

func (h *handlers) composer(c echo.Context) (*ComposerPage, error) {
	ctx, v := c.Request().Context(), web.Viewer(c)
	cats, err := h.cats.Startable(ctx, v, KindDiscussion)
	if err != nil {
		return nil, err
	}
	kinds := []string{KindDiscussion, KindQuestion}
	if auth.CanAnnounceSomewhere(v) {
		kinds = append(kinds, KindAnnouncement)
	}
	return &ComposerPage{Categories: cats, Kinds: kinds}, nil
}

func (h *handlers) newShow(c echo.Context) error {
	p, err := h.composer(c)
	if err != nil {
		return err
	}
	draft, err := h.svc.Draft(c.Request().Context(), web.Viewer(c), "new")
	if err != nil {
		return err
	}
	in := NewTopic{Title: draft.Title, Body: draft.Body, Kind: c.QueryParam("kind")}
	if cat, err := h.cats.Readable(c.Request().Context(), web.Viewer(c), c.QueryParam("category")); err == nil {
		in.CategoryID = cat.ID
	}
	return web.Render(c, http.StatusOK, "topic/new", web.Form{Values: in, Extra: p})
}

func (h *handlers) newCreate(c echo.Context) error {
	var in NewTopic
	if err := c.Bind(&in); err != nil {
		return err
	}
	web.Changed(c, web.TagLists) // a new topic shows in lists only
	t, _, err := h.svc.Create(c.Request().Context(), web.Viewer(c), in)
	if err != nil {
		p, perr := h.composer(c)
		if perr != nil {
			return perr
		}
		p.Similar, _ = h.svc.Similar(c.Request().Context(), web.Viewer(c), in.Title)
		return web.RenderForm(c, "topic/new", in, p, err)
	}
	return web.Redirect(c, t.URL(), "flash.topic_created")
}

func (h *handlers) replyCreate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in ReplyInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	ctx, v := c.Request().Context(), web.Viewer(c)
	web.Changed(c, web.TopicTag(id), web.TagLists)
	t, p, err := h.svc.Reply(ctx, v, id, in)
	if err != nil {
		// Show the last page again with the reply box holding what was typed.
		pg, perr := h.svc.LastPage(ctx, v, id)
		if perr != nil {
			return err
		}
		tp := &TopicPage{Page: pg, ReplyTo: in.ReplyTo}
		tp.prepare(c)
		return web.RenderForm(c, "topic/show", in, tp, err)
	}
	return web.Redirect(c, fmt.Sprintf("%s#post-%d", t.PostURL(p.Number), p.Number), "flash.reply_posted")
}

// EditPage is the data of the edit form.
type EditPage struct {
	Post  *Post
	Topic *Topic
}

type editForm struct {
	Body  string `form:"body"`
	Title string `form:"title"`
	Note  string `form:"note"`
}

func (h *handlers) editShow(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p, t, cat, err := h.svc.postInTopic(c.Request().Context(), web.Viewer(c), id)
	if err != nil {
		return err
	}
	if !canEdit(web.Viewer(c), cat, t, p) {
		return web.ErrForbidden
	}
	return web.Render(c, http.StatusOK, "topic/edit", web.Form{Values: editForm{Body: p.Body, Title: t.Title}, Extra: &EditPage{Post: p, Topic: t}})
}

func (h *handlers) editUpdate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in editForm
	if err := c.Bind(&in); err != nil {
		return err
	}
	ctx, v := c.Request().Context(), web.Viewer(c)
	edit := EditInput{Body: in.Body, Note: in.Note}
	if c.FormValue("title") != "" {
		edit.Title = &in.Title
	}
	p, err := h.svc.Edit(ctx, v, id, edit)
	if err != nil {
		p0, t, _, perr := h.svc.postInTopic(ctx, v, id)
		if perr != nil {
			return err
		}
		return web.RenderForm(c, "topic/edit", in, &EditPage{Post: p0, Topic: t}, err)
	}
	web.Changed(c, web.TopicTag(p.TopicID), web.TagLists)
	return web.Redirect(c, p.URL(), "flash.post_edited")
}

// HistoryPage is the data of a post's history: each version with what
// changed from the one before.
type HistoryPage struct {
	Post     *Post
	Topic    *Topic
	Versions []Version
}

func (h *handlers) history(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p, t, revs, err := h.svc.Revisions(c.Request().Context(), web.Viewer(c), id)
	if err != nil {
		return err
	}
	authors, err := loadUsers(c.Request().Context(), h.svc.db, revisionAuthors(p, revs))
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "topic/history", &HistoryPage{Post: p, Topic: t, Versions: versions(p, t, revs, authors)})
}

func (h *handlers) deleteCreate(c echo.Context) error {
	return h.postAction(c, func(id int64) (string, error) {
		return "flash.post_deleted", h.svc.Delete(c.Request().Context(), web.Viewer(c), id)
	})
}

func (h *handlers) restoreCreate(c echo.Context) error {
	return h.postAction(c, func(id int64) (string, error) {
		return "flash.post_restored", h.svc.Restore(c.Request().Context(), web.Viewer(c), id)
	})
}

func (h *handlers) reactCreate(c echo.Context) error {
	return h.postAction(c, func(id int64) (string, error) {
		// A pressed reaction button sends "-kind": take it back.
		kind, undo := strings.CutPrefix(c.FormValue("kind"), "-")
		if undo || c.FormValue("undo") != "" {
			_, err := h.svc.Unreact(c.Request().Context(), web.Viewer(c), id, kind)
			return "", err
		}
		_, err := h.svc.React(c.Request().Context(), web.Viewer(c), id, kind)
		return "", err
	})
}

func (h *handlers) bookmarkCreate(c echo.Context) error {
	return h.postAction(c, func(id int64) (string, error) {
		on := c.FormValue("undo") == ""
		msg := "flash.bookmarked"
		if !on {
			msg = "flash.unbookmarked"
		}
		return msg, h.svc.Bookmark(c.Request().Context(), web.Viewer(c), id, on)
	})
}

// postAction runs a form action on a post and goes back to it.
func (h *handlers) postAction(c echo.Context, do func(id int64) (string, error)) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	flash, err := do(id)
	if err != nil {
		return err
	}
	t, n, err := h.svc.Locate(c.Request().Context(), web.Viewer(c), id)
	if err != nil {
		return web.Redirect(c, "/", flash) // naming nothing changed: every visitor page goes
	}
	web.Changed(c, web.TopicTag(t.ID), web.TagLists)
	return web.Redirect(c, fmt.Sprintf("%s#post-%d", t.PostURL(n), n), flash)
}

func (h *handlers) acceptCreate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in acceptInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	t, err := h.svc.Accept(c.Request().Context(), web.Viewer(c), id, in.PostID)
	if err != nil {
		return err
	}
	web.Changed(c, web.TopicTag(t.ID), web.TagLists)
	flash := "flash.answer_accepted"
	if in.PostID == 0 {
		flash = "flash.answer_unaccepted"
	}
	return web.Redirect(c, t.URL(), flash)
}

func (h *handlers) preview(c echo.Context) error {
	body := c.FormValue("body")
	if len(body) > 4*h.svc.cfg.MaxPostLength {
		return errs.Fields{"body": "validation.body_long"}
	}
	return c.JSON(http.StatusOK, map[string]string{"html": h.svc.render.Render(body).HTML})
}

func (h *handlers) draftSave(c echo.Context) error {
	var in DraftInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	if err := h.svc.SaveDraft(c.Request().Context(), web.Viewer(c), in); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *handlers) similar(c echo.Context) error {
	ts, err := h.svc.Similar(c.Request().Context(), web.Viewer(c), c.QueryParam("title"))
	if err != nil {
		return err
	}
	type item struct {
		Title string `json:"title"`
		URL   string `json:"url"`
	}
	out := []item{}
	for _, t := range ts {
		out = append(out, item{Title: t.Title, URL: t.URL()})
	}
	return c.JSON(http.StatusOK, map[string]any{"topics": out})
}
