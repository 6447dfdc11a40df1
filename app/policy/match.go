package policy

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// folded is a text with case and accents folded ("Télécharger" →
// "telecharger"), and, worked out only when a match needs it, where each
// of its bytes came from in the original, so that a match in the folded
// text can be rewritten in the original.
type folded struct {
	s, src     string
	ascii      bool    // src is ASCII: folded and original bytes line up
	start, end []int32 // original byte range of the rune that made each folded byte
}

// latin holds the folding of U+0080 to U+024F, worked out once: the
// accented letters of Western languages, which are most of what non-ASCII
// posts hold.
var latin = func() [0x250 - 0x80]string {
	var t [0x250 - 0x80]string
	for r := rune(0x80); r < 0x250; r++ {
		t[r-0x80] = foldSlow(r)
	}
	return t
}()

// ligatures NFKD leaves whole.
var ligatures = map[rune]string{'œ': "oe", 'Œ': "oe", 'æ': "ae", 'Æ': "ae", 'ß': "ss", 'ø': "o", 'Ø': "o", 'đ': "d", 'Đ': "d", 'ł': "l", 'Ł': "l"}

func foldSlow(r rune) string {
	if s, ok := ligatures[r]; ok {
		return s
	}
	var b strings.Builder
	for _, x := range norm.NFKD.String(string(r)) {
		if unicode.Is(unicode.Mn, x) {
			continue
		}
		b.WriteRune(unicode.ToLower(x))
	}
	return b.String()
}

func foldRune(r rune) string {
	if r >= 0x80 && r < 0x250 {
		return latin[r-0x80]
	}
	return foldSlow(r)
}

// fold folds s: ASCII costs a byte each, other letters a table lookup,
// or a decomposition outside Latin.
func fold(s string) *folded {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return &folded{s: strings.ToLower(s), src: s, ascii: true}
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < utf8.RuneSelf {
			b.WriteByte(byte(unicode.ToLower(r)))
		} else {
			b.WriteString(foldRune(r))
		}
	}
	return &folded{s: b.String(), src: s}
}

// mapOffsets works out where each folded byte came from, as fold folded it.
func (f *folded) mapOffsets() {
	s := f.src
	f.start, f.end = make([]int32, 0, len(f.s)), make([]int32, 0, len(f.s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		var out string
		if r < utf8.RuneSelf {
			out = "x"
		} else {
			out = foldRune(r)
		}
		if out == "" && len(f.end) > 0 {
			// A combining mark on its own: it belongs to the letter before.
			for k := len(f.end) - 1; k >= 0 && f.start[k] == f.start[len(f.start)-1]; k-- {
				f.end[k] = int32(i + n)
			}
		}
		for range len(out) {
			f.start = append(f.start, int32(i))
			f.end = append(f.end, int32(i+n))
		}
		i += n
	}
}

// orig is the original byte range of the folded range [a, b).
func (f *folded) orig(a, b int) (int, int) {
	if f.ascii {
		return a, b
	}
	if f.start == nil {
		f.mapOffsets()
	}
	return int(f.start[a]), int(f.end[b-1])
}

// token is a word of a folded text: a run of letters and digits.
type token struct {
	s    string
	a, b int // folded byte range
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// tokens cuts a folded text into words.
func tokens(s string, into []token) []token {
	a := -1
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		if isWordRune(r) {
			if a < 0 {
				a = i
			}
		} else if a >= 0 {
			into = append(into, token{s[a:i], a, i})
			a = -1
		}
		i += n
	}
	if a >= 0 {
		into = append(into, token{s[a:], a, len(s)})
	}
	return into
}

// Normalize is text as the duplicate check compares it: folded words
// separated by single spaces, punctuation dropped.
func Normalize(text string) string {
	ts := tokens(fold(text).s, nil)
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.s)
	}
	return b.String()
}

// normalizesTo says whether Normalize(text) == norm. An ASCII text is
// compared word by word as it is read, so that the duplicate check, which
// compares a new post with up to recentBodies of its author's, builds
// nothing and stops at the first word that differs; other texts are
// normalised.
func normalizesTo(text, norm string) bool {
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			return Normalize(text) == norm
		}
	}
	j := 0 // how much of norm the words so far matched
	for i := 0; i < len(text); {
		if !isWordRune(rune(text[i])) {
			i++
			continue
		}
		if j > 0 {
			if j >= len(norm) || norm[j] != ' ' {
				return false
			}
			j++
		}
		for ; i < len(text) && isWordRune(rune(text[i])); i++ {
			c := text[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if j >= len(norm) || norm[j] != c {
				return false
			}
			j++
		}
	}
	return j == len(norm)
}

// rule is one watched word, compiled.
type rule struct {
	w     Word
	words []string       // a plain word or phrase, folded, cut into words
	re    *regexp.Regexp // a regular expression, matched against the folded text
}

// wordSet is the compiled list of watched words: plain words looked up by
// their first word in a map, regular expressions run over the folded text.
type wordSet struct {
	rules []rule
	first map[string][]int // first folded word → rules
	res   []int            // rules with a regular expression
}

