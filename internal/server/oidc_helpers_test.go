package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/oidc"
	"github.com/hindsight-dev/hindsight/internal/oidc/oidctest"
	"github.com/hindsight-dev/hindsight/internal/server"
)

// oidcSite is Hindsight in OIDC mode over real HTTP, with the real
// OIDC client, an in-test provider, and a clock that sessions (not ID
// tokens) are timed by.
type oidcSite struct {
	t        *testing.T
	st       testStore
	provider *oidctest.Provider
	url      string
	clock    *clock
}

// newOIDCSite serves a database with the gates postmortem in OIDC mode,
// with roles given by roles.
func newOIDCSite(t *testing.T, roles oidc.Roles) *oidcSite {
	t.Helper()
	st := openStore(t, gates)
	p := oidctest.New(t)
	// The client needs the site's URL, and the site needs the client.
	var handler http.Handler
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(app.Close)
	client, err := oidc.New(context.Background(), oidc.Config{
		Issuer: p.URL, ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret,
		RedirectURL: app.URL + "/auth/callback", PostLogoutURL: app.URL + "/", Roles: roles,
	})
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{at: time.Now()}
	auth := server.NewOIDCAuth(server.OIDCConfig{Provider: client, Sessions: st, Tokens: st, Now: clk.now})
	handler, _ = newServer(t, st, server.Config{Auth: auth})
	return &oidcSite{t: t, st: st, provider: p, url: app.URL, clock: clk}
}

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

// hop is one request a browser made and what came back.
type hop struct {
	url      *url.URL
	status   int
	location string
	cookies  []*http.Cookie
}

// browser is an http.Client with a cookie jar that follows redirects,
// between the site and the provider, and remembers every hop.
type browser struct {
	t      *testing.T
	site   *oidcSite
	jar    http.CookieJar
	header http.Header // added to every request to the site
	mu     sync.Mutex
	hops   []hop
}

func (s *oidcSite) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return &browser{t: s.t, site: s, jar: jar, header: http.Header{}}
}

// RoundTrip sends r, adding the browser's headers to requests to the
// site, and records the hop.
func (b *browser) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.String(), b.site.url) {
		for k, v := range b.header {
			r.Header[k] = v
		}
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		b.mu.Lock()
		b.hops = append(b.hops, hop{url: r.URL, status: resp.StatusCode, location: resp.Header.Get("Location"), cookies: resp.Cookies()})
		b.mu.Unlock()
	}
	return resp, err
}

// do sends r, following redirects when follow is set, and returns the
// last response's status and body, and the hops it took.
func (b *browser) do(r *http.Request, follow bool) (int, string, []hop) {
	b.t.Helper()
	b.mu.Lock()
	b.hops = nil
	b.mu.Unlock()
	c := &http.Client{Jar: b.jar, Transport: b}
	if !follow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	resp, err := c.Do(r)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b.mu.Lock()
	defer b.mu.Unlock()
	return resp.StatusCode, string(body), b.hops
}

// get GETs the site's path (or a whole URL), following redirects.
func (b *browser) get(path string) (int, string, []hop) {
	b.t.Helper()
	return b.do(b.request(http.MethodGet, path, nil), true)
}

// step GETs the site's path (or a whole URL) without following a
// redirect, and returns the status and where it redirects to.
func (b *browser) step(path string) (int, string) {
	b.t.Helper()
	code, _, hops := b.do(b.request(http.MethodGet, path, nil), false)
	return code, hops[0].location
}

// post sends form to the site's path, without following the redirect.
func (b *browser) post(path string, form url.Values) (int, string, []hop) {
	b.t.Helper()
	r := b.request(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(r, false)
}

func (b *browser) request(method, path string, body io.Reader) *http.Request {
	b.t.Helper()
	if strings.HasPrefix(path, "/") {
		path = b.site.url + path
	}
	r, err := http.NewRequest(method, path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	return r
}

// signIn goes through the whole sign-in from GET path and fails unless
// it ends on path signed in.
func (b *browser) signIn(path string) string {
	b.t.Helper()
	code, body, hops := b.get(path)
	last := hops[len(hops)-1].url
	if code != http.StatusOK || last.RequestURI() != path || !strings.Contains(body, "Signed in as") {
		b.t.Fatalf("sign-in from %s ended at %s with %d\n%s", path, last, code, body)
	}
	return body
}

// session returns the session cookie the jar holds for the site, or "".
func (b *browser) session() string {
	u, _ := url.Parse(b.site.url)
	for _, k := range b.jar.Cookies(u) {
		if k.Name == "hindsight_session" {
			return k.Value
		}
	}
	return ""
}

// csrf returns the CSRF token of the form on the page at path.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	_, body, _ := b.get(path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("GET %s: no CSRF field in\n%s", path, body)
	}
	return m[1]
}

// cookie returns the cookie called name that a hop set, or nil.
func cookie(hops []hop, name string) (*http.Cookie, *hop) {
	for i := range hops {
		for _, k := range hops[i].cookies {
			if k.Name == name && k.MaxAge >= 0 {
				return k, &hops[i]
			}
		}
	}
	return nil, nil
}
