package main

import (
	"fmt"

	"github.com/hindsight-dev/hindsight/internal/jobs"
)

type lintCmd struct {
	Strict bool     `help:"Exit 1 on warnings too, not only on errors."`
	Paths  []string `arg:"" name:"path" help:"Files and directories (searched for .md, .markdown and .txt) to check."`
}

func (lintCmd) Help() string {
	return `Parses postmortem files the way import does, without a database, and
prints what the parser could not read or had to guess:

  FILE:LINE: error: message      the file cannot be imported
  FILE:LINE: warning: message    the file imports, but something was guessed

and finally "N files, E errors, W warnings". The exit status is 1 when
there is an error (with --strict, also a warning), so it can guard a
repository of postmortems in CI.

Examples:
  hindsight lint postmortems/
  hindsight lint --strict docs/incidents/2024-05-02-dns.md`
}

// Run lints the paths and prints the report on standard output.
func (l *lintCmd) Run(a *app) error {
	sum, err := jobs.Lint(a.ctx, l.Paths, jobs.LintOptions{
		Parse:       a.parser(),
		MaxFileSize: int64(a.MaxFileSize),
		Report: func(p jobs.Problem) {
			switch p.Kind {
			case jobs.Failure:
				fmt.Fprintf(a.stdout, "%s: error: %s\n", p.Location(), p.Message)
			case jobs.Warning:
				fmt.Fprintf(a.stdout, "%s: warning: %s\n", p.Location(), p.Message)
			default:
				fmt.Fprintf(a.stdout, "%s: %s\n", p.Location(), p.Message)
			}
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, sum)
	if sum.Errors > 0 || (l.Strict && sum.Warnings > 0) {
		return errReported
	}
	return nil
}
