// Package policy owns what a post must pass before it is saved: watched
// words (block, hold for approval, flag, censor, replace, tag) and the
// anti-spam rules (rate limits by trust level, the duplicate-post check, a
// spam score that sends doubtful posts to the review queue). Every new
// topic, reply and edit is checked: app/review's gate in front of
// app/topic calls CheckPost (app/review/policy.go adapts it) and holds or
// flags what the verdict says. Policy imports no domain: it reads the
// posts table by name and is wired by app.New. The registration form's
// robot trap is in the leaf package app/policy/trap.
package policy

import (
	"context"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"

	"causerie/app/auth"
	"causerie/app/config"
	"causerie/app/errs"
)

// Post is what a member is about to publish: a new topic (IsTopic, with its
// title), a reply, or an edit of an existing post (PostID set).
type Post struct {
	CategoryID int64
	TopicID    int64 // 0 for a new topic
	// PostID is the post being edited, 0 for a new one. Edits pass the
	// watched words and get a score, but neither the rate limits nor the
	// duplicate check: they add no post.
	PostID  int64
	Title   string // a topic's title; "" for a reply
	Body    string // Markdown
	IsTopic bool   // the first post of a topic: Title is checked too
}

// Verdict is what the policy says of a post that may be saved. Title and
// Body are the text to save, rewritten by censor and replace words (the
// same as given when nothing matched). Hold and Flag list reason codes
// (the Reason* constants); the caller (app/review) holds the post for
// approval when Hold is not empty, and publishes it but puts it in the
// review queue when Flag is not empty. Tags are tags to add to a topic
// being started (IsTopic); a reply gets none.
// Score is the spam score, for the queue to sort by.
type Verdict struct {
	Title, Body string
	Hold        []string
	Flag        []string
	Tags        []string
	Score       int
	// Words are the watched words that matched, as written in the list
	// (for the queue to show why); "" never appears.
	Words []string
}

// Reason codes in Verdict.Hold and Verdict.Flag. They are stable: the
// review queue stores and filters by them, and translates them as
// "policy.reason.<code>".
const (
	// ReasonWatchedWord: a watched word whose action is "hold" (in Hold)
	// or "flag" (in Flag) matched.
	ReasonWatchedWord = "watched_word"
	// ReasonSpamScore: the spam score reached [antispam] score_threshold
	// (in Hold).
	ReasonSpamScore = "spam_score"
)

// Actions a watched word may take.
const (
	ActionBlock   = "block"   // refuse the post, naming the word
	ActionHold    = "hold"    // hold the post for approval
	ActionFlag    = "flag"    // publish it, and put it in the review queue
	ActionCensor  = "censor"  // replace the word with Censored
	ActionReplace = "replace" // replace the word with the word's Replacement
	ActionTag     = "tag"     // add the tag in Replacement to the topic
)

// Actions lists the actions in the order the admin page offers them.
var Actions = []string{ActionBlock, ActionHold, ActionFlag, ActionCensor, ActionReplace, ActionTag}

// Censored is what a censored word becomes.
const Censored = "■■■"

// Message IDs of the errors CheckPost returns, on the field at fault
// ("title" or "body"); the block message takes {{.Word}}.
const (
	MsgBlocked    = "policy.error.blocked"
	MsgDuplicate  = "policy.error.duplicate"
	MsgPerMinute  = "policy.error.posts_per_minute"
	MsgPerDay     = "policy.error.posts_per_day"
	MsgTopicsDay  = "policy.error.topics_per_day"
	fieldBody     = "body"
	fieldTitle    = "title"
	cacheDuration = time.Minute // the word list is also re-read this often, for other nodes' changes
)

// Service applies the policy. It is safe for concurrent use.
type Service struct {
	db  *gorm.DB
	cfg config.Antispam
	now func() time.Time

	mu       sync.RWMutex
	set      *wordSet // compiled watched words; nil until first loaded or after a change
	loadedAt time.Time
}

