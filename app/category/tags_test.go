package category_test

import (
	"regexp"
	"strings"
	"testing"

	"causerie/app/category"
)

// ValidTag keeps the rule tags always had, the regular expression below:
// lowercase letters of any script, letters of scripts without case,
// digits and dashes, 1 to 30 characters, no leading dash.
func TestValidTagKeepsTheRule(t *testing.T) {
	rule := regexp.MustCompile(`^[\p{Ll}\p{Lo}0-9][\p{Ll}\p{Lo}0-9-]{0,29}$`)
	cases := []string{
		"", "-", "a", "z9", "firmware", "smart-home", "-lead", "trail-", "a--b",
		"Hub", "hUb", "été", "déjà-vu", "ÉTÉ", "ß", "日本語", "中文-2", "١٢٣", "٣a",
		"a b", "a_b", "a.b", "#tag", "a\n", "\na", "a\x00", "\xff", "a\xffb", "\uFFFD",
		strings.Repeat("a", 29), strings.Repeat("a", 30), strings.Repeat("a", 31),
		strings.Repeat("é", 30), strings.Repeat("é", 31), "a" + strings.Repeat("-", 29),
		"ǅ", "ᾈ", "ª", "ⅰ", "²",
	}
	for _, c := range cases {
		if got, want := category.ValidTag(c), rule.MatchString(c); got != want {
			t.Errorf("ValidTag(%q) = %v, want %v", c, got, want)
		}
	}
}
