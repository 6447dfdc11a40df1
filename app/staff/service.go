package staff

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"causerie/app/audit"
	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/errs"
	"causerie/app/event"
	"causerie/app/user"
)

// ErrNotFound is a sanction, note or role that does not exist.
var ErrNotFound = fmt.Errorf("staff: %w", errs.NotFound)

func forbidden() error { return errs.New(errs.Forbidden, "error.http_403", nil) }

// Service holds the rules of roles, sanctions, notes and the audit log.
type Service struct {
	db     *gorm.DB
	users  *user.Service
	cats   *category.Service
	events Events
	now    func() time.Time
}

// Events publishes durable events in a transaction (the event bus).
type Events interface {
	PublishTx(ctx context.Context, tx *gorm.DB, e event.Event) error
}

// UseEvents lets sanctions tell the member through notify's durable path
// (the bell, and mail by their choices). Call it when wiring.
func (s *Service) UseEvents(e Events) { s.events = e }

// NewService wires the team's rules.
func NewService(g *gorm.DB, users *user.Service, cats *category.Service) *Service {
	return &Service{db: g, users: users, cats: cats, now: func() time.Time { return time.Now().UTC() }}
}

// member loads a member by username with the Viewer the authorizer asks
// about.
func (s *Service) member(ctx context.Context, username string) (*user.User, *auth.Viewer, error) {
	u, err := s.users.Store().ByUsername(ctx, username)
	if err != nil {
		return nil, nil, err
	}
	tv, err := s.users.ViewerOf(ctx, u)
	if err != nil {
		return nil, nil, err
	}
	return u, tv, nil
}

// --- Roles ---

// RoleInput is a role as an administrator writes it.
type RoleInput struct {
	Name  string   `form:"role_name" json:"name"`
	Rank  int      `form:"role_rank" json:"rank"`
	Perms []string `form:"perms" json:"permissions"`
}

// Has says whether the form grants p (for checkboxes).
func (in RoleInput) Has(p auth.Permission) bool { return slices.Contains(in.Perms, string(p)) }

var roleNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,29}$`)

func checkPerms(f errs.Fields, perms []string) []string {
	out := []string{}
	for _, p := range perms {
		if !slices.Contains(auth.Permissions, auth.Permission(p)) {
			f["permissions"] = "staff.permission_unknown"
			continue
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

func checkRank(f errs.Fields, rank int) {
	if rank < minRank || rank > maxRank {
		f["rank"] = "staff.rank_range"
	}
}

// CreateRole defines a role: administrators (PermRoles) only.
func (s *Service) CreateRole(ctx context.Context, v *auth.Viewer, in RoleInput) (*user.RoleInfo, error) {
	if !auth.CanManageRoles(v) {
		return nil, forbidden()
	}
	in.Name = strings.ToLower(strings.TrimSpace(in.Name))
	f := errs.Fields{}
	switch {
	case !roleNameRE.MatchString(in.Name):
		f["name"] = "staff.role_name_format"
	case auth.Role(in.Name) == auth.RoleEveryone || auth.Role(in.Name) == auth.RoleMembers:
		f["name"] = "staff.role_name_taken"
	default:
		if _, err := s.users.Role(ctx, in.Name); err == nil {
			f["name"] = "staff.role_name_taken"
		}
	}
	checkRank(f, in.Rank)
	perms := checkPerms(f, in.Perms)
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&user.RoleRow{Name: in.Name, Rank: in.Rank, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			return fmt.Errorf("create role %s: %w", in.Name, err)
		}
		if err := setPerms(tx, in.Name, perms); err != nil {
			return err
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "role.create", ObjectType: "role",
			After: map[string]any{"name": in.Name, "rank": in.Rank, "permissions": perms}})
	})
	if err != nil {
		return nil, err
	}
	s.users.InvalidateAccess()
	return s.users.Role(ctx, in.Name)
}

func setPerms(tx *gorm.DB, role string, perms []string) error {
	if err := tx.Where("role = ?", role).Delete(&user.RolePermission{}).Error; err != nil {
		return fmt.Errorf("clear permissions of %s: %w", role, err)
	}
	if len(perms) == 0 {
		return nil
	}
	rows := make([]user.RolePermission, 0, len(perms))
	for _, p := range perms {
		rows = append(rows, user.RolePermission{Role: role, Permission: p})
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("set permissions of %s: %w", role, err)
	}
	return nil
}

func permNames(ps auth.PermSet) []string {
	out := []string{}
	for p, ok := range ps {
		if ok {
			out = append(out, string(p))
		}
	}
	slices.Sort(out)
	return out
}

// UpdateRole changes a role's permissions (and, for a role administrators
// defined, its rank). The administrator role cannot be changed: it holds
// everything.
func (s *Service) UpdateRole(ctx context.Context, v *auth.Viewer, name string, in RoleInput) (*user.RoleInfo, error) {
	if !auth.CanManageRoles(v) {
		return nil, forbidden()
	}
	old, err := s.users.Role(ctx, name)
	if err != nil {
		return nil, err
	}
	if old.Name == auth.RoleAdmin {
		return nil, errs.New(errs.Forbidden, "staff.role_admin_fixed", nil)
	}
	// Left out (the API's PATCH), the rank and the permissions stay.
	f := errs.Fields{}
	rank := old.Rank
	if !old.Builtin && in.Rank != 0 {
		checkRank(f, in.Rank)
		rank = in.Rank
	}
	perms := permNames(old.Perms)
	if in.Perms != nil {
		perms = checkPerms(f, in.Perms)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&user.RoleRow{}).Where("name = ?", name).
			Updates(map[string]any{"rank": rank, "updated_at": s.now()}).Error; err != nil {
			return fmt.Errorf("update role %s: %w", name, err)
		}
		if err := setPerms(tx, name, perms); err != nil {
			return err
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "role.update", ObjectType: "role",
			Before: map[string]any{"name": name, "rank": old.Rank, "permissions": permNames(old.Perms)},
			After:  map[string]any{"name": name, "rank": rank, "permissions": perms}})
	})
	if err != nil {
		return nil, err
	}
	s.users.InvalidateAccess()
	return s.users.Role(ctx, name)
}

// DeleteRole removes a role administrators defined, once nobody holds it.
func (s *Service) DeleteRole(ctx context.Context, v *auth.Viewer, name string) error {
	if !auth.CanManageRoles(v) {
		return forbidden()
	}
	old, err := s.users.Role(ctx, name)
	if err != nil {
		return err
	}
	if old.Builtin {
		return errs.New(errs.Conflict, "staff.role_builtin", nil)
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&user.User{}).Where("role = ?", name).Count(&n).Error; err != nil {
		return fmt.Errorf("count holders of %s: %w", name, err)
	}
	if n > 0 {
		return errs.New(errs.Conflict, "staff.role_in_use", map[string]any{"Count": n})
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("role = ?", name).Delete(&user.RolePermission{}).Error; err != nil {
			return err
		}
		if err := tx.Where("name = ?", name).Delete(&user.RoleRow{}).Error; err != nil {
			return fmt.Errorf("delete role %s: %w", name, err)
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "role.delete", ObjectType: "role",
			Before: map[string]any{"name": name, "rank": old.Rank, "permissions": permNames(old.Perms)}})
	})
	if err != nil {
		return err
	}
	s.users.InvalidateAccess()
	return nil
}

// Assignment is a member's role and the categories their moderation is
// limited to (none: everywhere).
type Assignment struct {
	Role       string  `form:"role" json:"role"`
	Categories []int64 `form:"categories" json:"categories"`
}

// SetRole gives a member a role and a scope. Only an administrator gives
// or takes the administrator role; nobody changes their own role; anyone
// else with PermRoles gives roles below their own rank to members below it.
func (s *Service) SetRole(ctx context.Context, v *auth.Viewer, username string, in Assignment) error {
	u, tv, err := s.member(ctx, username)
	if err != nil {
		return err
	}
	if !auth.CanSetRole(v, tv) {
		return forbidden()
	}
	f := errs.Fields{}
	r, err := s.users.Role(ctx, in.Role)
	if err != nil {
		f["role"] = "validation.role"
	}
	if !v.IsAdmin() && (!v.Outranks(tv) || (r != nil && r.Rank >= v.Rank)) {
		return forbidden()
	}
	if r != nil && (r.Name == auth.RoleAdmin || u.Role == auth.RoleAdmin) && !v.IsAdmin() {
		return forbidden()
	}
	cats := []int64{}
	for _, id := range in.Categories {
		if _, err := s.cats.Get(ctx, id); err != nil {
			f["categories"] = "validation.category"
		} else if !slices.Contains(cats, id) {
			cats = append(cats, id)
		}
	}
	slices.Sort(cats)
	if err := f.Err(); err != nil {
		return err
	}
	oldScope, err := s.users.Scope(ctx, u.ID)
	if err != nil {
		return err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&user.User{}).Where("id = ?", u.ID).
			Updates(map[string]any{"role": r.Name, "updated_at": s.now()}).Error; err != nil {
			return fmt.Errorf("set role of %s: %w", u.Username, err)
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&user.MemberScope{}).Error; err != nil {
			return fmt.Errorf("clear scope of %s: %w", u.Username, err)
		}
		for _, c := range cats {
			if err := tx.Create(&user.MemberScope{UserID: u.ID, CategoryID: c}).Error; err != nil {
				return fmt.Errorf("scope %s to %d: %w", u.Username, c, err)
			}
		}
		if oldScope == nil {
			oldScope = []int64{}
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "user.role", ObjectType: "user", ObjectID: u.ID,
			Before: map[string]any{"role": u.Role, "categories": oldScope},
			After:  map[string]any{"role": r.Name, "categories": cats}})
	})
	if err != nil {
		return err
	}
	s.users.InvalidateAccess()
	return nil
}

// --- Sanctions ---

// SanctionInput is a sanction as the team writes it. Duration is a number
// of days or "permanent"; the API may give EndsAt instead. Warnings have
// no end.
type SanctionInput struct {
	Kind     string     `form:"kind" json:"kind"`
	Reason   string     `form:"reason" json:"reason"`
	Duration string     `form:"duration" json:"duration,omitempty"`
	EndsAt   *time.Time `form:"-" json:"ends_at,omitempty"`
}

// Durations are the choices of the sanction form.
var Durations = []string{"1", "3", "7", "14", "30", "90", "365", "permanent"}

// end works out when a sanction of in ends (nil: permanent).
func (in *SanctionInput) end(f errs.Fields, now time.Time) *time.Time {
	if in.Kind == KindWarning {
		return nil
	}
	if in.EndsAt != nil && in.Duration == "" {
		if !in.EndsAt.After(now) {
			f["ends_at"] = "staff.ends_in_past"
			return nil
		}
		t := in.EndsAt.UTC()
		return &t
	}
	if in.Duration == "permanent" {
		return nil
	}
	days, err := strconv.Atoi(in.Duration)
	if err != nil || days < 1 || days > 3650 {
		f["duration"] = "staff.duration_invalid"
		return nil
	}
	t := now.Add(time.Duration(days) * 24 * time.Hour)
	return &t
}

// auditKind is the audit action of each kind of sanction.
var auditKind = map[string]string{KindWarning: "user.warn", KindSilence: "user.silence", KindSuspension: "user.suspend"} // not a message

// Sanction warns, silences or suspends a member, with a reason they will
// read. A suspension ends their sessions at once (and their API tokens
// stop working while it lasts).
func (s *Service) Sanction(ctx context.Context, v *auth.Viewer, username string, in SanctionInput) (*Sanction, error) {
	u, tv, err := s.member(ctx, username)
	if err != nil {
		return nil, err
	}
	if !auth.CanSanction(v, tv) {
		return nil, errs.New(errs.Forbidden, "staff.cannot_sanction", nil)
	}
	in.Reason = strings.TrimSpace(in.Reason)
	f := errs.Fields{}
	if !slices.Contains(Kinds, in.Kind) {
		f["kind"] = "staff.kind_invalid"
	}
	switch n := utf8.RuneCountInString(in.Reason); {
	case n == 0:
		f["reason"] = "validation.required"
	case n > 2000:
		f["reason"] = "validation.too_long"
	}
	now := s.now()
	ends := in.end(f, now)
	if err := f.Err(); err != nil {
		return nil, err
	}
	sn := &Sanction{UserID: u.ID, Kind: in.Kind, Reason: in.Reason, CreatedBy: &v.ID, CreatedAt: now, EndsAt: ends}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		before := standingOf(u)
		if err := tx.Create(sn).Error; err != nil {
			return fmt.Errorf("sanction %s: %w", u.Username, err)
		}
		after, err := s.recompute(tx, u.ID, now)
		if err != nil {
			return err
		}
		if err := audit.Record(tx, audit.Change{Actor: v.ID, Action: auditKind[in.Kind], ObjectType: "user", ObjectID: u.ID,
			Reason: in.Reason, Before: before, After: map[string]any{"sanction_id": sn.ID, "kind": sn.Kind, "ends_at": sn.EndsAt, "standing": after}}); err != nil {
			return err
		}
		return s.tell(ctx, tx, v, sn)
	})
	if err != nil {
		return nil, err
	}
	if in.Kind == KindSuspension {
		if err := s.users.LogOutEverywhere(ctx, tv); err != nil {
			return sn, err
		}
	}
	return sn, nil
}

// noticeOf words each kind of sanction in the member's notifications.
var noticeOf = map[string]string{KindWarning: "staff.notice_warning", KindSilence: "staff.notice_silence",
	KindSuspension: "staff.notice_suspension"}

// tell puts the sanction in the member's notifications (and mail, as they
// chose), with the reason, leading to their standing page; in the
// sanction's transaction, so it is told exactly when it exists.
func (s *Service) tell(ctx context.Context, tx *gorm.DB, v *auth.Viewer, sn *Sanction) error {
	if s.events == nil {
		return nil
	}
	return s.events.PublishTx(ctx, tx, event.MemberNotice{UserID: sn.UserID, ActorID: v.ID, Message: noticeOf[sn.Kind],
		Reason: sn.Reason, URL: "/account/standing", Key: fmt.Sprintf("sanction:%d", sn.ID)})
}

// Standing is what the sanctions in force mean for a member.
type Standing struct {
	SilencedUntil  *time.Time `json:"silenced_until"`
	SuspendedUntil *time.Time `json:"suspended_until"`
	WarningUnread  bool       `json:"warning_unread"`
}

func standingOf(u *user.User) Standing {
	return Standing{SilencedUntil: u.SilencedUntil, SuspendedUntil: u.SuspendedUntil, WarningUnread: u.WarningUnread}
}

// recompute writes on the account what its sanctions in force mean: the
// latest end of its silences and of its suspensions (auth.Forever for a
// permanent one), and whether a warning waits to be read.
func (s *Service) recompute(tx *gorm.DB, userID int64, now time.Time) (Standing, error) {
	var list []Sanction
	if err := tx.Where("user_id = ? AND lifted_at IS NULL", userID).Find(&list).Error; err != nil {
		return Standing{}, fmt.Errorf("sanctions of %d: %w", userID, err)
	}
	var st Standing
	later := func(cur *time.Time, end *time.Time) *time.Time {
		e := auth.Forever
		if end != nil {
			e = *end
		}
		if cur == nil || e.After(*cur) {
			return &e
		}
		return cur
	}
	for i := range list {
		sn := &list[i]
		if !sn.InForce(now) {
			continue
		}
		switch sn.Kind {
		case KindSilence:
			st.SilencedUntil = later(st.SilencedUntil, sn.EndsAt)
		case KindSuspension:
			st.SuspendedUntil = later(st.SuspendedUntil, sn.EndsAt)
		case KindWarning:
			st.WarningUnread = st.WarningUnread || sn.SeenAt == nil
		}
	}
	err := tx.Model(&user.User{}).Where("id = ?", userID).Updates(map[string]any{
		"silenced_until": st.SilencedUntil, "suspended_until": st.SuspendedUntil, "warning_unread": st.WarningUnread}).Error
	if err != nil {
		return st, fmt.Errorf("standing of %d: %w", userID, err)
	}
	return st, nil
}

// Lift ends a sanction before its time, with a reason; audited.
func (s *Service) Lift(ctx context.Context, v *auth.Viewer, username string, id int64, reason string) (*Sanction, error) {
	u, tv, err := s.member(ctx, username)
	if err != nil {
		return nil, err
	}
	if !auth.CanSanction(v, tv) {
		return nil, errs.New(errs.Forbidden, "staff.cannot_sanction", nil)
	}
	var sn Sanction
	switch err := s.db.WithContext(ctx).Where("id = ? AND user_id = ?", id, u.ID).First(&sn).Error; {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return nil, ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("sanction %d: %w", id, err)
	}
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n == 0 || n > 2000 {
		return nil, errs.Fields{"reason": map[bool]string{true: "validation.required", false: "validation.too_long"}[n == 0]}
	}
	now := s.now()
	if !sn.InForce(now) {
		return nil, errs.New(errs.Conflict, "staff.sanction_not_in_force", nil)
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Sanction{}).Where("id = ? AND lifted_at IS NULL", sn.ID).
			Updates(map[string]any{"lifted_at": now, "lifted_by": v.ID, "lift_reason": reason})
		if res.Error != nil {
			return fmt.Errorf("lift sanction %d: %w", sn.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return errs.New(errs.Conflict, "staff.sanction_not_in_force", nil)
		}
		after, err := s.recompute(tx, u.ID, now)
		if err != nil {
			return err
		}
		if err := audit.Record(tx, audit.Change{Actor: v.ID, Action: "sanction.lift", ObjectType: "user", ObjectID: u.ID, Reason: reason,
			Before: map[string]any{"sanction_id": sn.ID, "kind": sn.Kind, "ends_at": sn.EndsAt, "standing": standingOf(u)},
			After:  map[string]any{"sanction_id": sn.ID, "lifted_at": now, "standing": after}}); err != nil {
			return err
		}
		if s.events == nil || sn.Kind == KindWarning {
			return nil // a warning withdrawn needs no word; a silence or suspension ended early does
		}
		return s.events.PublishTx(ctx, tx, event.MemberNotice{UserID: sn.UserID, ActorID: v.ID, Message: "staff.notice_lifted",
			Reason: reason, URL: "/account/standing", Key: fmt.Sprintf("sanction-lift:%d", sn.ID)})
	})
	if err != nil {
		return nil, err
	}
	sn.LiftedAt, sn.LiftedBy, sn.LiftReason = &now, &v.ID, reason
	return &sn, nil
}

// Sanctions lists a member's sanctions, newest first, for the team.
func (s *Service) Sanctions(ctx context.Context, v *auth.Viewer, username string) ([]*Sanction, error) {
	if !auth.CanSeeSanctions(v) {
		return nil, forbidden()
	}
	u, err := s.users.Store().ByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	return s.sanctionsOf(ctx, u.ID)
}

func (s *Service) sanctionsOf(ctx context.Context, userID int64) ([]*Sanction, error) {
	var list []*Sanction
	if err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("created_at DESC, id DESC").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("sanctions of %d: %w", userID, err)
	}
	var ids []int64
	for _, sn := range list {
		if sn.CreatedBy != nil {
			ids = append(ids, *sn.CreatedBy)
		}
		if sn.LiftedBy != nil {
			ids = append(ids, *sn.LiftedBy)
		}
	}
	names, err := s.usernames(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, sn := range list {
		if sn.CreatedBy != nil {
			sn.Author = names[*sn.CreatedBy]
		}
		if sn.LiftedBy != nil {
			sn.Lifter = names[*sn.LiftedBy]
		}
	}
	return list, nil
}

// usernames maps user IDs to usernames, in one query.
func (s *Service) usernames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var rows []struct {
		ID       int64
		Username string
	}
	if err := s.db.WithContext(ctx).Model(&user.User{}).Select("id, username").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("usernames: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Username
	}
	return out, nil
}

// MyStanding is what a member sees of their own sanctions: every warning,
// silence and suspension with its reason and end (not who gave it).
func (s *Service) MyStanding(ctx context.Context, v *auth.Viewer) ([]*Sanction, error) {
	if !v.LoggedIn() {
		return nil, errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	var list []*Sanction
	if err := s.db.WithContext(ctx).Where("user_id = ?", v.ID).Order("created_at DESC, id DESC").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("standing of %d: %w", v.ID, err)
	}
	return list, nil
}

// ReadWarnings marks the member's warnings read: the banner goes away.
func (s *Service) ReadWarnings(ctx context.Context, v *auth.Viewer) error {
	if !v.LoggedIn() {
		return errs.New(errs.Unauthorized, "error.login_required", nil)
	}
	now := s.now()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Sanction{}).Where("user_id = ? AND kind = ? AND seen_at IS NULL", v.ID, KindWarning).
			Update("seen_at", now).Error; err != nil {
			return fmt.Errorf("read warnings of %d: %w", v.ID, err)
		}
		_, err := s.recompute(tx, v.ID, now)
		return err
	})
}

// --- Notes ---

// AddNote writes a moderator note on a member; audited.
func (s *Service) AddNote(ctx context.Context, v *auth.Viewer, username, body string) (*Note, error) {
	if !auth.CanSeeNotes(v) {
		return nil, forbidden()
	}
	u, err := s.users.Store().ByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		return nil, errs.Fields{"body": "validation.required"}
	case n > 5000:
		return nil, errs.Fields{"body": "validation.too_long"}
	}
	n := &Note{UserID: u.ID, AuthorID: &v.ID, Body: body, CreatedAt: s.now(), Author: v.Username}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(n).Error; err != nil {
			return fmt.Errorf("note on %s: %w", u.Username, err)
		}
		return audit.Record(tx, audit.Change{Actor: v.ID, Action: "user.note", ObjectType: "user", ObjectID: u.ID,
			After: map[string]any{"note_id": n.ID, "body": body}})
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// Notes lists the notes on a member, newest first: the team only.
func (s *Service) Notes(ctx context.Context, v *auth.Viewer, username string) ([]*Note, error) {
	if !auth.CanSeeNotes(v) {
		return nil, forbidden()
	}
	u, err := s.users.Store().ByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	return s.notesOf(ctx, u.ID)
}

func (s *Service) notesOf(ctx context.Context, userID int64) ([]*Note, error) {
	var list []*Note
	if err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("created_at DESC, id DESC").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("notes on %d: %w", userID, err)
	}
	var ids []int64
	for _, n := range list {
		if n.AuthorID != nil {
			ids = append(ids, *n.AuthorID)
		}
	}
	names, err := s.usernames(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, n := range list {
		if n.AuthorID != nil {
			n.Author = names[*n.AuthorID]
		}
	}
	return list, nil
}

// History is what the team sees of a member's past: sanctions and notes,
// newest first. Either is nil when the viewer may not see it.
type History struct {
	Sanctions []*Sanction
	Notes     []*Note
}

// HistoryOf returns a member's history as v may see it (the review queue
// shows it beside each item): sanctions for CanSeeSanctions, notes for
// CanSeeNotes.
func (s *Service) HistoryOf(ctx context.Context, v *auth.Viewer, userID int64) (*History, error) {
	h := &History{}
	var err error
	if auth.CanSeeSanctions(v) {
		if h.Sanctions, err = s.sanctionsOf(ctx, userID); err != nil {
			return nil, err
		}
	}
	if auth.CanSeeNotes(v) {
		if h.Notes, err = s.notesOf(ctx, userID); err != nil {
			return nil, err
		}
	}
	return h, nil
}
