package main

import (
	"fmt"
	"strings"

	"github.com/dustin/go-humanize"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/markdown"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// byteSize is a size flag written as 10MiB, 512KiB or a number of bytes.
type byteSize int64

// UnmarshalText lets kong read a byteSize.
func (b *byteSize) UnmarshalText(text []byte) error {
	n, err := humanize.ParseBytes(strings.TrimSpace(string(text)))
	if err != nil {
		return fmt.Errorf("size %q: want a number of bytes or a size such as 10MiB", text)
	}
	if n == 0 {
		return fmt.Errorf("size %q: must be more than zero", text)
	}
	*b = byteSize(n)
	return nil
}

// importOptions are the configured import settings, reporting to report.
func (c *cli) importOptions(report func(jobs.Problem)) jobs.ImportOptions {
	return jobs.ImportOptions{
		Parse:         c.parser(),
		ParserVersion: markdown.Version,
		MaxFileSize:   int64(c.MaxFileSize),
		Report:        report,
	}
}

// parser returns markdown.Parse with the configured options.
func (c *cli) parser() jobs.ParseFunc {
	opts := markdown.Options{Timezone: c.Timezone, DayFirst: c.DateOrder}
	return func(name string, src []byte) (*postmortem.Postmortem, error) {
		return markdown.Parse(name, src, opts)
	}
}
