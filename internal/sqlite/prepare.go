package sqlite

import (
	"runtime"
	"sync"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// prepared is what saving a document computes without the database: its
// stored JSON (under its parsed id), its full-text fields and its derived
// durations.
type prepared struct {
	json            string
	err             error
	search          searchText
	detect, resolve int
}

// prepareAll prepares a batch on every core. Saving is bound by the one
// writer, so this work is kept out of the write transaction.
func prepareAll(docs []*postmortem.Postmortem) []*prepared {
	out := make([]*prepared, len(docs))
	workers := min(runtime.GOMAXPROCS(0), len(docs))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for i := w; i < len(docs); i += workers {
				p := docs[i]
				pre := &prepared{search: searchFields(p)}
				pre.json, pre.err = docJSON(p, p.ID, nil)
				pre.detect, pre.resolve = minutes(p)
				out[i] = pre
			}
		})
	}
	wg.Wait()
	return out
}
