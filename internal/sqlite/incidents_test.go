package sqlite

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// incident builds a document for the incident list tests.
func incident(id, date, status, severity string, tags []string, items ...postmortem.ActionItem) *postmortem.Postmortem {
	p := doc("pm/"+id+".md", id, items...)
	p.Date, p.Status, p.Severity, p.Tags = date, status, severity, tags
	setSource(p, "pm/"+id+".md")
	return p
}

// incidentIDs lists the ids of incidents.
func incidentIDs(rows []postmortem.Incident) string {
	var out []string
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return strings.Join(out, " ")
}

// incidentFixture stores four postmortems and a person with an alias.
func incidentFixture(t *testing.T) *DB {
	t.Helper()
	d := openTest(t)
	a := incident("a", "2023-05-01", "final", "SEV1", []string{"Database", "checkout"},
		item("Add alerting on pool saturation", "Ana", "open", ""),
		item("Raise the pool size", "Bo", "done", ""))
	a.Timeline = []postmortem.TimelineEntry{
		{At: "2023-05-01T10:00", Text: "Deploy of the pool change"},
		{At: "2023-05-01T10:12", Text: "Alert fired for checkout latency"},
		{At: "2023-05-01T11:30", Text: "Service recovered after rollback"},
	}
	a.Summary = "The kafka consumer lag grew until checkout timed out."
	setSource(a, "pm/a.md")
	b := incident("b", "2024-02-10", "draft", "SEV2", []string{"dns"},
		item("Pin the resolver version", "Lucía Ferreyra", "done", ""))
	c := incident("c", "2024-07-20", "Final", "sev2", nil)
	c.Summary = "Kafka brokers ran out of disk."
	setSource(c, "pm/c.md")
	dd := incident("d", "2022-01-01", "review", "SEV3", []string{"database", " "},
		item("Document the failover", "@lucia ferreyra", "in_progress", ""))
	save(t, d, a, b, c, dd)
	if err := d.CreatePerson(context.Background(), &postmortem.Member{Name: "Lucia Ferreyra", Aliases: []string{"Lu F"}, Active: true}); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestListIncidentsFilters(t *testing.T) {
	ctx := context.Background()
	d := incidentFixture(t)
	for _, tc := range []struct {
		name string
		f    postmortem.IncidentFilter
		want string
	}{
		{"all, newest first", postmortem.IncidentFilter{}, "c b a d"},
		{"year", postmortem.IncidentFilter{Year: 2024}, "c b"},
		{"status without case", postmortem.IncidentFilter{Status: "final"}, "c a"},
		{"severity without case", postmortem.IncidentFilter{Severity: "SEV2"}, "c b"},
		{"tag without case", postmortem.IncidentFilter{Tag: "DATABASE"}, "a d"},
		{"owner by key", postmortem.IncidentFilter{Owner: "LUCIA ferreyra"}, "b d"},
		{"owner by a person's alias", postmortem.IncidentFilter{Owner: "lu f"}, "b d"},
		{"owner without person", postmortem.IncidentFilter{Owner: "ana"}, "a"},
		{"has open items", postmortem.IncidentFilter{HasOpen: true}, "a d"},
		{"year and status", postmortem.IncidentFilter{Year: 2024, Status: "FINAL"}, "c"},
		{"nothing matches", postmortem.IncidentFilter{Year: 2019}, ""},
		{"search", postmortem.IncidentFilter{Query: "kafka"}, "c a"},
		{"search and filter", postmortem.IncidentFilter{Query: "kafka", HasOpen: true}, "a"},
		{"search and year", postmortem.IncidentFilter{Query: "kafka", Year: 2024}, "c"},
		{"search for nothing searchable", postmortem.IncidentFilter{Query: "!!! ??"}, ""},
	} {
		rows, next, err := d.ListIncidents(ctx, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := incidentIDs(rows); got != tc.want || next != "" {
			t.Errorf("%s: got %q next %q, want %q", tc.name, got, next, tc.want)
		}
	}

	rows, _, err := d.ListIncidents(ctx, postmortem.IncidentFilter{Year: 2023})
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows = %+v, %v", rows, err)
	}
	a := rows[0]
	if a.Title != "Incident a" || a.Date != "2023-05-01" || a.Status != "final" || a.Severity != "SEV1" ||
		a.OpenItems != 1 || a.TotalItems != 2 || a.DetectMinutes != 12 || a.ResolveMinutes != 90 || a.Snippet != "" {
		t.Errorf("row = %+v", a)
	}
	rows, _, _ = d.ListIncidents(ctx, postmortem.IncidentFilter{Year: 2024, Status: "draft"})
	if len(rows) != 1 || rows[0].DetectMinutes != -1 || rows[0].ResolveMinutes != -1 {
		t.Errorf("durations without a timeline to read = %+v", rows)
	}
}

func TestListIncidentsOwnerFollowsEdits(t *testing.T) {
	ctx := context.Background()
	d := incidentFixture(t)
	items, err := d.ItemsOf(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.EditItem(ctx, items[1].ID, ItemEdit{Owner: ptr("Cy Twombly")}, "ana"); err != nil {
		t.Fatal(err)
	}
	for owner, want := range map[string]string{"cy twombly": "a", "bo": ""} {
		rows, _, err := d.ListIncidents(ctx, postmortem.IncidentFilter{Owner: owner})
		if err != nil || incidentIDs(rows) != want {
			t.Errorf("owner %q: %q, %v; want %q", owner, incidentIDs(rows), err, want)
		}
	}
}

func TestListIncidentsSnippet(t *testing.T) {
	ctx := context.Background()
	d := incidentFixture(t)
	rows, _, err := d.ListIncidents(ctx, postmortem.IncidentFilter{Query: "kafka consumer"})
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows = %+v, %v", rows, err)
	}
	s := rows[0].Snippet
	if !strings.Contains(s, MarkStart+"kafka"+MarkEnd) || !strings.Contains(s, MarkStart+"consumer"+MarkEnd) {
		t.Errorf("snippet %q lacks marked hits", s)
	}
	rows, _, _ = d.ListIncidents(ctx, postmortem.IncidentFilter{Query: "Kafka"})
	for _, r := range rows {
		if !strings.Contains(strings.ToLower(r.Snippet), MarkStart+"kafka"+MarkEnd) {
			t.Errorf("%s: snippet %q", r.ID, r.Snippet)
		}
	}
}

func TestListIncidentsPages(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	var docs []*postmortem.Postmortem
	var want []string
	for i := 0; i < 23; i++ {
		// Several documents share a date, so the id decides among them.
		id := fmt.Sprintf("pm-%02d", (i*7)%23)
		date := fmt.Sprintf("2024-01-%02d", 1+i/4)
		docs = append(docs, incident(id, date, "final", "SEV2", nil, item("Fix "+id, "Ana", "open", "")))
		want = append(want, date+" "+id)
	}
	save(t, d, docs...)
	sort.Sort(sort.Reverse(sort.StringSlice(want)))

	for _, limit := range []int{1, 4, 22, 23, 50} {
		var got []string
		f := postmortem.IncidentFilter{Limit: limit}
		for pages := 0; ; pages++ {
			rows, next, err := d.ListIncidents(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) > limit || (next != "" && len(rows) != limit) {
				t.Fatalf("limit %d: page of %d, next %q", limit, len(rows), next)
			}
			for _, r := range rows {
				got = append(got, r.Date+" "+r.ID)
			}
			if next == "" {
				break
			}
			if pages > 30 {
				t.Fatal("pages do not end")
			}
			f.After = next
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("limit %d:\n got %v\nwant %v", limit, got, want)
		}
	}

	// Pages of a filtered list stay within the filter.
	f := postmortem.IncidentFilter{Query: "fix", Limit: 5, Year: 2024}
	n := 0
	for {
		rows, next, err := d.ListIncidents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		n += len(rows)
		if next == "" {
			break
		}
		f.After = next
	}
	if n != 23 {
		t.Errorf("search pages listed %d", n)
	}

	_, _, err := d.ListIncidents(ctx, postmortem.IncidentFilter{After: "not-a-cursor"})
	if postmortem.ErrorCode(err) != postmortem.EInvalid {
		t.Errorf("bad cursor err = %v", err)
	}
	_, next, _ := d.ListItems(ctx, postmortem.ItemFilter{Limit: 1})
	if _, _, err := d.ListIncidents(ctx, postmortem.IncidentFilter{After: next}); postmortem.ErrorCode(err) != postmortem.EInvalid {
		t.Errorf("item cursor on incidents err = %v", err)
	}
}

func TestPageSize(t *testing.T) {
	for _, tc := range [][2]int{{0, 50}, {-3, 50}, {1, 1}, {200, 200}, {201, 200}, {10000, 200}} {
		if got := pageSize(tc[0], DefaultIncidentLimit, MaxIncidentLimit); got != tc[1] {
			t.Errorf("pageSize(%d) = %d, want %d", tc[0], got, tc[1])
		}
	}
}

func TestFacets(t *testing.T) {
	ctx := context.Background()
	d := incidentFixture(t)
	f, err := d.Facets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(f.Years, f.Statuses, f.Severities, f.Tags, f.Owners)
	// One spelling per value, the most used; a tie goes to lower case.
	want := "[2024 2023 2022] [draft final review] [SEV1 sev2 SEV3] [checkout Database dns] [Ana Bo Lucia Ferreyra]"
	if got != want {
		t.Errorf("facets = %s\n      want %s", got, want)
	}
}

func TestTagsAndDurationsFollowSaves(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	p := incident("a", "2024-01-01", "final", "SEV2", []string{"dns", "edge"})
	save(t, d, p)
	p = incident("a", "2024-01-01", "final", "SEV2", []string{"DNS", "cdn", "cdn"})
	p.Summary = "edited"
	p.Timeline = []postmortem.TimelineEntry{
		{At: "2024-01-01T08:00", Text: "Deploy"},
		{At: "2024-01-01T08:30", Text: "Paged the on-call"},
	}
	setSource(p, "pm/a.md")
	save(t, d, p)
	f, err := d.Facets(ctx)
	if err != nil || strings.Join(f.Tags, ",") != "cdn,DNS" {
		t.Errorf("tags = %q, %v", f.Tags, err)
	}
	rows, _, _ := d.ListIncidents(ctx, postmortem.IncidentFilter{Tag: "edge"})
	if len(rows) != 0 {
		t.Errorf("a dropped tag still matches")
	}
	rows, _, _ = d.ListIncidents(ctx, postmortem.IncidentFilter{Tag: "dns"})
	if len(rows) != 1 || rows[0].DetectMinutes != 30 || rows[0].ResolveMinutes != -1 {
		t.Errorf("rows = %+v", rows)
	}

	// A changed id carries the tags along.
	p = incident("b", "2024-01-01", "final", "SEV2", []string{"DNS", "cdn"})
	setSource(p, "pm/a.md")
	save(t, d, p)
	if rows, _, _ := d.ListIncidents(ctx, postmortem.IncidentFilter{Tag: "cdn"}); incidentIDs(rows) != "b" {
		t.Errorf("after rename = %q", incidentIDs(rows))
	}
}
