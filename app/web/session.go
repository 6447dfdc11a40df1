package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "causerie_session"

const sessionUserKey = "uid"

// SessionStore keeps sessions in the database behind gorilla/sessions: the
// cookie holds only a signed random ID, the row holds the data, so a session
// can be revoked (log out, log out everywhere, password reset) on every
// node at once. Rows are keyed by a hash of the ID: a copy of the database
// does not hand out live sessions.
type SessionStore struct {
	db       *gorm.DB
	codec    *securecookie.SecureCookie
	lifetime time.Duration
	secure   bool
}

type sessionRow struct {
	ID        string `gorm:"primaryKey"`
	UserID    *int64
	Data      []byte
	IP        string
	UserAgent string
	CreatedAt time.Time
	UpdatedAt time.Time
	ExpiresAt time.Time
}

func (sessionRow) TableName() string { return "sessions" }

// NewSessionStore returns a store whose cookies are signed with secret and
// last lifetime; secure marks them Secure (when the site is on https).
func NewSessionStore(db *gorm.DB, secret []byte, lifetime time.Duration, secure bool) *SessionStore {
	codec := securecookie.New(secret, nil)
	codec.MaxAge(int(lifetime.Seconds()))
	return &SessionStore{db: db, codec: codec, lifetime: lifetime, secure: secure}
}

func (s *SessionStore) options() *sessions.Options {
	return &sessions.Options{Path: "/", MaxAge: int(s.lifetime.Seconds()), HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode}
}

func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// Get returns the request's session, loading it once per request.
func (s *SessionStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by the request's cookie, or starts an empty
// one when there is none or it was revoked or expired.
func (s *SessionStore) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	sess.Options = s.options()
	sess.IsNew = true
	ck, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	var id string
	var data []byte
	if p, ok := r.Context().Value(preloadKey{}).(*preloaded); ok && p.cookie == ck.Value {
		id, data = p.id, p.data // read with the member (authenticate)
	} else {
		if err := s.codec.Decode(name, ck.Value, &id); err != nil {
			return sess, nil
		}
		// The data column alone, read without GORM's reflection.
		err = s.db.WithContext(r.Context()).Raw("SELECT data FROM sessions WHERE id = ? AND expires_at > ?", hashID(id), time.Now().UTC()).
			Row().Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			return sess, nil
		}
		if err != nil {
			return sess, fmt.Errorf("load session: %w", err)
		}
	}
	if err := decodeValues(data, sess.Values); err != nil {
		return sess, nil
	}
	sess.ID = id
	sess.IsNew = false
	return sess, nil
}

// preloaded is a session read before the store was asked for it, with its
// member (Server.sessionViewer), kept in the request's context for New.
type preloaded struct {
	cookie, id string
	data       []byte
}

type preloadKey struct{}

// idOf is the session ID a cookie value carries, if its signature holds.
func (s *SessionStore) idOf(name, value string) (string, bool) {
	var id string
	return id, s.codec.Decode(name, value, &id) == nil
}

// Save writes the session and its cookie; a negative MaxAge deletes both.
func (s *SessionStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx := r.Context()
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.db.WithContext(ctx).Delete(&sessionRow{}, "id = ?", hashID(sess.ID)).Error; err != nil {
				return fmt.Errorf("delete session: %w", err)
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	if sess.ID == "" {
		sess.ID = randomToken(32)
	}
	data, err := encodeValues(sess.Values)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	now := time.Now().UTC()
	row := sessionRow{ID: hashID(sess.ID), Data: data, IP: realIP(r), UserAgent: truncate(r.UserAgent(), 255),
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Duration(sess.Options.MaxAge) * time.Second)}
	if uid, ok := sess.Values[sessionUserKey].(int64); ok && uid != 0 {
		row.UserID = &uid
	}
	err = s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"user_id", "data", "updated_at", "expires_at"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	encoded, err := s.codec.Encode(sess.Name(), sess.ID)
	if err != nil {
		return fmt.Errorf("sign session cookie: %w", err)
	}
	http.SetCookie(w, sessions.NewCookie(sess.Name(), encoded, sess.Options))
	return nil
}

// encodeValues writes a session's values as a JSON object. Its keys are
// strings and its values int64, string or bool: all a session holds is the
// member's ID. (It was gob: a gob decoder compiles the types it is sent
// every time, which cost more than the session's query on every request.)
func encodeValues(values map[any]any) ([]byte, error) {
	m := make(map[string]any, len(values))
	for k, v := range values {
		key, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("session key %v is not a string", k)
		}
		switch v.(type) {
		case int64, string, bool:
		default:
			return nil, fmt.Errorf("session value %q: a %T cannot be kept", key, v)
		}
		m[key] = v
	}
	return json.Marshal(m)
}

// decodeValues reads a session's values into values: JSON (numbers are
// int64), or gob for the sessions written before JSON.
func decodeValues(data []byte, values map[any]any) error {
	if !json.Valid(data) {
		return gob.NewDecoder(bytes.NewReader(data)).Decode(&values)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return err
	}
	for k, v := range m {
		if n, ok := v.(json.Number); ok {
			i, err := n.Int64()
			if err != nil {
				return fmt.Errorf("session value %q: %w", k, err)
			}
			v = i
		}
		values[k] = v
	}
	return nil
}

// RevokeUser ends every session of a user but the one whose ID is kept
// (empty: all of them).
func (s *SessionStore) RevokeUser(ctx context.Context, userID int64, keep string) error {
	q := s.db.WithContext(ctx).Where("user_id = ?", userID)
	if keep != "" {
		q = q.Where("id <> ?", hashID(keep))
	}
	if err := q.Delete(&sessionRow{}).Error; err != nil {
		return fmt.Errorf("revoke sessions of user %d: %w", userID, err)
	}
	return nil
}

// PurgeExpired removes sessions past their end.
func (s *SessionStore) PurgeExpired(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at <= ?", time.Now().UTC()).Delete(&sessionRow{})
	return res.RowsAffected, res.Error
}

// LogIn starts a fresh session for the user (a new ID, so a session fixed
// before login is worth nothing after it).
func LogIn(c echo.Context, userID int64) error {
	s := server(c)
	old, _ := s.sessions.Get(c.Request(), SessionCookie)
	if old != nil && old.ID != "" {
		old.Options.MaxAge = -1
		if err := old.Save(c.Request(), c.Response()); err != nil {
			return err
		}
	}
	sess := sessions.NewSession(s.sessions, SessionCookie)
	sess.Options = s.sessions.options()
	sess.Values[sessionUserKey] = userID
	return s.sessions.Save(c.Request(), c.Response(), sess)
}

// LogOut ends the request's session.
func LogOut(c echo.Context) error {
	s := server(c)
	sess, err := s.sessions.Get(c.Request(), SessionCookie)
	if err != nil || sess.ID == "" {
		return nil
	}
	sess.Options.MaxAge = -1
	return s.sessions.Save(c.Request(), c.Response(), sess)
}

func realIP(r *http.Request) string {
	host := r.RemoteAddr
	for i := len(host) - 1; i >= 0; i-- {
		if host[i] == ':' {
			return host[:i]
		}
	}
	return host
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// SessionModel is the sessions table's model, for the schema check.
func SessionModel() any { return &sessionRow{} }
