package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Page sizes of ListItems.
const (
	DefaultItemLimit = 100
	MaxItemLimit     = 500
)

// ListItems returns a page of live action items chosen by f, each with its
// postmortem's title and date and its owner's person, and the cursor of
// the next page ("" after the last). Sort "age" (the default) lists by
// postmortem date, then postmortem id, then document order; "due" lists
// by due date with undated items last, then by item id. Overdue compares
// due dates with f.Now (the current time when zero) in UTC, as
// postmortem.Item.Overdue does.
func (d *DB) ListItems(ctx context.Context, f postmortem.ItemFilter) (items []postmortem.Item, next string, err error) {
	sort := f.Sort
	if sort == "" {
		sort = "age"
	}
	if sort != "age" && sort != "due" {
		return nil, "", &postmortem.Error{Code: postmortem.EInvalid, Field: "sort", Message: `sort by "age" or "due"`}
	}
	after, err := parseCursor(f.After, sort)
	if err != nil {
		return nil, "", err
	}
	limit := pageSize(f.Limit, DefaultItemLimit, MaxItemLimit)
	now := f.Now
	if now.IsZero() {
		now = d.now()
	}

	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, "", d.wrap("list action items", err)
	}
	defer tx.Rollback()

	query, args, err := itemQuery(ctx, tx, f, sort, after, limit, now)
	if err != nil {
		return nil, "", d.wrap("list action items", err)
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", d.wrap("list action items", err)
	}
	items, err = scanItems(rows)
	if err != nil {
		return nil, "", d.wrap("list action items", err)
	}
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		c := cursor{Sort: sort, Item: last.ID}
		if sort == "due" {
			c.NoDue, c.Due = last.Due == "", last.Due
		} else {
			c.Date, c.Doc, c.Pos = last.PostmortemDate, last.PostmortemID, last.Position
		}
		next = c.String()
	}
	return items, next, nil
}

// ageFrom and dueFrom are itemFrom with the join order and indexes fixed
// so that rows come in the sort order and a page stops the scan early;
// left to itself the planner sorts every match instead (see
// TestListQueryPlans). An owner filter, which matches few items, uses
// itemFrom and its owner_key index.
const ageFrom = `
	FROM postmortems p INDEXED BY postmortems_date_id
	CROSS JOIN action_items a INDEXED BY action_items_postmortem ON a.postmortem_id = p.id
	LEFT JOIN person_names k ON k.key = a.owner_key
	LEFT JOIN people m ON m.id = k.person_id`

const dueFrom = `
	FROM action_items a INDEXED BY action_items_due
	CROSS JOIN postmortems p ON p.id = a.postmortem_id
	LEFT JOIN person_names k ON k.key = a.owner_key
	LEFT JOIN people m ON m.id = k.person_id`

// itemQuery builds ListItems' query for f sorted by sort, from after, for
// a page of limit rows and one more to tell whether another page follows.
func itemQuery(ctx context.Context, tx *sql.Tx, f postmortem.ItemFilter, sort string, after *cursor, limit int, now time.Time) (string, []any, error) {
	where, args, err := itemWhere(ctx, tx, f, now)
	if err != nil {
		return "", nil, err
	}
	from, order := ageFrom, ` ORDER BY p.date, p.id, a.position, a.id`
	if sort == "due" {
		from, order = dueFrom, ` ORDER BY a.due = '', a.due, a.id`
	}
	if strings.TrimSpace(f.Owner) != "" {
		from = itemFrom
	}
	if after != nil {
		if sort == "due" {
			where = append(where, `(a.due = '', a.due, a.id) > (?, ?, ?)`)
			args = append(args, after.NoDue, after.Due, after.Item)
		} else {
			where = append(where, `(p.date, p.id) >= (?, ?)`,
				`((p.date, p.id) > (?, ?) OR (a.position, a.id) > (?, ?))`)
			args = append(args, after.Date, after.Doc, after.Date, after.Doc, after.Pos, after.Item)
		}
	}
	query := `SELECT ` + itemColumns + from + ` WHERE ` + strings.Join(where, " AND ") + order + ` LIMIT ?`
	args = append(args, limit+1)
	return query, args, nil
}

