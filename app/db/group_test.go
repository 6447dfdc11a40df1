package db_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

var errRefused = errors.New("refused")

// add numbers and inserts one item; a label "bad…" is refused after its
// writes, so its savepoint has something to undo.
func add(ctx context.Context, tx *gorm.DB, label string) (int, error) {
	var n int
	if err := tx.Raw("UPDATE counters SET n = n + 1 WHERE id = 1 RETURNING n").Scan(&n).Error; err != nil {
		return 0, err
	}
	if err := tx.Exec("INSERT INTO items (number, label) VALUES (?, ?)", n, label).Error; err != nil {
		return 0, err
	}
	if len(label) >= 3 && label[:3] == "bad" {
		return 0, errRefused
	}
	return n, nil
}

// Many writes at once through the group writer all land, numbered 1..N
// without a gap, and the ones that fail (an error, a panic, a cancelled
// request) fail alone: their writes are undone and each gets its own error,
// the writes grouped with them commit.
func TestGroupWrites(t *testing.T) {
	d := openSQLite(t, 5*time.Second)
	if err := d.Exec("CREATE TABLE items (id INTEGER PRIMARY KEY, number INTEGER NOT NULL UNIQUE, label TEXT NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	if err := d.Exec("INSERT INTO counters (id, n) VALUES (1, 0)").Error; err != nil {
		t.Fatal(err)
	}
	g := d.Group()
	const writers = 200
	type result struct {
		label string
		n     int
		err   error
		pan   any
	}
	results := make([]result, writers)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[i]
			r.label = fmt.Sprintf("ok-%d", i)
			ctx := context.Background()
			switch i % 10 {
			case 3:
				r.label = fmt.Sprintf("bad-%d", i)
			case 7:
				r.label = fmt.Sprintf("panic-%d", i)
			case 9:
				if i%20 == 9 {
					r.label = fmt.Sprintf("cancelled-%d", i)
					ctx = cancelled
				}
			}
			defer func() { r.pan = recover() }()
			r.err = g.Write(ctx, func(ctx context.Context, tx *gorm.DB) error {
				if ctx.Err() != nil {
					return errors.New("the write's context carries a cancellation")
				}
				n, err := add(ctx, tx, r.label)
				if err != nil {
					return err
				}
				if strings.HasPrefix(r.label, "panic") {
					panic("boom " + r.label)
				}
				r.n = n
				return nil
			})
		}()
	}
	wg.Wait()

	want := 0
	for _, r := range results {
		switch r.label[:3] {
		case "ok-":
			want++
			if r.err != nil || r.pan != nil || r.n == 0 {
				t.Errorf("%s: err %v, panic %v, number %d; want it written", r.label, r.err, r.pan, r.n)
			}
		case "bad":
			if !errors.Is(r.err, errRefused) {
				t.Errorf("%s: err %v, want its own error", r.label, r.err)
			}
		case "pan":
			if r.pan != "boom "+r.label {
				t.Errorf("%s: panic %v in the caller, want its own", r.label, r.pan)
			}
		case "can":
			if !errors.Is(r.err, context.Canceled) {
				t.Errorf("%s: err %v, want context.Canceled", r.label, r.err)
			}
		}
	}
	var rows []struct {
		Number int
		Label  string
	}
	if err := d.Raw("SELECT number, label FROM items ORDER BY number").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != want {
		t.Fatalf("%d items written, want %d", len(rows), want)
	}
	byLabel := map[string]int{}
	for i, row := range rows {
		if row.Number != i+1 {
			t.Fatalf("item %d has number %d: the numbers have a gap or a repeat", i+1, row.Number)
		}
		byLabel[row.Label] = row.Number
	}
	for _, r := range results {
		if r.label[:3] == "ok-" && byLabel[r.label] != r.n {
			t.Errorf("%s: told number %d, stored %d", r.label, r.n, byLabel[r.label])
		}
		if r.label[:3] != "ok-" && byLabel[r.label] != 0 {
			t.Errorf("%s was stored (number %d), want it undone", r.label, byLabel[r.label])
		}
	}
	var n int
	d.Raw("SELECT n FROM counters WHERE id = 1").Scan(&n)
	if n != want {
		t.Errorf("counter %d, want %d: a failed write's update was kept", n, want)
	}
}

