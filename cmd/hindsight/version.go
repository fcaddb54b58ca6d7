package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

type versionCmd struct{}

func (versionCmd) Help() string {
	return `Prints the version of this build and the Go version it was built with.

Example:
  hindsight version`
}

// Run prints the version.
func (versionCmd) Run(a *app) error {
	v := version
	if v == "" {
		v = "devel"
		if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
	}
	_, err := fmt.Fprintf(a.stdout, "hindsight %s (%s)\n", v, runtime.Version())
	return err
}
