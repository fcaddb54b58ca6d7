package sqlite

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

func TestSaveUnchanged(t *testing.T) {
	d := openTest(t)
	p := doc("pm/a.md", "a", item("Add alerting", "Ana", "open", "OPS-1"))
	res := save(t, d, p)
	if res[0].Outcome != postmortem.Imported || res[0].ID != "a" || res[0].Path != "pm/a.md" {
		t.Fatalf("first save = %+v", res[0])
	}
	before := get(t, d, "a")

	res = save(t, d, doc("pm/a.md", "a", item("Add alerting", "Ana", "open", "OPS-1")))
	if res[0].Outcome != postmortem.Unchanged || res[0].ID != "a" {
		t.Fatalf("second save = %+v", res[0])
	}
	after := get(t, d, "a")
	if after.Source.UpdatedAt != before.Source.UpdatedAt {
		t.Error("unchanged save touched the row")
	}

	// The same bytes under a newer parser are re-imported.
	res, err := d.Save(context.Background(), []*postmortem.Postmortem{p}, 2)
	if err != nil || res[0].Outcome != postmortem.Updated {
		t.Fatalf("save with parser 2 = %+v, %v", res, err)
	}
}

func TestSaveRoundTrip(t *testing.T) {
	d := openTest(t)
	p := doc("pm/a.md", "a",
		item("Add alerting on queue depth", "Ana", "open", "OPS-1"),
		item("Write runbook", "", "done", ""))
	p.ActionItems[0].Owners = []postmortem.Person{{Name: "Ana"}, {Name: "Bo", Annotation: "Deactivated"}}
	p.ActionItems[0].Line = 42
	p.Warnings = []postmortem.Warning{{Line: 3, Message: "guessed the date"}}
	save(t, d, p)

	got := get(t, d, "a")
	if got.Title != p.Title || got.Summary != p.Summary || len(got.Timeline) != 1 || len(got.Warnings) != 1 {
		t.Errorf("fields lost: %+v", got)
	}
	if got.Source.Path != "pm/a.md" || got.Source.Hash != p.Source.Hash || got.Source.Text != "" ||
		got.Source.ImportedAt == "" || got.Source.Missing {
		t.Errorf("source = %+v", got.Source)
	}
	if len(got.ActionItems) != 2 {
		t.Fatalf("items = %+v", got.ActionItems)
	}
	a := got.ActionItems[0]
	if a.Text != "Add alerting on queue depth" || a.Line != 42 || len(a.Owners) != 2 || a.Tracking == nil ||
		a.Tracking.ID == 0 || a.Tracking.Status != "open" || a.Tracking.JiraKey != "OPS-1" || a.Tracking.CreatedAt == "" {
		t.Errorf("item 0 = %+v tracking %+v", a, a.Tracking)
	}
	if b := got.ActionItems[1]; b.Owner != nil || b.Tracking.Status != "done" {
		t.Errorf("item 1 = %+v tracking %+v", b, b.Tracking)
	}
	if p.ActionItems[0].Tracking != nil || p.ID != "a" || len(p.Warnings) != 1 {
		t.Error("Save modified its input")
	}

	path, text, err := d.SourceText(context.Background(), "a")
	if err != nil || path != "pm/a.md" || text != p.Source.Text {
		t.Errorf("SourceText = %q, %q, %v", path, text, err)
	}
	if _, err := d.Get(context.Background(), "nope"); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("Get(nope) err = %v", err)
	}
	if _, _, err := d.SourceText(context.Background(), "nope"); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("SourceText(nope) err = %v", err)
	}
}

