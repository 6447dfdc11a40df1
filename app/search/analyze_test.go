package search

import (
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
)

// The analysers bring the forms a reader types to the same term.
func TestAnalysers(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	terms := func(an, text string) []string {
		a := m.AnalyzerNamed(an)
		var out []string
		for _, tok := range analysis.TokenStream(a.Analyze([]byte(text))) {
			out = append(out, string(tok.Term))
		}
		return out
	}
	for _, tc := range []struct{ an, a, b string }{
		{anEN, "running", "runs"},
		{anEN, "connections", "connection"},
		{anEN, "café", "cafe"},
		{anFR, "connexions", "connexion"},
		{anFR, "télécharger", "telecharger"},
		{anFR, "téléchargement", "telechargement"},
		{anFR, "l'ordinateur", "ordinateurs"},
		{anFR, "cœur", "coeur"},
	} {
		ta, tb := terms(tc.an, tc.a), terms(tc.an, tc.b)
		if len(ta) != 1 || len(tb) != 1 || ta[0] != tb[0] {
			t.Errorf("%s: %q → %v, %q → %v: want one and the same term", tc.an, tc.a, ta, tc.b, tb)
		}
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct{ text, fallback, want string }{
		{"Comment est-ce que je peux télécharger la mise à jour sur mon ordinateur ?", "en", LangFR},
		{"How can I download the update on my computer?", "fr", LangEN},
		{"数据库连接失败，怎么办？", "en", LangCJK},
		{"データベースに接続できません", "en", LangCJK},
		{"Wi-Fi 6E", "fr", LangFR},
		{"Wi-Fi 6E", "en", LangEN},
	} {
		if got := Detect(tc.text, tc.fallback); got != tc.want {
			t.Errorf("Detect(%q, %q) = %s, want %s", tc.text, tc.fallback, got, tc.want)
		}
	}
}

// Only the fields that sorts and facets read keep doc values; the
// others' would be written at every build and never read.
func TestDocValues(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{fCreated: true, fReactions: true, fCategory: true, fTags: true, fKind: true}
	for name, dm := range m.DefaultMapping.Properties {
		for _, f := range dm.Fields {
			if f.DocValues != want[name] {
				t.Errorf("field %s: doc values %v, want %v", name, f.DocValues, want[name])
			}
		}
	}
}
