package markup

import (
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// newPolicy is bluemonday's UGC policy (no script, style, forms, frames or
// event handlers; http, https and mailto URLs or relative ones; no data:
// URLs) plus exactly the attributes our Markdown renderer writes, each held
// to the values it can take. It is built once, in New: a Policy is safe for
// concurrent use once built.
// plainText is any text without control characters other than whitespace.
var plainText = regexp.MustCompile(`^[\P{Cc}\t\n\r]*$`)

func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()

	// Links: our rel and target, set by inspect; bluemonday adds nofollow
	// itself to any link that would lack it.
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^nofollow ugc noopener( noreferrer)?$`)).OnElements("a")
	p.AllowAttrs("target").Matching(regexp.MustCompile(`^_blank$`)).OnElements("a")
	p.RequireNoFollowOnLinks(true)

	// Classes, one per element, never free: mentions, quotes, and the
	// language of a fenced code block (for a highlighter).
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^mention$`)).OnElements("a")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^quote$`)).OnElements("blockquote")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[A-Za-z0-9_+#.-]{1,40}$`)).OnElements("code")

	// Alternative text and titles as written: the UGC policy drops any with
	// characters such as "?", "@" or ":", and bluemonday escapes the value.
	p.AllowAttrs("alt").Matching(plainText).OnElements("img")
	p.AllowAttrs("title").Matching(plainText).OnElements("a", "img")

	// Ordered lists that do not start at 1.
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")

	// Task lists: disabled checkboxes, nothing else of forms.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^$`)).OnElements("input")

	// Strikethrough.
	p.AllowElements("del")
	return p
}
