package sqlite

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/migrations"
)

// TestMigrateWebBackfill upgrades a database written by the first schema:
// durations, tags, owner keys and due dates are filled in for what it
// holds.
func TestMigrateWebBackfill(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	all, err := migrations.All()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.apply(ctx, all[0]); err != nil {
		t.Fatal(err)
	}

	p := &postmortem.Postmortem{ID: "old", Title: "Old", Date: "2023-03-01", Tags: []string{"DNS", " ", "dns", "edge"},
		Timeline: []postmortem.TimelineEntry{
			{At: "2023-03-01T09:00", Text: "Outage begins"},
			{At: "2023-03-01T09:20", Text: "Customers report errors"},
			{At: "2023-03-01T10:05", Text: "Resolved by a restart"},
		}}
	b, _ := json.Marshal(p)
	_, err = d.db.ExecContext(ctx, `
		INSERT INTO postmortems (id, path, hash, parser_version, title, date, doc, source_text, imported_at, updated_at)
		VALUES ('old', 'old.md', 'h', 1, 'Old', '2023-03-01', ?, '', 'then', 'then')`, string(b))
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.db.ExecContext(ctx, `
		INSERT INTO action_items (postmortem_id, position, text, owner_name, status, due, created_at, updated_at)
		VALUES ('old', 0, 'Add a health check', '@Lucía  Ferreyra', 'open', '2023-04-01', 'then', 'then'),
			('old', 1, 'Nobody''s', '', 'open', '', 'then', 'then')`)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rows, _, err := d.ListIncidents(ctx, postmortem.IncidentFilter{Tag: "edge"})
	if err != nil || len(rows) != 1 || rows[0].DetectMinutes != 20 || rows[0].ResolveMinutes != 65 {
		t.Fatalf("incidents = %+v, %v", rows, err)
	}
	f, _ := d.Facets(ctx)
	if len(f.Tags) != 2 || f.Tags[0] != "DNS" || f.Tags[1] != "edge" {
		t.Errorf("tags = %q", f.Tags)
	}
	items, _, err := d.ListItems(ctx, postmortem.ItemFilter{Owner: "lucia ferreyra"})
	if err != nil || len(items) != 1 || items[0].Due != "2023-04-01" {
		t.Fatalf("items = %+v, %v", items, err)
	}
	if items, _, _ := d.ListItems(ctx, postmortem.ItemFilter{NoOwner: true}); len(items) != 1 {
		t.Errorf("no owner = %+v", items)
	}
	var docDue string
	d.db.QueryRowContext(ctx, `SELECT doc_due FROM action_items WHERE position = 0`).Scan(&docDue)
	if docDue != "2023-04-01" {
		t.Errorf("doc_due = %q", docDue)
	}
}
