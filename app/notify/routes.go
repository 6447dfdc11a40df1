package notify

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"causerie/app/errs"
	"causerie/app/web"
)

type handlers struct{ svc *Service }

// Routes registers the notification pages, forms and API. Each line says
// who may use it; the service checks reading rights for the rest.
func Routes(s *web.Server, svc *Service, member echo.MiddlewareFunc) {
	h := &handlers{svc: svc}
	s.GET("/notifications", h.listShow, member)                 // members: their own
	s.POST("/notifications/read", h.readAll, member)            // members: their own
	s.GET("/notifications/:id", h.open, member)                 // members: their own
	s.POST("/t/:id/watch", h.watchTopic, member)                // readers of the topic
	s.POST("/c/:slug/watch", h.watchCategory, member)           // readers of the category
	s.POST("/account/notifications", h.frequencyUpdate, member) // members
	s.GET("/unsubscribe", h.unsubscribe)                        // whoever holds the signed link
	s.POST("/unsubscribe", h.unsubscribe)                       // mail programs (RFC 8058), with the signed link
	s.WithoutCSRF("/unsubscribe")                               // the signed link is the proof
	s.GET("/api/v1/notifications", h.apiList, member)           // members: their own
}

func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errs.New(errs.NotFound, "error.http_404", nil)
	}
	return id, nil
}

// cursorParam reads the ID a page of notifications starts below.
func cursorParam(c echo.Context, name string) (int64, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		return 0, errs.Fields{name: "validation.cursor"}
	}
	return id, nil
}
