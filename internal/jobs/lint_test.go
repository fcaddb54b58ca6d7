package jobs_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/jobs"
)

func TestLint(t *testing.T) {
	dir := corpus(t)
	if err := os.WriteFile(filepath.Join(dir, "draft.md"), []byte("# Draft\nTODO: impact\n\nTODO: timeline\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var lines []string
	sum, err := jobs.Lint(context.Background(), []string{dir}, jobs.LintOptions{
		Parse: parse,
		Report: func(p jobs.Problem) {
			kind := map[jobs.Kind]string{jobs.Failure: "error: ", jobs.Warning: "warning: "}[p.Kind]
			lines = append(lines, strings.TrimPrefix(p.Location(), dir+"/")+": "+kind+p.Message)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"draft.md:2: warning: unfinished line",
		"draft.md:4: warning: unfinished line",
		"empty.md:1: error: document is empty",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("report = %q\nwant %q", lines, want)
	}
	if got, want := sum.String(), "5 files, 1 errors, 2 warnings"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}
