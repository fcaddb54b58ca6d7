package main

import (
	"encoding/json"
	"fmt"

	"github.com/hindsight-dev/hindsight/internal/jobs"
)

type parseCmd struct {
	File string `arg:"" placeholder:"FILE|-" help:"Postmortem file (.md, .markdown, .txt), or - for standard input."`
}

func (parseCmd) Help() string {
	return `Parses one postmortem and prints it on standard output as indented JSON,
the same object export writes, without touching the database. On an error
it prints FILE:LINE: message on standard error, nothing on standard output,
and exits 1. Times get an offset only when the document names its zone or
HINDSIGHT_TIMEZONE is set.

Examples:
  hindsight parse postmortems/2024-03-14-search-outage.md
  cat notes.txt | hindsight parse - | jq .action_items`
}

// Run parses the file and prints it.
func (p *parseCmd) Run(a *app) error {
	name := p.File
	var data []byte
	var err error
	if p.File == "-" {
		name = "stdin"
		data, err = jobs.ReadAll(a.stdin, int64(a.MaxFileSize))
	} else {
		data, _, err = jobs.ReadFile(p.File, int64(a.MaxFileSize))
	}
	if err == nil {
		doc, perr := a.parser().Parse(name, data)
		if perr == nil {
			enc := json.NewEncoder(a.stdout)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			return enc.Encode(doc)
		}
		err = perr
	}
	problem := jobs.Failed(name, err)
	fmt.Fprintf(a.stderr, "%s: %s\n", problem.Location(), problem.Message)
	return errReported
}
