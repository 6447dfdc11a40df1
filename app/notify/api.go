package notify

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"causerie/app/errs"
	"causerie/app/web"
)

// APINotification is a notification in the API.
type APINotification struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Read      bool      `json:"read"`
	CreatedAt time.Time `json:"created_at"`
	URL       string    `json:"url"`
	TopicID   *int64    `json:"topic_id"`
	PostID    *int64    `json:"post_id"`
	// Actor is the username of who did it (the latest, for reactions).
	Actor *string `json:"actor"`
}

// APINotifications is a page of notifications.
type APINotifications struct {
	Notifications []APINotification `json:"notifications"`
	UnreadCount   int               `json:"unread_count"`
	NextCursor    *string           `json:"next_cursor"`
}

func (h *handlers) apiList(c echo.Context) error {
	before, err := cursorParam(c, "cursor")
	if err != nil {
		return err
	}
	limit := 50
	if raw := c.QueryParam("limit"); raw != "" {
		if limit, err = strconv.Atoi(raw); err != nil || limit < 1 || limit > 100 {
			return errs.Fields{"limit": "notify.invalid_limit"}
		}
	}
	ctx, v := c.Request().Context(), web.Viewer(c)
	unread := c.QueryParam("unread") == "1" || c.QueryParam("unread") == "true"
	items, next, err := h.svc.List(ctx, v, ListQuery{UnreadOnly: unread, Before: before, Limit: limit})
	if err != nil {
		return err
	}
	count, err := h.svc.countUnread(ctx, v, 0)
	if err != nil {
		return err
	}
	out := APINotifications{Notifications: make([]APINotification, 0, len(items)), UnreadCount: count}
	for _, it := range items {
		n := APINotification{ID: it.ID, Kind: it.Kind, Read: it.Read(), CreatedAt: it.CreatedAt, URL: it.URL(),
			TopicID: it.TopicID, PostID: it.PostID}
		if it.Actor != nil {
			n.Actor = &it.Actor.Username
		}
		out.Notifications = append(out.Notifications, n)
	}
	if next > 0 {
		cur := strconv.FormatInt(next, 10)
		out.NextCursor = &cur
	}
	return c.JSON(http.StatusOK, out)
}
