package app_test

import (
	"context"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"causerie/app/config"

	"causerie/app/testutil"
)

// The data folder and every file in it are readable by the server's user
// only: the database, its WAL, the secret key.
func TestDataFolderIsPrivate(t *testing.T) {
	env := testutil.New(t)
	dir := env.Config.Data.Dir
	env.Client().Get(t, "/") // a write or two, so the WAL exists
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("data folder mode %v, want 0700", st.Mode().Perm())
	}
	seen := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, _ := d.Info()
		seen++
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v: others can read it", d.Name(), info.Mode().Perm())
		}
		return nil
	})
	for _, name := range []string{"causerie.db", "secret.key"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was not created: %v", name, err)
		}
	}
	if seen < 2 {
		t.Errorf("only %d files in the data folder", seen)
	}
}

// The secret key made on first start is kept: a restart must not log
// everyone out.
func TestSecretSurvivesRestart(t *testing.T) {
	env := testutil.New(t)
	key1, _ := os.ReadFile(filepath.Join(env.Config.Data.Dir, "secret.key"))
	_ = env.App.Close()
	cfg := env.Config
	a, err := newApp(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	key2, _ := os.ReadFile(filepath.Join(cfg.Data.Dir, "secret.key"))
	if len(key1) < 64 || string(key1) != string(key2) {
		t.Errorf("secret changed across restarts")
	}
}

// SIGINT/SIGTERM cancel Run's context: a request in flight still gets its
// answer, then the database is closed.
func TestGracefulShutdown(t *testing.T) {
	cfg := config.Default()
	cfg.Data.Dir = t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Server.Listen = ln.Addr().String()
	ln.Close()
	a, err := newApp(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	a.Web.GET("/test-slow", func(c echo.Context) error {
		close(started)
		time.Sleep(400 * time.Millisecond)
		return c.String(http.StatusOK, "finished")
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	base := "http://" + cfg.Server.Listen
	for i := 0; i < 100; i++ {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	got := make(chan string, 1)
	go func() {
		res, err := http.Get(base + "/test-slow")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		got <- string(b)
	}()
	<-started
	cancel()
	if body := <-got; body != "finished" {
		t.Errorf("the request in flight got %q", body)
	}
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if err := a.DB.Ping(context.Background()); err == nil {
		t.Error("the database is still open after shutdown")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// [server] pprof_listen serves Go's profiles on a listener of its own,
// never on the forum's, and turns heap profiling back on (cmd/causerie
// starts with it off); [server] memory_limit_mb becomes the runtime's soft
// memory limit.
func TestProfilesAndMemoryLimit(t *testing.T) {
	if os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOMEMLIMIT wins over [server] memory_limit_mb")
	}
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	rate := runtime.MemProfileRate
	defer func() { runtime.MemProfileRate = rate }()
	runtime.MemProfileRate = 0 // as cmd/causerie leaves it
	cfg := config.Default()
	cfg.Data.Dir = t.TempDir()
	cfg.Server.Listen = freeAddr(t)
	cfg.Server.PprofListen = freeAddr(t)
	cfg.Server.MemoryLimitMB = 150
	a, err := newApp(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.MemProfileRate != 512<<10 {
		t.Errorf("heap profiling rate %d with pprof_listen set, want Go's default %d", runtime.MemProfileRate, 512<<10)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	status := func(url string) int {
		res, err := http.Get(url)
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	profiles := "http://" + cfg.Server.PprofListen + "/debug/pprof/heap"
	for i := 0; i < 100 && status(profiles) == 0; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if got := status(profiles); got != http.StatusOK {
		t.Errorf("GET %s = %d, want 200", profiles, got)
	}
	if got := status("http://" + cfg.Server.Listen + "/debug/pprof/heap"); got != http.StatusNotFound {
		t.Errorf("the forum's listener answers /debug/pprof/heap with %d, want 404", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 150<<20 {
		t.Errorf("memory limit = %d, want %d", got, 150<<20)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if got := status(profiles); got != 0 {
		t.Errorf("the profiles are still served after shutdown (%d)", got)
	}
}
