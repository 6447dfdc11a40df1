package topic

import (
	"github.com/labstack/echo/v4"

	"causerie/app/category"
	"causerie/app/web"
)

type handlers struct {
	svc  *Service
	cats *category.Service
	// shared keeps what every reader of a topic page sees alike, dropped
	// when the visitors' pages of the topic are (shared.go): the 256 pages
	// read last, some tens of KB each with their posts' text.
	shared *sharedPages
}

// Routes registers the topic pages and API. Each line says who may use it;
// the service asks the authorizer for the rest (a category's readers, a
// post's author, staff).
func Routes(s *web.Server, svc *Service, cats *category.Service, member echo.MiddlewareFunc) {
	h := &handlers{svc: svc, cats: cats, shared: newSharedPages(s.Cache, sharedInMemory)}
	s.PageInGo("topic/show", topicPage) // the busiest page, see page_html.go

	cached := s.Cache.Cached // pages as visitors see them, kept until something changes
	// Lists: anyone, showing what they may read.
	s.GET("/", h.latest, cached)
	s.GET("/latest", h.latest, cached)
	s.GET("/top", h.top, cached)
	s.GET("/unanswered", h.unanswered, cached)
	s.GET("/c/:slug", h.categoryShow, cached)
	s.GET("/tag/:name", h.tagShow, cached)
	// Topics: readers of the category.
	s.GET("/t/:slug/:id", h.topicShow, h.countView, cached)
	s.GET("/t/:slug/:id/:number", h.topicShow, h.countView, cached)
	s.GET("/p/:id", h.postLocate)
	s.GET("/posts/:id/history", h.history)
	// Writing: members the category allows; the author or staff for edits.
	s.GET("/new", h.newShow, member)
	s.POST("/new", h.newCreate, member)
	s.POST("/t/:id/reply", h.replyCreate, member)
	s.GET("/posts/:id/edit", h.editShow, member)
	s.POST("/posts/:id/edit", h.editUpdate, member)
	s.POST("/posts/:id/delete", h.deleteCreate, member)
	s.POST("/posts/:id/restore", h.restoreCreate, member) // staff
	s.POST("/posts/:id/react", h.reactCreate, member)
	s.POST("/posts/:id/bookmark", h.bookmarkCreate, member)
	s.POST("/t/:id/accept", h.acceptCreate, member) // the asker or staff
	s.POST("/preview", h.preview, member)
	s.POST("/drafts", h.draftSave, member)
	s.GET("/similar", h.similar) // anyone: titles they may read

	s.GET("/api/v1/topics", h.apiList)
	s.POST("/api/v1/topics", h.apiCreate, member)
	s.GET("/api/v1/topics/:id", h.apiShow)
	s.POST("/api/v1/topics/:id/posts", h.apiReply, member)
	s.POST("/api/v1/topics/:id/accept", h.apiAccept, member)
	s.PATCH("/api/v1/posts/:id", h.apiEdit, member)
	s.POST("/api/v1/posts/:id/reactions", h.apiReact, member)
	s.DELETE("/api/v1/posts/:id/reactions", h.apiUnreact, member)
}

// sharedInMemory is how many pages' shared part (shared.go) are kept
// decoded in memory; many more are kept as bytes beside the visitors'
// pages. A decoded page of 20 posts weighs some 65 KB in the heap, and the
// collector lets the heap grow by as much again as it keeps: 16 pages, a
// forum's busiest, where 64 were some 4 MB (a heap profile taken while
// posting) and 256 some 16. Members reading topics at random hit none of
// them either way; a page not among them is decoded from its bytes.
var sharedInMemory = 16
