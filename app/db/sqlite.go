package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
)

// sqliteDialector opens SQLite in WAL mode with foreign keys on, a busy
// timeout, and write transactions that take the lock when they begin (so two
// writers wait for each other instead of failing on a lock upgrade).
// docs/sqlite-driver.md says why this driver.
//
// Writers of this process queue in Go for SQLite's one write lock (see
// writeGate) instead of each retrying on SQLITE_BUSY: the driver's busy
// handler sleeps 1, 2, 5… up to 100 ms between tries, so under load the lock
// sat free while writers slept. The busy timeout stays, for other processes
// (the command line) and for statements the gate does not recognise.
//
// cacheKB is each connection's page cache ([database] sqlite_cache_kb; 0:
// SQLite's default of 2,000 KiB). The pools' connections each keep one, so
// it counts in the server's memory times the connections.
func sqliteDialector(path string, busy time.Duration, cacheKB int) (gorm.Dialector, *sql.DB, *gatedConnector, error) {
	dsn := fmt.Sprintf("file:%s?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=%d&_synchronous=NORMAL&_txlock=immediate",
		path, busy.Milliseconds())
	if cacheKB > 0 {
		dsn += fmt.Sprintf("&_cache_size=-%d", cacheKB)
	}
	keepSQLiteMemory()
	probe, err := sql.Open(sqlite.DriverName, "")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("sqlite driver: %w", err)
	}
	drv := probe.Driver()
	_ = probe.Close()
	// One connector, so one gate: the background pool (see pools) opens its
	// connections through it too.
	connector := &gatedConnector{dsn: dsn, drv: drv, gate: newWriteGate(busy)}
	conn := sql.OpenDB(connector)
	return sqlite.New(sqlite.Config{DSN: dsn, Conn: conn}), conn, connector, nil
}

// cHeapTop is how much free memory the C allocator keeps for SQLite's
// next statements (see keepCHeapTop): the ephemeral tables of a page's
// statements fit in 512 KiB; more leaves room for the writers'.
const cHeapTop = 1 << 20

// keepSQLiteMemory stops the C allocator from returning each statement's
// scratch memory to the system, once per process, unless the operator set
// glibc's MALLOC_TRIM_THRESHOLD_ themselves.
var keepSQLiteMemory = sync.OnceFunc(func() {
	if os.Getenv("MALLOC_TRIM_THRESHOLD_") == "" {
		keepCHeapTop(cHeapTop)
	}
})

// writeGate lets one writer at a time at the database, first come first
// served: a transaction (all begin IMMEDIATE, so all write) holds it from
// BEGIN to COMMIT or ROLLBACK, a writing statement outside a transaction
// while it runs. A writer that waits longer than the busy timeout gets
// errBusy, as SQLite would have answered.
type writeGate struct {
	ch   chan struct{}
	wait time.Duration
}

var errBusy = errors.New("database is locked (waited for the write lock)")

func newWriteGate(wait time.Duration) *writeGate {
	return &writeGate{ch: make(chan struct{}, 1), wait: wait}
}

func (g *writeGate) acquire(ctx context.Context) error {
	select {
	case g.ch <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errBusy
	}
}

func (g *writeGate) release() { <-g.ch }

// writes says whether a statement outside a transaction writes. Unknown
// forms count as reads: they go to SQLite's busy handler as before.
func writes(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	if len(q) < 6 {
		return false
	}
	switch strings.ToUpper(q[:6]) {
	case "INSERT", "UPDATE", "DELETE", "REPLAC", "CREATE", "ALTER ", "DROP T", "DROP I":
		return true
	}
	return false
}

type gatedConnector struct {
	dsn      string
	drv      driver.Driver
	gate     *writeGate
	compiled atomic.Int64 // statements SQLite compiled through PrepareContext
	open     atomic.Int64 // of those, the ones not finalised yet
}

func (c *gatedConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &gatedConn{Conn: conn, gate: c.gate, compiled: &c.compiled, open: &c.open, kept: map[string][]*keptStmt{}}, nil
}

func (c *gatedConnector) Driver() driver.Driver { return c.drv }

// gatedConn is one SQLite connection whose writers pass the gate.
type gatedConn struct {
	driver.Conn
	gate     *writeGate
	inTx     bool
	compiled *atomic.Int64
	open     *atomic.Int64

	// The statements prepared inside transactions, kept compiled for the
	// next transaction on this connection (see PrepareContext).
	mu   sync.Mutex
	kept map[string][]*keptStmt
	n    int    // statements in kept
	tick uint64 // orders their last uses
}

// keptMax is how many statements prepared in transactions a connection
// keeps compiled: more than the distinct statements of every transaction
// the server runs, fewer than what a query whose text varies (an IN list
// of any length) could leave behind.
const keptMax = 128

func (c *gatedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.gate.acquire(ctx); err != nil {
		return nil, err
	}
	tx, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		c.gate.release()
		return nil, err
	}
	c.inTx = true
	return &gatedTx{Tx: tx, c: c}, nil
}

