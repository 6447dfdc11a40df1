package moderation

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"causerie/app/errs"
	"causerie/app/web"
)

// postForm is what the staff forms on a post send.
type postForm struct {
	Reason   string `form:"reason"`
	CannedID int64  `form:"canned_id"`
	Body     string `form:"body"`
	Confirm  bool   `form:"confirm"`
	// Fill asks to put the chosen canned reason in the reason box and show
	// the form again (no script needed).
	Fill string `form:"fill"`
}

func (f postForm) action(kind string, postID int64) Action {
	return Action{Kind: kind, PostID: postID, Reason: f.Reason, CannedID: f.CannedID, Body: f.Body, Confirm: f.Confirm}
}

var postTitles = map[string]string{Hide: "mod.hide_title", Delete: "mod.delete_title",
	Edit: "mod.edit_title", Purge: "mod.purge_title"}

// postForm shows the form of an action on a post: hide (with the canned
// reasons), delete, edit with a note, purge.
func (h *handlers) postForm(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		pc, err := h.svc.PostContext(c.Request().Context(), web.Viewer(c), id, kind)
		if err != nil {
			return err
		}
		in := postForm{}
		if kind == Edit {
			in.Body = pc.Post.Body
		}
		return web.Render(c, http.StatusOK, "moderation/post", web.Form{Values: in, Extra: pc})
	}
}

var postFlash = map[string]string{Hide: "flash.moderation_hidden", Restore: "flash.moderation_restored",
	Delete: "flash.moderation_deleted", Edit: "flash.moderation_edited", Official: "flash.moderation_official",
	Unofficial: "flash.moderation_unofficial", Purge: "flash.moderation_purged"}

// postSubmit carries out (or proposes) an action on a post, and shows the
// form again with what was typed when something is to be fixed.
func (h *handlers) postSubmit(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var in postForm
		if err := c.Bind(&in); err != nil {
			return err
		}
		ctx, v := c.Request().Context(), web.Viewer(c)
		if in.Fill != "" && kind == Hide {
			pc, err := h.svc.PostContext(ctx, v, id, kind)
			if err != nil {
				return err
			}
			if cr, err := h.svc.CannedByID(ctx, v, in.CannedID); err == nil && cr.Kind == CannedHide {
				in.Reason = cr.Body
			}
			return web.Render(c, http.StatusOK, "moderation/post", web.Form{Values: in, Extra: pc})
		}
		res, proposed, err := h.svc.Submit(ctx, v, in.action(kind, id))
		if err != nil {
			if _, ok := postTitles[kind]; !ok {
				return err
			}
			pc, perr := h.svc.PostContext(ctx, v, id, kind)
			if perr != nil {
				return err
			}
			return web.RenderForm(c, "moderation/post", in, pc, err)
		}
		if proposed {
			return web.Redirect(c, fmt.Sprintf("/p/%d", id), "flash.moderation_proposed")
		}
		if res.Post == nil { // purged
			return web.Redirect(c, res.Topic.URL(), postFlash[kind])
		}
		return web.Redirect(c, res.Post.URL(), postFlash[kind])
	}
}

// reviewCreate is the author of a hidden post asking the team to look again.
func (h *handlers) reviewCreate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := h.svc.RequestReview(c.Request().Context(), web.Viewer(c), id, c.FormValue("note")); err != nil {
		return err
	}
	return web.Redirect(c, fmt.Sprintf("/p/%d", id), "flash.moderation_review_requested")
}

// topicForm is what the forms of a topic's staff page send; Form names the
// form, so errors show next to the right one.
type topicForm struct {
	Form       string  `form:"form"`
	Reason     string  `form:"reason"`
	Scope      string  `form:"scope"`
	CategoryID int64   `form:"category_id"`
	Into       string  `form:"into_topic_id"`
	PostIDs    []int64 `form:"post_ids"`
	Title      string  `form:"title"`
	Username   string  `form:"username"`
	Confirm    bool    `form:"confirm"`
}

// intoID reads the topic to merge into: its number, or its address
// (/t/slug/12, /t/slug/12/5, or the full URL).
func intoID(s string) int64 {
	s = strings.TrimSpace(s)
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		return id
	}
	if i := strings.Index(s, "/t/"); i >= 0 {
		parts := strings.Split(strings.Trim(s[i+3:], "/"), "/")
		if len(parts) >= 2 {
			if id, err := strconv.ParseInt(parts[1], 10, 64); err == nil {
				return id
			}
		}
	}
	return -1
}

func (f topicForm) action(kind string, topicID int64) Action {
	a := Action{Kind: kind, TopicID: topicID, Reason: f.Reason, Scope: f.Scope, CategoryID: f.CategoryID,
		PostIDs: f.PostIDs, Title: f.Title, Username: f.Username, Confirm: f.Confirm}
	if kind == Merge {
		a.IntoTopicID = intoID(f.Into)
	}
	return a
}

