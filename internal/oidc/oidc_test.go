package oidc_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/hindsight-dev/hindsight/internal/oidc"
	"github.com/hindsight-dev/hindsight/internal/oidc/oidctest"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

const redirect = "https://hindsight.example.com/auth/callback"

func newClient(t *testing.T, p *oidctest.Provider, roles oidc.Roles) *oidc.Client {
	t.Helper()
	c, err := oidc.New(context.Background(), oidc.Config{
		Issuer: p.URL, ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret,
		RedirectURL: redirect, PostLogoutURL: "https://hindsight.example.com/", Roles: roles,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// authorize follows AuthURL to the provider and returns the code it
// sends back, after checking that the state came back with it.
func authorize(t *testing.T, c *oidc.Client, state, nonce, verifier string) string {
	t.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(c.AuthURL(state, nonce, verifier))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(back.String(), redirect+"?") || back.Query().Get("state") != state || back.Query().Get("code") == "" {
		t.Fatalf("authorization answered %d, to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return back.Query().Get("code")
}

func TestIdentify(t *testing.T) {
	p := oidctest.New(t)
	c := newClient(t, p, oidc.Roles{Admins: []string{"sre-leads"}})
	p.SignInAs(map[string]any{"sub": "u-42", "email": "ann@example.com", "email_verified": true, "name": "Ann Smith",
		"groups": []string{"staff", "sre-leads"}})
	verifier := oauth2.GenerateVerifier()
	code := authorize(t, c, "state-1", "nonce-1", verifier)

	auth := p.LastAuthorization()
	if auth.Get("code_challenge_method") != "S256" || auth.Get("code_challenge") != oauth2.S256ChallengeFromVerifier(verifier) ||
		auth.Get("nonce") != "nonce-1" || auth.Get("scope") != "openid profile email" || auth.Get("redirect_uri") != redirect {
		t.Errorf("authorization request %v", auth)
	}
	id, raw, err := c.Identify(context.Background(), code, verifier, "nonce-1")
	if err != nil {
		t.Fatal(err)
	}
	want := postmortem.Identity{Subject: "u-42", Email: "ann@example.com", Name: "Ann Smith", Role: postmortem.RoleAdmin}
	if id != want || strings.Count(raw, ".") != 2 {
		t.Errorf("Identify = %+v, %q", id, raw)
	}
	// A code works once.
	if _, _, err := c.Identify(context.Background(), code, verifier, "nonce-1"); postmortem.ErrorCode(err) != postmortem.EUnauthorized {
		t.Errorf("code used twice: %v", err)
	}
}

func TestIdentifyRefuses(t *testing.T) {
	p := oidctest.New(t)
	c := newClient(t, p, oidc.Roles{})
	for _, tc := range []struct {
		name   string
		tamper func(map[string]any)
		// wrongVerifier and nonce change what the client sends.
		wrongVerifier bool
		nonce         string
		want          string
	}{
		{name: "wrong PKCE verifier", wrongVerifier: true, want: "PKCE verification failed"},
		{name: "other nonce", nonce: "someone-else's", want: "nonce differs"},
		{name: "no nonce", tamper: func(c map[string]any) { delete(c, "nonce") }, want: "nonce differs"},
		{name: "expired", tamper: func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }, want: "expired"},
		{name: "other audience", tamper: func(c map[string]any) { c["aud"] = "another-app" }, want: "audience"},
		{name: "other issuer", tamper: func(c map[string]any) { c["iss"] = "https://evil.example.com" }, want: "different provider"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.Tamper(tc.tamper)
			defer p.Tamper(nil)
			verifier := oauth2.GenerateVerifier()
			code := authorize(t, c, "s", "n", verifier)
			if tc.wrongVerifier {
				verifier = oauth2.GenerateVerifier()
			}
			nonce := "n"
			if tc.nonce != "" {
				nonce = tc.nonce
			}
			_, _, err := c.Identify(context.Background(), code, verifier, nonce)
			if postmortem.ErrorCode(err) != postmortem.EUnauthorized || !strings.Contains(postmortem.ErrorMessage(err), tc.want) {
				t.Errorf("Identify = %v, want unauthorized saying %q", err, tc.want)
			}
		})
	}
}

func TestNewFailures(t *testing.T) {
	p := oidctest.New(t)
	ctx := context.Background()
	for _, tc := range []struct {
		cfg  oidc.Config
		want string
	}{
		{oidc.Config{ClientID: "x", RedirectURL: redirect}, "no issuer URL"},
		{oidc.Config{Issuer: p.URL, RedirectURL: redirect}, "no client ID"},
		{oidc.Config{Issuer: p.URL, ClientID: "x"}, "no redirect URL"},
		{oidc.Config{Issuer: p.URL, ClientID: "x", RedirectURL: redirect, Roles: oidc.Roles{Default: "owner"}}, `unknown default role "owner"`},
		// An issuer with a trailing slash is not the one the provider names.
		{oidc.Config{Issuer: p.URL + "/", ClientID: "x", RedirectURL: redirect}, "discover the OpenID Connect provider at " + p.URL + "/"},
		{oidc.Config{Issuer: "http://127.0.0.1:1/realms/x", ClientID: "x", RedirectURL: redirect}, "at http://127.0.0.1:1/realms/x"},
	} {
		if _, err := oidc.New(ctx, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

func TestRoles(t *testing.T) {
	p := oidctest.New(t)
	for _, tc := range []struct {
		name   string
		roles  oidc.Roles
		claims map[string]any
		want   string
	}{
		{"no lists: viewer", oidc.Roles{}, map[string]any{"groups": []string{"x"}}, postmortem.RoleViewer},
		{"admin group", oidc.Roles{Admins: []string{"ops"}, Editors: []string{"ops"}}, map[string]any{"groups": []string{"a", "ops"}}, postmortem.RoleAdmin},
		{"editor group", oidc.Roles{Admins: []string{"leads"}, Editors: []string{"ops"}}, map[string]any{"groups": []string{"ops"}}, postmortem.RoleEditor},
		{"string claim", oidc.Roles{Editors: []string{"ops"}}, map[string]any{"groups": "ops"}, postmortem.RoleEditor},
		{"Keycloak full path", oidc.Roles{Admins: []string{"hindsight-admins"}}, map[string]any{"groups": []string{"/hindsight-admins"}}, postmortem.RoleAdmin},
		{"other claim", oidc.Roles{Claim: "roles", Admins: []string{"admin"}}, map[string]any{"roles": []string{"admin"}, "groups": []string{}}, postmortem.RoleAdmin},
		{"nested claim", oidc.Roles{Claim: "realm_access.roles", Editors: []string{"writer"}},
			map[string]any{"realm_access": map[string]any{"roles": []string{"writer"}}}, postmortem.RoleEditor},
		{"dotted claim name", oidc.Roles{Claim: "https://example.com/roles", Editors: []string{"writer"}},
			map[string]any{"https://example.com/roles": []string{"writer"}}, postmortem.RoleEditor},
		{"email", oidc.Roles{Admins: []string{"Ann@Example.com"}}, map[string]any{"email": "ann@example.com", "email_verified": true}, postmortem.RoleAdmin},
		{"unverified email", oidc.Roles{Admins: []string{"ann@example.com"}}, map[string]any{"email": "ann@example.com", "email_verified": false}, postmortem.RoleViewer},
		{"unknown, default editor", oidc.Roles{Admins: []string{"ops"}, Default: postmortem.RoleEditor}, map[string]any{}, postmortem.RoleEditor},
		{"unknown, default none", oidc.Roles{Admins: []string{"ops"}, Default: oidc.NoRole}, map[string]any{"groups": []string{"dev"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, p, tc.roles)
			claims := map[string]any{"sub": "s"}
			for k, v := range tc.claims {
				claims[k] = v
			}
			p.SignInAs(claims)
			verifier := oauth2.GenerateVerifier()
			id, _, err := c.Identify(context.Background(), authorize(t, c, "s", "n", verifier), verifier, "n")
			if err != nil || id.Role != tc.want {
				t.Errorf("role %q, %v; want %q", id.Role, err, tc.want)
			}
		})
	}
}

func TestIdentityNames(t *testing.T) {
	p := oidctest.New(t)
	c := newClient(t, p, oidc.Roles{})
	for _, tc := range []struct {
		claims map[string]any
		want   string
	}{
		{map[string]any{"sub": "s1", "name": "Ann", "email": "ann@example.com"}, "Ann"},
		{map[string]any{"sub": "s2", "preferred_username": "ann", "email": "ann@example.com"}, "ann"},
		{map[string]any{"sub": "s3", "email": "ann@example.com"}, "ann@example.com"},
		{map[string]any{"sub": "s4", "email": "ceo@example.com", "email_verified": "false"}, "s4"},
	} {
		p.SignInAs(tc.claims)
		verifier := oauth2.GenerateVerifier()
		id, _, err := c.Identify(context.Background(), authorize(t, c, "s", "n", verifier), verifier, "n")
		if err != nil || id.DisplayName() != tc.want {
			t.Errorf("%v: named %q, %v; want %q", tc.claims, id.DisplayName(), err, tc.want)
		}
	}
}

func TestLogoutURL(t *testing.T) {
	p := oidctest.New(t)
	c := newClient(t, p, oidc.Roles{})
	u, err := url.Parse(c.LogoutURL("the.id.token"))
	if err != nil || u.Path != "/logout" {
		t.Fatalf("LogoutURL = %v, %v", u, err)
	}
	q := u.Query()
	if q.Get("client_id") != oidctest.ClientID || q.Get("id_token_hint") != "the.id.token" || q.Get("post_logout_redirect_uri") != "https://hindsight.example.com/" {
		t.Errorf("logout query %v", q)
	}
}
