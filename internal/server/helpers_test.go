package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/markdown"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

// now is the fixed time the tests' servers run at.
var now = time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)

// testStore adapts *sqlite.DB to server.Store as cmd/hindsight does.
type testStore struct{ *sqlite.DB }

// openStore opens a fresh database under t.TempDir() and saves the given
// testdata documents into it, parsed as import would.
func openStore(t testing.TB, files ...string) testStore {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hindsight.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := testStore{db}
	for _, f := range files {
		path := filepath.Join("testdata", f)
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		st.save(t, path, src)
	}
	return st
}

// save parses src as the document at path and stores it.
func (s testStore) save(t testing.TB, path string, src []byte) {
	t.Helper()
	p, err := markdown.Parse(path, src, markdown.Options{})
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	abs, _ := filepath.Abs(path)
	p.Source = &postmortem.Source{Path: abs, Text: string(src)}
	if _, err := s.Save(context.Background(), []*postmortem.Postmortem{p}, markdown.Version); err != nil {
		t.Fatalf("save %s: %v", path, err)
	}
}

// importStore adapts the store to jobs.Store for uploads.
type importStore struct{ testStore }

func (s importStore) Hashes(ctx context.Context) (map[string]jobs.Known, error) {
	stored, err := s.DB.Hashes(ctx)
	if err != nil {
		return nil, err
	}
	known := make(map[string]jobs.Known, len(stored))
	for path, k := range stored {
		known[path] = jobs.Known{Hash: k.Hash, ParserVersion: k.ParserVersion, Missing: k.Missing}
	}
	return known, nil
}

// newServer returns a server over st at the fixed time now, with uploads
// imported into st, and the buffer it logs to.
func newServer(t testing.TB, st server.Store, cfg server.Config) (*server.Server, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return now }
	}
	if ts, ok := st.(testStore); ok && cfg.Import == nil {
		cfg.Import = func(ctx context.Context, files []jobs.Upload) ([]jobs.FileResult, error) {
			opts := jobs.ImportOptions{ParserVersion: markdown.Version, MaxFileSize: cfg.MaxFileSize,
				Parse: func(name string, src []byte) (*postmortem.Postmortem, error) {
					return markdown.Parse(name, src, markdown.Options{})
				}}
			return jobs.ImportUploads(ctx, importStore{ts}, files, opts)
		}
	}
	return server.New(st, cfg, slog.New(slog.NewTextHandler(&logs, nil))), &logs
}

// client sends requests to a server and keeps its cookies, as a browser
// would.
type client struct {
	t       *testing.T
	srv     http.Handler
	cookies map[string]*http.Cookie
}

func newClient(t *testing.T, srv http.Handler) *client {
	return &client{t: t, srv: srv, cookies: map[string]*http.Cookie{}}
}

// do sends r with the client's cookies and keeps the ones set.
func (c *client) do(r *http.Request) *httptest.ResponseRecorder {
	c.t.Helper()
	for _, k := range c.cookies {
		r.AddCookie(k)
	}
	rec := httptest.NewRecorder()
	c.srv.ServeHTTP(rec, r)
	for _, k := range rec.Result().Cookies() {
		if k.MaxAge < 0 {
			delete(c.cookies, k.Name)
		} else {
			c.cookies[k.Name] = k
		}
	}
	return rec
}

func (c *client) get(path string) *httptest.ResponseRecorder {
	c.t.Helper()
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends form to path as a browser form would.
func (c *client) post(path string, form url.Values) *httptest.ResponseRecorder {
	c.t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(r)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// token returns the CSRF token of the form on the page at path.
func (c *client) token(path string) string {
	c.t.Helper()
	rec := c.get(path)
	m := csrfField.FindStringSubmatch(rec.Body.String())
	if m == nil {
		c.t.Fatalf("GET %s: %d, no CSRF field in\n%s", path, rec.Code, rec.Body)
	}
	return m[1]
}

// page GETs path and fails unless it answers 200.
func (c *client) page(path string) string {
	c.t.Helper()
	rec := c.get(path)
	if rec.Code != http.StatusOK {
		c.t.Fatalf("GET %s = %d\n%s", path, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// contains fails t for each of want that body lacks.
func contains(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
	if t.Failed() && testing.Verbose() {
		t.Logf("%s:\n%s", what, body)
	}
}

// lacks fails t for each of bad that body contains.
func lacks(t *testing.T, what, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("%s contains %q", what, b)
		}
	}
}

// discard is a logger for servers whose logs no test reads.
var discard = slog.New(slog.NewTextHandler(io.Discard, nil))