func (h *handlers) topicTools(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	from, _ := strconv.Atoi(c.QueryParam("from"))
	tc, err := h.svc.TopicContext(c.Request().Context(), web.Viewer(c), id, from)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "moderation/topic", web.Form{Values: topicForm{CategoryID: tc.Topic.CategoryID}, Extra: tc})
}

var topicFlash = map[string]string{Close: "flash.moderation_closed", Open: "flash.moderation_opened",
	Pin: "flash.moderation_pinned", Unpin: "flash.moderation_unpinned", Feature: "flash.moderation_featured",
	Unfeature: "flash.moderation_unfeatured", Move: "flash.moderation_moved", Merge: "flash.moderation_merged",
	Split: "flash.moderation_split", Owner: "flash.moderation_owner", PurgeTopic: "flash.moderation_topic_purged"}

func (h *handlers) topicSubmit(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var in topicForm
		if err := c.Bind(&in); err != nil {
			return err
		}
		in.Form = kind
		ctx, v := c.Request().Context(), web.Viewer(c)
		res, proposed, err := h.svc.Submit(ctx, v, in.action(kind, id))
		if err != nil {
			tc, terr := h.svc.TopicContext(ctx, v, id, 0)
			if terr != nil {
				return err
			}
			return web.RenderForm(c, "moderation/topic", in, tc, err)
		}
		if proposed {
			return web.Redirect(c, fmt.Sprintf("/mod/t/%d", id), "flash.moderation_proposed")
		}
		if kind == PurgeTopic {
			return web.Redirect(c, "/", topicFlash[kind])
		}
		return web.Redirect(c, res.Topic.URL(), topicFlash[kind])
	}
}

// cannedReply is a topic's composer with a canned reply put in: choose one,
// and the reply box is filled (no script needed); sending posts the reply
// as the topic page's reply box does.
func (h *handlers) cannedReply(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	cannedID, _ := strconv.ParseInt(c.QueryParam("canned_id"), 10, 64)
	rc, err := h.svc.ReplyContext(c.Request().Context(), web.Viewer(c), id, cannedID, web.Language(c))
	if err != nil {
		return err
	}
	in := struct {
		Body     string `form:"body"`
		CannedID int64  `form:"canned_id"`
	}{CannedID: cannedID}
	if rc.Chosen != nil {
		in.Body = rc.Chosen.Body
	}
	return web.Render(c, http.StatusOK, "moderation/reply", web.Form{Values: in, Extra: rc})
}

// CannedPage is the admin list of canned responses.
type CannedPage struct {
	List      []CannedResponse
	CanManage bool
}

func (h *handlers) cannedList(c echo.Context) error {
	v := web.Viewer(c)
	list, err := h.svc.Canned(c.Request().Context(), v, "", web.Language(c))
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "moderation/canned", &CannedPage{List: list, CanManage: CanManageCanned(v)})
}

// CannedFormPage is the data of the form of a canned response.
type CannedFormPage struct {
	ID        int64
	Languages []string
}

func (h *handlers) cannedNew(c echo.Context) error {
	if !CanManageCanned(web.Viewer(c)) {
		return errs.New(errs.Forbidden, "error.http_403", nil)
	}
	in := CannedInput{Kind: CannedHide, Language: web.Language(c)}
	if c.QueryParam("kind") == CannedReply {
		in.Kind = CannedReply
	}
	return web.Render(c, http.StatusOK, "moderation/canned_form", web.Form{Values: in, Extra: &CannedFormPage{Languages: h.svc.Languages()}})
}

func (h *handlers) cannedCreate(c echo.Context) error {
	var in CannedInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	if _, err := h.svc.CreateCanned(c.Request().Context(), web.Viewer(c), in); err != nil {
		return web.RenderForm(c, "moderation/canned_form", in, &CannedFormPage{Languages: h.svc.Languages()}, err)
	}
	return web.Redirect(c, "/mod/canned", "flash.moderation_canned_saved")
}

func (h *handlers) cannedEdit(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	v := web.Viewer(c)
	if !CanManageCanned(v) {
		return errs.New(errs.Forbidden, "error.http_403", nil)
	}
	cr, err := h.svc.CannedByID(c.Request().Context(), v, id)
	if err != nil {
		return err
	}
	in := CannedInput{Kind: cr.Kind, Language: cr.Language, Title: cr.Title, Body: cr.Body}
	return web.Render(c, http.StatusOK, "moderation/canned_form", web.Form{Values: in, Extra: &CannedFormPage{ID: id, Languages: h.svc.Languages()}})
}

func (h *handlers) cannedUpdate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in CannedInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	if _, err := h.svc.UpdateCanned(c.Request().Context(), web.Viewer(c), id, in); err != nil {
		return web.RenderForm(c, "moderation/canned_form", in, &CannedFormPage{ID: id, Languages: h.svc.Languages()}, err)
	}
	return web.Redirect(c, "/mod/canned", "flash.moderation_canned_saved")
}

func (h *handlers) cannedDelete(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteCanned(c.Request().Context(), web.Viewer(c), id); err != nil {
		return err
	}
	return web.Redirect(c, "/mod/canned", "flash.moderation_canned_deleted")
}
