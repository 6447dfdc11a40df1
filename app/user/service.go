package user

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"causerie/app/auth"
	"causerie/app/config"
	"causerie/app/errs"
	"causerie/app/policy/trap"
	"causerie/app/ratelimit"
)

// Mailer sends one of the theme's e-mails.
type Mailer interface {
	Send(ctx context.Context, name, lang, to string, data map[string]any) error
}

// Sessions ends sessions; the web layer's session store implements it.
type Sessions interface {
	RevokeUser(ctx context.Context, userID int64, keep string) error
}

// Limits are the rate limiters of the account pages.
type Limits struct {
	Login, Register, Reset *ratelimit.Limiter
}

// NewLimits builds the limiters from [ratelimit].
func NewLimits(cfg config.RateLimit) Limits {
	must := func(s string) config.Rate { r, _ := config.ParseRate(s); return r } // validated at load
	return Limits{
		Login:    ratelimit.New("login", must(cfg.Login)),
		Register: ratelimit.New("register", must(cfg.Register)),
		Reset:    ratelimit.New("reset", must(cfg.Reset)),
	}
}

// Service holds the account rules.
type Service struct {
	db       *gorm.DB
	store    *Store
	cfg      config.Config
	mail     Mailer
	sessions Sessions
	limits   Limits
	hasher   Hasher
	log      *slog.Logger
	// adminKnown caches "an administrator exists": once true it stays true,
	// so the first-run check costs nothing on later requests.
	adminKnown atomic.Bool
	dummyHash  atomic.Value
	access     accessCache
	approvals  Approvals  // the review queue's approval of new accounts (approval.go)
	trap       *trap.Trap // catches robots on the registration form; nil lets all through
}

// UseTrap puts the robot trap (a hidden field, a minimum fill time) on the
// registration form.
func (s *Service) UseTrap(t *trap.Trap) { s.trap = t }

// NewService wires the account rules.
func NewService(g *gorm.DB, cfg config.Config, mail Mailer, sessions Sessions, limits Limits, log *slog.Logger) *Service {
	hasher, _ := NewHasher(cfg.Accounts.PasswordHash) // checked by config.Validate
	return &Service{db: g, store: NewStore(g), cfg: cfg, mail: mail, sessions: sessions, limits: limits, hasher: hasher, log: log}
}

// Store gives read access to accounts.
func (s *Service) Store() *Store { return s.store }

