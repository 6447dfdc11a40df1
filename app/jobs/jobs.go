// Package jobs is Causerie's durable background job queue. A job is a row in
// the main database (the goqite table of maragu.dev/goqite), inserted in the
// same transaction as the change that asks for it, so the two commit or roll
// back together; workers on every node take due jobs, run their handlers,
// retry failures with backoff, and keep the jobs that fail for good in
// jobs_dead. It imports no domain: app/event builds the event bus on it, and
// app.New registers the handlers.
//
// goqite gives us the queue itself: SendTx into the caller's *sql.Tx on
// SQLite and PostgreSQL alike, and Receive/Extend/Delete with a lease (a
// received job is hidden until its timeout passes, so a crashed worker's job
// comes back). Its jobs.Runner does not fit, so the small runner here
// replaces it: the Runner retries a failed job only when its lease runs out
// (a fixed delay, no backoff), panics the whole process on a job name it does
// not know, leaves a job that used up its receives in the table without a
// word, and cannot run the due jobs synchronously, which our tests need.
//
// The table, its lease and its order are goqite's, but taking jobs,
// enqueueing an event's jobs and deleting those done are our own statements,
// each for many jobs at once: one job at a time, the queue's bookkeeping cost
// more than most jobs, and workers fell behind a busy forum.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
	"maragu.dev/goqite"

	"causerie/app/db"
	"causerie/app/errs"
)

// queueName is the goqite queue all jobs share; the job's name travels in
// the message body, so one Receive serves every kind of job.
const queueName = "jobs"

// ErrNotInTx is returned by EnqueueTx when it is not given a transaction:
// a job enqueued outside the change's transaction could survive a rollback,
// or be lost if the process stops between the two.
var ErrNotInTx = errors.New("jobs: EnqueueTx needs the *gorm.DB of an open transaction")

// Options tune a Queue; zero values take the defaults.
type Options struct {
	// Workers is how many jobs this node runs at once (default 2).
	Workers int
	// PollInterval is how often an idle worker looks for due jobs (default
	// 200ms).
	PollInterval time.Duration
	// MaxAttempts is how many times a job runs before it is kept as dead
	// (default 8).
	MaxAttempts int
	// Timeout bounds the run of the jobs a worker takes at once (default
	// 1m): their contexts end then, and those not started go back to the
	// queue.
	Timeout time.Duration
	// Clock tells the time for periodic jobs (default time.Now); tests move
	// it forward. goqite's own lease and delay times follow the real clock.
	Clock func() time.Time
}

// Handler does one job. payload is the JSON that was enqueued. A job may run
// more than once (a retry after an error, or after a crash between the work
// and the job's deletion), so handlers must be idempotent.
type Handler func(ctx context.Context, payload []byte) error

// Queue is the job queue on one node. Register handlers and periodic jobs
// when wiring, then Start the workers.
type Queue struct {
	db    *db.DB
	gq    *goqite.Queue
	log   *slog.Logger
	opts  Options
	lease time.Duration

	mu        sync.RWMutex
	handlers  map[string]Handler
	batches   map[string]BatchHandler // jobs whose due runs are done together
	schedules []schedule
	ensured   map[string]bool // schedule rows this node has made sure exist
	started   bool

	// lastTake is when a worker of this node last began a take
	// (UnixNano): workers that found the queue empty take in turns, a
	// poll interval apart (see turn).
	lastTake atomic.Int64
}

// envelope is a goqite message body.
type envelope struct {
	Name    string          `json:"name"`
	Payload json.RawMessage `json:"payload"`
}

