// Package testutil builds test environments on real components: a migrated
// SQLite database in a temporary folder, or a fresh PostgreSQL database when
// CAUSERIE_TEST_POSTGRES_URL is set; an in-process SMTP server; the real
// router behind an HTTP server; and a cookie-keeping client that fills in
// CSRF tokens like a browser's forms do.
package testutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the admin connection that creates test databases

	"causerie/app"
	"causerie/app/auth"
	"causerie/app/config"
	"causerie/app/user"
	"causerie/plugins"
)

// PostgresEnv names the variable holding a PostgreSQL server URL; when set,
// tests that call Each run on PostgreSQL too, and fail if it is unreachable.
const PostgresEnv = "CAUSERIE_TEST_POSTGRES_URL"

// Env is one test's forum: the application, its HTTP server and its mail.
type Env struct {
	App     *app.App
	Config  config.Config
	Mail    *Mail
	Server  *httptest.Server
	Dialect string
}

// Option changes the configuration before the app is built.
type Option func(*config.Config)

// Each runs fn once on SQLite and, when CAUSERIE_TEST_POSTGRES_URL is set,
// once more on PostgreSQL, as subtests named after the database.
func Each(t *testing.T, fn func(t *testing.T, env *Env), opts ...Option) {
	t.Run("sqlite", func(t *testing.T) { fn(t, NewOn(t, "sqlite", opts...)) })
	if os.Getenv(PostgresEnv) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, NewOn(t, "postgres", opts...)) })
	}
}

// New builds an environment on SQLite.
func New(t testing.TB, opts ...Option) *Env { return NewOn(t, "sqlite", opts...) }

// NewOn builds an environment on the named database ("sqlite" or
// "postgres"); everything it made is removed when the test ends.
func NewOn(t testing.TB, dialect string, opts ...Option) *Env {
	t.Helper()
	m := StartMail(t)
	cfg := config.Default()
	cfg.Data.Dir = t.TempDir()
	cfg.Server.Listen = "127.0.0.1:0"
	cfg.Mail.Host, cfg.Mail.TLS = "127.0.0.1", "none"
	cfg.Mail.Port = m.Port()
	cfg.Mail.From = "Causerie <noreply@example.test>"
	cfg.RateLimit = config.RateLimit{Login: "1000-1m", Register: "1000-1m", Reset: "1000-1m"}
	// A cheap hash keeps tests fast under -race; the real cost has its own test.
	cfg.Accounts.PasswordHash = "m=1024,t=1,p=1"
	// Newcomers' posts are published at once unless a test asks for the
	// review queue's holds (app/review's tests do).
	cfg.Review.HoldFirstPosts, cfg.Review.HoldNewLinks = 0, false
	// No anti-spam limits, duplicate check, spam score or fill time: tests post fast and alike; policy tests opt in.
	cfg.Antispam = config.Antispam{}
	if dialect == "postgres" {
		cfg.Database.URL = NewPostgres(t)
	}
	srv := httptest.NewUnstartedServer(nil)
	cfg.Server.BaseURL = "http://" + srv.Listener.Addr().String()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("test config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("CAUSERIE_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	a, err := app.New(context.Background(), cfg, log, plugins.All()...)
	if err != nil {
		t.Fatalf("build app on %s: %v", dialect, err)
	}
	srv.Config.Handler = a.Web
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		_ = a.Close()
	})
	return &Env{App: a, Config: cfg, Mail: m, Server: srv, Dialect: dialect}
}

