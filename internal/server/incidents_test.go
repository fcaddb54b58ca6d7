package server_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/server"
)

const (
	gates   = "2024-09-12-tram-ticket-gates.md"
	billing = "2023-03-02-billing-export.md"
	gatesID = "2024-09-12-ticket-gates-rejected-valid-passes"
)

func TestIncidentList(t *testing.T) {
	srv, _ := newServer(t, openStore(t, gates, billing), server.Config{})
	body := newClient(t, srv).page("/")
	contains(t, "incident list", body,
		"<title>Incidents · Hindsight</title>", `<th scope="col">Severity</th>`, "<caption>All postmortems, newest first</caption>",
		`<a href="/incidents/`+gatesID+`">Ticket gates rejected valid passes</a>`,
		`<time datetime="2024-09-12">12 Sep 2024</time>`, `<span class="sev sev-1">SEV1</span>`, "2 of 3",
		">25 min<", ">1 h 15 min<", // time to detect (the staff report) and to resolve
		`<a href="/" aria-current="page">Incidents</a>`, `<label for="q">Search postmortems</label>`,
	)
	if i, j := strings.Index(body, "Ticket gates"), strings.Index(body, "Billing export"); i < 0 || j < i {
		t.Errorf("incidents not newest first")
	}
	lacks(t, "incident list", body, "Clear filters", "Older")
}

func TestIncidentListEmpty(t *testing.T) {
	srv, _ := newServer(t, openStore(t), server.Config{})
	body := newClient(t, srv).page("/")
	contains(t, "empty list", body, "No postmortems yet", "hindsight import ./postmortems", `<a href="/import">`)
	lacks(t, "empty list", body, "<table")

	body = newClient(t, srv).page("/?q=nothing+at+all")
	contains(t, "no match", body, "No postmortem matches", "“nothing at all”", `<a href="/">clear all filters</a>`)
	lacks(t, "no match", body, "No postmortems yet")
}

func TestIncidentSearch(t *testing.T) {
	srv, _ := newServer(t, openStore(t, gates, billing), server.Config{})
	body := newClient(t, srv).page("/?q=revocation")
	contains(t, "search", body, `value="revocation"`, "<mark>", "Ticket gates rejected", "Matching postmortems", `<a href="/">Clear filters</a>`)
	lacks(t, "search", body, "Billing export")
	if m := regexp.MustCompile(`<mark>([^<]*)</mark>`).FindStringSubmatch(body); m == nil || !strings.EqualFold(m[1], "revocation") {
		t.Errorf("search hit marked as %q, want revocation", m)
	}
}

func TestIncidentFilters(t *testing.T) {
	srv, _ := newServer(t, openStore(t, gates, billing), server.Config{})
	c := newClient(t, srv)
	for _, tc := range []struct {
		query     string
		want, not string
	}{
		{"year=2023", "Billing export", "Ticket gates"},
		{"severity=SEV1", "Ticket gates", "Billing export"},
		{"status=Draft", "Billing export", "Ticket gates"},
		{"tag=gates", "Ticket gates", "Billing export"},
		{"owner=ravi.patel", "Billing export", "Ticket gates"},
	} {
		body := c.page("/?" + tc.query)
		if !strings.Contains(body, tc.want) || strings.Contains(body, tc.not) {
			t.Errorf("/?%s: want %q and not %q", tc.query, tc.want, tc.not)
		}
	}
	body := c.page("/?tag=gates&open=1")
	contains(t, "tag and open filters", body, `<option selected>gates</option>`, `id="f-open" name="open" value="1" checked`)
}

func TestIncidentPagination(t *testing.T) {
	st := openStore(t)
	for i := range 55 {
		day := fmt.Sprintf("2022-%02d-%02d", i/28+1, i%28+1)
		st.save(t, fmt.Sprintf("testdata/%s-incident-%d.md", day, i), fmt.Appendf(nil,
			"---\ntitle: Incident number %d\ndate: %s\nseverity: SEV2\n---\n\n## Summary\n\nSomething broke.\n", i, day))
	}
	srv, _ := newServer(t, st, server.Config{})
	c := newClient(t, srv)
	first := c.page("/?severity=SEV2")
	contains(t, "first page", first, "Incident number 54", "Incident number 5<")
	lacks(t, "first page", first, "Incident number 4<", "Newest")
	older := regexp.MustCompile(`<a href="([^"]+)" rel="next">Older</a>`).FindStringSubmatch(first)
	if older == nil {
		t.Fatal("first page has no Older link")
	}
	next := strings.ReplaceAll(older[1], "&amp;", "&")
	if !strings.Contains(next, "severity=SEV2") || !strings.Contains(next, "after=") {
		t.Errorf("Older link %q loses the filter or the cursor", next)
	}
	second := c.page(next)
	contains(t, "second page", second, "Incident number 4<", "Incident number 0<", `<a href="/?severity=SEV2">Newest</a>`)
	lacks(t, "second page", second, "Incident number 5<", `rel="next"`)
}

