package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// UploadPrefix starts the stored path of every uploaded document, so that
// uploads never collide with files under an imported directory and are
// never marked missing by a directory scan.
const UploadPrefix = "upload:"

// OutcomeFailed is the outcome of an uploaded file that was not saved.
const OutcomeFailed postmortem.Outcome = "failed"

// Upload is one file sent from the browser: its name as the browser gave
// it and its bytes.
type Upload struct {
	Name string
	Data []byte
}

// FileResult is what happened to one upload: the stored id (empty when it
// failed), the outcome, why it failed and on which line, and the parser's
// warnings.
type FileResult struct {
	Name     string
	ID       string
	Outcome  postmortem.Outcome
	Error    string
	Line     int
	Warnings []postmortem.Warning
}

// ImportUploads parses and saves uploaded files as Import does files on
// disk, each stored under the path "upload:<name>": uploading a file of
// the same name again updates the same document. Files over
// opts.MaxFileSize, files the parser rejects and a second file of the same
// name fail alone; the others are saved in one transaction or, when that
// fails, one at a time. The results are in the order of files. The error
// is for what stops the whole upload: a cancelled ctx or an unavailable
// store.
func ImportUploads(ctx context.Context, store Store, files []Upload, opts ImportOptions) ([]FileResult, error) {
	limit := opts.MaxFileSize
	if limit <= 0 {
		limit = DefaultMaxFileSize
	}
	results := make([]FileResult, len(files))
	var docs []*postmortem.Postmortem
	var at []int // docs[i] is files[at[i]]
	seen := map[string]bool{}
	for i, f := range files {
		name := UploadName(f.Name)
		results[i] = FileResult{Name: name, Outcome: OutcomeFailed}
		var err error
		switch {
		case name == "":
			err = postmortem.Errorf(postmortem.EInvalid, "the file has no name")
		case seen[name]:
			err = postmortem.Errorf(postmortem.EInvalid, "another file in this upload has the same name")
		case int64(len(f.Data)) > limit:
			err = tooLarge(int64(len(f.Data)), limit)
		}
		seen[name] = true
		if err != nil {
			results[i].Error, results[i].Line = describe(err), postmortem.ErrorLine(err)
			continue
		}
		doc, err := opts.Parse.Parse(name, f.Data)
		if err != nil {
			results[i].Error, results[i].Line = describe(err), postmortem.ErrorLine(err)
			continue
		}
		sum := sha256.Sum256(f.Data)
		doc.Source = &postmortem.Source{Path: UploadPrefix + name, Hash: hex.EncodeToString(sum[:]), Text: string(f.Data)}
		results[i].Warnings = doc.Warnings
		docs = append(docs, doc)
		at = append(at, i)
	}
	if len(docs) == 0 {
		return results, ctx.Err()
	}
	saved, err := store.Save(ctx, docs, opts.ParserVersion)
	if err == nil {
		for j, r := range saved {
			settle(&results[at[j]], r)
		}
		return results, nil
	}
	if fatal(ctx, err) {
		return nil, err
	}
	for j, doc := range docs {
		saved, err := store.Save(ctx, []*postmortem.Postmortem{doc}, opts.ParserVersion)
		switch {
		case err == nil && len(saved) == 1:
			settle(&results[at[j]], saved[0])
		case err != nil && fatal(ctx, err):
			return nil, err
		case err != nil:
			results[at[j]].Error, results[at[j]].Line = describe(err), postmortem.ErrorLine(err)
		}
	}
	return results, nil
}

// settle records a saved upload's id and outcome and the warnings the
// store added.
func settle(res *FileResult, r postmortem.SaveResult) {
	res.ID, res.Outcome = r.ID, r.Outcome
	res.Warnings = append(res.Warnings, r.Warnings...)
}

// UploadName returns the base name of a file name a browser sent, which
// some send with the client's directories in either slash style.
func UploadName(name string) string {
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/"))
	if name == "." || name == ".." || name == "/" {
		return ""
	}
	return name
}
