package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Page sizes of ListIncidents.
const (
	DefaultIncidentLimit = 50
	MaxIncidentLimit     = 200
)

// Snippet markers: ListIncidents puts them around search hits in
// Incident.Snippet, for a page to turn into <mark> after escaping.
const (
	MarkStart = "«"
	MarkEnd   = "»"
)

// ListIncidents returns a page of postmortems chosen by f, newest first
// (by date, then id, both descending), and the cursor of the next page (""
// after the last). Status and Severity are compared without (ASCII) case;
// Owner matches the name key of an item's effective owner, or any name of
// the person it names; Query is full-text search, every term required,
// and fills Snippet with the best matching fragment between MarkStart and
// MarkEnd.
func (d *DB) ListIncidents(ctx context.Context, f postmortem.IncidentFilter) (rows []postmortem.Incident, next string, err error) {
	after, err := parseCursor(f.After, "incidents")
	if err != nil {
		return nil, "", err
	}
	limit := pageSize(f.Limit, DefaultIncidentLimit, MaxIncidentLimit)

	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, "", d.wrap("list incidents", err)
	}
	defer tx.Rollback()

	query, args, err := incidentQuery(ctx, tx, f, after, limit)
	if err != nil {
		return nil, "", d.wrap("list incidents", err)
	}
	if query == "" {
		return []postmortem.Incident{}, "", nil
	}
	res, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", d.wrap("list incidents", err)
	}
	defer res.Close()
	rows = []postmortem.Incident{}
	var rowids []int64
	for res.Next() {
		var in postmortem.Incident
		var rowid int64
		err := res.Scan(&in.ID, &in.Title, &in.Date, &in.Status, &in.Severity, &in.Missing,
			&in.DetectMinutes, &in.ResolveMinutes, &in.OpenItems, &in.TotalItems, &rowid)
		if err != nil {
			return nil, "", d.wrap("list incidents", err)
		}
		rows = append(rows, in)
		rowids = append(rowids, rowid)
	}
	if err := res.Err(); err != nil {
		return nil, "", d.wrap("list incidents", err)
	}
	res.Close()
	if len(rows) > limit {
		rows, rowids = rows[:limit], rowids[:limit]
		last := rows[limit-1]
		next = cursor{Sort: "incidents", Date: last.Date, Doc: last.ID}.String()
	}
	if strings.TrimSpace(f.Query) != "" {
		snips, err := snippets(ctx, tx, ftsQuery(f.Query), rowids)
		if err != nil {
			return nil, "", d.wrap("list incidents", err)
		}
		for i := range rows {
			rows[i].Snippet = snips[rowids[i]]
		}
	}
	return rows, next, nil
}

// snippets returns the best matching fragment of each listed document
// for the full-text query q, by search rowid. Asking for the page's rows
// alone, after sorting, keeps a common word from costing a snippet for
// every document it matches.
func snippets(ctx context.Context, tx *sql.Tx, q string, rowids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(rowids))
	if len(rowids) == 0 {
		return out, nil
	}
	list, err := json.Marshal(rowids)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT rowid, snippet(postmortem_search, -1, ?, ?, '…', 24)
		FROM postmortem_search
		WHERE postmortem_search MATCH ? AND rowid IN (SELECT value FROM json_each(?))`,
		MarkStart, MarkEnd, q, string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var rowid int64
		var s string
		if err := rows.Scan(&rowid, &s); err != nil {
			return nil, err
		}
		out[rowid] = s
	}
	return out, rows.Err()
}

// incidentQuery builds ListIncidents' query for f, after and limit; it is
// "" when f.Query has nothing to search for.
func incidentQuery(ctx context.Context, tx *sql.Tx, f postmortem.IncidentFilter, after *cursor, limit int) (string, []any, error) {
	from := ` FROM postmortems p`
	var where []string
	var args []any
	if strings.TrimSpace(f.Query) != "" {
		q := ftsQuery(f.Query)
		if q == "" {
			return "", nil, nil
		}
		from = ` FROM postmortem_search s JOIN postmortems p ON p.search_rowid = s.rowid`
		where = append(where, `postmortem_search MATCH ?`)
		args = append(args, q)
	}
	if f.Year > 0 {
		where = append(where, `p.date >= ?`, `p.date < ?`)
		args = append(args, fmt.Sprintf("%04d", f.Year), fmt.Sprintf("%04d", f.Year+1))
	}
	if f.Status != "" {
		where = append(where, `p.status = ? COLLATE NOCASE`)
		args = append(args, strings.TrimSpace(f.Status))
	}
	if f.Severity != "" {
		where = append(where, `p.severity = ? COLLATE NOCASE`)
		args = append(args, strings.TrimSpace(f.Severity))
	}
	if f.Tag != "" {
		where = append(where, `p.id IN (SELECT t.postmortem_id FROM postmortem_tags t WHERE t.tag = ?)`)
		args = append(args, strings.TrimSpace(f.Tag))
	}
	if strings.TrimSpace(f.Owner) != "" {
		keys, err := ownerKeys(ctx, tx, f.Owner)
		if err != nil {
			return "", nil, err
		}
		where = append(where, `p.id IN (SELECT a.postmortem_id FROM action_items a
			WHERE a.removed_at IS NULL AND a.owner_key IN (SELECT value FROM json_each(?)))`)
		args = append(args, keys)
	}
	if f.HasOpen {
		where = append(where, `EXISTS (SELECT 1 FROM action_items a
			WHERE a.postmortem_id = p.id AND a.removed_at IS NULL AND a.status IN (?, ?))`)
		args = append(args, postmortem.StatusOpen, postmortem.StatusInProgress)
	}
	if after != nil {
		where = append(where, `(p.date, p.id) < (?, ?)`)
		args = append(args, after.Date, after.Doc)
	}
	// The page is chosen first and only its rows get their item counts:
	// a search or filter that matches thousands of documents then costs
	// no more than one sort of their ids.
	page := `SELECT p.id` + from
	if len(where) > 0 {
		page += ` WHERE ` + strings.Join(where, " AND ")
	}
	page += ` ORDER BY p.date DESC, p.id DESC LIMIT ?`
	query := `
		WITH page AS MATERIALIZED (` + page + `)
		SELECT p.id, p.title, p.date, p.status, p.severity, p.missing, p.detect_minutes, p.resolve_minutes,
			(SELECT count(*) FROM action_items a
			 WHERE a.postmortem_id = p.id AND a.removed_at IS NULL AND a.status IN (?, ?)),
			(SELECT count(*) FROM action_items a
			 WHERE a.postmortem_id = p.id AND a.removed_at IS NULL),
			coalesce(p.search_rowid, 0)
		FROM page JOIN postmortems p ON p.id = page.id
		ORDER BY p.date DESC, p.id DESC`
	args = append(args, limit+1, postmortem.StatusOpen, postmortem.StatusInProgress)
	return query, args, nil
}
