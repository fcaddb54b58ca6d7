//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
)

// maxRSSKB returns the peak resident set size of a finished process in
// kilobytes. getrusage reports it in kilobytes on Linux and the BSDs and in
// bytes on Darwin.
func maxRSSKB(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	kb := int64(ru.Maxrss)
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		kb /= 1024
	}
	return kb, true
}
