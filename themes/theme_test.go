package themes_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"causerie/app"
	"causerie/app/config"
	"causerie/app/testutil"
)

// Every page and mail template of the default theme parses at boot; the
// test environment builds the server, which parses them all.
func TestDefaultThemeParses(t *testing.T) {
	testutil.New(t)
}

// An operator's theme folder overrides the embedded theme file by file.
func TestThemeFolderOverrides(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "templates", "partials"), 0o755)
	os.MkdirAll(filepath.Join(dir, "static", "css"), 0o755)
	footer := `{{define "footer"}}<footer class="site-footer"><p>Acme Corp community</p></footer>{{end}}`
	// The override must keep the other partials of header.html, so it copies
	// the embedded file and changes only the footer.
	orig, err := fs.ReadFile(mustTheme(t, config.Default()), "templates/partials/header.html")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(orig), `{{define "footer"}}`)
	os.WriteFile(filepath.Join(dir, "templates", "partials", "header.html"), []byte(string(orig[:i])+footer), 0o644)
	os.WriteFile(filepath.Join(dir, "static", "css", "brand.css"), []byte("body{color:red}"), 0o644)
	env := testutil.New(t, func(c *config.Config) { c.Theme.Dir = dir })
	c := env.Client()
	res := c.Get(t, "/login")
	if !strings.Contains(res.Body, "Acme Corp community") {
		t.Errorf("the footer was not overridden")
	}
	if !strings.Contains(res.Body, "Log in") {
		t.Errorf("the rest of the page must come from the embedded theme")
	}
	if got := env.App.Web.Assets.URL("css/brand.css"); !strings.Contains(got, "/static/") || strings.Contains(got, "/-/") {
		t.Errorf("the theme folder's own static file has no hashed URL: %s", got)
	}
}

// A broken template in the theme folder stops the start with the file named.
func TestBrokenThemeStopsStart(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "templates", "pages"), 0o755)
	os.WriteFile(filepath.Join(dir, "templates", "pages", "home.html"), []byte(`{{define "content"}}{{if}}{{end}}`), 0o644)
	cfg := config.Default()
	cfg.Data.Dir = t.TempDir()
	cfg.Theme.Dir = dir
	_, err := app.New(testutil.Ctx(), cfg, quietLog())
	if err == nil || !strings.Contains(err.Error(), "home") {
		t.Errorf("a broken template must stop the start naming the page: %v", err)
	}
	cfg.Theme.Dir = filepath.Join(dir, "missing")
	if _, err := app.New(testutil.Ctx(), cfg, quietLog()); err == nil || !strings.Contains(err.Error(), "theme.dir") {
		t.Errorf("a missing theme folder must name theme.dir: %v", err)
	}
}

func mustTheme(t *testing.T, cfg config.Config) fs.FS {
	th, err := app.Theme(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// Pages are parsed for good when first shown, from what was read and
// checked at boot: a theme file broken after the start does not break the
// page, which shows what the server started with (restart to take a
// change).
func TestThemeFolderReadAtBoot(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "templates", "partials"), 0o755)
	orig, err := fs.ReadFile(mustTheme(t, config.Default()), "templates/partials/header.html")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(orig), `{{define "footer"}}`)
	file := filepath.Join(dir, "templates", "partials", "header.html")
	footer := `{{define "footer"}}<footer class="site-footer"><p>Acme Corp community</p></footer>{{end}}`
	os.WriteFile(file, []byte(string(orig[:i])+footer), 0o644)
	env := testutil.New(t, func(c *config.Config) { c.Theme.Dir = dir })
	os.WriteFile(file, []byte(`{{define "footer"}}{{if}}{{end}}`), 0o644) // broken after the start
	for _, p := range []string{"/login", "/register"} {
		res := env.Client().Get(t, p)
		if res.StatusCode != 200 || !strings.Contains(res.Body, "Acme Corp community") {
			t.Errorf("GET %s after the theme file changed: %d, want 200 with the footer read at boot", p, res.StatusCode)
		}
	}
}