// New makes the queue on the database; nothing runs until Start or Drain.
func New(d *db.DB, log *slog.Logger, opts Options) *Queue {
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 200 * time.Millisecond
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.Timeout <= 0 {
		opts.Timeout = time.Minute
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	flavor := goqite.SQLFlavorSQLite
	if d.Dialect == "postgres" {
		flavor = goqite.SQLFlavorPostgreSQL
	}
	// The lease outlasts the handler's timeout, so a job is never handed to
	// a second worker while the first still runs it (if the handler heeds its
	// context), yet comes back soon after a crash.
	lease := opts.Timeout + 30*time.Second
	return &Queue{
		db:   d,
		log:  log,
		opts: opts,
		gq: goqite.New(goqite.NewOpts{DB: d.SQL(), Name: queueName, SQLFlavor: flavor,
			MaxReceive: opts.MaxAttempts, Timeout: lease}),
		lease:    lease,
		handlers: map[string]Handler{},
		batches:  map[string]BatchHandler{},
		ensured:  map[string]bool{},
	}
}

// Register names a job and its handler. Call it when wiring, before Start;
// a name registered twice is a programming error and panics. The handler
// must be idempotent: a job can run again after an error, a timeout or a
// crash, even when its first run had done the work.
func (q *Queue) Register(name string, h Handler) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.started:
		panic(fmt.Sprintf("jobs: Register(%q) after Start", name))
	case name == "" || h == nil:
		panic("jobs: Register needs a name and a handler")
	case q.handlers[name] != nil:
		panic(fmt.Sprintf("jobs: job %q registered twice", name))
	}
	q.handlers[name] = h
}

// BatchHandler does many jobs of one name at once: payloads are those of
// the jobs a worker took together (one or more). It succeeds or fails as a
// whole; when a batch of several fails, each job is run again alone, so one
// bad job does not hold up the others. Like a Handler, it must be idempotent.
type BatchHandler func(ctx context.Context, payloads [][]byte) error

// RegisterBatch names a job whose due runs are handed over together, for
// work that costs much less done many at a time (one index write for many
// posts). Call it when wiring, before Start.
func (q *Queue) RegisterBatch(name string, h BatchHandler) {
	if h == nil {
		panic("jobs: RegisterBatch needs a handler")
	}
	q.Register(name, func(ctx context.Context, payload []byte) error { return h(ctx, [][]byte{payload}) })
	q.mu.Lock()
	q.batches[name] = h
	q.mu.Unlock()
}

// EnqueueTx adds a job inside tx, the GORM transaction of the change that
// asks for it: the job exists if and only if the change commits. payload is
// encoded as JSON. The job must have been registered.
func (q *Queue) EnqueueTx(ctx context.Context, tx *gorm.DB, name string, payload any) error {
	sqlTx, err := sqlTxOf(tx)
	if err != nil {
		return fmt.Errorf("enqueue job %s: %w", name, err)
	}
	m, err := q.message(name, payload, 0)
	if err != nil {
		return err
	}
	if err := q.gq.SendTx(ctx, sqlTx, m); err != nil {
		return fmt.Errorf("enqueue job %s: %w", name, err)
	}
	return nil
}

// EnqueueEachTx is EnqueueTx for several jobs with the same payload (an
// event's subscribers), in one statement: the payload is encoded once.
func (q *Queue) EnqueueEachTx(ctx context.Context, tx *gorm.DB, names []string, payload any) error {
	if len(names) == 0 {
		return nil
	}
	sqlTx, err := sqlTxOf(tx)
	if err != nil {
		return fmt.Errorf("enqueue jobs %v: %w", names, err)
	}
	p, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("enqueue jobs %v: encode payload: %w", names, err)
	}
	var at any = time.Now().UTC()
	if q.db.Dialect != "postgres" {
		at = time.Now().UTC().Format(rfc3339Milli)
	}
	var sb strings.Builder
	sb.WriteString("INSERT INTO goqite (queue, body, timeout, priority) VALUES ")
	args := make([]any, 0, 3*len(names))
	for i, name := range names {
		q.mu.RLock()
		h := q.handlers[name]
		q.mu.RUnlock()
		if h == nil {
			return fmt.Errorf("enqueue job %s: no handler registered for it", name)
		}
		body := envelopeOf(name, p)
		if i > 0 {
			sb.WriteString(", ")
		}
		if q.db.Dialect == "postgres" {
			fmt.Fprintf(&sb, "($%d, $%d, $%d, 0)", 3*i+1, 3*i+2, 3*i+3)
		} else {
			sb.WriteString("(?, ?, ?, 0)")
		}
		args = append(args, queueName, body, at)
	}
	if _, err := sqlTx.ExecContext(ctx, sb.String(), args...); err != nil {
		return fmt.Errorf("enqueue jobs %v: %w", names, err)
	}
	return nil
}

