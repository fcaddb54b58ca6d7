package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/jira/jiratest"
)

// TestSyncJiraBinary is the end-to-end test of Jira sync: the built
// hindsight binary imports a postmortem with three action items (two
// owned by someone who left), learns its people, and `sync jira --once`
// against a fake Jira creates three issues, the one for Edward assigned
// to his account; a second run creates none. --dry-run writes nothing.
func TestSyncJiraBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "hindsight")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	fake := jiratest.New(t, jiratest.Options{Users: []jiratest.User{
		{AccountID: "5b10ac8d82e05b22cc7d4ef5", DisplayName: "Edward Barclay", Email: "edward.barclay@example.com"},
	}})
	db := filepath.Join(dir, "hindsight.db")
	env := append(os.Environ(),
		"HINDSIGHT_DB="+db,
		"HINDSIGHT_LOG_LEVEL=error",
		"HINDSIGHT_JIRA_URL="+fake.URL,
		"HINDSIGHT_JIRA_USER=bot@example.com",
		"HINDSIGHT_JIRA_TOKEN=secret-token",
		"HINDSIGHT_JIRA_PROJECT=OPS",
		"HINDSIGHT_BASE_URL=https://hindsight.example.com",
	)
	run := func(args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, stdout.String(), stderr.String()
	}

	if code, out, errs := run("import", "testdata/jira/postmortems"); code != 0 || out != "imported 1, updated 0, unchanged 0, failed 0\n" {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	if code, out, errs := run("people", "import", "testdata/jira/people.csv"); code != 0 || out != "created 2, updated 0\n" {
		t.Fatalf("people import: %d %q %q", code, out, errs)
	}

	code, out, errs := run("sync", "jira", "--dry-run")
	if code != 0 || strings.Count(out, "would create item") != 3 || !strings.HasSuffix(out, "created 3, linked 0, updated 0, failed 0\n") {
		t.Errorf("dry run: %d\n%s%s", code, out, errs)
	}
	if n := len(fake.Issues()); n != 0 {
		t.Fatalf("dry run created %d issues", n)
	}

	code, out, errs = run("sync", "jira", "--once")
	if code != 0 || out != "created 3, linked 0, updated 0, failed 0\n" {
		t.Fatalf("first sync: %d %q %q", code, out, errs)
	}
	issues := fake.Issues()
	if len(issues) != 3 {
		t.Fatalf("%d issues", len(issues))
	}
	assigned := 0
	for _, is := range issues {
		if is.Assignee == "5b10ac8d82e05b22cc7d4ef5" {
			assigned++
			if !strings.HasPrefix(is.Summary, "Check keycloak") {
				t.Errorf("Edward assigned to %q", is.Summary)
			}
		} else if is.Assignee != "" {
			t.Errorf("%q assigned to %q", is.Summary, is.Assignee)
		}
		if !strings.Contains(is.Description, "https://hindsight.example.com/incidents/") {
			t.Errorf("no link back in %q", is.Description)
		}
	}
	if assigned != 1 {
		t.Errorf("%d issues assigned to Edward", assigned)
	}

	code, out, errs = run("sync", "jira", "--once")
	if code != 0 || out != "created 0, linked 0, updated 0, failed 0\n" || len(fake.Issues()) != 3 {
		t.Errorf("second sync: %d %q %q, %d issues", code, out, errs, len(fake.Issues()))
	}

	fake.SetStatus(issues[1].Key, "Done")
	code, out, _ = run("sync", "jira", "--once")
	if code != 0 || out != "created 0, linked 0, updated 1, failed 0\n" {
		t.Errorf("sync after a change in Jira: %d %q", code, out)
	}
}
