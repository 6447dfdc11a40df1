package markup

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Excerpt returns the first n runes of text cut at a word boundary, with "…"
// when cut (the "…" comes on top of the n runes). A boundary is any place
// not between two letters or digits. Chinese and Japanese
// write no spaces, so a cut may fall between any two of their characters. A
// single word too long to cut near the end is cut inside. Trailing spaces and
// punctuation before the "…" are dropped.
func Excerpt(text string, n int) string {
	if n <= 0 {
		return ""
	}
	end, count := 0, 0 // byte offset just after the n-th rune
	for end < len(text) && count < n {
		_, size := utf8.DecodeRuneInString(text[end:])
		end += size
		count++
	}
	if end >= len(text) {
		return text
	}
	cut := end
	for i := end; i > 0; {
		prev, size := utf8.DecodeLastRuneInString(text[:i])
		next, _ := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(prev) || !isWordRune(next) || noSpaces(prev) || noSpaces(next) {
			cut = i
			break
		}
		i -= size
		if i <= end/2 { // one long word (a URL...): better cut inside it
			break
		}
	}
	out := strings.TrimRightFunc(text[:cut], func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && !strings.ContainsRune(`)]}"»”’!?`, r)
	})
	if out == "" {
		out = strings.TrimRightFunc(text[:end], unicode.IsSpace)
	}
	return out + "…"
}

// noSpaces reports whether r belongs to a script written without spaces
// between words, or is CJK punctuation.
func noSpaces(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		r >= 0x3000 && r <= 0x303f || r >= 0xff00 && r <= 0xffef
}
