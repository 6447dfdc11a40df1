package review

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"causerie/app/errs"
	"causerie/app/web"
)

type handlers struct{ svc *Service }

// Routes registers the queue's pages and API. Each line says who may use
// it; the service asks the authorizer for the rest (the item's category,
// scoped moderators, junior moderators who propose).
func Routes(s *web.Server, svc *Service, member echo.MiddlewareFunc) {
	h := &handlers{svc: svc}
	s.PartialInGo("review-post", writePostFlag) // under every post of a topic page
	s.PartialInGo("review-nav", writeNav)
	// Flags: members from trust level 1, on what they can read.
	s.GET("/posts/:id/flag", h.flagPostShow, member)
	s.POST("/posts/:id/flag", h.flagPostCreate, member)
	s.GET("/u/:username/flag", h.flagUserShow, member)
	s.POST("/u/:username/flag", h.flagUserCreate, member)
	// The queue: reviewers, junior moderators (who propose), those who
	// approve registrations; scoped moderators see their categories.
	s.GET("/review", h.queueShow, member)
	s.GET("/review/:id", h.itemShow, member)
	s.POST("/review/:id/decision", h.decisionCreate, member)
	s.POST("/review/:id/assign", h.assignCreate, member) // claim: anyone who sees it; others: PermAssign
	s.POST("/review/bulk", h.bulkCreate, member)
	// Categories that hold every new post: PermPolicy.
	s.GET("/review/categories", h.categoriesShow, member)
	s.POST("/review/categories", h.categoriesUpdate, member)

	s.POST("/api/v1/posts/:id/flags", h.apiFlagPost, member)
	s.POST("/api/v1/users/:username/flags", h.apiFlagUser, member)
	s.GET("/api/v1/review", h.apiList, member)
	s.POST("/api/v1/review/:id/decision", h.apiDecide, member)
}

func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errs.New(errs.NotFound, "error.http_404", nil)
	}
	return id, nil
}
