// Command peakrss runs a command and reports its wall time and peak
// resident set size, so that the import benchmark needs neither GNU time
// nor any other package:
//
//	peakrss [-o FILE] -- COMMAND [ARG...]
//
// The command's standard streams are passed through. The report is one
// line, "seconds=1.234 maxrss_kb=56789 exit=0", written to FILE or to
// standard error; peakrss exits with the command's exit code.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

func main() {
	out := flag.String("o", "", "write the report to this file instead of standard error")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: peakrss [-o FILE] -- COMMAND [ARG...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	code, err := run(*out, flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(out string, args []string) (int, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return 0, err
	}
	code := cmd.ProcessState.ExitCode()
	kb, ok := maxRSSKB(cmd.ProcessState)
	if !ok {
		kb = -1
	}
	var w io.Writer = os.Stderr
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		w = f
	}
	if _, err := fmt.Fprintf(w, "seconds=%.3f maxrss_kb=%d exit=%d\n", elapsed.Seconds(), kb, code); err != nil {
		return 0, err
	}
	return code, nil
}
