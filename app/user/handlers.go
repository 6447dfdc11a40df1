package user

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"causerie/app/errs"
	"causerie/app/web"
)

var errUnauthorized = errs.New(errs.Unauthorized, "error.login_required", nil)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func (h *handlers) setupShow(c echo.Context) error {
	needed, err := h.svc.SetupNeeded(c.Request().Context())
	if err != nil {
		return err
	}
	if !needed {
		return errs.New(errs.NotFound, "setup.done", nil)
	}
	return web.Render(c, http.StatusOK, "user/setup", web.Form{Values: Setup{}, Extra: h.svc.cfg.Accounts.MinPasswordLength})
}

func (h *handlers) setupCreate(c echo.Context) error {
	var in Setup
	if err := c.Bind(&in); err != nil {
		return err
	}
	in.Language, in.IP = web.Language(c), c.RealIP()
	u, err := h.svc.CompleteSetup(c.Request().Context(), in)
	if err != nil {
		in.Password, in.Code = "", ""
		return web.RenderForm(c, "user/setup", in, h.svc.cfg.Accounts.MinPasswordLength, err)
	}
	if err := web.LogIn(c, u.ID); err != nil {
		return err
	}
	return web.Redirect(c, "/", "flash.setup_done")
}

func (h *handlers) registerShow(c echo.Context) error {
	if web.Viewer(c).LoggedIn() {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	return web.Render(c, http.StatusOK, "user/register", web.Form{Values: Registration{Shown: h.svc.trap.Stamp()}, Extra: h.svc.cfg.Accounts.MinPasswordLength})
}

func (h *handlers) registerCreate(c echo.Context) error {
	var in Registration
	if err := c.Bind(&in); err != nil {
		return err
	}
	in.Language, in.IP = web.Language(c), c.RealIP()
	if err := h.svc.trap.Check(in.Homepage, in.Shown); err != nil {
		in.Password, in.Homepage, in.Shown = "", "", h.svc.trap.Stamp()
		return web.RenderForm(c, "user/register", in, h.svc.cfg.Accounts.MinPasswordLength, err)
	}
	u, err := h.svc.Register(c.Request().Context(), in)
	if err != nil {
		in.Password = ""
		return web.RenderForm(c, "user/register", in, h.svc.cfg.Accounts.MinPasswordLength, err)
	}
	if u.Confirmed() {
		if h.svc.mayLogIn(c.Request().Context(), u) != nil { // the team approves new accounts first
			return web.Render(c, http.StatusOK, "user/awaiting_approval", nil)
		}
		if err := web.LogIn(c, u.ID); err != nil {
			return err
		}
		return web.Redirect(c, "/", "flash.welcome")
	}
	return web.Render(c, http.StatusOK, "user/check_mail", map[string]string{"Email": u.Email, "Kind": "confirm"})
}

func (h *handlers) confirm(c echo.Context) error {
	u, err := h.svc.Confirm(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	if h.svc.mayLogIn(c.Request().Context(), u) != nil { // confirmed, and waiting for the team's approval
		return web.Render(c, http.StatusOK, "user/awaiting_approval", nil)
	}
	if err := web.LogIn(c, u.ID); err != nil {
		return err
	}
	return web.Redirect(c, "/", "flash.confirmed")
}

type emailForm struct {
	Email string `form:"email"`
}

func (h *handlers) resendShow(c echo.Context) error {
	return web.Render(c, http.StatusOK, "user/resend", web.Form{Values: emailForm{}})
}

func (h *handlers) resendCreate(c echo.Context) error {
	var in emailForm
	if err := c.Bind(&in); err != nil {
		return err
	}
	if err := h.svc.ResendConfirmation(c.Request().Context(), in.Email, c.RealIP()); err != nil {
		return web.RenderForm(c, "user/resend", in, nil, err)
	}
	return web.Render(c, http.StatusOK, "user/check_mail", map[string]string{"Email": NormalizeEmail(in.Email), "Kind": "confirm"})
}

type loginForm struct {
	Credentials
	Next string `form:"next"`
}

func (h *handlers) loginShow(c echo.Context) error {
	if web.Viewer(c).LoggedIn() {
		return c.Redirect(http.StatusSeeOther, web.SafeNext(c.QueryParam("next"), "/"))
	}
	return web.Render(c, http.StatusOK, "user/login", web.Form{Values: loginForm{Next: web.SafeNext(c.QueryParam("next"), "")}})
}

func (h *handlers) loginCreate(c echo.Context) error {
	var in loginForm
	if err := c.Bind(&in); err != nil {
		return err
	}
	in.IP = c.RealIP()
	u, err := h.svc.Login(c.Request().Context(), in.Credentials)
	if err != nil {
		in.Password = ""
		return web.RenderForm(c, "user/login", in, nil, err)
	}
	if err := web.LogIn(c, u.ID); err != nil {
		return err
	}
	return web.Redirect(c, web.SafeNext(in.Next, "/"), "flash.logged_in")
}

func (h *handlers) logout(c echo.Context) error {
	if err := web.LogOut(c); err != nil {
		return err
	}
	return web.Redirect(c, "/", "flash.logged_out")
}

func (h *handlers) forgotShow(c echo.Context) error {
	return web.Render(c, http.StatusOK, "user/forgot", web.Form{Values: emailForm{}})
}

func (h *handlers) forgotCreate(c echo.Context) error {
	var in emailForm
	if err := c.Bind(&in); err != nil {
		return err
	}
	if err := h.svc.RequestReset(c.Request().Context(), in.Email, c.RealIP()); err != nil {
		return web.RenderForm(c, "user/forgot", in, nil, err)
	}
	return web.Render(c, http.StatusOK, "user/check_mail", map[string]string{"Email": NormalizeEmail(in.Email), "Kind": "reset"})
}

type resetForm struct {
	Password string `form:"password"`
	Token    string `form:"-"`
}

func (h *handlers) resetShow(c echo.Context) error {
	if err := h.svc.CheckResetLink(c.Request().Context(), c.Param("token")); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "user/reset", web.Form{Values: resetForm{Token: c.Param("token")}, Extra: h.svc.cfg.Accounts.MinPasswordLength})
}

func (h *handlers) resetCreate(c echo.Context) error {
	var in resetForm
	if err := c.Bind(&in); err != nil {
		return err
	}
	in.Token = c.Param("token")
	u, err := h.svc.ResetPassword(c.Request().Context(), in.Token, in.Password)
	if err != nil {
		in.Password = ""
		return web.RenderForm(c, "user/reset", in, h.svc.cfg.Accounts.MinPasswordLength, err)
	}
	if err := web.LogIn(c, u.ID); err != nil {
		return err
	}
	return web.Redirect(c, "/", "flash.password_reset")
}

// accountPage is the settings page: one page, several small forms, each
// with its own errors.
type accountPage struct {
	User      *User
	Languages []string
	MinLen    int
	Form      string // which form the errors belong to
}

func (h *handlers) account(c echo.Context, form string) (*accountPage, error) {
	u, err := h.svc.store.Get(c.Request().Context(), web.Viewer(c).ID)
	if err != nil {
		return nil, err
	}
	return &accountPage{User: u, Languages: []string{"en", "fr"}, MinLen: h.svc.cfg.Accounts.MinPasswordLength, Form: form}, nil
}

func (h *handlers) accountShow(c echo.Context) error {
	p, err := h.account(c, "")
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "user/account", web.Form{Extra: p})
}

