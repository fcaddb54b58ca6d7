package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// importActor is the history actor for changes a re-import makes.
const importActor = "import"

// Save stores a batch of parsed documents in one transaction: all of them
// or, on error, none. Each document must have Source.Path set; Source.Hash
// is computed from Source.Text when empty. A document whose path is stored
// with the same hash and parser version is left alone (Unchanged); a new
// path is Imported; a known path with new content is Updated in place, its
// action items matched to the stored ones so their tracking state
// survives edits. The results are in the order of docs and carry only the
// warnings the store adds (an id already taken by another document); the
// documents passed in are not modified. A lock held elsewhere gives an
// unavailable *postmortem.Error; callers may retry the batch one document
// at a time to isolate a document that fails on its own.
func (d *DB) Save(ctx context.Context, docs []*postmortem.Postmortem, parserVersion int) ([]postmortem.SaveResult, error) {
	if len(docs) == 0 {
		return nil, nil
	}
	paths := make([]string, len(docs))
	for i, p := range docs {
		if p == nil || p.Source == nil || p.Source.Path == "" {
			return nil, postmortem.Errorf(postmortem.EInvalid, "save document %d of %d: no source path", i+1, len(docs))
		}
		paths[i] = p.Source.Path
	}

	// The CPU work of a save that needs no database runs on every core
	// before the write lock is taken, so that the lock is held for writing.
	preps := prepareAll(docs)

	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, d.wrap("save postmortems", err)
	}
	defer tx.Rollback()

	s, err := prepareSaver(ctx, tx, stamp(d.now()))
	if err != nil {
		return nil, d.wrap("save postmortems", err)
	}
	defer s.close()
	if err := s.lookup(ctx, paths); err != nil {
		return nil, d.wrap("save postmortems", err)
	}
	results := make([]postmortem.SaveResult, 0, len(docs))
	for i, p := range docs {
		r, err := s.save(ctx, p, preps[i], parserVersion)
		if err != nil {
			return nil, d.wrap("save "+p.Source.Path, err)
		}
		results = append(results, r)
	}
	if err := tx.Commit(); err != nil {
		return nil, d.wrap("save postmortems", err)
	}
	return results, nil
}

// storedDoc is what a save needs to know about a path already stored.
type storedDoc struct {
	id            string
	hash          string
	parserVersion int
	missing       bool
	searchRowid   sql.NullInt64
}

