package policy

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"causerie/app/audit"
	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/db"
	"causerie/app/errs"
)

// ErrNotFound is a watched word that does not exist.
var ErrNotFound = errs.New(errs.NotFound, "policy.error.not_found", nil)

// WordInput is a watched word as the admin page and the API send it.
type WordInput struct {
	Pattern     string `form:"pattern" json:"pattern"`
	Regex       bool   `form:"regex" json:"regex"`
	Action      string `form:"action" json:"action"`
	Replacement string `form:"replacement" json:"replacement"`
}

const maxPattern = 200

// validate cleans in and says which fields are at fault, with data for the
// messages that name the bad part of a regular expression.
func (in *WordInput) validate() error {
	in.Pattern = strings.TrimSpace(in.Pattern)
	in.Replacement = strings.TrimSpace(in.Replacement)
	fe := &errs.FieldData{Fields: errs.Fields{}, Data: map[string]map[string]any{}}
	switch {
	case in.Pattern == "":
		fe.Fields["pattern"] = "policy.error.pattern_required"
	case utf8.RuneCountInString(in.Pattern) > maxPattern:
		fe.Fields["pattern"] = "policy.error.pattern_long"
		fe.Data["pattern"] = map[string]any{"Count": maxPattern}
	case in.Regex:
		_, err := regexp.Compile(in.Pattern) // the error names the part at fault as the lead wrote it
		var re *regexp.Regexp
		if err == nil {
			re, err = compileRegex(in.Pattern)
		}
		var se *syntax.Error
		switch {
		case errors.As(err, &se):
			fe.Fields["pattern"] = "policy.error.regex_invalid"
			fe.Data["pattern"] = map[string]any{"Part": se.Expr}
		case err != nil:
			fe.Fields["pattern"] = "policy.error.regex_invalid"
			fe.Data["pattern"] = map[string]any{"Part": in.Pattern}
		case re.MatchString(""):
			fe.Fields["pattern"] = "policy.error.regex_empty"
		}
	default:
		if len(tokens(fold(in.Pattern).s, nil)) == 0 {
			fe.Fields["pattern"] = "policy.error.pattern_word"
		}
	}
	if !slices.Contains(Actions, in.Action) {
		fe.Fields["action"] = "policy.error.action"
	}
	switch in.Action {
	case ActionReplace:
		if in.Replacement == "" {
			fe.Fields["replacement"] = "policy.error.replacement_required"
		} else if utf8.RuneCountInString(in.Replacement) > maxPattern {
			fe.Fields["replacement"] = "policy.error.replacement_long"
			fe.Data["replacement"] = map[string]any{"Count": maxPattern}
		}
	case ActionTag:
		in.Replacement = strings.ToLower(strings.TrimPrefix(in.Replacement, "#"))
		in.Replacement = strings.Join(strings.Fields(in.Replacement), "-")
		if in.Replacement == "" {
			fe.Fields["replacement"] = "policy.error.tag_required"
		} else if !category.ValidTag(in.Replacement) {
			fe.Fields["replacement"] = "policy.error.tag_format"
		}
	default:
		in.Replacement = ""
	}
	if len(fe.Fields) == 0 {
		return nil
	}
	return fe
}

