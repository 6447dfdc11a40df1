package topic

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"causerie/app/errs"
	"causerie/app/user"
	"causerie/app/web"
)

// APITopic is a topic in the API.
type APITopic struct {
	ID             int64     `json:"id"`
	URL            string    `json:"url"`
	Title          string    `json:"title"`
	Kind           string    `json:"kind"`
	CategoryID     int64     `json:"category_id"`
	Author         string    `json:"author"`
	Tags           []string  `json:"tags"`
	Pinned         bool      `json:"pinned"`
	Closed         bool      `json:"closed"`
	Answered       bool      `json:"answered"`
	AcceptedPostID *int64    `json:"accepted_post_id"`
	RepliesCount   int       `json:"replies_count"`
	ReactionsCount int       `json:"reactions_count"`
	ViewsCount     int       `json:"views_count"`
	PostsCount     int       `json:"posts_count"`
	CreatedAt      time.Time `json:"created_at"`
	LastPostAt     time.Time `json:"last_post_at"`
}

// APIPost is a post in the API; a post the reader may not see has no body.
type APIPost struct {
	ID             int64          `json:"id"`
	URL            string         `json:"url"`
	TopicID        int64          `json:"topic_id"`
	Number         int            `json:"number"`
	Author         string         `json:"author"`
	State          string         `json:"state"`
	Body           *string        `json:"body"`
	HTML           *string        `json:"html"`
	Official       bool           `json:"official"`
	Accepted       bool           `json:"accepted"`
	ReplyTo        *int           `json:"reply_to"`
	Reactions      map[string]int `json:"reactions"`
	ReactionsCount int            `json:"reactions_count"`
	Edited         bool           `json:"edited"`
	CreatedAt      time.Time      `json:"created_at"`
}

func apiTopic(t *Topic, author string, tags []string) APITopic {
	if tags == nil {
		tags = []string{}
	}
	return APITopic{ID: t.ID, URL: t.URL(), Title: t.Title, Kind: t.Kind, CategoryID: t.CategoryID, Author: author, Tags: tags,
		Pinned: t.Pinned > 0, Closed: t.Closed, Answered: t.Answered(), AcceptedPostID: t.AcceptedPostID,
		RepliesCount: t.RepliesCount, ReactionsCount: t.ReactionsCount, ViewsCount: t.ViewsCount, PostsCount: t.HighestNumber,
		CreatedAt: t.CreatedAt, LastPostAt: t.LastPostAt}
}

func apiPost(pv *PostView) APIPost {
	a := APIPost{ID: pv.ID, URL: pv.URL(), TopicID: pv.TopicID, Number: pv.Number, State: pv.State, Official: pv.Official,
		Accepted: pv.Accepted, Reactions: pv.Reactions, ReactionsCount: pv.ReactionsCount, Edited: pv.EditedAt != nil, CreatedAt: pv.CreatedAt}
	if pv.Author != nil {
		a.Author = pv.Author.Username
	}
	if pv.Visible {
		a.Body, a.HTML = &pv.Body, &pv.HTML
	}
	if pv.ReplyTo != nil {
		a.ReplyTo = &pv.ReplyTo.Number
	}
	if a.Reactions == nil {
		a.Reactions = map[string]int{}
	}
	return a
}

func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errs.New(errs.NotFound, "error.http_404", nil)
	}
	return id, nil
}

func (h *handlers) apiList(c echo.Context) error {
	q := ListQuery{Filter: c.QueryParam("filter"), Period: c.QueryParam("period"), Tag: c.QueryParam("tag"), Cursor: c.QueryParam("cursor")}
	if cat := c.QueryParam("category_id"); cat != "" {
		id, err := strconv.ParseInt(cat, 10, 64)
		if err != nil {
			return errs.Fields{"category_id": "validation.category"}
		}
		q.CategoryID = id
	}
	list, err := h.svc.List(c.Request().Context(), web.Viewer(c), q)
	if err != nil {
		return err
	}
	out := struct {
		Pinned []APITopic `json:"pinned"`
		Topics []APITopic `json:"topics"`
		Next   *string    `json:"next_cursor"`
	}{Pinned: []APITopic{}, Topics: []APITopic{}}
	for _, it := range list.Pinned {
		out.Pinned = append(out.Pinned, apiTopic(it.Topic, it.Author.Username, it.Tags))
	}
	for _, it := range list.Items {
		out.Topics = append(out.Topics, apiTopic(it.Topic, it.Author.Username, it.Tags))
	}
	if list.Next != "" {
		out.Next = &list.Next
	}
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) apiCreate(c echo.Context) error {
	var in NewTopic
	if err := c.Bind(&in); err != nil {
		return err
	}
	t, _, err := h.svc.Create(c.Request().Context(), web.Viewer(c), in)
	if err != nil {
		return err
	}
	return h.apiPage(c, http.StatusCreated, t.ID, 1)
}

