package jobs_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

// parse stands in for the Markdown parser, whose own tests cover the
// formats: the first line is the title, the file name the id, an empty
// file is an error on line 1, "PANIC" crashes it and "TODO" warns.
func parse(name string, src []byte) (*postmortem.Postmortem, error) {
	text := strings.TrimSpace(string(src))
	if text == "" {
		return nil, &postmortem.Error{Code: postmortem.EInvalid, Line: 1, Message: "document is empty"}
	}
	if strings.Contains(text, "PANIC") {
		panic("unexpected input")
	}
	title, _, _ := strings.Cut(text, "\n")
	id := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	p := &postmortem.Postmortem{ID: id, Title: strings.TrimLeft(title, "# "), Date: id[:min(len(id), 10)]}
	for i, line := range strings.Split(string(src), "\n") {
		if strings.Contains(line, "TODO") {
			p.Warnf(i+1, "unfinished line")
		}
	}
	return p, nil
}

// corpus copies testdata/import into a temporary directory, so that tests
// can edit it, and returns the copy.
func corpus(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "postmortems")
	if err := os.CopyFS(dir, os.DirFS("testdata/import")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func openDB(t *testing.T, opts ...sqlite.Option) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hindsight.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// store adapts *sqlite.DB to jobs.Store as cmd/hindsight does; fail makes
// Save refuse any batch holding a path that contains it.
type store struct {
	*sqlite.DB
	fail  string
	saves int
}

func (s *store) Hashes(ctx context.Context) (map[string]jobs.Known, error) {
	stored, err := s.DB.Hashes(ctx)
	if err != nil {
		return nil, err
	}
	known := map[string]jobs.Known{}
	for path, k := range stored {
		known[path] = jobs.Known{Hash: k.Hash, ParserVersion: k.ParserVersion, Missing: k.Missing}
	}
	return known, nil
}

func (s *store) Save(ctx context.Context, docs []*postmortem.Postmortem, version int) ([]postmortem.SaveResult, error) {
	s.saves++
	for _, d := range docs {
		if s.fail != "" && strings.Contains(d.Source.Path, s.fail) {
			return nil, fmt.Errorf("constraint failed for %s", filepath.Base(d.Source.Path))
		}
	}
	return s.DB.Save(ctx, docs, version)
}

// run imports paths and returns the summary and the problems reported,
// as the import command prints them, with dir cut from the paths.
func run(t *testing.T, st jobs.Store, dir string, opts jobs.ImportOptions, paths ...string) (jobs.ImportSummary, []string) {
	t.Helper()
	var problems []string
	opts.Parse = parse
	opts.ParserVersion = 1
	opts.Report = func(p jobs.Problem) {
		line := strings.TrimPrefix(p.Location(), dir+string(filepath.Separator)) + ": "
		if p.Kind == jobs.Warning {
			line += "warning: "
		}
		problems = append(problems, line+p.Message)
	}
	sum, err := jobs.Import(context.Background(), st, paths, opts)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	slices.Sort(problems)
	return sum, problems
}

func TestImport(t *testing.T) {
	dir := corpus(t)
	st := &store{DB: openDB(t)}

	sum, problems := run(t, st, dir, jobs.ImportOptions{}, dir)
	if got, want := sum.String(), "imported 3, updated 0, unchanged 0, failed 1"; got != want {
		t.Errorf("first import: %q, want %q", got, want)
	}
	if want := []string{"empty.md:1: document is empty"}; !slices.Equal(problems, want) {
		t.Errorf("first import problems = %q, want %q", problems, want)
	}
	docs, _, err := st.Counts(context.Background())
	if err != nil || docs != 3 {
		t.Errorf("stored %d documents (%v), want 3", docs, err)
	}

	saves := st.saves
	sum, _ = run(t, st, dir, jobs.ImportOptions{}, dir)
	if got, want := sum.String(), "imported 0, updated 0, unchanged 3, failed 1"; got != want {
		t.Errorf("second import: %q, want %q", got, want)
	}
	if st.saves != saves {
		t.Errorf("second import saved %d batches, want none: unchanged files are skipped", st.saves-saves)
	}

	edited := filepath.Join(dir, "2024-04-19-renewal-emails.md")
	if err := os.WriteFile(edited, []byte("# Renewal reminder emails sent twice\n\nTODO: timeline\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "kiosks", "2024-07-30-self-checkout.txt")); err != nil {
		t.Fatal(err)
	}
	sum, problems = run(t, st, dir, jobs.ImportOptions{}, dir)
	if got, want := sum.String(), "imported 0, updated 1, unchanged 1, failed 1"; got != want {
		t.Errorf("after edit: %q, want %q", got, want)
	}
	wantProblems := []string{
		"2024-04-19-renewal-emails.md:3: warning: unfinished line",
		"empty.md:1: document is empty",
		"kiosks/2024-07-30-self-checkout.txt: no longer exists; kept, marked missing",
	}
	if !slices.Equal(problems, wantProblems) {
		t.Errorf("after edit problems = %q\nwant %q", problems, wantProblems)
	}
	if want := []string{filepath.Join(dir, "kiosks", "2024-07-30-self-checkout.txt")}; !slices.Equal(sum.Missing, want) {
		t.Errorf("Missing = %q, want %q", sum.Missing, want)
	}
	if docs, _, _ := st.Counts(context.Background()); docs != 3 {
		t.Errorf("stored %d documents, want 3: a missing file is kept", docs)
	}
}

func TestImportBadDocumentDoesNotSinkBatch(t *testing.T) {
	dir := t.TempDir()
	for i := range 7 {
		text := fmt.Sprintf("# Incident %d\n", i)
		if i == 5 {
			text = "# PANIC in the parser\n"
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("2024-01-0%d-incident.md", i+1)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st := &store{DB: openDB(t), fail: "2024-01-03"}
	sum, problems := run(t, st, dir, jobs.ImportOptions{BatchSize: 3, Workers: 2}, dir)
	if got, want := sum.String(), "imported 5, updated 0, unchanged 0, failed 2"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	want := []string{
		"2024-01-03-incident.md: constraint failed for 2024-01-03-incident.md",
		"2024-01-06-incident.md:1: parser crashed: unexpected input",
	}
	if !slices.Equal(problems, want) {
		t.Errorf("problems = %q\nwant %q", problems, want)
	}
}

func TestImportLockedDatabase(t *testing.T) {
	dir := corpus(t)
	db := openDB(t, sqlite.BusyTimeout(50*time.Millisecond))

	lock, err := sql.Open("sqlite", db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	conn, err := lock.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")

	var failures int
	_, err = jobs.Import(context.Background(), &store{DB: db}, []string{dir}, jobs.ImportOptions{
		Parse: parse,
		Report: func(p jobs.Problem) {
			if p.Kind == jobs.Failure && !strings.HasSuffix(p.Path, "empty.md") {
				failures++
			}
		},
	})
	if postmortem.ErrorCode(err) != postmortem.EUnavailable {
		t.Fatalf("err = %v, want an unavailable error", err)
	}
	if failures > 0 {
		t.Errorf("%d per-file failures reported, want none: the lock is one error", failures)
	}
}

func TestImportCancelled(t *testing.T) {
	dir := corpus(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := jobs.Import(ctx, &store{DB: openDB(t)}, []string{dir}, jobs.ImportOptions{Parse: parse})
	if err != context.Canceled {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
