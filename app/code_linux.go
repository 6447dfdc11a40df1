//go:build linux

package app

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// MADV_PAGEOUT (Linux 5.4): reclaim the pages of a range now. The syscall
// package does not name it.
const madvPageout = 21

// releaseMapped lets go of the pages of files the server maps that start-up
// touched but serving does not need: the executable's code and data, and
// the search index's segments. The kernel keeps the executable in its file
// cache in large pieces and maps a piece whole at the first instruction run
// from it, so the 50 MB binary showed 33 MiB resident, most of it code only
// start-up runs, or none; opening the index reads a little of each segment
// and maps the pages around. This asks the kernel to reclaim those pages
// (MADV_PAGEOUT) after marking the executable's mappings for small pages
// and no read-ahead (MADV_NOHUGEPAGE, MADV_RANDOM), so what is read back is
// what serving runs or reads, a page at a time. None of it loses data:
// pages of files are read back from the file, and the few pages of the
// executable the process changed at load (relocations) are anonymous,
// which the kernel does not reclaim without swap (and would swap back in).
// On kernels without MADV_PAGEOUT it does nothing.
func releaseMapped() error {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return err
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || f[1][1] == 'w' {
			continue
		}
		var advice []int
		switch {
		case f[5] == exe:
			advice = []int{syscall.MADV_NOHUGEPAGE, syscall.MADV_RANDOM, madvPageout}
		case strings.HasSuffix(f[5], ".zap"):
			advice = []int{madvPageout}
		default:
			continue
		}
		var start, end uintptr
		if _, err := fmt.Sscanf(f[0], "%x-%x", &start, &end); err != nil {
			return fmt.Errorf("read %s: %w", f[0], err)
		}
		for _, a := range advice {
			if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, start, end-start, uintptr(a)); e != 0 {
				if e == syscall.EINVAL && a == madvPageout {
					return nil // an older kernel
				}
				return fmt.Errorf("madvise %s %s: %w", f[0], f[5], e)
			}
		}
	}
	return sc.Err()
}
