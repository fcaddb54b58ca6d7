package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/bench/corpus"
	"github.com/hindsight-dev/hindsight/internal/jira/jiratest"
)

// TestFaults runs the built binary through what a host does to it: a
// SIGKILL in the middle of a large import and of a Jira sync, each
// followed by a second run, and a database it may only read. Afterwards
// the database passes integrity_check, holds no half-saved postmortem and
// no duplicate, and equals what an uninterrupted run gives.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildHindsight(t)
	t.Run("kill during import", func(t *testing.T) { killDuringImport(t, bin) })
	t.Run("kill during jira sync", func(t *testing.T) { killDuringSync(t, bin) })
	t.Run("read-only database", func(t *testing.T) { readOnlyServe(t, bin) })
}

func buildHindsight(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hindsight")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// proc runs the binary with a database and environment of its own.
type proc struct {
	t   *testing.T
	bin string
	env []string
}

func newProc(t *testing.T, bin, db string, env ...string) *proc {
	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HINDSIGHT_") {
			base = append(base, kv)
		}
	}
	return &proc{t: t, bin: bin, env: append(append(base, "HINDSIGHT_DB="+db, "HINDSIGHT_LOG_LEVEL=error"), env...)}
}

func (p *proc) command(args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.Command(p.bin, args...)
	cmd.Env = p.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// run runs the binary to its end and returns its exit status and output.
func (p *proc) run(args ...string) (int, string, string) {
	p.t.Helper()
	cmd, stdout, stderr := p.command(args...)
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		p.t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// killed reports whether a finished command died of SIGKILL.
func killed(cmd *exec.Cmd) bool {
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// killDuringImport imports 3,000 generated postmortems, kills the import
// part way with SIGKILL, checks what it left, imports again and compares
// the result with an uninterrupted import of the same files.
func killDuringImport(t *testing.T, bin string) {
	dir := t.TempDir()
	docs := filepath.Join(dir, "postmortems")
	const n = 3000
	err := corpus.Each(n, 7, func(f corpus.File) error {
		p := filepath.Join(docs, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, f.Data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}

	clean := newProc(t, bin, filepath.Join(dir, "clean.db"))
	start := time.Now()
	code, out, errs := clean.run("import", docs)
	took := time.Since(start)
	if code != 0 || !strings.HasPrefix(out, fmt.Sprintf("imported %d,", n)) {
		t.Fatalf("clean import: %d %q %s", code, out, errs)
	}
	want := readShape(t, filepath.Join(dir, "clean.db"))
	t.Logf("clean import of %d files: %v, %d postmortems, %d items", n, took.Round(time.Millisecond), len(want.docs), want.items)

	// Kill part way: after half the clean import's time, less if the
	// import finished first or had saved nothing yet.
	victimDB := filepath.Join(dir, "victim.db")
	victim := newProc(t, bin, victimDB)
	var partial shape
	for delay := took / 2; ; delay /= 2 {
		for _, f := range []string{"", "-wal", "-shm"} {
			os.Remove(victimDB + f)
		}
		cmd, _, stderr := victim.command("import", docs)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if !killed(cmd) {
			t.Logf("the import finished within %v (%s); again, sooner", delay, strings.TrimSpace(stderr.String()))
		} else if _, err := os.Stat(victimDB); err == nil {
			partial = readShape(t, victimDB)
			t.Logf("killed after %v with %d of %d postmortems saved", delay.Round(time.Millisecond), len(partial.docs), len(want.docs))
			if len(partial.docs) > 0 && len(partial.docs) < len(want.docs) {
				break
			}
		}
		if delay < 20*time.Millisecond {
			t.Fatalf("could not kill the import part way")
		}
	}
	// What the killed import left is whole: each postmortem it saved has
	// the items, tags and search row the clean import gave it.
	partial.check(t, "after the kill")
	for path, d := range partial.docs {
		if w, ok := want.docs[path]; !ok || !d.same(w) {
			t.Errorf("after the kill %s is %+v, the clean import has %+v", path, d, w)
		}
	}

	code, out, errs = victim.run("import", docs)
	if code != 0 || out != fmt.Sprintf("imported %d, updated 0, unchanged %d, failed 0\n", n-len(partial.docs), len(partial.docs)) {
		t.Fatalf("import after the kill: %d %q %s", code, out, errs)
	}
	got := readShape(t, victimDB)
	got.check(t, "after the second import")
	if got.postmortems != want.postmortems || got.searchRows != want.searchRows || got.items != want.items || got.tags != want.tags {
		t.Errorf("after the second import: %d postmortems, %d search rows, %d items, %d tags; the clean import has %d, %d, %d, %d",
			got.postmortems, got.searchRows, got.items, got.tags, want.postmortems, want.searchRows, want.items, want.tags)
	}
	for path, w := range want.docs {
		if d := got.docs[path]; !d.same(w) {
			t.Errorf("after the second import %s is %+v, the clean import has %+v", path, d, w)
		}
	}
	if g, w := got.ids(), want.ids(); g != w {
		t.Errorf("after the second import the ids differ from the clean import's:\n%s\n%s", g, w)
	}
}

// shape is what a database holds, in the terms a kill could break.
type shape struct {
	integrity                               string
	postmortems, searchRows, items, tags    int
	orphanItems, orphanTags, orphanSearches int
	docs                                    map[string]docShape // by path
}

// docShape is one stored postmortem: its id and hash, how many items and
// tags it has, and whether its search row is there.
type docShape struct {
	id, hash     string
	items, tags  int
	searchRowHas bool
}

// same reports whether d and o are the same document, saved the same way.
// Ids are left out: two documents with the same date and title share a
// base id, and which one gets the "-2" depends on the order the import's
// parsers finish in, in any import. shape.ids compares them as a set.
func (d docShape) same(o docShape) bool {
	d.id, o.id = "", ""
	return d == o
}

// ids returns the stored ids, sorted, one a line.
func (s shape) ids() string {
	var ids []string
	for _, d := range s.docs {
		ids = append(ids, d.id)
	}
	slices.Sort(ids)
	return strings.Join(ids, "\n")
}

// readShape reads a database (read-only) as shape describes it.
func readShape(t *testing.T, path string) shape {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := shape{docs: map[string]docShape{}}
	one := func(q string, dst any) {
		t.Helper()
		if err := db.QueryRow(q).Scan(dst); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	one(`PRAGMA integrity_check`, &s.integrity)
	one(`SELECT count(*) FROM postmortems`, &s.postmortems)
	one(`SELECT count(*) FROM postmortem_search`, &s.searchRows)
	one(`SELECT count(*) FROM action_items`, &s.items)
	one(`SELECT count(*) FROM postmortem_tags`, &s.tags)
	one(`SELECT count(*) FROM action_items WHERE postmortem_id NOT IN (SELECT id FROM postmortems)`, &s.orphanItems)
	one(`SELECT count(*) FROM postmortem_tags WHERE postmortem_id NOT IN (SELECT id FROM postmortems)`, &s.orphanTags)
	one(`SELECT count(*) FROM postmortem_search WHERE rowid NOT IN (SELECT search_rowid FROM postmortems WHERE search_rowid IS NOT NULL)`, &s.orphanSearches)
	rows, err := db.Query(`
		SELECT p.path, p.id, p.hash,
			(SELECT count(*) FROM action_items a WHERE a.postmortem_id = p.id),
			(SELECT count(*) FROM postmortem_tags g WHERE g.postmortem_id = p.id),
			EXISTS (SELECT 1 FROM postmortem_search s WHERE s.rowid = p.search_rowid AND s.id = p.id)
		FROM postmortems p`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var path string
		var d docShape
		if err := rows.Scan(&path, &d.id, &d.hash, &d.items, &d.tags, &d.searchRowHas); err != nil {
			t.Fatal(err)
		}
		s.docs[path] = d
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// check fails the test unless the database is intact, every postmortem
// has its search row, and nothing belongs to a postmortem that is not
// there. Paths and ids are unique by the schema's keys.
func (s shape) check(t *testing.T, when string) {
	t.Helper()
	if s.integrity != "ok" {
		t.Errorf("%s: integrity_check says %q", when, s.integrity)
	}
	if s.searchRows != s.postmortems || s.orphanItems+s.orphanTags+s.orphanSearches > 0 {
		t.Errorf("%s: %d postmortems, %d search rows; orphaned items %d, tags %d, search rows %d",
			when, s.postmortems, s.searchRows, s.orphanItems, s.orphanTags, s.orphanSearches)
	}
	for path, d := range s.docs {
		if !d.searchRowHas {
			t.Errorf("%s: %s has no search row", when, path)
		}
	}
}

// killDuringSync runs `sync jira --once` against a slow fake Jira and
// kills it with SIGKILL at the worst moment: Jira has created an issue and
// the answer has not arrived. A second run must find that issue by its
// label rather than create another, and create the rest: one issue per
// item.
func killDuringSync(t *testing.T, bin string) {
	dir := t.TempDir()
	docs := filepath.Join(dir, "postmortems")
	if err := os.MkdirAll(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	const perDoc, nDocs = 5, 4
	for d := range nDocs {
		var b strings.Builder
		fmt.Fprintf(&b, "---\ntitle: Signal fault %d\ndate: 2025-0%d-12\nstatus: Final\n---\n\n## Summary\n\nSignals failed.\n\n", d, d+1)
		b.WriteString("## Action items\n\n| Action item | Owner |\n|---|---|\n")
		for i := range perDoc {
			fmt.Fprintf(&b, "| Check relay %d of cabinet %d |  |\n", i, d)
		}
		if err := os.WriteFile(filepath.Join(docs, fmt.Sprintf("2025-0%d-12-signal-fault.md", d+1)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	var victim atomic.Pointer[os.Process]
	var creates atomic.Int32
	const killAt = 7
	fake := jiratest.New(t, jiratest.Options{
		Latency: 20 * time.Millisecond,
		OnCreate: func(string) {
			if creates.Add(1) == killAt {
				if p := victim.Load(); p != nil {
					p.Signal(syscall.SIGKILL)
				}
				time.Sleep(200 * time.Millisecond) // the answer goes nowhere
			}
		},
	})
	db := filepath.Join(dir, "hindsight.db")
	p := newProc(t, bin, db,
		"HINDSIGHT_JIRA_URL="+fake.URL,
		"HINDSIGHT_JIRA_USER=bot@example.com",
		"HINDSIGHT_JIRA_TOKEN=secret-token",
		"HINDSIGHT_JIRA_PROJECT=OPS",
	)
	if code, out, errs := p.run("import", docs); code != 0 || out != fmt.Sprintf("imported %d, updated 0, unchanged 0, failed 0\n", nDocs) {
		t.Fatalf("import: %d %q %s", code, out, errs)
	}

	cmd, _, stderr := p.command("sync", "jira", "--once")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	victim.Store(cmd.Process)
	cmd.Wait()
	if !killed(cmd) {
		t.Fatalf("the sync was not killed: %v\n%s", cmd.ProcessState, stderr)
	}
	if n := len(fake.Issues()); n != killAt {
		t.Fatalf("%d issues in Jira at the kill, want %d", n, killAt)
	}
	if n := countLinked(t, db); n != killAt-1 {
		t.Errorf("%d items recorded with an issue at the kill, want %d (the last answer was lost)", n, killAt-1)
	}

	code, out, errs := p.run("sync", "jira", "--once")
	if code != 0 || !strings.HasPrefix(out, fmt.Sprintf("created %d,", perDoc*nDocs-(killAt-1))) {
		t.Errorf("sync after the kill: %d %q %s", code, out, errs)
	}
	t.Logf("killed while Jira answered create %d; the next sync: %s", killAt, strings.TrimSpace(out))
	if code, out, errs := p.run("sync", "jira", "--once"); code != 0 || !strings.HasPrefix(out, "created 0,") {
		t.Errorf("third sync: %d %q %s", code, out, errs)
	}

	// Exactly one issue per item, and each item knows its own.
	byLabel := map[string][]string{}
	for _, is := range fake.Issues() {
		for _, l := range is.Labels {
			if strings.HasPrefix(l, "hindsight-item-") {
				byLabel[l] = append(byLabel[l], is.Key)
			}
		}
	}
	sdb, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var integrity string
	if err := sdb.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("integrity_check: %q %v", integrity, err)
	}
	rows, err := sdb.Query(`SELECT id, jira_key, jira_state FROM action_items ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	items := 0
	for rows.Next() {
		var id int64
		var key, state string
		if err := rows.Scan(&id, &key, &state); err != nil {
			t.Fatal(err)
		}
		items++
		keys := byLabel[fmt.Sprintf("hindsight-item-%d", id)]
		if len(keys) != 1 || keys[0] != key || state != "created" {
			t.Errorf("item %d: Jira has %v, the item %q (%s)", id, keys, key, state)
		}
	}
	if items != perDoc*nDocs || len(fake.Issues()) != items {
		t.Errorf("%d items, %d issues in Jira", items, len(fake.Issues()))
	}
}

// countLinked counts the items that have a Jira key.
func countLinked(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM action_items WHERE jira_key <> ''`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
