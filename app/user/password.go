package user

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

const argonKeyLen = 32

// Hasher makes argon2id password hashes at a cost set by [accounts]
// password_hash (by default OWASP's minimum: 19 MiB, 2 passes, 1 lane). The
// cost is written into each hash, so raising it later still verifies older
// hashes.
type Hasher struct {
	memory, time uint32
	threads      uint8
}

// NewHasher reads a cost written "m=19456,t=2,p=1" (memory in KiB, passes,
// lanes).
func NewHasher(cost string) (Hasher, error) {
	var h Hasher
	if _, err := fmt.Sscanf(cost, "m=%d,t=%d,p=%d", &h.memory, &h.time, &h.threads); err != nil || h.memory < 8 || h.time < 1 || h.threads < 1 {
		return h, fmt.Errorf("want m=KIB,t=PASSES,p=LANES such as m=19456,t=2,p=1, got %q", cost)
	}
	return h, nil
}

// Hash returns an argon2id hash of password in the PHC string format.
func (h Hasher) Hash(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argonKey([]byte(password), salt, h.time, h.memory, h.threads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.memory, h.time, h.threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

var errBadHash = errors.New("password hash is not argon2id")

// CheckPassword says whether password matches the PHC-format hash.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, errBadHash
	}
	got := argonKey([]byte(password), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// hashing bounds how many argon2 hashes run at once to the cores Go uses.
// Each holds its memory cost (19 MiB by default) while it runs, on one
// core: more at once only wait longer for the CPU and multiply the memory,
// so a burst of logins from many addresses (each within its own rate limit)
// could take the server's memory with it. The others wait their turn.
var hashing = make(chan struct{}, runtime.GOMAXPROCS(0))

// argonKey is argon2.IDKey, one of the hashes hashing lets run.
func argonKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey(password, salt, time, memory, threads, keyLen)
}

// newSecret returns a random URL-safe token of n random bytes.
func newSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// digest is how a token is stored: a SHA-256 of it. Tokens are long and
// random, so a fast hash is enough.
func digest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
