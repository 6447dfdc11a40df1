package policy

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"causerie/app/auth"
	"causerie/app/errs"
)

// text is what the anti-spam rules need of a post's body, worked out once:
// its normalised form (for the duplicate check), its number of words and
// of different words (for repetition), its links.
type text struct {
	norm            string
	words, distinct int
	links           int
	runes           int
}

func analyse(body string) text {
	f := fold(body).s
	ts := tokens(f, make([]token, 0, len(f)/6+8)) // about a word in six bytes
	var b strings.Builder
	b.Grow(len(f))
	seen := make(map[string]struct{}, len(ts)/2)
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.s)
		seen[t.s] = struct{}{}
	}
	return text{norm: b.String(), words: len(ts), distinct: len(seen), links: countLinks(body), runes: utf8.RuneCountInString(body)}
}

// history is what the author posted lately, for the limits, the duplicate
// check and the score.
type history struct {
	lastMinute, lastDay, topicsDay int
	// recent are the bodies of the day's posts of about the same length,
	// newest first, with their times (compared with normalizesTo).
	recent   []string
	recentAt []time.Time
}

// recentBodies bounds how many of the author's latest posts the duplicate
// check and the score read.
const recentBodies = 20

// recentScan is how many of the author's latest posts history looks
// through for bodies of about the same length, at least: a member whose
// level caps the posts a day at more has all the day's looked through. It
// bounds the cost of a post for a member who posts a great deal (a trusted
// level without a daily limit, a bot with a token): reading the whole day
// made each post cost as much as all the day's before it, and the forum
// slowed down the more that member wrote.
const recentScan = 200

// history reads the author's latest posts over the posts_user index, no
// more of them than the checks need. The counts are counted only up to the
// limits of the author's level (a count at the limit is all the limit
// needs), in one query, and not at all without limits; the bodies are read
// among the newest recentScan posts of the day (or the day's limit), and
// only those of about the same length as the new one (a text of another
// length cannot be the same once normalised, bar a great deal of
// punctuation). Edits add no post, so they read nothing.
func (s *Service) history(ctx context.Context, v *auth.Viewer, in Post, tx text) (history, error) {
	var h history
	if in.PostID != 0 || !v.LoggedIn() {
		return h, nil
	}
	now := s.now().UTC()
	day, minute := now.Add(-24*time.Hour), now.Add(-time.Minute)
	lvl := v.TrustLevel
	perMinute, perDay, topicsDay := s.cfg.PostsPerMinute.At(lvl), s.cfg.PostsPerDay.At(lvl), s.cfg.TopicsPerDay.At(lvl)
	if !in.IsTopic {
		topicsDay = 0
	}
	counted := perMinute > 0 || perDay > 0 || topicsDay > 0
	if counted {
		// LIMIT 0 counts nothing, at no cost: a limit the level does not have.
		// The limits (numbers of the configuration) are written into the
		// statement, not bound: SQLite ran these subqueries with bound
		// limits three times as long (35 µs against 11 for each post).
		err := s.db.WithContext(ctx).Raw(`SELECT
			(SELECT COUNT(*) FROM (SELECT 1 FROM posts WHERE user_id = ? AND created_at > ? LIMIT `+strconv.Itoa(perMinute)+`) m),
			(SELECT COUNT(*) FROM (SELECT 1 FROM posts WHERE user_id = ? AND created_at > ? LIMIT `+strconv.Itoa(perDay)+`) d),
			(SELECT COUNT(*) FROM (SELECT 1 FROM posts WHERE user_id = ? AND created_at > ? AND number = 1 LIMIT `+strconv.Itoa(topicsDay)+`) t)`,
			v.ID, minute, v.ID, day, v.ID, day).Row().Scan(&h.lastMinute, &h.lastDay, &h.topicsDay)
		if err != nil {
			return h, fmt.Errorf("policy: count recent posts: %w", err)
		}
	}
	if tx.words == 0 || (counted && perDay > 0 && h.lastDay == 0) {
		return h, nil
	}
	// The newest posts come in the index's order, and their lengths are
	// checked here, as they come, until recentBodies fit: a statement that
	// filtered and ordered them itself read and sorted all recentScan rows
	// (about a third more of SQLite's time, for a member who posts a lot).
	rows, err := s.db.WithContext(ctx).Raw(`SELECT body, created_at FROM posts WHERE user_id = ? AND created_at > ?
		ORDER BY created_at DESC, id DESC LIMIT `+strconv.Itoa(max(recentScan, perDay)), v.ID, day).Rows()
	if err != nil {
		return h, fmt.Errorf("policy: read recent posts: %w", err)
	}
	defer rows.Close()
	lo, hi := tx.runes/2, tx.runes*2
	for len(h.recent) < recentBodies && rows.Next() {
		var body sql.RawBytes // copied only when it is kept
		var at time.Time
		if err := rows.Scan(&body, &at); err != nil {
			return h, fmt.Errorf("policy: read recent posts: %w", err)
		}
		if n := utf8.RuneCount(body); n < lo || n > hi {
			continue
		}
		h.recent = append(h.recent, string(body))
		h.recentAt = append(h.recentAt, at)
	}
	if err := rows.Err(); err != nil {
		return h, fmt.Errorf("policy: read recent posts: %w", err)
	}
	return h, nil
}

