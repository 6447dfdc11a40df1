package markup

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
)

// rel of every link; links to another host also get target="_blank" and
// noreferrer, so the other site learns nothing of the page and cannot reach
// back into it.
const (
	relInternal = "nofollow ugc noopener"
	relExternal = "nofollow ugc noopener noreferrer"
)

var postPath = regexp.MustCompile(`^/p/([1-9][0-9]{0,17})/?$`)

// inspect checks and marks up the parsed post before it is rendered, and
// reads what the post refers to. Two walks: the first decides which links
// and images stay and which blockquotes quote a post; the second, over the
// final tree, reads the text and the mentions (which depend on the quotes).
func (r *Renderer) inspect(doc ast.Node, src []byte) Result {
	var (
		res      Result
		open     []ast.Node // blockquotes around the current node
		quoting  = map[ast.Node]bool{}
		refused  []ast.Node // links and images to replace by their text
		seenPost = map[int64]bool{}
	)
	link := func(n ast.Node, dest []byte, isImage bool) {
		u, ok := checkURL(dest, isImage)
		if !ok {
			refused = append(refused, n)
			return
		}
		if isImage {
			res.Images++
			return
		}
		if r.external(u) {
			n.SetAttributeString("rel", relExternal)
			n.SetAttributeString("target", "_blank")
		} else {
			n.SetAttributeString("rel", relInternal)
		}
		if len(open) > 0 {
			if id := r.postID(u); id > 0 {
				// A quote's link back to its post is not counted as a link:
				// quoting stays open to new members.
				quoting[open[len(open)-1]] = true
				if !seenPost[id] {
					seenPost[id] = true
					res.Quotes = append(res.Quotes, id)
				}
				return
			}
		}
		res.Links++
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Blockquote:
			if entering {
				open = append(open, n)
			} else {
				open = open[:len(open)-1]
			}
		case *ast.Link:
			if entering {
				link(n, util.URLEscape(n.Destination, true), false)
			}
		case *ast.Image:
			if entering {
				link(n, util.URLEscape(n.Destination, true), true)
			}
		case *ast.AutoLink:
			if entering {
				// The same URL goldmark's renderer writes.
				dest := util.URLEscape(n.URL(src), false)
				if n.AutoLinkType == ast.AutoLinkEmail {
					dest = append([]byte("mailto:"), dest...)
				}
				link(n, dest, false)
			}
		}
		return ast.WalkContinue, nil
	})

	for _, n := range refused {
		parent := n.Parent()
		if a, ok := n.(*ast.AutoLink); ok {
			s := ast.NewString(a.Label(src))
			s.SetRaw(true)
			parent.ReplaceChild(parent, n, s)
			continue
		}
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
	for b := range quoting {
		b.SetAttributeString("class", "quote")
	}

	var (
		text    strings.Builder
		inQuote int // depth of blockquotes quoting a post
		seen    = map[string]bool{}
	)
	// What a quoted post said is the quoted post's text, not this one's: it
	// would skew excerpts, search and similarity.
	put := func(b []byte) {
		if inQuote == 0 {
			text.Write(b)
		}
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if n.Type() == ast.TypeBlock {
			text.WriteByte(' ')
		}
		if quoting[n] {
			if entering {
				inQuote++
			} else {
				inQuote--
			}
		}
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			v := n.Segment.Value(src)
			if !n.IsRaw() {
				v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
			}
			put(v)
			if n.SoftLineBreak() || n.HardLineBreak() {
				text.WriteByte(' ')
			}
		case *ast.String:
			put(n.Value)
		case *ast.AutoLink:
			put(n.Label(src))
		case *Mention:
			put([]byte("@" + n.Name))
			// Mentions inside a quoted post were the quoted author's: they
			// are shown as links but notify nobody a second time.
			if name := strings.ToLower(n.Name); inQuote == 0 && !seen[name] {
				seen[name] = true
				res.Mentions = append(res.Mentions, name)
			}
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				put(seg.Value(src))
			}
			return ast.WalkSkipChildren, nil
		case *ast.HTMLBlock, *ast.RawHTML, *east.TaskCheckBox:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	res.Text = strings.Join(strings.Fields(text.String()), " ")
	return res
}

// checkURL parses a link or image destination and says whether it may be
// used: http and https, relative URLs, and mailto for links only. Anything
// unparseable is refused; browsers are more lenient than net/url, so what
// net/url cannot read is what we must not pass on.
func checkURL(dest []byte, isImage bool) (*url.URL, bool) {
	if len(dest) == 0 {
		return nil, false
	}
	u, err := url.Parse(string(dest))
	if err != nil {
		return nil, false
	}
	switch u.Scheme {
	case "":
		return u, true
	case "http", "https":
		return u, u.Host != "" && u.Opaque == ""
	case "mailto":
		return u, !isImage
	}
	return nil, false
}

// external reports whether u points to another host than the forum's.
func (r *Renderer) external(u *url.URL) bool {
	return u.Host != "" && strings.ToLower(u.Host) != r.host
}

// postID returns the ID of the post that u points to on this forum, or 0.
func (r *Renderer) postID(u *url.URL) int64 {
	if u.Host != "" && (r.host == "" || strings.ToLower(u.Host) != r.host) {
		return 0
	}
	if u.Scheme == "mailto" {
		return 0
	}
	p := u.Path
	if r.path != "" {
		p = strings.TrimPrefix(p, r.path)
	}
	m := postPath.FindStringSubmatch(p)
	if m == nil {
		return 0
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0
	}
	return id
}
