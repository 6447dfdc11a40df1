package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"causerie/app/config"
	"causerie/app/db"
)

func openSQLite(t testing.TB, busy time.Duration) *db.DB {
	t.Helper()
	cfg := config.Default()
	cfg.Data.Dir = t.TempDir()
	cfg.Database.BusyTimeout = config.Duration{Duration: busy}
	d, err := db.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Exec("CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	return d
}

// Many writers at once, in transactions and in single statements (with
// RETURNING, which SQLite runs as its rows are read), all get through and
// none of their writes is lost.
func TestSQLiteWritersQueue(t *testing.T) {
	d := openSQLite(t, 5*time.Second)
	d.Exec("INSERT INTO counters (id, n) VALUES (1, 0)")
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				err := d.Transaction(func(tx *gorm.DB) error {
					var n int
					if err := tx.Raw("SELECT n FROM counters WHERE id = 1").Scan(&n).Error; err != nil {
						return err
					}
					return tx.Exec("UPDATE counters SET n = ? WHERE id = 1", n+1).Error
				})
				if err == nil {
					var id int64
					err = d.Raw("INSERT INTO counters (n) VALUES (1) RETURNING id").Scan(&id).Error
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a writer failed: %v", err)
	}
	var n, rows int
	d.Raw("SELECT n FROM counters WHERE id = 1").Scan(&n)
	d.Raw("SELECT count(*) FROM counters").Scan(&rows)
	if n != 16*20 || rows != 1+16*20 {
		t.Errorf("counter %d and %d rows, want %d and %d", n, rows, 16*20, 1+16*20)
	}
}

// A write that cannot get the lock (this very goroutine holds it in a
// transaction) fails once the busy timeout has passed, as SQLite's own
// busy handler would: it does not wait for ever. It waited in the write
// queue, not in SQLite's busy handler, whether run as a statement or read
// as rows (RETURNING), both prepared and kept by GORM.
func TestSQLiteWriterGivesUp(t *testing.T) {
	d := openSQLite(t, 50*time.Millisecond)
	err := d.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("INSERT INTO counters (n) VALUES (1)").Error; err != nil {
			return err
		}
		return d.Exec("INSERT INTO counters (n) VALUES (2)").Error // another connection
	})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) && !containsLocked(err) {
		t.Fatalf("a second writer got through or failed otherwise: %v", err)
	}
	if !strings.Contains(err.Error(), "waited for the write lock") {
		t.Errorf("the statement did not wait in the write queue: %v", err)
	}
	err = d.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("INSERT INTO counters (n) VALUES (1)").Error; err != nil {
			return err
		}
		var id int64
		return d.Raw("INSERT INTO counters (n) VALUES (2) RETURNING id").Scan(&id).Error
	})
	if err == nil || !strings.Contains(err.Error(), "waited for the write lock") {
		t.Errorf("INSERT … RETURNING did not wait in the write queue: %v", err)
	}
	// Nothing stays locked afterwards.
	if err := d.Exec("INSERT INTO counters (n) VALUES (3)").Error; err != nil {
		t.Errorf("write after the failed one: %v", err)
	}
}

func containsLocked(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if s := e.Error(); len(s) >= 18 && s[:18] == "database is locked" {
			return true
		}
	}
	return false
}

