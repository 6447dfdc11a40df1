package search

import (
	"html"
	"html/template"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"
)

type span struct{ start, end int }

// spans gathers the byte ranges the query matched in the fields of a hit
// (one language's title or body), sorted and merged.
func spans(locs search.FieldTermLocationMap, fields ...string) []span {
	var out []span
	for _, f := range fields {
		for _, ls := range locs[f] {
			for _, l := range ls {
				out = append(out, span{int(l.Start), int(l.End)})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	merged := out[:0]
	for _, s := range out {
		if n := len(merged); n > 0 && s.start <= merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, s.end)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// marked escapes text and wraps the spans in <mark>: the only markup in a
// fragment is ours, whatever the post contained.
func marked(text string, sp []span, from, to int) template.HTML {
	var b strings.Builder
	at := from
	for _, s := range sp {
		if s.end <= from || s.start >= to || s.start < at || s.end > len(text) {
			continue
		}
		b.WriteString(html.EscapeString(text[at:s.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s.start:s.end]))
		b.WriteString("</mark>")
		at = s.end
	}
	if at < to {
		b.WriteString(html.EscapeString(text[at:to]))
	}
	return template.HTML(b.String())
}

// fragment cuts about width bytes of text around the densest group of
// matches, cut at spaces, with "…" where text was left out.
func fragment(text string, sp []span, width int) template.HTML {
	if len(text) <= width {
		return marked(text, sp, 0, len(text))
	}
	from := 0
	if len(sp) > 0 {
		best, bestN := 0, 0
		for i := range sp {
			n := 0
			for j := i; j < len(sp) && sp[j].end-sp[i].start <= width; j++ {
				n++
			}
			if n > bestN {
				best, bestN = i, n
			}
		}
		from = max(0, sp[best].start-width/4)
	}
	to := min(len(text), from+width)
	if to == len(text) {
		from = max(0, to-width)
	}
	from, to = wordStart(text, from), wordEnd(text, to)
	out := marked(text, sp, from, to)
	if from > 0 {
		out = "…" + out
	}
	if to < len(text) {
		out += "…"
	}
	return out
}

// wordStart moves i forward to the start of a word (and a rune).
func wordStart(text string, i int) int {
	if i == 0 {
		return 0
	}
	for i < len(text) && !utf8.RuneStart(text[i]) {
		i++
	}
	if k := strings.IndexByte(text[i:min(len(text), i+30)], ' '); k >= 0 {
		return i + k + 1
	}
	return i
}

// wordEnd moves i back to the end of a word (and a rune).
func wordEnd(text string, i int) int {
	if i >= len(text) {
		return len(text)
	}
	for i > 0 && !utf8.RuneStart(text[i]) {
		i--
	}
	if k := strings.LastIndexByte(text[max(0, i-30):i], ' '); k >= 0 {
		return max(0, i-30) + k
	}
	return i
}
