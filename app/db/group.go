package db

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"gorm.io/gorm"
)

// Group commits the writes of many requests together on SQLite: each
// request's function runs inside one shared transaction, under a savepoint
// of its own, and the transaction commits once for all of them. SQLite has
// one writer: under load, requests queued for its lock one transaction at
// a time, each handing the lock to the next through the Go scheduler (on a
// busy machine the next writer often waited for a core while the lock sat
// free), and each commit wrote again the pages its neighbours had just
// written (the category's row, the member's, the tails of the posts' and
// the jobs' indexes).
//
// A request's function that fails is rolled back to its savepoint alone and
// its error goes to that request only; the others commit. Every request is
// answered once the commit that holds its write is done (or failed: then
// every request of the group gets the commit's error, as each would have
// with a transaction of its own). The functions of one group run one after
// the other, in the order their requests came, each seeing the writes of
// those before it (a topic's next post number, say).
//
// The function gets a context without the request's cancellation (with its
// values): once its write has begun it is finished, and go-sqlite3 does not
// watch each statement's steps in a goroutine of its own. A request whose
// context is done before its turn is answered with the context's error and
// writes nothing.
//
// On PostgreSQL, which has many writers, Write is a plain transaction.
type Group struct {
	db    *gorm.DB
	group bool // SQLite: group commit

	mu      sync.Mutex
	queue   []*groupWrite
	leading bool
}

// groupMax is the most writes committed together: enough for every
// request a server keeps in flight, few enough that the write lock is
// never held long (tens of milliseconds).
const groupMax = 128

type groupWrite struct {
	ctx  context.Context
	fn   func(context.Context, *gorm.DB) error
	done chan error
	err  error // fn's own error, set by the leader
}

// errPanicked wraps what a function panicked with, so the request's own
// goroutine panics again with it (its recovery middleware answers), and
// not the leader's, which would take the whole server down.
type errPanicked struct{ v any }

func (e errPanicked) Error() string { return fmt.Sprintf("panic in group write: %v", e.v) }

// newGroup makes the group writer of g: grouped on SQLite.
func newGroup(g *gorm.DB, dialect string) *Group {
	return &Group{db: g, group: dialect == "sqlite"}
}

// Group is the database's group writer.
func (d *DB) Group() *Group {
	d.groupOnce.Do(func() { d.group = newGroup(d.DB, d.Dialect) })
	return d.group
}

// Write runs fn in a transaction, grouped with other requests' writes on
// SQLite (see Group), and returns fn's error or the commit's. fn must not
// call Write itself (it would wait for its own group), and must do its
// writes on the tx it is given.
func (w *Group) Write(ctx context.Context, fn func(ctx context.Context, tx *gorm.DB) error) error {
	if !w.group {
		return w.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return fn(ctx, tx) })
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	gw := &groupWrite{ctx: ctx, fn: fn, done: make(chan error, 1)}
	w.mu.Lock()
	w.queue = append(w.queue, gw)
	lead := !w.leading
	w.leading = true
	w.mu.Unlock()
	if lead {
		go w.lead()
	}
	err := <-gw.done // never before its commit: the write may be in it
	var p errPanicked
	if errors.As(err, &p) {
		panic(p.v)
	}
	return err
}

// lead commits the queued writes, a group at a time, until none is left.
func (w *Group) lead() {
	for {
		w.mu.Lock()
		n := min(len(w.queue), groupMax)
		if n == 0 {
			w.leading = false
			w.mu.Unlock()
			return
		}
		batch := make([]*groupWrite, n)
		copy(batch, w.queue)
		w.queue = append(w.queue[:0], w.queue[n:]...)
		w.mu.Unlock()
		w.commit(batch)
	}
}

// commit runs one group in one transaction and answers each of its
// requests.
func (w *Group) commit(batch []*groupWrite) {
	live := batch[:0:0]
	for _, gw := range batch {
		if err := gw.ctx.Err(); err != nil {
			gw.done <- err
			continue
		}
		live = append(live, gw)
	}
	if len(live) == 0 {
		return
	}
	ctx := context.WithoutCancel(live[0].ctx)
	tx := w.db.WithContext(ctx).Begin()
	if err := tx.Error; err != nil {
		answer(live, fmt.Errorf("begin group write: %w", err))
		return
	}
	wrote := 0
	for _, gw := range live {
		if len(live) == 1 {
			// Alone in its group: no savepoint, as a failure rolls the
			// whole transaction back (a member's read mark, mostly).
			if gw.err = run(gw, tx); gw.err == nil {
				wrote++
			}
			break
		}
		if err := w.one(tx, gw); err != nil {
			// The savepoint could not be taken, released or rolled back to:
			// the transaction is in an unknown state, so nothing of it is
			// kept. Those already run get the error; those not run yet are
			// queued again, for the next group.
			_ = tx.Rollback().Error
			for _, done := range live {
				if done.err == nil && done != gw {
					done.err = err
				}
			}
			gw.err = err
			w.requeue(live, gw)
			return
		}
		if gw.err == nil {
			wrote++
		}
	}
	var err error
	if wrote == 0 {
		err = tx.Rollback().Error
	} else {
		err = tx.Commit().Error
	}
	for _, gw := range live {
		switch {
		case gw.err != nil:
			gw.done <- gw.err
		case err != nil:
			gw.done <- fmt.Errorf("commit group write: %w", err)
		default:
			gw.done <- nil
		}
	}
}

// requeue answers the writes of live up to and including failed with their
// error, and puts those after it at the head of the queue.
func (w *Group) requeue(live []*groupWrite, failed *groupWrite) {
	var rest []*groupWrite
	seen := false
	for _, gw := range live {
		if seen {
			gw.err = nil
			rest = append(rest, gw)
			continue
		}
		gw.done <- gw.err
		seen = gw == failed
	}
	if len(rest) == 0 {
		return
	}
	w.mu.Lock()
	w.queue = append(rest, w.queue...)
	w.mu.Unlock()
}

const groupSavepoint = "group_write"

// one runs a request's function under a savepoint of the group's
// transaction; the function's own error is left in gw.err. The error
// returned is the savepoint's own (the transaction cannot go on).
func (w *Group) one(tx *gorm.DB, gw *groupWrite) error {
	if err := tx.SavePoint(groupSavepoint).Error; err != nil {
		return fmt.Errorf("group write savepoint: %w", err)
	}
	gw.err = run(gw, tx)
	if gw.err != nil {
		if err := tx.RollbackTo(groupSavepoint).Error; err != nil {
			return fmt.Errorf("group write rollback to savepoint: %w", err)
		}
	}
	if err := tx.Exec("RELEASE SAVEPOINT " + groupSavepoint).Error; err != nil {
		return fmt.Errorf("group write release savepoint: %w", err)
	}
	return nil
}

// run calls the function, turning a panic into errPanicked.
func run(gw *groupWrite, tx *gorm.DB) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = errPanicked{v}
		}
	}()
	ctx := context.WithoutCancel(gw.ctx)
	return gw.fn(ctx, tx.Session(&gorm.Session{NewDB: true, Context: ctx}))
}

// answer gives every write of the group err.
func answer(live []*groupWrite, err error) {
	for _, gw := range live {
		gw.done <- err
	}
}
