//go:build !linux || !cgo

package db

// keepCHeapTop has nothing to set where the C library is not glibc's
// (see ctrim.go).
func keepCHeapTop(int) bool { return false }

// cArenas cannot tell (see ctrim.go).
func cArenas() int { return -1 }
