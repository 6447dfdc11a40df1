package user

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"causerie/app/errs"
)

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{1,28}[A-Za-z0-9]$`)

// reserved names would let someone pass for the forum or its staff, or
// collide with a page.
var reserved = map[string]bool{
	"admin": true, "administrator": true, "moderator": true, "mod": true, "staff": true, "system": true,
	"root": true, "support": true, "causerie": true, "api": true, "setup": true, "login": true,
	"logout": true, "register": true, "account": true, "me": true, "anonymous": true, "null": true,
}

// common passwords are refused whatever their length.
var common = map[string]bool{
	"password123": true, "1234567890": true, "qwertyuiop": true, "password1234": true, "motdepasse": true,
	"iloveyou123": true, "azertyuiop": true, "0123456789": true, "12345678910": true, "abcdefghij": true,
	"passw0rd123": true, "motdepasse1": true, "changeme123": true, "welcome1234": true, "letmein1234": true,
}

// NormalizeEmail trims an address and lowercases it, so the same mailbox is
// one account however it was typed.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkUsername(f errs.Fields, name string) {
	switch {
	case name == "":
		f["username"] = "validation.required"
	case !usernameRE.MatchString(name) || strings.Contains(name, "..") || strings.Contains(name, "__"):
		f["username"] = "validation.username_format"
	case reserved[strings.ToLower(name)]:
		f["username"] = "validation.username_reserved"
	}
}

func checkEmail(f errs.Fields, email string) {
	if email == "" {
		f["email"] = "validation.required"
		return
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") || len(email) > 254 {
		f["email"] = "validation.email_format"
	}
}

// checkPassword applies the strength rules: long enough, not absurdly long,
// not a well-known password, not the username or address, not one repeated
// character.
func checkPassword(f errs.Fields, field, password, username, email string, minLen int) {
	n := utf8.RuneCountInString(password)
	lower := strings.ToLower(password)
	distinct := map[rune]bool{}
	for _, r := range lower {
		distinct[r] = true
	}
	switch {
	case password == "":
		f[field] = "validation.required"
	case n < minLen:
		f[field] = "validation.password_short"
	case len(password) > 256:
		f[field] = "validation.password_long"
	case common[lower] || len(distinct) < 4:
		f[field] = "validation.password_common"
	case username != "" && strings.Contains(lower, strings.ToLower(username)),
		email != "" && strings.Contains(lower, strings.ToLower(strings.Split(email, "@")[0])) && len(strings.Split(email, "@")[0]) >= 4:
		f[field] = "validation.password_personal"
	}
}
