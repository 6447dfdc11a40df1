package testutil

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// BrowserEnv names the variable that makes a missing Chromium or axe-core a
// failure instead of a skip: CI sets it to "required", so a broken install
// cannot pass quietly.
const BrowserEnv = "CAUSERIE_TEST_BROWSER"

// AxeEnv names the variable holding the path of axe.min.js; without it the
// tests look for .cache/npm/node_modules/axe-core/axe.min.js at the root of
// the module (.ci/browser-deps.sh installs it there).
const AxeEnv = "CAUSERIE_TEST_AXE"

// actionTimeout bounds every browser step, so a missing element fails the
// test with a message instead of hanging until the test binary times out.
const actionTimeout = 15 * time.Second

// Browser is one tab of a headless Chromium on the test server. Every page it
// reaches (Visit, Click, Submit) is checked at once: axe-core's WCAG 2.2 AA
// rules at desktop and phone widths in light and dark mode, no sideways scroll
// on a phone, and no script error or CSP violation. Journeys thus cannot add a
// page that escapes the check.
type Browser struct {
	env    *Env
	ctx    context.Context
	axe    string
	status int64

	mu     sync.Mutex
	errors []string // console errors and exceptions since the last check
}

// Browser starts headless Chromium for this test; it stops when the test
// ends. The test is skipped when Chromium or axe-core is missing, or fails
// when CAUSERIE_TEST_BROWSER=required.
func (e *Env) Browser(t testing.TB) *Browser {
	t.Helper()
	axe := readAxe(t)
	exe := chromiumPath()
	if exe == "" {
		missing(t, "Chromium", "install it with the system's package manager (e.g. apt-get install -y chromium) or run .ci/browser-deps.sh")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(t.TempDir()), // an empty profile each time
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), // no calls home: the tests need no network
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first call starts the browser and binds it to ctx, so it has no
	// timeout of its own (a timeout here would end the browser with it).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", exe, err)
	}
	b := &Browser{env: e, ctx: ctx, axe: axe}
	console := chromedp.Console(ctx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			b.noteConsole(m)
		}
	}()
	// Pages speak the language the request asks for: make it the same on
	// every machine, whatever its locale.
	b.do(t, "set Accept-Language", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": "en"}})
		return err
	}))
	b.emulate(t, viewModes[0])
	return b
}

// missing skips the test, or fails it when the browser tests are required.
func missing(t testing.TB, what, how string) {
	t.Helper()
	if os.Getenv(BrowserEnv) == "required" {
		t.Fatalf("%s is missing and %s=required: %s", what, BrowserEnv, how)
	}
	t.Skipf("skipping browser test: %s is missing (%s; set %s=required to fail instead)", what, how, BrowserEnv)
}

// chromiumPath finds a Chromium or Chrome binary on PATH.
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell", "headless_shell", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// readAxe returns the source of axe.min.js, from CAUSERIE_TEST_AXE or the
// module's git-ignored .cache folder.
func readAxe(t testing.TB) string {
	t.Helper()
	const how = "run .ci/browser-deps.sh, or npm install --no-save --no-package-lock --prefix .cache/npm axe-core@4 at the module root, or point " + AxeEnv + " at axe.min.js"
	path := os.Getenv(AxeEnv)
	if path == "" {
		root, err := moduleRoot()
		if err != nil {
			missing(t, "axe-core", how+" ("+err.Error()+")")
		}
		path = filepath.Join(root, ".cache", "npm", "node_modules", "axe-core", "axe.min.js")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		missing(t, "axe-core", how+" (read "+path+": "+err.Error()+")")
	}
	return string(src)
}

// moduleRoot walks up from the working directory to the folder with go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// do runs browser steps with a time limit, failing the test on error.
func (b *Browser) do(t testing.TB, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("browser: %s on %s: %v", what, b.location(), err)
	}
}

// eval evaluates JavaScript and decodes its JSON-encoded result into out.
func (b *Browser) eval(t testing.TB, what, js string, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("browser: %s on %s: %v", what, b.location(), err)
	}
	if err := json.Unmarshal([]byte(s), out); err != nil {
		t.Fatalf("browser: %s: decode %q: %v", what, s, err)
	}
}

