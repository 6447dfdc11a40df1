package i18n_test

import (
	"testing"
	"testing/fstest"

	"causerie/app/i18n"
)

// Messages with a count alone are remembered per count: asked again, in
// either plural form, in each language, and past the counts remembered,
// they read as the first time.
func TestCountedMessagesRemembered(t *testing.T) {
	b, err := i18n.Load(fstest.MapFS{
		"en.toml": {Data: []byte("[ago]\none = \"{{.Count}} minute ago\"\nother = \"{{.Count}} minutes ago\"\n" +
			"[by]\nother = \"{{.Count}} posts by {{.Name}}\"\n")},
		"fr.toml": {Data: []byte("[ago]\none = \"il y a {{.Count}} minute\"\nother = \"il y a {{.Count}} minutes\"\n" +
			"[by]\nother = \"{{.Count}} messages de {{.Name}}\"\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		lang  string
		count int
		want  string
	}{
		{"en", 1, "1 minute ago"}, {"en", 2, "2 minutes ago"}, {"fr", 1, "il y a 1 minute"}, {"fr", 0, "il y a 0 minute"},
		{"fr", 5, "il y a 5 minutes"}, {"en", 5000, "5000 minutes ago"},
	}
	for round := 0; round < 2; round++ {
		for _, c := range cases {
			if got := b.For(c.lang).N("ago", c.count, nil); got != c.want {
				t.Errorf("round %d, %s %d: %q, want %q", round, c.lang, c.count, got, c.want)
			}
		}
		// Data besides the count is not remembered with it.
		for _, name := range []string{"ana", "bo"} {
			if got, want := b.For("en").N("by", 3, map[string]any{"Name": name}), "3 posts by "+name; got != want {
				t.Errorf("round %d: %q, want %q", round, got, want)
			}
		}
	}
}
