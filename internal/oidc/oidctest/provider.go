// Package oidctest is an in-process OpenID Connect provider for tests: an
// httptest server with a discovery document, a key set holding an RSA key
// made for the test, an authorization endpoint that signs in whoever the
// test says (no login form) and redirects back with a code, a token
// endpoint that checks the client, the redirect URI and the PKCE verifier
// against the challenge before it returns an RS256-signed ID token, and an
// end-session endpoint. Tests choose the claims and may tamper with the ID
// token's. It is imported only by tests.
package oidctest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Client IDs and secret New registers.
const (
	ClientID     = "hindsight"
	ClientSecret = "hindsight-secret"
)

// IDTokenLifetime is how long the ID tokens the provider signs are valid.
const IDTokenLifetime = 5 * time.Minute

// testKey is made once per test binary: an RSA key takes a while to make.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// Provider is the fake provider. Its URL is the issuer.
type Provider struct {
	URL    string
	server *httptest.Server
	key    *rsa.PrivateKey

	mu      sync.Mutex
	claims  map[string]any
	tamper  func(map[string]any)
	refuse  string
	grants  map[string]grant
	authReq url.Values
	logouts []url.Values
}

// grant is an issued code and what it was issued for.
type grant struct {
	redirectURI, challenge, nonce string
	claims                        map[string]any
}

// New starts a provider, closed when t ends, that knows one confidential
// client, ClientID with ClientSecret, and signs in as subject "user-1"
// until the test says otherwise.
func New(t testing.TB) *Provider {
	p := &Provider{key: testKey(), grants: map[string]grant{}, claims: map[string]any{"sub": "user-1"}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /logout", p.logout)
	p.server = httptest.NewServer(mux)
	p.URL = p.server.URL
	t.Cleanup(p.server.Close)
	return p
}

// SignInAs makes claims the claims of whoever signs in next ("sub" among
// them; iss, aud, exp, iat and nonce are added).
func (p *Provider) SignInAs(claims map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.claims = claims
}

// Tamper has fn change the claims of every ID token from now on, after
// the provider has set them and before it signs them; nil stops it.
func (p *Provider) Tamper(fn func(claims map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = fn
}

// Refuse makes the authorization endpoint send the browser back with the
// OAuth error code given instead of a code ("access_denied"); "" stops it.
func (p *Provider) Refuse(code string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuse = code
}

// LastAuthorization returns the query of the last authorization request.
func (p *Provider) LastAuthorization() url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.authReq
}

// Logouts returns the queries the end-session endpoint was sent.
func (p *Provider) Logouts() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.logouts)
}

// Sign returns claims as a JWT signed with the provider's key.
func (p *Provider) Sign(claims map[string]any) string {
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signed := enc(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "test-key"}) + "." + enc(claims)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"jwks_uri":                              p.URL + "/jwks",
		"end_session_endpoint":                  p.URL + "/logout",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	pub := p.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "test-key",
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// authorize signs in at once whoever SignInAs named and redirects back
// with a code, as a provider does once its login form is done. Requests
// it cannot redirect back for get a 400 page; the others, the OAuth error
// in the redirect.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.authReq = q
	claims, refuse := p.claims, p.refuse
	p.mu.Unlock()
	back, err := url.Parse(q.Get("redirect_uri"))
	if q.Get("client_id") != ClientID || err != nil || back.Scheme == "" {
		http.Error(w, "unknown client or redirect URI", http.StatusBadRequest)
		return
	}
	answer := url.Values{"state": {q.Get("state")}}
	switch {
	case q.Get("response_type") != "code" || !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		answer.Set("error", "invalid_request")
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		answer.Set("error", "invalid_request")
		answer.Set("error_description", "PKCE with S256 is required")
	case refuse != "":
		answer.Set("error", refuse)
		answer.Set("error_description", "The test refused the sign-in")
	default:
		code := random()
		p.mu.Lock()
		p.grants[code] = grant{redirectURI: back.String(), challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), claims: claims}
		p.mu.Unlock()
		answer.Set("code", code)
	}
	back.RawQuery = answer.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token exchanges a code, once, for an ID token, after checking the
// client's secret, the redirect URI and the PKCE verifier.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "unreadable form")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(ClientSecret)) != 1 {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g, found := p.grants[code]
	delete(p.grants, code)
	tamper := p.tamper
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case r.PostForm.Get("grant_type") != "authorization_code":
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "")
		return
	case !found:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown or used code")
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request's")
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
		return
	}
	now := time.Now()
	claims := map[string]any{}
	for k, v := range g.claims {
		claims[k] = v
	}
	claims["iss"] = p.URL
	claims["aud"] = ClientID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(IDTokenLifetime).Unix()
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	if tamper != nil {
		tamper(claims)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": random(), "token_type": "Bearer", "expires_in": int(IDTokenLifetime.Seconds()),
		"id_token": p.Sign(claims),
	})
}

// logout records the request and sends the browser on to the
// post-logout URI, when there is one.
func (p *Provider) logout(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.logouts = append(p.logouts, r.URL.Query())
	p.mu.Unlock()
	if to := r.URL.Query().Get("post_logout_redirect_uri"); to != "" {
		http.Redirect(w, r, to, http.StatusFound)
		return
	}
	w.Write([]byte("signed out"))
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// random returns 16 random bytes, URL-safe.
func random() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
