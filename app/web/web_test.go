package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"causerie/app/config"
	"causerie/app/testutil"
	"causerie/app/web"
)

func TestSecurityHeaders(t *testing.T) {
	env := testutil.New(t)
	c := env.Client()
	a := c.Get(t, "/login")
	b := c.Get(t, "/login")
	csp := a.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self' 'nonce-", "object-src 'none'", "frame-ancestors 'self'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows unsafe-inline: %q", csp)
	}
	nonce := regexp.MustCompile(`'nonce-([^']+)'`)
	na, nb := nonce.FindStringSubmatch(csp), nonce.FindStringSubmatch(b.Header.Get("Content-Security-Policy"))
	if na == nil || nb == nil || na[1] == nb[1] {
		t.Errorf("the nonce must change with every response: %v %v", na, nb)
	}
	if !strings.Contains(a.Body, `nonce="`+na[1]+`"`) {
		t.Errorf("the page's script does not carry the response's nonce")
	}
	// Every script tag carries the nonce.
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(a.Body, -1) {
		if !strings.Contains(tag, "nonce=") {
			t.Errorf("script without nonce: %s", tag)
		}
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"} {
		if got := a.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if a.Header.Get("X-Request-Id") == "" {
		t.Error("no request ID")
	}
}

func TestFrameAncestorsFromConfig(t *testing.T) {
	env := testutil.New(t, func(c *config.Config) { c.Server.FrameAncestors = "'self' https://www.example.com" })
	res := env.Client().Get(t, "/login")
	if !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'self' https://www.example.com") {
		t.Errorf("CSP: %s", res.Header.Get("Content-Security-Policy"))
	}
}

// A form posted without the CSRF token, or with a wrong one, is refused
// with a message that says what to do; the same form with the token works.
func TestCSRF(t *testing.T) {
	env := testutil.New(t)
	env.Member(t, "bruno")
	c := env.Client()
	c.Get(t, "/login")
	form := testutil.Form("login", "bruno", "password", testutil.Password)
	if res := c.PostRaw(t, "/login", form); res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "This form has expired") {
		t.Errorf("no token: %d\n%s", res.StatusCode, res.Body)
	}
	form.Set("_csrf", "forged")
	if res := c.PostRaw(t, "/login", form); res.StatusCode != http.StatusForbidden {
		t.Errorf("wrong token: %d", res.StatusCode)
	}
	// Another visitor's token does not work with this visitor's cookie.
	other := env.Client()
	other.Get(t, "/login")
	form.Set("_csrf", other.CSRF())
	if res := c.PostRaw(t, "/login", form); res.StatusCode != http.StatusForbidden {
		t.Errorf("someone else's token: %d", res.StatusCode)
	}
	form.Set("_csrf", c.CSRF())
	if res := c.PostRaw(t, "/login", form); res.StatusCode != http.StatusSeeOther {
		t.Errorf("right token: %d", res.StatusCode)
	}
	// Logged in, state-changing requests still need it.
	if res := c.PostRaw(t, "/account/logout-everywhere", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("logged-in post without token: %d", res.StatusCode)
	}
}

func TestErrorPagesInTheReadersLanguage(t *testing.T) {
	env := testutil.New(t)
	c := env.Client()
	res := c.Get(t, "/no/such/page")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, "Page not found") || !strings.Contains(res.Body, `<html lang="en">`) {
		t.Errorf("404 in English: %d\n%s", res.StatusCode, res.Body)
	}
	c.Header.Set("Accept-Language", "fr-CA,fr;q=0.9,en;q=0.5")
	res = c.Get(t, "/no/such/page")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, "Page introuvable") || !strings.Contains(res.Body, `<html lang="fr">`) {
		t.Errorf("404 in French: %d\n%s", res.StatusCode, res.Body)
	}
	api := c.Get(t, "/api/v1/nothing-here")
	if api.StatusCode != http.StatusNotFound || !strings.HasPrefix(api.Header.Get("Content-Type"), "application/json") ||
		!strings.Contains(api.Body, `"code":"not_found"`) || !strings.Contains(api.Body, "introuvable") && !strings.Contains(api.Body, "trouvé") {
		t.Errorf("API 404: %d %s\n%s", api.StatusCode, api.Header.Get("Content-Type"), api.Body)
	}
}

