// Package audit keeps the append-only log of staff actions: who did what,
// when, to which object, why, and the state before and after. Domains call
// Record inside the transaction of the change, so an action and its entry
// commit together or not at all. Nothing here updates or deletes an entry.
package audit

import (
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Entry is one staff action.
type Entry struct {
	ID         int64
	ActorID    *int64 // nil for the system (a job, a threshold)
	Action     string // "post.hide", "user.suspend", "review.approve"…
	ObjectType string // "post", "topic", "user", "review", "role"…
	ObjectID   int64
	CategoryID *int64 // where it happened, for scoped readers and filters
	Reason     string
	Before     string // JSON of the state before ("" when there was none)
	After      string // JSON of the state after
	CreatedAt  time.Time
}

func (Entry) TableName() string { return "audit_log" }

// Change is what a domain records.
type Change struct {
	Actor      int64 // 0 for the system
	Action     string
	ObjectType string
	ObjectID   int64
	Category   int64 // 0 when the object is in no category
	Reason     string
	Before     any // marshalled to JSON; nil for none
	After      any
}

// Record appends c to the log in tx, the transaction of the change itself.
func Record(tx *gorm.DB, c Change) error {
	before, err := encode(c.Before)
	if err != nil {
		return fmt.Errorf("audit %s: state before: %w", c.Action, err)
	}
	after, err := encode(c.After)
	if err != nil {
		return fmt.Errorf("audit %s: state after: %w", c.Action, err)
	}
	e := Entry{Action: c.Action, ObjectType: c.ObjectType, ObjectID: c.ObjectID, Reason: c.Reason,
		Before: before, After: after, CreatedAt: time.Now().UTC()}
	if c.Actor != 0 {
		e.ActorID = &c.Actor
	}
	if c.Category != 0 {
		e.CategoryID = &c.Category
	}
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("audit %s: %w", c.Action, err)
	}
	return nil
}

func encode(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}
