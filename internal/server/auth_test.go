package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
)

// newToken stores a token as `hindsight token create` does and returns
// its secret and id.
func newToken(t *testing.T, st testStore, name, role string) (string, int64) {
	t.Helper()
	secret, hash, err := postmortem.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := st.CreateToken(context.Background(), name, role, hash, postmortem.TokenHint(secret))
	if err != nil {
		t.Fatal(err)
	}
	return secret, tok.ID
}

// tokenServer is a server in token mode over st.
func tokenServer(t *testing.T, st testStore) *server.Server {
	t.Helper()
	srv, _ := newServer(t, st, server.Config{Auth: server.NewTokenAuth(st)})
	return srv
}

func TestAPITokens(t *testing.T) {
	st := openStore(t, gates, billing)
	srv := tokenServer(t, st)
	viewer, _ := newToken(t, st, "Vera Viewer", postmortem.RoleViewer)
	editor, editorID := newToken(t, st, "Ed Editor", postmortem.RoleEditor)
	admin, _ := newToken(t, st, "Ada Admin", postmortem.RoleAdmin)
	a := newAPI(t, srv, "")
	item := fmt.Sprintf("/api/v1/action-items/%d", itemID(t, st, "Cache the revocation"))

	rec := a.get("/api/v1/postmortems")
	rec.wantError(401, "unauthorized", "")
	if rec.Header().Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	a.as("hs_"+strings.Repeat("0", 64)).get("/api/v1/postmortems").wantError(401, "unauthorized", "")
	a.as("not-even-a-token").get("/api/v1/postmortems").wantError(401, "unauthorized", "")
	// A page session cookie is no credential for the API.
	r := httptest.NewRequest(http.MethodGet, "/api/v1/postmortems", nil)
	r.AddCookie(&http.Cookie{Name: "hindsight_session", Value: admin})
	if rec := newClient(t, srv).do(r); rec.Code != http.StatusUnauthorized {
		t.Errorf("API with the session cookie = %d", rec.Code)
	}
	a.get("/api/v1/openapi.json").wantStatus(200)

	a.as(viewer).get("/api/v1/postmortems").wantStatus(200)
	a.as(viewer).get(item).wantStatus(200)
	a.as(viewer).patch(item, map[string]any{"status": "done"}).wantError(403, "forbidden", "")
	a.as(viewer).post("/api/v1/people", map[string]any{"name": "X"}).wantError(403, "forbidden", "")

	var it struct {
		Status  string
		History []postmortem.ItemEvent
	}
	a.as(editor).patch(item, map[string]any{"status": "done"}).wantStatus(200).json(&it)
	if last := it.History[len(it.History)-1]; it.Status != "done" || last.Actor != "Ed Editor" {
		t.Errorf("editor's change: status %s by %q", it.Status, last.Actor)
	}
	a.as(editor).get("/api/v1/export").wantError(403, "forbidden", "")
	a.as(editor).get("/api/v1/people/export").wantError(403, "forbidden", "")
	a.as(admin).get("/api/v1/export").wantStatus(200)
	a.as(admin).patch(item, map[string]any{"status": "open"}).wantStatus(200)

	if _, err := st.RevokeToken(context.Background(), editorID); err != nil {
		t.Fatal(err)
	}
	a.as(editor).get("/api/v1/postmortems").wantError(401, "unauthorized", "")

	tok, err := st.TokenByHash(context.Background(), postmortem.HashToken(viewer))
	if err != nil || tok.LastUsedAt == "" {
		t.Errorf("viewer token's last use not recorded: %+v %v", tok, err)
	}
}

