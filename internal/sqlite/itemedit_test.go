package sqlite

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// events lists an item's history as actor:field:old>new.
func events(t *testing.T, d *DB, id int64) string {
	t.Helper()
	hist, err := d.ItemHistory(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range hist {
		out = append(out, e.Actor+":"+e.Field+":"+e.Old+">"+e.New)
	}
	return strings.Join(out, " ")
}

func TestEditItemValidation(t *testing.T) {
	ctx := context.Background()
	d := itemFixture(t)
	items, _ := d.ItemsOf(ctx, "p1")
	id := items[0].ID
	for _, tc := range []struct {
		e     ItemEdit
		field string
	}{
		{ItemEdit{Status: ptr("bogus")}, "status"},
		{ItemEdit{Status: ptr("")}, "status"},
		{ItemEdit{Due: ptr("2024-13-01")}, "due"},
		{ItemEdit{Due: ptr("next week")}, "due"},
		{ItemEdit{Due: ptr("2024-2-1")}, "due"},
		{ItemEdit{Note: ptr(strings.Repeat("é", 4001))}, "note"},
		{ItemEdit{Owner: ptr(strings.Repeat("x", 201))}, "owner"},
		{ItemEdit{Status: ptr("done"), Due: ptr("soon")}, "due"},
	} {
		_, err := d.EditItem(ctx, id, tc.e, "ana")
		var pe *postmortem.Error
		if !errors.As(err, &pe) || pe.Code != postmortem.EInvalid || pe.Field != tc.field {
			t.Errorf("%+v: err = %v, want invalid %s", tc.e, err, tc.field)
		}
	}
	if _, err := d.EditItem(ctx, id, ItemEdit{Note: ptr(strings.Repeat("é", 4000)), Owner: ptr(strings.Repeat("ß", 200))}, "ana"); err != nil {
		t.Errorf("longest values: %v", err)
	}
	if got := events(t, d, id); strings.Count(got, "ana:") != 2 {
		t.Errorf("a refused edit changed something: %s", got)
	}
	if _, err := d.EditItem(ctx, 9999, ItemEdit{Note: ptr("x")}, "ana"); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("unknown item err = %v", err)
	}
	save(t, d, incident("p1", "2024-01-01", "final", "SEV2", nil, item("p1.3", "Edward Barclay", "done", "OPS-3")))
	if _, err := d.EditItem(ctx, id, ItemEdit{Note: ptr("x")}, "ana"); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("removed item err = %v", err)
	}
}

