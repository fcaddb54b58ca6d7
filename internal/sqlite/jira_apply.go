package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// ApplyJira stores what Jira said of the issues read and marks the keys in
// missing unreachable, then brings each affected item in line: Jira owns
// the status and assignee of linked items. An item's status follows its
// issues' status categories: done when all are done, open when none has
// started, in progress otherwise; a won't-do item stays so when its
// issues are done. Each change is recorded under the actor "jira". It
// returns the ids of the items whose status, Jira status or assignee
// changed, in order.
func (d *DB) ApplyJira(ctx context.Context, issues []postmortem.JiraIssue, missing []string) ([]int64, error) {
	if len(issues) == 0 && len(missing) == 0 {
		return nil, nil
	}
	var changed []int64
	err := d.jiraWrite(ctx, "apply Jira issues", func(tx *sql.Tx) error {
		now := stamp(d.now())
		// touched maps each affected item to whether a change counts: the
		// first read of an issue just created fills in what Hindsight did
		// not know yet, and is not an update.
		touched := map[int64]bool{}
		for _, is := range issues {
			rows, err := tx.QueryContext(ctx, `
				SELECT item_id, jira_key, read_at IS NULL FROM item_jira_links
				WHERE jira_key = ? OR (jira_issue_id = ? AND jira_issue_id <> '')`, is.Key, is.ID)
			if err != nil {
				return err
			}
			type link struct {
				item  int64
				key   string
				first bool
			}
			var links []link
			for rows.Next() {
				var l link
				if err := rows.Scan(&l.item, &l.key, &l.first); err != nil {
					rows.Close()
					return err
				}
				links = append(links, l)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, l := range links {
				_, err := tx.ExecContext(ctx, `
					UPDATE OR IGNORE item_jira_links
					SET jira_key = ?, jira_issue_id = ?, category = ?, status = ?, assignee = ?,
						assignee_name = ?, resolved = ?, unreachable = 0, read_at = ?
					WHERE item_id = ? AND jira_key = ?`,
					is.Key, is.ID, is.Category, is.Status, is.Assignee, is.AssigneeName, is.Resolved, now, l.item, l.key)
				if err != nil {
					return err
				}
				touched[l.item] = touched[l.item] || !l.first
			}
		}
		for _, k := range missing {
			rows, err := tx.QueryContext(ctx, `
				UPDATE item_jira_links SET unreachable = 1, read_at = ? WHERE jira_key = ? RETURNING item_id`, now, k)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				touched[id] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		ids := make([]int64, 0, len(touched))
		for id := range touched {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			did, err := settle(ctx, tx, id, now, touched[id])
			if err != nil {
				return err
			}
			if did {
				changed = append(changed, id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}

// settle derives an item's status, Jira status, assignee and flag from its
// links and stores what changed. It reports whether the status changed,
// or, when reread, the Jira status or assignee.
func settle(ctx context.Context, tx *sql.Tx, id int64, now string, reread bool) (bool, error) {
	var cur [5]string // status, jira_key, jira_status, jira_assignee, jira_flag
	var state string
	err := tx.QueryRowContext(ctx, `
		SELECT status, jira_key, jira_status, jira_assignee, jira_flag, jira_state
		FROM action_items WHERE id = ?`, id).Scan(&cur[0], &cur[1], &cur[2], &cur[3], &cur[4], &state)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT jira_key, origin, category, status, assignee, assignee_name, unreachable
		FROM item_jira_links WHERE item_id = ?
		ORDER BY origin <> 'created', jira_key`, id)
	if err != nil {
		return false, err
	}
	var links []postmortem.JiraLink
	for rows.Next() {
		var l postmortem.JiraLink
		if err := rows.Scan(&l.Key, &l.Origin, &l.Category, &l.Status, &l.Assignee, &l.AssigneeName, &l.Unreachable); err != nil {
			rows.Close()
			return false, err
		}
		links = append(links, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	next := cur
	if s := postmortem.LinkedStatus(links); s != "" && !(s == postmortem.StatusDone && cur[0] == postmortem.StatusWontDo) {
		next[0] = s
	}
	next[2], next[3] = linkedSummary(links)
	if len(links) > 0 && (cur[1] == "" || !hasKey(links, cur[1])) {
		next[1] = links[0].Key // the issue moved, and its key with it
	}
	unreachable := false
	for _, l := range links {
		unreachable = unreachable || l.Unreachable
	}
	switch {
	case unreachable:
		next[4] = postmortem.FlagUnreachable
	case cur[4] == postmortem.FlagUnreachable:
		next[4] = ""
	}
	if next == cur {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE action_items
		SET status = ?, jira_key = ?, jira_status = ?, jira_assignee = ?, jira_flag = ?, updated_at = ?
		WHERE id = ?`, next[0], next[1], next[2], next[3], next[4], now, id)
	if err != nil {
		return false, err
	}
	for i, field := range []string{"status", "jira_key", "jira_status", "jira_assignee", "jira_flag"} {
		if err := event(ctx, tx, id, now, field, cur[i], next[i]); err != nil {
			return false, err
		}
	}
	return next[0] != cur[0] || reread && (next[2] != cur[2] || next[3] != cur[3]), nil
}

func hasKey(links []postmortem.JiraLink, key string) bool {
	for _, l := range links {
		if l.Key == key {
			return true
		}
	}
	return false
}

// linkedSummary is the Jira status and assignee shown for an item: the
// issue's own with one link, "KEY: value" pairs with several.
func linkedSummary(links []postmortem.JiraLink) (status, assignee string) {
	var st, as []string
	for _, l := range links {
		if l.Category == "" && l.Status == "" {
			continue
		}
		who := l.AssigneeName
		if who == "" {
			who = l.Assignee
		}
		if len(links) == 1 {
			return l.Status, who
		}
		st = append(st, l.Key+": "+l.Status)
		if who != "" {
			as = append(as, l.Key+": "+who)
		}
	}
	return strings.Join(st, ", "), strings.Join(as, ", ")
}

// JiraCursor returns when the last complete sync cycle and the last full
// reconcile started; zero times when there was none.
func (d *DB) JiraCursor(ctx context.Context) (last, full time.Time, err error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return last, full, d.wrap("read the Jira cursor", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT name, value FROM jira_sync WHERE name IN ('cursor', 'full')`)
	if err != nil {
		return last, full, d.wrap("read the Jira cursor", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return last, full, d.wrap("read the Jira cursor", err)
		}
		t, _ := time.Parse(time.RFC3339Nano, value)
		if name == "cursor" {
			last = t
		} else {
			full = t
		}
	}
	return last, full, d.wrap("read the Jira cursor", rows.Err())
}

// SaveJiraCursor records that a cycle which started at start completed,
// and whether it was a full reconcile.
func (d *DB) SaveJiraCursor(ctx context.Context, start time.Time, full bool) error {
	return d.jiraWrite(ctx, "save the Jira cursor", func(tx *sql.Tx) error {
		v := start.UTC().Format(time.RFC3339Nano)
		names := []string{"cursor"}
		if full {
			names = append(names, "full")
		}
		for _, n := range names {
			_, err := tx.ExecContext(ctx, `
				INSERT INTO jira_sync (name, value) VALUES (?, ?)
				ON CONFLICT (name) DO UPDATE SET value = excluded.value`, n, v)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// deliveryTTL is how long a webhook delivery id is remembered; Jira
// redelivers for about half an hour.
const deliveryTTL = 48 * time.Hour

// SeenJiraDelivery records a webhook delivery id and reports whether it
// had been seen already. Ids older than two days are forgotten.
func (d *DB) SeenJiraDelivery(ctx context.Context, id string) (bool, error) {
	var seen bool
	err := d.jiraWrite(ctx, "record a Jira delivery", func(tx *sql.Tx) error {
		now := d.now()
		if _, err := tx.ExecContext(ctx, `DELETE FROM jira_deliveries WHERE received_at < ?`, stamp(now.Add(-deliveryTTL))); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO jira_deliveries (id, received_at) VALUES (?, ?)`, id, stamp(now))
		if err != nil {
			return err
		}
		n, err := r.RowsAffected()
		seen = n == 0
		return err
	})
	return seen, err
}

// JiraAccount returns the remembered result of looking email up in Jira:
// the account ("" for a miss) and when; ok is false when it was never
// looked up.
func (d *DB) JiraAccount(ctx context.Context, email string) (account string, at time.Time, ok bool, err error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return "", at, false, d.wrap("read a Jira account", err)
	}
	defer tx.Rollback()
	var when string
	err = tx.QueryRowContext(ctx, `SELECT account, looked_up_at FROM jira_accounts WHERE email = ?`, email).Scan(&account, &when)
	if errors.Is(err, sql.ErrNoRows) {
		return "", at, false, nil
	}
	if err != nil {
		return "", at, false, d.wrap("read a Jira account", err)
	}
	at, _ = time.Parse(time.RFC3339, when)
	return account, at, true, nil
}

// SaveJiraAccount remembers what looking email up in Jira found ("" for
// nothing) and stores a hit on person personID: as jira_username when
// username is set (Data Center), else as jira_account_id (Cloud).
func (d *DB) SaveJiraAccount(ctx context.Context, personID int64, email, account string, username bool) error {
	return d.jiraWrite(ctx, "save a Jira account", func(tx *sql.Tx) error {
		now := stamp(d.now())
		_, err := tx.ExecContext(ctx, `
			INSERT INTO jira_accounts (email, account, looked_up_at) VALUES (?, ?, ?)
			ON CONFLICT (email) DO UPDATE SET account = excluded.account, looked_up_at = excluded.looked_up_at`,
			email, account, now)
		if err != nil || account == "" || personID == 0 {
			return err
		}
		column := "jira_account_id"
		if username {
			column = "jira_username"
		}
		_, err = tx.ExecContext(ctx, `UPDATE people SET `+column+` = ?, updated_at = ? WHERE id = ?`, account, now, personID)
		return err
	})
}
