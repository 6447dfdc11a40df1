// Package app wires Causerie together with plain constructor calls: the
// database, the services of each domain, the web server and its routes.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"causerie/app/category"
	"causerie/app/config"
	"causerie/app/db"
	"causerie/app/event"
	"causerie/app/i18n"
	"causerie/app/jobs"
	"causerie/app/mail"
	"causerie/app/markup"
	"causerie/app/moderation"
	"causerie/app/notify"
	"causerie/app/plugin"
	"causerie/app/policy"
	"causerie/app/policy/trap"
	"causerie/app/profile"
	"causerie/app/reputation"
	"causerie/app/review"
	"causerie/app/search"
	"causerie/app/site"
	"causerie/app/staff"
	"causerie/app/topic"
	"causerie/app/upload"
	"causerie/app/user"
	"causerie/app/web"
	"causerie/locales"
	"causerie/themes"
)

// App is a running Causerie.
type App struct {
	Config config.Config
	Log    *slog.Logger
	DB     *db.DB
	Users  *user.Service
	Web    *web.Server
	Mail   *mail.Mailer
	Bundle *i18n.Bundle
	Jobs   *jobs.Queue
	Events *event.Bus

	Render     *markup.Renderer
	Categories *category.Service
	Topics     *topic.Service
	Uploads    *upload.Service
	Notify     *notify.Service
	Reputation *reputation.Service
	Staff      *staff.Service
	Moderation *moderation.Service
	Search     *search.Service
	Policy     *policy.Service
	Review     *review.Service
}

// New prepares the data folder, opens and migrates the database and builds
// every service and route. Nothing listens yet: Run does that.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, plugins ...plugin.Plugin) (*App, error) {
	if cfg.Server.PprofListen != "" && runtime.MemProfileRate == 0 {
		runtime.MemProfileRate = heapSampleBytes // cmd/causerie turned it off
	}
	if err := PrepareDataDir(cfg.Data.Dir); err != nil {
		return nil, err
	}
	secret, err := loadSecret(cfg)
	if err != nil {
		return nil, err
	}
	database, err := db.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a, err := build(ctx, cfg, log, database, secret, plugins)
	if err != nil {
		database.Close()
		return nil, err
	}
	return a, nil
}