// ViewerByID returns the viewer behind a session.
func (s *Service) ViewerByID(ctx context.Context, id int64) (*auth.Viewer, error) {
	u, err := s.store.viewerRow(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.viewer(ctx, u)
}

// ViewerBySession returns a live session's data and the viewer of the
// member it belongs to, read together (web.SessionViewers): ErrNotFound
// when the session is gone, expired or no member's, ErrSuspended as
// ViewerByID says it.
func (s *Service) ViewerBySession(ctx context.Context, hash string, now time.Time) ([]byte, *auth.Viewer, error) {
	data, u, err := s.store.sessionViewerRow(ctx, hash, now)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.viewer(ctx, u)
	return data, v, err
}

// ViewerByToken returns the viewer behind an API token.
func (s *Service) ViewerByToken(ctx context.Context, token string) (*auth.Viewer, error) {
	if !strings.HasPrefix(token, apiTokenPrefix) {
		return nil, fmt.Errorf("api token: %w", errs.Unauthorized)
	}
	u, err := s.store.UserByAPIToken(ctx, token)
	if err != nil {
		return nil, err
	}
	if u.Suspended() {
		return nil, fmt.Errorf("token of a suspended account: %w", errs.Unauthorized) // refused like a revoked token
	}
	return s.viewer(ctx, u)
}

// ViewerOf is the Viewer of an account as a request of theirs would see
// it (their role's permissions, scope and sanctions), to ask the
// authorizer about them: may this moderator sanction that member?
func (s *Service) ViewerOf(ctx context.Context, u *User) (*auth.Viewer, error) {
	return s.viewerOf(ctx, u)
}

// Registration is what a visitor fills in to join.
type Registration struct {
	Username string `form:"username" json:"username"`
	Email    string `form:"email" json:"email"`
	Password string `form:"password" json:"password"`
	Language string `form:"-" json:"-"`
	IP       string `form:"-" json:"-"`
	// Homepage and Shown are the robot trap's fields (app/policy/trap).
	Homepage string `form:"homepage" json:"-"`
	Shown    string `form:"shown" json:"-"`
}

// Validate checks the registration rules, field by field.
func (r *Registration) Validate(minLen int) error {
	r.Username = strings.TrimSpace(r.Username)
	r.Email = NormalizeEmail(r.Email)
	f := errs.Fields{}
	checkUsername(f, r.Username)
	checkEmail(f, r.Email)
	checkPassword(f, "password", r.Password, r.Username, r.Email, minLen)
	return f.Err()
}

// Register creates a member account and mails the confirmation link. With
// confirmation switched off the account is confirmed at once.
func (s *Service) Register(ctx context.Context, r Registration) (*User, error) {
	if err := s.limits.Register.Take(ctx, "ip:"+r.IP); err != nil {
		return nil, err
	}
	if err := r.Validate(s.cfg.Accounts.MinPasswordLength); err != nil {
		return nil, err
	}
	u, err := s.create(ctx, r.Username, r.Email, r.Password, auth.RoleMember, r.Language, !s.cfg.Accounts.RequireConfirmation)
	if err != nil {
		return nil, err
	}
	if s.approvals != nil {
		if err := s.approvals.Registered(ctx, u); err != nil {
			return u, err
		}
	}
	if !u.Confirmed() {
		if err := s.sendConfirmation(ctx, u); err != nil {
			return u, err
		}
	}
	return u, nil
}

func (s *Service) create(ctx context.Context, username, email, password string, role auth.Role, lang string, confirmed bool) (*User, error) {
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	now := time.Now().UTC()
	u := &User{Username: username, Email: email, PasswordHash: hash, Role: role, Language: lang, CreatedAt: now, UpdatedAt: now}
	if confirmed {
		u.EmailConfirmedAt = &now
	}
	if err := s.store.Create(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// newLink stores a one-time token of purpose for u and returns the token.
func (s *Service) newLink(ctx context.Context, u *User, purpose, email string, ttl time.Duration) (string, error) {
	if err := s.store.DropTokens(ctx, u.ID, purpose); err != nil {
		return "", err
	}
	tok := newSecret(32)
	now := time.Now().UTC()
	err := s.store.AddToken(ctx, &Token{UserID: u.ID, Purpose: purpose, TokenHash: digest(tok), Email: email, CreatedAt: now, ExpiresAt: now.Add(ttl)})
	return tok, err
}

func (s *Service) link(path string) string {
	return strings.TrimRight(s.cfg.Server.BaseURL, "/") + path
}

func (s *Service) sendConfirmation(ctx context.Context, u *User) error {
	tok, err := s.newLink(ctx, u, PurposeConfirm, u.Email, s.cfg.Accounts.ConfirmLinkExpiry.Duration)
	if err != nil {
		return err
	}
	return s.mail.Send(ctx, "confirm", s.lang(u), u.Email, map[string]any{
		"Username": u.Username, "Link": s.link("/confirm/" + tok), "Hours": int(s.cfg.Accounts.ConfirmLinkExpiry.Hours()),
	})
}

func (s *Service) lang(u *User) string {
	if u.Language != "" {
		return u.Language
	}
	return s.cfg.Accounts.DefaultLanguage
}

// ResendConfirmation mails a new confirmation link to an unconfirmed
// account. It says nothing about whether the address is known.
func (s *Service) ResendConfirmation(ctx context.Context, email, ip string) error {
	email = NormalizeEmail(email)
	if err := s.limits.Reset.Take(ctx, "ip:"+ip, "email:"+email); err != nil {
		return err
	}
	u, err := s.store.ByEmail(ctx, email)
	if errors.Is(err, errs.NotFound) || (err == nil && u.Confirmed()) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.sendConfirmation(ctx, u)
}

// Confirm confirms the address a confirmation link was sent to.
func (s *Service) Confirm(ctx context.Context, token string) (*User, error) {
	t, err := s.store.UseToken(ctx, PurposeConfirm, token)
	if err != nil {
		return nil, badLink(err)
	}
	u, err := s.store.Get(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if u.Email != t.Email {
		return nil, errs.New(errs.NotFound, "account.link_invalid", nil)
	}
	now := time.Now().UTC()
	u.EmailConfirmedAt = &now
	return u, s.store.Update(ctx, u, "email_confirmed_at")
}

func badLink(err error) error {
	if errors.Is(err, errs.NotFound) {
		return errs.New(errs.NotFound, "account.link_invalid", nil)
	}
	return err
}

// Credentials is what a member types to log in.
type Credentials struct {
	Login    string `form:"login" json:"login"`
	Password string `form:"password" json:"password"`
	IP       string `form:"-" json:"-"`
}

// dummy is a hash at the configured cost, checked against when the account
// does not exist, so a missing account takes as long to refuse as a wrong
// password.
func (s *Service) dummy() string {
	if h, ok := s.dummyHash.Load().(string); ok {
		return h
	}
	h, _ := s.hasher.Hash(newSecret(16))
	s.dummyHash.Store(h)
	return h
}

// Login checks a username or e-mail and password. Attempts are limited per
// address and per account; a good login resets the account's count.
func (s *Service) Login(ctx context.Context, c Credentials) (*User, error) {
	login := strings.TrimSpace(c.Login)
	f := errs.Fields{}
	if login == "" {
		f["login"] = "validation.required"
	}
	if c.Password == "" {
		f["password"] = "validation.required"
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	account := "account:" + strings.ToLower(login)
	if err := s.limits.Login.Take(ctx, "ip:"+c.IP, account); err != nil {
		return nil, err
	}
	u, err := s.store.ByLogin(ctx, login)
	if err != nil && !errors.Is(err, errs.NotFound) {
		return nil, err
	}
	hash := s.dummy()
	if u != nil {
		hash = u.PasswordHash
	}
	ok, _ := CheckPassword(hash, c.Password)
	if u == nil || !ok {
		return nil, errs.New(errs.Unauthorized, "account.login_failed", nil)
	}
	if s.cfg.Accounts.RequireConfirmation && !u.Confirmed() {
		return nil, errs.New(errs.Forbidden, "account.unconfirmed", nil)
	}
	if err := s.mayLogIn(ctx, u); err != nil {
		return nil, err
	}
	if u.Suspended() {
		return nil, s.suspension(ctx, u)
	}
	_ = s.limits.Login.Reset(ctx, account)
	now := time.Now().UTC()
	u.LastSeenAt = &now
	return u, s.store.Update(ctx, u, "last_seen_at")
}

// RequestReset mails a password reset link when the address belongs to an
// account. It answers the same either way, so it cannot be used to find out
// who is a member.
func (s *Service) RequestReset(ctx context.Context, email, ip string) error {
	email = NormalizeEmail(email)
	f := errs.Fields{}
	checkEmail(f, email)
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.limits.Reset.Take(ctx, "ip:"+ip, "email:"+email); err != nil {
		return err
	}
	u, err := s.store.ByEmail(ctx, email)
	if errors.Is(err, errs.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	tok, err := s.newLink(ctx, u, PurposeReset, u.Email, s.cfg.Accounts.ResetLinkExpiry.Duration)
	if err != nil {
		return err
	}
	return s.mail.Send(ctx, "reset", s.lang(u), u.Email, map[string]any{
		"Username": u.Username, "Link": s.link("/password/reset/" + tok), "Minutes": int(s.cfg.Accounts.ResetLinkExpiry.Minutes()),
	})
}

// CheckResetLink says whether a reset link can still be used.
func (s *Service) CheckResetLink(ctx context.Context, token string) error {
	_, err := s.store.PeekToken(ctx, PurposeReset, token)
	return badLink(err)
}

// ResetPassword sets a new password through a reset link, confirms the
// address the link reached, and ends every session of the account.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (*User, error) {
	t, err := s.store.PeekToken(ctx, PurposeReset, token)
	if err != nil {
		return nil, badLink(err)
	}
	u, err := s.store.Get(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	f := errs.Fields{}
	checkPassword(f, "password", password, u.Username, u.Email, s.cfg.Accounts.MinPasswordLength)
	if err := f.Err(); err != nil {
		return nil, err
	}
	if _, err := s.store.UseToken(ctx, PurposeReset, token); err != nil {
		return nil, badLink(err)
	}
	if u.PasswordHash, err = s.hasher.Hash(password); err != nil {
		return nil, err
	}
	cols := []string{"password_hash"}
	if !u.Confirmed() && u.Email == t.Email {
		now := time.Now().UTC()
		u.EmailConfirmedAt = &now
		cols = append(cols, "email_confirmed_at")
	}
	if err := s.store.Update(ctx, u, cols...); err != nil {
		return nil, err
	}
	return u, s.sessions.RevokeUser(ctx, u.ID, "")
}

// ChangePassword replaces a member's password after checking the current
// one, and ends their other sessions.
func (s *Service) ChangePassword(ctx context.Context, v *auth.Viewer, current, next string) error {
	u, err := s.store.Get(ctx, v.ID)
	if err != nil {
		return err
	}
	f := errs.Fields{}
	if ok, _ := CheckPassword(u.PasswordHash, current); !ok {
		f["current_password"] = "validation.password_wrong"
	}
	checkPassword(f, "new_password", next, u.Username, u.Email, s.cfg.Accounts.MinPasswordLength)
	if err := f.Err(); err != nil {
		return err
	}
	if u.PasswordHash, err = s.hasher.Hash(next); err != nil {
		return err
	}
	if err := s.store.Update(ctx, u, "password_hash"); err != nil {
		return err
	}
	return s.sessions.RevokeUser(ctx, u.ID, v.SessionID)
}

// RequestEmailChange checks the password and mails a link to the new
// address; the address changes only when that link is followed, so a typo
// cannot lock anyone out.
func (s *Service) RequestEmailChange(ctx context.Context, v *auth.Viewer, email, password string) error {
	u, err := s.store.Get(ctx, v.ID)
	if err != nil {
		return err
	}
	email = NormalizeEmail(email)
	f := errs.Fields{}
	checkEmail(f, email)
	if ok, _ := CheckPassword(u.PasswordHash, password); !ok {
		f["password"] = "validation.password_wrong"
	}
	if f["email"] == "" && email == u.Email {
		f["email"] = "validation.email_same"
	}
	if f["email"] == "" {
		if _, err := s.store.ByEmail(ctx, email); err == nil {
			f["email"] = "validation.email_taken"
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	tok, err := s.newLink(ctx, u, PurposeEmailChange, email, s.cfg.Accounts.ConfirmLinkExpiry.Duration)
	if err != nil {
		return err
	}
	return s.mail.Send(ctx, "email_change", s.lang(u), email, map[string]any{
		"Username": u.Username, "Link": s.link("/account/email/" + tok), "Hours": int(s.cfg.Accounts.ConfirmLinkExpiry.Hours()),
	})
}

// ConfirmEmailChange moves the account to the address the link was sent to.
func (s *Service) ConfirmEmailChange(ctx context.Context, token string) (*User, error) {
	t, err := s.store.UseToken(ctx, PurposeEmailChange, token)
	if err != nil {
		return nil, badLink(err)
	}
	u, err := s.store.Get(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	u.Email, u.EmailConfirmedAt = t.Email, &now
	return u, s.store.Update(ctx, u, "email", "email_confirmed_at")
}

// SetLanguage saves a member's language.
func (s *Service) SetLanguage(ctx context.Context, v *auth.Viewer, lang string) error {
	u, err := s.store.Get(ctx, v.ID)
	if err != nil {
		return err
	}
	u.Language = lang
	return s.store.Update(ctx, u, "language")
}

// SetTheme saves a member's colour scheme: "" (follow the system), light
// or dark.
func (s *Service) SetTheme(ctx context.Context, v *auth.Viewer, theme string) error {
	switch theme {
	case "", "light", "dark":
	default:
		return errs.Fields{"theme": "validation.theme"}
	}
	u, err := s.store.Get(ctx, v.ID)
	if err != nil {
		return err
	}
	u.Theme = theme
	return s.store.Update(ctx, u, "theme")
}

// LogOutEverywhere ends every session of the member, this one included.
func (s *Service) LogOutEverywhere(ctx context.Context, v *auth.Viewer) error {
	return s.sessions.RevokeUser(ctx, v.ID, "")
}

// NewUser is an account made by an administrator (from the command line).
type NewUser struct {
	Username, Email, Password string
	Role                      auth.Role
}

// CreateUser makes a confirmed account with a role; an administrator made
// this way ends the first-run setup.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (*User, error) {
	n.Username, n.Email = strings.TrimSpace(n.Username), NormalizeEmail(n.Email)
	f := errs.Fields{}
	checkUsername(f, n.Username)
	checkEmail(f, n.Email)
	checkPassword(f, "password", n.Password, n.Username, n.Email, s.cfg.Accounts.MinPasswordLength)
	if _, err := s.Role(ctx, string(n.Role)); err != nil {
		f["role"] = "validation.role"
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	u, err := s.create(ctx, n.Username, n.Email, n.Password, n.Role, "", true)
	if err != nil {
		return nil, err
	}
	if n.Role == auth.RoleAdmin {
		s.adminKnown.Store(true)
		if err := s.store.DeleteSetting(ctx, setupCodeKey); err != nil {
			return u, err
		}
	}
	return u, nil
}

const apiTokenPrefix = "cau_"

// CreateAPIToken makes a personal API token for the user named username and
// returns it: this is the only time it can be read.
func (s *Service) CreateAPIToken(ctx context.Context, username, name string) (string, error) {
	u, err := s.store.ByUsername(ctx, username)
	if err != nil {
		return "", err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "token " + time.Now().UTC().Format("2006-01-02 15:04")
	}
	tok := apiTokenPrefix + newSecret(32)
	if err := s.store.AddAPIToken(ctx, &APIToken{UserID: u.ID, Name: name, TokenHash: digest(tok), CreatedAt: time.Now().UTC()}); err != nil {
		return "", err
	}
	return tok, nil
}

const setupCodeKey = "setup_code"

// SetupNeeded says whether the first-run page must be offered: no
// administrator exists yet.
func (s *Service) SetupNeeded(ctx context.Context) (bool, error) {
	if s.adminKnown.Load() {
		return false, nil
	}
	ok, err := s.store.AdminExists(ctx)
	if err != nil {
		return false, err
	}
	if ok {
		s.adminKnown.Store(true)
	}
	return !ok, nil
}

// PrepareSetup makes a new one-time setup code when no administrator exists
// and returns it ("" when setup is done). Only its hash is kept; the server
// prints the code in its log, so only whoever can read the log can claim a
// fresh install.
func (s *Service) PrepareSetup(ctx context.Context) (string, error) {
	needed, err := s.SetupNeeded(ctx)
	if err != nil || !needed {
		return "", err
	}
	raw := strings.ToUpper(newSecret(9))
	raw = strings.NewReplacer("-", "X", "_", "Y").Replace(raw)
	code := raw[:4] + "-" + raw[4:8] + "-" + raw[8:12]
	return code, s.store.SetSetting(ctx, setupCodeKey, digest(code))
}

// Setup is the first-run form.
type Setup struct {
	Code     string `form:"code"`
	Username string `form:"username"`
	Email    string `form:"email"`
	Password string `form:"password"`
	Language string `form:"-"`
	IP       string `form:"-"`
}

// CompleteSetup creates the first administrator, given the setup code.
func (s *Service) CompleteSetup(ctx context.Context, in Setup) (*User, error) {
	needed, err := s.SetupNeeded(ctx)
	if err != nil {
		return nil, err
	}
	if !needed {
		return nil, errs.New(errs.NotFound, "setup.done", nil)
	}
	if err := s.limits.Login.Take(ctx, "setup:"+in.IP); err != nil {
		return nil, err
	}
	reg := Registration{Username: in.Username, Email: in.Email, Password: in.Password}
	verr := reg.Validate(s.cfg.Accounts.MinPasswordLength)
	f, _ := verr.(errs.Fields)
	if f == nil {
		f = errs.Fields{}
	}
	want, err := s.store.Setting(ctx, setupCodeKey)
	if err != nil && !errors.Is(err, errs.NotFound) {
		return nil, err
	}
	code := strings.ToUpper(strings.TrimSpace(in.Code))
	if want == "" || subtle.ConstantTimeCompare([]byte(digest(code)), []byte(want)) != 1 {
		f["code"] = "setup.code_wrong"
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	u, err := s.create(ctx, reg.Username, reg.Email, reg.Password, auth.RoleAdmin, in.Language, true)
	if err != nil {
		return nil, err
	}
	s.adminKnown.Store(true)
	return u, s.store.DeleteSetting(ctx, setupCodeKey)
}
