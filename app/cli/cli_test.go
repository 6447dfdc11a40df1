package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"causerie/app/cli"
	"causerie/app/config"
	"causerie/app/db"
	"causerie/app/testutil"
)

func run(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := cli.Root()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// The commands work on a data folder given by the environment, as an
// operator's scripts would call them.
func TestCommands(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CAUSERIE_DATA_DIR", dir)
	t.Setenv("CAUSERIE_LOG_LEVEL", "error")
	t.Chdir(t.TempDir()) // no config.toml here

	out, err := run(t, "", "migrate", "status")
	if err != nil || !strings.Contains(out, "00001_accounts.sql") || !strings.Contains(out, "pending") {
		t.Fatalf("status before: %v\n%s", err, out)
	}
	if out, err = run(t, "", "migrate", "up"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("up: %v %s", err, out)
	}
	if out, _ = run(t, "", "migrate", "status"); !strings.Contains(out, "applied") {
		t.Errorf("status after: %s", out)
	}
	out, err = run(t, "purple monkey dishwasher\n", "user", "create", "--username", "lea", "--email", "lea@example.test", "--role", "admin", "--password-stdin")
	if err != nil || !strings.Contains(out, `Created admin "lea"`) {
		t.Fatalf("user create: %v %s", err, out)
	}
	// Mistakes name the flag at fault.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"user", "create", "--username", "lea", "--email", "lea2@example.test", "--password-stdin"}, "--username: This username is already taken"},
		{[]string{"user", "create", "--username", "mo", "--email", "x", "--password-stdin"}, "--email"},
		{[]string{"user", "create", "--username", "max", "--email", "max@example.test", "--role", "king", "--password-stdin"}, "--role"},
		{[]string{"user", "create", "--username", "max", "--email", "max@example.test"}, "--password-stdin"},
		{[]string{"token", "create", "--user", "ghost"}, `no account is named "ghost"`},
		{[]string{"token", "create"}, `"user" not set`},
	} {
		if _, err := run(t, "purple monkey dishwasher", tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
	tok, err := run(t, "", "token", "create", "--user", "lea", "--name", "deploy script")
	tok = strings.TrimSpace(tok)
	if err != nil || !strings.HasPrefix(tok, "cau_") {
		t.Fatalf("token create: %v %q", err, tok)
	}
	if _, err := filepath.Glob(filepath.Join(dir, "*")); err != nil {
		t.Fatal(err)
	}
}

func TestHelpExplains(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"migrate", "--help"}, {"user", "create", "--help"}, {"token", "create", "--help"}, {"version", "--help"}} {
		out, err := run(t, "", args...)
		if err != nil || !strings.Contains(out, "Usage:") {
			t.Errorf("%v: %v\n%s", args, err, out)
		}
	}
	out, _ := run(t, "", "--help")
	for _, want := range []string{"CAUSERIE_", "serve", "migrate", "user", "token", "version", "--config"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help does not mention %s", want)
		}
	}
	if out, _ := run(t, "", "user", "create", "--help"); !strings.Contains(out, "standard input") {
		t.Errorf("user create --help does not explain --password-stdin")
	}
	if out, err := run(t, "", "version"); err != nil || !strings.HasPrefix(out, "causerie ") {
		t.Errorf("version: %q %v", out, err)
	}
}

func TestBadConfigStopsWithTheKey(t *testing.T) {
	t.Setenv("CAUSERIE_DATA_DIR", t.TempDir())
	t.Setenv("CAUSERIE_SERVER_LISTEN", "nonsense")
	_, err := run(t, "", "serve")
	if err == nil || !strings.Contains(err.Error(), "CAUSERIE_SERVER_LISTEN") {
		t.Errorf("serve with a bad listen address: %v", err)
	}
	_, err = run(t, "", "--config", "/nonexistent/causerie.toml", "version")
	if err != nil {
		t.Errorf("version must not need a config: %v", err)
	}
	_, err = run(t, "", "--config", filepath.Join(t.TempDir(), "missing.toml"), "migrate", "up")
	if err == nil || !strings.Contains(err.Error(), "missing.toml") {
		t.Errorf("missing --config file: %v", err)
	}
}

// A token made on the command line lets a program call the API.
func TestTokenWorksWithTheAPI(t *testing.T) {
	env := testutil.New(t)
	env.Member(t, "nora")
	tok, err := env.App.Users.CreateAPIToken(testutil.Ctx(), "nora", "")
	if err != nil {
		t.Fatal(err)
	}
	c := env.Client()
	c.Header.Set("Authorization", "Bearer "+tok)
	if res := c.Get(t, "/api/v1/me"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"username":"nora"`) {
		t.Errorf("me with token: %d %s", res.StatusCode, res.Body)
	}
}

// After seeding, wiping reputation and rebuilding it gives every member
// back their points, with a progress bar on the way.
func TestReputationRebuild(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CAUSERIE_DATA_DIR", dir)
	t.Setenv("CAUSERIE_LOG_LEVEL", "error")
	t.Chdir(t.TempDir())
	if out, err := run(t, "", "seed", "--users", "20", "--topics", "30", "--posts", "200"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	cfg := config.Default()
	cfg.Data.Dir = dir
	database, err := db.Open(context.Background(), cfg)
	testutil.Must(t, err, "open the seeded database")
	defer database.Close()
	env := database.DB
	sum := func() (points, badges int64) {
		env.Raw("SELECT COALESCE(SUM(reputation), 0) FROM users").Scan(&points)
		env.Raw("SELECT COUNT(*) FROM user_badges").Scan(&badges)
		return
	}
	// The seed writes reactions and accepted answers straight into the
	// tables, as an import would: nobody has points until the rebuild.
	if p, _ := sum(); p != 0 {
		t.Fatalf("seeded members already have %d points: the test would prove nothing", p)
	}
	out, err := run(t, "", "reputation", "rebuild")
	if err != nil || !strings.Contains(out, "Reputation rebuilt from") || !strings.Contains(out, "posts") {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
	points, badges := sum()
	if points == 0 || badges == 0 {
		t.Fatalf("after the rebuild: %d points, %d badges; want some of each", points, badges)
	}
	env.Exec("DELETE FROM reputation_events")
	env.Exec("UPDATE users SET reputation = 0")
	if _, err := run(t, "", "reputation", "rebuild"); err != nil {
		t.Fatal(err)
	}
	if again, _ := sum(); again != points {
		t.Errorf("a second rebuild after wiping gave %d points, want %d", again, points)
	}
	if out, _ := run(t, "", "reputation", "rebuild", "--help"); !strings.Contains(out, "config.toml") {
		t.Errorf("--help does not explain when to run it:\n%s", out)
	}
}