func build(ctx context.Context, cfg config.Config, log *slog.Logger, database *db.DB, secret []byte, plugins []plugin.Plugin) (*App, error) {
	if err := database.Migrate(ctx, log); err != nil {
		return nil, err
	}
	bundle, err := i18n.Load(locales.FS)
	if err != nil {
		return nil, err
	}
	theme, err := Theme(cfg)
	if err != nil {
		return nil, err
	}
	mailer, err := mail.New(cfg, theme, bundle, log)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(database.SQL(), "causerie"))
	if bg := database.BackgroundSQL(); bg != nil { // the job workers' connections
		reg.MustRegister(collectors.NewDBStatsCollector(bg, "causerie_jobs"))
	}
	queue := jobs.New(database, log, jobs.Options{})
	events := event.NewBus(queue)
	sessions := web.NewSessionStore(database.DB, secret, cfg.Accounts.SessionLifetime.Duration, cfg.Server.Secure())
	users := user.NewService(database.DB, cfg, mailer, sessions, user.NewLimits(cfg.RateLimit), log)
	storage, err := upload.NewFS(filepath.Join(cfg.Data.Dir, "uploads"))
	if err != nil {
		return nil, err
	}
	uploads := upload.NewService(database.DB, storage, cfg.Uploads)
	render := markup.New(markup.Options{BaseURL: cfg.Server.BaseURL})
	cats := category.NewService(database.DB)
	cats.UseRoles(users.RoleNames)
	team := staff.NewService(database.DB, users, cats)
	team.UseEvents(events)
	topics := topic.NewService(database.DB, cats, render, cfg, events)
	topics.GroupWrites(database.Group())
	finder := search.NewService(ctx, database.DB, cats, search.IndexDir(cfg.Data.Dir), log)
	finder.Subscribe(events)
	topics.UseSimilar(finder)
	topics.UseWatchBranches(notify.WatchBranches)
	policies := policy.NewService(database.DB, cfg)
	users.UseTrap(trap.New(secret, cfg.Antispam.RegisterMinTime.Duration))
	notices := notify.NewService(database.DB, cfg, cats, topics, mailer, bundle, secret, log)
	topics.UseUnreadBranch(notices.UnreadBranch)
	notices.Wire(events, queue)
	reps := reputation.NewService(database.DB, cfg, events, log)
	reps.Subscribe(events, queue)
	srv, err := web.New(web.Deps{Config: cfg, Log: log, Bundle: bundle, Theme: theme, Sessions: sessions,
		Accounts: users, Registry: reg, Secret: secret, Notices: notices})
	if err != nil {
		return nil, err
	}
	site.Routes(srv, reg, database.Ping, users)
	user.Routes(srv, users)
	upload.Routes(srv, uploads, user.RequireLogin)
	category.Routes(srv, cats, user.RequireLogin)
	topic.Routes(srv, topics, cats, user.RequireLogin)
	mods := moderation.NewService(database.DB, cats, render, cfg, events)
	mods.SetLanguages(bundle.Languages())
	moderation.Routes(srv, mods, topics, user.RequireLogin)
	policy.Routes(srv, policies, user.RequireLogin)
	reviews := review.NewService(database.DB, cfg, cats, topics, events, queue, mailer, log)
	review.Wire(reviews, topics, users, mods, policies)
	reviews.Subscribe(events)
	review.Routes(srv, reviews, user.RequireLogin)
	// Visitors' pages drop what moderation changed, also when a job changed it.
	event.Subscribe(events, "pagecache", func(_ context.Context, e event.ContentChanged) error {
		srv.Cache.Invalidate(web.TopicTag(e.TopicID), web.TagLists)
		return nil
	})
	event.Subscribe(events, "pagecache", func(_ context.Context, e event.TopicRemoved) error {
		srv.Cache.Invalidate(web.TopicTag(e.TopicID), web.TopicTag(e.IntoTopicID), web.TagLists)
		return nil
	})
	event.Subscribe(events, "pagecache", func(_ context.Context, e event.PostPurged) error {
		srv.Cache.Invalidate(web.TopicTag(e.TopicID), web.TagLists)
		return nil
	})
	notify.Routes(srv, notices, user.RequireLogin)
	reputation.Routes(srv, reps)
	profile.Routes(srv, profile.NewService(database.DB, cats, reps, render), reps, user.RequireLogin)
	staff.Routes(srv, team, users, user.RequireLogin)
	srv.Use(reps.TrackVisits) // after authentication: records members' visits and last seen
	for _, p := range plugins {
		if err := p.Setup(&host{name: p.Info().Name, e: srv.Echo, log: log}); err != nil {
			return nil, fmt.Errorf("plugin %s: %w", p.Info().Name, err)
		}
	}
	search.Routes(srv, finder)
	return &App{Staff: team, Moderation: mods, Search: finder, Config: cfg, Log: log, DB: database, Users: users, Web: srv, Mail: mailer, Bundle: bundle,
		Render: render, Categories: cats, Topics: topics, Uploads: uploads, Notify: notices, Reputation: reps, Policy: policies, Review: reviews, Jobs: queue, Events: events}, nil
}

// Theme layers the operator's [theme] dir over the embedded default theme.
func Theme(cfg config.Config) (web.Overlay, error) {
	if cfg.Theme.Dir != "" {
		if st, err := os.Stat(cfg.Theme.Dir); err != nil || !st.IsDir() {
			return nil, &config.Error{Key: "theme.dir", Env: config.EnvName("theme", "dir"), Problem: fmt.Sprintf("%q is not a folder", cfg.Theme.Dir)}
		}
	}
	embedded, err := subFS(themes.FS, "default")
	if err != nil {
		return nil, err
	}
	return web.NewOverlay(cfg.Theme.Dir, embedded), nil
}

// PrepareDataDir creates the data folder readable by the server's user only.
func PrepareDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &config.Error{Key: "data.dir", Env: config.EnvName("data", "dir"), Problem: err.Error()}
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return &config.Error{Key: "data.dir", Env: config.EnvName("data", "dir"), Problem: err.Error()}
	}
	return nil
}