func TestEditItemHistory(t *testing.T) {
	ctx := context.Background()
	d := itemFixture(t)
	items, _ := d.ItemsOf(ctx, "p1")
	id := items[0].ID // p1.0, Ana Lima, open, due 2024-02-01

	note, status := "  waiting on the vendor ", "in_progress"
	it, err := d.EditItem(ctx, id, ItemEdit{Status: &status, Due: ptr("2024-04-30"), Note: &note}, "bo@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if it.Status != "in_progress" || it.Due != "2024-04-30" || it.Note != "waiting on the vendor" || it.DocStatus != "open" ||
		it.Owner == nil || it.Owner.Name != "Ana Lima" || it.Member == nil {
		t.Errorf("edited item = %+v", it)
	}
	if note != "  waiting on the vendor " {
		t.Error("EditItem changed the caller's string")
	}
	want := "bo@example.com:status:open>in_progress bo@example.com:due:2024-02-01>2024-04-30 " +
		"bo@example.com:note:>waiting on the vendor"
	if got := events(t, d, id); got != want {
		t.Errorf("history = %s\nwant      %s", got, want)
	}

	// The same values again, and an owner that is already the document's:
	// nothing to record.
	before := it.UpdatedAt
	it, err = d.EditItem(ctx, id, ItemEdit{Status: ptr("in_progress"), Due: ptr("2024-04-30"), Note: ptr("waiting on the vendor"), Owner: ptr("Ana Lima")}, "cy")
	if err != nil || it.UpdatedAt != before {
		t.Errorf("no-op edit: %+v, %v", it, err)
	}
	if got := events(t, d, id); got != want {
		t.Errorf("no-op edit recorded: %s", got)
	}
	// An empty actor is recorded as the web interface.
	if _, err := d.EditItem(ctx, id, ItemEdit{Due: ptr("")}, " "); err != nil {
		t.Fatal(err)
	}
	if got := events(t, d, id); !strings.HasSuffix(got, " web:due:2024-04-30>") {
		t.Errorf("history = %s", got)
	}
}

func TestEditItemOwnerOverride(t *testing.T) {
	ctx := context.Background()
	d := itemFixture(t)
	items, _ := d.ItemsOf(ctx, "p1")
	john := items[1].ID // John Simmons [Deactivated]

	it, err := d.EditItem(ctx, john, ItemEdit{Owner: ptr("@edward barclay"), Note: ptr("handed over")}, "ana")
	if err != nil {
		t.Fatal(err)
	}
	if it.Owner == nil || it.Owner.Name != "@edward barclay" || it.Owner.Annotation != "" ||
		it.Member == nil || it.Member.Name != "Edward Barclay" || it.OwnerLeft() {
		t.Errorf("overridden item = %+v owner %+v", it, it.Owner)
	}
	list, _, _ := d.ListItems(ctx, postmortem.ItemFilter{Owner: "Edward Barclay"})
	if texts(list) != "p1.1 p1.3" {
		t.Errorf("Edward's items = %s", texts(list))
	}
	if list, _, _ := d.ListItems(ctx, postmortem.ItemFilter{OwnerLeft: true}); texts(list) != "p2.1" {
		t.Errorf("owner left after handover = %s", texts(list))
	}

	// A re-import with reworded text and another owner in the document
	// keeps the override and the tracking.
	save(t, d, incident("p1", "2024-01-01", "final", "SEV2", nil,
		due(item("p1.0", "Ana Lima", "open", ""), "2024-02-01"),
		annotated(item("p1.1 (reworded)", "Jane Doe", "open", "OPS-1"), "Unlicensed"),
		due(item("p1.2", "", "in_progress", "OPS-2"), "2024-03-01"),
		item("p1.3", "Edward Barclay", "done", "OPS-3")))
	it, err = d.GetItem(ctx, john)
	if err != nil {
		t.Fatal(err)
	}
	if it.Text != "p1.1 (reworded)" || it.Owner.Name != "@edward barclay" || it.Owner.Annotation != "" ||
		it.Member == nil || it.Note != "handed over" {
		t.Errorf("after re-import = %+v owner %+v", it, it.Owner)
	}
	if list, _, _ := d.ListItems(ctx, postmortem.ItemFilter{Owner: "jane doe"}); len(list) != 0 {
		t.Errorf("the document's owner wins over the override: %s", texts(list))
	}

	// Back to the document's owner, annotation and all.
	it, err = d.EditItem(ctx, john, ItemEdit{ResetOwner: true, Owner: ptr("ignored")}, "ana")
	if err != nil {
		t.Fatal(err)
	}
	if it.Owner == nil || it.Owner.Name != "Jane Doe" || it.Owner.Annotation != "Unlicensed" || it.Member != nil || !it.OwnerLeft() {
		t.Errorf("reset owner = %+v", it.Owner)
	}
	if list, _, _ := d.ListItems(ctx, postmortem.ItemFilter{Owner: "jane doe"}); texts(list) != "p1.1 (reworded)" {
		t.Errorf("Jane's items = %s", texts(list))
	}
	want := "ana:owner:John Simmons>@edward barclay ana:note:>handed over " +
		"import:text:p1.1>p1.1 (reworded) ana:owner:@edward barclay>Jane Doe"
	if got := events(t, d, john); got != want {
		t.Errorf("history = %s\nwant      %s", got, want)
	}

	// Nobody: the item has no owner, and counts as orphaned.
	it, err = d.EditItem(ctx, john, ItemEdit{Owner: ptr("")}, "ana")
	if err != nil || it.Owner != nil || it.Member != nil {
		t.Fatalf("no owner = %+v, %v", it, err)
	}
	if list, _, _ := d.ListItems(ctx, postmortem.ItemFilter{NoOwner: true}); texts(list) != "p1.1 (reworded) p1.2" {
		t.Errorf("no owner list = %s", texts(list))
	}
	save(t, d, incident("p1", "2024-01-01", "final", "SEV2", nil,
		item("p1.1 (reworded)", "Jane Doe", "open", "OPS-1")))
	if it, _ := d.GetItem(ctx, john); it.Owner != nil {
		t.Errorf("re-import gave the item an owner again: %+v", it.Owner)
	}
}

func TestDueFollowsDocumentOnlyWhenItChanges(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	version := func(docDue, text string) *postmortem.Postmortem {
		return incident("a", "2024-01-01", "final", "SEV2", nil, due(item("Rotate the keys", "Ana", "open", ""), docDue),
			item(text, "Bo", "open", ""))
	}
	save(t, d, version("2024-05-01", "Write it down"))
	items, _ := d.ItemsOf(ctx, "a")
	id := items[0].ID
	if _, err := d.EditItem(ctx, id, ItemEdit{Due: ptr("2024-06-15")}, "ana"); err != nil {
		t.Fatal(err)
	}
	save(t, d, version("2024-05-01", "Write it all down"))
	if it, _ := d.GetItem(ctx, id); it.Due != "2024-06-15" {
		t.Errorf("re-import with the same due reset the edit: %s", it.Due)
	}
	save(t, d, version("2024-07-01", "Write it all down, now"))
	if it, _ := d.GetItem(ctx, id); it.Due != "2024-07-01" {
		t.Errorf("the document's new due date was not taken: %s", it.Due)
	}
	if got := events(t, d, id); got != "ana:due:2024-05-01>2024-06-15 import:due:2024-06-15>2024-07-01" {
		t.Errorf("history = %s", got)
	}
}
