// Package config owns Causerie's settings: their defaults, the TOML file, the
// CAUSERIE_<SECTION>_<KEY> environment overrides and the checks that stop
// start-up with a message naming the key at fault. There is no global: the
// Config value is passed down from main.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is every setting; config.toml at the repository root documents each
// one with its default.
type Config struct {
	Server     Server     `toml:"server"`
	Data       Data       `toml:"data"`
	Database   Database   `toml:"database"`
	Mail       Mail       `toml:"mail"`
	Theme      Theme      `toml:"theme"`
	Accounts   Accounts   `toml:"accounts"`
	RateLimit  RateLimit  `toml:"ratelimit"`
	Posting    Posting    `toml:"posting"`
	Uploads    Uploads    `toml:"uploads"`
	Reputation Reputation `toml:"reputation"`
	Trust      Trust      `toml:"trust"`
	Antispam   Antispam   `toml:"antispam"`
	Review     Review     `toml:"review"`
	Log        Log        `toml:"log"`
}

type Server struct {
	Listen          string   `toml:"listen"`
	BaseURL         string   `toml:"base_url"`
	SiteName        string   `toml:"site_name"`
	Secret          string   `toml:"secret"`
	ShutdownTimeout Duration `toml:"shutdown_timeout"`
	FrameAncestors  string   `toml:"frame_ancestors"`
	TrustProxy      bool     `toml:"trust_proxy"`
	PageCacheMB     int      `toml:"page_cache_mb"`
	PageCacheTTL    Duration `toml:"page_cache_ttl"`
	PageCacheStore  string   `toml:"page_cache_store"`
	MemoryLimitMB   int      `toml:"memory_limit_mb"`
	PprofListen     string   `toml:"pprof_listen"`
}

type Data struct {
	Dir string `toml:"dir"`
}

type Database struct {
	URL string `toml:"url"`
	// MaxOpenConns is the most connections the server opens; 0 lets
	// OpenConns choose for the database.
	MaxOpenConns int      `toml:"max_open_conns"`
	BusyTimeout  Duration `toml:"busy_timeout"`
	// SQLiteCacheKB is the page cache of each SQLite connection, in KiB
	// (SQLite's cache_size, as a negative number); 0 keeps SQLite's own
	// default of 2,000 KiB.
	SQLiteCacheKB int `toml:"sqlite_cache_kb"`
}

type Mail struct {
	Host     string `toml:"host"`
	Port     int    `toml:"port"`
	Username string `toml:"username"`
	Password string `toml:"password"`
	From     string `toml:"from"`
	// TLS is "starttls", "tls" or "none".
	TLS string `toml:"tls"`
	// BatchMinutes is the least time between two notification mails to one
	// member: what happens meanwhile waits for the next mail.
	BatchMinutes int `toml:"batch_minutes"`
}

type Theme struct {
	Dir string `toml:"dir"`
}

type Accounts struct {
	DefaultLanguage     string   `toml:"default_language"`
	SessionLifetime     Duration `toml:"session_lifetime"`
	ConfirmLinkExpiry   Duration `toml:"confirm_link_expiry"`
	ResetLinkExpiry     Duration `toml:"reset_link_expiry"`
	MinPasswordLength   int      `toml:"min_password_length"`
	PasswordHash        string   `toml:"password_hash"`
	RequireConfirmation bool     `toml:"require_confirmation"`
}

type RateLimit struct {
	Login    string `toml:"login"`
	Register string `toml:"register"`
	Reset    string `toml:"reset"`
}

type Posting struct {
	MinTitleLength int      `toml:"min_title_length"`
	MaxTitleLength int      `toml:"max_title_length"`
	MinPostLength  int      `toml:"min_post_length"`
	MaxPostLength  int      `toml:"max_post_length"`
	MaxTags        int      `toml:"max_tags"`
	Reactions      []string `toml:"reactions"`
	PostsPerPage   int      `toml:"posts_per_page"`
	TopicsPerPage  int      `toml:"topics_per_page"`
}