// APIPage is a topic with one page of its posts.
type APIPage struct {
	Topic APITopic  `json:"topic"`
	Posts []APIPost `json:"posts"`
	Next  *int      `json:"next_from"`
	Prev  *int      `json:"prev_from"`
}

func (h *handlers) apiPage(c echo.Context, status int, topicID int64, from int) error {
	shared := h.shared
	if c.Request().Method != http.MethodGet {
		shared = nil // answering a change: the kept pages hear of it only when the request ends
	}
	pg, err := h.svc.page(c.Request().Context(), web.Viewer(c), topicID, from, shared)
	if err != nil {
		return err
	}
	web.Changed(c, web.TopicTag(pg.Topic.ID), web.TagLists) // after a change (POST): what visitors see of it
	out := APIPage{Topic: apiTopic(pg.Topic, pg.Author.Username, pg.Tags), Posts: make([]APIPost, 0, len(pg.Posts))}
	for _, pv := range pg.Posts {
		out.Posts = append(out.Posts, apiPost(pv))
	}
	if pg.Next > 0 {
		out.Next = &pg.Next
	}
	if pg.Prev > 0 {
		out.Prev = &pg.Prev
	}
	return c.JSON(status, out)
}

func (h *handlers) apiShow(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	from := 1
	if f := c.QueryParam("from"); f != "" {
		if from, err = strconv.Atoi(f); err != nil || from < 1 {
			return errs.Fields{"from": "validation.from"}
		}
	}
	return h.apiPage(c, http.StatusOK, id, from)
}

func (h *handlers) apiReply(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in ReplyInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	v := web.Viewer(c)
	t, p, err := h.svc.Reply(c.Request().Context(), v, id, in)
	if err != nil {
		return err
	}
	web.Changed(c, web.TopicTag(t.ID), web.TagLists)
	// The reply was just written by v: nothing about it needs reading back
	// (no reactions yet, not accepted, and its author may read it, held or not).
	pv := &PostView{Post: p, Author: &user.User{ID: v.ID, Username: v.Username}, Visible: true}
	if p.ReplyToID != nil {
		pv.ReplyTo = &PostRef{Number: in.ReplyTo}
	}
	return c.JSON(http.StatusCreated, apiPost(pv))
}

func (h *handlers) apiOnePost(c echo.Context, status int, postID int64) error {
	ctx, v := c.Request().Context(), web.Viewer(c)
	p, t, cat, err := h.svc.postInTopic(ctx, v, postID)
	if err != nil {
		return err
	}
	web.Changed(c, web.TopicTag(t.ID), web.TagLists) // called after a change: what visitors see of it
	views, err := h.svc.postViews(ctx, v, t, cat, []*Post{p})
	if err != nil {
		return err
	}
	return c.JSON(status, apiPost(views[0]))
}

func (h *handlers) apiEdit(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in EditInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	if _, err := h.svc.Edit(c.Request().Context(), web.Viewer(c), id, in); err != nil {
		return err
	}
	return h.apiOnePost(c, http.StatusOK, id)
}

type reactionInput struct {
	Kind string `json:"kind" query:"kind" form:"kind"`
}

func (h *handlers) apiReact(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in reactionInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	if _, err := h.svc.React(c.Request().Context(), web.Viewer(c), id, in.Kind); err != nil {
		return err
	}
	return h.apiOnePost(c, http.StatusOK, id)
}

func (h *handlers) apiUnreact(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := h.svc.Unreact(c.Request().Context(), web.Viewer(c), id, c.QueryParam("kind")); err != nil {
		return err
	}
	return h.apiOnePost(c, http.StatusOK, id)
}

type acceptInput struct {
	PostID int64 `json:"post_id" form:"post_id"`
}

func (h *handlers) apiAccept(c echo.Context) error {
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
	return h.apiPage(c, http.StatusOK, t.ID, 1)
}
