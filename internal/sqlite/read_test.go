package sqlite

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

func ids(l []Summary) string {
	var out []string
	for _, s := range l {
		out = append(out, s.ID)
	}
	return strings.Join(out, ",")
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	a := doc("a.md", "auth", item("Upgrade Keycloak to 24", "Ana", "open", "SEC-12"))
	a.Timeline = append(a.Timeline, postmortem.TimelineEntry{Text: "Rollback of the crème brûlée deploy started"})
	setSource(a, "a.md")
	b := doc("b.md", "dns", item("Lower the TTL on foo-bar records", "", "done", ""))
	b.Date = "2024-05-01"
	b.Sections = []postmortem.Section{{Heading: "Background", Text: "Resolvers cached stale answers"}}
	setSource(b, "b.md")
	save(t, d, a, b)

	for q, want := range map[string]string{
		"":                    "dns,auth",
		"rollback":            "auth",     // timeline
		"creme brulee":        "auth",     // diacritics folded
		"keycloak":            "auth",     // action item
		"KEYCLOAK upgrade":    "auth",     // all terms, any case
		"sec-12":              "auth",     // Jira key
		"ana":                 "auth",     // owner
		"foo-bar":             "dns",      // hyphen is not NOT
		"resolvers":           "dns",      // free section
		"keycl*":              "auth",     // prefix
		`"`:                   "",         // stray quote
		`keycloak"`:           "auth",     // stray quote on a term
		"AND OR NOT NEAR ( )": "",         // operators are words
		"title:auth":          "",         // no column filters
		"incident":            "dns,auth", // title
		"nothing-like-this":   "",         // no match
		"something":           "dns,auth", // summary
		"-":                   "",         // nothing searchable
		"stale keycloak":      "",         // terms in different documents
		"alert":               "dns,auth", // timeline of both
		"lower ttl":           "dns",      // words of an item
		"upgrade   keycloak ": "auth",     // extra spaces
		"keycloak)":           "auth",     // stray parenthesis
		"*":                   "",         // a bare star
		"fired*":              "dns,auth", // prefix in timeline
		"ana*":                "auth",     // prefix of an owner
		"24":                  "auth",     // digits
		"dns":                 "dns",      // id is not indexed, title is
		"résolvers":           "dns",      // diacritics in the query
		"sev2":                "",         // severity is not indexed
		"2024":                "",         // nor the date
		"foo":                 "dns",      // part of a hyphenated word
	} {
		l, err := d.List(ctx, ListOptions{Query: q})
		if err != nil {
			t.Errorf("List(%q): %v", q, err)
			continue
		}
		if got := ids(l); got != want {
			t.Errorf("List(%q) = %q, want %q", q, got, want)
		}
	}

	// An edit replaces the search row rather than adding one.
	a.Timeline = []postmortem.TimelineEntry{{Text: "Nothing special"}}
	setSource(a, "a.md")
	save(t, d, a)
	if l, _ := d.List(ctx, ListOptions{Query: "rollback"}); len(l) != 0 {
		t.Errorf("old text still found: %v", ids(l))
	}
	var n int
	d.db.QueryRowContext(ctx, `SELECT count(*) FROM postmortem_search`).Scan(&n)
	if n != 2 {
		t.Errorf("search rows = %d", n)
	}
}

func TestListCountsAndLimit(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	old := doc("old.md", "old", item("One", "", "open", ""), item("Two", "", "done", ""), item("Three", "", "in_progress", ""))
	old.Date = "2023-01-01"
	setSource(old, "old.md")
	save(t, d, old, doc("new.md", "new"))

	l, err := d.List(ctx, ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ids(l) != "new,old" {
		t.Fatalf("order = %s", ids(l))
	}
	if s := l[1]; s.OpenItems != 2 || s.TotalItems != 3 || s.Title != "Incident old" || s.Severity != "SEV2" || s.Date != "2023-01-01" {
		t.Errorf("summary = %+v", s)
	}
	if l, _ := d.List(ctx, ListOptions{Limit: 1}); ids(l) != "new" {
		t.Errorf("limit 1 = %s", ids(l))
	}
	docs, items, err := d.Counts(ctx)
	if err != nil || docs != 2 || items != 3 {
		t.Errorf("Counts = %d, %d, %v", docs, items, err)
	}
}

func TestEachOrderAndStop(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	a, b, c := doc("a.md", "a"), doc("b.md", "b"), doc("c.md", "c")
	b.Date = "2025-01-01"
	setSource(b, "b.md")
	save(t, d, a, b, c)

	var got []string
	err := d.Each(ctx, func(p *postmortem.Postmortem) error {
		if p.Source == nil || p.Source.Path != p.ID+".md" {
			t.Errorf("source = %+v", p.Source)
		}
		got = append(got, p.ID)
		return nil
	})
	if err != nil || strings.Join(got, ",") != "b,a,c" {
		t.Errorf("Each = %v, %v", got, err)
	}

	stop := errors.New("stop")
	calls := 0
	err = d.Each(ctx, func(*postmortem.Postmortem) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Each stop = %v after %d calls", err, calls)
	}
}
