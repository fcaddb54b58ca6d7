package sqlite

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// TestConcurrentWritersNeverBusy: many goroutines editing items at once,
// with readers beside them, all succeed even with a busy timeout far
// shorter than the time they queue, because this process's writes take
// the one writer connection in turn instead of polling SQLite's lock.
// (With the writes on the shared pool, most of these failed as "database
// is locked".)
func TestConcurrentWritersNeverBusy(t *testing.T) {
	ctx := context.Background()
	d := openTest(t, BusyTimeout(20*time.Millisecond))
	var docs []*postmortem.Postmortem
	for i := range 10 {
		docs = append(docs, doc(fmt.Sprintf("p%d.md", i), fmt.Sprintf("p%d", i),
			item("Add an alert", "Ann", "open", ""), item("Write a runbook", "Bo", "open", "")))
	}
	save(t, d, docs...)
	var ids []int64
	for _, p := range docs {
		items, err := d.ItemsOf(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			ids = append(ids, it.ID)
		}
	}

	const writers, edits = 32, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*edits+writers)
	for w := range writers {
		wg.Go(func() {
			for e := range edits {
				note := fmt.Sprintf("writer %d edit %d", w, e)
				if _, err := d.EditItem(ctx, ids[(w+e)%len(ids)], ItemEdit{Note: &note}, "test"); err != nil {
					errs <- err
				}
			}
		})
		wg.Go(func() {
			for range edits {
				if _, _, err := d.Counts(ctx); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent use failed: %v", err)
	}
	var notes int
	if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM item_events WHERE field = 'note'`).Scan(&notes); err != nil {
		t.Fatal(err)
	}
	if notes != writers*edits {
		t.Errorf("%d note events, want %d", notes, writers*edits)
	}
}

// TestFullDatabase: when the file cannot grow (a full disk, here
// max_page_count), a write fails as unavailable with a message saying
// the database is full, changes nothing, and reading goes on.
func TestFullDatabase(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/hindsight.db"
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	save(t, d, doc("a.md", "a", item("Add an alert", "Ann", "open", "")))
	d.Close()

	// Reopened with no room to grow.
	d, err = Open(ctx, path, MaxPageCount(1))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	items, err := d.ItemsOf(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	id := items[0].ID
	var full error
	for i := range 200 {
		note := fmt.Sprintf("%d %s", i, strings.Repeat("a long note that needs room ", 140))
		if _, err := d.EditItem(ctx, id, ItemEdit{Note: &note}, "test"); err != nil {
			full = err
			break
		}
	}
	if postmortem.ErrorCode(full) != postmortem.EUnavailable || !strings.Contains(postmortem.ErrorMessage(full), "is full") {
		t.Fatalf("edits on a full database: err = %v, want unavailable saying the database is full", full)
	}
	t.Log(postmortem.ErrorMessage(full))
	if _, err := d.Save(ctx, []*postmortem.Postmortem{doc("b.md", "b", item("More", "Bo", "open", ""))}, 1); postmortem.ErrorCode(err) != postmortem.EUnavailable {
		t.Errorf("save on a full database: err = %v", err)
	}
	if p := get(t, d, "a"); p.Title != "Incident a" {
		t.Errorf("read after the failed writes: %+v", p)
	}
	if _, err := d.Get(ctx, "b"); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("the refused save left b behind: %v", err)
	}
}

// TestReadOnly: a database opened ReadOnly reads as usual, refuses every
// write as unavailable saying it is read-only, and leaves the file as it
// was; it is never created.
func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Open(ctx, dir+"/none.db", ReadOnly()); postmortem.ErrorCode(err) != postmortem.EInvalid || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("read-only open of a missing file: %v", err)
	}
	path := dir + "/hindsight.db"
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	save(t, d, doc("a.md", "a", item("Add an alert", "Ann", "open", "")))
	d.Close()

	ro, err := Open(ctx, path, ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if !ro.ReadOnly() {
		t.Error("ReadOnly() = false")
	}
	items, err := ro.ItemsOf(ctx, "a")
	if err != nil || len(items) != 1 {
		t.Fatalf("read: %v %v", items, err)
	}
	note := "x"
	_, err = ro.EditItem(ctx, items[0].ID, ItemEdit{Note: &note}, "test")
	if postmortem.ErrorCode(err) != postmortem.EUnavailable || !strings.Contains(postmortem.ErrorMessage(err), "read-only") {
		t.Errorf("edit: err = %v, want unavailable saying read-only", err)
	}
	t.Log(postmortem.ErrorMessage(err))
	if _, err := ro.Save(ctx, []*postmortem.Postmortem{doc("b.md", "b")}, 1); postmortem.ErrorCode(err) != postmortem.EUnavailable {
		t.Errorf("save: err = %v", err)
	}
	if _, err := ro.CreateToken(ctx, "x", postmortem.RoleViewer, "hash", "hint"); postmortem.ErrorCode(err) != postmortem.EUnavailable {
		t.Errorf("create token: err = %v", err)
	}
	if it, err := ro.GetItem(ctx, items[0].ID); err != nil || it.Note != "" {
		t.Errorf("after the refused edit: %+v %v", it, err)
	}
}

// TestWriterConnection: the writer is one connection with the same
// pragmas as the readers, whose transactions take the write lock at BEGIN.
func TestWriterConnection(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	if n := d.writer.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer pool allows %d connections", n)
	}
	var mode string
	var fk, busy int
	d.writer.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode)
	d.writer.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk)
	d.writer.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy)
	if mode != "wal" || fk != 1 || busy != 5000 {
		t.Errorf("writer: journal_mode=%s foreign_keys=%d busy_timeout=%d", mode, fk, busy)
	}
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	// Holding BEGIN IMMEDIATE, another connection cannot start writing.
	other, err := Open(ctx, d.Path(), BusyTimeout(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Save(ctx, []*postmortem.Postmortem{doc("x.md", "x")}, 1); postmortem.ErrorCode(err) != postmortem.EUnavailable {
		t.Errorf("a second writer while the first holds the lock: %v", err)
	}
}
