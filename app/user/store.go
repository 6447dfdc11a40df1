package user

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"causerie/app/auth"
	"causerie/app/db"
	"causerie/app/errs"
)

// ErrNotFound is returned for a user, token or setting that does not exist.
var ErrNotFound = fmt.Errorf("user: %w", errs.NotFound)

func one[T any](q *gorm.DB, what string) (*T, error) { return db.One[T](q, ErrNotFound, what) }

// Store reads and writes accounts.
type Store struct{ db *gorm.DB }

// NewStore wraps a database handle (or a transaction).
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// Get returns the user with id.
func (s *Store) Get(ctx context.Context, id int64) (*User, error) {
	return one[User](s.db.WithContext(ctx).Where("id = ?", id), fmt.Sprintf("user %d", id))
}

// viewerRow reads what User.Viewer and the suspension check read of a
// member, and nothing else: every request of a logged-in member asks for
// it, and GORM's reading of the whole row by reflection was a tenth of a
// topic page's time. TestViewerRowReadsWhatViewerReads holds it to Get.
func (s *Store) viewerRow(ctx context.Context, id int64) (*User, error) {
	return s.viewerBy(ctx, "FROM users u WHERE u.id = ?", id, fmt.Sprintf("user %d", id))
}

// viewerBy reads the columns of a user a Viewer needs, from where the
// rest of the statement says: every request of a member or a script asks
// this, so without GORM's building and reflection.
func (s *Store) viewerBy(ctx context.Context, from string, arg any, what string) (*User, error) {
	u := new(User)
	err := s.db.WithContext(ctx).Raw(`SELECT u.id, u.username, u.email, u.role, u.language, u.theme, u.trust_level,
		u.warning_unread, u.silenced_until, u.suspended_until `+from, arg).Row().
		Scan(&u.ID, &u.Username, &u.Email, &u.Role, &u.Language, &u.Theme, &u.TrustLevel, &u.WarningUnread,
			&u.SilencedUntil, &u.SuspendedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", what, err)
	}
	return u, nil
}

// sessionViewerRow reads a live session's data and its member's viewer
// columns in one statement (the row a logged-in request needs twice): the
// session whose ID hashes to hash, unexpired at now. ErrNotFound when there
// is no such session or it belongs to no member.
func (s *Store) sessionViewerRow(ctx context.Context, hash string, now time.Time) ([]byte, *User, error) {
	u := new(User)
	var data []byte
	err := s.db.WithContext(ctx).Raw(`SELECT s.data, u.id, u.username, u.email, u.role, u.language, u.theme, u.trust_level,
		u.warning_unread, u.silenced_until, u.suspended_until
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.expires_at > ?`, hash, now).Row().
		Scan(&data, &u.ID, &u.Username, &u.Email, &u.Role, &u.Language, &u.Theme, &u.TrustLevel, &u.WarningUnread,
			&u.SilencedUntil, &u.SuspendedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get a session's member: %w", err)
	}
	return data, u, nil
}

// ByUsername finds a user by name, whatever its case.
func (s *Store) ByUsername(ctx context.Context, name string) (*User, error) {
	return one[User](s.db.WithContext(ctx).Where("lower(username) = lower(?)", name), "user "+name)
}

// ByEmail finds a user by (normalised) e-mail address.
func (s *Store) ByEmail(ctx context.Context, email string) (*User, error) {
	return one[User](s.db.WithContext(ctx).Where("email = ?", NormalizeEmail(email)), "user by e-mail")
}

// ByLogin finds a user by username or e-mail address.
func (s *Store) ByLogin(ctx context.Context, login string) (*User, error) {
	return one[User](s.db.WithContext(ctx).
		Where("lower(username) = lower(?) OR email = ?", login, NormalizeEmail(login)), "user by login")
}

// Create inserts u; a taken username or address is errs.Fields naming it.
func (s *Store) Create(ctx context.Context, u *User) error {
	err := s.db.WithContext(ctx).Create(u).Error
	if db.IsUniqueViolation(err) {
		return s.takenFields(ctx, u.Username, u.Email)
	}
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Username, err)
	}
	return nil
}

