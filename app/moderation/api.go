package moderation

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"causerie/app/topic"
	"causerie/app/web"
)

// APIPost is a post as a moderation answer shows it.
type APIPost struct {
	ID           int64  `json:"id"`
	URL          string `json:"url"`
	TopicID      int64  `json:"topic_id"`
	Number       int    `json:"number"`
	State        string `json:"state"`
	Official     bool   `json:"official"`
	HiddenReason string `json:"hidden_reason"`
}

// APITopic is a topic as a moderation answer shows it.
type APITopic struct {
	ID           int64      `json:"id"`
	URL          string     `json:"url"`
	Title        string     `json:"title"`
	CategoryID   int64      `json:"category_id"`
	UserID       int64      `json:"user_id"`
	Closed       bool       `json:"closed"`
	Pinned       string     `json:"pinned"`
	FeaturedAt   *time.Time `json:"featured_at"`
	RepliesCount int        `json:"replies_count"`
}

// APIResult is the answer to an action.
type APIResult struct {
	Action   string    `json:"action"`
	Changed  bool      `json:"changed"`
	Proposed bool      `json:"proposed"`
	Post     *APIPost  `json:"post"`
	Topic    *APITopic `json:"topic"`
}

func apiResult(a Action, res *Result, proposed bool) APIResult {
	out := APIResult{Action: a.AuditAction(), Proposed: proposed}
	if res == nil {
		return out
	}
	out.Changed = res.Changed
	if p := res.Post; p != nil {
		out.Post = &APIPost{ID: p.ID, URL: p.URL(), TopicID: p.TopicID, Number: p.Number, State: p.State, Official: p.Official,
			HiddenReason: p.HiddenReason}
	}
	if t := res.Topic; t != nil {
		pin := PinScope(t.Pinned)
		if pin == "" {
			pin = "none"
		}
		out.Topic = &APITopic{ID: t.ID, URL: t.URL(), Title: t.Title, CategoryID: t.CategoryID, UserID: t.UserID, Closed: t.Closed,
			Pinned: pin, FeaturedAt: t.FeaturedAt, RepliesCount: t.RepliesCount}
	}
	return out
}

func (h *handlers) submit(c echo.Context, a Action) error {
	res, proposed, err := h.svc.Submit(c.Request().Context(), web.Viewer(c), a)
	if err != nil {
		return err
	}
	if res != nil && res.Topic != nil {
		// Counts changed in the transaction: show them as they are now.
		if t, err := topic.NewStore(h.svc.db).Topic(c.Request().Context(), res.Topic.ID); err == nil {
			res.Topic = t
		}
	}
	status := http.StatusOK
	if proposed {
		status = http.StatusAccepted
	}
	return c.JSON(status, apiResult(a, res, proposed))
}

func (h *handlers) apiAction(c echo.Context) error {
	var a Action
	if err := c.Bind(&a); err != nil {
		return err
	}
	return h.submit(c, a)
}

func (h *handlers) apiPost(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var in struct {
			Reason   string `json:"reason"`
			Note     string `json:"note"`
			CannedID int64  `json:"canned_id"`
			Body     string `json:"body"`
			Confirm  bool   `json:"confirm"`
		}
		if err := c.Bind(&in); err != nil {
			return err
		}
		if in.Reason == "" {
			in.Reason = in.Note // an edit's note
		}
		return h.submit(c, Action{Kind: kind, PostID: id, Reason: in.Reason, CannedID: in.CannedID, Body: in.Body, Confirm: in.Confirm})
	}
}

func (h *handlers) apiTopic(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var a Action
		if err := c.Bind(&a); err != nil {
			return err
		}
		a.Kind, a.TopicID, a.PostID = kind, id, 0
		return h.submit(c, a)
	}
}

func (h *handlers) apiReview(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if err := c.Bind(&in); err != nil {
		return err
	}
	if err := h.svc.RequestReview(c.Request().Context(), web.Viewer(c), id, in.Note); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"requested": true})
}

func (h *handlers) apiCannedList(c echo.Context) error {
	lang := c.QueryParam("lang")
	if lang == "" {
		lang = web.Language(c)
	}
	list, err := h.svc.Canned(c.Request().Context(), web.Viewer(c), c.QueryParam("kind"), lang)
	if err != nil {
		return err
	}
	if list == nil {
		list = []CannedResponse{}
	}
	return c.JSON(http.StatusOK, map[string]any{"canned_responses": list})
}

func (h *handlers) apiCannedCreate(c echo.Context) error {
	var in CannedInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	cr, err := h.svc.CreateCanned(c.Request().Context(), web.Viewer(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, cr)
}

func (h *handlers) apiCannedUpdate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in CannedInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	cr, err := h.svc.UpdateCanned(c.Request().Context(), web.Viewer(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cr)
}

func (h *handlers) apiCannedDelete(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteCanned(c.Request().Context(), web.Viewer(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