// envelopeOf is json.Marshal(envelope{Name: name, Payload: payload}) for
// a payload json.Marshal wrote (valid and compact): the same bytes,
// without encoding/json checking and compacting the payload again for
// every subscriber of every event.
func envelopeOf(name string, payload []byte) []byte {
	q, _ := json.Marshal(name) // a string always encodes
	b := make([]byte, 0, len(`{"name":,"payload":}`)+len(q)+len(payload))
	b = append(b, `{"name":`...)
	b = append(b, q...)
	b = append(b, `,"payload":`...)
	b = append(b, payload...)
	return append(b, '}')
}

// Enqueue adds a job in a transaction of its own, to run after delay. Work
// that follows from a change uses EnqueueTx instead.
func (q *Queue) Enqueue(ctx context.Context, name string, payload any, delay time.Duration) error {
	m, err := q.message(name, payload, delay)
	if err != nil {
		return err
	}
	if err := q.gq.Send(ctx, m); err != nil {
		return fmt.Errorf("enqueue job %s: %w", name, err)
	}
	return nil
}

// CheckTx says whether tx is an open GORM transaction that EnqueueTx can
// use; it returns ErrNotInTx if not.
func CheckTx(tx *gorm.DB) error {
	_, err := sqlTxOf(tx)
	return err
}

// sqlTxOf finds the database/sql transaction under a GORM transaction.
func sqlTxOf(tx *gorm.DB) (*sql.Tx, error) {
	if tx != nil && tx.Statement != nil {
		switch p := tx.Statement.ConnPool.(type) {
		case *sql.Tx:
			return p, nil
		case *gorm.PreparedStmtTX:
			if t, ok := p.Tx.(*sql.Tx); ok {
				return t, nil
			}
		}
	}
	return nil, ErrNotInTx
}

func (q *Queue) message(name string, payload any, delay time.Duration) (goqite.Message, error) {
	q.mu.RLock()
	h := q.handlers[name]
	q.mu.RUnlock()
	if h == nil {
		return goqite.Message{}, fmt.Errorf("enqueue job %s: no handler registered for it", name)
	}
	p, err := json.Marshal(payload)
	if err != nil {
		return goqite.Message{}, fmt.Errorf("enqueue job %s: encode payload: %w", name, err)
	}
	body, err := json.Marshal(envelope{Name: name, Payload: p})
	if err != nil {
		return goqite.Message{}, fmt.Errorf("enqueue job %s: %w", name, err)
	}
	return goqite.Message{Body: body, Delay: max(delay, 0)}, nil
}

// Start runs the workers and the periodic-job clock until ctx ends, then
// waits for the jobs in flight: they finish (within Timeout) rather than
// being cut off, since a cut-off job would only run again.
func (q *Queue) Start(ctx context.Context) {
	// The jobs' statements, handlers' included, go to the database's
	// background pool: requests in flight do not hold them up.
	ctx = db.Background(ctx)
	q.mu.Lock()
	q.started = true
	q.mu.Unlock()
	var wg sync.WaitGroup
	for range q.opts.Workers {
		wg.Go(func() { q.work(ctx) })
	}
	wg.Go(func() { q.housekeep(ctx) })
	wg.Wait()
}

