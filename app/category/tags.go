package category

import (
	"regexp"
	"slices"
	"strings"
)

var tagRE = regexp.MustCompile(`^[\p{Ll}\p{Lo}0-9][\p{Ll}\p{Lo}0-9-]{0,29}$`)

// ValidTag says whether t is a tag as stored: lowercase letters, digits and
// dashes, up to 30 characters.
func ValidTag(t string) bool { return tagRE.MatchString(t) }

// NormalizeTags lowercases, trims and de-duplicates tags given as a list
// and/or as a comma-separated string (a form field).
func NormalizeTags(in []string, list string) []string {
	if list != "" {
		in = append(in, strings.Split(list, ",")...)
	}
	var out []string
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "#")))
		t = strings.Join(strings.Fields(t), "-")
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
