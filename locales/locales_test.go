package locales_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"causerie/app/i18n"
	"causerie/locales"
)

// Every locale has exactly the IDs of en.toml: a French reader never meets
// an English sentence or a raw ID.
func TestLocalesHaveTheSameIDs(t *testing.T) {
	b, err := i18n.Load(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	en := set(b.IDs("en"))
	if len(en) < 50 {
		t.Fatalf("en.toml has only %d messages", len(en))
	}
	for _, lang := range b.Languages() {
		ids := b.IDs(lang)
		for i := 1; i < len(ids); i++ {
			if ids[i] == ids[i-1] {
				t.Errorf("%s: %s is defined in two files", lang, ids[i])
			}
		}
		other := set(ids)
		for id := range en {
			if !other[id] {
				t.Errorf("%s.toml lacks %s", lang, id)
			}
		}
		for id := range other {
			if !en[id] {
				t.Errorf("%s.toml has %s, which en.toml does not", lang, id)
			}
		}
	}
	if !contains(b.Languages(), "fr") {
		t.Error("French is missing")
	}
}

var (
	// Message IDs quoted in Go code and templates: "section.key".
	quoted = regexp.MustCompile(`"([a-z_]+(?:\.[a-z0-9_]+)+)"`)
	// Form fields in templates: (.Field "name" ...) needs field.name.
	fieldRE = regexp.MustCompile(`\.(?:Field|Optional|Blank) "([a-z_]+)"`)
)

// Every message ID the code and the templates use exists in en.toml.
func TestEveryUsedIDExists(t *testing.T) {
	b, err := i18n.Load(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	en := set(b.IDs("en"))
	sections := map[string]bool{}
	for id := range en {
		sections[strings.Split(id, ".")[0]] = true
	}
	root := filepath.Join("..")
	used := map[string]string{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "docs" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(p, "_test.go") || !(strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".txt")) {
			return nil
		}
		raw, _ := os.ReadFile(p)
		for _, line := range strings.Split(string(raw), "\n") {
			if notMessages(line) {
				continue
			}
			if i := strings.Index(line, " // "); i >= 0 && strings.HasSuffix(p, ".go") {
				line = line[:i] // a comment's quotes are examples, not uses
			}
			for _, m := range quoted.FindAllStringSubmatch(line, -1) {
				if sections[strings.Split(m[1], ".")[0]] && !strings.HasSuffix(m[1], ".") {
					used[m[1]] = p
				}
			}
		}
		for _, m := range fieldRE.FindAllStringSubmatch(string(raw), -1) {
			used["field."+m[1]] = p
		}
		return nil
	})
	if len(used) < 30 {
		t.Fatalf("found only %d IDs in use: the scan is broken", len(used))
	}
	var missing []string
	for id, where := range used {
		if !en[id] && !isFileName(id) {
			missing = append(missing, id+" (in "+where+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("used but not in en.toml: %s", m)
	}
}

// notMessages says whether a line's dotted strings are names of another
// kind: comments, event names ("topic.featured"), audit actions
// ("post.hide"), permissions ("posts.hide"), or a line marked
// "// not a message".
func notMessages(line string) bool {
	l := strings.TrimSpace(line)
	return strings.HasPrefix(l, "//") || strings.Contains(l, "EventName()") || strings.Contains(l, "Action:") ||
		strings.Contains(l, "Permission = ") || strings.Contains(l, "not a message")
}

// isFileName skips quoted strings that are files, not messages.
func isFileName(s string) bool {
	for _, ext := range []string{".toml", ".go", ".html", ".txt", ".css", ".js", ".svg", ".sql", ".db", ".key", ".json"} {
		if strings.HasSuffix(s, ext) {
			return true
		}
	}
	return false
}

func set(ids []string) map[string]bool {
	m := map[string]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
