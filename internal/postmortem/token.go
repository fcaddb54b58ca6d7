package postmortem

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Roles a signed-in caller can have, from least to most allowed: a viewer
// reads, an editor also changes items and people and imports, an admin
// also exports and manages tokens.
const (
	RoleViewer = "viewer"
	RoleEditor = "editor"
	RoleAdmin  = "admin"
)

// Roles lists the roles in increasing order of what they allow.
var Roles = []string{RoleViewer, RoleEditor, RoleAdmin}

// RoleRank orders roles: 1 for viewer, 2 for editor, 3 for admin, and 0
// for anything else, which allows nothing.
func RoleRank(role string) int {
	for i, r := range Roles {
		if r == role {
			return i + 1
		}
	}
	return 0
}

// Allows reports whether role may do what need requires.
func Allows(role, need string) bool {
	return RoleRank(role) > 0 && RoleRank(role) >= RoleRank(need)
}

// TokenPrefix starts every API token, so that one pasted into a chat or
// committed to a repository is recognisable (and greppable) as Hindsight's.
const TokenPrefix = "hs_"

// Token is an API token as stored: never the secret itself, only its
// SHA-256. Times are RFC 3339, UTC; LastUsedAt is updated at most about
// once a minute.
type Token struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Role       string `json:"role"`
	Hint       string `json:"hint"` // the secret's first characters, to tell tokens apart
	CreatedAt  string `json:"created_at"`
	LastUsedAt string `json:"last_used_at,omitempty"`
	RevokedAt  string `json:"revoked_at,omitempty"`
}

// Revoked reports whether the token no longer signs anyone in.
func (t *Token) Revoked() bool { return t.RevokedAt != "" }

// NewToken returns a new secret, "hs_" and 64 hex digits of 32 random
// bytes, with its hash as HashToken computes it.
func NewToken() (secret, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	secret = TokenPrefix + hex.EncodeToString(b[:])
	return secret, HashToken(secret), nil
}

// HashToken returns the hex SHA-256 of a secret, which is what the store
// keeps and looks tokens up by. A plain hash suffices: the secret has 256
// random bits, so there is nothing to guess that a slow hash would protect.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	return hex.EncodeToString(sum[:])
}

// TokenHint returns the part of a secret that may be shown again: the
// prefix and the first 6 hex digits.
func TokenHint(secret string) string {
	if len(secret) > len(TokenPrefix)+6 {
		return secret[:len(TokenPrefix)+6]
	}
	return secret
}
