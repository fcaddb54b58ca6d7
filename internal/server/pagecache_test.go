package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/markdown"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

// TestPageCacheFollowsChanges checks that cached pages change as soon as
// the data does: after an edit through the edit form, one through the
// API, and a save through another handle on the database file, as
// another process would make. The flash message after the form is shown
// once, to the browser it is for.
func TestPageCacheFollowsChanges(t *testing.T) {
	st := openStore(t, gates)
	srv, _ := newServer(t, st, server.Config{})
	c, other := newClient(t, srv), newClient(t, srv)
	for range 2 { // the second answer is the cache's
		contains(t, "actions", c.page("/actions"), "<strong>2</strong> open")
		contains(t, "incident", c.page("/incidents/"+gatesID), "Cache the revocation list on each gate")
	}

	id := strconv.FormatInt(itemID(t, st, "Cache the revocation"), 10)
	form := url.Values{"_csrf": {c.token("/actions/" + id)}, "status": {"done"}, "note": {"Shipped in firmware 4.2"}, "back": {"/actions"}}
	if rec := c.post("/actions/"+id, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("POST edit = %d\n%s", rec.Code, rec.Body)
	}
	body := c.page("/actions")
	contains(t, "actions after the form", body, "<strong>1</strong> open", `class="flash"`)
	lacks(t, "another browser's actions", other.page("/actions"), `class="flash"`)
	body = c.page("/actions")
	contains(t, "actions again", body, "<strong>1</strong> open")
	lacks(t, "actions again", body, `class="flash"`)
	contains(t, "incident after the form", c.page("/incidents/"+gatesID), "Shipped in firmware 4.2")

	id = strconv.FormatInt(itemID(t, st, "Alert when"), 10)
	r := httptest.NewRequest(http.MethodPatch, "/api/v1/action-items/"+id, strings.NewReader(`{"status":"done","note":"Alerting since May"}`))
	r.Header.Set("Content-Type", "application/json")
	if rec := c.do(r); rec.Code != http.StatusOK {
		t.Fatalf("PATCH = %d\n%s", rec.Code, rec.Body)
	}
	contains(t, "actions after the API", c.page("/actions"), "<strong>0</strong> open")
	contains(t, "incident after the API", c.page("/incidents/"+gatesID), "Alerting since May")

	lacks(t, "incidents", c.page("/"), "Billing export")
	db, err := sqlite.Open(context.Background(), st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	src, err := os.ReadFile(filepath.Join("testdata", billing))
	if err != nil {
		t.Fatal(err)
	}
	p, err := markdown.Parse(billing, src, markdown.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p.Source = &postmortem.Source{Path: "/elsewhere/" + billing, Text: string(src)}
	if _, err := db.Save(context.Background(), []*postmortem.Postmortem{p}, markdown.Version); err != nil {
		t.Fatal(err)
	}
	contains(t, "incidents after another process's save", c.page("/"), p.Title)
	contains(t, "actions after another process's save", c.page("/actions"), "<strong>1</strong> open", "Make the export idempotent")
}

// TestPageCacheKeepsRequestsApart checks, with token sign-in, that a page
// cached for one browser carries another's own CSRF token (which its
// forms then accept) and signed-in name, never the first one's, and that
// the parts of a page that depend on the role are not shared between
// roles.
func TestPageCacheKeepsRequestsApart(t *testing.T) {
	st := openStore(t, gates)
	srv := tokenServer(t, st)
	vera, _ := newToken(t, st, "Vera <Viewer> & Co", postmortem.RoleViewer)
	victor, _ := newToken(t, st, "Victor Viewer", postmortem.RoleViewer)
	admin, _ := newToken(t, st, "Ada Admin", postmortem.RoleAdmin)
	as := func(secret string) *client {
		c := newClient(t, srv)
		c.cookies["hindsight_session"] = &http.Cookie{Name: "hindsight_session", Value: secret}
		return c
	}
	v1, v2, a := as(vera), as(victor), as(admin)

	for _, path := range []string{"/", "/actions", "/incidents/" + gatesID, "/people"} {
		first := v1.page(path)
		second := v2.page(path) // a first visit: the CSRF cookie is set now
		contains(t, "Vera's "+path, first, "Signed in as Vera &lt;Viewer&gt; &amp; Co")
		contains(t, "Victor's "+path, second, "Signed in as Victor Viewer")
		lacks(t, "Victor's "+path, second, "Vera")
		t1, t2 := csrfField.FindStringSubmatch(first), csrfField.FindStringSubmatch(second)
		if t1 == nil || t2 == nil {
			t.Fatalf("%s: no CSRF field", path)
		}
		if t1[1] != v1.cookies["hindsight_csrf"].Value || t2[1] != v2.cookies["hindsight_csrf"].Value || t1[1] == t2[1] {
			t.Errorf("%s: CSRF fields %q and %q for cookies %q and %q", path, t1[1], t2[1],
				v1.cookies["hindsight_csrf"].Value, v2.cookies["hindsight_csrf"].Value)
		}
		// The rest of the page is the same.
		same := strings.ReplaceAll(strings.ReplaceAll(first, "Vera &lt;Viewer&gt; &amp; Co", "Victor Viewer"), t1[1], t2[1])
		if same != second {
			t.Errorf("%s: the pages differ in more than the name and the token", path)
		}
	}
	if rec := v2.post("/signout", url.Values{"_csrf": {v2.token("/actions")}}); rec.Code != http.StatusSeeOther {
		t.Errorf("sign-out with the token of a cached page = %d", rec.Code)
	}
	signedOut := newClient(t, srv).get("/actions")
	if signedOut.Code != http.StatusSeeOther || strings.Contains(signedOut.Body.String(), "Viewer") {
		t.Errorf("signed out: %d\n%s", signedOut.Code, signedOut.Body)
	}

	// /people offers the CSV download to admins only, whoever came first.
	lacks(t, "viewer's people", v1.page("/people"), `href="/people.csv"`)
	contains(t, "admin's people", a.page("/people"), `href="/people.csv"`, "Signed in as Ada Admin")
	contains(t, "admin's people again", a.page("/people?again=1"), `href="/people.csv"`)
	lacks(t, "viewer's people after the admin's", v1.page("/people?again=1"), `href="/people.csv"`, "Ada Admin")
}

// TestPageCacheMatchesRendering checks that cached pages are byte for byte
// what a server without the cache renders, the per-request parts aside.
func TestPageCacheMatchesRendering(t *testing.T) {
	st := openStore(t, gates, billing)
	secret, _ := newToken(t, st, `Zoë "Z" O'Brien+1`, postmortem.RoleEditor)
	cached, _ := newServer(t, st, server.Config{Auth: server.NewTokenAuth(st)})
	plain, _ := newServer(t, st, server.Config{Auth: server.NewTokenAuth(st), PageCacheSize: -1})
	c := newClient(t, cached)
	c.cookies["hindsight_session"] = &http.Cookie{Name: "hindsight_session", Value: secret}
	for _, path := range []string{"/", "/?q=gates&year=2024", "/actions", "/actions?sort=due&status=active", "/incidents/" + gatesID, "/people"} {
		c.page(path)
		got := c.get(path) // from the cache
		p := newClient(t, plain)
		p.cookies = c.cookies
		want := p.get(path)
		if got.Body.String() != want.Body.String() || got.Code != want.Code {
			t.Errorf("%s: cached page differs from a rendered one", path)
		}
		for _, h := range []string{"Content-Type", "Cache-Control", "Content-Security-Policy"} {
			if got.Header().Get(h) != want.Header().Get(h) {
				t.Errorf("%s: %s %q, rendered %q", path, h, got.Header().Get(h), want.Header().Get(h))
			}
		}
	}
}
