package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"causerie/app/config"
	"causerie/app/db"
	"causerie/app/jobs"
	"causerie/app/testutil"
)

var ctx = context.Background()

// each runs fn on SQLite and, when CAUSERIE_TEST_POSTGRES_URL is set, on a
// fresh PostgreSQL database. fn gets the configuration, to open the same
// database again (see open).
func each(t *testing.T, fn func(t *testing.T, cfg config.Config)) {
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
			fn(t, cfg)
		})
	}
}

// quiet is the tests' logger: silent unless CAUSERIE_TEST_LOG is set.
func quiet() *slog.Logger {
	if os.Getenv("CAUSERIE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// open opens and migrates the database; it is closed when the test ends.
func open(t *testing.T, cfg config.Config) *db.DB {
	t.Helper()
	d, err := db.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx, quiet()); err != nil {
		t.Fatal(err)
	}
	return d
}

func drain(t *testing.T, q *jobs.Queue) {
	t.Helper()
	if err := q.Drain(ctx); err != nil {
		t.Fatalf("drain: %v", err)
	}
}

// counter is a handler that counts its runs by payload.
type counter struct {
	mu   sync.Mutex
	runs map[string]int
}

func (c *counter) handle(_ context.Context, payload []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.runs == nil {
		c.runs = map[string]int{}
	}
	c.runs[string(payload)]++
	return nil
}

func (c *counter) count(payload string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runs[payload]
}

func pending(t *testing.T, d *db.DB) int64 {
	t.Helper()
	var n int64
	if err := d.Raw(`SELECT count(*) FROM goqite`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// dueIn says how long until the one pending job may run again.
func dueIn(t *testing.T, d *db.DB) time.Duration {
	t.Helper()
	var due time.Time
	if d.Dialect == "postgres" {
		if err := d.Raw(`SELECT timeout FROM goqite`).Scan(&due).Error; err != nil {
			t.Fatal(err)
		}
	} else {
		var s string
		if err := d.Raw(`SELECT timeout FROM goqite`).Scan(&s).Error; err != nil {
			t.Fatal(err)
		}
		var err error
		if due, err = time.Parse(time.RFC3339Nano, s); err != nil {
			t.Fatal(err)
		}
	}
	return time.Until(due)
}

// makeDue moves every pending job's time to the past, as if its backoff or
// lease had run out, so tests need not wait.
func makeDue(t *testing.T, d *db.DB) {
	t.Helper()
	var past any = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if d.Dialect != "postgres" {
		past = "2000-01-01T00:00:00.000Z"
	}
	if err := d.Exec(`UPDATE goqite SET timeout = ?`, past).Error; err != nil {
		t.Fatal(err)
	}
}

// A job enqueued in a transaction that rolls back never runs; one that
// commits runs exactly once.
func TestEnqueueTx(t *testing.T) {
	each(t, func(t *testing.T, cfg config.Config) {
		d := open(t, cfg)
		q := jobs.New(d, quiet(), jobs.Options{})
		var c counter
		q.Register("count", c.handle)

		err := d.Transaction(func(tx *gorm.DB) error {
			if err := q.EnqueueTx(ctx, tx, "count", "rolled back"); err != nil {
				return err
			}
			return errors.New("the change fails")
		})
		if err == nil || err.Error() != "the change fails" {
			t.Fatalf("transaction: %v", err)
		}
		if err := d.Transaction(func(tx *gorm.DB) error { return q.EnqueueTx(ctx, tx, "count", "committed") }); err != nil {
			t.Fatal(err)
		}
		drain(t, q)
		drain(t, q)
		if c.count(`"rolled back"`) != 0 || c.count(`"committed"`) != 1 {
			t.Errorf("runs = %v, want only the committed job, once", c.runs)
		}
		if n := pending(t, d); n != 0 {
			t.Errorf("%d jobs left in the queue", n)
		}
	})
}

func TestEnqueueMisuse(t *testing.T) {
	d := open(t, func() config.Config { c := config.Default(); c.Data.Dir = t.TempDir(); return c }())
	q := jobs.New(d, quiet(), jobs.Options{})
	q.Register("known", func(context.Context, []byte) error { return nil })
	if err := q.EnqueueTx(ctx, d.DB, "known", nil); !errors.Is(err, jobs.ErrNotInTx) {
		t.Errorf("EnqueueTx outside a transaction = %v, want ErrNotInTx", err)
	}
	err := d.Transaction(func(tx *gorm.DB) error { return q.EnqueueTx(ctx, tx, "unknown", nil) })
	if err == nil || !strings.Contains(err.Error(), "no handler") {
		t.Errorf("EnqueueTx of an unregistered job = %v", err)
	}
	if err := q.Enqueue(ctx, "known", make(chan int), 0); err == nil {
		t.Error("a payload that is not JSON was accepted")
	}
	for name, f := range map[string]func(){
		"twice": func() { q.Register("known", func(context.Context, []byte) error { return nil }) },
		"every": func() { q.Every("unknown", time.Hour) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{4 * time.Second, 16 * time.Second, 64 * time.Second, 256 * time.Second,
		1024 * time.Second, time.Hour, time.Hour, time.Hour}
	for i, w := range want {
		if got := jobs.Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}

// A failing job is retried after a growing delay, then kept as dead with
// its last error; requeued, it runs again.
func TestRetryThenDead(t *testing.T) {
	each(t, func(t *testing.T, cfg config.Config) {
		d := open(t, cfg)
		q := jobs.New(d, quiet(), jobs.Options{MaxAttempts: 3})
		var calls atomic.Int32
		var fixed atomic.Bool
		q.Register("flaky", func(_ context.Context, payload []byte) error {
			calls.Add(1)
			if fixed.Load() {
				return nil
			}
			return fmt.Errorf("boom %d", calls.Load())
		})
		if err := q.Enqueue(ctx, "flaky", map[string]int{"id": 7}, 0); err != nil {
			t.Fatal(err)
		}
		for attempt, wait := range []time.Duration{4 * time.Second, 16 * time.Second} {
			drain(t, q)
			if got := calls.Load(); got != int32(attempt+1) {
				t.Fatalf("after attempt %d: %d calls", attempt+1, got)
			}
			if in := dueIn(t, d); in < wait-2*time.Second || in > wait {
				t.Errorf("after attempt %d the retry is due in %v, want about %v", attempt+1, in, wait)
			}
			drain(t, q) // not due yet: nothing runs
			if got := calls.Load(); got != int32(attempt+1) {
				t.Fatalf("a job ran before its backoff ended")
			}
			makeDue(t, d)
		}
		drain(t, q)
		if calls.Load() != 3 || pending(t, d) != 0 {
			t.Fatalf("calls = %d, pending = %d; want 3 calls and the job gone from the queue", calls.Load(), pending(t, d))
		}
		dead, err := q.Dead(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(dead) != 1 {
			t.Fatalf("dead jobs = %+v", dead)
		}
		j := dead[0]
		if j.Name != "flaky" || string(j.Payload) != `{"id":7}` || j.Attempts != 3 || j.LastError != "boom 3" ||
			j.EnqueuedAt.IsZero() || j.FailedAt.Before(j.EnqueuedAt) {
			t.Errorf("dead job = %+v", j)
		}

		fixed.Store(true)
		if err := q.Requeue(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		drain(t, q)
		if dead, _ := q.Dead(ctx, 10); calls.Load() != 4 || len(dead) != 0 || pending(t, d) != 0 {
			t.Errorf("after requeue: calls = %d, dead = %+v", calls.Load(), dead)
		}
		if err := q.Requeue(ctx, j.ID); !errors.Is(err, jobs.ErrDeadNotFound) {
			t.Errorf("requeue twice = %v", err)
		}
	})
}

// A panicking handler is a failed attempt: the job is retried, and the
// worker goes on with other jobs.
func TestPanic(t *testing.T) {
	each(t, func(t *testing.T, cfg config.Config) {
		d := open(t, cfg)
		q := jobs.New(d, quiet(), jobs.Options{Workers: 1, PollInterval: 10 * time.Millisecond})
		var panics atomic.Int32
		q.Register("panics", func(context.Context, []byte) error {
			if panics.Add(1) == 1 {
				panic("handler bug")
			}
			return nil
		})
		ran := make(chan struct{})
		q.Register("after", func(context.Context, []byte) error { close(ran); return nil })
		if err := q.Enqueue(ctx, "panics", nil, 0); err != nil {
			t.Fatal(err)
		}
		if err := q.Enqueue(ctx, "after", nil, 0); err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); q.Start(runCtx) }()
		select {
		case <-ran:
		case <-time.After(30 * time.Second):
			t.Fatal("the worker did not go on after a panic")
		}
		stop()
		<-done
		if panics.Load() != 1 || pending(t, d) != 1 {
			t.Fatalf("panics = %d, pending = %d; want the panicked job waiting for its retry", panics.Load(), pending(t, d))
		}
		makeDue(t, d)
		drain(t, q)
		if panics.Load() != 2 || pending(t, d) != 0 {
			t.Errorf("after the retry: %d runs, %d pending", panics.Load(), pending(t, d))
		}
	})
}

// A job no handler on this node knows is a failure, not a crash.
func TestUnknownJob(t *testing.T) {
	each(t, func(t *testing.T, cfg config.Config) {
		d := open(t, cfg)
		sender := jobs.New(d, quiet(), jobs.Options{})
		sender.Register("elsewhere", func(context.Context, []byte) error { return nil })
		if err := sender.Enqueue(ctx, "elsewhere", nil, 0); err != nil {
			t.Fatal(err)
		}
		other := jobs.New(d, quiet(), jobs.Options{MaxAttempts: 1})
		drain(t, other)
		dead, err := other.Dead(ctx, 10)
		if err != nil || len(dead) != 1 || !strings.Contains(dead[0].LastError, "no handler") {
			t.Errorf("dead = %+v, %v", dead, err)
		}
	})
}

// A job whose last attempt never reported back (the node died) is kept as
// dead once its lease runs out, not left in the table for ever.
func TestLostLastAttempt(t *testing.T) {
	each(t, func(t *testing.T, cfg config.Config) {
		d := open(t, cfg)
		q := jobs.New(d, quiet(), jobs.Options{MaxAttempts: 2})
		var calls atomic.Int32
		q.Register("lost", func(context.Context, []byte) error { calls.Add(1); return nil })
		if err := q.Enqueue(ctx, "lost", nil, 0); err != nil {
			t.Fatal(err)
		}
		if err := d.Exec(`UPDATE goqite SET received = 2`).Error; err != nil {
			t.Fatal(err)
		}
		makeDue(t, d)
		drain(t, q)
		dead, err := q.Dead(ctx, 10)
		if err != nil || len(dead) != 1 || dead[0].Attempts != 2 || !strings.Contains(dead[0].LastError, "never finished") {
			t.Errorf("dead = %+v, %v", dead, err)
		}
		if calls.Load() != 0 || pending(t, d) != 0 {
			t.Errorf("calls = %d, pending = %d", calls.Load(), pending(t, d))
		}
	})
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// A periodic job is enqueued once per interval, even with two nodes on the
// same database looking at the same time.
func TestEvery(t *testing.T) {
	each(t, func(t *testing.T, cfg config.Config) {
		d := open(t, cfg)
		clk := &clock{now: time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)}
		var runs atomic.Int32
		nodes := make([]*jobs.Queue, 2)
		for i := range nodes {
			// Each node has its own pool, as separate processes would.
			nd := d
			if i > 0 {
				nd = open(t, cfg)
			}
			nodes[i] = jobs.New(nd, quiet(), jobs.Options{Clock: clk.Now})
			nodes[i].Register("rollup", func(_ context.Context, payload []byte) error {
				if string(payload) != "null" {
					t.Errorf("payload = %s", payload)
				}
				runs.Add(1)
				return nil
			})
			nodes[i].Every("rollup", time.Hour)
		}
		drainBoth := func() {
			t.Helper()
			var wg sync.WaitGroup
			for _, q := range nodes {
				wg.Go(func() {
					if err := q.Drain(ctx); err != nil {
						t.Errorf("drain: %v", err)
					}
				})
			}
			wg.Wait()
		}
		for _, step := range []struct {
			advance time.Duration
			want    int32
		}{{0, 1}, {0, 1}, {59 * time.Minute, 1}, {time.Minute, 2}, {0, 2}, {5 * time.Hour, 3}, {30 * time.Minute, 3}, {30 * time.Minute, 4}} {
			clk.Add(step.advance)
			drainBoth()
			drainBoth()
			if got := runs.Load(); got != step.want {
				t.Fatalf("at %s: %d runs, want %d", clk.Now().Format(time.TimeOnly), got, step.want)
			}
		}
	})
}

// Start returns once ctx ends and the job in flight has finished; the job
// is then done and gone.
func TestStartStops(t *testing.T) {
	each(t, func(t *testing.T, cfg config.Config) {
		d := open(t, cfg)
		q := jobs.New(d, quiet(), jobs.Options{Workers: 3, PollInterval: 10 * time.Millisecond})
		started, release := make(chan struct{}), make(chan struct{})
		var finished atomic.Bool
		q.Register("slow", func(ctx context.Context, _ []byte) error {
			close(started)
			<-release
			finished.Store(true)
			return ctx.Err() // not cancelled by the shutdown
		})
		if err := q.Enqueue(ctx, "slow", nil, 0); err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); q.Start(runCtx) }()
		select {
		case <-started:
		case <-time.After(30 * time.Second):
			t.Fatal("the job did not start")
		}
		stop()
		select {
		case <-done:
			t.Fatal("Start returned while a job was running")
		case <-time.After(50 * time.Millisecond):
		}
		close(release)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("Start did not return after the job finished")
		}
		if !finished.Load() || pending(t, d) != 0 {
			t.Errorf("finished = %v, pending = %d", finished.Load(), pending(t, d))
		}
	})
}

// A committed job survives the process: closed before any worker ran, the
// database still holds it, and the next start runs it.
func TestDurable(t *testing.T) {
	each(t, func(t *testing.T, cfg config.Config) {
		d, err := db.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Migrate(ctx, quiet()); err != nil {
			t.Fatal(err)
		}
		before := jobs.New(d, quiet(), jobs.Options{})
		before.Register("mail", func(context.Context, []byte) error { t.Error("ran before the restart"); return nil })
		if err := d.Transaction(func(tx *gorm.DB) error { return before.EnqueueTx(ctx, tx, "mail", 42) }); err != nil {
			t.Fatal(err)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}

		after := open(t, cfg)
		q := jobs.New(after, quiet(), jobs.Options{})
		var c counter
		q.Register("mail", c.handle)
		drain(t, q)
		if c.count("42") != 1 {
			t.Errorf("runs after restart = %v", c.runs)
		}
	})
}

// Two nodes with several workers each run every job exactly once.
func TestWorkersShareTheQueue(t *testing.T) {
	each(t, func(t *testing.T, cfg config.Config) {
		const n = 40
		var c counter
		var total atomic.Int32
		all := make(chan struct{})
		handle := func(ctx context.Context, payload []byte) error {
			_ = c.handle(ctx, payload)
			if total.Add(1) == n {
				close(all)
			}
			return nil
		}
		first := open(t, cfg)
		runCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for i := range 2 {
			d := first
			if i > 0 {
				d = open(t, cfg)
			}
			q := jobs.New(d, quiet(), jobs.Options{Workers: 3, PollInterval: 5 * time.Millisecond})
			q.Register("work", handle)
			if i == 0 {
				err := d.Transaction(func(tx *gorm.DB) error {
					for j := range n {
						if err := q.EnqueueTx(ctx, tx, "work", j); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			wg.Go(func() { q.Start(runCtx) })
		}
		select {
		case <-all:
		case <-time.After(60 * time.Second):
			t.Errorf("only %d of %d jobs ran", total.Load(), n)
		}
		stop()
		wg.Wait()
		for j := range n {
			if got := c.count(fmt.Sprint(j)); got != 1 {
				t.Errorf("job %d ran %d times", j, got)
			}
		}
		if p := pending(t, first); p != 0 {
			t.Errorf("%d jobs pending", p)
		}
	})
}

// TestBatch: the jobs of a RegisterBatch handler that a worker takes
// together are handed over at once, with the others' jobs run as usual; a
// batch that fails is run again job by job, so only the bad job is retried.
func TestBatch(t *testing.T) {
	each(t, func(t *testing.T, cfg config.Config) {
		d := open(t, cfg)
		q := jobs.New(d, quiet(), jobs.Options{})
		var mu sync.Mutex
		var calls [][]string
		q.RegisterBatch("many", func(_ context.Context, payloads [][]byte) error {
			mu.Lock()
			defer mu.Unlock()
			var got []string
			for _, p := range payloads {
				got = append(got, string(p))
			}
			calls = append(calls, got)
			for _, p := range got {
				if p == `"bad"` {
					return errors.New("a bad one")
				}
			}
			return nil
		})
		var c counter
		q.Register("count", c.handle)
		err := d.Transaction(func(tx *gorm.DB) error {
			for i := range 5 {
				if err := q.EnqueueTx(ctx, tx, "many", i); err != nil {
					return err
				}
			}
			if err := q.EnqueueEachTx(ctx, tx, []string{"many", "count"}, "both"); err != nil {
				return err
			}
			return q.EnqueueTx(ctx, tx, "count", "one")
		})
		if err != nil {
			t.Fatal(err)
		}
		drain(t, q)
		if len(calls) != 1 || len(calls[0]) != 6 {
			t.Fatalf("batch calls = %v, want the 6 jobs in one call", calls)
		}
		if c.count(`"both"`) != 1 || c.count(`"one"`) != 1 {
			t.Errorf("plain runs = %v", c.runs)
		}
		if n := pending(t, d); n != 0 {
			t.Fatalf("%d jobs left in the queue", n)
		}

		calls = nil
		err = d.Transaction(func(tx *gorm.DB) error {
			for _, p := range []string{"a", "bad", "b"} {
				if err := q.EnqueueTx(ctx, tx, "many", p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		drain(t, q)
		// Jobs enqueued in the same millisecond come in any order.
		var singles []string
		for _, c := range calls[min(1, len(calls)):] {
			singles = append(singles, c...)
		}
		slices.Sort(singles)
		if len(calls) != 4 || len(calls[0]) != 3 || fmt.Sprint(singles) != `["a" "b" "bad"]` {
			t.Errorf("batch calls = %q, want the 3 jobs at once, then each alone", calls)
		}
		if n := pending(t, d); n != 1 {
			t.Errorf("%d jobs left in the queue, want the bad one, waiting for its retry", n)
		}
	})
}

// TestBacklogTakesGrow: a backlog is taken in growing takes (64, 128, 256,
// …) rather than 64 at a time, so a batch handler gets a busy forum's jobs
// in a few calls; every job runs once and none is left.
func TestBacklogTakesGrow(t *testing.T) {
	each(t, func(t *testing.T, cfg config.Config) {
		d := open(t, cfg)
		q := jobs.New(d, quiet(), jobs.Options{})
		var sizes []int
		seen := map[string]int{}
		q.RegisterBatch("many", func(_ context.Context, payloads [][]byte) error {
			sizes = append(sizes, len(payloads))
			for _, p := range payloads {
				seen[string(p)]++
			}
			return nil
		})
		const n = 1000
		err := d.Transaction(func(tx *gorm.DB) error {
			for i := range n {
				if err := q.EnqueueTx(ctx, tx, "many", i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		drain(t, q)
		if want := []int{64, 128, 256, 512, 40}; !slices.Equal(sizes, want) {
			t.Errorf("batch sizes = %v, want %v", sizes, want)
		}
		if len(seen) != n {
			t.Errorf("%d distinct jobs ran, want %d", len(seen), n)
		}
		for p, c := range seen {
			if c != 1 {
				t.Errorf("job %s ran %d times", p, c)
			}
		}
		if left := pending(t, d); left != 0 {
			t.Errorf("%d jobs left in the queue", left)
		}
	})
}

// Workers that keep finding the queue empty take in turns, a poll interval
// apart, rather than each every poll interval: with jobs coming one at a
// time and takes that take a while, two workers' takes are no closer than
// one worker's would be, so each gathers the jobs of a whole interval.
func TestIdleWorkersTakeInTurns(t *testing.T) {
	each(t, func(t *testing.T, cfg config.Config) {
		d := open(t, cfg)
		const poll = 100 * time.Millisecond
		q := jobs.New(d, quiet(), jobs.Options{Workers: 2, PollInterval: poll})
		var mu sync.Mutex
		var takes []time.Time
		var ran atomic.Int32
		q.RegisterBatch("trickle", func(_ context.Context, ps [][]byte) error {
			mu.Lock()
			takes = append(takes, time.Now())
			mu.Unlock()
			ran.Add(int32(len(ps)))
			time.Sleep(poll / 4) // the work of a take, which sets the workers apart
			return nil
		})
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); q.Start(runCtx) }()
		const n = 60
		began := time.Now()
		for i := range n {
			if err := q.Enqueue(ctx, "trickle", i, 0); err != nil {
				t.Fatal(err)
			}
			time.Sleep(poll / 5)
		}
		deadline := time.Now().Add(30 * time.Second)
		for ran.Load() < n && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		elapsed := time.Since(began)
		stop()
		<-done
		if ran.Load() != n {
			t.Fatalf("%d of %d jobs ran", ran.Load(), n)
		}
		mu.Lock()
		defer mu.Unlock()
		// One take a poll interval while jobs come (and the last ones
		// after); each worker taking every interval would make about twice
		// as many.
		if most := int(elapsed/poll) + 3; len(takes) > most {
			t.Errorf("%d takes in %v, want at most %d (one a poll interval of %v)", len(takes), elapsed.Round(time.Millisecond), most, poll)
		}
	})
}
