package policy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"causerie/app/auth"
)

// history is what the author posted lately, for the limits, the duplicate
// check and the score.
type history struct {
	lastMinute, lastDay, topicsDay int
	recent                         []string // bodies of the last day, newest first, normalised
	recentAt                       []time.Time
}

// recentBodies bounds how many of the author's latest posts the duplicate
// check and the score read.
const recentBodies = 20

// history reads the author's posts of the last day: counts in one query
// over the posts_user index, and the latest bodies in another. Edits add no
// post, so they read nothing.
func (s *Service) history(ctx context.Context, v *auth.Viewer, in Post) (history, error) {
	var h history
	if in.PostID != 0 || !v.LoggedIn() {
		return h, nil
	}
	now := s.now().UTC()
	day, minute := now.Add(-24*time.Hour), now.Add(-time.Minute)
	var c struct{ Day, Minute, Topics int }
	err := s.db.WithContext(ctx).Table("posts").
		Select("COUNT(*) AS day, COALESCE(SUM(CASE WHEN created_at > ? THEN 1 ELSE 0 END), 0) AS minute, "+
			"COALESCE(SUM(CASE WHEN number = 1 THEN 1 ELSE 0 END), 0) AS topics", minute).
		Where("user_id = ? AND created_at > ?", v.ID, day).Scan(&c).Error
	if err != nil {
		return h, fmt.Errorf("policy: count recent posts: %w", err)
	}
	h.lastDay, h.lastMinute, h.topicsDay = c.Day, c.Minute, c.Topics
	if h.lastDay == 0 {
		return h, nil
	}
	var rows []struct {
		Body      string
		CreatedAt time.Time
	}
	err = s.db.WithContext(ctx).Table("posts").Select("body, created_at").
		Where("user_id = ? AND created_at > ?", v.ID, day).
		Order("created_at DESC, id DESC").Limit(recentBodies).Scan(&rows).Error
	if err != nil {
		return h, fmt.Errorf("policy: read recent posts: %w", err)
	}
	for _, r := range rows {
		h.recent = append(h.recent, Normalize(r.Body))
		h.recentAt = append(h.recentAt, r.CreatedAt)
	}
	return h, nil
}

// limits refuses a post past the author's trust level's rate limits, or
// the same text again within the duplicate window.
func (s *Service) limits(v *auth.Viewer, in Post, h history) error {
	if in.PostID != 0 {
		return nil
	}
	lvl := v.TrustLevel
	if n := s.cfg.PostsPerMinute.At(lvl); n > 0 && h.lastMinute >= n {
		return errLimit(MsgPerMinute, n)
	}
	if n := s.cfg.PostsPerDay.At(lvl); n > 0 && h.lastDay >= n {
		return errLimit(MsgPerDay, n)
	}
	if n := s.cfg.TopicsPerDay.At(lvl); in.IsTopic && n > 0 && h.topicsDay >= n {
		return errLimit(MsgTopicsDay, n)
	}
	if w := s.cfg.DuplicateWindow.Duration; w > 0 && len(h.recent) > 0 {
		body := Normalize(in.Body)
		since := s.now().Add(-w)
		for i, r := range h.recent {
			if h.recentAt[i].After(since) && r == body && body != "" {
				return errDuplicate(int((w + time.Minute - 1) / time.Minute))
			}
		}
	}
	return nil
}

// score is the spam score of a post: links, a new member, repeated
// content, suspicious watched words.
func (s *Service) score(v *auth.Viewer, in Post, h history, suspicious int) int {
	score := s.cfg.ScoreLink*countLinks(in.Body) + s.cfg.ScoreWatchedWord*suspicious
	if v.TrustLevel <= auth.TrustNew {
		score += s.cfg.ScoreNewAccount
	}
	if repeated(in.Body, h) {
		score += s.cfg.ScoreRepeated
	}
	return score
}

// countLinks counts the web addresses in a Markdown text, written out or
// in links: what a spammer wants read.
func countLinks(body string) int {
	n := 0
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case 'h', 'H':
			rest := body[i:]
			if hasPrefixFold(rest, "https://") || hasPrefixFold(rest, "http://") {
				n++
				i += 6
			}
		case 'w', 'W':
			if (i == 0 || !isWordRune(rune(body[i-1]))) && hasPrefixFold(body[i:], "www.") {
				if i < 3 || body[i-3:i] != "://" {
					n++
				}
				i += 3
			}
		}
	}
	return n
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// repeated says whether a post repeats itself (few different words in
// many) or repeats one of the author's posts of the last day.
func repeated(body string, h history) bool {
	ts := tokens(fold(body).s, nil)
	if len(ts) >= 20 {
		seen := make(map[string]struct{}, len(ts))
		for _, t := range ts {
			seen[t.s] = struct{}{}
		}
		if len(seen)*4 < len(ts) {
			return true
		}
	}
	if len(h.recent) == 0 || len(ts) < 3 {
		return false
	}
	norm := Normalize(body)
	for _, r := range h.recent {
		if r == norm {
			return true
		}
	}
	return false
}
