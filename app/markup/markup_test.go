package markup

import (
	"bytes"
	"html"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

const base = "https://forum.example.com"

func newTestRenderer() *Renderer { return New(Options{BaseURL: base}) }

// htmlCase checks what the HTML of a rendered post contains and does not.
type htmlCase struct {
	name, src string
	want      []string // substrings of HTML
	not       []string // not substrings of HTML (compared lowercased)
}

func runHTMLCases(t *testing.T, cases []htmlCase) {
	t.Helper()
	r := newTestRenderer()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := r.Render(tc.src).HTML
			if reason := unsafeHTML(got); reason != "" {
				t.Errorf("Render(%q) is unsafe (%s):\n%s", tc.src, reason, got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("Render(%q) =\n%s\nwant it to contain %q", tc.src, got, w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(strings.ToLower(got), strings.ToLower(n)) {
					t.Errorf("Render(%q) =\n%s\nwant no %q", tc.src, got, n)
				}
			}
		})
	}
}

func TestRenderXSS(t *testing.T) {
	runHTMLCases(t, []htmlCase{
		{name: "script block", src: "<script>alert(1)</script>", not: []string{"<script", "alert"}},
		{name: "inline script", src: "hi <script>alert(1)</script> there", not: []string{"<script"}, want: []string{"hi "}},
		{name: "script in svg", src: "<svg><script>alert(1)</script></svg>", not: []string{"<svg", "<script"}},
		{name: "svg onload", src: "x <svg onload=alert(1)> y", not: []string{"<svg", "onload"}},
		{name: "img onerror", src: "<img src=x onerror=alert(1)>", not: []string{"<img", "onerror"}},
		{name: "inline img onerror", src: "look <img src=x onerror=alert(1)>", not: []string{"<img", "onerror"}},
		{name: "raw a javascript", src: `<a href="javascript:alert(1)">x</a>`, not: []string{"javascript:", "<a"}},
		{name: "raw a onclick", src: `<a href="https://x.org" onclick="alert(1)">x</a>`, not: []string{"onclick", "<a"}},
		{name: "style attribute", src: `<p style="background:url(javascript:alert(1))">x</p>`, not: []string{"style", "javascript:"}},
		{name: "style element", src: "<style>body{display:none}</style>", not: []string{"<style", "display"}},
		{name: "iframe", src: `<iframe src="https://evil.example"></iframe>`, not: []string{"<iframe"}},
		{name: "comment trick", src: "<!--><script>alert(1)</script>-->", not: []string{"<script"}},
		{name: "md javascript link", src: "[x](javascript:alert(1))", not: []string{"javascript:", "<a"}, want: []string{"<p>x</p>"}},
		{name: "md javascript mixed case", src: "[x](JaVaScRiPt:alert(1))", not: []string{"javascript:", "<a"}},
		{name: "md javascript entity colon", src: "[x](javascript&#58;alert(1))", not: []string{"javascript", "<a"}},
		{name: "md javascript entity letter", src: "[x](&#106;avascript:alert(1))", not: []string{"javascript", "<a"}},
		{name: "md javascript tab", src: "[x](java&#9;script:alert(1))", not: []string{"script:", "<a"}},
		{name: "md javascript spaced", src: "[x](< javascript:alert(1)>)", not: []string{"javascript:", "<a"}},
		{name: "md vbscript link", src: "[x](vbscript:msgbox(1))", not: []string{"vbscript:", "<a"}},
		{name: "md data link", src: "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", not: []string{"data:", "<a"}},
		{name: "md data image", src: "![x](data:image/png;base64,iVBORw0KGgo=)", not: []string{"data:", "<img"}, want: []string{"x"}},
		{name: "md data svg image", src: "![x](data:image/svg+xml;base64,PHN2Zz4=)", not: []string{"data:", "<img"}},
		{name: "md javascript image", src: "![x](javascript:alert(1))", not: []string{"javascript:", "<img"}},
		{name: "autolink javascript", src: "<javascript:alert(1)>", not: []string{`href="javascript`, "<a"}},
		{name: "autolink data", src: "<data:text/html,hi>", not: []string{`href="data`, "<a"}},
		{name: "title breakout", src: `[x](https://x.org "a\" onmouseover=\"alert(1)")`, not: []string{`" onmouseover`}, want: []string{`href="https://x.org"`}},
		{name: "image title breakout", src: `![x](/uploads/a.png "a\" onerror=\"alert(1)")`, not: []string{`" onerror`}, want: []string{`src="/uploads/a.png"`}},
		{name: "destination breakout", src: `[x](https://x.org/"onmouseover="alert(1))`, not: []string{`"onmouseover`}},
		{name: "code language breakout", src: "```\"><script>alert(1)</script>\nx\n```", not: []string{"<script"}, want: []string{"<pre><code>x"}},
		{name: "ftp link refused", src: "[x](ftp://files.example/a)", not: []string{"<a"}},
		{name: "backslash host stays a path", src: `[x](/\evil.example)`, not: []string{`href="/\`}},
		{name: "empty destination", src: "[x]()", not: []string{"<a"}},
	})
}

func TestRenderLinks(t *testing.T) {
	const (
		internal = `rel="nofollow ugc noopener">`
		external = `rel="nofollow ugc noopener noreferrer" target="_blank">`
	)
	runHTMLCases(t, []htmlCase{
		{name: "external", src: "[a](https://other.example/x)", want: []string{`href="https://other.example/x" ` + external}},
		{name: "external scheme-relative", src: "[a](//other.example/x)", want: []string{external}},
		{name: "external upper case", src: "[a](HTTPS://OTHER.EXAMPLE)", want: []string{external}},
		{name: "own host", src: "[a](https://forum.example.com/t/1)", want: []string{`href="https://forum.example.com/t/1" ` + internal}, not: []string{"target"}},
		{name: "own host upper case", src: "[a](https://FORUM.example.com/t/1)", want: []string{internal}, not: []string{"target"}},
		{name: "relative", src: "[a](/t/1#p3)", want: []string{`href="/t/1#p3" ` + internal}, not: []string{"target"}},
		{name: "mailto", src: "[a](mailto:ana@example.com)", want: []string{`href="mailto:ana@example.com" ` + internal}},
		{name: "linkify https", src: "see https://other.example/a?b=1.", want: []string{`<a href="https://other.example/a?b=1" ` + external + `https://other.example/a?b=1</a>.`}},
		{name: "linkify www", src: "see www.other.example", want: []string{`<a href="http://www.other.example" ` + external}},
		{name: "linkify email", src: "write to ana@example.com", want: []string{`<a href="mailto:ana@example.com" ` + internal}},
		{name: "angle autolink", src: "<https://other.example>", want: []string{external}},
		{name: "reference link", src: "[a][r]\n\n[r]: https://other.example", want: []string{`href="https://other.example" ` + external}},
		{name: "title kept", src: `[a](/t/1 "Le titre")`, want: []string{`title="Le titre"`}},
		{name: "image relative", src: "![chat](/uploads/ab/chat.png)", want: []string{`<img src="/uploads/ab/chat.png" alt="chat">`}},
		{name: "image external", src: "![chat](https://img.example/chat.png)", want: []string{`<img src="https://img.example/chat.png" alt="chat">`}},
		{name: "image inside link", src: "[![chat](/uploads/c.png)](https://other.example)", want: []string{external + `<img src="/uploads/c.png"`}},
	})
}

func TestRenderMarkdown(t *testing.T) {
	runHTMLCases(t, []htmlCase{
		{name: "fenced code language", src: "```go\nx := 1\n```", want: []string{`<pre><code class="language-go">x := 1`}},
		{name: "fenced code c++", src: "```c++\nint x;\n```", want: []string{`<code class="language-c++">`}},
		{name: "fenced code info words", src: "```js title=x\nf()\n```", want: []string{`<code class="language-js">`}},
		{name: "fenced code no language", src: "```\nplain\n```", want: []string{"<pre><code>plain"}},
		{name: "indented code", src: "    x <b>", want: []string{"<pre><code>x &lt;b&gt;"}},
		{name: "no class on spans", src: "`x`", want: []string{"<code>x</code>"}},
		{name: "table", src: "| a | b |\n|:--|--:|\n| 1 | 2 |", want: []string{"<table>", `<th align="left">a</th>`, `<td align="right">2</td>`}},
		{name: "task list", src: "- [x] done\n- [ ] todo", want: []string{`<li><input checked="" disabled="" type="checkbox"> done</li>`, `<li><input disabled="" type="checkbox"> todo</li>`}},
		{name: "strikethrough", src: "~~gone~~ and ~also~", want: []string{"<del>gone</del>", "<del>also</del>"}},
		{name: "headings", src: "# One\n\n###### Six", want: []string{"<h1>One</h1>", "<h6>Six</h6>"}, not: []string{"id="}},
		{name: "rule", src: "a\n\n---\n\nb", want: []string{"<hr>"}},
		{name: "ordered list start", src: "3. three\n4. four", want: []string{`<ol start="3">`}},
		{name: "emphasis", src: "*a* **b** ***c***", want: []string{"<em>a</em>", "<strong>b</strong>"}},
		{name: "hard break", src: "a  \nb", want: []string{"a<br>"}},
		{name: "raw html dropped, text kept", src: "a <b>bold</b> <kbd>k</kbd>", want: []string{"<p>a bold k</p>"}},
		{name: "entities", src: "Caf&eacute; &amp; &#x3C;3", want: []string{"Café &amp; &lt;3"}},
		{name: "nul", src: "a\x00b", want: []string{"a\uFFFDb"}},
		{name: "invalid utf-8", src: "a\xffb", want: []string{"a\uFFFDb"}},
	})
}

func TestRenderMentions(t *testing.T) {
	r := newTestRenderer()
	for _, tc := range []struct {
		name, src string
		want      []string
		html      string // a substring of the HTML, if set
	}{
		{"start of line", "@ana hello", []string{"ana"}, `<p><a class="mention" href="/u/ana" rel="nofollow ugc noopener">@ana</a> hello</p>`},
		{"after punctuation", "hi (@ana), @bob! «@carl» **@dan**", []string{"ana", "bob", "carl", "dan"}, `(<a class="mention" href="/u/ana"`},
		{"case kept in link, lowered in list", "@Ana_B", []string{"ana_b"}, `href="/u/Ana_B" rel="nofollow ugc noopener">@Ana_B</a>`},
		{"duplicates", "@ana @Ana @ANA @bob @ana", []string{"ana", "bob"}, ""},
		{"dots and dashes", "@a.b-c and @x_y_z", []string{"a.b-c", "x_y_z"}, ""},
		{"end of sentence", "thanks @ana. And @bob-, @carl_!", []string{"ana", "bob", "carl"}, `>@ana</a>.`},
		{"in code span", "`@ana` and ``x @bob``", nil, "<code>@ana</code>"},
		{"in fenced code", "```\n@ana\n```", nil, ""},
		{"in indented code", "    @ana", nil, ""},
		{"email", "mail ana@example.com or bob@local", nil, ""},
		{"after a word", "x@ana é@bob", nil, ""},
		{"address after mention", "@ana@example.com", nil, ""},
		{"non-ASCII letter follows", "@anaïs", nil, ""},
		{"too short", "@ab @a", nil, ""},
		{"shortest", "@abc", []string{"abc"}, ""},
		{"longest", "@" + strings.Repeat("a", 30), []string{strings.Repeat("a", 30)}, ""},
		{"longest then dot", "@" + strings.Repeat("a", 30) + ".", []string{strings.Repeat("a", 30)}, ""},
		{"too long", "@" + strings.Repeat("a", 31), nil, ""},
		{"starts with underscore", "@_ana @.ana", nil, ""},
		{"inside link text", "[@ana](/t/1) and [hi @bob](https://x.org)", nil, `<a href="/t/1" rel="nofollow ugc noopener">@ana</a>`},
		{"inside image alt", "![@ana](/uploads/a.png)", nil, `alt="@ana"`},
		{"in autolink", "https://x.org/@ana", nil, ""},
		{"heading and table", "# Hi @ana\n\n| @bob |\n|---|\n| @carl |", []string{"ana", "bob", "carl"}, ""},
		{"across lines", "hi\n@ana", []string{"ana"}, ""},
		{"in plain blockquote", "> @ana said", []string{"ana"}, ""},
		{"in a quoted post", "> [@ana](/p/5) wrote:\n> hi @bob\n\n@carl", []string{"carl"}, `hi <a class="mention" href="/u/bob"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := r.Render(tc.src)
			if !slices.Equal(res.Mentions, tc.want) {
				t.Errorf("Render(%q).Mentions = %q, want %q", tc.src, res.Mentions, tc.want)
			}
			if tc.html != "" && !strings.Contains(res.HTML, tc.html) {
				t.Errorf("Render(%q).HTML =\n%s\nwant it to contain %q", tc.src, res.HTML, tc.html)
			}
			if tc.want == nil && strings.Contains(res.HTML, "mention") {
				t.Errorf("Render(%q).HTML = %s, want no mention link", tc.src, res.HTML)
			}
			if strings.Count(res.HTML, "<a ") != strings.Count(res.HTML, "</a>") || strings.Contains(res.HTML, "<a href=\"/t/1\" rel=\"nofollow ugc noopener\"><a") {
				t.Errorf("Render(%q).HTML = %s: links nested or unbalanced", tc.src, res.HTML)
			}
		})
	}
}

func TestRenderCounts(t *testing.T) {
	r := newTestRenderer()
	for _, tc := range []struct {
		name, src     string
		quotes        []int64
		links, images int
	}{
		{"composer quote", "> [@ana](/p/123) wrote:\n> Bonjour\n\nMerci !", []int64{123}, 0, 0},
		{"quote on own host", "> [@ana](https://forum.example.com/p/7) wrote:\n> x", []int64{7}, 0, 0},
		{"quote as autolink", "> see https://forum.example.com/p/42", []int64{42}, 0, 0},
		{"quote link with slash and fragment", "> [a](/p/8/#r) [b](/p/9#x)", []int64{8, 9}, 0, 0},
		{"other host is no quote", "> [x](https://other.example/p/7)", nil, 1, 0},
		{"post link outside a quote", "[x](/p/9)", nil, 1, 0},
		{"not a post path", "> [a](/p/abc) [b](/p/0) [c](/p/1/edit) [d](/x/p/1) [e](p/1)", nil, 5, 0},
		{"nested quotes", "> [@a](/p/1) wrote:\n> > [@b](/p/2) wrote:\n> > hi\n>\n> yes", []int64{1, 2}, 0, 0},
		{"duplicate quotes", "> [a](/p/1)\n\n> [a](/p/1)\n\n> [b](/p/3)", []int64{1, 3}, 0, 0},
		{"links and images", "[a](/t/1) https://x.org <https://y.org> a@example.com ![i](/uploads/i.png) ![j](https://img.example/j.png)", nil, 4, 2},
		{"mentions are no links", "@ana @bob", nil, 0, 0},
		{"refused are not counted", "[a](javascript:x) ![b](data:image/png;base64,AA) <vbscript:x>", nil, 0, 0},
		{"code is not counted", "`[a](/t/1)` and\n\n    ![i](/x.png)", nil, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := r.Render(tc.src)
			if !slices.Equal(res.Quotes, tc.quotes) || res.Links != tc.links || res.Images != tc.images {
				t.Errorf("Render(%q): quotes %v links %d images %d, want %v %d %d\n%s",
					tc.src, res.Quotes, res.Links, res.Images, tc.quotes, tc.links, tc.images, res.HTML)
			}
			if quote := len(tc.quotes) > 0; quote != strings.Contains(res.HTML, `<blockquote class="quote">`) {
				t.Errorf("Render(%q).HTML = %s, want class quote: %v", tc.src, res.HTML, quote)
			}
		})
	}
}

func TestRenderBaseURL(t *testing.T) {
	for _, tc := range []struct {
		base, src string
		quotes    []int64
		external  bool
	}{
		{"", "> [a](/p/1)", []int64{1}, false},
		{"", "> [a](https://forum.example.com/p/1)", nil, true},
		{"https://forum.example.com/", "> [a](https://forum.example.com/p/1)", []int64{1}, false},
		{"https://example.com/forum", "> [a](https://example.com/forum/p/2)", []int64{2}, false},
		{"https://example.com/forum", "> [a](/forum/p/3)", []int64{3}, false},
		{"http://localhost:8080", "> [a](http://localhost:8080/p/4)", []int64{4}, false},
		{"http://localhost:8080", "> [a](http://localhost:9090/p/4)", nil, true},
		{"::not a url", "> [a](https://x.org/p/1)", nil, true},
	} {
		res := New(Options{BaseURL: tc.base}).Render(tc.src)
		if !slices.Equal(res.Quotes, tc.quotes) || strings.Contains(res.HTML, "_blank") != tc.external {
			t.Errorf("BaseURL %q, Render(%q) = %v, %s; want quotes %v, external %v", tc.base, tc.src, res.Quotes, res.HTML, tc.quotes, tc.external)
		}
	}
}

func TestRenderText(t *testing.T) {
	r := newTestRenderer()
	for _, tc := range []struct{ src, want string }{
		{"**Bonjour** à _tous_,\n\nça   va ?\tTrès  bien.", "Bonjour à tous, ça va ? Très bien."},
		{"# Titre\n\n- un\n- deux\n\n> cité", "Titre un deux cité"},
		{"[le lien](https://x.org) et https://y.org et ![une image](/uploads/a.png)", "le lien et https://y.org et une image"},
		{"Caf&eacute; &amp; \\*pas d'emphase\\* &#x4E2D;", "Café & *pas d'emphase* 中"},
		{"`a<b` et\n\n```go\nif a < b {\n}\n```", "a<b et if a < b { }"},
		{"<b>gras</b> <script>alert(1)</script>", "gras alert(1)"},
		{"| a | b |\n|---|---|\n| 1 | 2 |", "a b 1 2"},
		{"- [x] fait\n- [ ] à faire", "fait à faire"},
		{"hi @ana", "hi @ana"},
		{"> [@ana](/p/1) wrote:\n> the quoted words\n\nmy answer", "my answer"},
		{"[x](javascript:alert(1)) <javascript:y>", "x javascript:y"},
		{"中文的句子。日本語の文章です。", "中文的句子。日本語の文章です。"},
		{"", ""},
	} {
		if got := r.Render(tc.src).Text; got != tc.want {
			t.Errorf("Render(%q).Text = %q, want %q", tc.src, got, tc.want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct {
		text string
		n    int
		want string
	}{
		{"Bonjour à tous, ça va très bien", 17, "Bonjour à tous…"},
		{"Bonjour à tous, ça va très bien", 14, "Bonjour à tous…"},
		{"Bonjour à tous, ça va très bien", 100, "Bonjour à tous, ça va très bien"},
		{"Déjà vu", 7, "Déjà vu"},
		{"Déjà vu", 6, "Déjà…"},
		{"Déjà vu", 4, "Déjà…"},
		{"hello world", 5, "hello…"},
		{"hello world", 6, "hello…"},
		{"Supercalifragilistic", 5, "Super…"},
		{"a https://example.com/a/very/long/path", 20, "a https://example…"},
		{"aaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 20, "aaaa bbbbbbbbbbbbbbb…"},
		{"日本語のテキストです", 5, "日本語のテ…"},
		{"日本語のテキストです", 10, "日本語のテキストです"},
		{"中文句子。第二句", 6, "中文句子。第…"},
		{"中文句子。第二句", 5, "中文句子…"},
		{"l'été, enfin", 9, "l'été…"},
		{"한국어 문장입니다", 5, "한국어…"},
		{"Quoi ? Vraiment !", 8, "Quoi ?…"},
		{"x", 0, ""},
		{"", 5, ""},
	} {
		got := Excerpt(tc.text, tc.n)
		if got != tc.want {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", tc.text, tc.n, got, tc.want)
		}
		if c := utf8.RuneCountInString(strings.TrimSuffix(got, "…")); c > tc.n {
			t.Errorf("Excerpt(%q, %d) has %d runes before the ellipsis", tc.text, tc.n, c)
		}
	}
}

// TestRenderHugeInput feeds 1 MB of input that makes naive parsers slow and
// checks that Render finishes, reads no more than MaxSource, and stays safe.
// The times are logged, not asserted. Without the work budget (parseWork),
// "nested links" and "nested blockquotes" took about 2 s each here, and over
// a minute under the race detector.
func TestRenderHugeInput(t *testing.T) {
	r := newTestRenderer()
	const mb = 1 << 20
	for _, tc := range []struct{ name, unit string }{
		{"open brackets", "["},
		{"nested links", "[a]("},
		{"nested images", "![["},
		{"emphasis", "*a **b _c __d "},
		{"stars", "*"},
		{"strikethrough", "~~a "},
		{"backticks", "`a``"},
		{"nested blockquotes", "> "},
		{"nested lists", "- "},
		{"angle destinations", "[a](<"},
		{"angle brackets", "<a@"},
		{"nested ordered lists", "1. "},
		{"quotes in lists", "- > "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Repeat(tc.unit, mb/len(tc.unit))
			start := time.Now()
			res := r.Render(src)
			t.Logf("%d bytes: %v, %d bytes of HTML", len(src), time.Since(start), len(res.HTML))
			if len(res.Text) > MaxSource*3 {
				t.Errorf("Text is %d bytes: the source was not cut at %d", len(res.Text), MaxSource)
			}
			if reason := unsafeHTML(res.HTML); reason != "" {
				t.Errorf("unsafe HTML: %s", reason)
			}
		})
	}
}

func TestParseWork(t *testing.T) {
	r := newTestRenderer()
	if w := parseWork(benchPost); w > workBudget/10000 {
		t.Errorf("parseWork(benchPost) = %d, want far below the budget %d", w, workBudget)
	}
	for _, tc := range []struct {
		name, src string
		plain     bool
	}{
		{"deep but sane quotes", strings.Repeat("> ", 500) + "a", false},
		{"many quote lines", strings.Repeat("> > > > > a\n", 5000), false},
		{"many links", strings.Repeat("[a](https://example.com/a/b/c) ", 2500), false},
		{"long line of links", strings.Repeat("[a](/b)", 5000), false},
		{"dashes", strings.Repeat("-", MaxSource), false},
		{"too deep quotes", strings.Repeat("> ", 20000) + "a", true},
		{"too deep lists", strings.Repeat("1. ", 20000) + "a", true},
		{"unclosed links", strings.Repeat("[a](", 10000), true},
		{"unclosed angle links", strings.Repeat("[a](<", 10000), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := r.Render(tc.src)
			if plain := !strings.Contains(res.HTML, "<blockquote") && !strings.Contains(res.HTML, "<a ") &&
				!strings.Contains(res.HTML, "<li") && !strings.Contains(res.HTML, "<hr"); plain != tc.plain {
				t.Errorf("plain text = %v, want %v (work %d): %.200s", plain, tc.plain, parseWork(tc.src), res.HTML)
			}
		})
	}
}

func TestRenderCutsAtRuneBoundary(t *testing.T) {
	src := strings.Repeat("é", MaxSource) // 2 bytes each
	res := newTestRenderer().Render("a" + src)
	if !utf8.ValidString(res.Text) || strings.ContainsRune(res.Text, utf8.RuneError) {
		t.Errorf("cut inside a character")
	}
	if got := utf8.RuneCountInString(res.Text); got != 1+(MaxSource-1)/2 {
		t.Errorf("kept %d runes, want %d", got, 1+(MaxSource-1)/2)
	}
}

func TestRenderConcurrent(t *testing.T) {
	r := newTestRenderer()
	want := r.Render(benchPost)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if got := r.Render(benchPost); got.HTML != want.HTML || !slices.Equal(got.Mentions, want.Mentions) {
					t.Error("concurrent Render gave a different result")
					return
				}
			}
		})
	}
	wg.Wait()
}

