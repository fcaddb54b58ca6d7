package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// jiraActor is the history actor for everything the Jira sync changes.
const jiraActor = "jira"

// jiraColumns follow itemColumns in the sync's item queries: the sync
// state, and the keys the document names for the item.
const jiraColumns = `, a.jira_state, coalesce(a.jira_attempt_at, ''), a.jira_pushed, a.jira_flag, a.jira_error,
	coalesce(json_extract(p.doc, '$.action_items[' || a.position || '].jira_keys'), '[]'),
	a.doc_jira_key`

func scanJiraItem(row scanner) (postmortem.JiraItem, error) {
	var ji postmortem.JiraItem
	var docKeys, docKey string
	it, err := scanItem(withExtra{row, []any{&ji.State, &ji.AttemptAt, &ji.Pushed, &ji.Flag, &ji.Error, &docKeys, &docKey}})
	if err != nil {
		return ji, err
	}
	ji.Item = it
	var keys []string
	json.Unmarshal([]byte(docKeys), &keys)
	for _, k := range append(append(keys, docKey), it.JiraKey) {
		k = strings.TrimSpace(k)
		if k != "" && !contains(ji.DocKeys, k) {
			ji.DocKeys = append(ji.DocKeys, k)
		}
	}
	return ji, nil
}

// withExtra scans a row's leading columns into what scanItem asks for and
// the rest into extra.
type withExtra struct {
	row   scanner
	extra []any
}

func (w withExtra) Scan(dest ...any) error {
	return w.row.Scan(append(dest, w.extra...)...)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// JiraPending returns the open, live action items that have no issue yet:
// those never tried, those whose create was left unanswered, and those
// Jira refused, when they changed since or retryFailed is set.
func (d *DB) JiraPending(ctx context.Context, retryFailed bool) ([]postmortem.JiraItem, error) {
	return d.jiraItems(ctx, "list items for Jira", `
		WHERE a.removed_at IS NULL AND a.status IN ('open', 'in_progress')
		AND (a.jira_state IN ('none', 'creating')
			OR (a.jira_state = 'failed' AND (? OR a.updated_at > coalesce(a.jira_attempt_at, ''))))
		ORDER BY a.id`, retryFailed)
}

// JiraLinked returns the live items linked to Jira issues, with their
// links.
func (d *DB) JiraLinked(ctx context.Context) ([]postmortem.JiraItem, error) {
	return d.jiraItems(ctx, "list linked items", `
		WHERE a.removed_at IS NULL AND a.jira_state IN ('created', 'linked')
		ORDER BY a.id`)
}

func (d *DB) jiraItems(ctx context.Context, op, where string, args ...any) ([]postmortem.JiraItem, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap(op, err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+itemColumns+jiraColumns+itemFrom+where, args...)
	if err != nil {
		return nil, d.wrap(op, err)
	}
	var out []postmortem.JiraItem
	index := map[int64]int{}
	for rows.Next() {
		ji, err := scanJiraItem(rows)
		if err != nil {
			rows.Close()
			return nil, d.wrap(op, err)
		}
		index[ji.ID] = len(out)
		out = append(out, ji)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, d.wrap(op, err)
	}
	if len(out) == 0 {
		return out, nil
	}
	links, err := tx.QueryContext(ctx, `
		SELECT l.item_id, l.jira_key, l.jira_issue_id, l.origin, l.category, l.status, l.assignee,
			l.assignee_name, l.resolved, l.unreachable
		FROM item_jira_links l JOIN action_items a ON a.id = l.item_id
		WHERE a.removed_at IS NULL
		ORDER BY l.item_id, l.origin <> 'created', l.jira_key`)
	if err != nil {
		return nil, d.wrap(op, err)
	}
	defer links.Close()
	for links.Next() {
		var l postmortem.JiraLink
		err := links.Scan(&l.ItemID, &l.Key, &l.IssueID, &l.Origin, &l.Category, &l.Status, &l.Assignee,
			&l.AssigneeName, &l.Resolved, &l.Unreachable)
		if err != nil {
			return nil, d.wrap(op, err)
		}
		if i, ok := index[l.ItemID]; ok {
			out[i].Links = append(out[i].Links, l)
		}
	}
	if err := links.Err(); err != nil {
		return nil, d.wrap(op, err)
	}
	return out, nil
}

// BeginJiraCreate records, before the call is made, that an issue is being
// created for item id: state creating, and the attempt's time, from which
// the sync waits for Jira's search to show the issue before it asks again.
func (d *DB) BeginJiraCreate(ctx context.Context, id int64, at time.Time) error {
	return d.jiraWrite(ctx, "record a Jira create", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE action_items
			SET jira_attempt_at = ?, jira_state = 'creating'
			WHERE id = ?`, stamp(at), id)
		return err
	})
}

// AbandonJiraCreate puts item id back to none after Jira refused a create
// outright (nothing was created), so the next cycle tries afresh.
func (d *DB) AbandonJiraCreate(ctx context.Context, id int64) error {
	return d.jiraWrite(ctx, "record a Jira create", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE action_items SET jira_state = 'none', jira_attempt_at = NULL
			WHERE id = ? AND jira_state = 'creating'`, id)
		return err
	})
}

