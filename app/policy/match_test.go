package policy

import (
	"slices"
	"testing"
)

func set(ws ...Word) *wordSet { return compile(ws) }

// Case and accents are folded both ways, in English and in French, and
// plain words match whole words only.
func TestMatchFoldsCaseAndAccents(t *testing.T) {
	for _, tc := range []struct {
		word  Word
		text  string
		match string // the matched text as written, "" for none
	}{
		{Word{Pattern: "télécharger", Action: ActionBlock}, "Venez TELECHARGER le film", "TELECHARGER"},
		{Word{Pattern: "telecharger", Action: ActionBlock}, "Cliquez pour télécharger.", "télécharger"},
		{Word{Pattern: "TÉLÉCHARGER", Action: ActionBlock}, "téléCharger gratuitement", "téléCharger"},
		{Word{Pattern: "casino", Action: ActionBlock}, "Best CASINO in town!", "CASINO"},
		{Word{Pattern: "cœur", Action: ActionBlock}, "Un COEUR brisé", "COEUR"},
		{Word{Pattern: "straße", Action: ActionBlock}, "die STRASSE", "STRASSE"},
		{Word{Pattern: "ass", Action: ActionBlock}, "A class of its own, passing by", ""},
		{Word{Pattern: "argent", Action: ActionBlock}, "Gagnez de l'argent facile", "argent"},
		{Word{Pattern: "argent", Action: ActionBlock}, "Gagnez de l'argenterie", ""},
		{Word{Pattern: "free money", Action: ActionBlock}, "Get FREE   money now", "FREE   money"},
		{Word{Pattern: "free money", Action: ActionBlock}, "free, and money", ""},
		{Word{Pattern: `casino\d+`, IsRegex: true, Action: ActionBlock}, "visit Casino777 today", "Casino777"},
		{Word{Pattern: `t[eé]l[eé]charg`, IsRegex: true, Action: ActionBlock}, "TÉLÉCHARGEMENT", "TÉLÉCHARG"},
		{Word{Pattern: `viagra`, IsRegex: true, Action: ActionBlock}, "cheapviagrapills", "viagra"},
		{Word{Pattern: "cafe", Action: ActionBlock}, "Un cafe\u0301 noir", "cafe\u0301"},
	} {
		m := set(tc.word).match(tc.text)
		if m.blocked != tc.match {
			t.Errorf("%q in %q: matched %q, want %q", tc.word.Pattern, tc.text, m.blocked, tc.match)
		}
	}
}

// Censor and replace rewrite the words where they stand, keeping the rest
// of the text (accents and all) as written.
func TestRewrite(t *testing.T) {
	s := set(Word{Pattern: "merde", Action: ActionCensor}, Word{Pattern: "damn", Action: ActionCensor},
		Word{Pattern: "concurrent.com", Action: ActionReplace, Replacement: "[lien retiré]"},
		Word{Pattern: `\bspam+\b`, IsRegex: true, Action: ActionReplace, Replacement: "jambon"})
	for _, tc := range []struct{ in, want string }{
		{"Oh MERDE, l'été est fini", "Oh ■■■, l'été est fini"},
		{"Damn! damn.", "■■■! ■■■."},
		{"Voir concurrent.com, c'est mieux", "Voir [lien retiré], c'est mieux"},
		{"spammm é spam", "jambon é jambon"},
		{"rien à signaler", "rien à signaler"},
	} {
		if got := s.match(tc.in).rewrite(tc.in); got != tc.want {
			t.Errorf("rewrite(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Hold, flag and tag words end up in the verdict once each, with the words
// that matched.
func TestCollect(t *testing.T) {
	s := set(Word{Pattern: "crypto", Action: ActionHold}, Word{Pattern: "arnaque", Action: ActionFlag},
		Word{Pattern: "iphone", Action: ActionTag, Replacement: "apple"}, Word{Pattern: "ipad", Action: ActionTag, Replacement: "apple"})
	var vd Verdict
	s.match("Crypto, CRYPTO: une arnaque sur iPhone et iPad").collect(&vd)
	if !slices.Equal(vd.Hold, []string{ReasonWatchedWord}) || !slices.Equal(vd.Flag, []string{ReasonWatchedWord}) ||
		!slices.Equal(vd.Tags, []string{"apple"}) || !slices.Equal(vd.Words, []string{"crypto", "arnaque", "iphone", "ipad"}) {
		t.Errorf("verdict = %+v", vd)
	}
}

func TestNormalize(t *testing.T) {
	if a, b := Normalize("Bonjour, À TOUS !\n\nVenez voir."), Normalize("bonjour a tous venez voir"); a != b {
		t.Errorf("%q != %q", a, b)
	}
}

// normalizesTo answers as comparing with Normalize does, for ASCII texts
// (compared as read) and others (normalised).
func TestNormalizesTo(t *testing.T) {
	texts := []string{"", "  ", "Hello", "hello!", "Hello, world.", "hello world", "hello worlds", "hello  world again",
		"HELLO--WORLD", "hel lo world", "Selling my old bike, 50 €. Contact me!", "selling my OLD bike — 50 €; contact me",
		"Bonjour, À TOUS !", "bonjour a tous", "x_y z", "x y z", "42", "4 2"}
	for _, text := range texts {
		for _, other := range texts {
			norm := Normalize(other)
			if got, want := normalizesTo(text, norm), Normalize(text) == norm; got != want {
				t.Errorf("normalizesTo(%q, %q) = %v, want %v", text, norm, got, want)
			}
		}
	}
}

func BenchmarkNormalizesTo(b *testing.B) {
	body := "Benchmark reply 12: the hub paired at once after the firmware update, thanks for the tip."
	norm := Normalize("Benchmark reply 13: the hub paired at once after the firmware update, thanks for the tip.")
	b.ReportAllocs()
	for b.Loop() {
		normalizesTo(body, norm)
	}
}

func TestCountLinks(t *testing.T) {
	for in, want := range map[string]int{
		"no links here":                        0,
		"see https://example.com and www.x.fr": 2,
		"[a](http://a.com) HTTPS://www.b.com":  2,
		"awww.nope":                            0,
	} {
		if got := countLinks(in); got != want {
			t.Errorf("countLinks(%q) = %d, want %d", in, got, want)
		}
	}
}
