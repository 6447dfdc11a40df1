package policy

import (
	"fmt"
	"testing"
)

// benchWords is a list the size a busy forum keeps: 200 plain words and
// phrases and 20 regular expressions, a few of each action.
func benchWords() []Word {
	var ws []Word
	actions := []string{ActionBlock, ActionHold, ActionFlag, ActionCensor, ActionReplace, ActionTag}
	for i := range 200 {
		a := actions[i%len(actions)]
		ws = append(ws, Word{Pattern: fmt.Sprintf("motsurveillé%d", i), Action: a, Replacement: "x"})
	}
	for i := range 20 {
		ws = append(ws, Word{Pattern: fmt.Sprintf(`spam%d\d+`, i), IsRegex: true, Action: ActionFlag})
	}
	ws = append(ws, Word{Pattern: "merde", Action: ActionCensor}, Word{Pattern: "iphone", Action: ActionTag, Replacement: "apple"})
	return ws
}

// benchPost is a typical reply: about 600 characters of French with
// accents, a link, and one censored word.
const benchPost = `Bonjour à tous, j'ai eu le même problème avec mon iPhone la semaine dernière. ` +
	`Après la mise à jour, l'application ne démarrait plus du tout, quelle merde ! J'ai essayé de la réinstaller, ` +
	`de redémarrer le téléphone et même de réinitialiser les réglages réseau, sans succès. Finalement, c'est le ` +
	`support qui m'a donné la solution : il faut vider le cache depuis les réglages, puis se reconnecter avec son ` +
	`compte. Tout est expliqué ici : https://support.example.com/articles/12345. Depuis, plus aucun souci, et ` +
	`l'application est même plus rapide qu'avant. J'espère que ça vous aidera aussi !`

// BenchmarkMatch is the watched words' part of CheckPost: fold the text,
// find the words, rewrite, collect the verdict.
func BenchmarkMatch(b *testing.B) {
	set := compile(benchWords())
	b.SetBytes(int64(len(benchPost)))
	b.ReportAllocs()
	for b.Loop() {
		m := set.match(benchPost)
		var vd Verdict
		vd.Body = m.rewrite(benchPost)
		m.collect(&vd)
		if vd.Body == benchPost {
			b.Fatal("nothing censored")
		}
	}
}