// Uploads bounds what members may upload: sizes in megabytes (MiB),
// attachment types by their sniffed MIME type, image sides in pixels.
type Uploads struct {
	MaxImageMB   int      `toml:"max_image_mb"`
	MaxFileMB    int      `toml:"max_file_mb"`
	AllowedFiles []string `toml:"allowed_files"`
	ImageMaxPx   int      `toml:"image_max_px"`
	AvatarPx     int      `toml:"avatar_px"`
}

// MaxBytes is the largest upload of any kind, in bytes.
func (u Uploads) MaxBytes() int64 { return int64(max(u.MaxImageMB, u.MaxFileMB)) << 20 }

type Log struct {
	Level  string `toml:"level"`
	Format string `toml:"format"`
}

// Duration reads "15m", "24h" and the like from TOML and the environment.
type Duration struct{ time.Duration }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("want a duration such as 30s, 15m or 24h")
	}
	d.Duration = v
	return nil
}

func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Duration.String()), nil }

// Default returns the settings used when nothing else is given: the embedded
// SQLite database and search index in ./data, serving on port 8080.
func Default() Config {
	return Config{
		Server: Server{
			Listen:          ":8080",
			BaseURL:         "http://localhost:8080",
			SiteName:        "Causerie",
			ShutdownTimeout: Duration{15 * time.Second},
			FrameAncestors:  "'self'",
			PageCacheMB:     128,
			PageCacheTTL:    Duration{2 * time.Minute},
			PageCacheStore:  "file",
			MemoryLimitMB:   128/fileCacheIndexShare + memoryBesideCacheMB,
		},
		Data:     Data{Dir: "data"},
		Database: Database{BusyTimeout: Duration{5 * time.Second}, SQLiteCacheKB: 256},
		Mail:     Mail{Host: "", Port: 587, From: "Causerie <noreply@localhost>", TLS: "starttls", BatchMinutes: 10},
		Accounts: Accounts{
			DefaultLanguage:     "en",
			SessionLifetime:     Duration{30 * 24 * time.Hour},
			ConfirmLinkExpiry:   Duration{48 * time.Hour},
			ResetLinkExpiry:     Duration{time.Hour},
			MinPasswordLength:   10,
			PasswordHash:        "m=19456,t=2,p=1",
			RequireConfirmation: true,
		},
		RateLimit: RateLimit{Login: "10-15m", Register: "5-1h", Reset: "5-1h"},
		Posting: Posting{MinTitleLength: 8, MaxTitleLength: 150, MinPostLength: 2, MaxPostLength: 32000, MaxTags: 5,
			Reactions: []string{"like", "heart", "laugh", "insightful", "thanks"}, PostsPerPage: 20, TopicsPerPage: 30},
		Uploads: Uploads{MaxImageMB: 8, MaxFileMB: 16, AllowedFiles: []string{"application/pdf", "text/plain", "application/zip"},
			ImageMaxPx: 2048, AvatarPx: 256},
		Reputation: defaultReputation(),
		Trust:      defaultTrust(),
		Antispam:   defaultAntispam(),
		Review:     defaultReview(),
		Log:        Log{Level: "info", Format: "text"},
	}
}

// What the server keeps in memory besides the visitors' page cache, in
// MiB: with 200,000 posts about 18 MB live under load (the topic pages'
// shared data, the database's strings, the search index's batches, the
// templates and messages) plus the requests in flight. memoryBesideCacheMB
// is the default room [server] memory_limit_mb leaves beside
// page_cache_mb. The Go heap fills the limit under load, so the limit sets
// most of the server's peak memory. Session 6 chose 72 when some 30 MB
// were live; with less live (session 11: smaller shared pages and page
// index, no large regular expressions) 48 took the peak of the posting run
// after the page runs from 133-135 to 124 MiB with no CPU a post or a
// logged-in page told apart from the noise (docs/benchmarks.md, "Memory,
// session 11"). Session 14 chose 40, for the issue's 100 MB: in alternated
// runs the posting run's peak fell by 6-8 MiB from 48, for 10-12% more CPU
// a post and no logged-in page told apart from the noise ("Memory, session
// 14"). Below memoryFloorMB the collector would run nearly all the time.
//
// With [server] page_cache_store = "file" the pages are not in the heap,
// only their index: some 100 bytes a page of 3.6 KB gzipped (session 13,
// BenchmarkPageCacheIndex; 530 in session 11, 680 before), counted as a
// thirty-second of the pages to leave room for smaller ones:
// fileCacheIndexShare.
const (
	memoryBesideCacheMB = 40
	memoryFloorMB       = 36
	fileCacheIndexShare = 32
)

