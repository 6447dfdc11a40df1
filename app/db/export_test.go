package db

// Compiled is how many statements SQLite compiled for d's connections
// through PrepareContext (0 on PostgreSQL).
func (d *DB) Compiled() int64 {
	if d.gated == nil {
		return 0
	}
	return d.gated.compiled.Load()
}

// KeepCHeapTop sets how much free memory the C allocator keeps (see
// keepCHeapTop); CHeapTop is what the server sets.
func KeepCHeapTop(n int) bool { return keepCHeapTop(n) }

const CHeapTop = cHeapTop

// CArenas is how many arenas the C allocator has made (see ctrim.go).
func CArenas() int { return cArenas() }

// OpenStatements is how many of those SQLite still holds compiled.
func (d *DB) OpenStatements() int64 {
	if d.gated == nil {
		return 0
	}
	return d.gated.open.Load()
}
