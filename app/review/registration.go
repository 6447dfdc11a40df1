package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"causerie/app/errs"
	"causerie/app/user"
)

// Registered puts a new account in the queue when [review]
// approve_registrations is on: it cannot log in until staff approve it.
func (s *Service) Registered(ctx context.Context, u *user.User) error {
	if !s.cfg.ApproveRegistrations {
		return nil
	}
	now := s.now()
	it := &Item{Kind: KindRegistration, Status: StatusOpen, TargetKey: userKey(u.ID), Score: 1, SubjectID: &u.ID,
		Payload: encode(Payload{}), CreatedAt: now, UpdatedAt: now}
	if err := s.db.WithContext(ctx).Create(it).Error; err != nil {
		return fmt.Errorf("queue registration of %d: %w", u.ID, err)
	}
	return nil
}

// MayLogIn refuses an account that waits for approval, or that staff
// refused; the message says which.
func (s *Service) MayLogIn(ctx context.Context, u *user.User) error {
	var it Item
	err := s.db.WithContext(ctx).Where("subject_id = ? AND kind = ? AND status <> ?", u.ID, KindRegistration, StatusApproved).
		Order("id DESC").Limit(1).Find(&it).Error
	if err != nil {
		return fmt.Errorf("registration of %d: %w", u.ID, err)
	}
	switch it.Status {
	case StatusOpen:
		return errs.New(errs.Forbidden, "review.registration_pending", nil)
	case StatusRejected:
		return errs.New(errs.Forbidden, "review.registration_rejected", nil)
	}
	return nil
}

// mail is the payload of the registration mail job.
type mail struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// decideRegistration records the decision and mails the person, from a
// job enqueued in the decision's transaction.
func (s *Service) decideRegistration(ctx context.Context, tx *gorm.DB, it *Item, d Decision) error {
	name := "registration_approved"
	if d.Outcome != Approve {
		name = "registration_rejected"
	}
	if it.SubjectID == nil {
		return nil
	}
	return s.jobs.EnqueueTx(ctx, tx, JobMail, mail{UserID: *it.SubjectID, Name: name, Reason: d.Reason})
}

func (s *Service) sendMail(ctx context.Context, payload []byte) error {
	var m mail
	if err := json.Unmarshal(payload, &m); err != nil {
		return fmt.Errorf("decode registration mail: %w", err)
	}
	u, err := user.NewStore(s.db).Get(ctx, m.UserID)
	if errors.Is(err, errs.NotFound) {
		return nil // the account is gone: nobody to tell
	}
	if err != nil {
		return err
	}
	lang := u.Language
	if lang == "" {
		lang = s.lang
	}
	return s.mailer.Send(ctx, m.Name, lang, u.Email, map[string]any{"Username": u.Username, "Reason": m.Reason})
}
