package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/markdown"
)

type exportCmd struct {
	Format string `enum:"json,markdown" default:"json" help:"json (default): one array of every postmortem; markdown: one file per postmortem."`
	Out    string `placeholder:"DIR" help:"Directory to write to (created if absent): DIR/postmortems.json or DIR/<id>.md. Required for markdown; JSON goes to standard output without it."`
	Force  bool   `help:"Overwrite files that already exist."`
}

func (exportCmd) Help() string {
	return `Writes every stored postmortem, including the tracking state of its
action items, as JSON (the array of the objects parse prints) or as
canonical Markdown, one DIR/<id>.md per postmortem. Existing files are
not overwritten unless --force is given; they are named and nothing is
written.

Examples:
  hindsight export > backup.json
  hindsight export --format markdown --out ./export`
}

// Run writes the export.
func (c *exportCmd) Run(a *app) error {
	if c.Format == "markdown" && c.Out == "" {
		return errors.New("export --format markdown needs --out DIR")
	}
	db, err := a.openStore()
	if err != nil {
		return err
	}
	defer db.Close()
	switch {
	case c.Format == "markdown":
		n, err := jobs.ExportMarkdown(a.ctx, db, c.Out, c.Force, markdown.Render)
		if err != nil {
			return err
		}
		a.logger.Info("exported", "format", c.Format, "dir", c.Out, "files", n)
		return nil
	case c.Out == "":
		return jobs.ExportJSON(a.ctx, db, a.stdout)
	}
	return c.jsonFile(a, db)
}

// jsonFile writes the JSON export to Out/postmortems.json, removing the
// file again if the export fails half way.
func (c *exportCmd) jsonFile(a *app, src jobs.Source) error {
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return err
	}
	name := filepath.Join(c.Out, "postmortems.json")
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if !c.Force {
		if _, err := os.Lstat(name); err == nil {
			return jobs.Overwrites(name)
		}
		flags |= os.O_EXCL
	}
	f, err := os.OpenFile(name, flags, 0o644)
	if err != nil {
		return err
	}
	err = jobs.ExportJSON(a.ctx, src, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("export to %s: %w", name, err)
	}
	a.logger.Info("exported", "format", c.Format, "file", name)
	return nil
}
