package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"causerie/app/config"
)

// The config.toml at the repository root documents every setting with its
// default: reading it must give exactly the built-in defaults, and it must
// mention every key.
func TestRepositoryConfigIsTheDefaults(t *testing.T) {
	cfg, err := config.Load(filepath.Join("..", "..", "config.toml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, config.Default()) {
		t.Errorf("config.toml differs from config.Default():\n file: %+v\n code: %+v", cfg, config.Default())
	}
	raw, _ := os.ReadFile(filepath.Join("..", "..", "config.toml"))
	root := reflect.TypeOf(config.Config{})
	for i := range root.NumField() {
		section := root.Field(i).Tag.Get("toml")
		if !strings.Contains(string(raw), "["+section+"]") {
			t.Errorf("config.toml has no [%s] section", section)
		}
		st := root.Field(i).Type
		for j := range st.NumField() {
			key := st.Field(j).Tag.Get("toml")
			if !strings.Contains(string(raw), "\n"+key+" = ") {
				t.Errorf("config.toml does not document [%s] %s", section, key)
			}
		}
	}
}

func TestEnvironmentOverrides(t *testing.T) {
	cfg, err := config.Load("", []string{
		"CAUSERIE_SERVER_LISTEN=127.0.0.1:9000",
		"CAUSERIE_DATABASE_URL=postgres://u@db/causerie",
		"CAUSERIE_MAIL_PORT=2525",
		"CAUSERIE_ACCOUNTS_REQUIRE_CONFIRMATION=false",
		"CAUSERIE_ACCOUNTS_SESSION_LIFETIME=2h",
		"UNRELATED=1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.Listen != "127.0.0.1:9000" || cfg.Database.URL != "postgres://u@db/causerie" || cfg.Mail.Port != 2525 ||
		cfg.Accounts.RequireConfirmation || cfg.Accounts.SessionLifetime.Duration != 2*time.Hour {
		t.Errorf("overrides not applied: %+v", cfg)
	}
}

func TestFileThenEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(path, []byte("[server]\nlisten = \"127.0.0.1:7000\"\nsite_name = \"Acme Community\"\n"), 0o600)
	cfg, err := config.Load(path, []string{"CAUSERIE_SERVER_LISTEN=127.0.0.1:7001"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.Listen != "127.0.0.1:7001" || cfg.Server.SiteName != "Acme Community" {
		t.Errorf("got listen %q site %q", cfg.Server.Listen, cfg.Server.SiteName)
	}
}

// A wrong value stops start-up with a message that names the key, the
// variable and what is expected.
func TestWrongValuesNameTheKey(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want []string
	}{
		{"CAUSERIE_SERVER_LISTEN=8080", []string{"server.listen", "CAUSERIE_SERVER_LISTEN", "host:port"}},
		{"CAUSERIE_SERVER_BASE_URL=forum.example.com", []string{"server.base_url", "http://"}},
		{"CAUSERIE_DATABASE_URL=mysql://x", []string{"database.url", "postgres://"}},
		{"CAUSERIE_MAIL_PORT=abc", []string{"mail.port", "whole number"}},
		{"CAUSERIE_MAIL_PORT=70000", []string{"mail.port", "65535"}},
		{"CAUSERIE_MAIL_TLS=maybe", []string{"mail.tls", "starttls"}},
		{"CAUSERIE_ACCOUNTS_SESSION_LIFETIME=forever", []string{"accounts.session_lifetime", "duration"}},
		{"CAUSERIE_ACCOUNTS_DEFAULT_LANGUAGE=de", []string{"accounts.default_language", "en or fr"}},
		{"CAUSERIE_ACCOUNTS_REQUIRE_CONFIRMATION=perhaps", []string{"accounts.require_confirmation", "true or false"}},
		{"CAUSERIE_RATELIMIT_LOGIN=lots", []string{"ratelimit.login", "10-15m"}},
		{"CAUSERIE_SERVER_SECRET=short", []string{"server.secret", "32"}},
		{"CAUSERIE_LOG_LEVEL=loud", []string{"log.level"}},
		{"CAUSERIE_SERVER_MEMORY_LIMIT_MB=36", []string{"server.memory_limit_mb", "CAUSERIE_SERVER_MEMORY_LIMIT_MB", "at least 40", "page_cache_mb"}},
		{"CAUSERIE_SERVER_PAGE_CACHE_STORE=disk", []string{"server.page_cache_store", "CAUSERIE_SERVER_PAGE_CACHE_STORE", `"file"`, `"memory"`, `"disk"`}},
		{"CAUSERIE_SERVER_MEMORY_LIMIT_MB=-1", []string{"server.memory_limit_mb", "0 (no limit)"}},
		{"CAUSERIE_DATABASE_SQLITE_CACHE_KB=10", []string{"database.sqlite_cache_kb", "CAUSERIE_DATABASE_SQLITE_CACHE_KB", "between 64 and 1048576"}},
		{"CAUSERIE_DATABASE_MAX_OPEN_CONNS=-1", []string{"database.max_open_conns", "CAUSERIE_DATABASE_MAX_OPEN_CONNS", "0 for the database's default", "got -1"}},
		{"CAUSERIE_DATABASE_SQLITE_CACHE_KB=-512", []string{"database.sqlite_cache_kb", "0 for SQLite's default"}},
		{"CAUSERIE_SERVER_PPROF_LISTEN=6060", []string{"server.pprof_listen", "CAUSERIE_SERVER_PPROF_LISTEN", "127.0.0.1:6060"}},
	} {
		_, err := config.Load("", []string{tc.env})
		var ce *config.Error
		if !errors.As(err, &ce) {
			t.Errorf("%s: got %v, want a *config.Error", tc.env, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not mention %q", tc.env, err, w)
			}
		}
	}
}

// The memory limit follows the page cache unless it is set, in the file or
// the environment; set too close to the cache, it is refused.
func TestMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	file := func(body string) string {
		p := filepath.Join(dir, strings.ReplaceAll(body, "\n", "_")+".toml")
		os.WriteFile(p, []byte("[server]\n"+body+"\n"), 0o600)
		return p
	}
	for _, tc := range []struct {
		name, path string
		env        []string
		want       int
	}{
		{"default", "", nil, 44},
		{"cache raised in the environment", "", []string{"CAUSERIE_SERVER_PAGE_CACHE_MB=200"}, 46},
		{"cache off", "", []string{"CAUSERIE_SERVER_PAGE_CACHE_MB=0"}, 40},
		{"cache raised in the file", file("page_cache_mb = 100"), nil, 43},
		{"cache in memory", "", []string{"CAUSERIE_SERVER_PAGE_CACHE_STORE=memory"}, 168},
		{"cache in memory, raised", file("page_cache_mb = 200\npage_cache_store = \"memory\""), nil, 240},
		{"cache in memory, raised in the file", file("page_cache_mb = 100\npage_cache_store = \"memory\""), nil, 140},
		{"limit set in the file", file("page_cache_mb = 100\nmemory_limit_mb = 500"), nil, 500},
		{"limit off in the file", file("page_cache_mb = 100\nmemory_limit_mb = 0"), nil, 0},
		{"limit set in the environment", file("page_cache_mb = 100"), []string{"CAUSERIE_SERVER_MEMORY_LIMIT_MB=170"}, 170},
		{"limit off in the environment", "", []string{"CAUSERIE_SERVER_MEMORY_LIMIT_MB=0"}, 0},
	} {
		cfg, err := config.Load(tc.path, tc.env)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if cfg.Server.MemoryLimitMB != tc.want {
			t.Errorf("%s: memory_limit_mb = %d, want %d", tc.name, cfg.Server.MemoryLimitMB, tc.want)
		}
	}
	_, err := config.Load(file("page_cache_mb = 200\npage_cache_store = \"memory\"\nmemory_limit_mb = 128"), nil)
	if err == nil || !strings.Contains(err.Error(), "server.memory_limit_mb") || !strings.Contains(err.Error(), "at least 236") {
		t.Errorf("a limit below the page cache's floor: got %v, want an error naming server.memory_limit_mb and 236", err)
	}
	// In a file, the pages leave the heap but their index stays.
	_, err = config.Load(file("page_cache_mb = 200\nmemory_limit_mb = 41"), nil)
	if err == nil || !strings.Contains(err.Error(), "server.memory_limit_mb") || !strings.Contains(err.Error(), "at least 42") {
		t.Errorf("a limit below the file cache's floor: got %v, want an error naming server.memory_limit_mb and 42", err)
	}
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[server\nlisten = 1"), 0o600)
	if _, err := config.Load(bad, nil); err == nil || !strings.Contains(err.Error(), "bad.toml") {
		t.Errorf("syntax error: %v", err)
	}
	unknown := filepath.Join(dir, "unknown.toml")
	os.WriteFile(unknown, []byte("[server]\nlisten_on = \":80\"\n"), 0o600)
	if _, err := config.Load(unknown, nil); err == nil || !strings.Contains(err.Error(), "server.listen_on") {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := config.Load(filepath.Join(dir, "missing.toml"), nil); err == nil {
		t.Error("a missing file must be an error")
	}
}

// max_open_conns = 0 (the default) opens 8 connections to SQLite and 10
// to PostgreSQL; a number set is taken as it is, on either.
func TestOpenConns(t *testing.T) {
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		set     int
		dialect string
		want    int
	}{{0, "sqlite", 8}, {0, "postgres", 10}, {3, "sqlite", 3}, {3, "postgres", 3}, {20, "sqlite", 20}} {
		d := cfg.Database
		d.MaxOpenConns = tc.set
		if got := d.OpenConns(tc.dialect); got != tc.want {
			t.Errorf("max_open_conns = %d on %s: %d connections, want %d", tc.set, tc.dialect, got, tc.want)
		}
	}
}

func TestDatabaseDriver(t *testing.T) {
	for url, want := range map[string]string{"": "sqlite", "sqlite:/tmp/x.db": "sqlite", "postgres://a@b/c": "postgres", "postgresql://a@b/c": "postgres"} {
		got, err := config.Database{URL: url}.Driver()
		if err != nil || got != want {
			t.Errorf("Driver(%q) = %q, %v; want %q", url, got, err, want)
		}
	}
	_, err := config.Database{URL: "mysql://u:hunter2@db/x"}.Driver()
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Error("an error message must not show the database password")
	}
}
