// Package trap catches robots on the registration form: a field people
// never see (a robot fills every field it finds), and the time since the
// form was shown (a robot sends it back at once). It is a leaf, so the
// account domain can use it without importing the policy.
package trap

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"causerie/app/errs"
)

// Field names of the trap in the form.
const (
	HoneyField = "homepage" // must stay empty
	ShownField = "shown"    // when the form was shown, signed
)

// MaxAge is how long a shown form stays good: a robot cannot keep sending
// one stamp for ever.
const MaxAge = 24 * time.Hour

// Trap checks registration forms. A nil Trap lets everything through.
type Trap struct {
	key []byte
	min time.Duration
	now func() time.Time
}

// New makes a trap that signs its stamps with secret and refuses forms sent
// back sooner than min after they were shown (0: no time check).
func New(secret []byte, min time.Duration) *Trap {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("causerie registration form"))
	return &Trap{key: mac.Sum(nil), min: min, now: time.Now}
}

// Stamp is the value of the form's shown field: the time it was shown,
// signed so that a robot cannot make one up.
func (t *Trap) Stamp() string {
	if t == nil {
		return ""
	}
	ts := strconv.FormatInt(t.now().UnixMilli(), 10)
	return ts + "." + t.sign(ts)
}

func (t *Trap) sign(ts string) string {
	mac := hmac.New(sha256.New, t.key)
	mac.Write([]byte(ts))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:16])
}

// ErrRefused is what a robot is told: nothing of why.
var ErrRefused = errs.New(errs.Invalid, "policy.register.refused", nil)

// Check refuses a form whose hidden field was filled, or that came back
// too soon after it was shown (or with a stamp missing, made up or more
// than a day old).
func (t *Trap) Check(honey, stamp string) error {
	if t == nil {
		return nil
	}
	if strings.TrimSpace(honey) != "" {
		return ErrRefused
	}
	if t.min <= 0 {
		return nil
	}
	ts, sig, ok := strings.Cut(stamp, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(t.sign(ts))) {
		return ErrRefused
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrRefused
	}
	age := t.now().Sub(time.UnixMilli(ms))
	if age < t.min || age > MaxAge {
		return ErrRefused
	}
	return nil
}
