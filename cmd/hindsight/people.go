package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

type peopleCmd struct {
	Import peopleImportCmd `cmd:"" help:"Add or update people from a CSV file."`
	Export peopleExportCmd `cmd:"" help:"Write the people directory as CSV."`
}

func (peopleCmd) Help() string {
	return `The people directory says who the owners named in postmortems are: their
team, whether they are still around, and how Jira and Slack reach them.
Owners are matched to people by name and aliases, ignoring case, accents
and a leading @.

The CSV has the header

  ` + strings.Join(sqlite.PeopleCSVColumns, ",") + `

with the columns in any order; only name is required. aliases are
separated by semicolons; active is true or false (empty means true).

Examples:
  hindsight people import people.csv
  hindsight people export --out people.csv`
}

type peopleImportCmd struct {
	File string `arg:"" placeholder:"FILE.csv" help:"CSV file with a header line."`
}

func (peopleImportCmd) Help() string {
	return `Adds or updates everyone in a CSV file, all or nothing. A row updates
the person with its email, else the person with its name or one of its
aliases, else adds someone new; columns the file leaves out keep their
values. Standard output gets one line:

  created C, updated U

Problems are printed on standard error as FILE:LINE: field: message, and
nothing is stored; the exit status is then 1.

Examples:
  hindsight people import people.csv
  hindsight people export --out people.csv && $EDITOR people.csv && hindsight people import people.csv`
}

// Run imports the file and prints the counts.
func (c *peopleImportCmd) Run(a *app) error {
	f, err := os.Open(c.File)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := a.openStore()
	if err != nil {
		return err
	}
	defer db.Close()
	created, updated, err := db.ImportPeopleCSV(a.ctx, f, c.File)
	if err != nil {
		if !reportRows(a, err) {
			return err
		}
		return errReported
	}
	fmt.Fprintf(a.stdout, "created %d, updated %d\n", created, updated)
	return nil
}

// reportRows prints the problems of a refused CSV file, one per line, and
// reports whether err was such a refusal.
func reportRows(a *app, err error) bool {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var pe *postmortem.Error
		if !errors.As(e, &pe) || (pe.Code != postmortem.EInvalid && pe.Code != postmortem.EConflict) {
			return false
		}
	}
	for _, e := range errs {
		fmt.Fprintln(a.stderr, e)
	}
	return true
}

type peopleExportCmd struct {
	Out   string `placeholder:"FILE" help:"File to write (standard output without it)."`
	Force bool   `help:"Overwrite FILE if it exists."`
}

func (peopleExportCmd) Help() string {
	return `Writes everyone in the directory, by name, as CSV with the full header.
Importing the file again changes nothing.

Examples:
  hindsight people export > people.csv
  hindsight people export --out /backup/people.csv --force`
}

// Run writes the CSV.
func (c *peopleExportCmd) Run(a *app) error {
	db, err := a.openStore()
	if err != nil {
		return err
	}
	defer db.Close()
	if c.Out == "" {
		return db.ExportPeopleCSV(a.ctx, a.stdout)
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if !c.Force {
		flags |= os.O_EXCL
	}
	f, err := os.OpenFile(c.Out, flags, 0o644)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists; use --force to overwrite it", c.Out)
	}
	if err != nil {
		return err
	}
	err = db.ExportPeopleCSV(a.ctx, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(c.Out)
		return fmt.Errorf("export people to %s: %w", c.Out, err)
	}
	return nil
}
