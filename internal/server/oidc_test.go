package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/oidc"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
)

// ann is who the provider signs in, unless a test says otherwise.
var ann = map[string]any{"sub": "ann-1", "email": "ann@example.com", "email_verified": true, "name": "Ann Smith", "groups": []string{"sre"}}

func TestOIDCSignIn(t *testing.T) {
	site := newOIDCSite(t, oidc.Roles{Editors: []string{"sre"}})
	site.provider.SignInAs(ann)
	b := site.browser()

	// A page signed out goes to /signin, on to the provider, back to the
	// callback and then to the page, signed in.
	code, body, hops := b.get("/actions?status=active")
	var path []string
	for _, h := range hops {
		path = append(path, h.url.Path)
	}
	if code != http.StatusOK || strings.Join(path, " ") != "/actions /signin /authorize /auth/callback /actions" {
		t.Fatalf("sign-in went %v and ended with %d", path, code)
	}
	if last := hops[len(hops)-1].url; last.RawQuery != "status=active" {
		t.Errorf("came back to %s", last)
	}
	contains(t, "signed in", body, "Signed in as Ann Smith", `action="/signout"`)

	// The provider was asked for a code with PKCE (S256), a nonce and
	// state, for the callback; the token request's verifier matched the
	// challenge, or there would be no ID token.
	auth := site.provider.LastAuthorization()
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if len(auth.Get(k)) < 43 {
			t.Errorf("authorization %s = %q", k, auth.Get(k))
		}
	}
	if auth.Get("code_challenge_method") != "S256" || auth.Get("redirect_uri") != site.url+"/auth/callback" {
		t.Errorf("authorization request %v", auth)
	}

	// The login cookie lives ten minutes, for the callback alone; the
	// session cookie is HttpOnly and SameSite=Lax, not Secure over plain
	// HTTP, and holds a secret the database has only the hash of.
	login, _ := cookie(hops, "hindsight_login")
	if login == nil || !login.HttpOnly || login.SameSite != http.SameSiteLaxMode || login.Path != "/auth/callback" || login.MaxAge != 600 {
		t.Errorf("login cookie %+v", login)
	}
	k, set := cookie(hops, "hindsight_session")
	if k == nil || set.url.Path != "/auth/callback" || !k.HttpOnly || k.SameSite != http.SameSiteLaxMode || k.Secure || k.Path != "/" {
		t.Fatalf("session cookie %+v", k)
	}
	if left := time.Until(k.Expires); left < 11*time.Hour || left > 13*time.Hour {
		t.Errorf("session cookie expires in %v", left)
	}
	s, err := site.st.SessionByHash(context.Background(), postmortem.HashToken(k.Value))
	if err != nil || s.Subject != "ann-1" || s.Email != "ann@example.com" || s.Role != postmortem.RoleEditor || s.IDToken == "" {
		t.Errorf("stored session %+v, %v", s, err)
	}
	if _, err := site.st.SessionByHash(context.Background(), k.Value); err == nil {
		t.Error("the session is stored under its secret")
	}

	// An edit is recorded under the person's name.
	id := itemID(t, site.st, "Cache the revocation")
	token := b.csrf(fmt.Sprintf("/actions/%d", id))
	code, _, _ = b.post(fmt.Sprintf("/actions/%d", id), url.Values{"_csrf": {token}, "status": {"done"}, "name": {"Someone Else"}})
	hist, _ := site.st.ItemHistory(context.Background(), id)
	if code != http.StatusSeeOther || len(hist) == 0 || hist[len(hist)-1].Actor != "Ann Smith" {
		t.Errorf("edit = %d, history %+v", code, hist)
	}

	// The callback cannot be replayed: its login cookie is gone.
	code, body, _ = b.get(set.url.String())
	if code != http.StatusBadRequest || !strings.Contains(body, "This sign-in has expired") {
		t.Errorf("replayed callback = %d\n%s", code, body)
	}

	// Signing in again replaces the browser's session.
	old := b.session()
	if code, to := b.step("/signin"); code != http.StatusSeeOther || to != "/" {
		t.Errorf("/signin when signed in = %d to %q", code, to)
	}
	b.jar.SetCookies(mustURL(site.url), []*http.Cookie{{Name: "hindsight_session", Value: old, Path: "/", MaxAge: -1}})
	_, toProvider := b.step("/signin")
	b.jar.SetCookies(mustURL(site.url), []*http.Cookie{{Name: "hindsight_session", Value: old, Path: "/"}})
	if code, _, _ := b.get(toProvider); code != http.StatusOK || b.session() == old {
		t.Error("the session was not replaced")
	}
	if _, err := site.st.SessionByHash(context.Background(), postmortem.HashToken(old)); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("the replaced session remains: %v", err)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestOIDCRefusals(t *testing.T) {
	site := newOIDCSite(t, oidc.Roles{})
	site.provider.SignInAs(ann)
	for _, tc := range []struct {
		name   string
		tamper func(map[string]any)
		refuse string
		status int
		want   string
	}{
		{name: "bad nonce", tamper: func(c map[string]any) { c["nonce"] = "replayed" }, status: 401, want: "nonce differs"},
		{name: "expired ID token", tamper: func(c map[string]any) { c["exp"] = time.Now().Add(-time.Second).Unix() }, status: 401, want: "expired"},
		{name: "other audience", tamper: func(c map[string]any) { c["aud"] = "another-app" }, status: 401, want: "audience"},
		{name: "other issuer", tamper: func(c map[string]any) { c["iss"] = "https://evil.example.com" }, status: 401, want: "different provider"},
		{name: "provider refuses", refuse: "access_denied", status: 401, want: "did not sign you in (access_denied: The test refused the sign-in)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site.provider.Tamper(tc.tamper)
			site.provider.Refuse(tc.refuse)
			defer site.provider.Tamper(nil)
			defer site.provider.Refuse("")
			b := site.browser()
			code, body, hops := b.get("/")
			if last := hops[len(hops)-1].url.Path; code != tc.status || last != "/auth/callback" || !strings.Contains(body, tc.want) {
				t.Errorf("sign-in ended at %s with %d, want %d saying %q\n%s", last, code, tc.status, tc.want, body)
			}
			if b.session() != "" {
				t.Error("refused sign-in left a session cookie")
			}
		})
	}

	// A callback whose state is not the login cookie's is refused before
	// the provider is asked anything, as is one without a login cookie.
	b := site.browser()
	if code, to := b.step("/signin"); code != http.StatusFound || !strings.HasPrefix(to, site.provider.URL+"/authorize?") {
		t.Fatalf("/signin = %d to %q", code, to)
	}
	for what, b := range map[string]*browser{"wrong state": b, "no login cookie": site.browser()} {
		code, body, _ := b.get("/auth/callback?state=forged&code=stolen")
		if code != http.StatusBadRequest || !strings.Contains(body, "This sign-in has expired, or was started in another tab") || b.session() != "" {
			t.Errorf("%s: %d\n%s", what, code, body)
		}
	}

	// PKCE: a code the provider issued to another sign-in (the attacker's
	// own, say), delivered to this browser with this browser's state, is
	// refused by the provider, because this browser's verifier is not the
	// one that code's challenge was made from.
	victim, attacker := site.browser(), site.browser()
	_, toProvider := victim.step("/signin")
	state := mustURL(toProvider).Query().Get("state")
	_, toAuthorize := attacker.step("/signin")
	_, toCallback := attacker.step(toAuthorize)
	stolen := mustURL(toCallback).Query().Get("code")
	code, body, _ := victim.get("/auth/callback?" + url.Values{"state": {state}, "code": {stolen}}.Encode())
	if code != http.StatusUnauthorized || !strings.Contains(body, "PKCE verification failed") || victim.session() != "" {
		t.Errorf("injected code = %d\n%s", code, body)
	}
}

