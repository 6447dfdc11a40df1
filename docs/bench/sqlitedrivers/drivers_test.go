// Package sqlitedrivers compares the two SQLite drivers for GORM that
// Causerie could use: gorm.io/driver/sqlite (cgo, mattn/go-sqlite3) and
// github.com/glebarez/sqlite (pure Go, modernc.org/sqlite).
//
// It lives in its own module so that the main module never depends on both.
//
// Run with:
//
//	go test -bench . -benchmem -count 3 -run '^$'
package sqlitedrivers

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	glebarez "github.com/glebarez/sqlite"
	mattn "gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

const (
	seedRows   = 100_000 // rows in posts before the read benchmarks run
	seedTopics = 1_000   // posts are spread round-robin over this many topics
	pageSize   = 20      // posts per keyset page
	bodyBytes  = 600     // approximate size of a post body
)

// Post is shaped like a forum post.
type Post struct {
	ID        int64 `gorm:"primaryKey"`
	TopicID   int64
	UserID    int64
	Body      string
	CreatedAt time.Time
}

// schema is created with plain SQL so both drivers get exactly the same table.
var schema = []string{
	`CREATE TABLE posts (
		id         INTEGER PRIMARY KEY,
		topic_id   INTEGER NOT NULL,
		user_id    INTEGER NOT NULL,
		body       TEXT    NOT NULL,
		created_at DATETIME NOT NULL
	)`,
	`CREATE INDEX idx_posts_topic_id_id ON posts (topic_id, id)`,
}

type driver struct {
	name string
	open func(path string) gorm.Dialector
}

// Both drivers are opened with the same pragmas: WAL journal, foreign keys on,
// busy_timeout 5000 ms, synchronous NORMAL. Each driver applies its DSN pragmas
// to every new connection in the pool.
var drivers = []driver{
	{"mattn-cgo", func(path string) gorm.Dialector {
		return mattn.Open(path + "?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=5000&_synchronous=NORMAL")
	}},
	{"modernc-purego", func(path string) gorm.Dialector {
		return glebarez.Open(path + "?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)")
	}},
}

func openDB(tb testing.TB, d driver, path string) *gorm.DB {
	tb.Helper()
	db, err := gorm.Open(d.open(path), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		tb.Fatalf("%s: open: %v", d.name, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sqlDB.Close() })
	checkPragmas(tb, d, db)
	return db
}

// checkPragmas fails unless the DSN pragmas took effect. It checks two
// connections held at the same time, so that it is not only the first
// connection of the pool that has them.
func checkPragmas(tb testing.TB, d driver, db *gorm.DB) {
	tb.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	for i := range 2 {
		conn, err := sqlDB.Conn(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		defer conn.Close()
		want := map[string]string{
			"journal_mode": "wal",
			"foreign_keys": "1",
			"busy_timeout": "5000",
			"synchronous":  "1", // NORMAL
		}
		for pragma, w := range want {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				tb.Fatalf("%s: PRAGMA %s: %v", d.name, pragma, err)
			}
			if strings.ToLower(got) != w {
				tb.Fatalf("%s: connection %d: PRAGMA %s = %q, want %q", d.name, i, pragma, got, w)
			}
		}
	}
}

func createSchema(tb testing.TB, db *gorm.DB) {
	tb.Helper()
	for _, s := range schema {
		if err := db.Exec(s).Error; err != nil {
			tb.Fatal(err)
		}
	}
}

var lorem = strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ", 10)

func body(i int64) string {
	s := fmt.Sprintf("post %d: %s", i, lorem)
	return s[:bodyBytes]
}