// NewService wires the policy over the database.
func NewService(g *gorm.DB, cfg config.Config) *Service {
	return &Service{db: g, cfg: cfg.Antispam, now: time.Now}
}

// CheckPost says whether v may publish in, and how: it returns a field error
// (an *errs.FieldData, which errors.As also finds as errs.Fields, its
// messages taking data such as the word) for a blocked word (on "title" or
// "body"), a duplicate (kind Invalid), or a rate limit (kind TooMany, on
// "body"), or else the verdict: the text to save and what
// to hold, flag and tag. Members with PermBypassLimit in the category skip
// the rate limits, the duplicate check and the spam score, never the
// watched words.
func (s *Service) CheckPost(ctx context.Context, v *auth.Viewer, in Post) (Verdict, error) {
	set, err := s.words(ctx)
	if err != nil {
		return Verdict{}, err
	}
	vd := Verdict{Title: in.Title, Body: in.Body}
	bodyM := set.match(in.Body)
	var titleM matches
	if in.IsTopic {
		titleM = set.match(in.Title)
	}
	if err := blocked(titleM, bodyM); err != nil {
		return Verdict{}, err
	}
	vd.Title = titleM.rewrite(in.Title)
	vd.Body = bodyM.rewrite(in.Body)
	titleM.collect(&vd)
	bodyM.collect(&vd)
	if !in.IsTopic {
		vd.Tags = nil // tag words tag topics as they are started, as Discourse's do
	}
	if v.Can(auth.PermBypassLimit, in.CategoryID) {
		return vd, nil
	}
	tx := analyse(in.Body)
	hist, err := s.history(ctx, v, in, tx)
	if err != nil {
		return Verdict{}, err
	}
	if err := s.limits(ctx, v, in, hist, tx); err != nil {
		return Verdict{}, err
	}
	vd.Score = s.score(v, hist, tx, titleM.suspicious()+bodyM.suspicious())
	if s.cfg.ScoreThreshold > 0 && vd.Score >= s.cfg.ScoreThreshold {
		vd.Hold = appendOnce(vd.Hold, ReasonSpamScore)
	}
	return vd, nil
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// blocked is the field error of the first block word found in the title,
// then in the body.
func blocked(title, body matches) error {
	fe := &errs.FieldData{Fields: errs.Fields{}, Data: map[string]map[string]any{}}
	for _, m := range []struct {
		field string
		m     matches
	}{{fieldTitle, title}, {fieldBody, body}} {
		if w := m.m.blocked; w != "" {
			fe.Fields[m.field] = MsgBlocked
			fe.Data[m.field] = map[string]any{"Word": w}
		}
	}
	if len(fe.Fields) == 0 {
		return nil
	}
	return fe
}

func errDuplicate(minutes int) error {
	return &errs.FieldData{Fields: errs.Fields{fieldBody: MsgDuplicate},
		Data: map[string]map[string]any{fieldBody: {"Count": minutes}}}
}

// words is the compiled list of watched words: compiled once, again after
// a change on this node, and at most a minute old for changes made on
// another node.
func (s *Service) words(ctx context.Context) (*wordSet, error) {
	s.mu.RLock()
	set, at := s.set, s.loadedAt
	s.mu.RUnlock()
	if set != nil && s.now().Sub(at) < cacheDuration {
		return set, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set != nil && s.now().Sub(s.loadedAt) < cacheDuration {
		return s.set, nil
	}
	var ws []Word
	if err := s.db.WithContext(ctx).Order("id").Find(&ws).Error; err != nil {
		return nil, fmt.Errorf("policy: load watched words: %w", err)
	}
	s.set, s.loadedAt = compile(ws), s.now()
	return s.set, nil
}

// invalidate drops the compiled list after a change.
func (s *Service) invalidate() {
	s.mu.Lock()
	s.set = nil
	s.mu.Unlock()
}
