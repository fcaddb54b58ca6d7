package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Get returns the postmortem stored under id: the parsed document with
// Source (without its text) and, for each action item the document still
// lists, in document order, its Tracking. Removed items are left out; see
// Each for the export that keeps them.
func (d *DB) Get(ctx context.Context, id string) (*postmortem.Postmortem, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap("get postmortem", err)
	}
	defer tx.Rollback()
	p, err := loadDoc(ctx, tx, id, false)
	if err != nil {
		return nil, d.wrap("get postmortem "+id, err)
	}
	return p, nil
}

// SourceText returns the path and the verbatim text a postmortem was
// imported from.
func (d *DB) SourceText(ctx context.Context, id string) (path, text string, err error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return "", "", d.wrap("get source", err)
	}
	defer tx.Rollback()
	err = tx.QueryRowContext(ctx, `SELECT path, source_text FROM postmortems WHERE id = ?`, id).Scan(&path, &text)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", notFound(id)
	}
	if err != nil {
		return "", "", d.wrap("get source of "+id, err)
	}
	return path, text, nil
}

// Each calls fn with every stored postmortem, newest first (by date, then
// id), from one consistent snapshot, stopping at and returning fn's first
// error. Unlike Get it includes removed action items, after the live ones
// and with Tracking.Removed set, so an export loses nothing; missing
// documents are included too, with Source.Missing set.
func (d *DB) Each(ctx context.Context, fn func(*postmortem.Postmortem) error) error {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return d.wrap("read postmortems", err)
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `SELECT id FROM postmortems ORDER BY date DESC, id`)
	if err != nil {
		return d.wrap("read postmortems", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return d.wrap("read postmortems", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d.wrap("read postmortems", err)
	}

	for _, id := range ids {
		p, err := loadDoc(ctx, tx, id, true)
		if err != nil {
			return d.wrap("read postmortem "+id, err)
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

func notFound(id string) error {
	return postmortem.Errorf(postmortem.ENotFound, "postmortem %q not found", id)
}

// loadDoc reads one postmortem and its action items.
func loadDoc(ctx context.Context, tx *sql.Tx, id string, withRemoved bool) (*postmortem.Postmortem, error) {
	var doc string
	src := &postmortem.Source{}
	err := tx.QueryRowContext(ctx, `
		SELECT doc, path, hash, imported_at, updated_at, missing
		FROM postmortems
		WHERE id = ?`, id).Scan(&doc, &src.Path, &src.Hash, &src.ImportedAt, &src.UpdatedAt, &src.Missing)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, err
	}
	var p postmortem.Postmortem
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, fmt.Errorf("decode stored document: %w", err)
	}
	p.ID = id
	p.Source = src
	items, err := loadTracked(ctx, tx, id, p.ActionItems, withRemoved)
	if err != nil {
		return nil, err
	}
	p.ActionItems = items
	return &p, nil
}

// loadTracked joins a document's item rows to the items of its stored
// JSON: a live row's position indexes the JSON list, which supplies what
// the row does not hold (all owners and keys, the source line). Removed
// rows, when wanted, are rebuilt from their columns alone.
func loadTracked(ctx context.Context, tx *sql.Tx, docID string, parsed []postmortem.ActionItem, withRemoved bool) ([]postmortem.ActionItem, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT id, position, text, owner_name, owner_annotation, doc_status, doc_jira_key,
			status, jira_key, jira_status, doc_due, due, owner_override, note, removed_at, created_at, updated_at
		FROM action_items
		WHERE postmortem_id = ?
		ORDER BY removed_at IS NOT NULL, position, id`, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	items := []postmortem.ActionItem{}
	for rows.Next() {
		var (
			pos       int
			it        postmortem.ActionItem
			owner     postmortem.Person
			tr        postmortem.Tracking
			removedAt sql.NullString
			override  sql.NullString
		)
		err := rows.Scan(&tr.ID, &pos, &it.Text, &owner.Name, &owner.Annotation, &it.Status, &it.JiraKey,
			&tr.Status, &tr.JiraKey, &tr.JiraStatus, &it.Due, &tr.Due, &override, &tr.Note, &removedAt, &tr.CreatedAt, &tr.UpdatedAt)
		if err != nil {
			return nil, err
		}
		if override.Valid {
			tr.Owner = &postmortem.Person{Name: override.String}
		}
		if removedAt.Valid {
			if !withRemoved {
				continue
			}
			tr.Removed, tr.RemovedAt = true, removedAt.String
		} else if pos >= 0 && pos < len(parsed) {
			it = parsed[pos]
		}
		if it.Owner == nil && owner.Name != "" {
			it.Owner = &owner
		}
		it.Tracking = &tr
		items = append(items, it)
	}
	return items, rows.Err()
}
