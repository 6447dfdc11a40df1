package journey_test

import (
	"fmt"
	"strings"
	"testing"

	"causerie/app/testutil"
)

// recorder is a test that keeps its errors instead of failing, so a test
// can check that the accessibility check does fail.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestA11yCheckFindsProblems makes sure the check is not quietly blind: a
// page spoiled on purpose must fail it in each way it looks, and each
// problem must be seen in the view modes where it shows, only there.
func TestA11yCheckFindsProblems(t *testing.T) {
	env := testutil.New(t)
	env.UserWithRole(t, "Camille", "admin") // so that / is the home page, not the first-run page
	b := env.Browser(t)
	b.Visit(t, "/")
	b.Eval(t, `(() => {
		const main = document.querySelector("main");
		const img = document.createElement("img"); img.src = "data:,"; main.append(img);
		const faint = document.createElement("p"); faint.id = "faint"; faint.textContent = "faint everywhere";
		faint.style.color = "#ddd"; faint.style.background = "#fff"; main.append(faint);
		const grey = document.createElement("p"); grey.id = "dark-only"; grey.textContent = "fine on white, faint on the dark background";
		grey.style.color = "#555"; main.append(grey);
		const wide = document.createElement("div"); wide.id = "too-wide"; wide.style.width = "600px"; wide.textContent = "x"; main.append(wide);
		const s = document.createElement("script"); s.textContent = "window.inlineRan = true"; document.body.append(s);
		return "null";
	})()`, nil)
	r := &recorder{TB: t}
	b.CheckA11y(r)
	all := strings.Join(r.errs, "\n")
	for _, want := range []string{"image-alt", "color-contrast", "#faint", "#dark-only", "scrolls sideways", "too-wide", "Content Security Policy"} {
		if !strings.Contains(all, want) {
			t.Errorf("the check did not report %q; it said:\n%s", want, all)
		}
	}
	for _, e := range r.errs {
		head, _, _ := strings.Cut(e, "\n")
		switch {
		case strings.Contains(e, "#dark-only") && strings.Contains(head, "light"):
			t.Errorf("#dark-only reported in light mode:\n%s", e)
		case strings.Contains(e, "too-wide") && strings.Contains(head, "desktop"):
			t.Errorf("sideways scroll reported at desktop width:\n%s", e)
		}
	}
}
