package moderation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"causerie/app/audit"
	"causerie/app/auth"
	"causerie/app/errs"
)

// CannedInput is a canned response as the admin page or the API writes it.
type CannedInput struct {
	Kind     string `form:"kind" json:"kind"`
	Language string `form:"language" json:"language"`
	Title    string `form:"title" json:"title"`
	Body     string `form:"body" json:"body"`
}

// CanManageCanned says whether v may write canned responses: policy holders.
func CanManageCanned(v *auth.Viewer) bool { return v.Can(auth.PermPolicy, 0) }

// CanUseCanned says whether v may read and insert canned responses.
func CanUseCanned(v *auth.Viewer) bool { return v.CanSomewhere(auth.PermCanned) || CanManageCanned(v) }

// SetLanguages tells the service which languages canned responses may be
// written in (the forum's locales).
func (s *Service) SetLanguages(langs []string) { s.langs = langs }

// Languages lists the languages canned responses may be written in.
func (s *Service) Languages() []string { return s.langs }

// Canned lists the canned responses of kind ("" for every kind) for v,
// those in language lang first, then the others by language and title.
func (s *Service) Canned(ctx context.Context, v *auth.Viewer, kind, lang string) ([]CannedResponse, error) {
	if !CanUseCanned(v) {
		return nil, errs.New(errs.Forbidden, "error.http_403", nil)
	}
	q := s.db.WithContext(ctx).Order("language, title, id")
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	var list []CannedResponse
	if err := q.Find(&list).Error; err != nil {
		return nil, fmt.Errorf("list canned responses: %w", err)
	}
	slices.SortStableFunc(list, func(a, b CannedResponse) int {
		switch {
		case a.Language == lang && b.Language != lang:
			return -1
		case a.Language != lang && b.Language == lang:
			return 1
		}
		return 0
	})
	return list, nil
}

// CannedByID returns one canned response for v.
func (s *Service) CannedByID(ctx context.Context, v *auth.Viewer, id int64) (*CannedResponse, error) {
	if !CanUseCanned(v) {
		return nil, errs.New(errs.Forbidden, "error.http_403", nil)
	}
	return s.cannedIn(ctx, s.db, id, "")
}

func (s *Service) cannedIn(ctx context.Context, tx *gorm.DB, id int64, kind string) (*CannedResponse, error) {
	var cr CannedResponse
	q := tx.WithContext(ctx).Where("id = ?", id)
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	err := q.Take(&cr).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return nil, ErrCannedNotFound
	case err != nil:
		return nil, fmt.Errorf("canned response %d: %w", id, err)
	}
	return &cr, nil
}

func (s *Service) checkCanned(in *CannedInput) error {
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Body = strings.TrimSpace(in.Body)
	f := errs.Fields{}
	if in.Kind != CannedReply && in.Kind != CannedHide {
		f["kind"] = "mod.canned_kind_invalid"
	}
	if !slices.Contains(s.langs, in.Language) {
		f["language"] = "mod.canned_language_invalid"
	}
	if n := utf8.RuneCountInString(in.Title); n < 1 || n > 100 {
		f["title"] = "mod.canned_title_invalid"
	}
	if n := utf8.RuneCountInString(in.Body); n < 1 || n > s.cfg.MaxPostLength {
		f["body"] = "mod.canned_body_invalid"
	}
	return f.Err()
}

// CreateCanned adds a canned response: policy holders only, audited.
func (s *Service) CreateCanned(ctx context.Context, v *auth.Viewer, in CannedInput) (*CannedResponse, error) {
	if !CanManageCanned(v) {
		return nil, errs.New(errs.Forbidden, "error.http_403", nil)
	}
	if err := s.checkCanned(&in); err != nil {
		return nil, err
	}
	at := now()
	cr := &CannedResponse{Kind: in.Kind, Language: in.Language, Title: in.Title, Body: in.Body, CreatedByID: &v.ID, CreatedAt: at, UpdatedAt: at}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(cr).Error; err != nil {
			return fmt.Errorf("create canned response: %w", err)
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "canned.create", ObjectType: "canned_response", ObjectID: cr.ID, After: in})
	})
	if err != nil {
		return nil, err
	}
	return cr, nil
}

// UpdateCanned changes a canned response: policy holders only, audited.
func (s *Service) UpdateCanned(ctx context.Context, v *auth.Viewer, id int64, in CannedInput) (*CannedResponse, error) {
	if !CanManageCanned(v) {
		return nil, errs.New(errs.Forbidden, "error.http_403", nil)
	}
	if err := s.checkCanned(&in); err != nil {
		return nil, err
	}
	var cr *CannedResponse
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if cr, err = s.cannedIn(ctx, tx, id, ""); err != nil {
			return err
		}
		before := CannedInput{Kind: cr.Kind, Language: cr.Language, Title: cr.Title, Body: cr.Body}
		cr.Kind, cr.Language, cr.Title, cr.Body, cr.UpdatedAt = in.Kind, in.Language, in.Title, in.Body, now()
		if err := tx.Save(cr).Error; err != nil {
			return fmt.Errorf("update canned response %d: %w", id, err)
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "canned.update", ObjectType: "canned_response", ObjectID: id,
			Before: before, After: in})
	})
	if err != nil {
		return nil, err
	}
	return cr, nil
}

// DeleteCanned removes a canned response: policy holders only, audited
// (the entry keeps its text).
func (s *Service) DeleteCanned(ctx context.Context, v *auth.Viewer, id int64) error {
	if !CanManageCanned(v) {
		return errs.New(errs.Forbidden, "error.http_403", nil)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cr, err := s.cannedIn(ctx, tx, id, "")
		if err != nil {
			return err
		}
		if err := tx.Delete(&CannedResponse{}, id).Error; err != nil {
			return fmt.Errorf("delete canned response %d: %w", id, err)
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "canned.delete", ObjectType: "canned_response", ObjectID: id,
			Before: CannedInput{Kind: cr.Kind, Language: cr.Language, Title: cr.Title, Body: cr.Body}})
	})
}
