package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Provider is the OpenID Connect provider people sign in through
// (internal/oidc's Client).
type Provider interface {
	// AuthURL returns where a sign-in starts: the provider's
	// authorization endpoint, asked to come back with state, to put
	// nonce in the ID token, and for a code bound to verifier's S256
	// challenge.
	AuthURL(state, nonce, verifier string) string
	// Identify exchanges code, with verifier, for a verified ID token
	// carrying nonce, and returns who it names, with their role ("" for
	// none), and the raw token. A refused code or token is unauthorized.
	Identify(ctx context.Context, code, verifier, nonce string) (postmortem.Identity, string, error)
	// LogoutURL returns the provider's end-session URL for a session
	// that began with idToken, or "" when it has none.
	LogoutURL(idToken string) string
}

// SessionStore keeps the sessions of people signed in through the
// provider, by the SHA-256 of their cookie's secret.
type SessionStore interface {
	// CreateSession stores s under hash and forgets sessions already
	// expired.
	CreateSession(ctx context.Context, hash string, s *postmortem.Session) error
	// SessionByHash returns the session stored under hash, expired or
	// not, or a not_found error.
	SessionByHash(ctx context.Context, hash string) (*postmortem.Session, error)
	// TouchSession records that the session under hash was used at at.
	TouchSession(ctx context.Context, hash string, at time.Time) error
	// DeleteSession forgets the session under hash; an unknown one is no
	// error.
	DeleteSession(ctx context.Context, hash string) error
}

// DefaultSessionTTL is how long an OIDC sign-in lasts when
// OIDCConfig.SessionTTL is 0; the person then signs in again (at the
// provider, often without being asked anything).
const DefaultSessionTTL = 12 * time.Hour

// sessionTouchEvery is how stale a session's last-seen time may get.
const sessionTouchEvery = time.Minute

// OIDCConfig is what OIDC sign-in needs.
type OIDCConfig struct {
	Provider Provider
	Sessions SessionStore
	// Tokens are the API tokens, which the API keeps taking.
	Tokens TokenStore
	// SessionTTL is how long a session lasts; DefaultSessionTTL when 0.
	SessionTTL time.Duration
	// Now is the clock sessions are timed by; time.Now when nil.
	Now func() time.Time
}

// OIDCAuth signs people in through an OpenID Connect provider with the
// authorization code flow and PKCE, and keeps them signed in with a
// server-side session whose secret only their cookie holds. As an
// Authenticator it checks API tokens, exactly as TokenAuth does: the API
// keeps working for scripts. Pages read the session cookie instead.
type OIDCAuth struct {
	*TokenAuth
	provider Provider
	sessions SessionStore
	ttl      time.Duration
	now      func() time.Time
	// loginKey seals the cookie that carries a sign-in's state, nonce and
	// verifier from /signin to the callback. It is made at start-up: a
	// sign-in under way when the server restarts has to start again.
	loginKey []byte
}

// NewOIDCAuth returns OIDC sign-in configured by cfg.
func NewOIDCAuth(cfg OIDCConfig) *OIDCAuth {
	a := &OIDCAuth{TokenAuth: NewTokenAuth(cfg.Tokens), provider: cfg.Provider, sessions: cfg.Sessions,
		ttl: cfg.SessionTTL, now: cfg.Now, loginKey: make([]byte, 32)}
	if a.ttl <= 0 {
		a.ttl = DefaultSessionTTL
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.TokenAuth.now = a.now
	rand.Read(a.loginKey)
	return a
}

// session returns who the session cookie's secret signs in, or
// unauthorized for a secret that is unknown, signed out or expired.
func (a *OIDCAuth) session(ctx context.Context, secret string) (*Principal, error) {
	bad := postmortem.Errorf(postmortem.EUnauthorized, "the session has ended; sign in again")
	if len(secret) != 64 {
		return nil, bad
	}
	hash := postmortem.HashToken(secret)
	s, err := a.sessions.SessionByHash(ctx, hash)
	switch {
	case postmortem.ErrorCode(err) == postmortem.ENotFound:
		return nil, bad
	case err != nil:
		return nil, err
	}
	now := a.now()
	if s.Expired(now) {
		return nil, bad
	}
	if now.Sub(s.LastSeenAt) >= sessionTouchEvery {
		// As for tokens, a last-seen time not recorded must not refuse
		// the request.
		_ = a.sessions.TouchSession(ctx, hash, now)
	}
	return &Principal{Name: s.DisplayName(), Role: s.Role}, nil
}

// begin stores a session for id, whose sign-in ended with idToken, and
// returns the secret for its cookie and when it expires.
func (a *OIDCAuth) begin(ctx context.Context, id postmortem.Identity, idToken string) (string, time.Time, error) {
	b := make([]byte, 32)
	rand.Read(b)
	secret := hex.EncodeToString(b)
	now := a.now()
	s := &postmortem.Session{Identity: id, IDToken: idToken, CreatedAt: now, ExpiresAt: now.Add(a.ttl)}
	if err := a.sessions.CreateSession(ctx, postmortem.HashToken(secret), s); err != nil {
		return "", time.Time{}, err
	}
	return secret, s.ExpiresAt, nil
}

// end deletes the session of secret and returns the provider's URL that
// signs its person out there too, or "".
func (a *OIDCAuth) end(ctx context.Context, secret string) (string, error) {
	if len(secret) != 64 {
		return a.provider.LogoutURL(""), nil
	}
	hash := postmortem.HashToken(secret)
	idToken := ""
	if s, err := a.sessions.SessionByHash(ctx, hash); err == nil {
		idToken = s.IDToken
	}
	if err := a.sessions.DeleteSession(ctx, hash); err != nil {
		return "", err
	}
	return a.provider.LogoutURL(idToken), nil
}
