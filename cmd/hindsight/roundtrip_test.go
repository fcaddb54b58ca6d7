package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestExportMarkdownRoundTrip imports every fixture the parser is tested
// on plus the example postmortems, exports them as Markdown, and parses
// each exported file: its structured fields must equal the original's.
func TestExportMarkdownRoundTrip(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HINDSIGHT_DB", filepath.Join(dir, "hindsight.db"))
	src := filepath.Join(dir, "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	var originals []string
	for _, pat := range []string{"../../internal/markdown/testdata/*.md", "../../internal/markdown/testdata/*.txt", "../../postmortems/*"} {
		m, _ := filepath.Glob(pat)
		originals = append(originals, m...)
	}
	want := map[string]map[string]any{}
	for _, path := range originals {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, filepath.Base(path)), b, 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errs := hindsight(t, "", "parse", path)
		if code != 0 {
			t.Fatalf("parse %s: %s", path, errs)
		}
		doc := fields(t, out)
		want[doc["id"].(string)] = doc
	}
	if code, _, errs := hindsight(t, "", "import", src); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	out := filepath.Join(dir, "md")
	if code, _, errs := hindsight(t, "", "export", "--format", "markdown", "--out", out); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	exported, _ := filepath.Glob(filepath.Join(out, "*.md"))
	if len(exported) != len(want) {
		t.Fatalf("exported %d files for %d documents", len(exported), len(want))
	}
	for _, path := range exported {
		code, got, errs := hindsight(t, "", "parse", path)
		if code != 0 {
			t.Fatalf("parse %s: %s", path, errs)
		}
		doc := fields(t, got)
		orig, ok := want[doc["id"].(string)]
		if !ok {
			t.Errorf("%s: id %v matches no original", filepath.Base(path), doc["id"])
			continue
		}
		for k, v := range orig {
			if !reflect.DeepEqual(v, doc[k]) {
				a, _ := json.Marshal(v)
				b, _ := json.Marshal(doc[k])
				t.Errorf("%s: %s changed:\n  before %s\n  after  %s", filepath.Base(path), k, a, b)
			}
		}
	}
}

// fields decodes parse output, dropping warnings and source line numbers,
// which a canonical rendering changes by design.
func fields(t *testing.T, out string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("parse output is not JSON: %v\n%s", err, out)
	}
	delete(doc, "warnings")
	for _, k := range []string{"timeline", "action_items"} {
		list, _ := doc[k].([]any)
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				delete(m, "line")
			}
		}
	}
	if !strings.Contains(out, `"id"`) {
		t.Fatalf("no id in %s", out)
	}
	return doc
}
