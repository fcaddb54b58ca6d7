package jobs

import (
	"context"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// flush saves the pending batch in one transaction, or one document at a
// time when that fails. It returns only errors that will fail every
// document alike: an unavailable (locked) store or a cancelled ctx.
func (im *importer) flush(ctx context.Context) error {
	if len(im.batch) == 0 {
		return nil
	}
	batch := im.batch
	im.batch = im.batch[:0]
	docs := make([]*postmortem.Postmortem, len(batch))
	for i, l := range batch {
		docs[i] = l.doc
	}
	results, err := im.store.Save(ctx, docs, im.opts.ParserVersion)
	if err == nil {
		im.saved(batch, results)
		return nil
	}
	if fatal(ctx, err) {
		return err
	}
	for _, l := range batch {
		results, err := im.store.Save(ctx, []*postmortem.Postmortem{l.doc}, im.opts.ParserVersion)
		if err != nil {
			if fatal(ctx, err) {
				return err
			}
			im.report(Failed(l.file.Path, err))
			continue
		}
		im.saved([]loaded{l}, results)
	}
	return nil
}

// saved counts the outcomes of a saved batch and reports its warnings.
func (im *importer) saved(batch []loaded, results []postmortem.SaveResult) {
	for i, r := range results {
		switch r.Outcome {
		case postmortem.Imported:
			im.sum.Imported++
		case postmortem.Updated:
			im.sum.Updated++
		default:
			im.sum.Unchanged++
		}
		path := r.Path
		if i < len(batch) {
			path = batch[i].file.Path
		}
		for _, w := range r.Warnings {
			im.report(Problem{Path: path, Line: w.Line, Kind: Warning, Message: w.Message})
		}
	}
}

// fatal reports whether err from the store will fail any other document
// too, so retrying them one by one would only repeat it.
func fatal(ctx context.Context, err error) bool {
	return ctx.Err() != nil || postmortem.ErrorCode(err) == postmortem.EUnavailable
}
