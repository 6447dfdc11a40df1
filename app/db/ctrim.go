//go:build linux && cgo

package db

/*
#include <malloc.h>

// keep_free_top sets how much free memory the C allocator keeps at the top
// of its heaps before giving it back to the system; 0 where the C library
// has no such setting (glibc has, musl has not).
static int keep_free_top(int bytes) {
#ifdef M_TRIM_THRESHOLD
	return mallopt(M_TRIM_THRESHOLD, bytes);
#else
	return 0;
#endif
}
*/
import "C"

// keepCHeapTop asks the C library to keep up to n bytes free at the top of
// its heaps instead of returning them to the system at once. SQLite
// allocates and frees a few hundred KB for many statements: every
// `x IN (...)` list is an ephemeral table with its own page cache. With
// glibc's default of 128 KiB each free gave the memory back and the next
// statement faulted it in again: a system call and page faults that
// flush other CPUs' TLBs, a quarter of a logged-in topic page's CPU
// (docs/benchmarks.md, "Logged-in topic page, session 9"). It reports
// whether the setting took.
func keepCHeapTop(n int) bool { return C.keep_free_top(C.int(n)) == 1 }
