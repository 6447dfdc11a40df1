package search

import (
	"strings"

	"golang.org/x/net/html"
)

// block elements end a line of text, so words on either side stay apart.
var block = map[string]bool{"p": true, "div": true, "br": true, "li": true, "ul": true, "ol": true, "pre": true,
	"blockquote": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "tr": true,
	"td": true, "th": true, "table": true, "hr": true, "figure": true, "figcaption": true, "details": true, "summary": true}

// PlainText turns a post's sanitised HTML into the text a reader sees:
// tags dropped, entities decoded, blocks on their own lines, runs of
// blank space squeezed. It is what is indexed and what fragments are cut
// from; a fragment is escaped again before it is shown.
func PlainText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	space := true
	emit := func(s string) {
		for _, r := range s {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' {
				if !space {
					b.WriteByte(' ')
					space = true
				}
				continue
			}
			b.WriteRune(r)
			space = false
		}
	}
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			emit(string(z.Text()))
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if block[string(name)] {
				emit("\n")
			}
			if string(name) == "img" {
				for {
					k, v, more := z.TagAttr()
					if string(k) == "alt" {
						emit(" " + string(v) + " ")
					}
					if !more {
						break
					}
				}
			}
		}
	}
}