// lookup loads the stored state of every path in the batch in one query.
func (s *saver) lookup(ctx context.Context, paths []string) error {
	list, err := json.Marshal(paths)
	if err != nil {
		return err
	}
	rows, err := s.tx.QueryContext(ctx, `
		SELECT path, id, hash, parser_version, missing, search_rowid
		FROM postmortems
		WHERE path IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var path string
		var sd storedDoc
		if err := rows.Scan(&path, &sd.id, &sd.hash, &sd.parserVersion, &sd.missing, &sd.searchRowid); err != nil {
			return err
		}
		s.known[path] = &sd
	}
	return rows.Err()
}

// save stores one document of the batch.
func (s *saver) save(ctx context.Context, p *postmortem.Postmortem, pre *prepared, parserVersion int) (postmortem.SaveResult, error) {
	src := p.Source
	hash := src.Hash
	if hash == "" {
		sum := sha256.Sum256([]byte(src.Text))
		hash = hex.EncodeToString(sum[:])
	}
	res := postmortem.SaveResult{Path: src.Path}
	cur := s.known[src.Path]
	if cur != nil && cur.hash == hash && cur.parserVersion == parserVersion {
		res.ID, res.Outcome = cur.id, postmortem.Unchanged
		if cur.missing {
			if _, err := s.present.ExecContext(ctx, src.Path); err != nil {
				return res, err
			}
			cur.missing = false
		}
		return res, nil
	}

	want := p.ID
	if want == "" {
		want = slugFromPath(src.Path)
	}
	var err error
	if cur == nil {
		res.Outcome = postmortem.Imported
		res.ID, res.Warnings, err = s.freeID(ctx, want, src.Path)
	} else {
		res.Outcome = postmortem.Updated
		res.ID, res.Warnings, err = s.keepOrChangeID(ctx, want, cur.id)
	}
	if err != nil {
		return res, err
	}

	doc := pre.json
	if pre.err != nil || res.ID != p.ID || len(res.Warnings) > 0 {
		if doc, err = docJSON(p, res.ID, res.Warnings); err != nil {
			return res, fmt.Errorf("encode document: %w", err)
		}
	}
	rowid, err := s.index(ctx, pre.search, res.ID, cur)
	if err != nil {
		return res, fmt.Errorf("index document: %w", err)
	}
	detect, resolve := pre.detect, pre.resolve

	if cur == nil {
		_, err = s.insertDoc.ExecContext(ctx, res.ID, src.Path, hash, parserVersion,
			p.Title, p.Date, p.Status, p.Severity, p.Summary, doc, src.Text, rowid, detect, resolve, s.now, s.now)
		if err != nil {
			return res, err
		}
		if err := s.syncTags(ctx, res.ID, p.Tags, false); err != nil {
			return res, err
		}
		if err := s.insertItems(ctx, res.ID, p.ActionItems); err != nil {
			return res, err
		}
	} else {
		// Only a changed id goes through the cascading UPDATE: it needs a
		// statement journal, which also costs an FTS5 flush.
		if res.ID != cur.id {
			if _, err := s.renameDoc.ExecContext(ctx, res.ID, src.Path); err != nil {
				return res, err
			}
		}
		_, err = s.updateDoc.ExecContext(ctx, hash, parserVersion,
			p.Title, p.Date, p.Status, p.Severity, p.Summary, doc, src.Text, rowid, detect, resolve, s.now, src.Path)
		if err != nil {
			return res, err
		}
		if err := s.syncTags(ctx, res.ID, p.Tags, true); err != nil {
			return res, err
		}
		if err := s.syncItems(ctx, res.ID, p.ActionItems); err != nil {
			return res, err
		}
	}
	s.known[src.Path] = &storedDoc{id: res.ID, hash: hash, parserVersion: parserVersion,
		searchRowid: sql.NullInt64{Int64: rowid, Valid: true}}
	return res, nil
}

// syncTags makes the document's stored tags its current ones, row by row
// (see insertItems for why), touching nothing when they did not change.
func (s *saver) syncTags(ctx context.Context, docID string, tags []string, stored bool) error {
	want := tagSet(tags)
	have := map[string]string{}
	if stored {
		rows, err := s.tags.QueryContext(ctx, docID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return err
			}
			have[strings.ToLower(t)] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for _, t := range want {
		k := strings.ToLower(t)
		if old, ok := have[k]; ok && old == t {
			delete(have, k)
			continue
		} else if ok {
			if _, err := s.dropTag.ExecContext(ctx, docID, old); err != nil {
				return err
			}
			delete(have, k)
		}
		if _, err := s.addTag.ExecContext(ctx, docID, t); err != nil {
			return err
		}
	}
	for _, old := range have {
		if _, err := s.dropTag.ExecContext(ctx, docID, old); err != nil {
			return err
		}
	}
	return nil
}

// idOwner returns the path of the document stored under id, or "".
func (s *saver) idOwner(ctx context.Context, id string) (string, error) {
	var path string
	err := s.ownerOf.QueryRowContext(ctx, id).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return path, err
}

// freeID returns want when no other document has it, or else the first of
// want-2, want-3… that is free, with a warning naming the holder.
func (s *saver) freeID(ctx context.Context, want, path string) (string, []postmortem.Warning, error) {
	holder, err := s.idOwner(ctx, want)
	if err != nil || holder == "" || holder == path {
		return want, nil, err
	}
	for n := 2; ; n++ {
		id := fmt.Sprintf("%s-%d", want, n)
		owner, err := s.idOwner(ctx, id)
		if err != nil {
			return "", nil, err
		}
		if owner == "" {
			w := postmortem.Warning{Line: 1, Message: fmt.Sprintf(
				"id %q is already used by %s; this document is stored as %q", want, holder, id)}
			return id, []postmortem.Warning{w}, nil
		}
	}
}

// keepOrChangeID returns the id a re-imported document gets: the parsed
// one when it is the stored one or free, the stored one (with a warning)
// when another document has the parsed one.
func (s *saver) keepOrChangeID(ctx context.Context, want, current string) (string, []postmortem.Warning, error) {
	if want == current {
		return current, nil, nil
	}
	holder, err := s.idOwner(ctx, want)
	if err != nil || holder == "" {
		return want, nil, err
	}
	w := postmortem.Warning{Line: 1, Message: fmt.Sprintf(
		"id %q is already used by %s; this document keeps %q", want, holder, current)}
	return current, []postmortem.Warning{w}, nil
}

// index replaces the document's full-text row and returns its rowid,
// reusing the stored one so postmortems.search_rowid stays valid.
func (s *saver) index(ctx context.Context, f searchText, id string, cur *storedDoc) (int64, error) {
	var rowid any
	if cur != nil && cur.searchRowid.Valid {
		if _, err := s.unindex.ExecContext(ctx, cur.searchRowid.Int64); err != nil {
			return 0, err
		}
		rowid = cur.searchRowid.Int64
	}
	r, err := s.reindex.ExecContext(ctx, rowid, id, f.title, f.summary, f.sections, f.timeline, f.actions)
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

// docJSON encodes p as stored: under its final id, with the store's
// warnings added, and without source or tracking state.
func docJSON(p *postmortem.Postmortem, id string, warnings []postmortem.Warning) (string, error) {
	c := *p
	c.ID = id
	c.Source = nil
	if len(warnings) > 0 {
		c.Warnings = append(append([]postmortem.Warning(nil), p.Warnings...), warnings...)
	}
	if len(p.ActionItems) > 0 {
		c.ActionItems = make([]postmortem.ActionItem, len(p.ActionItems))
		for i, it := range p.ActionItems {
			it.Tracking = nil
			c.ActionItems[i] = it
		}
	}
	b, err := json.Marshal(&c)
	return string(b), err
}

// slugFromPath makes an id for a document that has none from its file
// name: lower case, runs of other characters turned into single hyphens.
func slugFromPath(path string) string {
	base := filepath.Base(path)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(base) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	slug := strings.TrimSuffix(b.String(), "-")
	if slug == "" {
		return "postmortem"
	}
	return slug
}
