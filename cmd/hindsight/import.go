package main

import (
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/hindsight-dev/hindsight/internal/jobs"
)

type importCmd struct {
	Verbose bool     `short:"v" help:"Also print the parser's warnings."`
	Paths   []string `arg:"" name:"path" help:"Files and directories (searched for .md, .markdown and .txt) to import."`
}

func (importCmd) Help() string {
	return `Reads postmortem files into the database. Directories are searched
recursively (hidden ones such as .git are skipped, symlinked ones followed
once). A file already imported with the same content is skipped without
parsing; a changed one is updated in place, keeping the tracking state of
its action items. Stored files under a directory argument that are gone
are marked missing, never deleted.

Each file that cannot be imported is reported on standard error as
FILE:LINE: message and the others are still imported; the exit status is
then 1. Standard output gets one summary line:

  imported N, updated U, unchanged K, failed F

Examples:
  hindsight import ./postmortems
  hindsight import --db /data/hindsight.db --verbose docs/incidents notes/2024-06-01-cdn.txt`
}

// Run imports the paths and prints the summary.
func (c *importCmd) Run(a *app) error {
	db, err := a.openStore()
	if err != nil {
		return err
	}
	defer db.Close()

	var bar *progressbar.ProgressBar
	say := func(format string, args ...any) {
		if bar != nil {
			bar.Clear()
		}
		fmt.Fprintf(a.stderr, format, args...)
	}
	opts := a.importOptions(func(p jobs.Problem) {
		switch {
		case p.Kind == jobs.Warning && !c.Verbose:
		case p.Kind == jobs.Warning:
			say("%s: warning: %s\n", p.Location(), p.Message)
		default:
			say("%s: %s\n", p.Location(), p.Message)
		}
	})
	opts.Progress = func(done, total int) {
		if bar == nil && a.stderrTerminal && total > 20 {
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(a.stderr),
				progressbar.OptionSetDescription("importing"),
				progressbar.OptionShowCount(),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(),
			)
		}
		if bar != nil {
			bar.Set(done)
		}
	}
	sum, err := jobs.Import(a.ctx, importStore{db}, c.Paths, opts)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, sum)
	if sum.Failed > 0 {
		return errReported
	}
	return nil
}
