package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"causerie/app/config"
	"causerie/app/db"
)

// With every request connection taken (max_open_conns 10 here: 6 for
// requests, 4 for background work), a request waits, while the job
// workers, whose context is marked Background, still get a connection,
// for statements and for transactions (which the jobs' EnqueueTx finds as
// a *sql.Tx, inside GORM's prepared-statement transaction on SQLite).
func TestBackgroundPool(t *testing.T) {
	for _, dialect := range dialects() {
		t.Run(dialect, func(t *testing.T) {
			d := openWith(t, dialect, func(c *config.Config) { c.Database.MaxOpenConns = 10 })
			ctx := context.Background()
			var held []*sql.Rows
			for range 6 {
				rows, err := d.WithContext(ctx).Raw("SELECT 1").Rows()
				if err != nil {
					t.Fatal(err)
				}
				held = append(held, rows)
			}
			wait, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancel()
			var n int
			if err := d.WithContext(wait).Raw("SELECT 1").Scan(&n).Error; !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("a seventh request got a connection: %v", err)
			}
			bg, cancel := context.WithTimeout(db.Background(ctx), 5*time.Second)
			defer cancel()
			if err := d.WithContext(bg).Raw("SELECT 2").Scan(&n).Error; err != nil || n != 2 {
				t.Errorf("background statement: %d, %v", n, err)
			}
			err := d.WithContext(bg).Transaction(func(tx *gorm.DB) error {
				// On SQLite it keeps the pool's prepared statements: the
				// *sql.Tx is inside (app/jobs finds it there).
				pool := tx.Statement.ConnPool
				if p, ok := pool.(*gorm.PreparedStmtTX); ok {
					pool = p.Tx
				}
				if _, ok := pool.(*sql.Tx); !ok {
					t.Errorf("a background transaction runs on %T, not a *sql.Tx", tx.Statement.ConnPool)
				}
				return tx.Raw("SELECT 3").Scan(&n).Error
			})
			if err != nil || n != 3 {
				t.Errorf("background transaction: %d, %v", n, err)
			}
			for _, r := range held {
				r.Close()
			}
			if err := d.WithContext(ctx).Raw("SELECT 4").Scan(&n).Error; err != nil || n != 4 {
				t.Errorf("request after: %d, %v", n, err)
			}
			if sqlDB, err := d.DB.DB(); err != nil || sqlDB != d.SQL() {
				t.Errorf("gorm's DB() = %v, %v, want the requests' pool", sqlDB, err)
			}
		})
	}
}

// By default (max_open_conns = 0) requests get 4 connections to SQLite
// and 6 to PostgreSQL, the background jobs 4 more on either.
func TestDefaultConnections(t *testing.T) {
	want := map[string]int{"sqlite": 4, "postgres": 6}
	for _, dialect := range dialects() {
		t.Run(dialect, func(t *testing.T) {
			d := open(t, dialect)
			if got := d.SQL().Stats().MaxOpenConnections; got != want[dialect] {
				t.Errorf("requests' connections: %d, want %d", got, want[dialect])
			}
			if got := d.BackgroundSQL().Stats().MaxOpenConnections; got != 4 {
				t.Errorf("background connections: %d, want 4", got)
			}
		})
	}
}
