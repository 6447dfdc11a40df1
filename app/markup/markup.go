// Package markup turns a post's Markdown into safe HTML, once, when the post
// is written (DESIGN.md, "Render once, safely"): goldmark parses CommonMark
// with GitHub's tables, strikethrough, task lists and autolinks, our own AST
// pass links @mentions, checks every URL and records what the post refers to,
// and a bluemonday policy sanitises the result. The HTML is stored beside the
// source and served as is.
//
// It is a leaf: it imports no other causerie package.
package markup

import (
	"bytes"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// MaxSource is the most source Render reads, in bytes. Callers refuse longer
// posts with a proper message; Render cuts what is past it (at a character
// boundary) so that no input can make it slow.
const MaxSource = 100_000

// Options configure a Renderer; build one Renderer at start-up and share it
// (safe for concurrent use).
type Options struct {
	// BaseURL is the forum's public address, e.g. "https://forum.example.com":
	// links to other hosts are "external", and links to /p/<id> on this host
	// count as quotes. An empty or unparseable BaseURL makes every absolute
	// link external.
	BaseURL string
}

// Renderer holds the goldmark parser and renderer and the bluemonday policy,
// built once; neither keeps state between calls.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
	host   string // lowercased host[:port] of BaseURL, "" when none
	path   string // path prefix of BaseURL without a trailing slash
}

// Result is a rendered post.
//
// A blockquote holding a link to /p/<id> quotes that post: its link back is
// counted in Quotes, not Links, and what it quotes (text and mentions) is
// the quoted post's, so it is left out of Text and Mentions (it is still
// shown, mentions linked). Links and images that were refused (javascript:,
// data:, ...) are shown as their text and not counted.
type Result struct {
	HTML     string   // sanitised, ready to serve as is
	Text     string   // plain text (no markup), whitespace collapsed: for excerpts, search and similarity
	Mentions []string // usernames mentioned with @name, lowercased, unique, in order of appearance (not inside code or links)
	Quotes   []int64  // IDs of posts quoted: a link to /p/<id> inside a blockquote
	Links    int      // number of links (for new-member link limits)
	Images   int      // number of images
}

// New builds a Renderer.
//
// Raw HTML written by authors is never passed through: goldmark runs in its
// default safe mode, which drops it (an HTML block or tag becomes nothing;
// the text between inline tags stays). So everything in the output comes
// from Markdown constructs that our AST pass has seen, which keeps Links,
// Images, Mentions and Quotes honest (a raw <a> would escape the link count)
// and keeps the policy small. bluemonday still sanitises the whole output, as
// a second wall should goldmark or our pass ever let something through.
func New(o Options) *Renderer {
	r := &Renderer{policy: newPolicy()}
	if u, err := url.Parse(strings.TrimSpace(o.BaseURL)); err == nil && u.Host != "" {
		r.host = strings.ToLower(u.Host)
		r.path = strings.TrimSuffix(u.Path, "/")
	}
	r.md = goldmark.New(
		goldmark.WithExtensions(
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.TaskList,
			// Only web addresses become links by themselves (not ftp:).
			extension.NewLinkify(extension.WithLinkifyAllowedProtocols([]string{"http:", "https:"})),
		),
		goldmark.WithParserOptions(
			parser.WithInlineParsers(util.Prioritized(mentionParser{}, 600)),
		),
		goldmark.WithRendererOptions(
			renderer.WithNodeRenderers(util.Prioritized(mentionRenderer{}, 600)),
		),
	)
	return r
}

// Render turns Markdown into sanitised HTML and reports what the post refers
// to. It never fails: any input gives some HTML, at worst empty. A source
// that would make the parser work too hard (thousands of quote or list
// markers nested on one line, thousands of unclosed links in a row: see
// parseWork) is shown as escaped plain text, with nothing counted.
func (r *Renderer) Render(src string) Result {
	s := clean(src)
	if parseWork(s) > workBudget {
		return Result{HTML: r.policy.Sanitize(plainHTML(s)), Text: strings.Join(strings.Fields(s), " ")}
	}
	source := []byte(s)
	doc := r.md.Parser().Parse(text.NewReader(source))
	res := r.inspect(doc, source)
	var buf bytes.Buffer
	buf.Grow(len(source) + len(source)/2)
	if err := r.md.Renderer().Render(unbuffered{&buf}, source, doc); err != nil {
		// Writing to a bytes.Buffer does not fail; if goldmark ever does,
		// show nothing rather than half a post.
		buf.Reset()
	}
	res.HTML = r.policy.Sanitize(buf.String())
	return res
}

// unbuffered hands goldmark a bytes.Buffer as the buffered writer it asks
// for, so that it does not wrap it in a bufio.Writer of its own: 4 KiB more
// for every post written (3.5% of the bytes a reply allocated in a posting
// run's heap profile).
type unbuffered struct{ *bytes.Buffer }

func (unbuffered) Buffered() int { return 0 }
func (unbuffered) Flush() error  { return nil }

// clean makes the source valid UTF-8 without NUL characters (CommonMark
// replaces them with U+FFFD) and cuts it to MaxSource bytes.
func clean(src string) string {
	if len(src) > MaxSource {
		cut := MaxSource
		for cut > 0 && !utf8.RuneStart(src[cut]) {
			cut--
		}
		src = src[:cut]
	}
	src = strings.ToValidUTF8(src, "\uFFFD")
	return strings.ReplaceAll(src, "\x00", "\uFFFD")
}
