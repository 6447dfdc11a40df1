//go:build race

package db_test

// raceDetector: the race detector's shadow memory faults pages in on its
// own, so tests that count page faults do not run under it.
const raceDetector = true
