// Package corpus generates a deterministic corpus of postmortems for
// benchmarks: documents about Fernhollow Rail, an invented rail operator,
// in the mix of formats Hindsight imports (SRE-book Markdown, YAML front
// matter, text flattened from wiki pages and a few rarer Markdown shapes).
//
// The same n and seed always give byte-identical files, on every platform
// and Go version, so benchmark figures taken on different days compare.
package corpus

import (
	"path"
	"strconv"
	"strings"
)

// File is one generated postmortem: a slash-separated relative path such as
// 2023/2023-04-05-slate-returned-errors.md, and its content.
type File struct {
	Name string
	Data []byte
}

// Share of each format, in percent.
const (
	pctSRE         = 35
	pctFrontMatter = 20
	pctConfluence  = 30
	pctOther       = 15
)

// Generate returns the n documents of the corpus for seed.
func Generate(n int, seed int64) []File {
	files := make([]File, 0, n)
	_ = Each(n, seed, func(f File) error {
		files = append(files, f)
		return nil
	})
	return files
}

// Each generates the same documents as Generate, in the same order, handing
// them to fn one at a time so that callers need not hold the whole corpus.
// It stops at and returns the first error fn returns.
func Each(n int, seed int64, fn func(File) error) error {
	used := make(map[string]bool, n)
	for i := range n {
		f := document(seed, i)
		if used[f.Name] {
			ext := path.Ext(f.Name)
			base := strings.TrimSuffix(f.Name, ext)
			for k := 2; used[f.Name]; k++ {
				f.Name = base + "-" + strconv.Itoa(k) + ext
			}
		}
		used[f.Name] = true
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// document renders document i; its name may still collide with another's.
func document(seed int64, i int) File {
	inc := newIncident(seed, i)
	date, ext := inc.date, ".md"
	var data []byte
	switch k := inc.sc.r.intn(100); {
	case k < pctSRE:
		data = renderSRE(inc)
	case k < pctSRE+pctFrontMatter:
		data = renderFrontMatter(inc)
	case k < pctSRE+pctFrontMatter+pctConfluence:
		data = renderConfluence(inc)
		date, ext = titleDate(inc), ".txt"
	default:
		data = renderOther(inc)
	}
	day := isoDate(date)
	return File{Name: day[:4] + "/" + day + "-" + slug(inc.title) + ext, Data: data}
}
