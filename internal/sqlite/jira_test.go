package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

func TestJiraState(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	linked := item("Finish the migration", "", "open", "OPS-1")
	linked.JiraKeys = []string{"OPS-1", "OPS-2"}
	save(t, d, doc("a.md", "a", item("Rotate keys", "", "open", ""), linked, item("Old", "", "done", "")))

	pending, err := d.JiraPending(ctx, false)
	if err != nil || len(pending) != 2 {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	create, link := pending[0], pending[1]
	if len(create.DocKeys) != 0 || len(link.DocKeys) != 2 || link.DocKeys[1] != "OPS-2" {
		t.Fatalf("doc keys: %q %q", create.DocKeys, link.DocKeys)
	}

	if err := d.BeginJiraCreate(ctx, create.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := d.LinkJira(ctx, link.ID, link.DocKeys); err != nil {
		t.Fatal(err)
	}
	pending, _ = d.JiraPending(ctx, false)
	if len(pending) != 1 || pending[0].State != postmortem.JiraCreating || pending[0].AttemptAt == "" {
		t.Fatalf("after begin: %+v", pending)
	}
	if err := d.SaveJiraCreated(ctx, create.ID, postmortem.JiraIssue{ID: "10005", Key: "OPS-5", Category: "new"}, "fp", postmortem.FlagOwnerLeft); err != nil {
		t.Fatal(err)
	}
	if pending, _ = d.JiraPending(ctx, true); len(pending) != 0 {
		t.Fatalf("still pending: %+v", pending)
	}

	// Two issues: in progress until both are done.
	changed, err := d.ApplyJira(ctx, []postmortem.JiraIssue{
		{ID: "1", Key: "OPS-1", Category: "done", Status: "Done"},
		{ID: "2", Key: "OPS-2", Category: "indeterminate", Status: "In Review", AssigneeName: "Ann"},
		{ID: "10005", Key: "OPS-5", Category: "new", Status: "To Do"},
	}, nil)
	if err != nil || len(changed) != 1 || changed[0] != link.ID {
		t.Fatalf("apply: %v %v", changed, err)
	}
	got, _ := d.GetItem(ctx, link.ID)
	if got.Status != postmortem.StatusInProgress || got.JiraStatus != "OPS-1: Done, OPS-2: In Review" {
		t.Errorf("linked item: %s %q", got.Status, got.JiraStatus)
	}
	d.ApplyJira(ctx, []postmortem.JiraIssue{{ID: "2", Key: "OPS-2", Category: "done", Status: "Done"}}, nil)
	if got, _ := d.GetItem(ctx, link.ID); got.Status != postmortem.StatusDone {
		t.Errorf("both done: %s", got.Status)
	}

	// A deleted issue flags the item, and its return clears the flag.
	d.ApplyJira(ctx, nil, []string{"OPS-5"})
	linkedNow, _ := d.JiraLinked(ctx)
	if linkedNow[0].ID != create.ID || linkedNow[0].Flag != postmortem.FlagUnreachable || !linkedNow[0].Links[0].Unreachable {
		t.Errorf("unreachable: %+v", linkedNow[0])
	}
	d.ApplyJira(ctx, []postmortem.JiraIssue{{ID: "10005", Key: "OPS-5", Category: "new", Status: "To Do"}}, nil)
	if linkedNow, _ = d.JiraLinked(ctx); linkedNow[0].Flag != "" {
		t.Errorf("flag kept: %+v", linkedNow[0])
	}
	hist, _ := d.History(ctx, link.ID)
	found := false
	for _, e := range hist {
		found = found || e.Actor == "jira" && e.Field == "status" && e.New == "done"
	}
	if !found {
		t.Errorf("no jira status event: %+v", hist)
	}
}

func TestJiraBookkeeping(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	if seen, err := d.SeenJiraDelivery(ctx, "d-1"); err != nil || seen {
		t.Errorf("first delivery: %v %v", seen, err)
	}
	if seen, _ := d.SeenJiraDelivery(ctx, "d-1"); !seen {
		t.Error("repeated delivery not seen")
	}

	start := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	if err := d.SaveJiraCursor(ctx, start, true); err != nil {
		t.Fatal(err)
	}
	d.SaveJiraCursor(ctx, start.Add(time.Hour), false)
	last, full, err := d.JiraCursor(ctx)
	if err != nil || !last.Equal(start.Add(time.Hour)) || !full.Equal(start) {
		t.Errorf("cursor %v %v %v", last, full, err)
	}

	m := postmortem.Member{Name: "Edward Barclay", Email: "edward@example.com", Active: true}
	if err := d.CreatePerson(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if err := d.SaveJiraAccount(ctx, m.ID, m.Email, "acc-1", false); err != nil {
		t.Fatal(err)
	}
	if p, _ := d.GetPerson(ctx, m.ID); p.JiraAccountID != "acc-1" {
		t.Errorf("not stored on the person: %+v", p)
	}
	d.SaveJiraAccount(ctx, 0, "nobody@example.com", "", false)
	if acc, _, ok, _ := d.JiraAccount(ctx, "NOBODY@example.com"); !ok || acc != "" {
		t.Errorf("miss not remembered: %q %v", acc, ok)
	}
}
