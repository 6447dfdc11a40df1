package testutil

import (
	"sync/atomic"
	"testing"

	"gorm.io/gorm"
)

// QueryCounter counts the statements GORM sends, to hold hot pages to a
// fixed number of queries (no N+1).
type QueryCounter struct{ n atomic.Int64 }

// CountQueries starts counting the statements sent through g.
func CountQueries(t testing.TB, g *gorm.DB) *QueryCounter {
	t.Helper()
	qc := &QueryCounter{}
	inc := func(*gorm.DB) { qc.n.Add(1) }
	cb := g.Callback()
	name := "testutil:count:" + t.Name()
	for _, err := range []error{
		cb.Query().After("gorm:query").Register(name, inc),
		cb.Row().After("gorm:row").Register(name, inc),
		cb.Raw().After("gorm:raw").Register(name, inc),
		cb.Create().After("gorm:create").Register(name, inc),
		cb.Update().After("gorm:update").Register(name, inc),
		cb.Delete().After("gorm:delete").Register(name, inc),
	} {
		if err != nil {
			t.Fatalf("count queries: %v", err)
		}
	}
	return qc
}

// Reset starts the count again.
func (q *QueryCounter) Reset() { q.n.Store(0) }

// N is the number of statements since the last Reset.
func (q *QueryCounter) N() int { return int(q.n.Load()) }