func TestOIDCRoles(t *testing.T) {
	site := newOIDCSite(t, oidc.Roles{Admins: []string{"hindsight-admins"}, Editors: []string{"sre"}})
	site.provider.SignInAs(map[string]any{"sub": "ada", "name": "Ada Admin", "groups": []string{"/hindsight-admins"}})
	admin := site.browser()
	admin.signIn("/people")
	if code, _, _ := admin.get("/people.csv"); code != http.StatusOK {
		t.Errorf("admin people.csv = %d", code)
	}

	// Someone no list names is a viewer: they read, but neither edit nor
	// export.
	site.provider.SignInAs(map[string]any{"sub": "vic", "name": "Vic Viewer", "groups": []string{"finance"}})
	viewer := site.browser()
	viewer.signIn("/")
	if code, _, _ := viewer.get("/people.csv"); code != http.StatusForbidden {
		t.Errorf("viewer people.csv = %d", code)
	}
	id := itemID(t, site.st, "Cache the revocation")
	token := viewer.csrf(fmt.Sprintf("/actions/%d", id))
	if code, _, _ := viewer.post(fmt.Sprintf("/actions/%d", id), url.Values{"_csrf": {token}, "status": {"done"}}); code != http.StatusForbidden {
		t.Errorf("viewer edit = %d", code)
	}

	// With no default role, they are refused with a page that says why.
	strict := newOIDCSite(t, oidc.Roles{Admins: []string{"hindsight-admins"}, Default: oidc.NoRole})
	strict.provider.SignInAs(map[string]any{"sub": "vic", "email": "vic@example.com", "groups": []string{"finance"}})
	b := strict.browser()
	code, body, _ := b.get("/")
	contains(t, "no role", body, "vic@example.com signed in at the identity provider, but this Hindsight gives them no role", "HINDSIGHT_OIDC_EDITORS")
	if code != http.StatusForbidden || b.session() != "" {
		t.Errorf("no role = %d, session %q", code, b.session())
	}
}

