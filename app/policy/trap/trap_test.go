package trap

import (
	"errors"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tr := New([]byte("secret"), 3*time.Second)
	tr.now = func() time.Time { return now }
	fresh := tr.Stamp()
	tr.now = func() time.Time { return now.Add(-10 * time.Second) }
	old := tr.Stamp()
	tr.now = func() time.Time { return now.Add(-25 * time.Hour) }
	stale := tr.Stamp()
	tr.now = func() time.Time { return now }
	other := New([]byte("another secret"), 3*time.Second)
	other.now = tr.now
	forged := other.Stamp()
	for _, tc := range []struct {
		name, honey, stamp string
		ok                 bool
	}{
		{"a person who took ten seconds", "", old, true},
		{"the hidden field filled", "http://spam.example", old, false},
		{"sent back at once", "", fresh, false},
		{"no stamp", "", "", false},
		{"a stamp made up", "", "1700000000000.abc", false},
		{"a stamp signed with another key", "", forged, false},
		{"a stamp more than a day old", "", stale, false},
	} {
		err := tr.Check(tc.honey, tc.stamp)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrRefused)) {
			t.Errorf("%s: err = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
	var none *Trap
	if none.Check("filled", "") != nil || none.Stamp() != "" {
		t.Error("a nil trap should let everything through")
	}
	off := New([]byte("secret"), 0)
	if off.Check("", "") != nil || off.Check("x", "") == nil {
		t.Error("with no minimum time, only the hidden field counts")
	}
}
