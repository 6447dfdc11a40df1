package review

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"causerie/app/audit"
	"causerie/app/auth"
	"causerie/app/errs"
	"causerie/app/user"
)

// Assign gives an item to a member of the team: v claims it for
// themselves (username "" or theirs), gives it to someone else (with
// PermAssign), or lets it go ("-").
func (s *Service) Assign(ctx context.Context, v *auth.Viewer, id int64, username string) (*Item, error) {
	it, err := s.get(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	if !maySee(v, it) {
		return nil, ErrNotFound
	}
	if !it.Open() {
		return nil, errs.New(errs.Conflict, "review.already_decided", nil)
	}
	var to *int64
	switch username {
	case "-":
		if it.AssigneeID != nil && *it.AssigneeID != v.ID && !v.Can(auth.PermAssign, catOf(it)) {
			return nil, forbidden()
		}
	case "", v.Username:
		to = &v.ID
	default:
		if !v.Can(auth.PermAssign, catOf(it)) {
			return nil, forbidden()
		}
		u, err := user.NewStore(s.db).ByUsername(ctx, username)
		if err != nil {
			return nil, errs.Fields{"assignee": "review.assignee_unknown"}
		}
		if !maySee(u.Viewer(), it) {
			return nil, errs.Fields{"assignee": "review.assignee_cannot"}
		}
		to = &u.ID
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Item{}).Where("id = ?", it.ID).Updates(map[string]any{"assignee_id": to, "updated_at": s.now()}).Error; err != nil {
			return fmt.Errorf("assign item %d: %w", it.ID, err)
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "review.assign", ObjectType: "review", ObjectID: it.ID,
			Category: catOf(it), Before: map[string]any{"assignee": it.AssigneeID}, After: map[string]any{"assignee": to}})
	})
	it.AssigneeID = to
	return it, err
}

// BulkResult says how a bulk decision went, item by item.
type BulkResult struct {
	Done     []int64          `json:"done"`
	Proposed []int64          `json:"proposed"`
	Failed   map[int64]string `json:"failed"` // item → message ID
	Took     time.Duration    `json:"-"`
}

// Bulk applies one decision to many items, each in its own transaction:
// one that was decided meanwhile does not stop the others.
func (s *Service) Bulk(ctx context.Context, v *auth.Viewer, ids []int64, d Decision) (*BulkResult, error) {
	if len(ids) == 0 {
		return nil, errs.Fields{"ids": "review.bulk_none"}
	}
	if len(ids) > 1000 {
		return nil, errs.Fields{"ids": "review.bulk_many"}
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	r := &BulkResult{Failed: map[int64]string{}}
	for _, id := range ids {
		res, err := s.Decide(ctx, v, id, d)
		switch {
		case err == nil && res.Proposal != nil:
			r.Proposed = append(r.Proposed, id)
		case err == nil:
			r.Done = append(r.Done, id)
		default:
			var m *errs.Msg
			var f errs.Fields
			switch {
			case errors.As(err, &m):
				r.Failed[id] = m.ID
			case errors.Is(err, errs.NotFound):
				r.Failed[id] = "error.http_404"
			case errors.As(err, &f):
				r.Failed[id] = "review.bulk_not_applicable"
			default:
				return r, err
			}
		}
	}
	r.Took = time.Since(start)
	return r, nil
}
