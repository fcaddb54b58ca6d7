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

// TestHistoryOf reads the histories of a postmortem's items in one call,
// the same events ItemHistory gives one item at a time.
func TestHistoryOf(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	save(t, d, doc("/pm/a.md", "a", item("One", "Ana Lima", "open", ""), item("Two", "Bo Stone", "open", "")),
		doc("/pm/b.md", "b", item("Other", "Ana Lima", "open", "")))
	a := get(t, d, "a")
	one, two := a.ActionItems[0].Tracking.ID, a.ActionItems[1].Tracking.ID
	other := get(t, d, "b").ActionItems[0].Tracking.ID
	for _, id := range []int64{one, other} {
		if _, err := d.EditItem(ctx, id, ItemEdit{Note: ptr("noted")}, "ana"); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.HistoryOf(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := d.ItemHistory(ctx, one)
	if len(got) != 1 || len(got[one]) != 1 || got[one][0] != want[0] || got[two] != nil {
		t.Errorf("HistoryOf(a) = %+v, want only item %d's %+v", got, one, want)
	}
}
