package web

import (
	"bytes"
	"html/template"
	"testing"
)

// The Go writers escape as html/template does in each place, so a page
// written in Go reads the same as its template: text, a path in an href, a
// value in a URL's query.
func TestEscapersMatchTemplates(t *testing.T) {
	tmpl := template.Must(template.New("").Parse(
		`<p title="{{.}}">{{.}}</p><a href="/tag/{{.}}"></a><a href="/login?next={{.}}"></a>`))
	for _, s := range []string{"", "plain", "réseau", `"quotes" & <tags> 'single' +plus`, "/t/a-slug/12",
		"50%", "%c3%a9", "%zz", "a b?c=d&e#f", "\x00\x01 ~._-!$*,;:@[]()", "日本語", "/tag/a+b"} {
		var want bytes.Buffer
		if err := tmpl.Execute(&want, s); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		m := Markup{&got}
		m.Raw(`<p title="`)
		m.Text(s)
		m.Raw(`">`)
		m.Text(s)
		m.Raw(`</p><a href="/tag/`)
		m.URL(s)
		m.Raw(`"></a><a href="/login?next=`)
		m.Query(s)
		m.Raw(`"></a>`)
		if got.String() != want.String() {
			t.Errorf("%q:\n got %s\nwant %s", s, got.String(), want.String())
		}
	}
}
