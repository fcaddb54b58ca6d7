// Package bench_test holds the parser benchmarks. Run both with
//
//	go test -run '^$' -bench . ./bench/
//
// BenchmarkGoldmarkConvert is the baseline: the goal is for Parse to stay
// within 3x of goldmark's Convert over the same documents.
package bench_test

import (
	"io"
	"testing"

	"github.com/yuin/goldmark"

	"github.com/hindsight-dev/hindsight/bench/corpus"
	"github.com/hindsight-dev/hindsight/internal/markdown"
)

// Both benchmarks read the same documents: the first benchDocs of the
// corpus for benchSeed, in every format and size the corpus has.
const (
	benchDocs = 500
	benchSeed = 1
)

func benchCorpus(b *testing.B) ([]corpus.File, int64) {
	b.Helper()
	files := corpus.Generate(benchDocs, benchSeed)
	var size int64
	for _, f := range files {
		size += int64(len(f.Data))
	}
	return files, size
}

// reportPerDoc adds ns/doc and docs/s: one benchmark iteration reads the
// whole set of documents.
func reportPerDoc(b *testing.B, docs int) {
	perDoc := float64(b.Elapsed().Nanoseconds()) / float64(b.N*docs)
	b.ReportMetric(perDoc, "ns/doc")
	b.ReportMetric(1e9/perDoc, "docs/s")
}

func BenchmarkParse(b *testing.B) {
	files, size := benchCorpus(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range files {
			if _, err := markdown.Parse(f.Name, f.Data, markdown.Options{}); err != nil {
				b.Fatalf("parse %s: %v", f.Name, err)
			}
		}
	}
	reportPerDoc(b, len(files))
}

func BenchmarkGoldmarkConvert(b *testing.B) {
	files, size := benchCorpus(b)
	md := goldmark.New()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range files {
			if err := md.Convert(f.Data, io.Discard); err != nil {
				b.Fatalf("convert %s: %v", f.Name, err)
			}
		}
	}
	reportPerDoc(b, len(files))
}
