package jobs

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// LintOptions configure Lint.
type LintOptions struct {
	Parse       ParseFunc
	MaxFileSize int64 // bytes; DefaultMaxFileSize when 0
	// Report receives every Failure, Warning and Notice in file order, one
	// call at a time. It may be nil.
	Report func(Problem)
}

// LintSummary counts what Lint found.
type LintSummary struct {
	Files    int
	Errors   int
	Warnings int
}

// String is the final line the lint command prints.
func (s LintSummary) String() string {
	return fmt.Sprintf("%d files, %d errors, %d warnings", s.Files, s.Errors, s.Warnings)
}

// Lint parses the documents under paths, found as Walk finds them, without
// storing anything, and reports each one's errors and warnings in line
// order. Files are read one after another so that the report is in the
// same order on every run.
func Lint(ctx context.Context, paths []string, opts LintOptions) (LintSummary, error) {
	var sum LintSummary
	report := func(p Problem) {
		switch p.Kind {
		case Failure:
			sum.Errors++
		case Warning:
			sum.Warnings++
		}
		if opts.Report != nil {
			opts.Report(p)
		}
	}
	files, _, err := Walk(ctx, paths, report)
	if err != nil {
		return sum, err
	}
	sum.Files = len(files)
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		data, _, err := ReadFile(f.Path, opts.MaxFileSize)
		if err != nil {
			report(Failed(f.Path, err))
			continue
		}
		doc, err := opts.Parse.Parse(f.Path, data)
		if err != nil {
			report(Failed(f.Path, err))
			continue
		}
		slices.SortStableFunc(doc.Warnings, func(a, b postmortem.Warning) int { return cmp.Compare(a.Line, b.Line) })
		for _, w := range doc.Warnings {
			report(Problem{Path: f.Path, Line: w.Line, Kind: Warning, Message: w.Message})
		}
	}
	return sum, nil
}