func (b *Browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown page)"
	}
	return strings.TrimPrefix(u, b.env.Server.URL)
}

// navigate runs steps that lead to a new page, waits for it and checks it.
func (b *Browser) navigate(t testing.TB, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		t.Fatalf("browser: %s: %v", what, err)
	}
	if res == nil {
		t.Fatalf("browser: %s: no page loaded", what)
	}
	b.status = res.Status
	if res.Status >= 500 {
		t.Fatalf("browser: %s: %s answered %d", what, b.location(), res.Status)
	}
	b.do(t, "wait for the page", chromedp.WaitVisible(chromedp.CSS("main")))
	b.CheckA11y(t)
}

// Visit opens path on the test server.
func (b *Browser) Visit(t testing.TB, path string) {
	t.Helper()
	b.navigate(t, "visit "+path, chromedp.Navigate(b.env.URL(path)))
}

// Click clicks the link or button sel, which leads to another page, and
// waits for that page.
func (b *Browser) Click(t testing.TB, sel string) {
	t.Helper()
	b.do(t, "wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	b.navigate(t, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// Submit clicks the submit button of the form sel and waits for the answer.
func (b *Browser) Submit(t testing.TB, form string) {
	t.Helper()
	b.Click(t, form+" [type=submit]")
}

// Fill types value into the field sel, replacing what it held.
func (b *Browser) Fill(t testing.TB, sel, value string) {
	t.Helper()
	b.do(t, "fill "+sel,
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Clear(chromedp.CSS(sel)),
		chromedp.SendKeys(chromedp.CSS(sel), value))
}

// Select chooses the option with value in the select element sel.
func (b *Browser) Select(t testing.TB, sel, value string) {
	t.Helper()
	b.do(t, "select "+value+" in "+sel,
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.SetValue(chromedp.CSS(sel), value))
}

// Text is the visible text of the first element matching sel.
func (b *Browser) Text(t testing.TB, sel string) string {
	t.Helper()
	b.do(t, "wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("browser: text of %s on %s: %v", sel, b.location(), err)
	}
	return strings.TrimSpace(s)
}

// Attr is the attribute name of the first element matching sel ("" when
// it has none).
func (b *Browser) Attr(t testing.TB, sel, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	r, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		t.Fatalf("browser: attribute %s of %s on %s: %v", name, sel, b.location(), err)
	}
	return r.Value
}

// See fails the test unless the element sel shows text containing want.
func (b *Browser) See(t testing.TB, sel, want string) {
	t.Helper()
	if got := b.Text(t, sel); !strings.Contains(got, want) {
		t.Fatalf("on %s, %s shows %q; want it to contain %q", b.Path(t), sel, got, want)
	}
}

// Path is the path (and query) of the page the tab shows.
func (b *Browser) Path(t testing.TB) string {
	t.Helper()
	return b.location()
}

// Eval runs JavaScript in the page, for what no other method does; js must
// evaluate to a JSON string, decoded into out unless out is nil.
func (b *Browser) Eval(t testing.TB, js string, out any) {
	t.Helper()
	var raw json.RawMessage
	b.eval(t, "evaluate", js, &raw)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("browser: evaluate: decode %s: %v", raw, err)
		}
	}
}

// Status is the HTTP status of the last page loaded.
func (b *Browser) Status() int { return int(b.status) }

// viewMode is one way of looking at a page during the accessibility check.
type viewMode struct {
	name          string
	width, height int64
	mobile        bool
	scheme        string
}

// viewModes are the widths and colour schemes every page is checked in; the
// first is the one journeys run in.
var viewModes = [...]viewMode{
	{"desktop light", 1280, 800, false, "light"},
	{"desktop dark", 1280, 800, false, "dark"},
	{"phone light", 390, 844, true, "light"},
	{"phone dark", 390, 844, true, "dark"},
}