// PageCacheHeapMB is what the visitors' page cache weighs in the Go heap at
// most: all of page_cache_mb when the pages are kept in memory, their
// index only when they are kept in a file.
func (s Server) PageCacheHeapMB() int {
	if s.PageCacheStore == "memory" {
		return s.PageCacheMB
	}
	return s.PageCacheMB / fileCacheIndexShare
}

// Error names the setting at fault, as the file spells it and as the
// environment spells it, so an operator can find it either way.
type Error struct {
	Key, Env, Problem string
}

func (e *Error) Error() string {
	return fmt.Sprintf("config: %s (%s): %s", e.Key, e.Env, e.Problem)
}

// Load reads path (when not empty) over the defaults, then the environment
// over both, then checks the result.
func Load(path string, environ []string) (Config, error) {
	cfg := Default()
	limitSet := false
	if path != "" {
		md, err := toml.DecodeFile(path, &cfg)
		if err != nil {
			var perr toml.ParseError
			if errors.As(err, &perr) {
				return cfg, fmt.Errorf("config: %s: %s", path, perr.ErrorWithPosition())
			}
			return cfg, fmt.Errorf("config: %s: %w", path, err)
		}
		if undecoded := md.Undecoded(); len(undecoded) > 0 {
			return cfg, fmt.Errorf("config: %s: unknown setting %q", path, undecoded[0].String())
		}
		limitSet = md.IsDefined("server", "memory_limit_mb")
	}
	if err := applyEnv(&cfg, environ); err != nil {
		return cfg, err
	}
	// Unless set, the memory limit follows the page cache: an operator who
	// raises page_cache_mb alone must not find the collector squeezed.
	if !limitSet && !hasEnv(environ, EnvName("server", "memory_limit_mb")) {
		cfg.Server.MemoryLimitMB = cfg.Server.PageCacheHeapMB() + memoryBesideCacheMB
	}
	return cfg, cfg.Validate()
}

// applyEnv walks the two levels of Config and sets every field whose
// CAUSERIE_<SECTION>_<KEY> variable is present.
func applyEnv(cfg *Config, environ []string) error {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "CAUSERIE_") {
			env[k] = v
		}
	}
	if len(env) == 0 {
		return nil
	}
	root := reflect.ValueOf(cfg).Elem()
	for i := range root.NumField() {
		section := root.Type().Field(i).Tag.Get("toml")
		sv := root.Field(i)
		for j := range sv.NumField() {
			key := sv.Type().Field(j).Tag.Get("toml")
			name := EnvName(section, key)
			raw, ok := env[name]
			if !ok {
				continue
			}
			if err := setField(sv.Field(j), raw); err != nil {
				return &Error{Key: section + "." + key, Env: name, Problem: err.Error()}
			}
		}
	}
	return nil
}

func hasEnv(environ []string, name string) bool {
	for _, kv := range environ {
		if strings.HasPrefix(kv, name+"=") {
			return true
		}
	}
	return false
}

// EnvName is the environment variable that overrides [section] key.
func EnvName(section, key string) string {
	return "CAUSERIE_" + strings.ToUpper(section) + "_" + strings.ToUpper(key)
}

