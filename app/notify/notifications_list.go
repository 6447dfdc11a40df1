package notify

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/topic"
	"causerie/app/web"
)

// ListPage is the data of /notifications: notifications grouped by topic,
// the group of the newest first.
type ListPage struct {
	Groups     []*Group
	UnreadOnly bool
	// Next is the cursor of the following page (0 at the end).
	Next int64
}

// Group is the notifications of one topic (Topic nil: about the member).
type Group struct {
	Topic *topic.Topic
	Items []*Item
}

func (h *handlers) listShow(c echo.Context) error {
	before, err := cursorParam(c, "before")
	if err != nil {
		return err
	}
	unread := c.QueryParam("unread") == "1"
	items, next, err := h.svc.List(c.Request().Context(), web.Viewer(c), ListQuery{UnreadOnly: unread, Before: before})
	if err != nil {
		return err
	}
	tr := web.Tr(c)
	page := &ListPage{UnreadOnly: unread, Next: next}
	groups := map[int64]*Group{}
	for _, it := range items {
		it.Text = it.Describe(tr)
		var key int64
		if it.TopicID != nil {
			key = *it.TopicID
		}
		g := groups[key]
		if g == nil {
			g = &Group{Topic: it.Topic}
			groups[key] = g
			page.Groups = append(page.Groups, g)
		}
		g.Items = append(g.Items, it)
	}
	return web.Render(c, http.StatusOK, "notify/list", page)
}
