package db

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"
)

// backgroundConns is the most connections the background pool takes out
// of [database] max_open_conns: enough for the job workers (two by
// default) and the queue's housekeeping, each with a transaction open and
// a statement beside it.
const backgroundConns = 4

type backgroundKey struct{}

// Background marks ctx as background work's (the job workers'): its
// statements go to a small pool of connections of their own. Go's pool
// hands a freed connection to any of its waiters, so under load the
// workers waited behind every request in flight, one statement after the
// other, and the jobs a busy forum makes fell further and further behind.
func Background(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

// isBackground says whether ctx was marked by Background.
func isBackground(ctx context.Context) bool {
	return ctx != nil && ctx.Value(backgroundKey{}) != nil
}

// pools is what GORM runs statements and begins transactions on: the
// requests' pool, or the background pool for a context marked by
// Background. A transaction stays on the pool it began on. On SQLite each
// keeps its statements prepared (see prepared).
type pools struct {
	main, bg     gorm.ConnPool
	mainDB, bgDB *sql.DB // main and bg without GORM's prepared statements
}

// split divides max connections between the requests and the background
// work; below four in all there is one pool for both.
func split(max int) (main, bg int) {
	bg = min(backgroundConns, max/2)
	if bg < 2 {
		return max, 0
	}
	return max - bg, bg
}

// prepared keeps the statements run on db prepared, the least used closed
// past size: SQLite compiling each statement again was an eighth of a
// logged-in topic page. Each is prepared on every connection it ran on,
// some KB each. (PostgreSQL's driver keeps its own.)
func prepared(db *sql.DB, size int) gorm.ConnPool {
	return gorm.NewPreparedStmtDB(db, size, 30*time.Minute)
}

// pick is the pool ctx's statements run on. A query whose text varies
// with its data (see varies) skips GORM's prepared statements, which keep
// the last 256 queries compiled on every connection each ran on: it is
// compiled for this run and finalised after it.
func (p *pools) pick(ctx context.Context, query string) gorm.ConnPool {
	bg, once := p.bg != nil && isBackground(ctx), varies(query)
	switch {
	case once && bg:
		return p.bgDB
	case once:
		return p.mainDB
	case bg:
		return p.bg
	}
	return p.main
}

func (p *pools) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.pick(ctx, query).PrepareContext(ctx, query)
}

func (p *pools) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.pick(ctx, query).ExecContext(ctx, query, args...)
}

func (p *pools) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.pick(ctx, query).QueryContext(ctx, query, args...)
}

// QueryRowContext: with a context already done, database/sql's own Row,
// whose Scan says so. GORM's prepared statements (SQLite) answer a failed
// prepare with an empty Row, whose Scan panics.
func (p *pools) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if ctx.Err() != nil {
		return p.mainDB.QueryRowContext(ctx, query, args...)
	}
	return p.pick(ctx, query).QueryRowContext(ctx, query, args...)
}

// BeginTx begins on the pool ctx picks: a plain transaction, or one that
// uses the pool's prepared statements.
func (p *pools) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	switch b := p.pick(ctx, "").(type) {
	case gorm.ConnPoolBeginner:
		return b.BeginTx(ctx, opts)
	case gorm.TxBeginner:
		tx, err := b.BeginTx(ctx, opts)
		if err != nil {
			return nil, err
		}
		return tx, nil
	}
	return nil, gorm.ErrInvalidTransaction
}

// GetDBConn is the requests' pool, for gorm.DB.DB().
func (p *pools) GetDBConn() (*sql.DB, error) { return p.mainDB, nil }