func (b *Browser) emulate(t testing.TB, m viewMode) {
	t.Helper()
	b.do(t, "emulate "+m.name, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: m.width, Height: m.height, DeviceScaleFactor: 1, Mobile: m.mobile}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: m.scheme}}})
		return err
	}))
}

// axeRun runs axe-core with the WCAG 2.2 AA rule sets and keeps the nodes
// whose impact is serious or critical.
const axeRun = `(async () => {
  const r = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    resultTypes: ["violations"],
  });
  const bad = [];
  for (const v of r.violations) {
    const nodes = v.nodes.filter(n => n.impact === "serious" || n.impact === "critical");
    if (nodes.length) bad.push({id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
      nodes: nodes.map(n => ({target: n.target.flat().join(" "), summary: n.failureSummary}))});
  }
  return JSON.stringify(bad);
})()`

// overflowJS measures sideways scrolling and names the elements that stick
// out of the viewport.
const overflowJS = `(() => {
  const d = document.documentElement, w = d.clientWidth, wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && wide.length < 5) {
      wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") +
        " (right edge " + Math.round(r.right) + "px)");
    }
  }
  return JSON.stringify({scroll: d.scrollWidth, client: w, wide: wide});
})()`

type axeViolation struct {
	ID, Impact, Help, URL string
	Nodes                 []struct{ Target, Summary string }
}

// CheckA11y checks the page the tab shows in every view mode: no serious or
// critical axe-core violation of WCAG 2.2 AA, no sideways scrolling at phone
// width, and no script error or CSP violation since the last check. Pages
// reached through Visit, Click and Submit are checked already; call it after
// a script changes a page in place.
func (b *Browser) CheckA11y(t testing.TB) {
	t.Helper()
	page := b.location()
	var present bool
	b.eval(t, "look for axe", `JSON.stringify(typeof window.axe === "object")`, &present)
	if !present {
		// Runtime.evaluate is not subject to the page's CSP, which rightly
		// refuses inline scripts.
		b.do(t, "inject axe-core", chromedp.Evaluate[chromedp.Void](b.axe+"\n;undefined"))
	}
	found := map[string][]string{} // report → modes it was seen in
	var order []string
	add := func(report, mode string) {
		if _, ok := found[report]; !ok {
			order = append(order, report)
		}
		found[report] = append(found[report], mode)
	}
	for _, m := range viewModes {
		b.emulate(t, m)
		var vs []axeViolation
		b.eval(t, "run axe-core ("+m.name+")", axeRun, &vs)
		for _, v := range vs {
			var sb strings.Builder
			fmt.Fprintf(&sb, "%s [%s] %s (%s)", v.ID, v.Impact, v.Help, v.URL)
			for _, n := range v.Nodes {
				fmt.Fprintf(&sb, "\n      %s\n        %s", n.Target, strings.ReplaceAll(n.Summary, "\n", "\n        "))
			}
			add(sb.String(), m.name)
		}
		if m.mobile {
			var o struct {
				Scroll, Client int
				Wide           []string
			}
			b.eval(t, "measure overflow", overflowJS, &o)
			if o.Scroll > o.Client {
				add(fmt.Sprintf("page scrolls sideways at %dpx: scroll width %dpx; wider elements: %s",
					m.width, o.Scroll, strings.Join(o.Wide, ", ")), m.name)
			}
		}
	}
	b.emulate(t, viewModes[0])
	b.mu.Lock()
	for _, e := range b.errors {
		add("browser console: "+e, "page load")
	}
	b.errors = nil
	b.mu.Unlock()
	t.Logf("accessibility of %s checked in %d view modes: %d problems", page, len(viewModes), len(order))
	for _, r := range order {
		t.Errorf("accessibility of %s (%s):\n    %s", page, strings.Join(slices.Compact(found[r]), ", "), r)
	}
}

// noteConsole keeps uncaught exceptions and security errors (CSP), which a
// check then reports; other messages, such as a missing favicon, pass.
func (b *Browser) noteConsole(m chromedp.ConsoleMessage) {
	if !m.IsException() && m.Source != "security" && !strings.Contains(m.Text, "Content Security Policy") {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors = append(b.errors, m.String())
}