func TestPagesSignIn(t *testing.T) {
	st := openStore(t, gates)
	srv := tokenServer(t, st)
	viewer, _ := newToken(t, st, "Vera Viewer", postmortem.RoleViewer)
	editor, _ := newToken(t, st, "Ed Editor", postmortem.RoleEditor)
	id := itemID(t, st, "Cache the revocation")

	c := newClient(t, srv)
	for _, path := range []string{"/", "/actions?status=active", "/incidents/" + gatesID, "/people", "/import"} {
		rec := c.get(path)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/signin?next="+url.QueryEscape(path) {
			t.Errorf("GET %s signed out = %d to %q", path, rec.Code, rec.Header().Get("Location"))
		}
	}
	rec := c.post(fmt.Sprintf("/actions/%d", id), url.Values{"status": {"done"}})
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/signin") {
		t.Errorf("POST signed out = %d to %q", rec.Code, rec.Header().Get("Location"))
	}

	// A wrong token shows the form again.
	token := c.token("/signin?next=/actions")
	rec = c.post("/signin", url.Values{"_csrf": {token}, "token": {"hs_wrong"}, "next": {"/actions"}})
	if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "not valid") {
		t.Errorf("wrong token = %d", rec.Code)
	}
	// Without the CSRF token, no sign-in.
	if rec := c.post("/signin", url.Values{"token": {viewer}}); rec.Code != http.StatusForbidden {
		t.Errorf("sign-in without CSRF = %d", rec.Code)
	}

	rec = c.post("/signin", url.Values{"_csrf": {token}, "token": {viewer}, "next": {"/actions"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/actions" {
		t.Fatalf("sign-in = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	k := c.cookies["hindsight_session"]
	if k == nil || !k.HttpOnly || k.SameSite != http.SameSiteLaxMode || k.Secure {
		t.Fatalf("session cookie %+v", k)
	}
	contains(t, "signed in", c.page("/actions"), "Signed in as Vera Viewer", `action="/signout"`)

	// A viewer reads but cannot edit.
	token = c.token(fmt.Sprintf("/actions/%d", id))
	rec = c.post(fmt.Sprintf("/actions/%d", id), url.Values{"_csrf": {token}, "status": {"done"}})
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "editor") {
		t.Errorf("viewer edit = %d", rec.Code)
	}
	if rec := c.get("/people.csv"); rec.Code != http.StatusForbidden {
		t.Errorf("viewer people.csv = %d", rec.Code)
	}

	// An editor's change is recorded under the token's name, whatever
	// the form's name field says.
	e := newClient(t, srv)
	token = e.token("/signin")
	e.post("/signin", url.Values{"_csrf": {token}, "token": {editor}})
	token = e.token(fmt.Sprintf("/actions/%d", id))
	rec = e.post(fmt.Sprintf("/actions/%d", id), url.Values{"_csrf": {token}, "status": {"done"}, "owner": {"Kwame Asante"},
		"due": {"2024-10-01"}, "name": {"Someone Else"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("editor edit = %d\n%s", rec.Code, rec.Body)
	}
	hist, _ := st.ItemHistory(context.Background(), id)
	if last := hist[len(hist)-1]; last.Actor != "Ed Editor" {
		t.Errorf("edit recorded under %q", last.Actor)
	}

	// Signing out forgets the session.
	token = e.token("/actions")
	rec = e.post("/signout", url.Values{"_csrf": {token}})
	if rec.Code != http.StatusSeeOther || e.cookies["hindsight_session"] != nil {
		t.Errorf("sign-out = %d, cookie %v", rec.Code, e.cookies["hindsight_session"])
	}
	if rec := e.get("/actions"); rec.Code != http.StatusSeeOther {
		t.Errorf("after sign-out = %d", rec.Code)
	}

	// A stale session cookie is cleared and sends the browser to sign in.
	stale := newClient(t, srv)
	stale.cookies["hindsight_session"] = &http.Cookie{Name: "hindsight_session", Value: "hs_revoked"}
	if rec := stale.get("/"); rec.Code != http.StatusSeeOther || stale.cookies["hindsight_session"] != nil {
		t.Errorf("stale session = %d, cookie %v", rec.Code, stale.cookies["hindsight_session"])
	}
}

func TestSessionCookieSecureBehindTLS(t *testing.T) {
	st := openStore(t)
	srv := tokenServer(t, st)
	viewer, _ := newToken(t, st, "Vera", postmortem.RoleViewer)
	c := newClient(t, srv)
	token := c.token("/signin")
	r := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(url.Values{"_csrf": {token}, "token": {viewer}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Forwarded-Proto", "https")
	c.do(r)
	if k := c.cookies["hindsight_session"]; k == nil || !k.Secure {
		t.Errorf("session cookie behind TLS: %+v", k)
	}
}

func TestOpenEndpointsInTokenMode(t *testing.T) {
	st := openStore(t)
	srv, _ := newServer(t, st, server.Config{Auth: server.NewTokenAuth(st)})
	c := newClient(t, srv)
	for path, want := range map[string]int{
		"/healthz":             200,
		"/readyz":              200,
		"/static/style.css":    200,
		"/api/v1/openapi.json": 200,
		"/signin":              200,
	} {
		if rec := c.get(path); rec.Code != want {
			t.Errorf("GET %s = %d, want %d", path, rec.Code, want)
		}
	}
	// Jira's webhook answers for itself: 404 here, where Jira is off,
	// rather than 401 or a redirect to sign in.
	if rec := c.post("/hooks/jira", nil); rec.Code != http.StatusNotFound {
		t.Errorf("POST /hooks/jira = %d", rec.Code)
	}
}

func TestCrossSiteAPIWritesRefused(t *testing.T) {
	st := openStore(t, gates)
	srv, _ := newServer(t, st, server.Config{})
	body, ct := multipartBody("file", map[string]string{"x.md": "# X"})
	r := httptest.NewRequest(http.MethodPost, "/api/v1/postmortems/import", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", ct)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := newClient(t, srv).do(r)
	response{rec, t}.wantError(403, "forbidden", "")
}