func setField(f reflect.Value, raw string) error {
	if u, ok := f.Addr().Interface().(interface{ UnmarshalText([]byte) error }); ok {
		return u.UnmarshalText([]byte(raw))
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(raw)
	case reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("want a whole number, got %q", raw)
		}
		f.SetInt(int64(n))
	case reflect.Slice:
		if f.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("cannot be set from the environment")
		}
		var items []string
		for _, it := range strings.Split(raw, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
		f.Set(reflect.ValueOf(items))
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("want true or false, got %q", raw)
		}
		f.SetBool(b)
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
	return nil
}

func bad(section, key, problem string) error {
	return &Error{Key: section + "." + key, Env: EnvName(section, key), Problem: problem}
}

// Validate checks every value that could otherwise fail later, far from its
// cause.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Server.Listen); err != nil {
		return bad("server", "listen", fmt.Sprintf("want host:port such as :8080 or 127.0.0.1:9000, got %q", c.Server.Listen))
	}
	u, err := url.Parse(c.Server.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("server", "base_url", fmt.Sprintf("want an absolute http:// or https:// address such as https://forum.example.com, got %q", c.Server.BaseURL))
	}
	if strings.TrimSpace(c.Server.SiteName) == "" {
		return bad("server", "site_name", "must not be empty")
	}
	if c.Server.Secret != "" && len(c.Server.Secret) < 32 {
		return bad("server", "secret", "want at least 32 characters (or leave empty to keep a generated one in the data folder)")
	}
	if c.Server.PageCacheMB < 0 || c.Server.PageCacheMB > 4096 {
		return bad("server", "page_cache_mb", "want 0 (no cache) to 4096")
	}
	if c.Server.PageCacheTTL.Duration <= 0 {
		return bad("server", "page_cache_ttl", "want a positive duration such as 2m")
	}
	if c.Server.PageCacheStore != "file" && c.Server.PageCacheStore != "memory" {
		return bad("server", "page_cache_store", fmt.Sprintf(`want "file" (the pages in a file of the data folder) or "memory" (in the server's heap), got %q`, c.Server.PageCacheStore))
	}
	if floor := c.Server.PageCacheHeapMB() + memoryFloorMB; c.Server.MemoryLimitMB < 0 || c.Server.MemoryLimitMB > 0 && c.Server.MemoryLimitMB < floor {
		return bad("server", "memory_limit_mb", fmt.Sprintf("want 0 (no limit) or at least %d MiB: what [server] page_cache_mb (%d) keeps in memory with page_cache_store = %q (%d) plus %d for the rest of the server, got %d",
			floor, c.Server.PageCacheMB, c.Server.PageCacheStore, c.Server.PageCacheHeapMB(), memoryFloorMB, c.Server.MemoryLimitMB))
	}
	if c.Server.PprofListen != "" {
		if _, _, err := net.SplitHostPort(c.Server.PprofListen); err != nil {
			return bad("server", "pprof_listen", fmt.Sprintf("want empty (off) or host:port such as 127.0.0.1:6060, got %q", c.Server.PprofListen))
		}
	}
	if c.Server.ShutdownTimeout.Duration <= 0 {
		return bad("server", "shutdown_timeout", "want a positive duration such as 15s")
	}
	if strings.TrimSpace(c.Data.Dir) == "" {
		return bad("data", "dir", "must name a folder")
	}
	if c.Database.URL != "" {
		if _, err := c.Database.Driver(); err != nil {
			return bad("database", "url", err.Error())
		}
	}
	if c.Database.MaxOpenConns < 0 {
		return bad("database", "max_open_conns", fmt.Sprintf("want 1 or more, or 0 for the database's default (%d on SQLite, %d on PostgreSQL), got %d",
			sqliteConns, postgresConns, c.Database.MaxOpenConns))
	}
	if c.Database.SQLiteCacheKB != 0 && (c.Database.SQLiteCacheKB < 64 || c.Database.SQLiteCacheKB > 1<<20) {
		return bad("database", "sqlite_cache_kb", fmt.Sprintf("want KiB between 64 and 1048576, or 0 for SQLite's default (2000), got %d", c.Database.SQLiteCacheKB))
	}
	if c.Mail.Port < 1 || c.Mail.Port > 65535 {
		return bad("mail", "port", fmt.Sprintf("want a port between 1 and 65535, got %d", c.Mail.Port))
	}
	if _, err := mail.ParseAddress(c.Mail.From); err != nil {
		return bad("mail", "from", fmt.Sprintf("want an address such as \"Forum <noreply@example.com>\", got %q", c.Mail.From))
	}
	switch c.Mail.TLS {
	case "starttls", "tls", "none":
	default:
		return bad("mail", "tls", fmt.Sprintf("want starttls, tls or none, got %q", c.Mail.TLS))
	}
	if c.Mail.BatchMinutes < 1 || c.Mail.BatchMinutes > 24*60 {
		return bad("mail", "batch_minutes", fmt.Sprintf("want minutes between 1 and 1440, got %d", c.Mail.BatchMinutes))
	}
	switch c.Accounts.DefaultLanguage {
	case "en", "fr":
	default:
		return bad("accounts", "default_language", fmt.Sprintf("want en or fr, got %q", c.Accounts.DefaultLanguage))
	}
	var mem, passes, lanes int
	if n, err := fmt.Sscanf(c.Accounts.PasswordHash, "m=%d,t=%d,p=%d", &mem, &passes, &lanes); err != nil || n != 3 || mem < 8 || passes < 1 || lanes < 1 || lanes > 255 {
		return bad("accounts", "password_hash", fmt.Sprintf("want argon2id cost m=KIB,t=PASSES,p=LANES such as m=19456,t=2,p=1, got %q", c.Accounts.PasswordHash))
	}
	if c.Accounts.MinPasswordLength < 8 {
		return bad("accounts", "min_password_length", "want 8 or more")
	}
	for key, v := range map[string]string{"login": c.RateLimit.Login, "register": c.RateLimit.Register, "reset": c.RateLimit.Reset} {
		if _, err := ParseRate(v); err != nil {
			return bad("ratelimit", key, err.Error())
		}
	}
	p := c.Posting
	if p.MinTitleLength < 1 || p.MaxTitleLength < p.MinTitleLength || p.MaxTitleLength > 300 {
		return bad("posting", "max_title_length", "want min_title_length ≥ 1 and max_title_length between it and 300")
	}
	if p.MinPostLength < 1 || p.MaxPostLength < p.MinPostLength || p.MaxPostLength > 100000 {
		return bad("posting", "max_post_length", "want min_post_length ≥ 1 and max_post_length between it and 100000")
	}
	if p.MaxTags < 0 || p.MaxTags > 20 {
		return bad("posting", "max_tags", "want 0 to 20")
	}
	if len(p.Reactions) == 0 || p.Reactions[0] != "like" {
		return bad("posting", "reactions", `want a list starting with "like", e.g. ["like", "heart", "thanks"]`)
	}
	for _, r := range p.Reactions {
		if !reactionRE.MatchString(r) {
			return bad("posting", "reactions", fmt.Sprintf("%q: want lowercase letters", r))
		}
	}
	if p.PostsPerPage < 5 || p.PostsPerPage > 100 {
		return bad("posting", "posts_per_page", "want 5 to 100")
	}
	if p.TopicsPerPage < 5 || p.TopicsPerPage > 100 {
		return bad("posting", "topics_per_page", "want 5 to 100")
	}
	if err := c.validateCommunity(); err != nil {
		return err
	}
	if err := c.validateAntispam(); err != nil {
		return err
	}
	if err := c.Review.validate(); err != nil {
		return err
	}
	if err := c.Uploads.validate(); err != nil {
		return err
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return bad("log", "level", fmt.Sprintf("want debug, info, warn or error, got %q", c.Log.Level))
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return bad("log", "format", fmt.Sprintf("want text or json, got %q", c.Log.Format))
	}
	return nil
}

