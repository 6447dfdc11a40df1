package search

import (
	"strings"
	"unicode"
)

// Detect says which analyser suits text: CJK when a good part of its
// letters are Chinese, Japanese or Korean, else French or English by the
// common words each uses (articles, pronouns, prepositions), which tell
// the two apart reliably from a sentence or two on. When the text says
// too little (a few words, code, links), fallback decides: the author's
// language. Only the three analysers the index has matter, so a full
// language identifier would be weight without use.
func Detect(text, fallback string) string {
	var letters, cjkLetters int
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			cjkLetters++
		}
	}
	if letters > 0 && cjkLetters*4 >= letters {
		return LangCJK
	}
	var enScore, frScore int
	n := 0
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '’' }) {
		if i := strings.IndexAny(w, "'’"); i > 0 && i <= 3 { // l'ordinateur, qu'il, d'accord
			if frElided[w[:i]] {
				frScore += 2
			}
			w = w[i+len("'"):]
		}
		if frWords[w] {
			frScore++
		}
		if enWords[w] {
			enScore++
		}
		if n++; n > 400 {
			break
		}
	}
	switch {
	case frScore > enScore:
		return LangFR
	case enScore > frScore:
		return LangEN
	}
	switch fallback {
	case LangFR, LangCJK:
		return fallback
	case "zh", "ja", "ko":
		return LangCJK
	}
	return LangEN
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

var frElided = wordSet("l d j m n s t c qu jusqu lorsqu puisqu")

// Words frequent in one language and rare in the other ("a", "on", "son",
// "pour"… appear in both and are left out).
var frWords = wordSet(`le la les un une des du au aux et est sont être avec pour dans sur par pas ne plus mais ou où qui que quoi
	je tu il elle nous vous ils elles mon ma mes ton ta tes notre votre leur leurs ce cette ces cet ça cela ceci
	avoir ai as avons avez ont été fait faire peut peux comme aussi très bien merci bonjour salut oui non
	quand comment pourquoi tout tous toute toutes rien autre même encore déjà après avant depuis chez sans sous entre
	y en lui eux moi toi si alors donc car quel quelle quels quelles votre vos nos`)

var enWords = wordSet(`the an and is are was were be been being with for of to from by not but or which who what
	i you he she we they my your his her our their this that these those it its have has had do does did can could
	would should will shall may might must thanks thank hello hi yes no when how why all any some other same still
	already after before since without under between just also very well there here into about than then if so
	because there's i'm it's don't doesn't can't won't`)
