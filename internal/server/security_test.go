package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
)

// everyPage returns a path of each kind of page and response the server
// has, for checks that must hold on all of them.
func everyPage(t *testing.T, st testStore, c *client) []string {
	t.Helper()
	if err := st.CreatePerson(t.Context(), &postmortem.Member{Name: "Kwame Asante", Active: true}); err != nil {
		t.Fatal(err)
	}
	people, _ := st.ListPeople(t.Context())
	style := regexp.MustCompile(`href="(/static/style\.[0-9a-f]+\.css)"`).FindStringSubmatch(c.page("/"))
	if style == nil {
		t.Fatal("no stylesheet link")
	}
	return []string{
		"/", "/?q=revocation", "/?q=nothing+matches+this", "/incidents/" + gatesID, "/incidents/" + gatesID + "/source",
		"/actions", "/actions/" + strconv.FormatInt(itemID(t, st, "Cache the revocation"), 10),
		"/people", "/people/new", "/people/new?alias=Ravi", "/people/" + strconv.FormatInt(people[0].ID, 10),
		"/import", "/healthz", style[1], "/static/app.js", "/no/such/page", "/incidents/no-such-incident",
	}
}

func TestSecurityHeadersEverywhere(t *testing.T) {
	st := openStore(t, gates, billing)
	srv, _ := newServer(t, st, server.Config{})
	c := newClient(t, srv)
	want := map[string]string{
		"Content-Security-Policy":    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		"X-Content-Type-Options":     "nosniff",
		"Referrer-Policy":            "same-origin",
		"X-Frame-Options":            "DENY",
		"Cross-Origin-Opener-Policy": "same-origin",
	}
	check := func(what string, h http.Header) {
		for k, v := range want {
			if got := h.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", what, k, got, v)
			}
		}
		if h.Get("Permissions-Policy") == "" {
			t.Errorf("%s: no Permissions-Policy", what)
		}
	}
	for _, path := range everyPage(t, st, c) {
		check("GET "+path, c.get(path).Header())
	}
	check("POST without a token", c.post("/actions/1", url.Values{}).Header())
}

// TestPagesAreAccessible checks what can be checked in the markup: every
// form control has a label, the landmarks and the skip link are there,
// tables have captions and header scopes, and nothing inline needs the
// CSP relaxed.
func TestPagesAreAccessible(t *testing.T) {
	st := openStore(t, gates, billing)
	srv, _ := newServer(t, st, server.Config{})
	c := newClient(t, srv)
	control := regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	id := regexp.MustCompile(`\bid="([^"]+)"`)
	for _, path := range everyPage(t, st, c) {
		rec := c.get(path)
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			continue
		}
		body := rec.Body.String()
		contains(t, path, body, `<html lang="en">`, `<a class="skip" href="#main">Skip to content</a>`,
			`<header class="site">`, `<nav aria-label="Main">`, `<main id="main"`, `<footer class="site">`)
		if rec.Code == http.StatusNotFound {
			contains(t, path, body, "<h1>Not Found</h1>")
		} else {
			contains(t, path, body, `aria-current="page"`)
		}
		for _, tag := range control.FindAllString(body, -1) {
			if strings.Contains(tag, `type="hidden"`) {
				continue
			}
			m := id.FindStringSubmatch(tag)
			if m == nil || !strings.Contains(body, `<label for="`+m[1]+`"`) {
				t.Errorf("%s: control without a label: %s", path, tag)
			}
		}
		if n, m := strings.Count(body, "<table"), strings.Count(body, "<caption>"); n != m {
			t.Errorf("%s: %d tables, %d captions", path, n, m)
		}
		if strings.Contains(body, "<th>") {
			t.Errorf("%s: a <th> without scope", path)
		}
		if strings.Contains(body, " style=") || strings.Contains(body, "<style") {
			t.Errorf("%s: inline style", path)
		}
		if strings.Count(body, "<script") != 1 || regexp.MustCompile(`<script[^>]*>[^<]`).MatchString(body) {
			t.Errorf("%s: a script other than app.js", path)
		}
		if regexp.MustCompile(`\son[a-z]+=`).MatchString(body) {
			t.Errorf("%s: an event handler attribute", path)
		}
	}
}

func TestStaticFiles(t *testing.T) {
	srv, _ := newServer(t, openStore(t), server.Config{})
	c := newClient(t, srv)
	body := c.page("/")
	for _, name := range []string{"style", "app", "icon"} {
		m := regexp.MustCompile(`"(/static/` + name + `\.([0-9a-f]{10})\.[a-z]+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Errorf("no fingerprinted link to %s", name)
			continue
		}
		rec := c.get(m[1])
		if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") ||
			rec.Header().Get("ETag") != `"`+m[2]+`"` {
			t.Errorf("GET %s = %d, Cache-Control %q, ETag %q", m[1], rec.Code, rec.Header().Get("Cache-Control"), rec.Header().Get("ETag"))
		}
		r, _ := http.NewRequest(http.MethodGet, m[1], nil)
		r.Header.Set("If-None-Match", `"`+m[2]+`"`)
		if rec := c.do(r); rec.Code != http.StatusNotModified {
			t.Errorf("GET %s with its ETag = %d, want 304", m[1], rec.Code)
		}
	}
	if rec := c.get("/static/style.css"); rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-cache" ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
		t.Errorf("GET /static/style.css = %d, %q, %q", rec.Code, rec.Header().Get("Cache-Control"), rec.Header().Get("Content-Type"))
	}
	if rec := c.get("/static/style.0000000000.css"); rec.Code != http.StatusNotFound {
		t.Errorf("GET a stale fingerprint = %d, want 404", rec.Code)
	}
}

func TestFooterSaysWhatIsOff(t *testing.T) {
	srv, _ := newServer(t, openStore(t), server.Config{})
	body := newClient(t, srv).page("/")
	contains(t, "footer", body, "Jira sync: off (set <code>HINDSIGHT_JIRA_URL</code>)", "Slack nudges: off (set <code>HINDSIGHT_SLACK_TOKEN</code>)")

	srv, _ = newServer(t, openStore(t), server.Config{JiraURL: "https://jira.example.com", JiraHook: hooks{}, SlackHook: hooks{}})
	body = newClient(t, srv).page("/")
	contains(t, "footer", body, "Jira sync: on", "Slack nudges: on")

	srv, _ = newServer(t, openStore(t), server.Config{JiraURL: "https://jira.example.com"})
	body = newClient(t, srv).page("/")
	contains(t, "footer", body, "Jira sync: off (the <code>HINDSIGHT_JIRA_*</code> settings are incomplete")
}