func (u Uploads) validate() error {
	if u.MaxImageMB < 1 || u.MaxImageMB > 100 {
		return bad("uploads", "max_image_mb", "want 1 to 100")
	}
	if u.MaxFileMB < 1 || u.MaxFileMB > 1024 {
		return bad("uploads", "max_file_mb", "want 1 to 1024")
	}
	for _, t := range u.AllowedFiles {
		if !mimeRE.MatchString(t) {
			return bad("uploads", "allowed_files", fmt.Sprintf("%q: want MIME types such as \"application/pdf\", without parameters", t))
		}
		if unsafeTypes[t] || strings.HasPrefix(t, "image/") {
			return bad("uploads", "allowed_files", fmt.Sprintf("%q cannot be allowed: browsers run or render it (images are always allowed and re-encoded)", t))
		}
	}
	if u.ImageMaxPx < 64 || u.ImageMaxPx > 16384 {
		return bad("uploads", "image_max_px", "want 64 to 16384")
	}
	if u.AvatarPx < 32 || u.AvatarPx > 1024 {
		return bad("uploads", "avatar_px", "want 32 to 1024")
	}
	return nil
}

var mimeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$`)

// unsafeTypes are attachment types a browser would render as a page or run:
// they are never allowed, whatever the setting says.
var unsafeTypes = map[string]bool{
	"text/html": true, "application/xhtml+xml": true, "text/xml": true, "application/xml": true,
	"text/javascript": true, "application/javascript": true, "application/x-shockwave-flash": true,
}

// The connections OpenConns gives when max_open_conns is 0. On SQLite
// each connection keeps a page cache and its prepared statements, and
// each thread in SQLite's code may keep a heap of the C library's: 8 were
// as fast as 10 on 2 cores, for some 8 MiB less (docs/benchmarks.md,
// "Memory, session 12"). PostgreSQL's statements wait on the network:
// its logged-in page took some 15% more CPU with 8 (one run each).
const (
	sqliteConns   = 8
	postgresConns = 10
)

// OpenConns is the most connections to open to a database of dialect:
// max_open_conns, or when 0 the default for the dialect.
func (d Database) OpenConns(dialect string) int {
	switch {
	case d.MaxOpenConns > 0:
		return d.MaxOpenConns
	case dialect == "postgres":
		return postgresConns
	}
	return sqliteConns
}

// Driver says which database the URL points at: "sqlite" or "postgres".
func (d Database) Driver() (string, error) {
	switch {
	case d.URL == "":
		return "sqlite", nil
	case strings.HasPrefix(d.URL, "postgres://"), strings.HasPrefix(d.URL, "postgresql://"):
		return "postgres", nil
	case strings.HasPrefix(d.URL, "sqlite:"), strings.HasPrefix(d.URL, "file:"):
		return "sqlite", nil
	}
	return "", fmt.Errorf("want empty (SQLite in the data folder), sqlite:PATH or postgres://user@host/db, got %q", redact(d.URL))
}

// redact hides a password in a URL so an error message can quote it.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

var reactionRE = regexp.MustCompile(`^[a-z]{2,20}$`)

// Rate is a number of events allowed per period, written "10-15m".
type Rate struct {
	Limit  int
	Period time.Duration
}

// ParseRate reads "N-DURATION", e.g. "10-15m" for ten per fifteen minutes.
func ParseRate(s string) (Rate, error) {
	n, p, ok := strings.Cut(s, "-")
	limit, err := strconv.Atoi(n)
	if !ok || err != nil || limit < 1 {
		return Rate{}, fmt.Errorf("want COUNT-PERIOD such as 10-15m, got %q", s)
	}
	period, err := time.ParseDuration(p)
	if err != nil || period <= 0 {
		return Rate{}, fmt.Errorf("want COUNT-PERIOD such as 10-15m, got %q", s)
	}
	return Rate{Limit: limit, Period: period}, nil
}

// Secure says whether cookies must be marked Secure.
func (s Server) Secure() bool { return strings.HasPrefix(s.BaseURL, "https://") }
