package sqlite

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// TestCachedReadsFollowChanges checks that the cached facets and item
// counts change as soon as the data does: after a save and an edit in this
// process, and after a save through another connection to the file, as
// `hindsight import` beside `serve` would make.
func TestCachedReadsFollowChanges(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	now := time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)
	a := doc("/pm/a.md", "2024-03-01-a", item("Fix the pager", "Ada Lovelace", "open", ""))
	a.Tags = []string{"pager"}
	save(t, d, a)

	facets := func() Facets {
		t.Helper()
		f, err := d.Facets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	counts := func() [3]int {
		t.Helper()
		open, overdue, orphaned, err := d.ItemCounts(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		return [3]int{open, overdue, orphaned}
	}
	if f := facets(); !slices.Equal(f.Tags, []string{"pager"}) || !slices.Equal(f.Owners, []string{"Ada Lovelace"}) {
		t.Fatalf("facets %+v", f)
	}
	if c := counts(); c != [3]int{1, 0, 0} {
		t.Fatalf("counts %v", c)
	}
	// A caller may change what it got without changing the next answer.
	f := facets()
	f.Tags[0] = "changed"
	if f := facets(); f.Tags[0] != "pager" {
		t.Errorf("a caller's change reached the cache: %q", f.Tags)
	}

	b := doc("/pm/b.md", "2024-04-01-b", item("Add a runbook", "", "open", ""))
	b.Tags = []string{"runbook"}
	save(t, d, b)
	if f := facets(); !slices.Equal(f.Tags, []string{"pager", "runbook"}) {
		t.Errorf("after a save, tags %q", f.Tags)
	}
	if c := counts(); c != [3]int{2, 0, 1} {
		t.Errorf("after a save, counts %v, want 2 open, 1 orphaned", c)
	}

	items, err := d.ItemsOf(ctx, "2024-03-01-a")
	if err != nil {
		t.Fatal(err)
	}
	done := postmortem.StatusDone
	if _, err := d.EditItem(ctx, items[0].ID, ItemEdit{Status: &done}, "test"); err != nil {
		t.Fatal(err)
	}
	if c := counts(); c != [3]int{1, 0, 1} {
		t.Errorf("after an edit, counts %v, want 1 open", c)
	}
	// Overdue is as of a day: the day is part of what is cached.
	late := doc("/pm/late.md", "2024-06-01-late", item("Renew the certificate", "Ada Lovelace", "open", ""))
	late.ActionItems[0].Due = "2025-01-15"
	save(t, d, late)
	if _, overdue, _, err := d.ItemCounts(ctx, now); err != nil || overdue != 0 {
		t.Errorf("due today is overdue already: %d, %v", overdue, err)
	}
	if _, overdue, _, err := d.ItemCounts(ctx, now.AddDate(0, 0, 1)); err != nil || overdue != 1 {
		t.Errorf("due yesterday: overdue %d, %v, want 1", overdue, err)
	}

	other, err := Open(ctx, d.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	c := doc("/pm/c.md", "2024-05-01-c", item("Rotate the keys", "Grace Hopper", "open", ""))
	c.Tags = []string{"keys"}
	save(t, other, c)
	if f := facets(); !slices.Equal(f.Tags, []string{"keys", "pager", "runbook"}) {
		t.Errorf("after another connection's save, tags %q", f.Tags)
	}
	if got := counts(); got != [3]int{3, 0, 1} {
		t.Errorf("after another connection's save, counts %v", got)
	}
}

// TestDataVersion checks that the data version stays while nothing is
// written and changes after a write of this DB's, after one through
// another handle on the file (another process), and after a write that
// touches the tracking state only.
func TestDataVersion(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	version := func() uint64 {
		t.Helper()
		v, err := d.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	save(t, d, doc("/pm/a.md", "2024-03-01-a", item("Fix the pager", "Ada Lovelace", "open", "")))
	v := version()
	if _, err := d.Facets(ctx); err != nil {
		t.Fatal(err)
	}
	if again := version(); again != v {
		t.Errorf("version moved without a write: %d, then %d", v, again)
	}

	items, err := d.ItemsOf(ctx, "2024-03-01-a")
	if err != nil {
		t.Fatal(err)
	}
	done := postmortem.StatusDone
	if _, err := d.EditItem(ctx, items[0].ID, ItemEdit{Status: &done}, "test"); err != nil {
		t.Fatal(err)
	}
	after := version()
	if after == v {
		t.Errorf("version %d unchanged after an edit", v)
	}

	other, err := Open(ctx, d.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	save(t, other, doc("/pm/b.md", "2024-04-01-b", item("Add a runbook", "", "open", "")))
	if v := version(); v == after {
		t.Errorf("version %d unchanged after another handle's save", v)
	}
}
