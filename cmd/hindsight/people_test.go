package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPeopleImportExport(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HINDSIGHT_DB", filepath.Join(dir, "hindsight.db"))
	file := filepath.Join(dir, "people.csv")
	csv := "name,aliases,email,team,active\n" +
		"Lucía Ferreyra,Lu F;Lucy,lucia@example.com,payments,\n" +
		"John Simmons,,john@example.com,platform,false\n"
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := hindsight(t, "", "people", "import", file)
	if code != 0 || out != "created 2, updated 0\n" {
		t.Fatalf("import: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	code, out, errs = hindsight(t, "", "people", "export")
	want := "name,aliases,email,slack_id,jira_account_id,jira_username,team,manager_email,timezone,active\n" +
		"John Simmons,,john@example.com,,,,platform,,,false\n" +
		"Lucía Ferreyra,Lu F;Lucy,lucia@example.com,,,,payments,,,true\n"
	if code != 0 || out != want {
		t.Fatalf("export: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	exported := filepath.Join(dir, "export.csv")
	if code, _, errs := hindsight(t, "", "people", "export", "--out", exported); code != 0 {
		t.Fatalf("export --out: exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(exported); string(b) != want {
		t.Errorf("export file = %q", b)
	}
	if code, _, errs := hindsight(t, "", "people", "export", "--out", exported); code != 1 || !strings.Contains(errs, "--force") {
		t.Errorf("export over a file: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := hindsight(t, "", "people", "export", "--out", exported, "--force"); code != 0 {
		t.Errorf("export --force: exit %d, stderr %q", code, errs)
	}
	if code, out, errs := hindsight(t, "", "people", "import", exported); code != 0 || out != "created 0, updated 0\n" {
		t.Errorf("re-import: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("name,email,active\nAna,ana@example.com,\nBo,not an email,\nCy,,maybe\n"), 0o644)
	code, out, errs = hindsight(t, "", "people", "import", bad)
	wantErr := bad + ":3: email: not an email address\n" + bad + ":4: active: must be true, false or empty (true)\n"
	if code != 1 || out != "" || errs != wantErr {
		t.Errorf("bad import: exit %d, stdout %q, stderr %q\nwant %q", code, out, errs, wantErr)
	}
	if code, _, errs := hindsight(t, "", "people", "import", filepath.Join(dir, "missing.csv")); code != 1 || !strings.Contains(errs, "missing.csv") {
		t.Errorf("missing file: exit %d, stderr %q", code, errs)
	}
}