// A write through the group writer is on disk when Write returns: another
// connection (another pool) reads it at once, and a write whose commit
// holds it never waits for the next one.
func TestGroupWriteVisibleOnReturn(t *testing.T) {
	d := openSQLite(t, 5*time.Second)
	if err := d.Exec("INSERT INTO counters (id, n) VALUES (1, 0)").Error; err != nil {
		t.Fatal(err)
	}
	g := d.Group()
	for i := 1; i <= 20; i++ {
		err := g.Write(context.Background(), func(ctx context.Context, tx *gorm.DB) error {
			return tx.Exec("UPDATE counters SET n = ? WHERE id = 1", i).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.SQL().QueryRow("SELECT n FROM counters WHERE id = 1").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != i {
			t.Fatalf("read %d right after write %d", n, i)
		}
	}
}

// A group that repeats a statement compiles it once, not at each
// repetition (database/sql prepares a transaction's statement again at
// each use).
func TestGroupStatementsCompiledOnce(t *testing.T) {
	d := openSQLite(t, 5*time.Second)
	if err := d.Exec("INSERT INTO counters (id, n) VALUES (1, 0)").Error; err != nil {
		t.Fatal(err)
	}
	bump := func(tx *gorm.DB) error {
		var n int
		return tx.Raw("UPDATE counters SET n = n + 1 WHERE id = ? RETURNING n", 1).Scan(&n).Error
	}
	if err := d.Transaction(bump); err != nil {
		t.Fatal(err)
	}
	before := d.Compiled()
	err := d.Transaction(func(tx *gorm.DB) error {
		for range 50 {
			if err := bump(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Compiled() - before; got > 1 {
		t.Errorf("one transaction running a statement 50 times compiled %d statements, want at most 1", got)
	}
	var n int
	d.Raw("SELECT n FROM counters WHERE id = 1").Scan(&n)
	if n != 51 {
		t.Errorf("counter %d, want 51", n)
	}
}

// A write alone in its group runs without a savepoint: when it fails after
// writing, or panics, nothing of it is kept, and the next write commits.
func TestGroupLoneWriteRollsBack(t *testing.T) {
	d := openSQLite(t, 5*time.Second)
	if err := d.Exec("INSERT INTO counters (id, n) VALUES (1, 0)").Error; err != nil {
		t.Fatal(err)
	}
	g := d.Group()
	refused := errors.New("refused after writing")
	err := g.Write(context.Background(), func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Exec("UPDATE counters SET n = 5 WHERE id = 1").Error; err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Errorf("lone failing write: %v, want its own error", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a lone write's panic did not reach its caller")
			}
		}()
		_ = g.Write(context.Background(), func(ctx context.Context, tx *gorm.DB) error {
			tx.Exec("UPDATE counters SET n = 6 WHERE id = 1")
			panic("in the middle of a write")
		})
	}()
	var n int
	if err := d.Raw("SELECT n FROM counters WHERE id = 1").Scan(&n).Error; err != nil || n != 0 {
		t.Errorf("after a refused and a panicking write: n = %d (%v), want 0", n, err)
	}
	if err := g.Write(context.Background(), func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec("UPDATE counters SET n = 7 WHERE id = 1").Error
	}); err != nil {
		t.Fatal(err)
	}
	if err := d.Raw("SELECT n FROM counters WHERE id = 1").Scan(&n).Error; err != nil || n != 7 {
		t.Errorf("the next write: n = %d (%v), want 7", n, err)
	}
}
