// Package db opens Causerie's database (SQLite in the data folder, or
// PostgreSQL), applies the embedded migrations with goose, and reports on
// the connection pool. Domains get the *gorm.DB it opens; nothing here knows
// a domain.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"causerie/app/config"
	"causerie/migrations"
)

// DB is the open database and the dialect it speaks.
type DB struct {
	*gorm.DB
	Dialect string // "sqlite" or "postgres"
	sql     *sql.DB
	bg      *sql.DB         // the background pool (see Background); nil when there is one pool
	gated   *gatedConnector // SQLite's connections; nil on PostgreSQL

	groupOnce sync.Once
	group     *Group // see Group
}

// Open connects to the database the config names: a PostgreSQL URL, or an
// SQLite file (by default causerie.db in the data folder, created readable by
// the server's user only).
func Open(ctx context.Context, cfg config.Config) (*DB, error) {
	dialect, err := cfg.Database.Driver()
	if err != nil {
		return nil, err
	}
	gcfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		PrepareStmt:            false,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	var g *gorm.DB
	var openBackground func() (*sql.DB, error)
	var gated *gatedConnector
	switch dialect {
	case "postgres": // pgx keeps its own cache of prepared statements
		g, err = gorm.Open(postgres.Open(cfg.Database.URL), gcfg)
		openBackground = func() (*sql.DB, error) {
			bg, err := gorm.Open(postgres.Open(cfg.Database.URL), gcfg)
			if err != nil {
				return nil, err
			}
			return bg.DB()
		}
	default:
		path := sqlitePath(cfg)
		if err := prepareFile(path); err != nil {
			return nil, err
		}
		dialector, conn, connector, derr := sqliteDialector(path, cfg.Database.BusyTimeout.Duration, cfg.Database.SQLiteCacheKB)
		if derr != nil {
			return nil, derr
		}
		if g, err = gorm.Open(dialector, gcfg); err != nil {
			conn.Close()
		}
		gated = connector
		openBackground = func() (*sql.DB, error) { return sql.OpenDB(connector), nil }
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	// The job workers get connections of their own out of max_open_conns
	// (see Background), so that requests in flight never starve them.
	mainConns, bgConns := split(cfg.Database.OpenConns(dialect))
	limit(sqlDB, mainConns)
	d := &DB{DB: g, Dialect: dialect, sql: sqlDB, gated: gated}
	p := &pools{main: sqlDB, mainDB: sqlDB}
	if dialect == "sqlite" {
		p.main = prepared(sqlDB, 256)
	}
	if bgConns > 0 {
		if d.bg, err = openBackground(); err != nil {
			sqlDB.Close()
			return nil, fmt.Errorf("open %s database: %w", dialect, err)
		}
		limit(d.bg, bgConns)
		p.bg, p.bgDB = d.bg, d.bg
		if dialect == "sqlite" {
			p.bg = prepared(d.bg, 64)
		}
	}
	g.ConnPool, g.Statement.ConnPool = p, p
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.Ping(pingCtx); err != nil {
		d.Close()
		return nil, fmt.Errorf("reach %s database (check [database] url / CAUSERIE_DATABASE_URL): %w", dialect, err)
	}
	return d, nil
}

func limit(p *sql.DB, n int) {
	p.SetMaxOpenConns(n)
	p.SetMaxIdleConns(n)
	p.SetConnMaxIdleTime(5 * time.Minute)
}

func sqlitePath(cfg config.Config) string {
	u := cfg.Database.URL
	switch {
	case u == "":
		return filepath.Join(cfg.Data.Dir, "causerie.db")
	case strings.HasPrefix(u, "sqlite:"):
		return strings.TrimPrefix(u, "sqlite:")
	}
	return strings.TrimPrefix(u, "file:")
}

// prepareFile creates the database file with owner-only permissions before
// SQLite does, so the file (and the -wal and -shm files SQLite gives the same
// mode) is never readable by other users.
func prepareFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create database folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("create database file %s: %w", path, err)
	}
	return f.Close()
}

// SQL is the underlying pool, for health checks and metrics.
func (d *DB) SQL() *sql.DB { return d.sql }

// BackgroundSQL is the job workers' pool (see Background), for metrics;
// nil when there is one pool for all.
func (d *DB) BackgroundSQL() *sql.DB { return d.bg }

// Close closes the pools; SQLite checkpoints its WAL on the last close.
func (d *DB) Close() error {
	if d.bg == nil {
		return d.sql.Close()
	}
	return errors.Join(d.bg.Close(), d.sql.Close())
}

// Ping says whether the database answers, on each pool.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.sql.PingContext(ctx); err != nil || d.bg == nil {
		return err
	}
	return d.bg.PingContext(ctx)
}

func (d *DB) provider() (*goose.Provider, error) {
	dialect := goose.DialectSQLite3
	if d.Dialect == "postgres" {
		dialect = goose.DialectPostgres
	}
	sub, err := fs.Sub(migrations.FS, d.Dialect)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, d.sql, sub)
}

// Migrate applies every pending migration.
func (d *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	p, err := d.provider()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", filepath.Base(r.Source.Path), "took", r.Duration)
	}
	return nil
}

// MigrateDown rolls back every migration. Tests use it to check that each
// migration can be undone; no command offers it.
func (d *DB) MigrateDown(ctx context.Context) error {
	p, err := d.provider()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, 0)
	return err
}

// Migration is one migration's state, for `causerie migrate status`.
type Migration struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// Status lists every migration and whether it has been applied.
func (d *DB) Status(ctx context.Context) ([]Migration, error) {
	p, err := d.provider()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]Migration, 0, len(st))
	for _, s := range st {
		out = append(out, Migration{
			Version:   s.Source.Version,
			Name:      filepath.Base(s.Source.Path),
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// IsUniqueViolation says whether err comes from a unique index, on either
// database.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}

// One takes the single row q selects, or returns notFound (the domain's
// ErrNotFound) when there is none; other errors say what was looked for.
func One[T any](q *gorm.DB, notFound error, what string) (*T, error) {
	var v T
	switch err := q.Take(&v).Error; {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return nil, notFound
	case err != nil:
		return nil, fmt.Errorf("get %s: %w", what, err)
	}
	return &v, nil
}
