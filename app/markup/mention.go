package markup

import (
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Mention is an inline node for @name. Being a parser, not a pass over text,
// it never sees code (code spans and blocks are not parsed inline) and it
// reads a whole name even where goldmark would split text nodes ("@ana_b").
type Mention struct {
	ast.BaseInline
	Name    string       // as written
	Segment text.Segment // "@name" in the source, to fall back to plain text
}

// KindMention is the ast.NodeKind of Mention.
var KindMention = ast.NewNodeKind("Mention")

// Kind implements ast.Node.
func (n *Mention) Kind() ast.NodeKind { return KindMention }

// Dump implements ast.Node.
func (n *Mention) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Name": n.Name}, nil)
}

// Username lengths follow our username rule:
// ^[A-Za-z0-9][A-Za-z0-9_.-]{1,28}[A-Za-z0-9]$.
const (
	minName = 3
	maxName = 30
)

type mentionParser struct{}

func (mentionParser) Trigger() []byte { return []byte{'@'} }

func (mentionParser) Parse(_ ast.Node, block text.Reader, pc parser.Context) ast.Node {
	// Inside a link's text the name is already linked to something else.
	if pc.IsInLinkLabel() {
		return nil
	}
	// "ana@example.com" is an address, not a mention of example.
	if prev := block.PrecendingCharacter(); isWordRune(prev) {
		return nil
	}
	line, seg := block.PeekLine()
	n := nameLen(line[1:])
	if n == 0 {
		return nil
	}
	block.Advance(1 + n)
	return &Mention{Name: string(line[1 : 1+n]), Segment: seg.WithStop(seg.Start + 1 + n)}
}

// nameLen is the length of the username at the start of b, or 0 if b does
// not start with one. Trailing dots, dashes and underscores end the sentence,
// not the name ("thanks @ana." mentions ana); a longer run of name characters
// is no name at all rather than a cut one, and neither is one followed by a
// letter outside ASCII ("@anaïs") or by another @ ("@ana@example.com").
func nameLen(b []byte) int {
	run := 0
	for run < len(b) && isNameByte(b[run]) {
		run++
	}
	if run < len(b) {
		if b[run] == '@' {
			return 0
		}
		if r, _ := utf8.DecodeRune(b[run:]); isWordRune(r) {
			return 0
		}
	}
	n := run
	for n > 0 && !isAlnum(b[n-1]) {
		n--
	}
	if n < minName || n > maxName || !isAlnum(b[0]) {
		return 0
	}
	return n
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isNameByte(c byte) bool { return isAlnum(c) || c == '_' || c == '.' || c == '-' }

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

type mentionRenderer struct{}

func (mentionRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindMention, renderMention)
}

// renderMention writes the link as it is; the name holds only [A-Za-z0-9_.-],
// which needs no escaping in HTML or in a URL path.
func renderMention(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		n := node.(*Mention)
		_, _ = w.WriteString(`<a class="mention" href="/u/` + n.Name + `" rel="` + relInternal + `">@` + n.Name + `</a>`)
	}
	return ast.WalkSkipChildren, nil
}
