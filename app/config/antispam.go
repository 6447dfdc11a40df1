package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Antispam holds the limits and the spam score every post passes (app/
// policy). Limits are per trust level, 0 to 4; 0 means no limit. Staff and
// roles with the bypass permission skip them.
type Antispam struct {
	PostsPerMinute PerLevel `toml:"posts_per_minute"`
	PostsPerDay    PerLevel `toml:"posts_per_day"`
	TopicsPerDay   PerLevel `toml:"topics_per_day"`
	// DuplicateWindow: the same author may not post the same text again
	// within it (0 turns the check off).
	DuplicateWindow Duration `toml:"duplicate_window"`
	// The spam score: points for each link, for a new member (trust level
	// 0), for repeated content and for each watched word that holds or
	// flags. At ScoreThreshold points (0: never) the post is held.
	ScoreLink        int `toml:"score_link"`
	ScoreNewAccount  int `toml:"score_new_account"`
	ScoreRepeated    int `toml:"score_repeated"`
	ScoreWatchedWord int `toml:"score_watched_word"`
	ScoreThreshold   int `toml:"score_threshold"`
	// RegisterMinTime: a registration form sent back sooner than this
	// after it was shown is a robot's (0 turns the check off).
	RegisterMinTime Duration `toml:"register_min_time"`
}

// PerLevel is a number for each trust level, 0 to 4, written as an array
// ([2, 4, 6, 10, 0]) in the file and as "2,4,6,10,0" in the environment.
type PerLevel [5]int

// At is the number for trust level; levels past 4 take level 4's.
func (p PerLevel) At(level int) int {
	return p[max(0, min(level, len(p)-1))]
}

func (p *PerLevel) UnmarshalTOML(v any) error {
	list, ok := v.([]any)
	if !ok || len(list) != len(p) {
		return fmt.Errorf("want %d whole numbers, one per trust level 0 to 4, such as [2, 4, 6, 10, 0]", len(p))
	}
	for i, x := range list {
		n, ok := x.(int64)
		if !ok {
			return fmt.Errorf("want whole numbers, got %v", x)
		}
		p[i] = int(n)
	}
	return nil
}

func (p *PerLevel) UnmarshalText(b []byte) error {
	parts := strings.Split(string(b), ",")
	if len(parts) != len(p) {
		return fmt.Errorf("want %d whole numbers separated by commas, one per trust level 0 to 4, such as 2,4,6,10,0", len(p))
	}
	for i, s := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("want whole numbers, got %q", s)
		}
		p[i] = n
	}
	return nil
}

func defaultAntispam() Antispam {
	return Antispam{
		PostsPerMinute:  PerLevel{3, 5, 8, 12, 0},
		PostsPerDay:     PerLevel{0, 100, 250, 500, 0},
		TopicsPerDay:    PerLevel{3, 10, 25, 50, 0},
		DuplicateWindow: Duration{15 * time.Minute},
		ScoreLink:       1, ScoreNewAccount: 4, ScoreRepeated: 4, ScoreWatchedWord: 3, ScoreThreshold: 10,
		RegisterMinTime: Duration{3 * time.Second},
	}
}

// validateAntispam checks [antispam]: no negative numbers, durations of
// zero or more.
func (c Config) validateAntispam() error {
	a := c.Antispam
	for _, l := range []struct {
		key string
		p   PerLevel
	}{{"posts_per_minute", a.PostsPerMinute}, {"posts_per_day", a.PostsPerDay}, {"topics_per_day", a.TopicsPerDay}} {
		for _, n := range l.p {
			if n < 0 {
				return bad("antispam", l.key, fmt.Sprintf("want 0 (no limit) or more, got %d", n))
			}
		}
	}
	for _, s := range []struct {
		key string
		n   int
	}{{"score_link", a.ScoreLink}, {"score_new_account", a.ScoreNewAccount}, {"score_repeated", a.ScoreRepeated},
		{"score_watched_word", a.ScoreWatchedWord}, {"score_threshold", a.ScoreThreshold}} {
		if s.n < 0 {
			return bad("antispam", s.key, fmt.Sprintf("want 0 or more, got %d", s.n))
		}
	}
	if a.DuplicateWindow.Duration < 0 {
		return bad("antispam", "duplicate_window", "want 0 (off) or a duration such as 15m")
	}
	if a.RegisterMinTime.Duration < 0 || a.RegisterMinTime.Duration > time.Minute {
		return bad("antispam", "register_min_time", "want 0 (off) to 1m, such as 3s")
	}
	return nil
}
