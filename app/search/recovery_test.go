package search_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"causerie/app"
	"causerie/app/auth"
	"causerie/app/config"
	"causerie/app/search"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
	"causerie/plugins"
)

// A real server is killed (SIGKILL) after a post was written and before
// its index job ran; started again, it indexes the post from the job that
// committed with it. Then the index folder is damaged: the next start
// rebuilds it in the background while serving.
func TestRecoveryAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the causerie binary")
	}
	bin := filepath.Join(t.TempDir(), "causerie")
	build := exec.Command("go", "build", "-o", bin, "causerie/cmd/causerie")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dialects := []string{"sqlite"}
	if os.Getenv(testutil.PostgresEnv) != "" {
		dialects = append(dialects, "postgres")
	}
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			cfg := config.Default()
			cfg.Data.Dir = t.TempDir()
			if dialect == "postgres" {
				cfg.Database.URL = testutil.NewPostgres(t)
			}
			cfg.Server.Listen = freeAddr(t)
			cfg.Server.BaseURL = "http://" + cfg.Server.Listen
			cfg.Accounts.PasswordHash = "m=1024,t=1,p=1"
			// The first topic is written before any server ran.
			var author *user.User
			write(t, cfg, func(a *app.App) {
				u, err := a.Users.CreateUser(ctx, user.NewUser{Username: "ana", Email: "ana@example.test", Password: testutil.Password, Role: auth.RoleMember})
				testutil.Must(t, err, "member")
				// Past the newcomers' limits, so the post is published at once.
				testutil.Must(t, a.DB.Model(&user.User{}).Where("id = ?", u.ID).Update("trust_level", 2).Error, "trust")
				u.TrustLevel = 2
				author = u
				post(t, a, author, "Aubergine recipes", "Grilled aubergine with garlic.")
			})
			srv := serve(t, bin, cfg)
			waitFound(t, cfg, "aubergine", 1)
			// Freeze the server, write a post (its index job commits with
			// it), then kill the server before it could run the job.
			// SQLite: a server frozen while it holds the write lock (a job
			// poll) is let go on for a moment, then frozen again.
			write(t, cfg, func(a *app.App) {
				for try := 0; ; try++ {
					testutil.Must(t, srv.Process.Signal(syscall.SIGSTOP), "SIGSTOP")
					err := tryPost(a, author, "Kiwano tasting notes", "The kiwano tastes of cucumber and banana.")
					if err == nil {
						return
					}
					if try == 50 || !strings.Contains(err.Error(), "locked") {
						t.Fatalf("post while the server is frozen: %v", err)
					}
					testutil.Must(t, srv.Process.Signal(syscall.SIGCONT), "SIGCONT")
					time.Sleep(time.Duration(20+try*10) * time.Millisecond)
				}
			})
			testutil.Must(t, srv.Process.Signal(syscall.SIGKILL), "SIGKILL")
			_ = srv.Wait()
			write(t, cfg, func(a *app.App) { // the index job is still waiting in the queue
				var n int64
				testutil.Must(t, a.DB.Raw("SELECT COUNT(*) FROM goqite WHERE body LIKE ?", "%post.created:search%").Scan(&n).Error, "jobs")
				if n != 1 {
					t.Fatalf("%d index jobs waiting after the kill, want 1", n)
				}
			})
			srv = serve(t, bin, cfg)
			waitFound(t, cfg, "kiwano", 1)
			waitFound(t, cfg, "aubergine", 1)
			testutil.Must(t, srv.Process.Signal(syscall.SIGKILL), "SIGKILL")
			_ = srv.Wait()
			// A damaged index is made anew and rebuilt while serving.
			root := filepath.Join(search.IndexDir(cfg.Data.Dir), "index_meta.json")
			testutil.Must(t, os.WriteFile(root, []byte("{not json"), 0o600), "damage the index")
			serve(t, bin, cfg)
			waitFound(t, cfg, "kiwano", 1)
			waitFound(t, cfg, "aubergine", 1)
		})
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	testutil.Must(t, err, "listen")
	defer l.Close()
	return l.Addr().String()
}

// write opens the forum in this process (without its index, which the
// server holds) and runs fn.
func write(t *testing.T, cfg config.Config, fn func(a *app.App)) {
	t.Helper()
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), plugins.All()...)
	testutil.Must(t, err, "open the forum")
	defer a.Close()
	fn(a)
}

func post(t *testing.T, a *app.App, by *user.User, title, body string) {
	t.Helper()
	testutil.Must(t, tryPost(a, by, title, body), "post %q", title)
}

func tryPost(a *app.App, by *user.User, title, body string) error {
	cat, err := a.Categories.ReadableByID(ctx, &auth.Viewer{}, 1)
	if err != nil {
		return err
	}
	_, _, err = a.Topics.Create(ctx, by.Viewer(), topic.NewTopic{CategoryID: cat.ID, Title: title, Body: body, Kind: topic.KindDiscussion})
	return err
}

func serve(t *testing.T, bin string, cfg config.Config) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "CAUSERIE_DATA_DIR="+cfg.Data.Dir, "CAUSERIE_SERVER_LISTEN="+cfg.Server.Listen,
		"CAUSERIE_SERVER_BASE_URL="+cfg.Server.BaseURL, "CAUSERIE_DATABASE_URL="+cfg.Database.URL,
		"CAUSERIE_ACCOUNTS_PASSWORD_HASH="+cfg.Accounts.PasswordHash)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	testutil.Must(t, cmd.Start(), "start the server")
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(cfg.Server.BaseURL + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return cmd
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitFound asks the running server's API until the query finds n posts.
func waitFound(t *testing.T, cfg config.Config, q string, n int) {
	t.Helper()
	want := fmt.Sprintf(`"posts":%d,`, n)
	deadline := time.Now().Add(30 * time.Second)
	var body string
	for time.Now().Before(deadline) {
		res, err := http.Get(cfg.Server.BaseURL + "/api/v1/search?q=" + q)
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			body = string(b)
			if res.StatusCode == 200 && strings.Contains(body, want) {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("search %q on the restarted server never found %d posts: %s", q, n, body)
}