// benchPost is a realistic reply of about 2 KB: a quote, mentions, a list,
// links, code and an image.
const benchPost = `> [@marie](/p/4821) wrote:
> Has anyone managed to run the importer on a server with only 1 GB of RAM? Mine stops half way through with no message.

Yes! I had the same problem last week, @marie. Thanks to @jean-luc and @Sam_K for the hints in the other thread.

The importer reads the **whole export file** into memory before it starts, so with a big forum it runs out of memory quietly. What worked for me:

1. Split the export with the ` + "`--chunk-size`" + ` option (I used 5000 posts per chunk).
2. Run the chunks one after the other, not in parallel.
3. Keep an eye on the log: ` + "`journalctl -u causerie -f`" + `.

Here is the little script I used:

` + "```bash" + `
for f in export-*.json; do
  causerie import --file "$f" --chunk-size 5000 || break
  sleep 2
done
` + "```" + `

| step | time | memory |
|:-----|-----:|-------:|
| split | 2 min | 120 MB |
| import | 41 min | 610 MB |

The documentation explains the options in more detail: https://docs.example.org/import#chunks and there is a ~~long~~ short discussion on [the tracker](https://tracker.example.org/issues/1234 "Importer memory").

- [x] split the export
- [x] import in chunks
- [ ] rebuild the search index

![memory graph](/uploads/2024/05/memory-graph.png)

A few things I learnt on the way, in case they help someone else:

- the importer is **idempotent**, so running a chunk twice does no harm;
- the search index is rebuilt at the end, which is why the last step looks stuck for a while;
- avatars are fetched after the posts, so profiles look empty for the first hour.

My setup, for comparison: a small VPS with 1 vCPU and 1 GB, Debian, SQLite, and the default settings apart from ` + "`[search] batch = 200`" + `. The whole migration of about 180,000 posts took a little under three hours.

If it still fails, post the last twenty lines of the log here and mention me (@pierre) so I see it. Good luck, and _bon courage_ to everyone migrating this week!
`