func TestEditedItemKeepsTracking(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	save(t, d, doc("a.md", "a",
		item("Add alerting on queue depth for the billing workers", "Ana", "open", ""),
		item("Write a runbook for failover", "Bo", "open", "OPS-7")))
	items := get(t, d, "a").ActionItems
	alerting, runbook := items[0].Tracking.ID, items[1].Tracking.ID

	err := d.UpdateItem(ctx, alerting, ItemUpdate{Status: ptr("in_progress"), JiraKey: ptr("OPS-9"), Note: ptr("half done")}, "ana@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.UpdateItem(ctx, alerting, ItemUpdate{Status: ptr("bogus")}, "x"); postmortem.ErrorCode(err) != postmortem.EInvalid {
		t.Errorf("bad status err = %v", err)
	}
	if err := d.UpdateItem(ctx, 9999, ItemUpdate{Note: ptr("x")}, "x"); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("unknown item err = %v", err)
	}

	// Reworded, reordered, punctuation changed; a new item added.
	res := save(t, d, doc("a.md", "a",
		item("Write a run-book for fail over!", "Bo", "open", "OPS-7"),
		item("Add alerting on queue depth for billing workers and the API", "Ana", "open", ""),
		item("Buy more disks", "Cy", "open", "")))
	if res[0].Outcome != postmortem.Updated {
		t.Fatalf("outcome = %s", res[0].Outcome)
	}
	items = get(t, d, "a").ActionItems
	if len(items) != 3 {
		t.Fatalf("items = %d", len(items))
	}
	if items[0].Tracking.ID != runbook || items[1].Tracking.ID != alerting {
		t.Fatalf("ids = %d %d, want %d %d", items[0].Tracking.ID, items[1].Tracking.ID, runbook, alerting)
	}
	tr := items[1].Tracking
	if tr.Status != "in_progress" || tr.JiraKey != "OPS-9" || tr.Note != "half done" {
		t.Errorf("tracking lost: %+v", tr)
	}
	if items[1].Text != "Add alerting on queue depth for billing workers and the API" {
		t.Errorf("text not updated: %q", items[1].Text)
	}
	if items[2].Tracking.ID == alerting || items[2].Tracking.ID == runbook {
		t.Error("new item reused an id")
	}

	// The document's status changes: tracking follows it.
	save(t, d, doc("a.md", "a",
		item("Write a run-book for fail over!", "Bo", "done", "OPS-7"),
		item("Add alerting on queue depth for billing workers and the API", "Ana", "open", ""),
		item("Buy more disks", "Cy", "open", "")))
	items = get(t, d, "a").ActionItems
	if items[0].Tracking.Status != "done" || items[1].Tracking.Status != "in_progress" {
		t.Errorf("statuses = %s %s", items[0].Tracking.Status, items[1].Tracking.Status)
	}

	hist, err := d.History(ctx, alerting)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range hist {
		got = append(got, e.Actor+":"+e.Field)
	}
	want := "ana@example.com:status ana@example.com:jira_key ana@example.com:note import:text"
	if strings.Join(got, " ") != want {
		t.Errorf("history = %s\nwant      %s", strings.Join(got, " "), want)
	}
	hist, _ = d.History(ctx, runbook)
	if last := hist[len(hist)-1]; last.Field != "status" || last.Old != "open" || last.New != "done" {
		t.Errorf("runbook history = %+v", hist)
	}
}

