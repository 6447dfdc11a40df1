package moderation

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"causerie/app/errs"
	"causerie/app/topic"
	"causerie/app/web"
)

type handlers struct {
	svc    *Service
	topics *topic.Service
}

// Routes registers the staff pages and API. Every route needs a logged-in
// member; the service asks the authorizer with the category of the post or
// topic (a junior moderator's action becomes a proposal).
func Routes(s *web.Server, svc *Service, topics *topic.Service, member echo.MiddlewareFunc) {
	h := &handlers{svc: svc, topics: topics}
	s.PartialInGo("moderation-post", writePostTools) // under every post of a topic page
	s.PartialInGo("moderation-topic", writeTopicTools)
	// Posts: PermHide (hide, restore, delete), PermEditPosts, PermOfficial, PermPurge.
	s.GET("/mod/posts/:id/hide", h.postForm(Hide), member)
	s.POST("/mod/posts/:id/hide", h.postSubmit(Hide), member)
	s.POST("/mod/posts/:id/restore", h.postSubmit(Restore), member)
	s.GET("/mod/posts/:id/delete", h.postForm(Delete), member)
	s.POST("/mod/posts/:id/delete", h.postSubmit(Delete), member)
	s.GET("/mod/posts/:id/edit", h.postForm(Edit), member)
	s.POST("/mod/posts/:id/edit", h.postSubmit(Edit), member)
	s.POST("/mod/posts/:id/official", h.postSubmit(Official), member)
	s.POST("/mod/posts/:id/unofficial", h.postSubmit(Unofficial), member)
	s.GET("/mod/posts/:id/purge", h.postForm(Purge), member)
	s.POST("/mod/posts/:id/purge", h.postSubmit(Purge), member)
	s.POST("/mod/posts/:id/review", h.reviewCreate, member) // the post's author
	// Topics: PermManage (close, open, move, merge, split, owner), PermPin, PermFeature.
	s.GET("/mod/t/:id", h.topicTools, member)
	for _, k := range []string{Close, Open, Pin, Unpin, Feature, Unfeature, Move, Merge, Split, Owner, PurgeTopic} {
		s.POST("/mod/t/:id/"+k, h.topicSubmit(k), member)
	}
	s.GET("/mod/t/:id/reply", h.cannedReply, member) // PermCanned: the composer with a saved reply
	// Canned responses: PermPolicy writes them, PermCanned reads them.
	s.GET("/mod/canned", h.cannedList, member)
	s.GET("/mod/canned/new", h.cannedNew, member)
	s.POST("/mod/canned", h.cannedCreate, member)
	s.GET("/mod/canned/:id/edit", h.cannedEdit, member)
	s.POST("/mod/canned/:id/edit", h.cannedUpdate, member)
	s.POST("/mod/canned/:id/delete", h.cannedDelete, member)

	s.POST("/api/v1/moderation/actions", h.apiAction, member) // any action, as JSON
	s.POST("/api/v1/posts/:id/hide", h.apiPost(Hide), member)
	s.POST("/api/v1/posts/:id/restore", h.apiPost(Restore), member)
	s.POST("/api/v1/posts/:id/delete", h.apiPost(Delete), member)
	s.POST("/api/v1/posts/:id/edit", h.apiPost(Edit), member)
	s.POST("/api/v1/posts/:id/official", h.apiPost(Official), member)
	s.DELETE("/api/v1/posts/:id/official", h.apiPost(Unofficial), member)
	s.POST("/api/v1/posts/:id/purge", h.apiPost(Purge), member)
	s.POST("/api/v1/posts/:id/review", h.apiReview, member)
	s.POST("/api/v1/topics/:id/close", h.apiTopic(Close), member)
	s.POST("/api/v1/topics/:id/open", h.apiTopic(Open), member)
	s.POST("/api/v1/topics/:id/pin", h.apiTopic(Pin), member)
	s.DELETE("/api/v1/topics/:id/pin", h.apiTopic(Unpin), member)
	s.POST("/api/v1/topics/:id/feature", h.apiTopic(Feature), member)
	s.DELETE("/api/v1/topics/:id/feature", h.apiTopic(Unfeature), member)
	s.POST("/api/v1/topics/:id/move", h.apiTopic(Move), member)
	s.POST("/api/v1/topics/:id/merge", h.apiTopic(Merge), member)
	s.POST("/api/v1/topics/:id/split", h.apiTopic(Split), member)
	s.POST("/api/v1/topics/:id/owner", h.apiTopic(Owner), member)
	s.POST("/api/v1/topics/:id/purge", h.apiTopic(PurgeTopic), member)
	s.GET("/api/v1/canned-responses", h.apiCannedList, member)
	s.POST("/api/v1/canned-responses", h.apiCannedCreate, member)
	s.PATCH("/api/v1/canned-responses/:id", h.apiCannedUpdate, member)
	s.DELETE("/api/v1/canned-responses/:id", h.apiCannedDelete, member)
}

func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errs.New(errs.NotFound, "error.http_404", nil)
	}
	return id, nil
}
