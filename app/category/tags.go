package category

import (
	"slices"
	"strings"
	"unicode"
)

// maxTagLen is how many characters a tag may have.
const maxTagLen = 30

// ValidTag says whether t is a tag as stored: 1 to 30 characters, each a
// lowercase letter (or a letter of a script without case), a digit 0-9 or
// a dash, the first not a dash. Written out rather than as a regular
// expression: that one's Unicode classes, repeated 30 times, compiled to
// some 2 MB of tables the server kept for its whole life.
func ValidTag(t string) bool {
	n := 0
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9', unicode.In(r, unicode.Ll, unicode.Lo):
		case r == '-' && n > 0:
		default:
			return false // unicode.ReplacementChar, for bytes that are not UTF-8, is neither
		}
		n++
	}
	return n >= 1 && n <= maxTagLen
}

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