// compile makes the set of ws. A word that does not compile (it was
// valid when saved, so only a change of Go's syntax could do this) is
// left out rather than stopping every post.
func compile(ws []Word) *wordSet {
	set := &wordSet{first: map[string][]int{}}
	for _, w := range ws {
		r := rule{w: w}
		if w.IsRegex {
			re, err := compileRegex(w.Pattern)
			if err != nil {
				continue
			}
			r.re = re
			set.res = append(set.res, len(set.rules))
		} else {
			for _, t := range tokens(fold(w.Pattern).s, nil) {
				r.words = append(r.words, t.s)
			}
			if len(r.words) == 0 {
				continue
			}
			set.first[r.words[0]] = append(set.first[r.words[0]], len(set.rules))
		}
		set.rules = append(set.rules, r)
	}
	return set
}

// compileRegex compiles a watched regular expression to run over folded
// text: its literals and classes are folded as the text is (lower case, no
// accents), so no case-insensitive matching is needed at run time, which
// would cost ten times more and lose the literal-prefix scan.
func compileRegex(pattern string) (*regexp.Regexp, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	foldRegex(re)
	return regexp.Compile(re.String())
}

func foldRegex(re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpLiteral:
		var out []rune
		for _, r := range re.Rune {
			out = append(out, []rune(foldOne(r))...)
		}
		re.Rune, re.Flags = out, re.Flags&^syntax.FoldCase
	case syntax.OpCharClass:
		re.Rune = foldClass(re.Rune)
	}
	for _, sub := range re.Sub {
		foldRegex(sub)
	}
}

// foldOne folds one rune of a pattern; runes that fold to nothing (a
// combining accent) stay as they are, so the pattern keeps its shape.
func foldOne(r rune) string {
	if r < utf8.RuneSelf {
		return string(unicode.ToLower(r))
	}
	if f := foldRune(r); f != "" {
		return f
	}
	return string(r)
}

// foldClass adds to a character class the folding of each rune it holds
// (for classes of reasonable size: [A-Zé] gains a-z and e), so it matches
// folded text.
func foldClass(ranges []rune) []rune {
	var extra []rune
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if hi-lo > 0x400 {
			continue
		}
		for r := lo; r <= hi; r++ {
			if f := foldOne(r); utf8.RuneCountInString(f) == 1 {
				if fr, _ := utf8.DecodeRuneInString(f); fr != r {
					extra = append(extra, fr, fr)
				}
			}
		}
	}
	if len(extra) == 0 {
		return ranges
	}
	return append(ranges, extra...)
}

// hit is one match of a rule, as an original byte range.
type hit struct {
	rule *rule
	a, b int
}

// matches are the watched words found in one text.
type matches struct {
	text    string
	hits    []hit
	blocked string // the text of the first block word, as the author wrote it
}

func (set *wordSet) match(text string) matches {
	m := matches{text: text}
	if len(set.rules) == 0 || text == "" {
		return m
	}
	f := fold(text)
	if len(set.first) > 0 {
		var buf [128]token
		ts := tokens(f.s, buf[:0])
		for i, t := range ts {
			for _, ri := range set.first[t.s] {
				r := &set.rules[ri]
				if i+len(r.words) > len(ts) {
					continue
				}
				ok := true
				for k := 1; k < len(r.words); k++ {
					if ts[i+k].s != r.words[k] {
						ok = false
						break
					}
				}
				if ok {
					a, b := f.orig(t.a, ts[i+len(r.words)-1].b)
					m.add(r, a, b)
				}
			}
		}
	}
	for _, ri := range set.res {
		r := &set.rules[ri]
		for _, loc := range r.re.FindAllStringIndex(f.s, -1) {
			if loc[0] == loc[1] {
				continue // an empty match names nothing
			}
			a, b := f.orig(loc[0], loc[1])
			m.add(r, a, b)
		}
	}
	return m
}

func (m *matches) add(r *rule, a, b int) {
	m.hits = append(m.hits, hit{r, a, b})
	if r.w.Action == ActionBlock && m.blocked == "" {
		m.blocked = m.text[a:b]
	}
}

// rewrite is the text with censored and replaced words rewritten; where
// two overlap, the one that starts first wins.
func (m matches) rewrite(text string) string {
	var edits []hit
	for _, h := range m.hits {
		if h.rule.w.Action == ActionCensor || h.rule.w.Action == ActionReplace {
			edits = append(edits, h)
		}
	}
	if len(edits) == 0 {
		return text
	}
	slices.SortStableFunc(edits, func(x, y hit) int { return x.a - y.a })
	var b strings.Builder
	at := 0
	for _, h := range edits {
		if h.a < at {
			continue
		}
		b.WriteString(text[at:h.a])
		if h.rule.w.Action == ActionCensor {
			b.WriteString(Censored)
		} else {
			b.WriteString(h.rule.w.Replacement)
		}
		at = h.b
	}
	b.WriteString(text[at:])
	return b.String()
}

// collect adds what the matches ask to the verdict: holds, flags, tags,
// and the words that matched.
func (m matches) collect(v *Verdict) {
	for _, h := range m.hits {
		switch h.rule.w.Action {
		case ActionHold:
			v.Hold = appendOnce(v.Hold, ReasonWatchedWord)
		case ActionFlag:
			v.Flag = appendOnce(v.Flag, ReasonWatchedWord)
		case ActionTag:
			v.Tags = appendOnce(v.Tags, h.rule.w.Replacement)
		}
		v.Words = appendOnce(v.Words, h.rule.w.Pattern)
	}
}

// suspicious counts the matches of words that hold or flag, for the score.
func (m matches) suspicious() int {
	n := 0
	for _, h := range m.hits {
		if h.rule.w.Action == ActionHold || h.rule.w.Action == ActionFlag {
			n++
		}
	}
	return n
}