// NewPostgres creates an empty database with a unique name on the server
// of CAUSERIE_TEST_POSTGRES_URL and drops it when the test ends. It fails
// the test when the server cannot be reached: a run that asked for
// PostgreSQL must not quietly skip it.
func NewPostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Fatalf("%s is not set", PostgresEnv)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		t.Fatalf("postgres at %s is unreachable: %v", PostgresEnv, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "causerie_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

// URL is the absolute address of path on the test server.
func (e *Env) URL(path string) string { return e.Server.URL + path }

// Ctx is a context for service calls in tests.
func Ctx() context.Context { return context.Background() }

// Member creates a confirmed account with password "correct horse battery",
// at trust level 1: a member who has taken part a little, so tests are not
// held by the limits on newcomers (Newcomer makes one of those).
func (e *Env) Member(t testing.TB, username string) *user.User {
	t.Helper()
	u := e.UserWithRole(t, username, "member")
	if err := e.App.DB.Model(&user.User{}).Where("id = ?", u.ID).Update("trust_level", 1).Error; err != nil {
		t.Fatalf("trust level of %s: %v", username, err)
	}
	u.TrustLevel = 1
	return u
}

// Newcomer creates a confirmed member at trust level 0, who meets the
// limits on new members.
func (e *Env) Newcomer(t testing.TB, username string) *user.User {
	return e.UserWithRole(t, username, "member")
}

// Password is the password of accounts made by Member and UserWithRole.
const Password = "correct horse battery"

// UserWithRole creates a confirmed account with a role.
func (e *Env) UserWithRole(t testing.TB, username, role string) *user.User {
	t.Helper()
	u, err := e.App.Users.CreateUser(Ctx(), user.NewUser{Username: username, Email: strings.ToLower(username) + "@example.test",
		Password: Password, Role: authRole(role)})
	if err != nil {
		t.Fatalf("create %s %s: %v", role, username, err)
	}
	return u
}

// Client is a browser-like HTTP client: it keeps cookies, does not follow
// redirects on its own (tests look at them), and sends the CSRF token with
// forms as the pages do.
type Client struct {
	env  *Env
	http *http.Client
	// Header is added to every request (Accept-Language, Authorization...).
	Header http.Header
}

// Client returns a new client with an empty cookie jar.
func (e *Env) Client() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{env: e, Header: http.Header{}, http: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Response is a finished response with its body read.
type Response struct {
	*http.Response
	Body string
}

// Do sends a request and reads the whole response.
func (c *Client) Do(t testing.TB, req *http.Request) *Response {
	t.Helper()
	for k, v := range c.Header {
		req.Header[k] = v
	}
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	CheckAPIResponse(t, req, res, b)
	return &Response{Response: res, Body: string(b)}
}

// Get fetches path.
func (c *Client) Get(t testing.TB, path string) *Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.env.URL(path), nil)
	return c.Do(t, req)
}

// CSRF is the token the forms of this client's pages carry (after it has
// fetched any page).
func (c *Client) CSRF() string {
	u, _ := url.Parse(c.env.Server.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "_csrf" {
			return ck.Value
		}
	}
	return ""
}

// Cookie returns the value of a cookie the client holds.
func (c *Client) Cookie(name string) string {
	u, _ := url.Parse(c.env.Server.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// Post submits a form the way a browser would: it first loads a page when
// it has no CSRF cookie yet, then sends the token with the form.
func (c *Client) Post(t testing.TB, path string, form url.Values) *Response {
	t.Helper()
	if c.CSRF() == "" {
		c.Get(t, "/login")
	}
	form = cloneValues(form)
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.CSRF())
	}
	return c.PostRaw(t, path, form)
}

// PostRaw submits a form exactly as given (no CSRF token added).
func (c *Client) PostRaw(t testing.TB, path string, form url.Values) *Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.env.URL(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(t, req)
}

// Login logs the client in as username with Password.
func (c *Client) Login(t testing.TB, username string) {
	t.Helper()
	res := c.Post(t, "/login", url.Values{"login": {username}, "password": {Password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d\n%s", username, res.StatusCode, res.Body)
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// Form is a shorthand for url.Values from "key", "value" pairs.
func Form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// Must fails the test on err.
func Must(t testing.TB, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}

func authRole(s string) auth.Role { r, _ := auth.ParseRole(s); return r }