func TestOIDCSessionCookieSecureBehindProxy(t *testing.T) {
	site := newOIDCSite(t, oidc.Roles{})
	site.provider.SignInAs(ann)
	// By hand, not with the jar, which keeps Secure cookies off plain
	// HTTP: that is the point of them.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string, cookies ...*http.Cookie) *http.Response {
		t.Helper()
		r, _ := http.NewRequest(http.MethodGet, u, nil)
		if strings.HasPrefix(u, site.url) {
			r.Header.Set("X-Forwarded-Proto", "https")
		}
		for _, k := range cookies {
			r.AddCookie(&http.Cookie{Name: k.Name, Value: k.Value})
		}
		resp, err := noRedirect.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	find := func(resp *http.Response, name string) *http.Cookie {
		for _, k := range resp.Cookies() {
			if k.Name == name {
				return k
			}
		}
		t.Fatalf("%s: no %s cookie", resp.Request.URL, name)
		return nil
	}
	start := get(site.url + "/signin")
	login := find(start, "hindsight_login")
	back := get(start.Header.Get("Location")).Header.Get("Location")
	done := get(back, login)
	k := find(done, "hindsight_session")
	if !login.Secure || done.StatusCode != http.StatusSeeOther || !k.Secure || !k.HttpOnly || k.SameSite != http.SameSiteLaxMode {
		t.Errorf("behind TLS: login cookie %+v, callback %d, session cookie %+v", login, done.StatusCode, k)
	}
}

