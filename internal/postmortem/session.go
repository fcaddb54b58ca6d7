package postmortem

import "time"

// Identity is who an identity provider says a person is, with the role
// Hindsight's configuration gives them.
type Identity struct {
	// Subject is the provider's stable, never reassigned id for the
	// person (the ID token's sub).
	Subject string
	Email   string
	Name    string
	// Role is one of Roles, or "" when the configuration gives the
	// person none and they may not sign in.
	Role string
}

// DisplayName is what the person is shown and recorded as: their name,
// else their email, else their subject.
func (i Identity) DisplayName() string {
	switch {
	case i.Name != "":
		return i.Name
	case i.Email != "":
		return i.Email
	}
	return i.Subject
}

// Session is a browser's sign-in through an identity provider as stored:
// never the secret its cookie holds, only that secret's SHA-256 (see
// HashToken), which the store looks it up by.
type Session struct {
	Identity
	// IDToken is the ID token the sign-in ended with, sent back to the
	// provider as a hint when the person signs out.
	IDToken    string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

// Expired reports whether the session no longer signs anyone in at now.
func (s *Session) Expired(now time.Time) bool { return !now.Before(s.ExpiresAt) }