func (c *gatedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if !c.inTx && writes(query) {
		if err := c.gate.acquire(ctx); err != nil {
			return nil, err
		}
		defer c.gate.release()
	}
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *gatedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.inTx {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	if !writes(query) { // INSERT … RETURNING is a query that writes
		return c.Conn.(driver.QueryerContext).QueryContext(context.WithoutCancel(ctx), query, args)
	}
	if err := c.gate.acquire(ctx); err != nil {
		return nil, err
	}
	rows, err := c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	if err != nil {
		c.gate.release()
		return nil, err
	}
	return &gatedRows{Rows: rows, release: c.gate.release}, nil
}

// PrepareContext prepares a statement whose writes pass the gate as the
// statements run directly do: GORM keeps the statements it runs prepared
// (PrepareStmt), so most of them come this way.
//
// Inside a transaction, a statement is taken from those this connection
// kept, or kept once compiled. GORM prepares a statement first seen in a
// transaction on that transaction, and database/sql then compiles it again
// in every later transaction (Tx.StmtContext cannot reuse a statement of
// another transaction), and again at each use within one transaction (the
// statements it prepared are closed only when the transaction ends): SQLite
// compiled each statement of every post's transaction and every job's,
// about a tenth of a post's CPU, and a transaction that repeats a statement
// (a group of posts, see Group) compiled it at each repetition.
//
// A statement whose text varies with its data (see varies) is not kept:
// it is finalised when its transaction ends.
func (c *gatedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	keep := c.inTx && !varies(query)
	if keep {
		if h := c.take(query); h != nil {
			return h, nil
		}
	}
	st, err := c.compile(ctx, query)
	if err != nil {
		return nil, err
	}
	if keep {
		return c.keep(query, st), nil
	}
	return st, nil
}

// variesAbove is the most placeholders of a statement worth keeping
// compiled. Past it, a statement's text grows with its data (an IN list
// of the ids of a take of jobs or a batch of posts, a multi-row INSERT of
// notifications): each length is a statement of its own, rarely run
// twice, and SQLite compiles it to a program as long as its list (some
// 200 KiB for a hundred notifications). Kept by every connection it ran
// on, such statements held most of SQLite's memory under a posting load
// (docs/benchmarks.md, "Memory, session 9"). The lists of a page (its 20
// posts, 30 topics) stay under it.
const variesAbove = 64

// varies says whether query is compiled for its use alone rather than
// kept (see variesAbove).
func varies(query string) bool { return strings.Count(query, "?") > variesAbove }

// compile has SQLite compile query.
func (c *gatedConn) compile(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.compiled.Add(1)
	c.open.Add(1)
	if writes(query) {
		return &gatedStmt{Stmt: st, c: c}, nil
	}
	return &readStmt{Stmt: st, c: c}, nil
}

// readStmt is a prepared statement that reads. Outside a transaction the
// driver runs it without its context's cancellation: go-sqlite3 steps
// each row of a statement whose context can be cancelled in a goroutine
// of its own, and waits for it beside the context; that was more than
// half of the CPU of reading a page's twenty posts (docs/sqlite-driver.md,
// "Cancellation"). database/sql still watches the context: a statement
// whose context is done before it starts does not run, and rows whose
// context ends are closed at the next row. Only a single step already
// running (the first row of a long aggregate) is no longer interrupted.
// Inside a transaction the context is the driver's, as it is for writes:
// a cancelled transaction rolls back.
type readStmt struct {
	driver.Stmt
	c *gatedConn
}

func (s *readStmt) Close() error {
	s.c.open.Add(-1)
	return s.Stmt.Close()
}

func (s *readStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *readStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if !s.c.inTx {
		ctx = context.WithoutCancel(ctx)
	}
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

// keptStmt is a statement a connection keeps compiled. Any number of
// handles (stmtHandle) may share it, but only one at a time runs it: from
// its start to the end of its rows. A handle that finds it running
// compiles a statement of its own, so two uses never share SQLite's
// statement (the rows of one would be cut by the other).
type keptStmt struct {
	driver.Stmt
	query   string
	handles int  // handles not closed yet
	busy    bool // running, or its rows not closed
	kept    bool // still among the connection's kept statements
	used    uint64
}

// stmtHandle is what PrepareContext hands out for a kept statement.
type stmtHandle struct {
	k   *keptStmt
	c   *gatedConn
	own driver.Stmt // compiled for this handle when k was running
}

func (h *stmtHandle) NumInput() int { return h.k.Stmt.NumInput() }

// pick is the statement a use of h runs and the function that ends the
// use (to call when it has run, or when its rows are closed).
func (h *stmtHandle) pick(ctx context.Context) (driver.Stmt, func(), error) {
	if h.own != nil {
		return h.own, func() {}, nil
	}
	h.c.mu.Lock()
	if !h.k.busy {
		h.k.busy = true
		h.c.mu.Unlock()
		return h.k.Stmt, h.idle, nil
	}
	h.c.mu.Unlock()
	st, err := h.c.compile(ctx, h.k.query)
	if err != nil {
		return nil, nil, err
	}
	h.own = st
	return st, func() {}, nil
}

func (h *stmtHandle) idle() {
	h.c.mu.Lock()
	h.k.busy = false
	h.c.mu.Unlock()
}

func (h *stmtHandle) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	st, end, err := h.pick(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	return st.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (h *stmtHandle) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	st, end, err := h.pick(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		end()
		return nil, err
	}
	return &gatedRows{Rows: rows, release: end}, nil
}

func (h *stmtHandle) Exec(args []driver.Value) (driver.Result, error) {
	return nil, errors.New("sqlite: Exec without context is not supported")
}

func (h *stmtHandle) Query(args []driver.Value) (driver.Rows, error) {
	return nil, errors.New("sqlite: Query without context is not supported")
}

// Close lets go of the handle: the statement stays compiled, kept by the
// connection (or is finalised if the connection no longer keeps it).
func (h *stmtHandle) Close() error {
	if h.own != nil {
		_ = h.own.Close()
	}
	h.c.mu.Lock()
	defer h.c.mu.Unlock()
	h.k.handles--
	if !h.k.kept && h.k.handles == 0 && !h.k.busy {
		return h.k.Stmt.Close()
	}
	return nil
}

// take hands out a handle on a kept statement for query, if any.
func (c *gatedConn) take(query string) driver.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	ks := c.kept[query]
	if len(ks) == 0 {
		return nil
	}
	k := ks[0]
	for _, s := range ks[1:] { // an idle one if any (more than one is rare)
		if k.busy && !s.busy {
			k = s
		}
	}
	if k.busy && k.handles > 0 {
		return nil // running: a fresh one, which is kept too
	}
	c.tick++
	k.handles++
	k.used = c.tick
	return &stmtHandle{k: k, c: c}
}

// keep keeps st, freshly compiled for query, making room by finalising the
// least recently used statement that no handle holds; when every kept
// statement is held, st is not kept, and the handle's Close finalises it.
func (c *gatedConn) keep(query string, st driver.Stmt) driver.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tick++
	k := &keptStmt{Stmt: st, query: query, handles: 1, used: c.tick}
	if c.n >= keptMax {
		var old *keptStmt
		for _, ks := range c.kept {
			for _, s := range ks {
				if s.handles == 0 && !s.busy && (old == nil || s.used < old.used) {
					old = s
				}
			}
		}
		if old == nil {
			return &stmtHandle{k: k, c: c}
		}
		c.kept[old.query] = slices.DeleteFunc(c.kept[old.query], func(s *keptStmt) bool { return s == old })
		if len(c.kept[old.query]) == 0 {
			delete(c.kept, old.query)
		}
		c.n--
		old.kept = false
		_ = old.Stmt.Close()
	}
	k.kept = true
	c.kept[query] = append(c.kept[query], k)
	c.n++
	return &stmtHandle{k: k, c: c}
}

