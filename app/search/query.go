package search

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"causerie/app/errs"
)

// Sorts.
const (
	SortRelevance = "relevance"
	SortNewest    = "newest"
	SortReactions = "reactions"
)

// Query is a search as typed, taken apart. Words must all match; Phrases
// must appear as written; Excluded must not appear; the rest filters.
type Query struct {
	Raw      string
	Words    []string
	Phrases  []string
	Excluded []string
	// Prefix: the last word may be the start of a longer one (the query
	// did not end with a space: the person is still typing).
	Prefix   bool
	Author   string
	Tags     []string
	Category string // slug
	InTitle  bool
	Solved   bool
	Unsolved bool
	Question bool
	Kind     string // facet choice: discussion, question, announcement
	Status   string // open, closed
	Before   time.Time
	After    time.Time
	Sort     string
	TopicID  int64 // search inside one topic
}

// Empty says whether the query asks for nothing at all.
func (q *Query) Empty() bool {
	return len(q.Words) == 0 && len(q.Phrases) == 0 && q.Author == "" && len(q.Tags) == 0 && q.Category == "" &&
		!q.Solved && !q.Unsolved && !q.Question && q.Kind == "" && q.Status == "" && q.Before.IsZero() && q.After.IsZero()
}

// HasText says whether the query has words or phrases to rank by.
func (q *Query) HasText() bool { return len(q.Words) > 0 || len(q.Phrases) > 0 }

// Parse takes a query apart. Unknown operators are searched as words
// (someone may look for "ratio:16:9"); a malformed date or is:/status:
// value is an error naming the field "q", so the form can say what to fix.
func Parse(raw string) (*Query, error) {
	q := &Query{Raw: raw, Sort: SortRelevance}
	if utf8.RuneCountInString(raw) > 500 {
		return nil, errs.Fields{"q": "search.too_long"}
	}
	toks := tokenize(raw)
	q.Prefix = raw != "" && !unicode.IsSpace(rune(raw[len(raw)-1]))
	lastWord := -1
	for _, t := range toks {
		if t.quoted {
			if strings.TrimSpace(t.text) == "" {
				continue
			}
			if t.negated {
				q.Excluded = append(q.Excluded, t.text)
			} else {
				q.Phrases = append(q.Phrases, t.text)
			}
			lastWord = -1
			continue
		}
		w := t.text
		if w == "" || w == "-" {
			continue
		}
		if t.negated {
			q.Excluded = append(q.Excluded, w)
			lastWord = -1
			continue
		}
		lastWord = -1
		switch {
		case strings.HasPrefix(w, "@") && len(w) > 1:
			q.Author = strings.ToLower(w[1:])
			continue
		case strings.HasPrefix(w, "#") && len(w) > 1:
			q.Tags = append(q.Tags, strings.ToLower(w[1:]))
			continue
		}
		if k, v, ok := strings.Cut(w, ":"); ok && v != "" {
			switch strings.ToLower(k) {
			case "category", "cat", "catégorie", "categorie":
				q.Category = strings.ToLower(v)
				continue
			case "in", "dans":
				if strings.EqualFold(v, "title") || strings.EqualFold(v, "titre") {
					q.InTitle = true
					continue
				}
				return nil, errs.Fields{"q": "search.bad_in"}
			case "is", "est":
				switch strings.ToLower(v) {
				case "solved", "résolu", "resolu":
					q.Solved = true
				case "unsolved", "nonrésolu", "nonresolu":
					q.Unsolved = true
				case "question":
					q.Question = true
				default:
					return nil, errs.Fields{"q": "search.bad_is"}
				}
				continue
			case "kind", "type":
				switch v = strings.ToLower(v); v {
				case "discussion", "question", "announcement":
					q.Kind = v
				default:
					return nil, errs.Fields{"q": "search.bad_kind"}
				}
				continue
			case "status", "statut":
				switch strings.ToLower(v) {
				case "open", "ouvert":
					q.Status = "open"
				case "closed", "fermé", "ferme":
					q.Status = "closed"
				default:
					return nil, errs.Fields{"q": "search.bad_status"}
				}
				continue
			case "before", "avant", "after", "après", "apres":
				d, err := time.Parse(time.DateOnly, v)
				if err != nil {
					return nil, errs.Fields{"q": "search.bad_date"}
				}
				if k = strings.ToLower(k); k == "before" || k == "avant" {
					q.Before = d
				} else {
					q.After = d.AddDate(0, 0, 1) // after a day: from the next one on
				}
				continue
			}
		}
		q.Words = append(q.Words, w)
		lastWord = len(q.Words) - 1
	}
	q.Prefix = q.Prefix && lastWord == len(q.Words)-1 && lastWord >= 0
	return q, nil
}

type token struct {
	text            string
	quoted, negated bool
}

// tokenize splits on spaces, keeping "quoted phrases" whole; a leading -
// negates a word or phrase. Punctuation around words goes (the analysers
// drop it anyway), except the operators' @ # : and -.
func tokenize(s string) []token {
	var out []token
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		neg := false
		if r == '-' && i+1 < len(s) && !unicode.IsSpace(rune(s[i+1])) {
			neg = true
			i++
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if r == '"' || r == '“' || r == '«' {
			i += size
			end := strings.IndexAny(s[i:], "\"”»")
			if end < 0 {
				out = append(out, token{text: strings.TrimSpace(s[i:]), quoted: true, negated: neg})
				break
			}
			out = append(out, token{text: strings.TrimSpace(s[i : i+end]), quoted: true, negated: neg})
			_, closeSize := utf8.DecodeRuneInString(s[i+end:])
			i += end + closeSize
			continue
		}
		j := i
		for j < len(s) {
			r2, sz := utf8.DecodeRuneInString(s[j:])
			if unicode.IsSpace(r2) || r2 == '"' {
				break
			}
			j += sz
		}
		w := strings.TrimFunc(s[i:j], func(r rune) bool {
			return unicode.IsPunct(r) && r != '@' && r != '#' && r != '-' && r != '_'
		})
		out = append(out, token{text: w, negated: neg})
		i = j
	}
	return out
}
