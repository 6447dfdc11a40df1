//go:build linux && cgo

package db

/*
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

// one_arena keeps the C allocator to one arena (heap) for all threads,
// unless the operator set MALLOC_ARENA_MAX or glibc.malloc.arena_max in
// GLIBC_TUNABLES. glibc gives threads that allocate at once arenas of
// their own, up to eight per core, and each keeps its own free memory (up
// to cHeapTop at its top, see keepCHeapTop, plus what is free inside it);
// the server's Go threads all call SQLite, so on a busy server most of
// those arenas exist. It runs as the program is loaded, before the Go
// runtime starts its threads: a thread's first free() gives it an arena,
// so a limit set from Go code bounded only the arenas made after it.
// docs/benchmarks.md ("Memory, session 14") has the measurements: the C
// part of the peak 4-6 MiB instead of 10-12, and no more CPU a post.
__attribute__((constructor)) static void one_arena(void) {
#ifdef M_ARENA_MAX
	const char *tunables = getenv("GLIBC_TUNABLES");
	if (getenv("MALLOC_ARENA_MAX") == NULL && (tunables == NULL || strstr(tunables, "arena_max") == NULL)) {
		mallopt(M_ARENA_MAX, 1);
	}
#endif
}

// arenas is how many arenas the C allocator has made (malloc_info's
// heaps); -1 when it cannot tell.
static int arenas(void) {
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL) {
		return -1;
	}
	int n = -1;
	if (malloc_info(0, f) == 0) {
		fflush(f);
		n = 0;
		for (char *p = buf; (p = strstr(p, "<heap nr=")) != NULL; p++) {
			n++;
		}
	}
	fclose(f);
	free(buf);
	return n;
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

// cArenas is how many arenas the C allocator has made, -1 when it cannot
// tell (see one_arena).
func cArenas() int { return int(C.arenas()) }