func TestIncidentPage(t *testing.T) {
	srv, _ := newServer(t, openStore(t, gates), server.Config{JiraURL: "https://jira.example.com/", JiraHook: hooks{}})
	body := newClient(t, srv).page("/incidents/" + gatesID)
	contains(t, "incident page", body,
		"<h1>Ticket gates rejected valid passes</h1>",
		"Oona Hale (Deactivated), Kwame Asante",
		`<a class="tag" href="/?tag=gates">gates</a>`,
		`<a href="/incidents/`+gatesID+`/source">text as imported</a>`,
		"<strong>valid season passes</strong>",
		// timeline: dates, times, gaps, ranges, approximate marks, derived points
		`<h2 id="timeline">Timeline <span class="muted">(BST)</span></h2>`,
		"<h3>12 Sep 2024</h3>",
		`<time datetime="2024-09-12T07:55&#43;01:00">07:55</time>`,
		`<span class="gap">+25 min`, `<span class="visually-hidden">approximately </span>`,
		"08:40</time><span aria-hidden=\"true\">–</span><span class=\"visually-hidden\"> to </span>09:05 <span class=\"muted\">(25 min)</span>",
		`<span class="badge mark">start</span>`, `<span class="badge mark">detected</span>`, `<span class="badge mark">resolved</span>`,
		"<strong>25 min</strong>, from the start at 07:55 (the entry that says the impact began)",
		"<strong>1 h 15 min</strong>", "(the last entry that says the service recovered)",
		// action items
		"Cache the revocation list on each gate", "Kwame Asante",
		`Oona Hale (Deactivated) <span class="badge warn owner-left">has left</span>`,
		`<span class="badge warn">no owner</span>`,
		`<a class="key" href="https://jira.example.com/browse/GATE-41" rel="noopener">GATE-41</a>`,
		`<time datetime="2024-10-01">1 Oct 2024</time> <span class="badge warn">overdue</span>`,
		`<span class="status s-in_progress">In progress</span>`,
		`<details class="item-history"><summary>History`,
		`href="/actions/`,
		// the rest of the document
		"Staff on the platforms noticed before the alerts did.",
		`<h2 id="section-0">Communication</h2>`, "<code>incident-1234</code>",
		`<a href="https://grafana.example.com/d/gates" rel="nofollow noopener">Grafana board</a>`,
		"Bad link <span class=\"muted\">(javascript:alert(&#39;links&#39;), not linked)</span>",
		`<details class="warnings" id="warnings">`, "<summary>Parser warnings (1)</summary>", "Line 44: action item has no owner",
		"Jira sync: on",
	)
	lacks(t, "incident page", body, "2099-01-01\">1 Jan 2099</time> <span class=\"badge warn\">overdue")
}

func TestIncidentSource(t *testing.T) {
	srv, _ := newServer(t, openStore(t, gates), server.Config{})
	rec := newClient(t, srv).get("/incidents/" + gatesID + "/source")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET source = %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", got)
	}
	if !strings.HasPrefix(rec.Body.String(), "---\ntitle: Ticket gates rejected valid passes\n") ||
		!strings.Contains(rec.Body.String(), `<script>alert("summary")</script>`) {
		t.Errorf("source is not the document as imported:\n%s", rec.Body)
	}
}

// TestIncidentPageIsInert checks that nothing in a document can run in the
// page: no script, no event handler, no javascript: URL, no image from
// elsewhere.
func TestIncidentPageIsInert(t *testing.T) {
	srv, _ := newServer(t, openStore(t, gates), server.Config{})
	body := newClient(t, srv).page("/incidents/" + gatesID)
	_, main, _ := strings.Cut(body, `<main id="main"`)
	lacks(t, "incident page", strings.ToLower(main),
		"<script", "alert(\"summary\")</script>", "<img", "onerror", "onclick", `href="javascript:`, "javascript:alert('link')", "<a href=\"https://example.com\"")
	contains(t, "incident page", main,
		"harmless looking link", // the words of the dropped link stay
		`<a href="https://wiki.example.com/gates/runbook" rel="nofollow noopener">runbook</a>`,
	)
	if n := strings.Count(body, "<script"); n != 1 || !strings.Contains(body, `<script src="/static/app.`) {
		t.Errorf("page has %d script tags, want only app.js", n)
	}
	if strings.Contains(body, "style=") {
		t.Errorf("page has a style attribute, which the CSP forbids")
	}
}

func TestIncidentMissingFile(t *testing.T) {
	st := openStore(t, gates)
	root, _ := filepath.Abs("testdata")
	if _, err := st.MarkMissing(t.Context(), root, map[string]bool{}); err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(t, st, server.Config{})
	c := newClient(t, srv)
	contains(t, "list", c.page("/"), `<span class="badge">file missing</span>`)
	contains(t, "incident page", c.page("/incidents/"+gatesID), `<p class="notice" role="note"><strong>File missing.</strong>`)
}