func (s *Service) mayManage(v *auth.Viewer) error {
	if !v.LoggedIn() {
		return errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	if !v.Can(auth.PermPolicy, 0) {
		return errs.New(errs.Forbidden, "error.http_403", nil)
	}
	return nil
}

// Words lists the watched words, by pattern, for those who manage them.
func (s *Service) Words(ctx context.Context, v *auth.Viewer) ([]Word, error) {
	if err := s.mayManage(v); err != nil {
		return nil, err
	}
	var ws []Word
	if err := s.db.WithContext(ctx).Order("action, pattern, id").Find(&ws).Error; err != nil {
		return nil, fmt.Errorf("list watched words: %w", err)
	}
	return ws, nil
}

// Word is one watched word, for those who manage them.
func (s *Service) Word(ctx context.Context, v *auth.Viewer, id int64) (*Word, error) {
	if err := s.mayManage(v); err != nil {
		return nil, err
	}
	return db.One[Word](s.db.WithContext(ctx).Where("id = ?", id), ErrNotFound, "watched word")
}

// exists refuses a word already in the list with the same action.
func exists(ctx context.Context, tx *gorm.DB, in WordInput, except int64) error {
	var n int64
	err := tx.WithContext(ctx).Model(&Word{}).Where("pattern = ? AND is_regex = ? AND action = ? AND id <> ?",
		in.Pattern, in.Regex, in.Action, except).Count(&n).Error
	if err != nil {
		return fmt.Errorf("look for watched word: %w", err)
	}
	if n > 0 {
		return errs.Fields{"pattern": "policy.error.exists"}
	}
	return nil
}

// CreateWord adds a watched word; it applies to the next post.
func (s *Service) CreateWord(ctx context.Context, v *auth.Viewer, in WordInput) (*Word, error) {
	if err := s.mayManage(v); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	w := &Word{Pattern: in.Pattern, IsRegex: in.Regex, Action: in.Action, Replacement: in.Replacement,
		CreatedByID: &v.ID, CreatedAt: now, UpdatedAt: now}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := exists(ctx, tx, in, 0); err != nil {
			return err
		}
		if err := tx.Create(w).Error; err != nil {
			return fmt.Errorf("create watched word: %w", err)
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "policy.word_create", ObjectType: "watched_word",
			ObjectID: w.ID, After: w})
	})
	if err != nil {
		return nil, err
	}
	s.invalidate()
	return w, nil
}

// UpdateWord changes a watched word.
func (s *Service) UpdateWord(ctx context.Context, v *auth.Viewer, id int64, in WordInput) (*Word, error) {
	if err := s.mayManage(v); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var w *Word
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		old, err := db.One[Word](tx.Where("id = ?", id), ErrNotFound, "watched word")
		if err != nil {
			return err
		}
		if err := exists(ctx, tx, in, id); err != nil {
			return err
		}
		w = &Word{}
		*w = *old
		w.Pattern, w.IsRegex, w.Action, w.Replacement, w.UpdatedAt = in.Pattern, in.Regex, in.Action, in.Replacement, s.now().UTC()
		if err := tx.Save(w).Error; err != nil {
			return fmt.Errorf("update watched word %d: %w", id, err)
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "policy.word_update", ObjectType: "watched_word",
			ObjectID: id, Before: old, After: w})
	})
	if err != nil {
		return nil, err
	}
	s.invalidate()
	return w, nil
}

// DeleteWord removes a watched word. It is a setting, not content: it goes
// for good, and the audit log keeps what it was.
func (s *Service) DeleteWord(ctx context.Context, v *auth.Viewer, id int64) error {
	if err := s.mayManage(v); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		old, err := db.One[Word](tx.Where("id = ?", id), ErrNotFound, "watched word")
		if err != nil {
			return err
		}
		if err := tx.Delete(&Word{}, id).Error; err != nil {
			return fmt.Errorf("delete watched word %d: %w", id, err)
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "policy.word_delete", ObjectType: "watched_word",
			ObjectID: id, Before: old})
	})
	if err != nil {
		return err
	}
	s.invalidate()
	return nil
}

// Try shows what the watched words would do to a text, for the admin
// page: the text rewritten, and what would be blocked, held, flagged and
// tagged. No limit or score applies.
func (s *Service) Try(ctx context.Context, v *auth.Viewer, text string) (Trial, error) {
	if err := s.mayManage(v); err != nil {
		return Trial{}, err
	}
	set, err := s.words(ctx)
	if err != nil {
		return Trial{}, err
	}
	m := set.match(text)
	t := Trial{Text: m.rewrite(text), Blocked: m.blocked}
	var vd Verdict
	m.collect(&vd)
	t.Hold, t.Flag, t.Tags, t.Words = len(vd.Hold) > 0, len(vd.Flag) > 0, vd.Tags, vd.Words
	return t, nil
}

// Trial is what the watched words would do to a text.
type Trial struct {
	Text    string   `json:"text"`    // rewritten by censor and replace words
	Blocked string   `json:"blocked"` // the blocked word as written, "" when none
	Hold    bool     `json:"hold"`
	Flag    bool     `json:"flag"`
	Tags    []string `json:"tags"`
	Words   []string `json:"words"` // the watched words that matched
}