// SaveJiraCreated stores the issue created (or found) for item id: state
// created, the key and id, the link, the fingerprint of what was sent and
// the owner flag, each change recorded in the item's history.
func (d *DB) SaveJiraCreated(ctx context.Context, id int64, is postmortem.JiraIssue, pushed, flag string) error {
	return d.jiraWrite(ctx, "save the Jira issue", func(tx *sql.Tx) error {
		now := stamp(d.now())
		var oldKey, oldFlag string
		err := tx.QueryRowContext(ctx, `SELECT jira_key, jira_flag FROM action_items WHERE id = ?`, id).Scan(&oldKey, &oldFlag)
		if errors.Is(err, sql.ErrNoRows) {
			return itemNotFound(id)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE action_items
			SET jira_state = 'created', jira_key = ?, jira_issue_id = ?, jira_attempt_at = NULL,
				jira_pushed = ?, jira_flag = ?, jira_error = '', updated_at = ?
			WHERE id = ?`, is.Key, is.ID, pushed, flag, now, id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO item_jira_links (item_id, jira_key, jira_issue_id, origin, category, status)
			VALUES (?, ?, ?, 'created', ?, ?)
			ON CONFLICT (item_id, jira_key) DO UPDATE SET jira_issue_id = excluded.jira_issue_id`,
			id, is.Key, is.ID, is.Category, is.Status)
		if err != nil {
			return err
		}
		if err := event(ctx, tx, id, now, "jira_key", oldKey, is.Key); err != nil {
			return err
		}
		return event(ctx, tx, id, now, "jira_flag", oldFlag, flag)
	})
}

// FailJiraCreate records that Jira refused to create item id's issue, with
// its reason; the item is tried again when it changes or on a full cycle.
func (d *DB) FailJiraCreate(ctx context.Context, id int64, reason string) error {
	return d.jiraWrite(ctx, "record a Jira failure", func(tx *sql.Tx) error {
		now := stamp(d.now())
		var old string
		if err := tx.QueryRowContext(ctx, `SELECT jira_error FROM action_items WHERE id = ?`, id).Scan(&old); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE action_items SET jira_state = 'failed', jira_error = ?, jira_attempt_at = ?
			WHERE id = ?`, reason, now, id)
		if err != nil {
			return err
		}
		return event(ctx, tx, id, now, "jira_error", old, reason)
	})
}

// LinkJira links item id to the issues its document names.
func (d *DB) LinkJira(ctx context.Context, id int64, keys []string) error {
	return d.jiraWrite(ctx, "link Jira issues", func(tx *sql.Tx) error {
		now := stamp(d.now())
		var oldKey string
		if err := tx.QueryRowContext(ctx, `SELECT jira_key FROM action_items WHERE id = ?`, id).Scan(&oldKey); err != nil {
			return err
		}
		for _, k := range keys {
			_, err := tx.ExecContext(ctx, `
				INSERT OR IGNORE INTO item_jira_links (item_id, jira_key, origin) VALUES (?, ?, 'document')`, id, k)
			if err != nil {
				return err
			}
		}
		key := oldKey
		if key == "" {
			key = keys[0]
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE action_items SET jira_state = 'linked', jira_key = ?, jira_attempt_at = NULL WHERE id = ?`, key, id)
		if err != nil {
			return err
		}
		return event(ctx, tx, id, now, "jira_key", oldKey, key)
	})
}

// SaveJiraPushed records that Jira now has the summary, description and
// due date fingerprinted by pushed.
func (d *DB) SaveJiraPushed(ctx context.Context, id int64, pushed string) error {
	return d.jiraWrite(ctx, "record a Jira update", func(tx *sql.Tx) error {
		var old, key string
		err := tx.QueryRowContext(ctx, `SELECT jira_pushed, jira_key FROM action_items WHERE id = ?`, id).Scan(&old, &key)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE action_items SET jira_pushed = ? WHERE id = ?`, pushed, id); err != nil {
			return err
		}
		return event(ctx, tx, id, stamp(d.now()), "jira_pushed", "", key)
	})
}

// event records one change in an item's history under the Jira actor,
// unless nothing changed.
func event(ctx context.Context, tx *sql.Tx, id int64, at, field, old, new string) error {
	if old == new {
		return nil
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO item_events (item_id, at, actor, field, old, new) VALUES (?, ?, ?, ?, ?, ?)`,
		id, at, jiraActor, field, old, new)
	return err
}

// jiraWrite runs fn in a write transaction.
func (d *DB) jiraWrite(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap(op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return d.wrap(op, err)
	}
	return d.wrap(op, tx.Commit())
}
