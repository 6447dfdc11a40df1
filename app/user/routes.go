package user

import (
	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

type handlers struct {
	svc *Service
	web *web.Server
}

// Routes registers the account pages and API. Each line says who may use it.
func Routes(s *web.Server, svc *Service) {
	h := &handlers{svc: svc, web: s}
	s.PartialInGo("avatar", writeAvatar) // beside every author of a topic page
	member := RequireLogin
	s.GET("/setup", h.setupShow)                    // anyone, while no administrator exists
	s.POST("/setup", h.setupCreate)                 // anyone with the setup code from the log
	s.GET("/register", h.registerShow)              // visitors
	s.POST("/register", h.registerCreate)           // visitors
	s.GET("/confirm/:token", h.confirm)             // whoever holds the link
	s.GET("/confirm", h.resendShow)                 // anyone
	s.POST("/confirm", h.resendCreate)              // anyone
	s.GET("/login", h.loginShow)                    // visitors
	s.POST("/login", h.loginCreate)                 // visitors
	s.POST("/logout", h.logout)                     // members
	s.GET("/password/forgot", h.forgotShow)         // anyone
	s.POST("/password/forgot", h.forgotCreate)      // anyone
	s.GET("/password/reset/:token", h.resetShow)    // whoever holds the link
	s.POST("/password/reset/:token", h.resetCreate) // whoever holds the link
	s.GET("/account", h.accountShow, member)        // members
	s.POST("/account/email", h.emailCreate, member) // members
	s.GET("/account/email/:token", h.emailConfirm)  // whoever holds the link
	s.POST("/account/password", h.passwordUpdate, member)
	s.POST("/account/logout-everywhere", h.logoutEverywhere, member)
	s.POST("/account/theme", h.themeUpdate, member)
	s.POST("/language", h.languageUpdate) // anyone: members keep it, visitors get a cookie
	s.GET("/api/v1/me", h.apiMe, member)  // members (session + CSRF, or bearer token)
}

// RequireLogin sends visitors to the login page (or answers 401 in the API).
func RequireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if web.Viewer(c).LoggedIn() {
			return next(c)
		}
		if web.IsAPI(c) {
			return errUnauthorized
		}
		return web.Redirect(c, "/login?next="+urlQueryEscape(c.Request().URL.RequestURI()), "flash.login_required")
	}
}
