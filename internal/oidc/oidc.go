// Package oidc signs people in through an OpenID Connect provider
// (Keycloak, Okta, Google, …): a thin client over go-oidc and
// golang.org/x/oauth2 for the authorization code flow with PKCE, which
// turns a verified ID token into a postmortem.Identity with the role the
// configuration gives it. It keeps no state of its own between the two
// halves of a sign-in; the caller keeps the state, nonce and verifier.
package oidc

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// DefaultTimeout bounds each call to the provider when Config.HTTPClient
// is nil: discovery, the key set and the code exchange.
const DefaultTimeout = 10 * time.Second

// Config is what New needs to know about the provider and this client.
type Config struct {
	// Issuer is the provider's issuer URL, exactly as its discovery
	// document names it (for Keycloak, https://HOST/realms/REALM).
	Issuer       string
	ClientID     string
	ClientSecret string // "" for a public client, which PKCE alone protects
	// RedirectURL is where the provider sends the browser back with the
	// code: Hindsight's own address and /auth/callback. It must be
	// registered with the provider.
	RedirectURL string
	// PostLogoutURL is where the provider sends the browser after it has
	// signed them out too, when it offers an end_session_endpoint.
	PostLogoutURL string
	// Scopes are asked for beside openid; profile and email when nil.
	Scopes []string
	// Roles decides who gets which role.
	Roles Roles
	// HTTPClient makes the calls to the provider; one with DefaultTimeout
	// when nil.
	HTTPClient *http.Client
	// Now is the time ID tokens' expiry is checked against; time.Now when
	// nil.
	Now func() time.Time
}

// Client is a discovered provider and this application's registration
// with it. It is safe for concurrent use.
type Client struct {
	oauth      oauth2.Config
	verifier   *gooidc.IDTokenVerifier
	http       *http.Client
	issuer     string
	endSession string
	postLogout string
	roles      Roles
}

// discovery is the part of the provider's discovery document that go-oidc
// does not read itself.
type discovery struct {
	EndSession string   `json:"end_session_endpoint"`
	Challenges []string `json:"code_challenge_methods_supported"`
	AuthStyles []string `json:"token_endpoint_auth_methods_supported"`
}

// authStyle returns how the client proves itself to the token endpoint:
// in the Authorization header, the default of the specification, unless
// the provider takes the secret only in the form, or there is no secret.
// It is never oauth2's auto-detection, which on any refusal tries again
// the other way, so that the error reported would be the second one.
func (d discovery) authStyle(secret string) oauth2.AuthStyle {
	if secret == "" || (len(d.AuthStyles) > 0 && !slices.Contains(d.AuthStyles, "client_secret_basic") &&
		slices.Contains(d.AuthStyles, "client_secret_post")) {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// New checks cfg and fetches the provider's discovery document; ctx
// bounds the fetch. The error of a provider that cannot be reached or
// that announces a different issuer names the issuer URL.
func New(ctx context.Context, cfg Config) (*Client, error) {
	switch {
	case cfg.Issuer == "":
		return nil, errors.New("no issuer URL")
	case cfg.ClientID == "":
		return nil, errors.New("no client ID")
	case cfg.RedirectURL == "":
		return nil, errors.New("no redirect URL")
	}
	if err := cfg.Roles.check(); err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	provider, err := gooidc.NewProvider(gooidc.ClientContext(ctx, hc), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover the OpenID Connect provider at %s: %w", cfg.Issuer, err)
	}
	var d discovery
	if err := provider.Claims(&d); err != nil {
		return nil, fmt.Errorf("read the discovery document of %s: %w", cfg.Issuer, err)
	}
	if len(d.Challenges) > 0 && !slices.Contains(d.Challenges, "S256") {
		return nil, fmt.Errorf("the provider at %s does not offer PKCE with S256 (it offers %s)", cfg.Issuer, strings.Join(d.Challenges, ", "))
	}
	scopes := cfg.Scopes
	if scopes == nil {
		scopes = []string{"profile", "email"}
	}
	scopes = append([]string{gooidc.ScopeOpenID}, slices.DeleteFunc(slices.Clone(scopes), func(s string) bool { return s == gooidc.ScopeOpenID })...)
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = d.authStyle(cfg.ClientSecret)
	return &Client{
		oauth: oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: endpoint, Scopes: scopes,
		},
		verifier:   provider.Verifier(&gooidc.Config{ClientID: cfg.ClientID, Now: cfg.Now}),
		http:       hc,
		issuer:     cfg.Issuer,
		endSession: d.EndSession,
		postLogout: cfg.PostLogoutURL,
		roles:      cfg.Roles,
	}, nil
}

// AuthURL returns the provider's authorization URL that starts a sign-in:
// the browser comes back to the redirect URL with state and a code, and
// the ID token the code is exchanged for carries nonce. The URL carries
// the S256 challenge of verifier, which Identify must be given.
func (c *Client) AuthURL(state, nonce, verifier string) string {
	return c.oauth.AuthCodeURL(state, gooidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
}

// Identify ends a sign-in: it exchanges code, with the PKCE verifier,
// for the provider's tokens, verifies the ID token (signature, issuer,
// audience, expiry, and that it carries nonce) and returns who it names
// with their role ("" when they get none), and the raw ID token. A code
// or token the provider or the checks refuse gives unauthorized; a
// provider that cannot be reached, unavailable.
func (c *Client) Identify(ctx context.Context, code, verifier, nonce string) (postmortem.Identity, string, error) {
	ctx = gooidc.ClientContext(ctx, c.http)
	tok, err := c.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re):
		reason := re.ErrorCode
		if re.ErrorDescription != "" {
			reason += ": " + re.ErrorDescription
		}
		if reason == "" {
			reason = re.Response.Status
		}
		return postmortem.Identity{}, "", &postmortem.Error{Code: postmortem.EUnauthorized, Err: err,
			Message: fmt.Sprintf("the identity provider refused the sign-in (%s); sign in again", reason)}
	case err != nil:
		return postmortem.Identity{}, "", &postmortem.Error{Code: postmortem.EUnavailable, Err: err,
			Message: fmt.Sprintf("the identity provider at %s did not answer; try again later", c.issuer)}
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return postmortem.Identity{}, "", postmortem.Errorf(postmortem.EUnauthorized, "the identity provider sent no ID token")
	}
	idt, err := c.verifier.Verify(ctx, raw)
	if err != nil {
		return postmortem.Identity{}, "", &postmortem.Error{Code: postmortem.EUnauthorized, Err: err,
			Message: fmt.Sprintf("the ID token from the identity provider was refused (%s); sign in again", strings.TrimPrefix(err.Error(), "oidc: "))}
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 || nonce == "" {
		return postmortem.Identity{}, "", postmortem.Errorf(postmortem.EUnauthorized,
			"the ID token from the identity provider was not issued for this sign-in (its nonce differs); sign in again")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return postmortem.Identity{}, "", &postmortem.Error{Code: postmortem.EUnauthorized, Err: err,
			Message: "the ID token from the identity provider could not be read"}
	}
	return c.roles.identify(idt.Subject, claims), raw, nil
}

// LogoutURL returns the provider's end-session URL, which signs the
// browser out there too and sends it back to the post-logout URL, or ""
// when the provider offers none. idToken, the one the sign-in ended with,
// is passed as the hint some providers (Okta) require; it may be "".
func (c *Client) LogoutURL(idToken string) string {
	if c.endSession == "" {
		return ""
	}
	u, err := url.Parse(c.endSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("client_id", c.oauth.ClientID)
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	if c.postLogout != "" {
		q.Set("post_logout_redirect_uri", c.postLogout)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
