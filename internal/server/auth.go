package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
)

// Principal is who a request acts as once signed in.
type Principal struct {
	// Name is recorded as the actor of the changes they make.
	Name string
	// Role is one of postmortem.Roles.
	Role string
}

// Authenticator checks a credential: the API token of an Authorization
// header, or the value of the session cookie that sign-in set. It returns
// who the credential proves to be, or an unauthorized *postmortem.Error.
//
// TokenAuth is the implementation for HINDSIGHT_AUTH=token, where the
// session cookie holds the token itself. OIDCAuth (HINDSIGHT_AUTH=oidc)
// checks API tokens the same way, but pages read its own server-side
// sessions instead, and its sign-in goes to the provider rather than
// showing the token form.
type Authenticator interface {
	Authenticate(ctx context.Context, credential string) (*Principal, error)
}

// TokenStore is what token sign-in reads: tokens by the hash of their
// secret, and when they were last used.
type TokenStore interface {
	// TokenByHash returns the token whose secret hashes to hash, or a
	// not_found error.
	TokenByHash(ctx context.Context, hash string) (*postmortem.Token, error)
	// TouchToken records that t was used at at; it may skip the write
	// when t was used moments ago.
	TouchToken(ctx context.Context, t *postmortem.Token, at time.Time) error
}

// TokenAuth signs in with API tokens made by `hindsight token create`.
// Every check reads the store, so a token revoked by another process is
// refused at once.
type TokenAuth struct {
	store TokenStore
	now   func() time.Time
}

// NewTokenAuth returns the token Authenticator over store.
func NewTokenAuth(store TokenStore) *TokenAuth {
	return &TokenAuth{store: store, now: time.Now}
}

// Authenticate returns the token's name and role, or unauthorized for a
// secret that is malformed, unknown or revoked (with one message for all
// three, so that the answer tells an attacker nothing).
func (a *TokenAuth) Authenticate(ctx context.Context, secret string) (*Principal, error) {
	bad := postmortem.Errorf(postmortem.EUnauthorized, "the token is not valid: it is unknown, mistyped or revoked")
	secret = strings.TrimSpace(secret)
	if !strings.HasPrefix(secret, postmortem.TokenPrefix) || len(secret) > 200 {
		return nil, bad
	}
	t, err := a.store.TokenByHash(ctx, postmortem.HashToken(secret))
	switch {
	case postmortem.ErrorCode(err) == postmortem.ENotFound:
		return nil, bad
	case err != nil:
		return nil, err
	case t.Revoked():
		return nil, bad
	}
	// Last-used times are a convenience; a failure to record one (a busy
	// database) must not refuse the request.
	_ = a.store.TouchToken(ctx, t, a.now())
	return &Principal{Name: t.Name, Role: t.Role}, nil
}

// sessionCookie holds the page session's credential: in token mode, the
// token the sign-in form was given.
const sessionCookie = "hindsight_session"

// principalKey is where allow leaves the request's Principal.
const principalKey = "principal"

// principal returns who the request is signed in as, or nil when sign-in
// is off.
func principal(c echo.Context) *Principal {
	p, _ := c.Get(principalKey).(*Principal)
	return p
}

// may reports whether the request may do what role needs: always when
// sign-in is off.
func (s *Server) may(c echo.Context, role string) bool {
	if s.cfg.Auth == nil {
		return true
	}
	p := principal(c)
	return p != nil && postmortem.Allows(p.Role, role)
}

// allow admits requests signed in with at least role. The API reads the
// Authorization header only, so that no cookie a browser sends by itself
// can act on it; pages read the session cookie only. Without a valid
// credential the API answers 401 and pages send the browser to sign in;
// with too weak a role both answer 403. With sign-in off everyone passes.
func (s *Server) allow(role string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if s.cfg.Auth == nil {
				return next(c)
			}
			p, err := s.signedIn(c)
			if err != nil {
				return err
			}
			if p == nil {
				return s.signInFirst(c)
			}
			if !postmortem.Allows(p.Role, role) {
				return postmortem.Errorf(postmortem.EForbidden, "this needs the %s role; %s has %s", role, p.Name, p.Role)
			}
			c.Set(principalKey, p)
			return next(c)
		}
	}
}