func (q *Queue) work(ctx context.Context) {
	pause := max(time.Second, q.opts.PollInterval)
	take := takeMin
	idle := false
	for ctx.Err() == nil {
		if idle {
			if wait := q.turn(); wait > 0 {
				sleep(ctx, wait)
				continue
			}
		} else {
			q.lastTake.Store(time.Now().UnixNano())
		}
		n, err := q.runOne(ctx, take)
		idle = n < take
		take = nextTake(n)
		switch {
		case err != nil:
			q.log.Warn("job queue: database error, pausing", "error", err, "pause", pause)
			sleep(ctx, pause)
		case idle:
			// The take left the queue empty: let jobs gather for a poll
			// interval rather than take them one or two at a time as they
			// come. A busy forum's jobs then run many at once (one index
			// write, one notification transaction for many posts, and one
			// statement to take them and one to delete them), which cost
			// several times less than each alone; a job waits at most a
			// poll interval more, as on a quiet forum.
			sleep(ctx, q.opts.PollInterval)
		}
	}
}

// turn says how long a worker that found the queue empty waits before its
// next take: until a poll interval after the last take any worker of this
// node began, so that the node's idle workers take in turns, every poll
// interval, rather than each every poll interval (with two workers, a
// take every half interval, each of half the jobs: twice the fixed cost
// of a take, half as many posts in each index write). 0: take now (and
// the take is this worker's). A worker busy with a slow job holds up no
// one: the others take once the interval has passed. While takes come
// back full, workers take without waiting, all of them.
func (q *Queue) turn() time.Duration {
	now := time.Now().UnixNano()
	last := q.lastTake.Load()
	if wait := time.Duration(last + int64(q.opts.PollInterval) - now); wait > 0 {
		return wait
	}
	if !q.lastTake.CompareAndSwap(last, now) {
		return q.opts.PollInterval / 10 // another worker took its turn just now: look again soon
	}
	return 0
}