// limits refuses a post past the author's trust level's rate limits, or
// the same text again within the duplicate window.
func (s *Service) limits(ctx context.Context, v *auth.Viewer, in Post, h history, tx text) error {
	if in.PostID != 0 {
		return nil
	}
	lvl := v.TrustLevel
	if n := s.cfg.PostsPerMinute.At(lvl); n > 0 && h.lastMinute >= n {
		return s.errLimit(ctx, v, MsgPerMinute, n, time.Minute, false)
	}
	if n := s.cfg.PostsPerDay.At(lvl); n > 0 && h.lastDay >= n {
		return s.errLimit(ctx, v, MsgPerDay, n, 24*time.Hour, false)
	}
	if n := s.cfg.TopicsPerDay.At(lvl); in.IsTopic && n > 0 && h.topicsDay >= n {
		return s.errLimit(ctx, v, MsgTopicsDay, n, 24*time.Hour, true)
	}
	if w := s.cfg.DuplicateWindow.Duration; w > 0 && tx.norm != "" {
		since := s.now().Add(-w)
		for i, r := range h.recent {
			if h.recentAt[i].After(since) && normalizesTo(r, tx.norm) {
				return errDuplicate(int((w + time.Minute - 1) / time.Minute))
			}
		}
	}
	return nil
}

// score is the spam score of a post: links, a new member, repeated
// content, suspicious watched words.
func (s *Service) score(v *auth.Viewer, h history, tx text, suspicious int) int {
	score := s.cfg.ScoreLink*tx.links + s.cfg.ScoreWatchedWord*suspicious
	if v.TrustLevel <= auth.TrustNew {
		score += s.cfg.ScoreNewAccount
	}
	if repeated(tx, h) {
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
func repeated(tx text, h history) bool {
	if tx.words >= 20 && tx.distinct*4 < tx.words {
		return true
	}
	if tx.words < 3 {
		return false
	}
	for _, r := range h.recent {
		if normalizesTo(r, tx.norm) {
			return true
		}
	}
	return false
}

// errLimit is a rate-limit error on the body (kind TooMany, shown next to
// the field) with the number allowed and how long until the limit frees:
// when the n-th newest post of the window leaves it. Clients read the wait
// as Retry-After (errors.As finds an *errs.Limited).
func (s *Service) errLimit(ctx context.Context, v *auth.Viewer, id string, n int, window time.Duration, topics bool) error {
	now := s.now().UTC()
	q := s.db.WithContext(ctx).Table("posts").Select("created_at").Where("user_id = ? AND created_at > ?", v.ID, now.Add(-window))
	if topics {
		q = q.Where("number = 1")
	}
	var at []time.Time
	if err := q.Order("created_at DESC").Offset(n-1).Limit(1).Pluck("created_at", &at).Error; err != nil {
		return fmt.Errorf("policy: when the limit frees: %w", err)
	}
	wait := window
	if len(at) == 1 {
		wait = at[0].Add(window).Sub(now)
	}
	wait = max(wait.Round(time.Second), time.Second)
	return &limitError{FieldData: &errs.FieldData{Kind: errs.TooMany, Fields: errs.Fields{fieldBody: id},
		Data: map[string]map[string]any{fieldBody: {"Count": n, "Wait": Wait(wait)}}}, retry: wait}
}

// limitError is a rate limit shown on a field that also says when to try
// again: errors.As finds its *errs.FieldData (and errs.Fields) for the
// form, and an *errs.Limited for the Retry-After header.
type limitError struct {
	*errs.FieldData
	retry time.Duration
}

func (e *limitError) As(target any) bool {
	switch p := target.(type) {
	case **errs.Limited:
		*p = &errs.Limited{RetryAfter: e.retry}
		return true
	case **errs.FieldData:
		*p = e.FieldData
		return true
	}
	return e.FieldData.As(target)
}

// Wait words a wait with the units both languages write alike ("40 s",
// "12 min", "5 h 20 min"), rounded up to the unit shown.
func Wait(d time.Duration) string {
	switch {
	case d <= time.Minute:
		return fmt.Sprintf("%d s", int((d+time.Second-1)/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int((d+time.Minute-1)/time.Minute))
	}
	mins := int((d + time.Minute - 1) / time.Minute)
	if mins%60 == 0 {
		return fmt.Sprintf("%d h", mins/60)
	}
	return fmt.Sprintf("%d h %d min", mins/60, mins%60)
}
