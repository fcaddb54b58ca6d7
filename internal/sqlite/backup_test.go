package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// TestBackupWhileWriting backs up while another goroutine saves documents
// and edits items, then opens each copy on its own and checks it: SQLite's
// integrity check passes and it holds a whole number of saves, never half
// of one.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	save(t, d, doc("/p/seed.md", "seed", item("Seed item", "Ann", "open", "")))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var writeErr error
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id := fmt.Sprintf("doc-%04d", i)
			items := []postmortem.ActionItem{item("First of "+id, "Ann", "open", ""), item("Second of "+id, "Bo", "open", "")}
			if _, err := d.Save(ctx, []*postmortem.Postmortem{doc("/p/"+id+".md", id, items...)}, 1); err != nil {
				writeErr = err
				return
			}
		}
	}()

	dir := t.TempDir()
	for i := range 5 {
		path := filepath.Join(dir, fmt.Sprintf("copy-%d.db", i))
		size, err := d.Backup(ctx, path, false)
		if err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Size() != size || size == 0 {
			t.Fatalf("backup %d: size %d, stat %v %v", i, size, fi, err)
		}
		checkCopy(t, path)
	}
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writer: %v", writeErr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 5 {
		t.Errorf("backup dir holds %d files, want the 5 copies and no temporary ones", len(entries))
	}
}

// checkCopy opens a backup with database/sql alone and checks it.
func checkCopy(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("%s: integrity_check = %q, %v", path, ok, err)
	}
	var docs, items int
	db.QueryRow(`SELECT count(*) FROM postmortems`).Scan(&docs)
	db.QueryRow(`SELECT count(*) FROM action_items`).Scan(&items)
	if docs == 0 || items != 2*docs-1 {
		t.Errorf("%s: %d documents and %d items, want every save whole", path, docs, items)
	}
}

func TestBackupRefusesToOverwrite(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(path, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Backup(ctx, path, false); postmortem.ErrorCode(err) != postmortem.EConflict {
		t.Fatalf("Backup over a file = %v, want conflict", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "precious" {
		t.Fatalf("the existing file was changed")
	}
	if _, err := d.Backup(ctx, path, true); err != nil {
		t.Fatalf("Backup --force: %v", err)
	}
	checkOpens(t, path)
	if _, err := d.Backup(ctx, d.Path(), true); postmortem.ErrorCode(err) != postmortem.EInvalid {
		t.Errorf("Backup onto itself = %v", err)
	}
}

func checkOpens(t *testing.T, path string) {
	t.Helper()
	c, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cur, latest, err := c.SchemaVersion(context.Background())
	if err != nil || cur != latest {
		t.Errorf("copy schema %d of %d, %v", cur, latest, err)
	}
}
