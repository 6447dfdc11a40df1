package testutil

import (
	"regexp"
	"strings"
	"testing"
)

var nonceAttr = regexp.MustCompile(`nonce="[^"]*"`)

// normalPage is a page with its script nonce blanked and its white space
// between tags dropped, for comparing two renderings of it.
func normalPage(s string) string {
	s = nonceAttr.ReplaceAllString(s, `nonce=""`)
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "> <", "><")
}

// SamePage reports an error when two renderings of a page differ (the Go
// writers of some partials and the templates they stand for), but for the
// nonce and white space between tags, showing where they part.
func SamePage(t testing.TB, what, got, want string) {
	t.Helper()
	g, w := normalPage(got), normalPage(want)
	if g == w {
		return
	}
	i := 0
	for i < len(g) && i < len(w) && g[i] == w[i] {
		i++
	}
	t.Errorf("%s: the pages differ at byte %d:\nfirst:  %.300s\nsecond: %.300s", what, i, g[max(0, i-100):], w[max(0, i-100):])
}