// Close finalises the kept statements, then closes the connection.
func (c *gatedConn) Close() error {
	c.mu.Lock()
	for _, ss := range c.kept {
		for _, s := range ss {
			_ = s.Stmt.Close()
		}
	}
	c.kept, c.n = map[string][]*keptStmt{}, 0
	c.mu.Unlock()
	return c.Conn.Close()
}

// gatedStmt is a prepared statement that writes: outside a transaction, it
// runs holding the gate.
type gatedStmt struct {
	driver.Stmt
	c *gatedConn
}

func (s *gatedStmt) Close() error {
	s.c.open.Add(-1)
	return s.Stmt.Close()
}

func (s *gatedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if !s.c.inTx {
		if err := s.c.gate.acquire(ctx); err != nil {
			return nil, err
		}
		defer s.c.gate.release()
	}
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *gatedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if s.c.inTx {
		return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	}
	if err := s.c.gate.acquire(ctx); err != nil {
		return nil, err
	}
	rows, err := s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		s.c.gate.release()
		return nil, err
	}
	return &gatedRows{Rows: rows, release: s.c.gate.release}, nil
}

func (c *gatedConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *gatedConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *gatedConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type gatedTx struct {
	driver.Tx
	c *gatedConn
}

func (t *gatedTx) Commit() error {
	defer t.done()
	return t.Tx.Commit()
}

func (t *gatedTx) Rollback() error {
	defer t.done()
	return t.Tx.Rollback()
}

func (t *gatedTx) done() {
	if t.c.inTx {
		t.c.inTx = false
		t.c.gate.release()
	}
}

// gatedRows holds the gate until the statement's rows are closed: SQLite
// runs a RETURNING statement as the rows are read.
type gatedRows struct {
	driver.Rows
	once    sync.Once
	release func()
}

func (r *gatedRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.release)
	return err
}
