package sqlite

import (
	"context"
	"database/sql"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// ListOptions narrow and bound a List.
type ListOptions struct {
	// Query is full-text search input as a person typed it; every term
	// must match. Empty lists everything.
	Query string
	// Limit caps the number of summaries; 0 means no cap.
	Limit int
}

// Summary is one line of a postmortem list.
type Summary struct {
	ID       string
	Title    string
	Date     string
	Status   string
	Severity string
	// OpenItems counts live action items whose tracked status is open or
	// in progress; TotalItems counts all live ones.
	OpenItems  int
	TotalItems int
	Missing    bool
}

// List returns summaries of the stored postmortems, newest first (by date,
// then id), missing ones included and flagged.
func (d *DB) List(ctx context.Context, opts ListOptions) ([]Summary, error) {
	limit := opts.Limit
	if limit <= 0 {
		limit = -1
	}
	const cols = `
		SELECT p.id, p.title, p.date, p.status, p.severity, p.missing,
			(SELECT count(*) FROM action_items a
			 WHERE a.postmortem_id = p.id AND a.removed_at IS NULL AND a.status IN (?, ?)),
			(SELECT count(*) FROM action_items a
			 WHERE a.postmortem_id = p.id AND a.removed_at IS NULL)`
	query := cols + `
		FROM postmortems p
		ORDER BY p.date DESC, p.id
		LIMIT ?`
	args := []any{postmortem.StatusOpen, postmortem.StatusInProgress, limit}
	if q := ftsQuery(opts.Query); q != "" {
		query = cols + `
			FROM postmortem_search s
			JOIN postmortems p ON p.search_rowid = s.rowid
			WHERE postmortem_search MATCH ?
			ORDER BY p.date DESC, p.id
			LIMIT ?`
		args = []any{postmortem.StatusOpen, postmortem.StatusInProgress, q, limit}
	} else if opts.Query != "" {
		return []Summary{}, nil
	}

	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap("list postmortems", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, d.wrap("list postmortems", err)
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		var s Summary
		err := rows.Scan(&s.ID, &s.Title, &s.Date, &s.Status, &s.Severity, &s.Missing, &s.OpenItems, &s.TotalItems)
		if err != nil {
			return nil, d.wrap("list postmortems", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, d.wrap("list postmortems", err)
	}
	return out, nil
}

// Counts returns how many postmortems are stored (missing ones included)
// and how many action items they list (removed ones excluded).
func (d *DB) Counts(ctx context.Context) (docs, items int, err error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, 0, d.wrap("count postmortems", err)
	}
	defer tx.Rollback()
	err = tx.QueryRowContext(ctx, `
		SELECT (SELECT count(*) FROM postmortems),
			(SELECT count(*) FROM action_items WHERE removed_at IS NULL)`).Scan(&docs, &items)
	if err != nil {
		return 0, 0, d.wrap("count postmortems", err)
	}
	return docs, items, nil
}
