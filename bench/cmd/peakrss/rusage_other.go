//go:build !unix

package main

import "os"

// maxRSSKB reports that the peak resident set size is unknown here.
func maxRSSKB(*os.ProcessState) (int64, bool) { return 0, false }
