package markup

import (
	"html"
	"strings"
)

// workBudget bounds the parsing work one post may cost, in the units of
// parseWork: 100 million is about a tenth of a second here. Real posts stay
// several orders of magnitude below it.
const workBudget = 100_000_000

// parseWork estimates the work of goldmark's two paths that are quadratic in
// the length of a line (measured on goldmark v1.8: 100 KB of either takes
// about 2 s, and a minute under the race detector):
//
//   - container markers: each nested "> " or list marker opened on a line
//     costs the distance from the start of the line ("> > > > …");
//   - link destinations: each "](" starts a scan that runs to the next
//     space or unbalanced ")", or to the next ">" after "](<", whether or
//     not a link comes of it ("[a]([a]([a](…").
//
// It is one pass without allocation, so it is cheap next to the parse.
func parseWork(src string) int {
	work := 0
	for line := range strings.Lines(src) {
		work += containerWork(line) + destinationWork(line)
		if work > workBudget {
			break
		}
	}
	return work
}

func containerWork(line string) int {
	work := 0
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == ' ' || c == '\t':
		case c == '>':
			work += i
		case c == '-' || c == '*' || c == '+':
			if i+1 < len(line) && line[i+1] != ' ' && line[i+1] != '\t' && line[i+1] != '\n' {
				return work // "---", "**bold**": not a list
			}
			work += i
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j == len(line) || line[j] != '.' && line[j] != ')' {
				return work
			}
			work += i
			i = j
		default:
			return work
		}
	}
	return work
}

func destinationWork(line string) int {
	type scans struct{ depth, n int }
	var (
		work, depth int
		open        []scans // scans to a space or an unbalanced ")", by the paren depth they started at
		inOpen      int     // their number
		angle       int     // scans to a ">"
	)
	for i := 0; i < len(line); i++ {
		work += inOpen + angle
		switch line[i] {
		case '\\':
			i++ // an escaped character ends nothing
		case '(':
			depth++
			switch {
			case i == 0 || line[i-1] != ']':
			case i+1 < len(line) && line[i+1] == '<':
				angle++
			case len(open) > 0 && open[len(open)-1].depth == depth:
				open[len(open)-1].n++
				inOpen++
			default:
				open = append(open, scans{depth, 1})
				inOpen++
			}
		case ')':
			// Depths only grow up the stack: the scans this closes are on top.
			if k := len(open) - 1; k >= 0 && open[k].depth == depth {
				inOpen -= open[k].n
				open = open[:k]
			}
			depth--
		case ' ', '\t':
			open, inOpen = open[:0], 0
		case '>':
			angle = 0
		}
	}
	return work
}

// plainHTML shows a post as the text it is, in paragraphs, for sources past
// the work budget: nobody writes those by hand, and nothing in them is
// interpreted.
func plainHTML(src string) string {
	var b strings.Builder
	for _, p := range strings.Split(src, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString("<p>")
			b.WriteString(html.EscapeString(p))
			b.WriteString("</p>\n")
		}
	}
	return b.String()
}
