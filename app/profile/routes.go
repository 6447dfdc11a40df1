package profile

import (
	"github.com/labstack/echo/v4"

	"causerie/app/reputation"
	"causerie/app/web"
)

type handlers struct {
	svc *Service
	rep *reputation.Service
}

// Routes registers the profile pages and API. Each line says who may use
// it.
func Routes(s *web.Server, svc *Service, rep *reputation.Service, member echo.MiddlewareFunc) {
	h := &handlers{svc: svc, rep: rep}
	s.GET("/u/:username", h.show)                       // anyone; activity filtered by what they may read
	s.POST("/u/:username/trust", h.trustUpdate, member) // staff (the service asks the authorizer)
	s.GET("/account/profile", h.editShow, member)       // the member, for their own profile
	s.POST("/account/profile", h.editUpdate, member)    // the member, for their own profile
	s.GET("/api/v1/users/:username", h.apiShow)         // anyone
}