// Statements run in transactions are compiled once per connection, not in
// every transaction (GORM prepares them on the transaction, and
// database/sql cannot reuse those in the next one); a statement run again
// while its first rows are still being read gets a statement of its own;
// and statements whose text varies without end are not all kept.
func TestSQLiteTransactionStatementsKept(t *testing.T) {
	d := openSQLite(t, 5*time.Second)
	for i := 1; i <= 3; i++ {
		d.Exec("INSERT INTO counters (id, n) VALUES (?, ?)", i, 10*i)
	}
	bump := func() error {
		return d.Transaction(func(tx *gorm.DB) error {
			return tx.Exec("UPDATE counters SET n = n + 1 WHERE id = ?", 1).Error
		})
	}
	if err := bump(); err != nil {
		t.Fatal(err)
	}
	before := d.Compiled()
	for range 50 {
		if err := bump(); err != nil {
			t.Fatal(err)
		}
	}
	if got := d.Compiled() - before; got > 5 { // one per connection at most
		t.Errorf("50 transactions of one statement compiled %d statements, want at most one per connection", got)
	}
	var n int
	d.Raw("SELECT n FROM counters WHERE id = 1").Scan(&n)
	if n != 61 {
		t.Errorf("after 51 bumps n = %d, want 61", n)
	}

	// The same query inside its own rows' loop, in a transaction, twice.
	for range 2 {
		err := d.Transaction(func(tx *gorm.DB) error {
			rows, err := tx.Raw("SELECT id, n FROM counters WHERE id <= ? ORDER BY id", 3).Rows()
			if err != nil {
				return err
			}
			defer rows.Close()
			var seen []int
			for rows.Next() {
				var id, n int
				if err := rows.Scan(&id, &n); err != nil {
					return err
				}
				var inner []struct{ ID, N int }
				if err := tx.Raw("SELECT id, n FROM counters WHERE id <= ? ORDER BY id", 1).Scan(&inner).Error; err != nil {
					return err
				}
				if len(inner) != 1 || inner[0].ID != 1 {
					t.Errorf("the inner query read ids %v, want [1]", inner)
				}
				seen = append(seen, id)
			}
			if len(seen) != 3 {
				t.Errorf("the outer query read ids %v, want [1 2 3]: the inner one cut it", seen)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	// Many distinct statements: each runs right, in any number.
	for i := range 300 {
		err := d.Transaction(func(tx *gorm.DB) error {
			var got int
			q := fmt.Sprintf("SELECT n + %d FROM counters WHERE id = 2", i)
			if err := tx.Raw(q).Scan(&got).Error; err != nil {
				return err
			}
			if got != 20+i {
				t.Errorf("%s = %d, want %d", q, got, 20+i)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A statement whose text grows with its data (an IN list of many ids, as a
// take of jobs or a batch of posts makes) is finalised after its use, in a
// transaction or not, in the background pool or not: kept, each length
// stayed compiled on every connection it ran on, and SQLite's memory grew
// with every new length under a posting load. Each still runs right.
func TestSQLiteVaryingStatementsNotKept(t *testing.T) {
	d := openSQLite(t, 5*time.Second)
	for i := 1; i <= 3; i++ {
		d.Exec("INSERT INTO counters (id, n) VALUES (?, ?)", i, 10*i)
	}
	in := func(n int) (string, []any) {
		args := make([]any, n)
		for i := range args {
			args[i] = i + 1 // ids 1..n: the three rows
		}
		return "SELECT count(*) FROM counters WHERE id IN (?" + strings.Repeat(", ?", n-1) + ")", args
	}
	before := d.OpenStatements()
	for _, ctx := range []context.Context{context.Background(), db.Background(context.Background())} {
		for n := 100; n < 140; n++ {
			q, args := in(n)
			var got int
			if err := d.WithContext(ctx).Raw(q, args...).Scan(&got).Error; err != nil || got != 3 {
				t.Fatalf("IN list of %d outside a transaction: %d rows, %v; want 3", n, got, err)
			}
			err := d.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				got = 0
				if err := tx.Raw(q, args...).Scan(&got).Error; err != nil || got != 3 {
					t.Errorf("IN list of %d in a transaction: %d rows, %v; want 3", n, got, err)
				}
				return tx.Exec("UPDATE counters SET n = n + 1 WHERE id IN (?"+strings.Repeat(", ?", n-1)+")", args...).Error
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := d.OpenStatements() - before; got > 10 {
		t.Errorf("after 160 statements of 80 lengths, %d are still compiled, want at most 10", got)
	}
	var n int
	d.Raw("SELECT n FROM counters WHERE id = 3").Scan(&n)
	if n != 30+80 {
		t.Errorf("after 80 updates n = %d, want %d", n, 30+80)
	}
}

// Each SQLite connection keeps the page cache [database] sqlite_cache_kb
// says (SQLite's cache_size counts KiB when negative); 0 leaves SQLite's
// default.
func TestSQLiteCacheSize(t *testing.T) {
	for _, tc := range []struct {
		kb   int
		want int
	}{{512, -512}, {4096, -4096}, {0, -2000}} {
		cfg := config.Default()
		cfg.Data.Dir = t.TempDir()
		cfg.Database.SQLiteCacheKB = tc.kb
		d, err := db.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		var got int
		if err := d.Raw("PRAGMA cache_size").Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		d.Close()
		if got != tc.want {
			t.Errorf("sqlite_cache_kb = %d: PRAGMA cache_size = %d, want %d", tc.kb, got, tc.want)
		}
	}
}

// Cancelling works on SQLite where a request sees it: a context already
// done starts no statement, whether run directly, prepared or as a row
// (GORM's prepared statements answer a failed prepare with an empty Row
// whose Scan panicked); a transaction whose context is cancelled rolls
// back; and the rows of a statement stop once its context is cancelled.
func TestSQLiteCancelledContextRunsNothing(t *testing.T) {
	d := openSQLite(t, time.Second)
	ctx := context.Background()
	if err := d.Exec("INSERT INTO counters (id, n) VALUES (1, 1), (2, 2), (3, 3)").Error; err != nil {
		t.Fatal(err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := d.WithContext(done).Exec("INSERT INTO counters (id, n) VALUES (4, 4)").Error; !errors.Is(err, context.Canceled) {
		t.Errorf("insert with a cancelled context: %v, want context.Canceled", err)
	}
	var n int
	if err := d.WithContext(done).Raw("SELECT count(*) FROM counters").Row().Scan(&n); !errors.Is(err, context.Canceled) {
		t.Errorf("row with a cancelled context: %v, want context.Canceled", err)
	}
	if err := d.WithContext(done).Raw("SELECT count(*) FROM counters").Scan(&n).Error; !errors.Is(err, context.Canceled) {
		t.Errorf("query with a cancelled context: %v, want context.Canceled", err)
	}

	tctx, cancel := context.WithCancel(ctx)
	err := d.WithContext(tctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("INSERT INTO counters (id, n) VALUES (5, 5)").Error; err != nil {
			return err
		}
		cancel()
		return tx.Exec("INSERT INTO counters (id, n) VALUES (6, 6)").Error
	})
	if err == nil {
		t.Error("a transaction whose context was cancelled committed")
	}
	if err := d.Raw("SELECT count(*) FROM counters").Scan(&n).Error; err != nil || n != 3 {
		t.Errorf("rows after the cancelled insert and transaction: %d, %v; want the 3 first", n, err)
	}

	live, cancel := context.WithCancel(ctx)
	rows, err := d.WithContext(live).Raw("SELECT n FROM counters ORDER BY n").Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("first row: %v", rows.Err())
	}
	cancel() // the client went away while the rows were read
	deadline := time.Now().Add(5 * time.Second)
	for rows.Next() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // database/sql closes the rows as it sees the cancel
	}
	if err := rows.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("rows read on after their context was cancelled: %v, want context.Canceled", err)
	}
}

// BenchmarkSQLiteReadRows reads 200 rows with a request's context (one
// that can be cancelled) and without, outside a transaction: what reading
// a page's posts, authors and reactions costs per row
// (docs/sqlite-driver.md, "Cancellation"). cpu-µs/op is the process's CPU
// time per query, steadier than ns/op on a shared machine.
//
//	go test ./app/db -run '^$' -bench BenchmarkSQLiteReadRows -benchtime 3000x
func BenchmarkSQLiteReadRows(b *testing.B) {
	d := openSQLite(b, time.Second)
	if err := d.Exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 200)
		INSERT INTO counters (id, n) SELECT i, i * 7 FROM s`).Error; err != nil {
		b.Fatal(err)
	}
	for _, cancellable := range []bool{false, true} {
		name := "background"
		if cancellable {
			name = "request"
		}
		b.Run(name, func(b *testing.B) {
			cpu := cpuTime()
			for i := 0; i < b.N; i++ {
				ctx, cancel := context.Background(), context.CancelFunc(func() {})
				if cancellable {
					ctx, cancel = context.WithCancel(ctx)
				}
				rows, err := d.WithContext(ctx).Raw("SELECT id, n FROM counters ORDER BY id").Rows()
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					var id, v int64
					if err := rows.Scan(&id, &v); err != nil {
						b.Fatal(err)
					}
					n++
				}
				rows.Close()
				cancel()
				if n != 200 {
					b.Fatalf("read %d rows, want 200", n)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// A statement with an IN list (an ephemeral table, with a page cache of
// its own, in SQLite) does not make the process fault fresh memory in
// every time it runs: the C allocator keeps what the last one freed
// (keepCHeapTop). Before, every such statement cost page faults and
// system calls, a quarter of a logged-in topic page's CPU.
//
// It measures in a process of its own (the test binary run again for this
// test alone): the C allocator has one heap for all threads (one_arena),
// and what the package's other tests left in it sits above what these
// statements free, which then is never at the top to be given back, with
// either setting.
func TestSQLiteStatementsReuseMemory(t *testing.T) {
	if runtime.GOOS != "linux" || raceDetector {
		t.Skip("page faults are counted on Linux, without the race detector")
	}
	if os.Getenv("CAUSERIE_FAULTS_ALONE") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteStatementsReuseMemory$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "CAUSERIE_FAULTS_ALONE=1")
		out, err := cmd.CombinedOutput()
		t.Logf("in a process of its own:\n%s", out)
		if err == nil && strings.Contains(string(out), "--- SKIP: TestSQLiteStatementsReuseMemory") {
			t.Skip("skipped in a process of its own")
		}
		if err != nil || !strings.Contains(string(out), "--- PASS: TestSQLiteStatementsReuseMemory") {
			t.Errorf("the test failed in a process of its own (%v)", err)
		}
		return
	}
	d := openSQLite(t, time.Second)
	if err := d.Exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2000)
		INSERT INTO counters (id, n) SELECT i, i * 7 FROM s`).Error; err != nil {
		t.Fatal(err)
	}
	// Through database/sql with one prepared statement, so that Go's own
	// allocations (and its heap's faults) stay few: the faults counted are
	// the C side's.
	in := strings.TrimSuffix(strings.Repeat("?,", 40), ",")
	stmt, err := d.SQL().Prepare("SELECT n FROM counters WHERE id IN (" + in + ") UNION ALL SELECT n FROM counters WHERE id IN (" + in + ")")
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	args := make([]any, 80)
	for i := range args {
		args[i] = int64(1 + i%40*37)
	}
	query := func() {
		rows, err := stmt.Query(args...)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if n != 80 {
			t.Fatalf("read %d rows, want 80", n)
		}
	}
	for range 50 {
		query()
	}
	// Go's own allocations fault pages in too, more or less with what else
	// runs on the machine: the same statements are counted with the C
	// library's default (128 KiB) and with the server's setting, in turns.
	faults := func(keep int) int64 {
		if !db.KeepCHeapTop(keep) {
			t.Skip("the C library has no M_TRIM_THRESHOLD")
		}
		runtime.GC()
		before := minorFaults()
		for range 2000 {
			query()
		}
		return minorFaults() - before
	}
	var given, kept int64
	for range 3 {
		given += faults(128 << 10)
		kept += faults(db.CHeapTop)
	}
	// Alone on the machine: some 0.2 faults a statement kept, 1.6 to 1.9
	// given back.
	t.Logf("page faults of 6,000 statements: %d with the server's setting, %d with glibc's default", kept, given)
	if kept*2 > given {
		t.Errorf("6,000 statements faulted memory in %d times with the server's setting and %d with glibc's default: want less than half", kept, given)
	}
}

func minorFaults() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Minflt
}

// The C allocator keeps to one arena however many threads call SQLite at
// once: set as the program loads (ctrim.go's one_arena), before the Go
// runtime's threads made arenas of their own. With glibc's default, each
// thread that allocates while another does gets one, up to eight per core,
// each keeping free memory of its own.
func TestCArenasLimited(t *testing.T) {
	if db.CArenas() < 0 || raceDetector {
		t.Skip("glibc's allocator only (the race detector brings its own)")
	}
	if os.Getenv("MALLOC_ARENA_MAX") != "" || strings.Contains(os.Getenv("GLIBC_TUNABLES"), "arena_max") {
		t.Skip("the environment sets glibc's arenas")
	}
	d := openSQLite(t, time.Second)
	if err := d.Exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2000)
		INSERT INTO counters (id, n) SELECT i, i * 7 FROM s`).Error; err != nil {
		t.Fatal(err)
	}
	// Sixteen threads of their own, each with its own connection, read at
	// once: with glibc's default most would soon have an arena.
	d.SQL().SetMaxOpenConns(16)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for range 40 {
				var sum int64
				if err := d.SQL().QueryRow("SELECT sum(n) FROM counters WHERE id IN (SELECT id FROM counters ORDER BY n DESC LIMIT 500)").Scan(&sum); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := db.CArenas(); n != 1 {
		t.Errorf("the C allocator made %d arenas for 16 threads calling SQLite, want 1", n)
	}
}
