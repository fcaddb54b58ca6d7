package server

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// callbackPath is where the provider sends the browser back: it must be
// registered with the provider as HINDSIGHT_BASE_URL + callbackPath.
const callbackPath = "/auth/callback"

// loginCookie carries a sign-in under way from /signin to the callback,
// sealed so that the browser can neither read nor change it, and sent
// only to the callback.
const loginCookie = "hindsight_login"

// loginTTL is how long a sign-in may take at the provider.
const loginTTL = 10 * time.Minute

// login is what the callback needs to know about the sign-in it ends.
type login struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"` // PKCE code verifier
	Next     string `json:"r"` // the local path to go back to
	Expires  int64  `json:"e"` // Unix seconds
}

// handleOIDCSignIn starts a sign-in: it keeps a new state, nonce and
// PKCE verifier in the login cookie and sends the browser to the
// provider. A browser already signed in goes straight where it was
// going; one that has just signed out is told so, with a link, rather
// than signed in again at once by a provider that still knows it.
func (s *Server) handleOIDCSignIn(c echo.Context) error {
	next := localPath(c.QueryParam("next"), "/")
	if c.QueryParam("signedout") != "" {
		return s.render(c, http.StatusOK, "signin.html", "", signInPage{Next: next, SignedOut: true})
	}
	if p, err := s.signedIn(c); err != nil {
		return err
	} else if p != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	l := login{State: randomText(), Nonce: randomText(), Verifier: oauth2.GenerateVerifier(), Next: next,
		Expires: s.oidc.now().Add(loginTTL).Unix()}
	c.SetCookie(&http.Cookie{Name: loginCookie, Value: s.oidc.seal(l), Path: callbackPath, MaxAge: int(loginTTL.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: overTLS(c.Request())})
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.Redirect(http.StatusFound, s.oidc.provider.AuthURL(l.State, l.Nonce, l.Verifier))
}

// handleOIDCCallback ends a sign-in: the state must be the login
// cookie's, the provider must trade the code (with the verifier) for an
// ID token that checks out and carries the nonce, and the configuration
// must give the person a role. It then begins a session, replacing any
// the browser had, and goes back to where the sign-in began.
func (s *Server) handleOIDCCallback(c echo.Context) error {
	a := s.oidc
	ctx := c.Request().Context()
	c.SetCookie(&http.Cookie{Name: loginCookie, Path: callbackPath, MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: overTLS(c.Request())})
	q := c.QueryParams()
	var l login
	ok := false
	if k, err := c.Cookie(loginCookie); err == nil {
		l, ok = a.open(k.Value)
	}
	if !ok || q.Get("state") == "" || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(l.State)) != 1 {
		return postmortem.Errorf(postmortem.EInvalid,
			"This sign-in has expired, or was started in another tab or browser. Sign in again.")
	}
	if e := q.Get("error"); e != "" {
		if d := q.Get("error_description"); d != "" {
			e += ": " + d
		}
		return postmortem.Errorf(postmortem.EUnauthorized, "The identity provider did not sign you in (%s).", clip(e, 300))
	}
	if q.Get("code") == "" {
		return postmortem.Errorf(postmortem.EInvalid, "The identity provider sent no sign-in code. Sign in again.")
	}
	id, idToken, err := a.provider.Identify(ctx, q.Get("code"), l.Verifier, l.Nonce)
	if err != nil {
		return err
	}
	if id.Role == "" {
		return postmortem.Errorf(postmortem.EForbidden,
			"%s signed in at the identity provider, but this Hindsight gives them no role. "+
				"Ask whoever runs it to add them, or a group of theirs, to HINDSIGHT_OIDC_EDITORS or HINDSIGHT_OIDC_ADMINS.",
			id.DisplayName())
	}
	if k, err := c.Cookie(sessionCookie); err == nil && len(k.Value) == 64 {
		// A new sign-in replaces the browser's old session. Should the
		// old one outlive a failure here, it still ends when it expires.
		_ = a.sessions.DeleteSession(ctx, postmortem.HashToken(k.Value))
	}
	secret, expires, err := a.begin(ctx, id, idToken)
	if err != nil {
		return err
	}
	s.setSession(c, secret, expires)
	return seeOther(c, l.Next, "Signed in as "+id.DisplayName()+".")
}

// handleOIDCSignOut ends the browser's session and clears its cookie,
// then sends it to the provider to sign out there too, when the provider
// offers that, or else to a page that says it has signed out.
func (s *Server) handleOIDCSignOut(c echo.Context) error {
	secret := ""
	if k, err := c.Cookie(sessionCookie); err == nil {
		secret = k.Value
	}
	to, err := s.oidc.end(c.Request().Context(), secret)
	if err != nil {
		return err
	}
	s.setSession(c, "", time.Time{})
	if to == "" {
		to = "/signin?signedout=1"
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// loginAAD binds sealed values to their use, so that no other sealed
// value could pass for a login.
var loginAAD = []byte(loginCookie)

// seal encrypts and authenticates l with the login key (AES-256-GCM).
func (a *OIDCAuth) seal(l login) string {
	plain, err := json.Marshal(l)
	if err != nil {
		panic(err) // strings and a number always marshal
	}
	gcm := a.gcm()
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(gcm.Seal(nonce, nonce, plain, loginAAD))
}

// open returns the login sealed in v, unless v was not sealed with the
// login key, was changed, or has expired.
func (a *OIDCAuth) open(v string) (login, bool) {
	var l login
	b, err := base64.RawURLEncoding.DecodeString(v)
	gcm := a.gcm()
	if err != nil || len(b) < gcm.NonceSize() {
		return l, false
	}
	plain, err := gcm.Open(nil, b[:gcm.NonceSize()], b[gcm.NonceSize():], loginAAD)
	if err != nil || json.Unmarshal(plain, &l) != nil || a.now().Unix() >= l.Expires {
		return login{}, false
	}
	return l, true
}

func (a *OIDCAuth) gcm() cipher.AEAD {
	block, err := aes.NewCipher(a.loginKey)
	if err != nil {
		panic(err) // the key is always 32 bytes
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return gcm
}

// randomText returns 32 random bytes, URL-safe: a state or a nonce.
func randomText() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
