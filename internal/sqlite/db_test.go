package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/migrations"
)

func TestOpenPragmas(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	// Several connections at once, so the pool has to open more than one.
	conns := make([]*sql.Conn, 3)
	for i := range conns {
		c, err := d.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	for i, c := range conns {
		var mode string
		var fk, busy, sync int
		if err := c.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		c.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk)
		c.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy)
		c.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync)
		if mode != "wal" || fk != 1 || busy != 5000 || sync != 1 {
			t.Errorf("conn %d: journal_mode=%s foreign_keys=%d busy_timeout=%d synchronous=%d", i, mode, fk, busy, sync)
		}
	}
}

func TestOpenMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope", "hindsight.db")
	_, err := Open(context.Background(), path)
	if postmortem.ErrorCode(err) != postmortem.EInvalid || !strings.Contains(err.Error(), filepath.Dir(path)) {
		t.Fatalf("err = %v", err)
	}
	if _, statErr := os.Stat(filepath.Dir(path)); !os.IsNotExist(statErr) {
		t.Error("Open created the directory")
	}
}

func TestOpenNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.db")
	junk := strings.Repeat("this is not a database at all\n", 200)
	if err := os.WriteFile(path, []byte(junk), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path)
	if postmortem.ErrorCode(err) != postmortem.EInvalid || !strings.Contains(postmortem.ErrorMessage(err), path) {
		t.Fatalf("err = %v", err)
	}
	t.Log(err)
	b, _ := os.ReadFile(path)
	if string(b) != junk {
		t.Error("Open changed the file")
	}
}

func TestMigrateIdempotent(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	latest, err := migrations.Latest()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		v, err := d.Migrate(ctx)
		if err != nil || v != latest {
			t.Fatalf("run %d: Migrate = %d, %v; want %d", i, v, err, latest)
		}
	}
	cur, lat, err := d.SchemaVersion(ctx)
	if err != nil || cur != latest || lat != latest {
		t.Fatalf("SchemaVersion = %d, %d, %v", cur, lat, err)
	}
	var n int
	d.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != latest {
		t.Errorf("schema_migrations has %d rows, want %d", n, latest)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hindsight.db")
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	latest, _ := migrations.Latest()
	if _, err := d.db.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, 'later')`, latest+6); err != nil {
		t.Fatal(err)
	}

	// An already open handle refuses to migrate.
	_, err = d.Migrate(ctx)
	want := fmt.Sprintf("database schema version %d is newer than this hindsight (%d); upgrade hindsight", latest+6, latest)
	if postmortem.ErrorCode(err) != postmortem.EInvalid || !strings.Contains(err.Error(), want) {
		t.Fatalf("Migrate err = %v", err)
	}
	d.Close()

	// A new one refuses to open.
	_, err = Open(ctx, path)
	if postmortem.ErrorCode(err) != postmortem.EInvalid || !strings.Contains(err.Error(), want) {
		t.Fatalf("Open err = %v", err)
	}
}

func TestLockedDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hindsight.db")
	d, err := Open(ctx, path, BusyTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	// Another "process": its own handle holding the write lock.
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, `ROLLBACK`)

	start := time.Now()
	_, err = d.Save(ctx, []*postmortem.Postmortem{doc("a.md", "a")}, 1)
	if postmortem.ErrorCode(err) != postmortem.EUnavailable {
		t.Fatalf("Save err = %v, want unavailable", err)
	}
	msg := postmortem.ErrorMessage(err)
	t.Log(err)
	if !strings.Contains(msg, path) || !strings.Contains(msg, "another process") {
		t.Errorf("message %q should name %s and say another process holds it", msg, path)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("Save waited %v despite a 100ms busy timeout", time.Since(start))
	}
	// Readers are not blocked under WAL.
	if _, _, err := d.Counts(ctx); err != nil {
		t.Errorf("Counts while locked: %v", err)
	}
}

func TestOpenOddPath(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "with space & 100%")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "hind#sight?.db")
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at %s: %v", path, err)
	}
}