// signedIn returns the Principal of the request's credential; nil, nil
// for a page request without a usable session (the cookie is cleared
// when it holds a bad one).
func (s *Server) signedIn(c echo.Context) (*Principal, error) {
	ctx := c.Request().Context()
	if isAPI(c) {
		scheme, cred, _ := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(cred) == "" {
			return nil, postmortem.Errorf(postmortem.EUnauthorized, "send an API token as Authorization: Bearer hs_…")
		}
		return s.cfg.Auth.Authenticate(ctx, cred)
	}
	k, err := c.Cookie(sessionCookie)
	if err != nil || k.Value == "" {
		return nil, nil
	}
	var p *Principal
	if s.oidc != nil {
		p, err = s.oidc.session(ctx, k.Value)
	} else {
		p, err = s.cfg.Auth.Authenticate(ctx, k.Value)
	}
	if postmortem.ErrorCode(err) == postmortem.EUnauthorized {
		s.setSession(c, "", time.Time{})
		return nil, nil
	}
	return p, err
}

// signInFirst sends a page request without a session to the sign-in
// page, to come back afterwards to where it was going (for a GET) or to
// the page the form was on.
func (s *Server) signInFirst(c echo.Context) error {
	next := c.Request().URL.RequestURI()
	if c.Request().Method != http.MethodGet {
		next = "/"
		if ref, err := url.Parse(c.Request().Referer()); err == nil && ref.Host == c.Request().Host {
			next = ref.RequestURI()
		}
	}
	return c.Redirect(http.StatusSeeOther, "/signin?next="+url.QueryEscape(localPath(next, "/")))
}

// setSession sets the session cookie to value until expires, or clears
// it when value is empty. It is HttpOnly, SameSite=Lax, and Secure when
// the request came over TLS, directly or through a proxy that says so.
func (s *Server) setSession(c echo.Context, value string, expires time.Time) {
	k := &http.Cookie{Name: sessionCookie, Value: value, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: overTLS(c.Request())}
	if value == "" {
		k.MaxAge = -1
	} else {
		k.Expires = expires
	}
	c.SetCookie(k)
}

// overTLS reports whether r came over TLS, or through a proxy that says
// X-Forwarded-Proto: https. The header is believed from any peer: the
// worst a forged one can do is keep the forger's own cookie off plain
// HTTP.
func overTLS(r *http.Request) bool {
	proto, _, _ := strings.Cut(r.Header.Get(echo.HeaderXForwardedProto), ",")
	return r.TLS != nil || strings.EqualFold(strings.TrimSpace(proto), "https")
}

// signInPage is the data of the sign-in form, or with OIDC of the page
// that says the browser has signed out.
type signInPage struct {
	Next      string
	Error     string
	SignedOut bool
}

// handleSignInForm shows the token form, or goes home when sign-in is off.
func (s *Server) handleSignInForm(c echo.Context) error {
	next := localPath(c.QueryParam("next"), "/")
	if s.cfg.Auth == nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	return s.render(c, http.StatusOK, "signin.html", "", signInPage{Next: next})
}

// handleSignIn checks the token given and, when it is good, keeps it in
// the session cookie and goes where the browser was going.
func (s *Server) handleSignIn(c echo.Context) error {
	next := localPath(c.FormValue("next"), "/")
	if s.cfg.Auth == nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	token := strings.TrimSpace(c.FormValue("token"))
	p, err := s.cfg.Auth.Authenticate(c.Request().Context(), token)
	var pe *postmortem.Error
	switch {
	case token == "":
		return s.render(c, http.StatusUnauthorized, "signin.html", "", signInPage{Next: next, Error: "Paste your API token."})
	case errors.As(err, &pe) && pe.Code == postmortem.EUnauthorized:
		return s.render(c, http.StatusUnauthorized, "signin.html", "", signInPage{Next: next, Error: pe.Message + "."})
	case err != nil:
		return err
	}
	s.setSession(c, token, time.Now().Add(30*24*time.Hour))
	return seeOther(c, next, "Signed in as "+p.Name+".")
}

// handleSignOut forgets the session; with OIDC it also ends it on the
// server and may send the browser on to sign out at the provider.
func (s *Server) handleSignOut(c echo.Context) error {
	if s.oidc != nil {
		return s.handleOIDCSignOut(c)
	}
	s.setSession(c, "", time.Time{})
	if s.cfg.Auth == nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	return c.Redirect(http.StatusSeeOther, "/signin")
}

// refuseCrossSite refuses API requests that change something when the
// browser says they come from another site: without sign-in (on loopback)
// a web page could otherwise send a multipart import to the API. Pages
// have the CSRF check instead.
func refuseCrossSite(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if isAPI(c) && r.Method != http.MethodGet && r.Method != http.MethodHead {
			if site := r.Header.Get(echo.HeaderSecFetchSite); site != "" && site != "same-origin" && site != "none" {
				return postmortem.Errorf(postmortem.EForbidden, "requests from other sites are refused")
			}
		}
		return next(c)
	}
}