// housekeep enqueues due periodic jobs and buries jobs whose last attempt
// was lost, about once a second.
func (q *Queue) housekeep(ctx context.Context) {
	t := time.NewTicker(max(time.Second, q.opts.PollInterval))
	defer t.Stop()
	for {
		if err := q.tick(ctx); err != nil && ctx.Err() == nil {
			q.log.Warn("job queue: housekeeping failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// Drain runs, in the calling goroutine (takes that grow as the workers'
// do, one job after the other, a BatchHandler's together), every job that
// is due now (periodic ones included), and those their handlers enqueue,
// until none is left. Failed jobs are rescheduled as usual and so are not due again at
// once. Tests use it instead of waiting for workers. It returns an error only
// when the database fails, not when a handler does.
func (q *Queue) Drain(ctx context.Context) error {
	ctx = db.Background(ctx)
	if err := q.tick(ctx); err != nil {
		return err
	}
	take := takeMin
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := q.runOne(ctx, take)
		if err != nil || n == 0 {
			return err
		}
		take = nextTake(n)
	}
}

func (q *Queue) tick(ctx context.Context) error {
	return errors.Join(q.enqueueDue(ctx), q.sweep(ctx))
}

// How many due jobs a worker takes at once: taking, and deleting those
// done, is one statement for all of them, and the jobs of a BatchHandler
// run together. A take costs about the same whatever its size (a statement
// to take and one to delete, each waiting for SQLite's write lock behind a
// group of replies; one Bleve segment written, then merged; one
// notification transaction), so a take that finds a backlog is followed by
// a bigger one: the workers catch up with a busy forum instead of falling
// further behind it. On a quiet forum takes stay at takeMin.
const (
	takeMin = 64
	takeMax = 1024
)

// nextTake is the size of the take after one that got n jobs: twice n, so
// a full take doubles the next and a take that emptied the queue brings it
// back down to what came meanwhile, within takeMin and takeMax.
func nextTake(n int) int {
	return min(max(2*n, takeMin), takeMax)
}

// runOne takes up to n due jobs and runs them; it says how many it took.
func (q *Queue) runOne(ctx context.Context, n int) (int, error) {
	ms, err := q.receiveMany(ctx, n)
	if err != nil || len(ms) == 0 {
		return 0, err
	}
	return len(ms), q.processMany(ctx, ms)
}

// taken is a job a worker took, with what orders it.
type taken struct {
	ID       string
	Body     []byte
	Priority int
	Created  string
}

// receiveMany takes up to n due jobs in one statement: the same choice as
// goqite's Receive (due, not used up, by priority then age), for n at a
// time. On PostgreSQL, FOR UPDATE SKIP LOCKED lets workers take at the same
// moment without waiting for or failing on each other.
func (q *Queue) receiveMany(ctx context.Context, n int) ([]*goqite.Message, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	now := time.Now().UTC()
	var rows []taken
	var err error
	if q.db.Dialect == "postgres" {
		err = q.db.WithContext(rctx).Raw(`UPDATE goqite SET timeout = ?, received = received + 1
			WHERE id IN (SELECT id FROM goqite WHERE queue = ? AND ? >= timeout AND received < ?
				ORDER BY priority DESC, created LIMIT ? FOR UPDATE SKIP LOCKED)
			RETURNING id, body, priority, to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS created`,
			now.Add(q.lease), queueName, now, q.opts.MaxAttempts, n).Scan(&rows).Error
	} else {
		err = q.db.WithContext(rctx).Raw(`UPDATE goqite SET timeout = ?, received = received + 1
			WHERE id IN (SELECT id FROM goqite WHERE queue = ? AND ? >= timeout AND received < ?
				ORDER BY priority DESC, created LIMIT ?)
			RETURNING id, body, priority, created`,
			now.Add(q.lease).Format(rfc3339Milli), queueName, now.Format(rfc3339Milli), q.opts.MaxAttempts, n).Scan(&rows).Error
	}
	if err != nil {
		return nil, fmt.Errorf("receive jobs: %w", err)
	}
	// RETURNING follows no order: put the jobs back in the queue's.
	slices.SortStableFunc(rows, func(a, b taken) int {
		if a.Priority != b.Priority {
			return b.Priority - a.Priority
		}
		return strings.Compare(a.Created, b.Created)
	})
	ms := make([]*goqite.Message, len(rows))
	for i, r := range rows {
		ms[i] = &goqite.Message{ID: goqite.ID(r.ID), Body: r.Body}
	}
	return ms, nil
}

// processMany runs jobs taken together, in order, the jobs of a
// BatchHandler all at once where the first of them stands, and deletes
// those done in one statement. The jobs share one deadline, the handler
// timeout from now, which ends well before their lease: a job not started
// by then is given back to the queue as it was, to run on a later take.
func (q *Queue) processMany(ctx context.Context, ms []*goqite.Message) error {
	deadline := time.Now().Add(q.opts.Timeout)
	envs := make([]envelope, len(ms))
	bad := make([]error, len(ms))
	for i, m := range ms {
		if err := json.Unmarshal(m.Body, &envs[i]); err != nil {
			bad[i] = fmt.Errorf("unreadable job message: %w", err)
			envs[i].Payload = m.Body
		}
	}
	var done, back []string
	var all []error
	ran := make([]bool, len(ms))
	for i, m := range ms {
		if ran[i] {
			continue
		}
		if time.Now().After(deadline) {
			back = append(back, string(m.ID))
			continue
		}
		if bad[i] != nil {
			ran[i] = true
			all = append(all, q.failed(ctx, m, envs[i], bad[i], true))
			continue
		}
		q.mu.RLock()
		bh := q.batches[envs[i].Name]
		q.mu.RUnlock()
		group := []int{i}
		if bh != nil {
			for j := i + 1; j < len(ms); j++ {
				if !ran[j] && bad[j] == nil && envs[j].Name == envs[i].Name {
					group = append(group, j)
				}
			}
		}
		for _, j := range group {
			ran[j] = true
		}
		if len(group) > 1 {
			payloads := make([][]byte, len(group))
			for k, j := range group {
				payloads[k] = envs[j].Payload
			}
			if q.callBatch(ctx, envs[i].Name, bh, payloads, deadline) == nil {
				for _, j := range group {
					done = append(done, string(ms[j].ID))
				}
				continue
			}
			// One of them, or more, fails: each alone, so the others pass.
		}
		for _, j := range group {
			if err := q.call(ctx, envs[j], deadline); err != nil {
				all = append(all, q.failed(ctx, ms[j], envs[j], err, false))
				continue
			}
			done = append(done, string(ms[j].ID))
		}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if len(done) > 0 {
		if err := q.db.WithContext(rctx).Exec(`DELETE FROM goqite WHERE id IN ?`, done).Error; err != nil {
			all = append(all, fmt.Errorf("%d jobs ran but were not deleted, so they will run again: %w", len(done), err))
		}
	}
	if len(back) > 0 {
		// Not run: due again now, and the take did not count as an attempt.
		now := any(time.Now().UTC())
		if q.db.Dialect != "postgres" {
			now = time.Now().UTC().Format(rfc3339Milli)
		}
		if err := q.db.WithContext(rctx).Exec(`UPDATE goqite SET timeout = ?, received = received - 1 WHERE id IN ?`, now, back).Error; err != nil {
			all = append(all, fmt.Errorf("giving back %d jobs not run: %w", len(back), err))
		}
	}
	return errors.Join(all...)
}

// callBatch runs a batch handler on payloads, within deadline.
func (q *Queue) callBatch(ctx context.Context, name string, h BatchHandler, payloads [][]byte, deadline time.Time) (err error) {
	hctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
			q.log.Error("job handler panicked", "job", name, "jobs", len(payloads), "panic", r, "stack", string(debug.Stack()))
		}
	}()
	return h(hctx, payloads)
}

// failed records a job's failure: hidden for a backoff delay, or moved to
// jobs_dead after its last attempt (or at once when final).
func (q *Queue) failed(ctx context.Context, m *goqite.Message, env envelope, runErr error, final bool) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var attempts int
	if err := q.db.WithContext(rctx).Raw(`SELECT received FROM goqite WHERE id = ?`, string(m.ID)).Scan(&attempts).Error; err != nil {
		return fmt.Errorf("job %s (%s) failed (%v); reading its attempts: %w", env.Name, m.ID, runErr, err)
	}
	if final || attempts >= q.opts.MaxAttempts {
		return q.bury(rctx, m.ID, env, runErr)
	}
	delay := backoff(attempts)
	q.log.Warn("job failed; it will be retried", "job", env.Name, "id", m.ID, "attempt", attempts,
		"max_attempts", q.opts.MaxAttempts, "retry_in", delay, "error", runErr)
	if err := q.inTx(rctx, func(tx *sql.Tx) error { return q.gq.ExtendTx(rctx, tx, m.ID, delay) }); err != nil {
		return fmt.Errorf("job %s (%s) failed; delaying its retry: %w", env.Name, m.ID, err)
	}
	return nil
}

const rfc3339Milli = "2006-01-02T15:04:05.000Z07:00" // goqite's time format on SQLite

// inTx runs fn in a transaction of the database's default isolation.
// goqite's Delete and Extend open serializable ones, which on PostgreSQL
// fail when workers are receiving at the same time; acting on one row by its
// ID, they need no more than read committed.
func (q *Queue) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return q.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		sqlTx, err := sqlTxOf(tx)
		if err != nil {
			return err
		}
		return fn(sqlTx)
	})
}

