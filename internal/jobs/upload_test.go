package jobs_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// outcomes renders results as "name outcome id error" lines.
func outcomes(results []jobs.FileResult) []string {
	var lines []string
	for _, r := range results {
		line := r.Name + " " + string(r.Outcome)
		if r.ID != "" {
			line += " " + r.ID
		}
		if r.Error != "" {
			line += " " + r.Error
		}
		lines = append(lines, line)
	}
	return lines
}

func TestImportUploads(t *testing.T) {
	st := &store{DB: openDB(t), fail: "2024-03-03"}
	opts := jobs.ImportOptions{Parse: parse, ParserVersion: 1, MaxFileSize: 64}
	files := []jobs.Upload{
		{Name: "2024-03-01-cdn.md", Data: []byte("# CDN outage\nTODO: timeline\n")},
		{Name: `C:\Users\kim\Desktop\2024-03-02-dns.md`, Data: []byte("# DNS\n")},
		{Name: "empty.md", Data: []byte("\n")},
		{Name: "big.md", Data: []byte("# Big\n" + strings.Repeat("x", 100))},
		{Name: "2024-03-01-cdn.md", Data: []byte("# Again\n")},
		{Name: "2024-03-03-db.md", Data: []byte("# Database\n")},
	}
	results, err := jobs.ImportUploads(context.Background(), st, files, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"2024-03-01-cdn.md imported 2024-03-01-cdn",
		"2024-03-02-dns.md imported 2024-03-02-dns",
		"empty.md failed document is empty",
		"big.md failed file is 106 B, over the 64 bytes limit (HINDSIGHT_MAX_FILE_SIZE)",
		"2024-03-01-cdn.md failed another file in this upload has the same name",
		"2024-03-03-db.md failed constraint failed for upload:2024-03-03-db.md",
	}
	if got := outcomes(results); !slices.Equal(got, want) {
		t.Errorf("first upload:\n%q\nwant\n%q", got, want)
	}
	if w := results[0].Warnings; len(w) != 1 || w[0].Line != 2 {
		t.Errorf("warnings = %+v, want one on line 2", w)
	}
	if results[2].Line != 1 || results[3].Line != 1 {
		t.Errorf("error lines = %d, %d, want 1", results[2].Line, results[3].Line)
	}
	path, text, err := st.SourceText(context.Background(), "2024-03-02-dns")
	if err != nil || path != "upload:2024-03-02-dns.md" || text != "# DNS\n" {
		t.Errorf("stored source = %q %q %v", path, text, err)
	}

	results, err = jobs.ImportUploads(context.Background(), st, []jobs.Upload{
		{Name: "2024-03-01-cdn.md", Data: []byte("# CDN outage\nTODO: timeline\n")},
		{Name: "2024-03-02-dns.md", Data: []byte("# DNS, edited\n")},
	}, opts)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"2024-03-01-cdn.md unchanged 2024-03-01-cdn", "2024-03-02-dns.md updated 2024-03-02-dns"}
	if got := outcomes(results); !slices.Equal(got, want) {
		t.Errorf("second upload:\n%q\nwant\n%q", got, want)
	}
}

func TestImportUploadsUnavailable(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := jobs.ImportUploads(ctx, &store{DB: openDB(t)}, []jobs.Upload{{Name: "a.md", Data: []byte("# A\n")}}, jobs.ImportOptions{Parse: parse})
	if err == nil {
		t.Fatal("a cancelled upload returned no error")
	}
	if postmortem.ErrorCode(err) == "" {
		t.Errorf("err = %v", err)
	}
}

func TestUploadName(t *testing.T) {
	for in, want := range map[string]string{
		"a.md": "a.md", "dir/a.md": "a.md", `C:\x\a.md`: "a.md", " a.md ": "a.md", "": "", "/": "", "../..": "",
	} {
		if got := jobs.UploadName(in); got != want {
			t.Errorf("UploadName(%q) = %q, want %q", in, got, want)
		}
	}
}