func TestOIDCSignOut(t *testing.T) {
	site := newOIDCSite(t, oidc.Roles{})
	site.provider.SignInAs(ann)
	b := site.browser()
	b.signIn("/actions")
	secret := b.session()

	// Without the CSRF token, nothing happens.
	if code, _, _ := b.post("/signout", nil); code != http.StatusForbidden || b.session() != secret {
		t.Fatalf("sign-out without CSRF = %d", code)
	}
	token := b.csrf("/actions")
	code, _, hops := b.post("/signout", url.Values{"_csrf": {token}})
	to, err := url.Parse(hops[0].location)
	if code != http.StatusSeeOther || err != nil || !strings.HasPrefix(to.String(), site.provider.URL+"/logout?") {
		t.Fatalf("sign-out = %d to %q", code, hops[0].location)
	}
	q := to.Query()
	if q.Get("post_logout_redirect_uri") != site.url+"/" || q.Get("client_id") == "" || q.Get("id_token_hint") == "" {
		t.Errorf("end-session request %v", q)
	}
	if b.session() != "" {
		t.Error("the session cookie outlived sign-out")
	}
	if _, err := site.st.SessionByHash(context.Background(), postmortem.HashToken(secret)); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("the session outlived sign-out: %v", err)
	}

	// The old cookie signs nobody in any more.
	stale := site.browser()
	stale.jar.SetCookies(mustURL(site.url), []*http.Cookie{{Name: "hindsight_session", Value: secret, Path: "/"}})
	if code, to := stale.step("/actions"); code != http.StatusSeeOther || to != "/signin?next=%2Factions" || stale.session() != "" {
		t.Errorf("old cookie = %d to %q", code, to)
	}

	// Where the provider cannot sign people out, a page says what
	// happened rather than signing them in again.
	code, body, _ := b.get("/signin?signedout=1&next=/actions")
	contains(t, "signed-out page", body, "<h1>Signed out</h1>", `href="/signin?next=%2factions"`)
	if code != http.StatusOK {
		t.Errorf("signed-out page = %d", code)
	}
}

func TestOIDCSessionExpires(t *testing.T) {
	site := newOIDCSite(t, oidc.Roles{})
	site.provider.SignInAs(ann)
	b := site.browser()
	b.signIn("/")
	site.clock.advance(server.DefaultSessionTTL - time.Minute)
	if code, _ := b.step("/actions"); code != http.StatusOK {
		t.Errorf("before expiry = %d", code)
	}
	site.clock.advance(time.Minute)
	// The browser still sends the cookie (its clock is real); the server
	// refuses it, clears it and sends the browser to sign in.
	if code, to := b.step("/actions"); code != http.StatusSeeOther || to != "/signin?next=%2Factions" || b.session() != "" {
		t.Errorf("expired session = %d to %q, cookie %q", code, to, b.session())
	}
	b.signIn("/actions")
}

func TestOIDCKeepsAPITokens(t *testing.T) {
	site := newOIDCSite(t, oidc.Roles{})
	site.provider.SignInAs(ann)
	secret, _ := newToken(t, site.st, "CI bot", postmortem.RoleEditor)
	id := itemID(t, site.st, "Cache the revocation")
	call := func(method, path, bearer string, cookie *http.Cookie, body string) (int, string) {
		t.Helper()
		r, _ := http.NewRequest(method, site.url+path, strings.NewReader(body))
		if bearer != "" {
			r.Header.Set("Authorization", "Bearer "+bearer)
		}
		if cookie != nil {
			r.AddCookie(cookie)
		}
		r.Header.Set("Content-Type", "application/json")
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusSeeOther {
			return resp.StatusCode, resp.Header.Get("Location")
		}
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	item := fmt.Sprintf("/api/v1/action-items/%d", id)
	if code, body := call("PATCH", item, secret, nil, `{"note":"from CI"}`); code != 200 || !strings.Contains(body, `"actor":"CI bot"`) {
		t.Errorf("token PATCH = %d %s", code, body)
	}
	if code, _ := call("GET", "/api/v1/postmortems", "", nil, ""); code != 401 {
		t.Errorf("API without a token = %d", code)
	}

	// A person's session is no credential for the API, and a token is
	// none for the pages.
	b := site.browser()
	b.signIn("/")
	session := &http.Cookie{Name: "hindsight_session", Value: b.session()}
	if code, _ := call("GET", "/api/v1/postmortems", "", session, ""); code != 401 {
		t.Errorf("API with the session cookie = %d", code)
	}
	if code, _ := call("GET", "/api/v1/postmortems", session.Value, nil, ""); code != 401 {
		t.Errorf("API with the session secret as a token = %d", code)
	}
	if code, to := call("GET", "/actions", "", &http.Cookie{Name: "hindsight_session", Value: secret}, ""); code != 303 || !strings.HasPrefix(to, "/signin") {
		t.Errorf("pages with a token as the session = %d %s", code, to)
	}
	// The token form is not there.
	if code, _ := call("POST", "/signin", "", nil, ""); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /signin = %d", code)
	}
}
