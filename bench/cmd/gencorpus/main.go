// Command gencorpus writes the deterministic benchmark corpus of
// postmortems to a directory:
//
//	go run ./bench/cmd/gencorpus -n 10000 -seed 1 -out DIR
//
// Files go to DIR/YYYY/YYYY-MM-DD-slug.{md,txt}; existing files with the
// same names are overwritten.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hindsight-dev/hindsight/bench/corpus"
)

func main() {
	n := flag.Int("n", 10000, "number of documents")
	seed := flag.Int64("seed", 1, "seed; the same seed gives the same files")
	out := flag.String("out", "", "directory to write to (created if missing)")
	flag.Parse()
	if *out == "" || *n < 0 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*n, *seed, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
}

func run(n int, seed int64, out string) error {
	var files, bytes int
	dirs := map[string]bool{}
	err := corpus.Each(n, seed, func(f corpus.File) error {
		path := filepath.Join(out, filepath.FromSlash(f.Name))
		if dir := filepath.Dir(path); !dirs[dir] {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			dirs[dir] = true
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return err
		}
		files++
		bytes += len(f.Data)
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gencorpus: wrote %d files, %.1f MB, to %s\n", files, float64(bytes)/1e6, out)
	return nil
}