type emailChangeForm struct {
	Email    string `form:"email"`
	Password string `form:"password"`
}

func (h *handlers) emailCreate(c echo.Context) error {
	var in emailChangeForm
	if err := c.Bind(&in); err != nil {
		return err
	}
	if err := h.svc.RequestEmailChange(c.Request().Context(), web.Viewer(c), in.Email, in.Password); err != nil {
		return h.accountError(c, "email", emailChangeForm{Email: in.Email}, err)
	}
	return web.Render(c, http.StatusOK, "user/check_mail", map[string]string{"Email": NormalizeEmail(in.Email), "Kind": "email"})
}

func (h *handlers) accountError(c echo.Context, form string, values any, err error) error {
	p, perr := h.account(c, form)
	if perr != nil {
		return perr
	}
	return web.RenderForm(c, "user/account", values, p, err)
}

func (h *handlers) emailConfirm(c echo.Context) error {
	if _, err := h.svc.ConfirmEmailChange(c.Request().Context(), c.Param("token")); err != nil {
		return err
	}
	return web.Redirect(c, "/account", "flash.email_changed")
}

type passwordForm struct {
	Current string `form:"current_password"`
	New     string `form:"new_password"`
}

func (h *handlers) passwordUpdate(c echo.Context) error {
	var in passwordForm
	if err := c.Bind(&in); err != nil {
		return err
	}
	if err := h.svc.ChangePassword(c.Request().Context(), web.Viewer(c), in.Current, in.New); err != nil {
		return h.accountError(c, "password", passwordForm{}, err)
	}
	return web.Redirect(c, "/account", "flash.password_changed")
}

func (h *handlers) logoutEverywhere(c echo.Context) error {
	if err := h.svc.LogOutEverywhere(c.Request().Context(), web.Viewer(c)); err != nil {
		return err
	}
	if err := web.LogOut(c); err != nil {
		return err
	}
	return web.Redirect(c, "/login", "flash.logged_out_everywhere")
}

type languageForm struct {
	Lang string `form:"lang" json:"lang"`
	Next string `form:"next" json:"next"`
}

func (h *handlers) languageUpdate(c echo.Context) error {
	var in languageForm
	if err := c.Bind(&in); err != nil {
		return err
	}
	if !web.SupportedLanguage(c, in.Lang) {
		return errs.Fields{"lang": "validation.language"}
	}
	if v := web.Viewer(c); v.LoggedIn() {
		if err := h.svc.SetLanguage(c.Request().Context(), v, in.Lang); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: "lang", Value: in.Lang, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, Secure: h.svc.cfg.Server.Secure(), SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusSeeOther, web.SafeNext(in.Next, "/"))
}

// Me is the current member as the API shows them.
type Me struct {
	ID             int64     `json:"id"`
	Username       string    `json:"username"`
	Email          string    `json:"email"`
	Role           string    `json:"role"`
	Language       string    `json:"language"`
	EmailConfirmed bool      `json:"email_confirmed"`
	CreatedAt      time.Time `json:"created_at"`
}

func (h *handlers) apiMe(c echo.Context) error {
	u, err := h.svc.store.Get(c.Request().Context(), web.Viewer(c).ID)
	if errors.Is(err, errs.NotFound) {
		return errUnauthorized
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, Me{ID: u.ID, Username: u.Username, Email: u.Email, Role: string(u.Role),
		Language: h.svc.lang(u), EmailConfirmed: u.Confirmed(), CreatedAt: u.CreatedAt})
}

// MinPasswordLength lets the password hint say how long a password must be.
func (p *accountPage) MinPasswordLength() int { return p.MinLen }

func (h *handlers) themeUpdate(c echo.Context) error {
	if err := h.svc.SetTheme(c.Request().Context(), web.Viewer(c), c.FormValue("theme")); err != nil {
		return err
	}
	return web.Redirect(c, "/account", "flash.theme_saved")
}
