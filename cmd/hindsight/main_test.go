package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hindsight runs the command line with args and returns its exit status,
// standard output and standard error.
func hindsight(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestImportThenServe is the end-to-end test: import a directory, then
// serve on a free port, answer /healthz, pass the healthcheck subcommand
// and list the imported incidents, then shut down on cancel.
func TestImportThenServe(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hindsight.db")
	t.Setenv("HINDSIGHT_DB", db)

	code, out, errs := hindsight(t, "", "import", "testdata/postmortems")
	if code != 0 || out != "imported 2, updated 0, unchanged 0, failed 0\n" {
		t.Fatalf("import: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs, logw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--postmortems", "testdata/postmortems"}, nil, io.Discard, logw)
		logw.Close()
	}()
	addr := listeningAddr(t, logs)

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz = %s", resp.Status)
	}
	if code, _, errs := hindsight(t, "", "healthcheck", "--addr", addr); code != 0 {
		t.Errorf("healthcheck: exit %d: %s", code, errs)
	}

	resp, err = http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"Smart meter readings delayed by six hours", "Public outage map showed no outages", "2023-10-02"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("incident list lacks %q:\n%s", want, body)
		}
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after SIGINT-like cancel", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if code, _, _ := hindsight(t, "", "healthcheck", "--addr", addr, "--timeout", "1s"); code != 1 {
		t.Errorf("healthcheck of a stopped server: exit %d, want 1", code)
	}
}

// listeningAddr reads JSON log lines until the "listening" one and returns
// its address, then keeps draining the logs so the server never blocks.
func listeningAddr(t *testing.T, logs io.Reader) string {
	t.Helper()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				found <- line.Addr
			}
		}
		close(found)
	}()
	select {
	case addr, ok := <-found:
		if !ok {
			t.Fatal("serve exited without listening")
		}
		return addr
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not log its address")
	}
	return ""
}

func TestImportFailures(t *testing.T) {
	t.Setenv("HINDSIGHT_DB", filepath.Join(t.TempDir(), "hindsight.db"))
	code, out, errs := hindsight(t, "", "import", "testdata/broken", "testdata/no-such-dir")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if out != "imported 1, updated 0, unchanged 0, failed 2\n" {
		t.Errorf("stdout %q", out)
	}
	for _, want := range []string{"testdata/broken/empty.md:1: ", "testdata/no-such-dir: no such file or directory"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

func TestParse(t *testing.T) {
	t.Setenv("HINDSIGHT_TIMEZONE", "")
	code, out, errs := hindsight(t, "", "parse", "testdata/postmortems/2023-10-02-meter-readings-delayed.md")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Title       string
		ActionItems []struct {
			JiraKey string `json:"jira_key"`
		} `json:"action_items"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Title != "Smart meter readings delayed by six hours" {
		t.Errorf("parse printed %q (%v)", out, err)
	}
	if !strings.HasPrefix(out, "{\n  \"id\"") {
		t.Errorf("output is not indented JSON: %.40q", out)
	}

	code, out, errs = hindsight(t, " \n\t\n", "parse", "-")
	if code != 1 || out != "" || !strings.HasPrefix(errs, "stdin:1: ") {
		t.Errorf("parse of blank stdin: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, out, errs = hindsight(t, "", "--max-file-size", "100", "parse", "testdata/postmortems/2023-10-02-meter-readings-delayed.md")
	if code != 1 || out != "" || !strings.Contains(errs, ".md:1: file is ") || !strings.Contains(errs, "over the 100 bytes limit") {
		t.Errorf("parse over the size limit: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestLint(t *testing.T) {
	code, out, _ := hindsight(t, "", "lint", "testdata/broken")
	if code != 1 || !strings.Contains(out, "testdata/broken/empty.md:1: error: ") || !strings.HasSuffix(out, "2 files, 1 errors, 0 warnings\n") {
		t.Errorf("lint: exit %d\n%s", code, out)
	}
}

func TestExportAndMigrate(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HINDSIGHT_DB", filepath.Join(dir, "hindsight.db"))
	if code, out, _ := hindsight(t, "", "migrate"); code != 0 || !strings.HasPrefix(out, "schema version ") {
		t.Errorf("migrate: exit %d, %q", code, out)
	}
	if code, _, errs := hindsight(t, "", "import", "testdata/postmortems"); code != 0 {
		t.Fatalf("import: %s", errs)
	}

	code, out, errs := hindsight(t, "", "export")
	var docs []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &docs) != nil || len(docs) != 2 {
		t.Errorf("export json: exit %d, %d docs, %s", code, len(docs), errs)
	}

	out1 := filepath.Join(dir, "md")
	if code, _, errs := hindsight(t, "", "export", "--format", "markdown", "--out", out1); code != 0 {
		t.Fatalf("export markdown: %s", errs)
	}
	files, _ := filepath.Glob(filepath.Join(out1, "*.md"))
	if len(files) != 2 {
		t.Errorf("markdown export wrote %q", files)
	}
	code, _, errs = hindsight(t, "", "export", "--format", "markdown", "--out", out1)
	if code != 1 || !strings.Contains(errs, "refusing to overwrite") || !strings.Contains(errs, filepath.Base(files[0])) {
		t.Errorf("second export: exit %d, %q", code, errs)
	}
	if code, _, errs := hindsight(t, "", "export", "--format", "markdown", "--out", out1, "--force"); code != 0 {
		t.Errorf("forced export: %s", errs)
	}
	if code, _, errs := hindsight(t, "", "export", "--format", "markdown"); code != 1 || !strings.Contains(errs, "--out") {
		t.Errorf("markdown without --out: exit %d, %q", code, errs)
	}

	if code, _, _ := hindsight(t, "", "export", "--out", out1); code != 0 {
		t.Errorf("json export to a directory failed")
	}
	if _, err := os.Stat(filepath.Join(out1, "postmortems.json")); err != nil {
		t.Error(err)
	}
	if code, _, errs := hindsight(t, "", "export", "--out", out1); code != 1 || !strings.Contains(errs, "postmortems.json") {
		t.Errorf("second json export: exit %d, %q", code, errs)
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"version", "--db", "x.db"},
		{"--db", "x.db", "version"},
	} {
		if code, out, errs := hindsight(t, "", args...); code != 0 || !strings.HasPrefix(out, "hindsight ") {
			t.Errorf("%q: exit %d, %q %q", args, code, out, errs)
		}
	}
	if code, out, _ := hindsight(t, "", "import", "--help"); code != 0 || !strings.Contains(out, "hindsight import ./postmortems") {
		t.Errorf("import --help: exit %d\n%s", code, out)
	}
	if code, _, _ := hindsight(t, "", "--date-order", "sideways", "version"); code != 2 {
		t.Errorf("bad --date-order: exit %d, want 2", code)
	}
	if code, _, errs := hindsight(t, "", "--max-file-size", "lots", "version"); code != 2 || !strings.Contains(errs, "lots") {
		t.Errorf("bad --max-file-size: exit %d %q", code, errs)
	}
}