// loadSecret returns [server] secret, or the key kept in the data folder
// (made on first start), which signs the session cookies.
func loadSecret(cfg config.Config) ([]byte, error) {
	if cfg.Server.Secret != "" {
		return []byte(cfg.Server.Secret), nil
	}
	path := filepath.Join(cfg.Data.Dir, "secret.key")
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 64 {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	key := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return []byte(key), nil
}

// heapSampleBytes is Go's own heap profiling rate: one sample every 512 KiB
// allocated, on average.
const heapSampleBytes = 512 << 10

// Run serves and runs the background jobs until ctx ends, then lets the
// requests and jobs in flight finish and closes the database.
func (a *App) Run(ctx context.Context) error {
	defer a.DB.Close()
	defer a.Web.Cache.Close()
	if a.Config.Server.MemoryLimitMB > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(a.Config.Server.MemoryLimitMB) << 20) // [server] memory_limit_mb
	}
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() { defer close(jobsDone); a.Jobs.Start(jobsCtx) }()
	a.Search.Start(jobsCtx) // a missing or unreadable index is rebuilt while serving
	go a.freeAfterRebuild(jobsCtx)
	defer func() { stopJobs(); a.Search.Close() }()
	defer func() { stopJobs(); <-jobsDone }() // jobs in flight finish before the database closes
	viewsDone := make(chan struct{})
	go func() { defer close(viewsDone); a.flushViews(jobsCtx) }()
	defer func() { stopJobs(); <-viewsDone }()
	code, err := a.Users.PrepareSetup(ctx)
	if err != nil {
		return err
	}
	if code != "" {
		a.Log.Warn("no administrator yet: open the setup page and enter this one-time code",
			"url", strings.TrimRight(a.Config.Server.BaseURL, "/")+"/setup", "setup_code", code)
	}
	srv := &http.Server{Addr: a.Config.Server.Listen, Handler: a.Web, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	if a.Config.Server.PprofListen != "" {
		stop, err := a.servePprof(a.Config.Server.PprofListen)
		if err != nil {
			return err
		}
		defer stop()
	}
	a.Log.Info("causerie is serving", "listen", a.Config.Server.Listen, "base_url", a.Config.Server.BaseURL, "database", a.DB.Dialect)
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("listen on %s (check [server] listen / CAUSERIE_SERVER_LISTEN): %w", a.Config.Server.Listen, err)
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: finishing requests in flight", "timeout", a.Config.Server.ShutdownTimeout.Duration)
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.Server.ShutdownTimeout.Duration)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	a.Log.Info("stopped cleanly")
	return nil
}

// freeAfterRebuild hands the memory of the start-up index rebuild back to
// the operating system once the rebuild is over. The rebuild's batches
// grow the heap to well past what serving keeps live (about 115 MB for
// 200,000 posts against 45 MB after it), and the runtime would otherwise
// return that memory only slowly, a few MB a second at best, or never
// under a steady load that reuses it as garbage headroom.
func (a *App) freeAfterRebuild(ctx context.Context) {
	if busy, _, _ := a.Search.CatchingUp(); !busy {
		return
	}
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if busy, _, _ := a.Search.CatchingUp(); !busy {
			debug.FreeOSMemory()
			return
		}
	}
}

// servePprof serves Go's profiles on a listener of their own, so that
// they are never reachable through the forum's address and its proxy.
func (a *App) servePprof(addr string) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (check [server] pprof_listen / CAUSERIE_SERVER_PPROF_LISTEN): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	a.Log.Info("profiles served", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	return func() { _ = srv.Close() }, nil
}

// flushViews writes the topic views this node counted, every 30 seconds,
// and the read marks its pages took, every second; both once more when it
// stops. Both are kept in memory so that reading a page costs no write
// (topic.Service.FlushReadMarks says why).
func (a *App) flushViews(ctx context.Context) {
	views, marks := time.NewTicker(30*time.Second), time.NewTicker(time.Second)
	defer views.Stop()
	defer marks.Stop()
	flush := func(ctx context.Context, what string, f func(context.Context) error) {
		if err := f(ctx); err != nil {
			a.Log.Error("write "+what, "error", err)
		}
	}
	for {
		select {
		case <-views.C:
			flush(ctx, "topic views", a.Topics.FlushViews)
		case <-marks.C:
			flush(ctx, "read marks", a.Topics.FlushReadMarks)
		case <-ctx.Done():
			flush(context.Background(), "read marks", a.Topics.FlushReadMarks)
			flush(context.Background(), "topic views", a.Topics.FlushViews)
			return
		}
	}
}

// Close releases the database when the app was built but not run.
func (a *App) Close() error { a.Search.Close(); _ = a.Web.Cache.Close(); return a.DB.Close() }

type host struct {
	name string
	e    *echo.Echo
	log  *slog.Logger
}

func (h *host) Routes() *echo.Group { return h.e.Group("/plugins/" + h.name) }
func (h *host) Log() *slog.Logger   { return h.log.With("plugin", h.name) }
