package sqlite

import (
	"context"
	"testing"
)

// TestExportCarriesEdits checks that Get (and so the JSON export) shows an
// owner reassigned and a due date edited in Hindsight next to what the
// document says.
func TestExportCarriesEdits(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	save(t, d, doc("/pm/a.md", "a", item("Rotate the keys", "Ana Lima", "open", "")))
	p := get(t, d, "a")
	id := p.ActionItems[0].Tracking.ID
	if _, err := d.EditItem(ctx, id, ItemEdit{Owner: ptr("Bo Stone"), Due: ptr("2030-01-31")}, "ana"); err != nil {
		t.Fatal(err)
	}
	it := get(t, d, "a").ActionItems[0]
	if it.Owner == nil || it.Owner.Name != "Ana Lima" {
		t.Errorf("the document's owner must stay: %+v", it.Owner)
	}
	if it.Tracking.Owner == nil || it.Tracking.Owner.Name != "Bo Stone" || it.Tracking.Due != "2030-01-31" {
		t.Errorf("tracking = %+v", it.Tracking)
	}
}
