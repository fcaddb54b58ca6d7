package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServeRefusesOpenAddressWithoutAuth(t *testing.T) {
	t.Setenv("HINDSIGHT_DB", filepath.Join(t.TempDir(), "hindsight.db"))
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.10:8080"} {
		code, _, errs := hindsight(t, "", "serve", "--addr", addr, "--postmortems", "testdata/postmortems")
		if code != 1 || !strings.Contains(errs, "refusing to listen on "+addr+" without sign-in") || !strings.Contains(errs, "HINDSIGHT_AUTH=token") {
			t.Errorf("serve --addr %s: exit %d, stderr %q", addr, code, errs)
		}
	}
	t.Setenv("HINDSIGHT_AUTH", "oidc")
	if code, _, errs := hindsight(t, "", "serve", "--addr", "0.0.0.0:0"); code != 1 || !strings.Contains(errs, "HINDSIGHT_AUTH=oidc: set HINDSIGHT_BASE_URL") {
		t.Errorf("oidc without settings: exit %d, stderr %q", code, errs)
	}
	if _, err := os.Stat(os.Getenv("HINDSIGHT_DB")); err == nil {
		t.Errorf("the refused serve created the database")
	}
}

// TestTokenSignInEndToEnd creates tokens with the command line, serves in
// token mode and checks the API and the pages over real HTTP, revoking a
// token from another command while the server runs.
func TestTokenSignInEndToEnd(t *testing.T) {
	t.Setenv("HINDSIGHT_DB", filepath.Join(t.TempDir(), "hindsight.db"))
	t.Setenv("HINDSIGHT_AUTH", "token")
	editor := createToken(t, "editor", "CI bot")
	viewer := createToken(t, "viewer", "")
	code, out, _ := hindsight(t, "", "token", "list")
	if code != 0 || !strings.Contains(out, "CI bot") || !strings.Contains(out, "viewer token") || strings.Contains(out, editor) {
		t.Fatalf("token list: exit %d\n%s", code, out)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs, logw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--postmortems", "testdata/postmortems"}, nil, io.Discard, logw)
		logw.Close()
	}()
	base := "http://" + listeningAddr(t, logs)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	call := func(method, path, token, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusSeeOther {
			return resp.StatusCode, resp.Header.Get("Location")
		}
		return resp.StatusCode, string(b)
	}

	if code, body := call("GET", "/api/v1/action-items", "", ""); code != 401 || !strings.Contains(body, `"unauthorized"`) {
		t.Errorf("no token: %d %s", code, body)
	}
	code, body := call("GET", "/api/v1/action-items?limit=1", viewer, "")
	if code != 200 {
		t.Fatalf("viewer list: %d %s", code, body)
	}
	var id int
	fmt.Sscanf(body[strings.Index(body, `"id":`):], `"id":%d`, &id)
	item := fmt.Sprintf("/api/v1/action-items/%d", id)
	if code, body := call("PATCH", item, viewer, `{"note":"x"}`); code != 403 || !strings.Contains(body, `"forbidden"`) {
		t.Errorf("viewer patch: %d %s", code, body)
	}
	if code, body := call("PATCH", item, editor, `{"note":"from CI"}`); code != 200 || !strings.Contains(body, `"actor":"CI bot"`) {
		t.Errorf("editor patch: %d %s", code, body)
	}
	if code, loc := call("GET", "/actions", "", ""); code != 303 || !strings.HasPrefix(loc, "/signin?next=") {
		t.Errorf("page without sign-in: %d %s", code, loc)
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if code, _ := call("GET", path, "", ""); code != 200 {
			t.Errorf("GET %s = %d", path, code)
		}
	}
	_, metrics := call("GET", "/metrics", "", "")
	for _, want := range []string{`route="/api/v1/action-items/:id"`, "hindsight_action_items_open", `hindsight_imports_total{outcome="imported"} 2`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	code, out, errs := hindsight(t, "", "token", "revoke", "1")
	if code != 0 || !strings.Contains(out, "revoked token 1") {
		t.Fatalf("token revoke: exit %d %s %s", code, out, errs)
	}
	if code, _ := call("GET", "/api/v1/action-items", editor, ""); code != 401 {
		t.Errorf("revoked token: %d", code)
	}

	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// createToken runs token create and returns the token, its last line.
func createToken(t *testing.T, role, name string) string {
	t.Helper()
	args := []string{"token", "create", "--role", role}
	if name != "" {
		args = append(args, "--name", name)
	}
	code, out, errs := hindsight(t, "", args...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	if code != 0 || !strings.HasPrefix(token, "hs_") || len(token) != 67 {
		t.Fatalf("token create: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	return token
}

func TestTokenCreateRefusesUnknownRole(t *testing.T) {
	t.Setenv("HINDSIGHT_DB", filepath.Join(t.TempDir(), "hindsight.db"))
	if code, _, errs := hindsight(t, "", "token", "create", "--role", "root"); code == 0 || !strings.Contains(errs, "role") {
		t.Errorf("unknown role: exit %d %s", code, errs)
	}
	if code, _, errs := hindsight(t, "", "token", "revoke", "42"); code != 1 || !strings.Contains(errs, "no token") {
		t.Errorf("revoke unknown: exit %d %s", code, errs)
	}
}

func TestBackupCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HINDSIGHT_DB", filepath.Join(dir, "hindsight.db"))
	if code, _, errs := hindsight(t, "", "backup", filepath.Join(dir, "none.db")); code != 1 || !strings.Contains(errs, "no database") {
		t.Errorf("backup without a database: exit %d %s", code, errs)
	}
	if code, _, errs := hindsight(t, "", "import", "testdata/postmortems"); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	copyPath := filepath.Join(dir, "copy.db")
	code, out, errs := hindsight(t, "", "backup", copyPath)
	if code != 0 || !strings.Contains(out, "backed up") || !strings.Contains(out, "KiB") {
		t.Fatalf("backup: exit %d %q %q", code, out, errs)
	}
	db, err := sql.Open("sqlite", "file:"+copyPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM postmortems`).Scan(&n); err != nil || n != 2 {
		t.Errorf("the copy holds %d postmortems, %v", n, err)
	}
	if code, _, errs := hindsight(t, "", "backup", copyPath); code != 1 || !strings.Contains(errs, "already exists") {
		t.Errorf("backup over a file: exit %d %s", code, errs)
	}
	if code, _, errs := hindsight(t, "", "backup", "--force", copyPath); code != 0 {
		t.Errorf("backup --force: exit %d %s", code, errs)
	}
}
