package policy

import "time"

// Word is one watched word: a plain word or phrase (matched as whole
// words) or a regular expression (Go's RE2 syntax), case and accents
// folded either way, and what to do when a post holds it.
type Word struct {
	ID      int64  `json:"id"`
	Pattern string `json:"pattern"`
	IsRegex bool   `json:"regex"`
	Action  string `json:"action"`
	// Replacement is the text that replaces the word (replace) or the tag
	// to add (tag); "" for the other actions.
	Replacement string    `json:"replacement"`
	CreatedByID *int64    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func (Word) TableName() string { return "watched_words" }