func BenchmarkRender(b *testing.B) {
	r := newTestRenderer()
	b.SetBytes(int64(len(benchPost)))
	b.ReportAllocs()
	for b.Loop() {
		r.Render(benchPost)
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{
		benchPost,
		"<script>alert(1)</script>",
		"<img src=x onerror=alert(1)>",
		"[x](javascript:alert(1))",
		"[x](javascript&#58;alert(1))",
		"<javascript:alert(1)>",
		"![x](data:image/png;base64,AAAA)",
		"<svg onload=alert(1)>",
		"<a href=\"x\" style=\"color:red\">x</a>",
		"[x](https://x.org \"t\\\" onmouseover=\\\"x\")",
		"```\"><script>\n```",
		"> [@ana](/p/1) wrote:\n> @bob",
		"| a |\n|---|\n| <b onclick=x> |",
		"- [x] @ana ~~s~~ www.example.com a@b.co",
	} {
		f.Add(s)
	}
	r := newTestRenderer()
	f.Fuzz(func(t *testing.T, src string) {
		res := r.Render(src)
		if reason := unsafeHTML(res.HTML); reason != "" {
			t.Fatalf("Render(%q) is unsafe (%s):\n%s", src, reason, res.HTML)
		}
		if !utf8.ValidString(res.Text) || !utf8.ValidString(res.HTML) {
			t.Fatalf("Render(%q) gave invalid UTF-8", src)
		}
		if e := Excerpt(res.Text, 40); utf8.RuneCountInString(e) > 41 {
			t.Fatalf("Excerpt too long: %q", e)
		}
		for _, m := range res.Mentions {
			if !usernameRule.MatchString(m) {
				t.Fatalf("Render(%q) mentions %q, not a username", src, m)
			}
		}
	})
}

var (
	usernameRule = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{1,28}[A-Za-z0-9]$`)
	tagRe        = regexp.MustCompile(`<(/?)([a-zA-Z0-9]*)([^>]*)>`)
	attrRe       = regexp.MustCompile(`\s+([^\s="'>/]+)(="([^"]*)")?`)
	allowedTags  = func() map[string]bool {
		m := map[string]bool{}
		for _, t := range strings.Fields("p br em strong a img code pre blockquote ul ol li h1 h2 h3 h4 h5 h6 hr table thead tbody tr th td del input") {
			m[t] = true
		}
		return m
	}()
)

// unsafeHTML returns why h could run script or restyle the page, or "".
// Text never holds a raw "<" (bluemonday escapes it), so every "<" starts a
// tag: the tags and their attributes are all checked, not the text, where
// "javascript:" or " onclick=" may be written harmlessly.
func unsafeHTML(h string) string {
	if strings.Contains(strings.ToLower(h), "<script") {
		return "<script"
	}
	if strings.Count(h, "<") != len(tagRe.FindAllStringIndex(h, -1)) {
		return "a < that opens no tag"
	}
	for _, m := range tagRe.FindAllStringSubmatch(h, -1) {
		name := strings.ToLower(m[2])
		if !allowedTags[name] {
			return "element " + name
		}
		for _, a := range attrRe.FindAllStringSubmatch(m[3], -1) {
			key, val := strings.ToLower(a[1]), html.UnescapeString(a[3])
			switch {
			case strings.HasPrefix(key, "on"):
				return "event handler " + key
			case key == "style":
				return "style attribute"
			case key == "href" || key == "src" || key == "cite":
				u, err := url.Parse(val)
				if err != nil {
					return key + " unparseable: " + val
				}
				v := strings.ToLower(strings.TrimSpace(val))
				for _, bad := range []string{"javascript:", "vbscript:", "data:"} {
					if strings.HasPrefix(v, bad) {
						return key + " " + bad
					}
				}
				ok := u.Scheme == "" || u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "mailto" && key == "href"
				if !ok {
					return key + " scheme " + u.Scheme
				}
			}
		}
	}
	return ""
}

// goldmark writes straight into Render's buffer: it wraps a writer in a
// bufio.Writer (4 KiB) only when the writer is not a util.BufWriter.
func TestRenderWritesUnbuffered(t *testing.T) {
	var _ util.BufWriter = unbuffered{}
	r := newTestRenderer()
	source := []byte("Hello **world**, a [link](https://example.com) and a list:\n\n- one\n- two\n")
	doc := r.md.Parser().Parse(text.NewReader(source))
	render := func(w func(*bytes.Buffer) io.Writer) (string, int64) {
		var out string
		return out, testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				var buf bytes.Buffer
				buf.Grow(256)
				if err := r.md.Renderer().Render(w(&buf), source, doc); err != nil {
					b.Fatal(err)
				}
				out = buf.String()
			}
		}).AllocedBytesPerOp()
	}
	plain, plainBytes := render(func(b *bytes.Buffer) io.Writer { return b })
	direct, directBytes := render(func(b *bytes.Buffer) io.Writer { return unbuffered{b} })
	if direct != plain || !strings.Contains(direct, "<strong>world</strong>") {
		t.Fatalf("through unbuffered: %q, through the buffer itself: %q", direct, plain)
	}
	if plainBytes-directBytes < 4096 {
		t.Errorf("rendering allocates %d bytes through unbuffered, %d through the buffer itself: want 4 KiB less", directBytes, plainBytes)
	}
}
