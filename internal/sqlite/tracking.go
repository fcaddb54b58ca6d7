package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// ItemUpdate changes an action item's tracking state; nil fields are left
// as they are.
type ItemUpdate struct {
	Status     *string
	JiraKey    *string
	JiraStatus *string
	Note       *string
}

// ItemEvent is one recorded change to an action item.
type ItemEvent = postmortem.ItemEvent

// UpdateItem changes the tracking state of action item id and records each
// changed field in its history under actor. An unknown id gives not_found,
// a status outside the contract's list gives invalid.
func (d *DB) UpdateItem(ctx context.Context, id int64, u ItemUpdate, actor string) error {
	if u.Status != nil && !postmortem.ValidActionStatus(*u.Status) {
		return &postmortem.Error{Code: postmortem.EInvalid, Field: "status",
			Message: "status must be one of " + strings.Join(postmortem.ActionStatuses, ", ")}
	}
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap("update action item", err)
	}
	defer tx.Rollback()

	var cur [4]string
	err = tx.QueryRowContext(ctx, `
		SELECT status, jira_key, jira_status, note FROM action_items WHERE id = ?`, id).
		Scan(&cur[0], &cur[1], &cur[2], &cur[3])
	if errors.Is(err, sql.ErrNoRows) {
		return postmortem.Errorf(postmortem.ENotFound, "action item %d not found", id)
	}
	if err != nil {
		return d.wrap("update action item", err)
	}
	next := cur
	fields := [4]string{"status", "jira_key", "jira_status", "note"}
	for i, v := range []*string{u.Status, u.JiraKey, u.JiraStatus, u.Note} {
		if v != nil {
			next[i] = strings.TrimSpace(*v)
		}
	}
	if next == cur {
		return nil
	}
	now := stamp(d.now())
	_, err = tx.ExecContext(ctx, `
		UPDATE action_items
		SET status = ?, jira_key = ?, jira_status = ?, note = ?, updated_at = ?
		WHERE id = ?`, next[0], next[1], next[2], next[3], now, id)
	if err != nil {
		return d.wrap("update action item", err)
	}
	for i := range fields {
		if next[i] == cur[i] {
			continue
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO item_events (item_id, at, actor, field, old, new)
			VALUES (?, ?, ?, ?, ?, ?)`, id, now, actor, fields[i], cur[i], next[i])
		if err != nil {
			return d.wrap("update action item", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return d.wrap("update action item", err)
	}
	return nil
}

// History returns an action item's recorded changes, oldest first; an
// unknown item has none.
func (d *DB) History(ctx context.Context, itemID int64) ([]ItemEvent, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap("read item history", err)
	}
	defer tx.Rollback()
	events, err := history(ctx, tx, itemID)
	if err != nil {
		return nil, d.wrap("read item history", err)
	}
	return events, nil
}

// ItemHistory returns the recorded changes of action item itemID, removed
// or not, oldest first, or not_found when there is no such item.
func (d *DB) ItemHistory(ctx context.Context, itemID int64) ([]postmortem.ItemEvent, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap("read item history", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM action_items WHERE id = ?`, itemID).Scan(&n); err != nil {
		return nil, d.wrap("read item history", err)
	}
	if n == 0 {
		return nil, itemNotFound(itemID)
	}
	events, err := history(ctx, tx, itemID)
	if err != nil {
		return nil, d.wrap("read item history", err)
	}
	return events, nil
}

// HistoryOf returns the recorded changes of every action item of a
// postmortem, by item id, each oldest first: what the incident page shows,
// in one query rather than one per item.
func (d *DB) HistoryOf(ctx context.Context, postmortemID string) (map[int64][]postmortem.ItemEvent, error) {
	rows, err := d.db.QueryContext(ctx, `
		SELECT e.id, e.item_id, e.at, e.actor, e.field, e.old, e.new
		FROM action_items a JOIN item_events e ON e.item_id = a.id
		WHERE a.postmortem_id = ?
		ORDER BY e.id`, postmortemID)
	if err != nil {
		return nil, d.wrap("read item history", err)
	}
	defer rows.Close()
	out := map[int64][]postmortem.ItemEvent{}
	for rows.Next() {
		var e postmortem.ItemEvent
		if err := rows.Scan(&e.ID, &e.ItemID, &e.At, &e.Actor, &e.Field, &e.Old, &e.New); err != nil {
			return nil, d.wrap("read item history", err)
		}
		out[e.ItemID] = append(out[e.ItemID], e)
	}
	if err := rows.Err(); err != nil {
		return nil, d.wrap("read item history", err)
	}
	return out, nil
}

func history(ctx context.Context, tx *sql.Tx, itemID int64) ([]postmortem.ItemEvent, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT id, item_id, at, actor, field, old, new
		FROM item_events
		WHERE item_id = ?
		ORDER BY id`, itemID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []postmortem.ItemEvent{}
	for rows.Next() {
		var e postmortem.ItemEvent
		if err := rows.Scan(&e.ID, &e.ItemID, &e.At, &e.Actor, &e.Field, &e.Old, &e.New); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
