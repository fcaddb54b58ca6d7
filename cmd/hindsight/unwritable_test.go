package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/server"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

// readOnlyServe serves a database with --read-only and token sign-in:
// reading works, pages and API alike; every change is refused with 503
// naming the cause, on the API as JSON and on pages as an error page; the
// server stays up, and the file is left byte for byte as it was.
func readOnlyServe(t *testing.T, bin string) {
	dir := t.TempDir()
	db := filepath.Join(dir, "hindsight.db")
	p := newProc(t, bin, db, "HINDSIGHT_AUTH=token")
	if code, out, errs := p.run("import", "testdata/postmortems"); code != 0 {
		t.Fatalf("import: %d %q %s", code, out, errs)
	}
	code, out, errs := p.run("token", "create", "--role", "editor", "--name", "Ops")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	editor := lines[len(lines)-1]
	if code != 0 || !strings.HasPrefix(editor, "hs_") {
		t.Fatalf("token create: %d %q %s", code, out, errs)
	}
	before := fileSum(t, db)

	// Even a missing postmortems directory is not looked at.
	cmd, _, _ := p.command("serve", "--read-only", "--addr", "127.0.0.1:0", "--postmortems", filepath.Join(dir, "none"))
	cmd.Env = append(cmd.Env, "HINDSIGHT_LOG_LEVEL=info")
	cmd.Stderr = nil
	logs, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logBuf bytes.Buffer
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := "http://" + listeningAddr(t, io.TeeReader(logs, &logBuf))

	call := func(method, path, ctype string, body io.Reader) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, body)
		req.Header.Set("Authorization", "Bearer "+editor)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	var list struct {
		Items []struct {
			ID json.RawMessage `json:"id"`
		} `json:"items"`
	}
	code, body := call("GET", "/api/v1/postmortems", "", nil)
	if json.Unmarshal([]byte(body), &list); code != 200 || len(list.Items) != 2 {
		t.Fatalf("list: %d %s", code, body)
	}
	var pmID string
	json.Unmarshal(list.Items[0].ID, &pmID)
	code, body = call("GET", "/api/v1/action-items?limit=1", "", nil)
	if json.Unmarshal([]byte(body), &list); code != 200 || len(list.Items) != 1 {
		t.Fatalf("items: %d %s", code, body)
	}
	item := string(list.Items[0].ID)

	readOnly := func(what string, code int, body string) {
		t.Helper()
		if code != http.StatusServiceUnavailable || !strings.Contains(body, "is read-only") {
			t.Errorf("%s: %d %s, want 503 saying the database is read-only", what, code, body)
		}
	}
	code, body = call("PATCH", "/api/v1/action-items/"+item, "application/merge-patch+json", strings.NewReader(`{"note":"x"}`))
	readOnly("API PATCH", code, body)
	if !strings.Contains(body, `"code":"unavailable"`) {
		t.Errorf("API PATCH error is not JSON with code unavailable: %s", body)
	}
	code, body = call("POST", "/api/v1/people", "application/json", strings.NewReader(`{"name":"Ann Example"}`))
	readOnly("API POST person", code, body)
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	f, _ := w.CreateFormFile("file", "2025-01-01-new.md")
	io.WriteString(f, "# New outage\n\n**Date:** 2025-01-01\n\n## Summary\n\nIt broke.\n")
	w.Close()
	code, body = call("POST", "/api/v1/postmortems/import", w.FormDataContentType(), &mp)
	readOnly("API import", code, body)

	// Pages: sign in, read, and try the edit form.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	csrf := regexp.MustCompile(`name="_csrf" value="([^"]*)"`)
	page := func(method, path string, form url.Values) (int, string) {
		t.Helper()
		var resp *http.Response
		var err error
		if method == "GET" {
			resp, err = browser.Get(base + path)
		} else {
			resp, err = browser.PostForm(base+path, form)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	token := func(body string) string {
		t.Helper()
		m := csrf.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no CSRF field in %s", body)
		}
		return html.UnescapeString(m[1])
	}
	_, body = page("GET", "/signin", nil)
	if code, _ := page("POST", "/signin", url.Values{"_csrf": {token(body)}, "token": {editor}, "next": {"/"}}); code != http.StatusSeeOther {
		t.Fatalf("sign in: %d", code)
	}
	for _, path := range []string{"/", "/incidents/" + url.PathEscape(pmID), "/actions"} {
		if code, body := page("GET", path, nil); code != 200 {
			t.Errorf("GET %s: %d %s", path, code, body)
		}
	}
	code, body = page("GET", "/actions/"+item, nil)
	if code != 200 {
		t.Fatalf("edit form: %d", code)
	}
	code, body = page("POST", "/actions/"+item, url.Values{"_csrf": {token(body)}, "status": {"done"}, "note": {"Shipped"}})
	readOnly("page POST /actions/ID", code, body)
	if !strings.Contains(body, "<html") {
		t.Errorf("the refused form got no error page: %s", body)
	}

	// Still up and reading.
	for _, path := range []string{"/healthz", "/readyz", "/api/v1/postmortems/" + url.PathEscape(pmID)} {
		if code, body := call("GET", path, "", nil); code != 200 {
			t.Errorf("after the refusals GET %s: %d %s", path, code, body)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve --read-only: %v\n%s", err, logBuf.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve --read-only did not stop")
	}
	if fileSum(t, db) != before {
		t.Error("serve --read-only changed the database file")
	}
	if strings.Contains(logBuf.String(), `"level":"ERROR"`) {
		t.Errorf("refusals were logged as errors:\n%s", logBuf.String())
	}
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// TestFullDatabaseServes: with the disk full (the file capped by
// max_page_count), edits through the API and the edit form fail with 503
// saying the database is full, nothing is logged as an internal error, and
// the server goes on answering reads.
func TestFullDatabaseServes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hindsight.db")
	t.Setenv("HINDSIGHT_DB", path)
	if code, _, errs := hindsight(t, "", "import", "testdata/postmortems"); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	db, err := sqlite.Open(context.Background(), path, sqlite.MaxPageCount(1))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var logs bytes.Buffer
	srv := httptest.NewServer(server.New(serverStore{db}, server.Config{}, slog.New(slog.NewJSONHandler(&logs, nil))))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path, ctype, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	var list struct {
		Items []struct{ ID int64 } `json:"items"`
	}
	code, body := do("GET", "/api/v1/action-items", "", "")
	if json.Unmarshal([]byte(body), &list); code != 200 || len(list.Items) == 0 {
		t.Fatalf("items: %d %s", code, body)
	}
	item := fmt.Sprint(list.Items[0].ID)

	// Notes of 4,000 characters until the file has no room for one more.
	full := false
	for i := 0; i < 200 && !full; i++ {
		note, _ := json.Marshal(fmt.Sprintf("%d %s", i, strings.Repeat("no room left ", 300)))
		code, body = do("PATCH", "/api/v1/action-items/"+item, "application/merge-patch+json", `{"note":`+string(note)+`}`)
		switch {
		case code == 200:
		case code == 503 && strings.Contains(body, `"code":"unavailable"`) && strings.Contains(body, "is full"):
			full = true
		default:
			t.Fatalf("PATCH %d: %d %s", i, code, body)
		}
	}
	if !full {
		t.Fatal("200 notes and the database never filled")
	}
	t.Logf("API: %s", body)

	_, form := do("GET", "/actions/"+item, "", "")
	m := regexp.MustCompile(`name="_csrf" value="([^"]*)"`).FindStringSubmatch(form)
	if m == nil {
		t.Fatalf("no edit form: %s", form)
	}
	values := url.Values{"_csrf": {html.UnescapeString(m[1])}, "status": {"done"}, "note": {strings.Repeat("still no room ", 280)}}
	code, body = do("POST", "/actions/"+item, "application/x-www-form-urlencoded", values.Encode())
	if code != 503 || !strings.Contains(body, "is full") || !strings.Contains(body, "<html") {
		t.Errorf("edit form on a full database: %d %s", code, body)
	}

	for _, p := range []string{"/", "/actions", "/api/v1/postmortems", "/api/v1/action-items/" + item, "/healthz", "/readyz"} {
		if code, body := do("GET", p, "", ""); code != 200 {
			t.Errorf("GET %s on a full database: %d %s", p, code, body)
		}
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("a full database was logged as an internal error:\n%s", logs.String())
	}
}
