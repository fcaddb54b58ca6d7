package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// due sets an item's due date.
func due(it postmortem.ActionItem, date string) postmortem.ActionItem {
	it.Due = date
	return it
}

// annotated sets the annotation of an item's owner.
func annotated(it postmortem.ActionItem, note string) postmortem.ActionItem {
	it.Owner.Annotation = note
	return it
}

// itemFixture stores two postmortems whose items cover every filter, and
// a directory with an active and an inactive person. Items are named by
// their text: p1.0 … p2.2.
var itemNow = time.Date(2024, 2, 10, 15, 0, 0, 0, time.UTC)

func itemFixture(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	d := openTest(t)
	p1 := incident("p1", "2024-01-01", "final", "SEV2", nil,
		due(item("p1.0", "Ana Lima", "open", ""), "2024-02-01"),
		annotated(item("p1.1", "John Simmons", "open", "OPS-1"), "Deactivated"),
		due(item("p1.2", "", "in_progress", "OPS-2"), "2024-03-01"),
		item("p1.3", "Edward Barclay", "done", "OPS-3"))
	p2 := incident("p2", "2024-02-01", "final", "SEV2", nil,
		due(item("p2.0", "ana lima", "in_progress", "OPS-4"), "2024-01-15"),
		item("p2.1", "Bo Chen", "open", ""),
		item("p2.2", "Zed", "wont_do", ""))
	save(t, d, p2, p1)
	for _, m := range []*postmortem.Member{
		{Name: "Ana Lima", Team: "payments", Email: "ana@example.com", Active: true},
		{Name: "Bo Chen", Team: "search", Active: false},
		{Name: "Edward Barclay", Team: "payments", Active: true},
	} {
		if err := d.CreatePerson(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// texts lists the texts of items.
func texts(items []postmortem.Item) string {
	var out []string
	for _, it := range items {
		out = append(out, it.Text)
	}
	return strings.Join(out, " ")
}

func TestListItemsFilters(t *testing.T) {
	ctx := context.Background()
	d := itemFixture(t)
	for _, tc := range []struct {
		name string
		f    postmortem.ItemFilter
		want string
	}{
		{"all by age", postmortem.ItemFilter{}, "p1.0 p1.1 p1.2 p1.3 p2.0 p2.1 p2.2"},
		{"owner as written", postmortem.ItemFilter{Owner: "ANA LIMA"}, "p1.0 p2.0"},
		{"owner handle", postmortem.ItemFilter{Owner: "@edward barclay"}, "p1.3"},
		{"owner nobody has", postmortem.ItemFilter{Owner: "Nobody"}, ""},
		{"team", postmortem.ItemFilter{Team: "payments"}, "p1.0 p1.3 p2.0"},
		{"status", postmortem.ItemFilter{Status: "done"}, "p1.3"},
		{"open only", postmortem.ItemFilter{OpenOnly: true}, "p1.0 p1.1 p1.2 p2.0 p2.1"},
		{"open only, status open", postmortem.ItemFilter{OpenOnly: true, Status: "open"}, "p1.0 p1.1 p1.2 p2.0 p2.1"},
		{"open only, in progress", postmortem.ItemFilter{OpenOnly: true, Status: "in_progress"}, "p1.2 p2.0"},
		{"overdue", postmortem.ItemFilter{Overdue: true, Now: itemNow}, "p1.0 p2.0"},
		{"overdue on the due date is not", postmortem.ItemFilter{Overdue: true, Now: time.Date(2024, 1, 15, 23, 0, 0, 0, time.UTC)}, ""},
		{"owner left", postmortem.ItemFilter{OwnerLeft: true}, "p1.1 p2.1"},
		{"no owner", postmortem.ItemFilter{NoOwner: true}, "p1.2"},
		{"no jira", postmortem.ItemFilter{NoJira: true}, "p1.0 p2.1 p2.2"},
		{"no jira, open, team", postmortem.ItemFilter{NoJira: true, OpenOnly: true, Team: "payments"}, "p1.0"},
		{"by due date", postmortem.ItemFilter{Sort: "due"}, "p2.0 p1.0 p1.2 p2.1 p2.2 p1.1 p1.3"},
		{"owner by due date", postmortem.ItemFilter{Owner: "ana lima", Sort: "due"}, "p2.0 p1.0"},
	} {
		items, next, err := d.ListItems(ctx, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := texts(items); got != tc.want || next != "" {
			t.Errorf("%s: got %q next %q, want %q", tc.name, got, next, tc.want)
		}
	}

	// The filters agree with the Item methods the pages use.
	all, _, _ := d.ListItems(ctx, postmortem.ItemFilter{})
	left, _, _ := d.ListItems(ctx, postmortem.ItemFilter{OwnerLeft: true})
	overdue, _, _ := d.ListItems(ctx, postmortem.ItemFilter{Overdue: true, Now: itemNow})
	for _, it := range all {
		if in := strings.Contains(texts(left), it.Text); in != it.OwnerLeft() {
			t.Errorf("%s: OwnerLeft() = %v, filter %v", it.Text, it.OwnerLeft(), in)
		}
		if in := strings.Contains(texts(overdue), it.Text); in != it.Overdue(itemNow) {
			t.Errorf("%s: Overdue() = %v, filter %v", it.Text, it.Overdue(itemNow), in)
		}
	}
	if _, _, err := d.ListItems(ctx, postmortem.ItemFilter{Sort: "owner"}); postmortem.ErrorCode(err) != postmortem.EInvalid {
		t.Errorf("bad sort err = %v", err)
	}
}

func TestListItemsFields(t *testing.T) {
	ctx := context.Background()
	d := itemFixture(t)
	items, _, err := d.ListItems(ctx, postmortem.ItemFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byText := map[string]postmortem.Item{}
	for _, it := range items {
		byText[it.Text] = it
	}
	a := byText["p2.0"]
	if a.PostmortemID != "p2" || a.PostmortemTitle != "Incident p2" || a.PostmortemDate != "2024-02-01" ||
		a.Position != 0 || a.Status != "in_progress" || a.DocStatus != "in_progress" || a.JiraKey != "OPS-4" ||
		a.Due != "2024-01-15" || a.CreatedAt == "" || a.Removed || a.Owner == nil || a.Owner.Name != "ana lima" {
		t.Errorf("item = %+v", a)
	}
	if m := a.Member; m == nil || m.Name != "Ana Lima" || m.Team != "payments" || !m.Active || m.Email != "ana@example.com" || m.ID == 0 {
		t.Errorf("member = %+v", a.Member)
	}
	if !a.Overdue(itemNow) || a.OwnerLeft() {
		t.Errorf("p2.0 overdue %v left %v", a.Overdue(itemNow), a.OwnerLeft())
	}
	john := byText["p1.1"]
	if john.Member != nil || john.Owner == nil || john.Owner.Annotation != "Deactivated" || !john.OwnerLeft() {
		t.Errorf("john = %+v", john)
	}
	if nobody := byText["p1.2"]; nobody.Owner != nil || nobody.Member != nil {
		t.Errorf("item without owner = %+v", nobody)
	}
	if bo := byText["p2.1"]; bo.Member == nil || bo.Member.Active || !bo.OwnerLeft() {
		t.Errorf("bo = %+v", bo)
	}
}

func TestListItemsPages(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	// Forty items over eight documents, two of them on the same date, with
	// due dates that repeat and items without one.
	var docs []*postmortem.Postmortem
	for n := 0; n < 8; n++ {
		var its []postmortem.ActionItem
		for i := 0; i < 5; i++ {
			it := item(fmt.Sprintf("d%d.%d", n, i), "Ana", "open", "")
			if (n+i)%3 != 0 {
				it.Due = fmt.Sprintf("2024-05-%02d", 1+(n*i)%4)
			}
			its = append(its, it)
		}
		docs = append(docs, incident(fmt.Sprintf("d%d", n), fmt.Sprintf("2024-01-%02d", 1+n/2*2), "final", "SEV2", nil, its...))
	}
	save(t, d, docs...)

	for _, sort := range []string{"age", "due"} {
		all, next, err := d.ListItems(ctx, postmortem.ItemFilter{Sort: sort, Limit: 500})
		if err != nil || next != "" || len(all) != 40 {
			t.Fatalf("%s: %d items, next %q, %v", sort, len(all), next, err)
		}
		for i := 1; i < len(all); i++ {
			a, b := all[i-1], all[i]
			var inOrder bool
			if sort == "age" {
				inOrder = a.PostmortemDate < b.PostmortemDate || a.PostmortemDate == b.PostmortemDate &&
					(a.PostmortemID < b.PostmortemID || a.PostmortemID == b.PostmortemID && a.Position < b.Position)
			} else {
				inOrder = a.Due != "" && (b.Due == "" || a.Due < b.Due) || a.Due == b.Due && a.ID < b.ID
			}
			if !inOrder {
				t.Errorf("%s: %s (%s %s) before %s (%s %s)", sort, a.Text, a.PostmortemDate, a.Due, b.Text, b.PostmortemDate, b.Due)
			}
		}
		for _, limit := range []int{1, 3, 7, 40} {
			var got []postmortem.Item
			f := postmortem.ItemFilter{Sort: sort, Limit: limit}
			for {
				page, next, err := d.ListItems(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > limit {
					t.Fatalf("%s limit %d: page of %d", sort, limit, len(page))
				}
				got = append(got, page...)
				if next == "" {
					break
				}
				f.After = next
			}
			if texts(got) != texts(all) {
				t.Errorf("%s limit %d:\n got %s\nwant %s", sort, limit, texts(got), texts(all))
			}
		}
	}
	_, next, _ := d.ListItems(ctx, postmortem.ItemFilter{Limit: 2})
	if _, _, err := d.ListItems(ctx, postmortem.ItemFilter{Sort: "due", After: next}); postmortem.ErrorCode(err) != postmortem.EInvalid {
		t.Errorf("age cursor on the due sort: %v", err)
	}
}

func TestItemCounts(t *testing.T) {
	d := itemFixture(t)
	open, overdue, orphaned, err := d.ItemCounts(context.Background(), itemNow)
	// Open: p1.0 p1.1 p1.2 p2.0 p2.1; overdue: p1.0 p2.0; orphaned: p1.2
	// (nobody), p1.1 (annotated, unmatched), p2.1 (inactive).
	if err != nil || open != 5 || overdue != 2 || orphaned != 3 {
		t.Errorf("ItemCounts = %d %d %d, %v", open, overdue, orphaned, err)
	}
}

func TestGetItemAndItemsOf(t *testing.T) {
	ctx := context.Background()
	d := itemFixture(t)
	items, err := d.ItemsOf(ctx, "p1")
	if err != nil || texts(items) != "p1.0 p1.1 p1.2 p1.3" {
		t.Fatalf("ItemsOf = %q, %v", texts(items), err)
	}
	if items[0].Member == nil || items[0].Member.Name != "Ana Lima" || items[3].Member == nil {
		t.Errorf("members = %+v / %+v", items[0].Member, items[3].Member)
	}
	it, err := d.GetItem(ctx, items[1].ID)
	if err != nil || it.Text != "p1.1" || it.PostmortemTitle != "Incident p1" {
		t.Errorf("GetItem = %+v, %v", it, err)
	}
	if _, err := d.GetItem(ctx, 9999); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("GetItem unknown = %v", err)
	}
	if _, err := d.ItemsOf(ctx, "nope"); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("ItemsOf unknown = %v", err)
	}
	if list, err := d.ItemsOf(ctx, "p2"); err != nil || len(list) != 3 {
		t.Errorf("ItemsOf p2 = %d, %v", len(list), err)
	}

	// An item the document drops is gone from lists but GetItem still
	// finds it, flagged.
	save(t, d, incident("p1", "2024-01-01", "final", "SEV2", nil, item("p1.0", "Ana Lima", "open", "")))
	if items, _ := d.ItemsOf(ctx, "p1"); texts(items) != "p1.0" {
		t.Errorf("after removal ItemsOf = %q", texts(items))
	}
	if it, err := d.GetItem(ctx, items[3].ID); err != nil || !it.Removed {
		t.Errorf("removed GetItem = %+v, %v", it, err)
	}
	hist, err := d.ItemHistory(ctx, items[3].ID)
	if err != nil || len(hist) != 1 || hist[0].Field != "removed" || hist[0].Actor != "import" {
		t.Errorf("history = %+v, %v", hist, err)
	}
	if _, err := d.ItemHistory(ctx, 9999); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("ItemHistory unknown = %v", err)
	}
}