func TestRemovedItemKeptAndRestored(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	full := func() *postmortem.Postmortem {
		return doc("a.md", "a",
			item("Rotate the credentials", "Ana", "open", ""),
			item("Patch the kernel on every host", "Bo", "open", ""))
	}
	save(t, d, full())
	kernel := get(t, d, "a").ActionItems[1].Tracking.ID
	if err := d.UpdateItem(ctx, kernel, ItemUpdate{Note: ptr("scheduled")}, "bo"); err != nil {
		t.Fatal(err)
	}

	save(t, d, doc("a.md", "a", item("Rotate the credentials", "Ana", "open", "")))
	p := get(t, d, "a")
	if len(p.ActionItems) != 1 {
		t.Fatalf("Get lists removed item: %+v", p.ActionItems)
	}
	if _, items, _ := d.Counts(ctx); items != 1 {
		t.Errorf("Counts items = %d", items)
	}
	var exported *postmortem.Postmortem
	d.Each(ctx, func(p *postmortem.Postmortem) error { exported = p; return nil })
	if len(exported.ActionItems) != 2 {
		t.Fatalf("export items = %d", len(exported.ActionItems))
	}
	rm := exported.ActionItems[1]
	if rm.Tracking.ID != kernel || !rm.Tracking.Removed || rm.Tracking.RemovedAt == "" || rm.Text != "Patch the kernel on every host" ||
		rm.Owner == nil || rm.Owner.Name != "Bo" || rm.Tracking.Note != "scheduled" {
		t.Errorf("removed item = %+v tracking %+v", rm, rm.Tracking)
	}

	save(t, d, full())
	p = get(t, d, "a")
	if len(p.ActionItems) != 2 || p.ActionItems[1].Tracking.ID != kernel || p.ActionItems[1].Tracking.Removed ||
		p.ActionItems[1].Tracking.Note != "scheduled" {
		t.Fatalf("not restored: %+v", p.ActionItems[1].Tracking)
	}
	hist, _ := d.History(ctx, kernel)
	var fields []string
	for _, e := range hist {
		fields = append(fields, e.Field)
	}
	if strings.Join(fields, " ") != "note removed restored" {
		t.Errorf("history = %v", fields)
	}
}

func TestDuplicateIDs(t *testing.T) {
	d := openTest(t)
	res := save(t, d, doc("team1/outage.md", "outage"), doc("team2/outage.md", "outage"))
	if res[0].ID != "outage" || res[1].ID != "outage-2" || res[1].Outcome != postmortem.Imported {
		t.Fatalf("results = %+v", res)
	}
	if len(res[0].Warnings) != 0 || len(res[1].Warnings) != 1 || res[1].Warnings[0].Line != 1 ||
		!strings.Contains(res[1].Warnings[0].Message, "team1/outage.md") {
		t.Fatalf("warnings = %+v / %+v", res[0].Warnings, res[1].Warnings)
	}
	p := get(t, d, "outage-2")
	if p.Source.Path != "team2/outage.md" || p.ID != "outage-2" || len(p.Warnings) != 1 {
		t.Errorf("stored = %+v", p)
	}
	res = save(t, d, doc("team3/outage.md", "outage"))
	if res[0].ID != "outage-3" {
		t.Errorf("third id = %s", res[0].ID)
	}

	// A re-import that asks for a taken id keeps its own.
	q := doc("team2/outage.md", "outage")
	q.Summary = "edited"
	setSource(q, "team2/outage.md")
	res = save(t, d, q)
	if res[0].ID != "outage-2" || res[0].Outcome != postmortem.Updated || len(res[0].Warnings) != 1 {
		t.Errorf("re-import = %+v", res[0])
	}
}

func TestChangedIDCascades(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	save(t, d, doc("a.md", "old-name", item("Fix it", "Ana", "open", "")))
	itemID := get(t, d, "old-name").ActionItems[0].Tracking.ID
	d.UpdateItem(ctx, itemID, ItemUpdate{Note: ptr("keep me")}, "ana")

	res := save(t, d, doc("a.md", "new-name", item("Fix it", "Ana", "open", "")))
	if res[0].ID != "new-name" || res[0].Outcome != postmortem.Updated {
		t.Fatalf("result = %+v", res[0])
	}
	if _, err := d.Get(ctx, "old-name"); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("old id still there: %v", err)
	}
	p := get(t, d, "new-name")
	if len(p.ActionItems) != 1 || p.ActionItems[0].Tracking.ID != itemID || p.ActionItems[0].Tracking.Note != "keep me" {
		t.Errorf("items after rename = %+v", p.ActionItems)
	}
	if l, _ := d.List(ctx, ListOptions{Query: "Alert"}); len(l) != 1 || l[0].ID != "new-name" {
		t.Errorf("search after rename = %+v", l)
	}
}

