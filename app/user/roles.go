package user

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"causerie/app/auth"
	"causerie/app/errs"
)

// RoleRow is a role as the roles table keeps it: a name, a rank and, in
// role_permissions, its permissions. app/staff edits them; this domain
// reads them to build each request's Viewer.
type RoleRow struct {
	Name      string `gorm:"primaryKey"`
	Rank      int
	Builtin   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (RoleRow) TableName() string { return "roles" }

// RolePermission is one permission of a role.
type RolePermission struct {
	Role       string `gorm:"primaryKey"`
	Permission string `gorm:"primaryKey"`
}

// MemberScope limits a member's moderation to a category: a member with
// scopes holds the category permissions of their role there only.
type MemberScope struct {
	UserID     int64 `gorm:"primaryKey"`
	CategoryID int64 `gorm:"primaryKey"`
}

// RoleInfo is a role with its permissions.
type RoleInfo struct {
	Name    auth.Role
	Rank    int
	Builtin bool
	Perms   auth.PermSet
}

// access is what authentication reads on every request: roles and scopes
// are few and change rarely, so they are kept in memory. A change made on
// this node replaces them at once (InvalidateAccess); one made on another
// node shows within accessTTL.
type access struct {
	roles  map[auth.Role]*RoleInfo
	order  []auth.Role // by rank, highest first
	scopes map[int64][]int64
}

const accessTTL = 3 * time.Second

type accessCache struct {
	mu     sync.Mutex
	snap   *access
	loaded time.Time
}

// InvalidateAccess drops the roles and scopes kept in memory, after a
// change to them.
func (s *Service) InvalidateAccess() {
	s.access.mu.Lock()
	s.access.snap = nil
	s.access.mu.Unlock()
}

func (s *Service) currentAccess(ctx context.Context) (*access, error) {
	c := &s.access
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != nil && time.Since(c.loaded) < accessTTL {
		return c.snap, nil
	}
	var rows []RoleRow
	if err := s.db.WithContext(ctx).Order("rank DESC, name").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load roles: %w", err)
	}
	var perms []RolePermission
	if err := s.db.WithContext(ctx).Find(&perms).Error; err != nil {
		return nil, fmt.Errorf("load role permissions: %w", err)
	}
	var scopes []MemberScope
	if err := s.db.WithContext(ctx).Order("user_id, category_id").Find(&scopes).Error; err != nil {
		return nil, fmt.Errorf("load member scopes: %w", err)
	}
	a := &access{roles: map[auth.Role]*RoleInfo{}, scopes: map[int64][]int64{}}
	for _, r := range rows {
		a.roles[auth.Role(r.Name)] = &RoleInfo{Name: auth.Role(r.Name), Rank: r.Rank, Builtin: r.Builtin, Perms: auth.PermSet{}}
		a.order = append(a.order, auth.Role(r.Name))
	}
	for _, p := range perms {
		if r := a.roles[auth.Role(p.Role)]; r != nil {
			r.Perms[auth.Permission(p.Permission)] = true
		}
	}
	for _, sc := range scopes {
		a.scopes[sc.UserID] = append(a.scopes[sc.UserID], sc.CategoryID)
	}
	c.snap, c.loaded = a, time.Now()
	return a, nil
}

// Roles lists every role, highest rank first, with its permissions.
func (s *Service) Roles(ctx context.Context) ([]*RoleInfo, error) {
	a, err := s.currentAccess(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*RoleInfo, 0, len(a.order))
	for _, r := range a.order {
		out = append(out, a.roles[r])
	}
	return out, nil
}

// RoleNames lists the names of every role, highest rank first.
func (s *Service) RoleNames(ctx context.Context) ([]auth.Role, error) {
	a, err := s.currentAccess(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Clone(a.order), nil
}

// Role returns one role, or ErrNotFound.
func (s *Service) Role(ctx context.Context, name string) (*RoleInfo, error) {
	a, err := s.currentAccess(ctx)
	if err != nil {
		return nil, err
	}
	if r, ok := a.roles[auth.Role(name)]; ok {
		return r, nil
	}
	return nil, fmt.Errorf("role %q: %w", name, ErrNotFound)
}

// Scope returns the categories a member's moderation is limited to (none:
// everywhere their role allows).
func (s *Service) Scope(ctx context.Context, userID int64) ([]int64, error) {
	a, err := s.currentAccess(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Clone(a.scopes[userID]), nil
}

// ErrSuspended refuses a suspended member's session or token.
var ErrSuspended = errs.New(errs.Forbidden, "staff.account_suspended", nil)

// viewer builds the Viewer of u: their role's permissions and rank, their
// scope, and the sanctions in force, with no query beyond the account's
// own row (roles and scopes are in memory). A suspended member gets none.
func (s *Service) viewer(ctx context.Context, u *User) (*auth.Viewer, error) {
	if u.Suspended() {
		return nil, ErrSuspended
	}
	return s.viewerOf(ctx, u)
}

func (s *Service) viewerOf(ctx context.Context, u *User) (*auth.Viewer, error) {
	v := u.Viewer()
	a, err := s.currentAccess(ctx)
	if err != nil {
		return nil, err
	}
	if r, ok := a.roles[u.Role]; ok {
		v.Perms, v.Rank = r.Perms, r.Rank
	} else {
		v.Perms = auth.PermSet{} // a role that no longer exists allows nothing
	}
	v.Scope = a.scopes[u.ID]
	return v, nil
}

// Suspended says whether a suspension is in force now: it ends by itself.
func (u *User) Suspended() bool { return u.SuspendedUntil != nil && u.SuspendedUntil.After(time.Now()) }

// suspension explains a refused login: until when and why.
func (s *Service) suspension(ctx context.Context, u *User) error {
	var row struct {
		Reason string
		EndsAt *time.Time
	}
	err := s.db.WithContext(ctx).Table("sanctions").Select("reason, ends_at").
		Where("user_id = ? AND kind = ? AND lifted_at IS NULL AND (ends_at IS NULL OR ends_at > ?)", u.ID, "suspension", time.Now().UTC()).
		Order("created_at DESC").Limit(1).Scan(&row).Error
	if err != nil && !errors.Is(err, errs.NotFound) {
		return fmt.Errorf("suspension of %d: %w", u.ID, err)
	}
	if !u.SuspendedUntil.Before(auth.Forever) {
		return errs.New(errs.Forbidden, "staff.login_suspended_forever", map[string]any{"Reason": row.Reason})
	}
	return errs.New(errs.Forbidden, "staff.login_suspended", map[string]any{
		"Until": u.SuspendedUntil.UTC().Format("2006-01-02 15:04 UTC"), "Reason": row.Reason})
}
