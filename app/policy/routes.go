package policy

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

type handlers struct{ svc *Service }

// Routes registers the watched-words pages and API. Every route needs the
// policy permission (community leads and administrators); the service
// asks it.
func Routes(s *web.Server, svc *Service, member echo.MiddlewareFunc) {
	h := &handlers{svc: svc}
	s.GET("/admin/watched-words", h.wordsShow, member)              // policy holders
	s.POST("/admin/watched-words", h.wordCreate, member)            // policy holders
	s.POST("/admin/watched-words/try", h.wordsTry, member)          // policy holders
	s.GET("/admin/watched-words/:id/edit", h.wordEdit, member)      // policy holders
	s.POST("/admin/watched-words/:id", h.wordUpdate, member)        // policy holders
	s.POST("/admin/watched-words/:id/delete", h.wordDelete, member) // policy holders

	s.GET("/api/v1/watched-words", h.apiList, member)          // policy holders
	s.POST("/api/v1/watched-words", h.apiCreate, member)       // policy holders
	s.POST("/api/v1/watched-words/try", h.apiTry, member)      // policy holders
	s.GET("/api/v1/watched-words/:id", h.apiShow, member)      // policy holders
	s.PUT("/api/v1/watched-words/:id", h.apiUpdate, member)    // policy holders
	s.DELETE("/api/v1/watched-words/:id", h.apiDelete, member) // policy holders
}

func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, ErrNotFound
	}
	return id, nil
}
