package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// saver holds one Save call's transaction, its prepared statements and
// what it knows about the batch's paths.
type saver struct {
	tx    *sql.Tx
	now   string
	known map[string]*storedDoc
	stmts []*sql.Stmt

	present    *sql.Stmt
	ownerOf    *sql.Stmt
	insertDoc  *sql.Stmt
	updateDoc  *sql.Stmt
	renameDoc  *sql.Stmt
	unindex    *sql.Stmt
	reindex    *sql.Stmt
	items      *sql.Stmt
	insertItem *sql.Stmt
	updateItem *sql.Stmt
	removeItem *sql.Stmt
	event      *sql.Stmt
	tags       *sql.Stmt
	addTag     *sql.Stmt
	dropTag    *sql.Stmt
}

// prepareSaver prepares the statements a batch uses, once per batch.
func prepareSaver(ctx context.Context, tx *sql.Tx, now string) (*saver, error) {
	s := &saver{tx: tx, now: now, known: map[string]*storedDoc{}}
	for _, q := range []struct {
		dst *(*sql.Stmt)
		sql string
	}{
		{&s.present, `UPDATE postmortems SET missing = 0 WHERE path = ?`},
		{&s.ownerOf, `SELECT path FROM postmortems WHERE id = ?`},
		{&s.insertDoc, `
			INSERT INTO postmortems (id, path, hash, parser_version, title, date, status, severity,
				summary, doc, source_text, search_rowid, detect_minutes, resolve_minutes,
				imported_at, updated_at, missing)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`},
		{&s.updateDoc, `
			UPDATE postmortems
			SET hash = ?, parser_version = ?, title = ?, date = ?, status = ?, severity = ?,
				summary = ?, doc = ?, source_text = ?, search_rowid = ?, detect_minutes = ?,
				resolve_minutes = ?, updated_at = ?, missing = 0
			WHERE path = ?`},
		{&s.renameDoc, `UPDATE postmortems SET id = ? WHERE path = ?`},
		{&s.unindex, `DELETE FROM postmortem_search WHERE rowid = ?`},
		{&s.reindex, `
			INSERT INTO postmortem_search (rowid, id, title, summary, sections, timeline, actions)
			VALUES (?, ?, ?, ?, ?, ?, ?)`},
		{&s.items, `
			SELECT id, position, text, owner_name, owner_annotation, owner_override IS NOT NULL,
				doc_status, doc_jira_key, status, jira_key, doc_due, due, removed_at IS NOT NULL
			FROM action_items
			WHERE postmortem_id = ?
			ORDER BY id`},
		{&s.insertItem, `
			INSERT INTO action_items (postmortem_id, position, text, owner_name, owner_annotation,
				owner_key, doc_status, doc_jira_key, status, jira_key, doc_due, due, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&s.updateItem, `
			UPDATE action_items
			SET position = ?, text = ?, owner_name = ?, owner_annotation = ?,
				owner_key = CASE WHEN owner_override IS NULL THEN ? ELSE owner_key END,
				doc_status = ?, doc_jira_key = ?, status = ?, jira_key = ?, doc_due = ?, due = ?,
				removed_at = NULL, updated_at = ?
			WHERE id = ?`},
		{&s.removeItem, `UPDATE action_items SET removed_at = ?, updated_at = ? WHERE id = ?`},
		{&s.event, `
			INSERT INTO item_events (item_id, at, actor, field, old, new)
			VALUES (?, ?, ?, ?, ?, ?)`},
		{&s.tags, `SELECT tag FROM postmortem_tags WHERE postmortem_id = ?`},
		{&s.addTag, `INSERT OR IGNORE INTO postmortem_tags (postmortem_id, tag) VALUES (?, ?)`},
		{&s.dropTag, `DELETE FROM postmortem_tags WHERE postmortem_id = ? AND tag = ?`},
	} {
		st, err := tx.PrepareContext(ctx, q.sql)
		if err != nil {
			s.close()
			return nil, err
		}
		*q.dst = st
		s.stmts = append(s.stmts, st)
	}
	return s, nil
}

// close releases the prepared statements.
func (s *saver) close() error {
	var errs []error
	for _, st := range s.stmts {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}