func TestSaveSamePathTwiceInBatch(t *testing.T) {
	d := openTest(t)
	a := doc("a.md", "a")
	b := doc("a.md", "a", item("Later edit", "", "open", ""))
	res := save(t, d, a, b)
	if res[0].Outcome != postmortem.Imported || res[1].Outcome != postmortem.Updated || res[1].ID != "a" {
		t.Errorf("results = %+v", res)
	}
}

func TestSaveInvalid(t *testing.T) {
	d := openTest(t)
	good := doc("good.md", "good")
	_, err := d.Save(context.Background(), []*postmortem.Postmortem{good, {ID: "x"}}, 1)
	if postmortem.ErrorCode(err) != postmortem.EInvalid {
		t.Fatalf("err = %v", err)
	}
	if n, _, _ := d.Counts(context.Background()); n != 0 {
		t.Error("a failed batch stored something")
	}
}

func TestMissingAgainSaved(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	save(t, d, doc("root/a.md", "a"), doc("root/sub/b.md", "b"), doc("rootless/c.md", "c"), doc("other/d.md", "d"))

	gone, err := d.MarkMissing(ctx, "root/", map[string]bool{"root/a.md": true})
	if err != nil || strings.Join(gone, ",") != "root/sub/b.md" {
		t.Fatalf("MarkMissing = %v, %v", gone, err)
	}
	if !get(t, d, "b").Source.Missing || get(t, d, "c").Source.Missing {
		t.Error("wrong documents marked")
	}
	known, _ := d.Hashes(ctx)
	if !known["root/sub/b.md"].Missing || known["root/a.md"].Missing || known["root/a.md"].ParserVersion != 1 {
		t.Errorf("Hashes = %+v", known)
	}
	// Marking again reports nothing new and deletes nothing.
	if gone, _ := d.MarkMissing(ctx, "root", nil); strings.Join(gone, ",") != "root/a.md" {
		t.Errorf("second MarkMissing = %v", gone)
	}
	if n, _, _ := d.Counts(ctx); n != 4 {
		t.Errorf("docs = %d", n)
	}
	l, _ := d.List(ctx, ListOptions{})
	for _, s := range l {
		if s.Missing != (s.ID == "a" || s.ID == "b") {
			t.Errorf("summary %s missing = %v", s.ID, s.Missing)
		}
	}

	// An unchanged save brings a document back; so does a scan that sees it.
	if res := save(t, d, doc("root/sub/b.md", "b")); res[0].Outcome != postmortem.Unchanged {
		t.Errorf("outcome = %s", res[0].Outcome)
	}
	if get(t, d, "b").Source.Missing {
		t.Error("b still missing after save")
	}
	if gone, _ := d.MarkMissing(ctx, "root", map[string]bool{"root/a.md": true, "root/sub/b.md": true}); len(gone) != 0 {
		t.Errorf("gone = %v", gone)
	}
	if get(t, d, "a").Source.Missing {
		t.Error("a still missing after scan saw it")
	}
}

func TestConcurrentSave(t *testing.T) {
	d := openTest(t)
	var docs []*postmortem.Postmortem
	for i := 0; i < 50; i++ {
		docs = append(docs, doc(fmt.Sprintf("pm/%02d.md", i), "same-id", item("Do a thing", "", "open", "")))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := d.Save(context.Background(), docs, 1)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	n, items, _ := d.Counts(context.Background())
	if n != 50 || items != 50 {
		t.Errorf("docs, items = %d, %d; want 50, 50", n, items)
	}
	l, _ := d.List(context.Background(), ListOptions{})
	seen := map[string]bool{}
	for _, s := range l {
		if seen[s.ID] {
			t.Errorf("duplicate id %s", s.ID)
		}
		seen[s.ID] = true
	}
}