// seed inserts seedRows posts in one transaction. Post i belongs to topic
// (i-1)%seedTopics+1, so the j-th post (0-based) of topic t has id j*seedTopics+t.
// Topics are interleaved as they would be on a live forum.
func seed(tb testing.TB, db *gorm.DB) {
	tb.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		tb.Fatal(err)
	}
	tx, err := sqlDB.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	stmt, err := tx.Prepare(`INSERT INTO posts (id, topic_id, user_id, body, created_at) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := int64(1); i <= seedRows; i++ {
		topic := (i-1)%seedTopics + 1
		if _, err := stmt.Exec(i, topic, i%5000+1, body(i), start.Add(time.Duration(i)*time.Second)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := stmt.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	if err := db.Exec("ANALYZE").Error; err != nil {
		tb.Fatal(err)
	}
}

// keysetArgs picks a topic and a cursor so that the page holds pageSize posts:
// one of the first pages of a topic (each topic has seedRows/seedTopics posts).
func keysetArgs(r *rand.Rand) (topic, after int64) {
	topic = r.Int64N(seedTopics) + 1
	perTopic := int64(seedRows / seedTopics)
	pos := r.Int64N(perTopic/pageSize) * pageSize // 0, 20, 40, ...
	if pos == 0 {
		return topic, 0
	}
	return topic, (pos-1)*seedTopics + topic // id of the post just before the page
}

func keysetPage(db *gorm.DB, topic, after int64, out *[]Post) error {
	return db.Where("topic_id = ? AND id > ?", topic, after).
		Order("id").Limit(pageSize).Find(out).Error
}

// TestPragmas checks the DSN pragmas and that both drivers read back what was
// written. The benchmarks also check the pragmas each time they open a DB.
func TestPragmas(t *testing.T) {
	for _, d := range drivers {
		t.Run(d.name, func(t *testing.T) {
			db := openDB(t, d, filepath.Join(t.TempDir(), "forum.db"))
			createSchema(t, db)
			want := Post{ID: 1, TopicID: 2, UserID: 3, Body: body(1), CreatedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
			if err := db.Create(&want).Error; err != nil {
				t.Fatal(err)
			}
			var got Post
			if err := db.First(&got, 1).Error; err != nil {
				t.Fatal(err)
			}
			if got.Body != want.Body || !got.CreatedAt.Equal(want.CreatedAt) || got.TopicID != 2 {
				t.Fatalf("read back %+v, want %+v", got, want)
			}
			var version string
			db.Raw("SELECT sqlite_version()").Scan(&version)
			t.Logf("%s: SQLite %s", d.name, version)
		})
	}
}

// BenchmarkDrivers opens one database per driver, seeds it once, and runs
// each operation as a sub-benchmark against it:
//
//	PointLookup     db.First(&post, id) with a random id
//	KeysetPage      20 posts of a random topic after a cursor, one goroutine
//	KeysetParallel  the same from b.RunParallel (GOMAXPROCS goroutines)
//	InsertTx        one post inserted in its own transaction (db.Transaction + Create)
//
// InsertTx runs last and writes to topics the reads never touch.
func BenchmarkDrivers(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			db := openDB(b, d, filepath.Join(b.TempDir(), "forum.db"))
			createSchema(b, db)
			seed(b, db)

			b.Run("PointLookup", func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 2))
				var p Post
				for b.Loop() {
					id := r.Int64N(seedRows) + 1
					p = Post{} // GORM adds a set primary key of the destination to the WHERE clause
					if err := db.First(&p, id).Error; err != nil {
						b.Fatal(err)
					}
					if p.ID != id {
						b.Fatalf("got post %d, want %d", p.ID, id)
					}
				}
			})

			b.Run("KeysetPage", func(b *testing.B) {
				r := rand.New(rand.NewPCG(3, 4))
				var posts []Post
				for b.Loop() {
					topic, after := keysetArgs(r)
					posts = posts[:0]
					if err := keysetPage(db, topic, after, &posts); err != nil {
						b.Fatal(err)
					}
					if len(posts) != pageSize {
						b.Fatalf("topic %d after %d: %d posts, want %d", topic, after, len(posts), pageSize)
					}
				}
			})

			b.Run("KeysetParallel", func(b *testing.B) {
				var seeds atomic.Uint64
				b.RunParallel(func(pb *testing.PB) {
					r := rand.New(rand.NewPCG(seeds.Add(1), 5))
					var posts []Post
					for pb.Next() {
						topic, after := keysetArgs(r)
						posts = posts[:0]
						if err := keysetPage(db, topic, after, &posts); err != nil {
							b.Error(err)
							return
						}
						if len(posts) != pageSize {
							b.Errorf("topic %d after %d: %d posts, want %d", topic, after, len(posts), pageSize)
							return
						}
					}
				})
			})

			b.Run("InsertTx", func(b *testing.B) {
				var i int64
				for b.Loop() {
					i++
					p := Post{
						TopicID:   seedTopics + 1 + i%100, // topics the reads never use
						UserID:    i%5000 + 1,
						Body:      body(i),
						CreatedAt: time.Now(),
					}
					err := db.Transaction(func(tx *gorm.DB) error {
						return tx.Create(&p).Error
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// TestSmallWorkload times 2,000 single-post insert transactions and 2,000
// keyset pages on a small database. It is meant to be compared with and
// without the race detector:
//
//	go test -run TestSmallWorkload -v
//	go test -race -run TestSmallWorkload -v
func TestSmallWorkload(t *testing.T) {
	const n = 2000
	for _, d := range drivers {
		t.Run(d.name, func(t *testing.T) {
			db := openDB(t, d, filepath.Join(t.TempDir(), "forum.db"))
			createSchema(t, db)
			start := time.Now()
			for i := int64(1); i <= n; i++ {
				p := Post{TopicID: i%50 + 1, UserID: i%100 + 1, Body: body(i), CreatedAt: time.Now()}
				err := db.Transaction(func(tx *gorm.DB) error { return tx.Create(&p).Error })
				if err != nil {
					t.Fatal(err)
				}
			}
			inserts := time.Since(start)
			start = time.Now()
			var posts []Post
			for i := int64(0); i < n; i++ {
				posts = posts[:0]
				if err := keysetPage(db, i%50+1, 0, &posts); err != nil {
					t.Fatal(err)
				}
				if len(posts) != pageSize {
					t.Fatalf("topic %d: %d posts, want %d", i%50+1, len(posts), pageSize)
				}
			}
			t.Logf("%s: %d insert transactions %v, %d keyset pages %v",
				d.name, n, inserts.Round(time.Millisecond), n, time.Since(start).Round(time.Millisecond))
		})
	}
}
