package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// docs is a jobs.Source over a fixed list.
type docs []*postmortem.Postmortem

func (d docs) Each(ctx context.Context, fn func(*postmortem.Postmortem) error) error {
	for _, p := range d {
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

func TestExportJSON(t *testing.T) {
	for _, src := range []docs{nil, {{ID: "a", Title: "A & <b>"}}, {{ID: "a"}, {ID: "b"}}} {
		var buf bytes.Buffer
		if err := jobs.ExportJSON(context.Background(), src, &buf); err != nil {
			t.Fatal(err)
		}
		var got []postmortem.Postmortem
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatalf("export of %d is not a JSON array: %v\n%s", len(src), err, buf.Bytes())
		}
		if len(got) != len(src) || !strings.HasSuffix(buf.String(), "]\n") {
			t.Errorf("export of %d documents: %s", len(src), buf.Bytes())
		}
		if len(src) == 1 && !strings.Contains(buf.String(), `"title": "A & <b>"`) {
			t.Errorf("HTML escaped or not indented:\n%s", buf.Bytes())
		}
	}
}

func TestExportMarkdown(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	src := docs{{ID: "2024-01-02-a", Title: "A"}, {ID: "2024-01-03-b", Title: "B"}}
	render := func(p *postmortem.Postmortem) []byte { return []byte("# " + p.Title + "\n") }

	n, err := jobs.ExportMarkdown(context.Background(), src, dir, false, render)
	if err != nil || n != 2 {
		t.Fatalf("ExportMarkdown = %d, %v", n, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "2024-01-03-b.md")); string(b) != "# B\n" {
		t.Errorf("2024-01-03-b.md = %q", b)
	}

	src[0].Title = "A, edited"
	_, err = jobs.ExportMarkdown(context.Background(), src, dir, false, render)
	if postmortem.ErrorCode(err) != postmortem.EConflict || !strings.Contains(err.Error(), "2024-01-02-a.md") {
		t.Errorf("second export without force: %v, want a conflict naming the files", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "2024-01-02-a.md")); string(b) != "# A\n" {
		t.Errorf("refused export wrote anyway: %q", b)
	}
	if _, err := jobs.ExportMarkdown(context.Background(), src, dir, true, render); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "2024-01-02-a.md")); string(b) != "# A, edited\n" {
		t.Errorf("forced export did not overwrite: %q", b)
	}

	_, err = jobs.ExportMarkdown(context.Background(), docs{{ID: "../escape"}}, dir, true, render)
	if postmortem.ErrorCode(err) != postmortem.EInvalid {
		t.Errorf("id with a path: %v, want invalid", err)
	}
}