// call runs the job's handler until deadline. The deadline does not follow
// ctx: a job in flight at shutdown finishes.
func (q *Queue) call(ctx context.Context, env envelope, deadline time.Time) (err error) {
	q.mu.RLock()
	h := q.handlers[env.Name]
	q.mu.RUnlock()
	if h == nil {
		return fmt.Errorf("no handler registered for job %q on this node", env.Name)
	}
	hctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
			q.log.Error("job handler panicked", "job", env.Name, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	return h(hctx, env.Payload)
}

// backoff is how long a job waits after its n-th failed attempt: 4^n
// seconds (4s, 16s, 1m04s, 4m16s, 17m04s), then an hour. With the default
// eight attempts a job keeps trying for about 2h40m, long enough to ride out
// a mail server restart or a short network outage.
func backoff(attempt int) time.Duration {
	if attempt >= 6 {
		return time.Hour
	}
	return time.Second << (2 * max(attempt, 1))
}

// DeadJob is a job that failed on every attempt. It stays in jobs_dead
// until someone requeues or deletes it.
type DeadJob struct {
	ID         string `gorm:"primaryKey"`
	Name       string
	Payload    []byte
	Attempts   int
	LastError  string
	EnqueuedAt time.Time
	FailedAt   time.Time
}

// TableName is jobs_dead.
func (DeadJob) TableName() string { return "jobs_dead" }

// ErrDeadNotFound is returned by Requeue for an unknown dead job.
var ErrDeadNotFound = fmt.Errorf("dead job: %w", errs.NotFound)

// bury moves a job that will not run again to jobs_dead, in one transaction.
func (q *Queue) bury(ctx context.Context, id goqite.ID, env envelope, cause error) error {
	var attempts int
	err := q.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT received FROM goqite WHERE id = ?`, string(id)).Scan(&attempts).Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO jobs_dead (id, name, payload, attempts, last_error, enqueued_at, failed_at)
			SELECT id, ?, ?, received, ?, created, ? FROM goqite WHERE id = ?`,
			env.Name, []byte(env.Payload), cause.Error(), time.Now().UTC(), string(id)).Error; err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM goqite WHERE id = ?`, string(id)).Error
	})
	if err != nil {
		return fmt.Errorf("job %s (%s) failed for good (%v); moving it to jobs_dead: %w", env.Name, id, cause, err)
	}
	q.log.Error("job failed for good; kept in jobs_dead", "job", env.Name, "id", id, "attempts", attempts, "error", cause)
	return nil
}

// sweep buries the jobs goqite will no longer hand out: their last attempt
// was received, and its lease ran out without an outcome being recorded
// (the node stopped or lost the database mid-run).
func (q *Queue) sweep(ctx context.Context) error {
	var now any = time.Now().UTC()
	if q.db.Dialect != "postgres" {
		now = time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00") // goqite's text format on SQLite
	}
	var lost []struct {
		ID   string
		Body []byte
	}
	if err := q.db.WithContext(ctx).Raw(`SELECT id, body FROM goqite WHERE queue = ? AND received >= ? AND timeout <= ?`,
		queueName, q.opts.MaxAttempts, now).Scan(&lost).Error; err != nil {
		return fmt.Errorf("look for lost jobs: %w", err)
	}
	var all []error
	for _, m := range lost {
		var env envelope
		if json.Unmarshal(m.Body, &env) != nil {
			env.Payload = m.Body
		}
		all = append(all, q.bury(ctx, goqite.ID(m.ID), env,
			errors.New("the last attempt never finished: its worker stopped or lost its lease")))
	}
	return errors.Join(all...)
}

// Dead lists the jobs kept as dead, the latest failure first.
func (q *Queue) Dead(ctx context.Context, limit int) ([]DeadJob, error) {
	var out []DeadJob
	if err := q.db.WithContext(ctx).Order("failed_at DESC, id").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list dead jobs: %w", err)
	}
	return out, nil
}

// Requeue sends a dead job back to the queue with fresh attempts, for when
// the cause of its failures has been fixed.
func (q *Queue) Requeue(ctx context.Context, id string) error {
	return q.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var d DeadJob
		switch err := tx.Where("id = ?", id).Take(&d).Error; {
		case errors.Is(err, gorm.ErrRecordNotFound):
			return ErrDeadNotFound
		case err != nil:
			return fmt.Errorf("requeue dead job %s: %w", id, err)
		}
		if err := q.EnqueueTx(ctx, tx, d.Name, json.RawMessage(d.Payload)); err != nil {
			return err
		}
		if err := tx.Delete(&d).Error; err != nil {
			return fmt.Errorf("requeue dead job %s: %w", id, err)
		}
		return nil
	})
}

// schedule is a periodic job.
type schedule struct {
	name  string
	every time.Duration
}

// scheduleRow is when a periodic job is next due, shared by every node.
type scheduleRow struct {
	Name      string `gorm:"primaryKey"`
	NextRunAt time.Time
	UpdatedAt time.Time
}

func (scheduleRow) TableName() string { return "job_schedules" }

// ScheduleModel is the model of job_schedules, for the test that holds
// models to the migrations.
func ScheduleModel() any { return &scheduleRow{} }

// Every makes the registered job name run periodically, with a null payload:
// at most once per interval across all nodes, the first time when the first
// node starts. Call it when wiring, after Register. Intervals shorter than
// about a second (the housekeeping tick) are not kept.
func (q *Queue) Every(name string, interval time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.started:
		panic(fmt.Sprintf("jobs: Every(%q) after Start", name))
	case q.handlers[name] == nil:
		panic(fmt.Sprintf("jobs: Every(%q) before Register(%q)", name, name))
	case interval <= 0:
		panic(fmt.Sprintf("jobs: Every(%q) needs a positive interval", name))
	case slices.ContainsFunc(q.schedules, func(s schedule) bool { return s.name == name }):
		panic(fmt.Sprintf("jobs: Every(%q) called twice", name))
	}
	q.schedules = append(q.schedules, schedule{name: name, every: interval})
}

func (q *Queue) enqueueDue(ctx context.Context) error {
	q.mu.RLock()
	due := slices.Clone(q.schedules)
	q.mu.RUnlock()
	var all []error
	for _, s := range due {
		if err := q.enqueueIfDue(ctx, s); err != nil {
			all = append(all, fmt.Errorf("periodic job %s: %w", s.name, err))
		}
	}
	return errors.Join(all...)
}

// enqueueIfDue enqueues a periodic job when its time has come and moves its
// next time on, in one transaction. The update is conditional on the time
// this node read, so when two nodes see the job due, one of them updates
// nothing and enqueues nothing.
func (q *Queue) enqueueIfDue(ctx context.Context, s schedule) error {
	// Microseconds in UTC: what both databases store, so the value read back
	// compares equal to the value written.
	now := q.opts.Clock().UTC().Truncate(time.Microsecond)
	g := q.db.WithContext(ctx)
	q.mu.RLock()
	ensured := q.ensured[s.name]
	q.mu.RUnlock()
	if !ensured {
		if err := g.Exec(`INSERT INTO job_schedules (name, next_run_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			s.name, now, now).Error; err != nil {
			return err
		}
		q.mu.Lock()
		q.ensured[s.name] = true
		q.mu.Unlock()
	}
	var row scheduleRow
	if err := g.Where("name = ?", s.name).Take(&row).Error; err != nil {
		return err
	}
	// Not yet due, unless the interval was shortened since the row was written.
	if now.Before(row.NextRunAt) && row.NextRunAt.Sub(now) <= s.every {
		return nil
	}
	return g.Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&scheduleRow{}).Where("name = ? AND next_run_at = ?", s.name, row.NextRunAt).
			Updates(map[string]any{"next_run_at": now.Add(s.every), "updated_at": now})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error // another node enqueued this run
		}
		return q.EnqueueTx(ctx, tx, s.name, nil)
	})
}
