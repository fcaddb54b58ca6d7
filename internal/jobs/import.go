package jobs

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// ParseFunc turns one document into a postmortem: markdown.Parse with the
// configured options. name is the file's path, for messages.
type ParseFunc func(name string, src []byte) (*postmortem.Postmortem, error)

// DefaultBatchSize is how many documents one store transaction saves.
const DefaultBatchSize = 200

// Known is what the store remembers of an imported file.
type Known struct {
	Hash          string
	ParserVersion int
	// Missing is set when the file was gone at the last import; such a
	// file is saved again even when unchanged, which marks it present.
	Missing bool
}

// Store is the part of the database the import job writes to.
type Store interface {
	// Hashes returns every stored file's hash and parser version by path.
	Hashes(ctx context.Context) (map[string]Known, error)
	// Save stores docs in one transaction and returns, in their order,
	// what it did with each and the warnings it adds.
	Save(ctx context.Context, docs []*postmortem.Postmortem, parserVersion int) ([]postmortem.SaveResult, error)
	// MarkMissing flags the stored documents under root that are not in
	// seen and returns their paths.
	MarkMissing(ctx context.Context, root string, seen map[string]bool) ([]string, error)
}

// ImportOptions configure Import. The zero value is the documented default.
type ImportOptions struct {
	Parse ParseFunc
	// ParserVersion identifies Parse's output (markdown.Version) and is
	// stored with each document: a file whose hash and parser version both
	// match the store's is not parsed again.
	ParserVersion int
	MaxFileSize   int64 // bytes; DefaultMaxFileSize when 0
	Workers       int   // parsers; runtime.GOMAXPROCS(0) when 0
	BatchSize     int   // documents per transaction; DefaultBatchSize when 0
	// Report receives every Failure, Warning and Notice, one call at a
	// time. It may be nil.
	Report func(Problem)
	// Progress is called, one call at a time, as each file is settled.
	// It may be nil.
	Progress func(done, total int)
}

// ImportSummary counts what an import did.
type ImportSummary struct {
	Files     int
	Imported  int
	Updated   int
	Unchanged int
	Failed    int
	Warnings  int
	// Missing lists the stored files, as paths under the directory
	// arguments, that were not found and are now marked missing.
	Missing []string
}

// String is the one-line summary the import command prints.
func (s ImportSummary) String() string {
	return fmt.Sprintf("imported %d, updated %d, unchanged %d, failed %d", s.Imported, s.Updated, s.Unchanged, s.Failed)
}

// Import reads the documents under paths into store: files whose hash and
// parser version the store already has are skipped without parsing, the
// rest are parsed in parallel and saved in batches, and a batch that fails
// is saved again one document at a time so one bad document cannot sink
// the others. Afterwards the stored files under each directory argument
// that no longer exist are marked missing (never deleted). A problem with
// one file is reported and counted, not returned; the error is for what
// stops the whole import: a cancelled ctx or an unavailable store.
func Import(ctx context.Context, store Store, paths []string, opts ImportOptions) (ImportSummary, error) {
	im := &importer{store: store, opts: opts}
	files, roots, err := Walk(ctx, paths, im.report)
	if err != nil {
		return im.sum, err
	}
	im.sum.Files = len(files)
	known, err := store.Hashes(ctx)
	if err != nil {
		return im.sum, fmt.Errorf("read stored hashes: %w", err)
	}
	if err := im.run(ctx, files, known); err != nil {
		return im.sum, err
	}
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		seen[f.Abs] = true
	}
	for _, r := range roots {
		if !r.Complete {
			continue
		}
		gone, err := store.MarkMissing(ctx, r.Abs, seen)
		if err != nil {
			return im.sum, fmt.Errorf("mark missing files under %s: %w", r.Path, err)
		}
		for _, abs := range gone {
			p := abs
			if rel, err := filepath.Rel(r.Abs, abs); err == nil {
				p = filepath.Join(r.Path, rel)
			}
			im.sum.Missing = append(im.sum.Missing, p)
			im.report(Problem{Path: p, Kind: Notice, Message: "no longer exists; kept, marked missing"})
		}
	}
	return im.sum, nil
}

type importer struct {
	store Store
	opts  ImportOptions
	sum   ImportSummary
	batch []loaded
}

// loaded is one file after reading and, unless unchanged, parsing.
type loaded struct {
	file      File
	doc       *postmortem.Postmortem
	unchanged bool
	err       error
}

func (im *importer) report(p Problem) {
	switch p.Kind {
	case Failure:
		im.sum.Failed++
	case Warning:
		im.sum.Warnings++
	}
	if im.opts.Report != nil {
		im.opts.Report(p)
	}
}

// run loads files in a pool of workers and saves what they parse in
// batches. Only this goroutine touches im.
func (im *importer) run(ctx context.Context, files []File, known map[string]Known) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	size := im.opts.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	// A batch's worth of buffer lets the workers parse the next batch
	// while this goroutine saves the current one.
	results := load(ctx, files, im.opts.Workers, size, func(f File) loaded {
		return loadForImport(f, known, im.opts)
	})
	var err error
	done := 0
	for r := range results {
		if err != nil {
			continue // drain after a fatal error
		}
		switch {
		case r.err != nil:
			im.report(Failed(r.file.Path, r.err))
		case r.unchanged:
			im.sum.Unchanged++
		default:
			for _, w := range r.doc.Warnings {
				im.report(Problem{Path: r.file.Path, Line: w.Line, Kind: Warning, Message: w.Message})
			}
			im.batch = append(im.batch, r)
			if len(im.batch) >= size {
				err = im.flush(ctx)
			}
		}
		done++
		if im.opts.Progress != nil {
			im.opts.Progress(done, len(files))
		}
		if err != nil {
			cancel()
		}
	}
	if err != nil {
		return err
	}
	if err := im.flush(ctx); err != nil {
		return err
	}
	return ctx.Err()
}

// load runs fn over files in workers goroutines and sends the results, in
// no particular order, on the returned channel, which buffers up to buffer
// of them and is closed when all are done or ctx is cancelled.
func load(ctx context.Context, files []File, workers, buffer int, fn func(File) loaded) <-chan loaded {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	todo := make(chan File)
	results := make(chan loaded, buffer)
	go func() {
		defer close(todo)
		for _, f := range files {
			select {
			case todo <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for f := range todo {
				results <- fn(f)
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	return results
}

// loadForImport reads f and parses it unless the store already has this
// content from this parser version.
func loadForImport(f File, known map[string]Known, opts ImportOptions) loaded {
	data, hash, err := ReadFile(f.Path, opts.MaxFileSize)
	if err != nil {
		return loaded{file: f, err: err}
	}
	if k, ok := known[f.Abs]; ok && k.Hash == hash && k.ParserVersion == opts.ParserVersion && !k.Missing {
		return loaded{file: f, unchanged: true}
	}
	doc, err := opts.Parse.Parse(f.Path, data)
	if err != nil {
		return loaded{file: f, err: err}
	}
	doc.Source = &postmortem.Source{Path: f.Abs, Hash: hash, Text: string(data)}
	return loaded{file: f, doc: doc}
}

// Parse calls f, turning a panic into an error on line 1 so that one
// document the parser chokes on fails alone instead of ending the program.
func (f ParseFunc) Parse(name string, src []byte) (doc *postmortem.Postmortem, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &postmortem.Error{Code: postmortem.EInternal, Line: 1, Message: fmt.Sprintf("parser crashed: %v", v)}
		}
	}()
	return f(name, src)
}