// itemWhere turns f into conditions on itemFrom's tables and their
// arguments. Live items only; the cursor is the caller's business.
func itemWhere(ctx context.Context, tx *sql.Tx, f postmortem.ItemFilter, now time.Time) ([]string, []any, error) {
	where := []string{`a.removed_at IS NULL`}
	var args []any
	if strings.TrimSpace(f.Owner) != "" {
		keys, err := ownerKeys(ctx, tx, f.Owner)
		if err != nil {
			return nil, nil, err
		}
		where = append(where, `a.owner_key IN (SELECT value FROM json_each(?))`)
		args = append(args, keys)
	}
	if f.Team != "" {
		where = append(where, `a.owner_key IN (SELECT tk.key FROM people t
			JOIN person_names tk ON tk.person_id = t.id WHERE t.team = ?)`)
		args = append(args, f.Team)
	}
	switch {
	case f.OpenOnly && (f.Status == "" || f.Status == postmortem.StatusOpen):
		where = append(where, `a.status IN (?, ?)`)
		args = append(args, postmortem.StatusOpen, postmortem.StatusInProgress)
	case f.OpenOnly:
		where = append(where, `a.status IN (?, ?)`, `a.status = ?`)
		args = append(args, postmortem.StatusOpen, postmortem.StatusInProgress, f.Status)
	case f.Status != "":
		where = append(where, `a.status = ?`)
		args = append(args, f.Status)
	}
	if f.Overdue {
		where = append(where, `a.status IN (?, ?)`, `a.due <> ''`, `a.due < ?`)
		args = append(args, postmortem.StatusOpen, postmortem.StatusInProgress, today(now))
	}
	if f.OwnerLeft {
		where = append(where, ownerLeftSQL)
	}
	if f.NoOwner {
		where = append(where, `a.owner_key = ''`)
	}
	if f.NoJira {
		where = append(where, `a.jira_key = ''`)
	}
	return where, args, nil
}

// today is now's date in UTC, as due dates are compared.
func today(now time.Time) string {
	return now.UTC().Format("2006-01-02")
}

// ownerKeys returns, as a JSON array for json_each, the name keys an
// owner filter matches: name's own key and, when that is a person's name
// or alias, every key of that person.
func ownerKeys(ctx context.Context, tx *sql.Tx, name string) (string, error) {
	key := NameKey(name)
	keys := []string{key}
	rows, err := tx.QueryContext(ctx, `
		SELECT key FROM person_names
		WHERE person_id = (SELECT person_id FROM person_names WHERE key = ?) AND key <> ?`, key, key)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return "", err
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	b, err := json.Marshal(keys)
	return string(b), err
}

// ItemCounts returns how many live action items are open (or in
// progress), how many of those are overdue at now, and how many of those
// are orphaned: nobody owns them, or their owner has left.
func (d *DB) ItemCounts(ctx context.Context, now time.Time) (open, overdue, orphaned int, err error) {
	day := today(now)
	c, err := through(ctx, d, &d.cache.counts, day, func(ctx context.Context) (itemCounts, error) {
		open, overdue, orphaned, err := d.readItemCounts(ctx, day)
		return itemCounts{open, overdue, orphaned}, err
	})
	return c.open, c.overdue, c.orphaned, err
}

// readItemCounts counts as ItemCounts says, overdue as of day.
func (d *DB) readItemCounts(ctx context.Context, day string) (open, overdue, orphaned int, err error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, 0, 0, d.wrap("count action items", err)
	}
	defer tx.Rollback()
	// Three disjoint counts make up the orphaned ones, each served by an
	// index: no owner, an inactive person, an unmatched annotated name.
	err = tx.QueryRowContext(ctx, `
		SELECT
			(SELECT count(*) FROM action_items
			 WHERE removed_at IS NULL AND status IN (?1, ?2)),
			(SELECT count(*) FROM action_items
			 WHERE removed_at IS NULL AND status IN (?1, ?2) AND due <> '' AND due < ?3),
			(SELECT count(*) FROM action_items
			 WHERE removed_at IS NULL AND owner_key = '' AND status IN (?1, ?2))
			+ (SELECT count(*) FROM people m
			   CROSS JOIN person_names k ON k.person_id = m.id
			   CROSS JOIN action_items a INDEXED BY action_items_owner_key ON a.owner_key = k.key
			   WHERE m.active = 0 AND a.removed_at IS NULL AND a.status IN (?1, ?2))
			+ (SELECT count(*) FROM action_items a INDEXED BY action_items_annotated
			   WHERE a.removed_at IS NULL AND a.owner_override IS NULL AND a.owner_annotation <> ''
				AND a.owner_key <> '' AND a.owner_name <> '' AND a.status IN (?1, ?2)
				AND NOT EXISTS (SELECT 1 FROM person_names k WHERE k.key = a.owner_key))`,
		postmortem.StatusOpen, postmortem.StatusInProgress, day).Scan(&open, &overdue, &orphaned)
	if err != nil {
		return 0, 0, 0, d.wrap("count action items", err)
	}
	return open, overdue, orphaned, nil
}