func TestLanguageSwitch(t *testing.T) {
	env := testutil.New(t)
	c := env.Client()
	c.Header.Set("Accept-Language", "en-US")
	res := c.Post(t, "/language", testutil.Form("lang", "fr", "next", "/login"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("switch: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res = c.Get(t, "/login"); !strings.Contains(res.Body, "Se connecter") || res.Header.Get("Content-Language") != "fr" {
		t.Errorf("after switching to French the page is not in French")
	}
	// An outside address in next is not followed.
	res = c.Post(t, "/language", testutil.Form("lang", "en", "next", "//evil.example/"))
	if loc := res.Header.Get("Location"); loc != "/" {
		t.Errorf("next=//evil.example/ redirected to %q", loc)
	}
	if res = c.Post(t, "/language", testutil.Form("lang", "xx")); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown language: %d", res.StatusCode)
	}
}

func TestStaticAssetsAreHashedAndCached(t *testing.T) {
	env := testutil.New(t)
	c := env.Client()
	page := c.Get(t, "/login")
	m := regexp.MustCompile(`href="(/static/[0-9a-f]{12}/css/main\.css)"`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no hashed stylesheet link in the page")
	}
	css := c.Get(t, m[1])
	if css.StatusCode != 200 || !strings.Contains(css.Header.Get("Cache-Control"), "immutable") || !strings.Contains(css.Body, "prefers-color-scheme: dark") {
		t.Errorf("stylesheet: %d %q", css.StatusCode, css.Header.Get("Cache-Control"))
	}
	stale := c.Get(t, "/static/000000000000/css/main.css")
	if stale.StatusCode != 200 || strings.Contains(stale.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("an old hash must be served but not cached for long: %d %q", stale.StatusCode, stale.Header.Get("Cache-Control"))
	}
	if res := c.Get(t, "/static/x/../../config.toml"); res.StatusCode != http.StatusNotFound {
		t.Errorf("path escape: %d", res.StatusCode)
	}
}

func TestProbesAndMetrics(t *testing.T) {
	env := testutil.New(t)
	c := env.Client()
	if res := c.Get(t, "/healthz"); res.StatusCode != 200 || !strings.Contains(res.Body, `"ok"`) {
		t.Errorf("healthz: %d %s", res.StatusCode, res.Body)
	}
	if res := c.Get(t, "/readyz"); res.StatusCode != 200 || !strings.Contains(res.Body, `"database":"ok"`) {
		t.Errorf("readyz: %d %s", res.StatusCode, res.Body)
	}
	c.Get(t, "/login")
	c.Get(t, "/missing")
	res := c.Get(t, "/metrics")
	for _, want := range []string{
		`causerie_http_requests_total{method="GET",route="/login",status="200"}`,
		`causerie_http_requests_total{method="GET",route="unmatched",status="404"}`,
		`causerie_http_request_duration_seconds_bucket{method="GET",route="/login"`,
		`go_sql_max_open_connections{db_name="causerie"}`,
		`go_sql_max_open_connections{db_name="causerie_jobs"}`, // the job workers' own pool
		`go_goroutines`,
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// Once the database is gone, readyz says so and healthz does not.
	env.App.DB.Close()
	if res := c.Get(t, "/readyz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database closed: %d", res.StatusCode)
	}
	if res := c.Get(t, "/healthz"); res.StatusCode != 200 {
		t.Errorf("healthz with the database closed: %d", res.StatusCode)
	}
}

func TestGzip(t *testing.T) {
	env := testutil.New(t)
	req, _ := http.NewRequest("GET", env.URL("/login"), nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("pages are not compressed")
	}
}

// A handler that panics answers with the themed 500 page, in the reader's
// language, and shows nothing of the cause.
func TestPanicRecovery(t *testing.T) {
	env := testutil.New(t)
	env.App.Web.GET("/test-panic", func(echo.Context) error { panic("secret internals") })
	c := env.Client()
	c.Header.Set("Accept-Language", "fr")
	res := c.Get(t, "/test-panic")
	if res.StatusCode != http.StatusInternalServerError || !strings.Contains(res.Body, "Un problème est survenu") || strings.Contains(res.Body, "secret internals") {
		t.Errorf("panic: %d\n%s", res.StatusCode, res.Body)
	}
	// The server keeps serving.
	if res := c.Get(t, "/healthz"); res.StatusCode != 200 {
		t.Errorf("after a panic: %d", res.StatusCode)
	}
}

// Cookies are HttpOnly and SameSite=Lax, and Secure when the forum is
// served over https.
func TestCookieFlags(t *testing.T) {
	for _, https := range []bool{false, true} {
		env := testutil.New(t, func(c *config.Config) {
			if https {
				c.Server.BaseURL = "https://forum.example.test"
			}
		})
		env.Member(t, "olga")
		c := env.Client()
		c.Get(t, "/login")
		req, _ := http.NewRequest(http.MethodPost, env.URL("/login"), strings.NewReader(testutil.Form("login", "olga", "password", testutil.Password, "_csrf", c.CSRF()).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res := c.Do(t, req)
		var session *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == "causerie_session" {
				session = ck
			}
		}
		if session == nil {
			t.Fatalf("https=%v: no session cookie", https)
		}
		if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure != https {
			t.Errorf("https=%v: session cookie HttpOnly=%v SameSite=%v Secure=%v", https, session.HttpOnly, session.SameSite, session.Secure)
		}
		if https && res.Header.Get("Strict-Transport-Security") == "" {
			t.Errorf("no HSTS over https")
		}
	}
}

// A forged or stale session cookie is ignored: the visitor is anonymous.
func TestForgedSessionCookie(t *testing.T) {
	env := testutil.New(t)
	env.Member(t, "pia")
	req, _ := http.NewRequest(http.MethodGet, env.URL("/account"), nil)
	req.AddCookie(&http.Cookie{Name: "causerie_session", Value: "MTcwMDAwMDAwMHxmb3JnZWR8"})
	if res := env.Client().Do(t, req); res.StatusCode != http.StatusSeeOther {
		t.Errorf("forged cookie: %d", res.StatusCode)
	}
}

// A request whose client went away is not a server failure: no 500 (and
// no error in the log), 499 for the metrics.
func TestClientGone(t *testing.T) {
	env := testutil.New(t)
	env.App.Web.GET("/test-slow", func(c echo.Context) error {
		<-c.Request().Context().Done()
		return fmt.Errorf("load the page: %w", c.Request().Context().Err())
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest(http.MethodGet, "/test-slow", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	env.App.Web.ServeHTTP(rec, req)
	if rec.Code != web.StatusClientClosed {
		t.Errorf("status %d, want %d", rec.Code, web.StatusClientClosed)
	}
}