// takenFields says which of username and email belongs to someone already.
func (s *Store) takenFields(ctx context.Context, username, email string) error {
	f := errs.Fields{}
	if _, err := s.ByUsername(ctx, username); err == nil {
		f["username"] = "validation.username_taken"
	}
	if _, err := s.ByEmail(ctx, email); err == nil {
		f["email"] = "validation.email_taken"
	}
	if len(f) == 0 {
		return fmt.Errorf("user: %w", errs.Conflict)
	}
	return f
}

// Update writes the given columns of u.
func (s *Store) Update(ctx context.Context, u *User, columns ...string) error {
	u.UpdatedAt = time.Now().UTC()
	err := s.db.WithContext(ctx).Model(u).Select(append(columns, "updated_at")).Updates(u).Error
	if db.IsUniqueViolation(err) {
		return errs.Fields{"email": "validation.email_taken"}
	}
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	return nil
}

// AdminExists says whether any administrator account exists.
func (s *Store) AdminExists(ctx context.Context) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&User{}).Where("role = ?", auth.RoleAdmin).Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("count administrators: %w", err)
	}
	return n > 0, nil
}

// AddToken stores a one-time link.
func (s *Store) AddToken(ctx context.Context, t *Token) error {
	if err := s.db.WithContext(ctx).Create(t).Error; err != nil {
		return fmt.Errorf("add %s token: %w", t.Purpose, err)
	}
	return nil
}

// UseToken marks the unused, unexpired token of purpose as used and returns
// it. Two clicks on the same link cannot both succeed: the update only
// touches a row that is still unused.
func (s *Store) UseToken(ctx context.Context, purpose, token string) (*Token, error) {
	now := time.Now().UTC()
	t, err := one[Token](s.db.WithContext(ctx).
		Where("token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", digest(token), purpose, now), purpose+" token")
	if err != nil {
		return nil, err
	}
	res := s.db.WithContext(ctx).Model(&Token{}).Where("id = ? AND used_at IS NULL", t.ID).Update("used_at", now)
	if res.Error != nil {
		return nil, fmt.Errorf("use %s token: %w", purpose, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, ErrNotFound
	}
	return t, nil
}

// PeekToken returns an unused, unexpired token without using it.
func (s *Store) PeekToken(ctx context.Context, purpose, token string) (*Token, error) {
	return one[Token](s.db.WithContext(ctx).
		Where("token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", digest(token), purpose, time.Now().UTC()), purpose+" token")
}

// DropTokens removes a user's unused tokens of purpose (an older reset link
// stops working when a newer one is sent or used).
func (s *Store) DropTokens(ctx context.Context, userID int64, purpose string) error {
	if err := s.db.WithContext(ctx).Where("user_id = ? AND purpose = ? AND used_at IS NULL", userID, purpose).Delete(&Token{}).Error; err != nil {
		return fmt.Errorf("drop %s tokens: %w", purpose, err)
	}
	return nil
}

// AddAPIToken stores a new API token.
func (s *Store) AddAPIToken(ctx context.Context, t *APIToken) error {
	if err := s.db.WithContext(ctx).Create(t).Error; err != nil {
		return fmt.Errorf("add API token: %w", err)
	}
	return nil
}

// UserByAPIToken returns the owner of an API token, with the columns a
// Viewer needs (every request of a script asks this).
func (s *Store) UserByAPIToken(ctx context.Context, token string) (*User, error) {
	return s.viewerBy(ctx, "FROM users u JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = ?", digest(token), "user by API token")
}

// Setting returns a setting's value.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	st, err := one[Setting](s.db.WithContext(ctx).Where("key = ?", key), "setting "+key)
	if err != nil {
		return "", err
	}
	return st.Value, nil
}

// SetSetting writes a setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "key"}}, DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"}),
	}).Create(&Setting{Key: key, Value: value, UpdatedAt: time.Now().UTC()}).Error
	if err != nil {
		return fmt.Errorf("set setting %s: %w", key, err)
	}
	return nil
}

// DeleteSetting removes a setting.
func (s *Store) DeleteSetting(ctx context.Context, key string) error {
	if err := s.db.WithContext(ctx).Where("key = ?", key).Delete(&Setting{}).Error; err != nil {
		return fmt.Errorf("delete setting %s: %w", key, err)
	}
	return nil
}
